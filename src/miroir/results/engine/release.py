"""A release: every gated figure of one lens and one period over the whole network.

Computed by ``engine.build`` from the roll-ups, kept across requests by ``engine.keep``;
written to bytes (``release_bytes``) so that the server's processes share one computation
(``engine.share``, ``models.SharedRelease``). The bytes are a NumPy ``.npz`` archive of
plain arrays and one JSON document, read back without unpickling anything.
"""

from __future__ import annotations

import io
import itertools
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

import numpy as np

from miroir.results import gate
from miroir.results.engine.tally import Tally
from miroir.results.models import VALUE_FIELDS
from miroir.results.periods import GRAINS, Period

# Columns of a packed tally: n, "don't know", each whole value 0-10; then Σx, Σx² apart.
_WHOLE = 2 + len(VALUE_FIELDS)


class Packed:
    """Gated subtree sums of one item over the network, packed in arrays.

    A release holds one of these per item (and per item's segment cells): hundreds of
    thousands of tallies on a large network, kept across requests, so they are arrays and
    not objects. ``keys`` are unit ids (or encoded unit x segment value), sorted.
    """

    __slots__ = ("choices", "keys", "moments", "shown", "whole")

    def __init__(self, tallies: dict[int, Tally], shown: Iterable[int]) -> None:
        ordered = sorted(tallies)
        rows = [tallies[key] for key in ordered]
        visible = set(shown)
        self.keys = np.array(ordered, dtype=np.int64)
        self.whole = np.array(
            [[tally.n, tally.dont_know, *tally.values] for tally in rows], dtype=np.int64
        ).reshape(len(rows), _WHOLE)
        self.moments = np.array(
            [[tally.total, tally.total_squares] for tally in rows], dtype=float
        ).reshape(len(rows), 2)
        self.shown = np.array([key in visible for key in ordered], dtype=bool)
        self.choices = {
            key: dict(tally.choices)
            for key, tally in zip(ordered, rows, strict=True)
            if tally.choices
        }

    def _find(self, key: int) -> int:
        index = int(np.searchsorted(self.keys, key))
        return index if index < len(self.keys) and int(self.keys[index]) == key else -1

    def tally(self, key: int) -> Tally | None:
        index = self._find(key)
        if index < 0:
            return None
        whole = self.whole[index].tolist()
        total, squares = self.moments[index].tolist()
        return Tally(
            n=whole[0],
            dont_know=whole[1],
            total=total,
            total_squares=squares,
            values=whole[2:],
            choices=dict(self.choices.get(key, {})),
        )

    def visible(self, key: int) -> bool:
        index = self._find(key)
        return index >= 0 and bool(self.shown[index])

    def count(self, key: int) -> int:
        """Return the answers counted at ``key`` (0 when it has none)."""
        index = self._find(key)
        return int(self.whole[index, 0]) if index >= 0 else 0

    def hiding(self, keys: Iterable[int]) -> Packed:
        """Return a copy of these sums with ``keys`` hidden too (the arrays are shared)."""
        twin = Packed.__new__(Packed)
        twin.keys, twin.whole, twin.moments, twin.choices = (
            self.keys,
            self.whole,
            self.moments,
            self.choices,
        )
        twin.shown = self.shown.copy()
        for key in keys:
            index = self._find(key)
            if index >= 0:
                twin.shown[index] = False
        return twin

    def counts(self) -> dict[int, int]:
        return dict(zip(self.keys.tolist(), self.whole[:, 0].tolist(), strict=True))


_SERIALS = itertools.count(1)

# Figures a release keeps at most; past that it starts again (a network page asks for a few
# thousand, a release of 2,000 shops could give millions).
FIGURES_KEPT = 100_000


@dataclass
class Release:
    """Every gated figure of one lens and one period over the whole network.

    Read through its methods: ``tally``/``shows`` for a unit's total, ``cell``/``shows_cell``
    for a unit's segment value. Built once and kept across requests (``engine.keep``).
    """

    lens: str
    period: Period
    attribute: str
    threshold: int
    verbatim_threshold: int
    as_of: date | None
    totals: dict[int, Packed] = field(default_factory=dict)
    cells: dict[int, Packed] = field(default_factory=dict)
    # Segment value → its index in cell keys (unit id * span + index); 0 is never used.
    values: dict[str, int] = field(default_factory=dict)
    responses: dict[int, int] = field(default_factory=dict)
    visible_responses: frozenset[int] = frozenset()
    # Respondents each unit's verbatims are gated over (up to their own release day).
    verbatim_responses: dict[int, int] = field(default_factory=dict)
    # Lenses of people: each unit's last release day (None: nothing yet), for its figures
    # and for its verbatims (``gate.release_days``); empty for customers.
    through: dict[int, date | None] = field(default_factory=dict)
    verbatim_through: dict[int, date | None] = field(default_factory=dict)
    computed_at: datetime | None = None
    # The waves pooled, and when the roll-ups were last found unchanged since computing.
    wave_ids: tuple[int, ...] = ()
    checked_at: datetime | None = None
    _verbatim_groups: frozenset[int] | None = None
    # Tells releases apart in this process (what is derived from a release is kept by it).
    serial: int = field(default_factory=lambda: next(_SERIALS), compare=False, repr=False)
    # Figures computed from this release (and the previous period's), kept with it.
    figures: dict[tuple[Any, ...], Any] = field(default_factory=dict, compare=False, repr=False)

    def kept(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """Return what ``compute`` gives, computed once per release and ``key``.

        What is derived from a release (a figure, a reader's view) follows from it and
        from what ``key`` names; a release is replaced, never changed, when anything it
        was computed from changes, so what it keeps is always what computing would give.
        """
        found = self.figures.get(key)
        if found is None:
            found = compute()
            if len(self.figures) >= FIGURES_KEPT:
                self.figures.clear()
            self.figures[key] = found
        return found

    def again(self, **changes: Any) -> Release:
        """Return a copy with ``changes``, a serial of its own and nothing derived kept."""
        return replace(self, **changes, serial=next(_SERIALS), figures={})

    @property
    def item_ids(self) -> list[int]:
        return list(self.totals)

    def tally(self, item_id: int, unit_id: int) -> Tally | None:
        packed = self.totals.get(item_id)
        return packed.tally(unit_id) if packed is not None else None

    def shows(self, item_id: int, unit_id: int) -> bool:
        packed = self.totals.get(item_id)
        return packed is not None and packed.visible(unit_id)

    def _cell_key(self, unit_id: int, value: str) -> int | None:
        index = self.values.get(value)
        return None if index is None else unit_id * (len(self.values) + 1) + index

    def cell(self, item_id: int, unit_id: int, value: str) -> Tally | None:
        packed, key = self.cells.get(item_id), self._cell_key(unit_id, value)
        return packed.tally(key) if packed is not None and key is not None else None

    def shows_cell(self, item_id: int, unit_id: int, value: str) -> bool:
        packed, key = self.cells.get(item_id), self._cell_key(unit_id, value)
        return packed is not None and key is not None and packed.visible(key)

    def verbatim_groups(self, parents: dict[int, int | None]) -> frozenset[int]:
        """Return the units whose verbatims the gate releases (computed once per release)."""
        if self._verbatim_groups is None:
            family = {pk: parents[pk] for pk in self.verbatim_responses}
            self._verbatim_groups = gate.release_tree(
                family, self.verbatim_responses, self.verbatim_threshold
            )
        return self._verbatim_groups


# -- bytes ----------------------------------------------------------------------------------

_FORMAT = 2


class ReleaseFormatError(ValueError):
    """Bytes that are not a release this version writes; the caller computes it again."""


def _packed_arrays(prefix: str, packed: Packed) -> dict[str, np.ndarray]:
    return {
        f"{prefix}.keys": packed.keys,
        f"{prefix}.whole": packed.whole,
        f"{prefix}.moments": packed.moments,
        f"{prefix}.shown": packed.shown,
    }


def _days_out(days: dict[int, date | None]) -> dict[str, str | None]:
    return {str(pk): day.isoformat() if day else None for pk, day in days.items()}


def _days_in(days: dict[str, str | None]) -> dict[int, date | None]:
    return {int(pk): date.fromisoformat(day) if day else None for pk, day in days.items()}


def release_bytes(release: Release) -> bytes:
    """Return the release as bytes that ``release_read`` turns back into an equal release."""
    # Typed loosely: NumPy's stubs would read a name of this mapping as ``savez``'s options.
    arrays: dict[str, Any] = {}
    choices: dict[str, dict[str, dict[str, dict[str, int]]]] = {"totals": {}, "cells": {}}
    for kind, by_item in (("totals", release.totals), ("cells", release.cells)):
        for item_id, packed in by_item.items():
            arrays.update(_packed_arrays(f"{kind}.{item_id}", packed))
            if packed.choices:
                choices[kind][str(item_id)] = {
                    str(key): dict(counts) for key, counts in packed.choices.items()
                }
    arrays["responses"] = np.array(sorted(release.responses.items()), dtype=np.int64).reshape(
        len(release.responses), 2
    )
    arrays["visible_responses"] = np.array(sorted(release.visible_responses), dtype=np.int64)
    arrays["verbatim_responses"] = np.array(
        sorted(release.verbatim_responses.items()), dtype=np.int64
    ).reshape(len(release.verbatim_responses), 2)
    meta = {
        "format": _FORMAT,
        "lens": release.lens,
        "period": [release.period.start.isoformat(), str(release.period.grain)],
        "attribute": release.attribute,
        "threshold": release.threshold,
        "verbatim_threshold": release.verbatim_threshold,
        "as_of": release.as_of.isoformat() if release.as_of else None,
        "values": release.values,
        "computed_at": release.computed_at.isoformat() if release.computed_at else None,
        "wave_ids": list(release.wave_ids),
        "items": {kind: [str(pk) for pk in getattr(release, kind)] for kind in choices},
        "choices": choices,
        "through": _days_out(release.through),
        "verbatim_through": _days_out(release.verbatim_through),
    }
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def _packed_read(archive: np.lib.npyio.NpzFile, prefix: str, choices: dict) -> Packed:
    packed = Packed.__new__(Packed)
    packed.keys = archive[f"{prefix}.keys"]
    packed.whole = archive[f"{prefix}.whole"]
    packed.moments = archive[f"{prefix}.moments"]
    packed.shown = archive[f"{prefix}.shown"]
    packed.choices = {int(key): dict(counts) for key, counts in choices.items()}
    if not (len(packed.keys) == len(packed.whole) == len(packed.moments) == len(packed.shown)):
        raise ReleaseFormatError(f"{prefix}: arrays of different lengths")
    return packed


def release_read(data: bytes) -> Release:
    """Return the release ``release_bytes`` wrote; ``ReleaseFormatError`` for anything else."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            meta = json.loads(archive["meta"].tobytes().decode())
            if meta.get("format") != _FORMAT:
                raise ReleaseFormatError(f"format {meta.get('format')!r}, not {_FORMAT}")
            start, grain = meta["period"]
            if grain not in GRAINS:
                raise ReleaseFormatError(f"unknown grain {grain!r}")
            release = Release(
                lens=meta["lens"],
                period=Period(date.fromisoformat(start), grain),
                attribute=meta["attribute"],
                threshold=int(meta["threshold"]),
                verbatim_threshold=int(meta["verbatim_threshold"]),
                as_of=date.fromisoformat(meta["as_of"]) if meta["as_of"] else None,
                values={str(value): int(index) for value, index in meta["values"].items()},
                computed_at=(
                    datetime.fromisoformat(meta["computed_at"]) if meta["computed_at"] else None
                ),
                wave_ids=tuple(int(pk) for pk in meta["wave_ids"]),
            )
            for kind in ("totals", "cells"):
                target = getattr(release, kind)
                for item in meta["items"][kind]:
                    target[int(item)] = _packed_read(
                        archive, f"{kind}.{item}", meta["choices"][kind].get(item, {})
                    )
            release.responses = {
                int(unit): int(count) for unit, count in archive["responses"].tolist()
            }
            release.visible_responses = frozenset(archive["visible_responses"].tolist())
            release.verbatim_responses = {
                int(unit): int(count) for unit, count in archive["verbatim_responses"].tolist()
            }
            release.through = _days_in(meta["through"])
            release.verbatim_through = _days_in(meta["verbatim_through"])
    except ReleaseFormatError:
        raise
    except (OSError, EOFError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as error:
        raise ReleaseFormatError(f"not a release: {error}") from error
    return release
