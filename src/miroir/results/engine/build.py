"""Building a release: the roll-ups of a lens and a period → subtree sums → the gate.

``release_build`` reads every leaf roll-up of the lens and period (grouped in SQL, read
as plain tuples), sums each leaf into every unit above it (vectorised), holds the lenses of
people to each unit's release days (``gate.release_days``: a unit's figures move by
nobody or by at least the threshold), then lets the gate decide, over the whole network
at once, what is shown (complementary suppression), and packs it (``engine.release``).

What a release is computed from is read first and cheaply (``release_inputs``,
``release_counted``, the waves' thresholds): ``engine.keep`` and ``engine.share`` decide
with it whether a release they hold is still true.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

import numpy as np
from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from miroir.collect.models import Answer, Response, Wave, WaveStatus, lens_attribute
from miroir.core.replica import read_connection, result_reads
from miroir.results import gate
from miroir.results.engine.release import Packed, Release
from miroir.results.engine.tally import Tally, answer_days, response_days
from miroir.results.engine.tree import Tree
from miroir.results.models import VALUE_FIELDS, Rollup, RollupResponses
from miroir.results.periods import Period

logger = logging.getLogger(__name__)


class WaveFacts(NamedTuple):
    """What a release needs to know of a wave."""

    lens: str
    threshold_scores: int
    threshold_verbatims: int
    is_open: bool
    opens_on: date | None


def waves_read() -> dict[int, WaveFacts]:
    """Return every wave: id → (lens, score and verbatim thresholds, open, opening day)."""
    return {
        pk: WaveFacts(
            lens,
            scores,
            words,
            status == WaveStatus.OPEN,
            timezone.localtime(opens).date() if opens is not None else None,
        )
        for pk, lens, scores, words, status, opens in Wave.objects.values_list(
            "pk", "lens", "threshold_scores", "threshold_verbatims", "status", "opens_at"
        )
    }


def _sums() -> dict[str, Any]:
    return {name: Sum(name) for name in ("n", "dont_know", "total", "total_squares", *VALUE_FIELDS)}


@dataclass(frozen=True)
class Inputs:
    """What a release is computed from, read cheaply before deciding to (re)compute it."""

    key: tuple[Any, ...]  # what must match exactly: lens, period, tree, floors, snapshot
    open_waves: tuple[int, ...]
    as_of: date | None
    lens: str
    period: Period
    segments: bool


@dataclass(frozen=True)
class Counted:
    """The roll-ups' fingerprint for a lens and period, and the thresholds of its waves."""

    data: tuple[Any, ...]  # changes with every response counted
    wave_ids: tuple[int, ...]
    threshold: int
    verbatim_threshold: int


def release_inputs(
    lens: str,
    period: Period,
    segments: bool,
    waves: dict[int, WaveFacts],
    today: date,
    signature: str,
) -> Inputs:
    """Return what must match for a kept release of ``lens`` and ``period`` to be reused.

    ``segments``: with the cells of the lens's attribute; ``signature``: the tree's.
    """
    open_waves: tuple[int, ...] = ()
    if gate.protects_identity(lens):
        open_waves = tuple(
            sorted(
                pk
                for pk, wave in waves.items()
                if wave.lens == lens
                and wave.is_open
                and (wave.opens_on is None or wave.opens_on < period.end)
            )
        )
    as_of = gate.snapshot_day(lens, has_open_wave=bool(open_waves), today=today)
    # The floors from the settings; each wave may raise them (checked against the waves').
    floors = (gate.score_threshold(lens), gate.verbatim_threshold(lens))
    # The lens as plain text: ``Lens.EMPLOYEE`` and "employee" are one release, and the
    # key's text is what the processes share it under (``engine.share``).
    return Inputs(
        key=(str(lens), period, segments, signature, floors, as_of, open_waves),
        open_waves=open_waves,
        as_of=as_of,
        lens=lens,
        period=period,
        segments=segments,
    )


def release_counted(lens: str, period: Period) -> Counted:
    """Return the fingerprint of the roll-ups of ``lens`` in ``period`` (one grouped query).

    Read where the release is read (the replica, when there is one), and before it: a
    release is then computed from data at least as recent as the fingerprint it is kept
    under, so a replica's lag can make a release be recounted sooner, never kept stale.
    """
    with result_reads():
        per_wave = _per_wave(lens, period)
    return Counted(
        data=tuple((row[0], *row[3:]) for row in per_wave),
        wave_ids=tuple(row[0] for row in per_wave),
        threshold=gate.score_threshold(lens, (row[1] for row in per_wave)),
        verbatim_threshold=gate.verbatim_threshold(lens, (row[2] for row in per_wave)),
    )


def _per_wave(lens: str, period: Period) -> list[tuple[Any, ...]]:
    return list(
        RollupResponses.objects.filter(lens=lens, period__in=period.month_starts())
        .values("wave_id", "wave__threshold_scores", "wave__threshold_verbatims")
        .annotate(
            rows=Count("id"),
            counted=Sum("responses"),
            # Weighted sums move when responses change unit or month without changing count.
            by_unit=Sum(F("unit_id") * F("responses")),
            by_month=Sum(F("responses") * ExtractMonth("period")),
            last=Max("id"),
        )
        .order_by("wave_id")
        .values_list(
            "wave_id",
            "wave__threshold_scores",
            "wave__threshold_verbatims",
            "rows",
            "counted",
            "by_unit",
            "by_month",
            "last",
        )
    )


def thresholds_hold(release: Release, waves: dict[int, WaveFacts]) -> bool:
    """Return whether the release's waves still have the thresholds it was gated with."""
    if any(pk not in waves for pk in release.wave_ids):
        return False
    pooled = [waves[pk] for pk in release.wave_ids]
    return (
        gate.score_threshold(release.lens, (wave.threshold_scores for wave in pooled))
        == release.threshold
        and gate.verbatim_threshold(release.lens, (wave.threshold_verbatims for wave in pooled))
        == release.verbatim_threshold
    )


def release_build(
    *, tree: Tree, lens: str, period: Period, segments: bool, inputs: Inputs, counted: Counted
) -> Release:
    """Return the release of ``lens`` and ``period`` computed from the roll-ups, gated.

    Its reads go to the replica when there is one (``core.replica``): a lagging replica
    gives the release of an earlier moment, which the release days make as safe as any.
    """
    with result_reads():
        return _release_build(
            tree=tree, lens=lens, period=period, segments=segments, inputs=inputs, counted=counted
        )


def _release_build(
    *, tree: Tree, lens: str, period: Period, segments: bool, inputs: Inputs, counted: Counted
) -> Release:
    months = period.month_starts()
    rows = Rollup.objects.filter(lens=lens, period__in=months)
    per_unit = RollupResponses.objects.filter(lens=lens, period__in=months)
    release = Release(
        lens=lens,
        period=period,
        attribute=lens_attribute(lens) if segments else "",
        threshold=counted.threshold,
        verbatim_threshold=counted.verbatim_threshold,
        as_of=inputs.as_of,
        computed_at=timezone.now(),
        wave_ids=counted.wave_ids,
    )
    release.checked_at = release.computed_at
    # Grouped in SQL, read as plain tuples (no per-row dict): a release reads every leaf.
    group = ["unit_id", "item_id", "choice", "value" if segments else "attribute"]
    sums = _sums()
    leaves: dict[tuple[int, int, str], Tally] = {}
    grouped = rows.values(*group).annotate(**sums).order_by().values_list(*group, *sums)
    for row in _fetch(grouped):
        unit_id, item_id, choice, value, n, dont_know, total, squares, *values = row
        n = int(n or 0)
        tally = Tally(
            n=n,
            dont_know=int(dont_know or 0),
            total=float(total or 0.0),
            total_squares=float(squares or 0.0),
            values=[int(count or 0) for count in values],
            choices={choice: n} if choice else {},
        )
        key = (unit_id, item_id, value if segments else "")
        known = leaves.get(key)
        if known is None:
            leaves[key] = tally
        else:
            known.add(tally)
    if not gate.protects_identity(lens):
        responses: dict[tuple[int, str], int] = {}
        for row in per_unit.values("unit_id", *(["value"] if segments else [])).annotate(
            count=Sum("responses")
        ):
            where = (row["unit_id"], row["value"] if segments else "")
            responses[where] = responses.get(where, 0) + row["count"]
        totals, cells = _sum_up(tree, release, leaves, responses)
        release.verbatim_responses = dict(release.responses)
        _gate(tree, release, totals, cells, segments)
        return release
    # The release days replace the daily snapshot: nothing after them is shown.
    steps = _steps(tree, release, inputs.as_of)
    totals, cells = _sum_up(tree, release, leaves, {})
    _take_out_after_steps(tree, release, steps, totals, cells)
    # A segment's figure is its unit's respondents of that segment up to the unit's day:
    # shown only when that day is one of the segment's own steps, so that it too moves
    # by nobody or by at least the threshold, and cells stay a partition of their unit.
    unaligned = {
        (unit_id, value)
        for by_cell in cells.values()
        for unit_id, value in by_cell
        if steps.cells.get((unit_id, value)) != steps.totals.get(unit_id)
    }
    _gate(tree, release, totals, cells, segments, unaligned=unaligned)
    return release


@dataclass
class _Steps:
    """Each group's last release day, and its respondents per day (``gate.release_days``)."""

    totals: dict[int, date | None]
    cells: dict[tuple[int, str], date | None]
    verbatims: dict[int, date | None]
    # Each response unit → the earliest day a unit above it (itself included) stops at.
    cuts: dict[int, date]


def _steps(tree: Tree, release: Release, as_of: date | None) -> _Steps:
    """Return the release days of every unit (and unit x segment) of a release.

    Read from the responses' days (one grouped query): each unit's figures hold its
    respondents up to the last day at which at least the threshold of new ones had arrived
    since its previous step (``gate.release_days``), so that two releases of a unit differ
    by nobody or by at least the threshold, whatever days they were made on.
    """
    period, lineage, parents = release.period, tree.lineage, tree.parents
    responses = Response.objects.filter(
        lens=release.lens, submitted_on__gte=period.start, submitted_on__lt=period.end
    )
    if as_of is not None:
        responses = responses.filter(submitted_on__lte=as_of)
    counts: dict[Any, dict[date, int]] = {}
    for unit_id, day, value, number in response_days(responses, lens=release.lens):
        for ancestor in lineage.get(unit_id, ()):
            by_day = counts.setdefault(ancestor, {})
            by_day[day] = by_day.get(day, 0) + number
            if release.attribute and value:
                by_day = counts.setdefault((ancestor, value), {})
                by_day[day] = by_day.get(day, 0) + number
    depth = {pk: len(path) for pk, path in lineage.items()}
    ordered = sorted(
        counts, key=lambda key: (depth[key], 0) if isinstance(key, int) else (depth[key[0]], 1)
    )
    within: dict[Any, tuple[Any, ...]] = {}
    for key in ordered:
        if isinstance(key, int):
            within[key] = () if parents.get(key) is None else (parents[key],)
        else:
            unit_id, value = key
            above = parents.get(unit_id)
            within[key] = (unit_id,) if above is None else (unit_id, (above, value))
    thresholds = (release.threshold, release.verbatim_threshold)
    # The chain of nested steps starts at the settings' threshold: raising a wave's
    # threshold then moves figures only back to earlier steps (``gate.release_days``).
    found = gate.release_days(
        {key: counts[key] for key in ordered},
        within,
        thresholds,
        floor=gate.score_threshold(release.lens),
    )
    days, said = found[release.threshold], found[release.verbatim_threshold]
    totals = {key: day for key, day in days.items() if isinstance(key, int)}
    cells = {key: day for key, day in days.items() if not isinstance(key, int)}
    release.responses = {
        pk: _count_through(counts[pk], day) for pk, day in totals.items() if day is not None
    }
    release.verbatim_responses = {
        pk: _count_through(counts[pk], said[pk]) for pk in totals if said.get(pk) is not None
    }
    release.through = totals
    release.verbatim_through = {pk: said.get(pk) for pk in totals}
    cuts: dict[int, date] = {}
    for unit_id, path in lineage.items():
        known = [day for pk in path if (day := totals.get(pk)) is not None]
        if known:
            cuts[unit_id] = min(known)
    return _Steps(totals, cells, said, cuts)


def _count_through(by_day: dict[date, int], day: date | None) -> int:
    return 0 if day is None else sum(n for when, n in by_day.items() if when <= day)


def _take_out_after_steps(
    tree: Tree,
    release: Release,
    steps: _Steps,
    totals: dict[int, dict[int, Tally]],
    cells: dict[int, dict[tuple[int, str], Tally]],
) -> None:
    """Take out of each unit's sums the answers given after its last release day.

    What lies after a unit's release day is fewer than the threshold per level above it
    (else the unit would have stepped), so this reads few answers however large the
    network; a unit (or segment) that never stepped shows nothing.
    """
    period = release.period
    for by_unit in totals.values():
        for pk in by_unit:
            if steps.totals.get(pk) is None:
                by_unit[pk] = Tally()
    for by_cell in cells.values():
        for key in by_cell:
            if steps.totals.get(key[0]) is None:
                by_cell[key] = Tally()
    wanted: dict[date, list[int]] = {}
    for unit_id, cut in steps.cuts.items():
        wanted.setdefault(cut, []).append(unit_id)
    if not wanted:
        return
    after = Q()
    for cut, units in wanted.items():
        after |= Q(response__unit_id__in=units, response__submitted_on__gt=cut)
    answers = Answer.objects.filter(
        after, response__submitted_on__gte=period.start, response__submitted_on__lt=period.end
    )
    lineage = tree.lineage
    behind = 0
    for row in answer_days(answers, lens=release.lens):
        row = {**row, "choice": row["choice_key"]}
        tally, day, value = Tally.from_row(row), row["day"], row["segment_value"]
        for ancestor in lineage.get(row["unit_key"], ()):
            stop = steps.totals.get(ancestor)
            if stop is None or day <= stop:
                continue
            behind += _take(totals.get(row["item_id"], {}), ancestor, tally)
            if release.attribute and value:
                behind += _take(cells.get(row["item_id"], {}), (ancestor, value), tally)
    if behind:
        logger.warning(
            "%s roll-up cells of the %s lens lack answers stored lately; run rollups_rebuild",
            behind,
            release.lens,
        )


def _take(sums: dict[Any, Tally], key: Any, tally: Tally) -> int:
    """Take ``tally`` out of ``sums[key]``; 1 when the roll-ups did not hold it (then empty)."""
    known = sums.get(key)
    if known is None:
        return 0
    known.add(tally, sign=-1)
    if min(known.n, known.dont_know, *known.values, *known.choices.values()) < 0:
        # The roll-ups do not hold these answers yet (stored outside intake and not
        # rebuilt): nothing of this group can be told.
        sums[key] = Tally()
        return 1
    return 0


def _fetch(queryset: Any) -> list[tuple[Any, ...]]:
    """Return the rows of a ``values_list`` query as the driver gives them.

    Skips Django's per-value converters: a release reads every leaf of the network, and
    the sums it reads are plain numbers (``None`` when empty, which the caller handles).
    """
    sql, params = queryset.query.sql_with_params()
    with read_connection().cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _sum_up(
    tree: Tree,
    release: Release,
    leaves: dict[tuple[int, int, str], Tally],
    responses: dict[tuple[int, str], int],
) -> tuple[dict[int, dict[int, Tally]], dict[int, dict[tuple[int, str], Tally]]]:
    """Return the leaf tallies summed up every unit's path: by unit, and by unit and segment.

    Vectorised: a release sums every leaf of the network into each of its ancestors.
    """
    lineage = tree.lineage
    targets: dict[tuple[int, int, str], int] = {}
    sources: list[int] = []
    into: list[int] = []
    ordered = list(leaves.items())
    choices: dict[int, dict[str, int]] = {}
    totals: dict[int, dict[int, Tally]] = {}
    cells: dict[int, dict[tuple[int, str], Tally]] = {}

    def reach(key: tuple[int, int, str], index: int, chosen: dict[str, int]) -> None:
        slot = targets.get(key)
        if slot is None:
            slot = targets[key] = len(targets)
        sources.append(index)
        into.append(slot)
        if chosen:
            # Choice counts merge here, once per (leaf, ancestor), not in a second pass.
            bucket = choices.setdefault(slot, {})
            for code, count in chosen.items():
                bucket[code] = bucket.get(code, 0) + count

    for index, ((unit_id, item_id, value), tally) in enumerate(ordered):
        segmented = bool(release.attribute and value)
        chosen = tally.choices
        for ancestor in lineage.get(unit_id, ()):
            reach((item_id, ancestor, ""), index, chosen)
            if segmented:
                reach((item_id, ancestor, value), index, chosen)
    if ordered:
        matrix = np.array(
            [[t.n, t.dont_know, t.total, t.total_squares, *t.values] for _key, t in ordered],
            dtype=float,
        )
        sums = np.zeros((len(targets), matrix.shape[1]))
        np.add.at(sums, np.array(into, dtype=np.intp), matrix[np.array(sources, dtype=np.intp)])
        whole = np.rint(np.delete(sums, [2, 3], axis=1)).astype(np.int64).tolist()
        real = sums[:, 2:4].tolist()
        for (item_id, unit_id, value), slot in targets.items():
            counts = whole[slot]
            tally = Tally(
                n=counts[0],
                dont_know=counts[1],
                total=real[slot][0],
                total_squares=real[slot][1],
                values=counts[2:],
                choices=choices.get(slot, {}),
            )
            if value:
                cells.setdefault(item_id, {})[(unit_id, value)] = tally
            else:
                totals.setdefault(item_id, {})[unit_id] = tally
    for (unit_id, _value), count in responses.items():
        for ancestor in lineage.get(unit_id, ()):
            release.responses[ancestor] = release.responses.get(ancestor, 0) + count
    return totals, cells


def _gate(
    tree: Tree,
    release: Release,
    totals: dict[int, dict[int, Tally]],
    cells: dict[int, dict[tuple[int, str], Tally]],
    segments: bool,
    *,
    unaligned: set[tuple[int, str]] | frozenset[tuple[int, str]] = frozenset(),
) -> None:
    """Decide what the release shows, then pack it (the gate sees every unit at once).

    ``unaligned`` are unit x segment cells hidden whatever their count (their segment did
    not step on their unit's release day).
    """
    parents = tree.parents
    if segments and release.attribute:
        found = sorted({value for by_cell in cells.values() for _unit, value in by_cell})
        release.values = {value: index for index, value in enumerate(found, start=1)}
    span = len(release.values) + 1
    for item_id, by_unit in totals.items():
        family = {unit: parents[unit] for unit in by_unit}
        counts = {unit: tally.n for unit, tally in by_unit.items()}
        if segments and release.attribute:
            by_cell = cells.get(item_id, {})
            crossed = {key: tally.n for key, tally in by_cell.items()}
            shown, shown_cells = gate.release_crossed(
                family, counts, crossed, release.threshold, hidden=unaligned
            )
            release.cells[item_id] = Packed(
                {unit * span + release.values[value]: t for (unit, value), t in by_cell.items()},
                (unit * span + release.values[value] for unit, value in shown_cells),
            )
        else:
            shown = gate.release_tree(family, counts, release.threshold)
        release.totals[item_id] = Packed(by_unit, shown)
    family = {unit: parents[unit] for unit in release.responses}
    release.visible_responses = gate.release_tree(family, release.responses, release.threshold)
