"""Reads of the results: gated figures for units, lenses, subjects and periods.

PUBLIC INTERFACE (stable; pages, exports, charts, board and digest build on it)
==============================================================================
Every function returns frozen dataclasses of ``miroir.results.figures``; every number
in them has passed ``miroir.results.gate``. A hidden figure has ``suppressed=True`` and
``n``, ``dont_know``, ``statistics`` and ``distribution`` empty/None, whatever its base.
``today`` (default: the local date) fixes the daily snapshot of open waves. Periods
are ``periods.Period`` at the release grain (``periods.period_of``, ``period_parse``).

Several selectors for one page may share one reading of the data:
    with results_session(today=None): ...                 # optional, per request

Access (scoped like ``org``: a manager sees their subtree, direction and
administrators everything; employees and partners see only what was published to them, below):
    results_can_view(scope) -> bool
    access_results(scope, unit_id) -> Unit               # 404 outside scope, 403 no results rights
    results_periods(*, lens=None) -> list[Period]        # periods holding responses, oldest first
    results_subjects(*, lens, period, kind="item") -> list[Subject]

Figures (``subject``: "item" | "dimension" | "mirror"; ``segment``: None or
(attribute, value), e.g. ("contract_type", "permanent"); ``levels``: how many levels
below ``unit`` to include, 0 for the unit alone, None for its whole subtree):
    unit_results(*, unit, lens, period, subject="item", segment=None, levels=1,
                 today=None, with_change=True) -> Results
    unit_trend(*, unit, lens, periods, subject="item", today=None) -> list[Results]
    segment_results(*, unit, lens, period, subject="item", today=None) -> Results
        # one figure per segment value of the lens's attribute (Figure.segment set)

The three comparisons and the index:
    experience_symmetry(*, unit, period, today=None) -> list[MirrorSymmetry]
    perception_gaps(*, unit, period, versus="employee", today=None) -> list[PerceptionGap]
    listening_symmetry(*, unit, period, today=None) -> ListeningSymmetry
    barometer_headline(*, unit, period, today=None) -> BarometerHeadline
    unit_symmetry(*, unit, period, today=None) -> UnitSymmetry
    network_symmetry(*, unit, period, levels=1, today=None) -> list[UnitSymmetry]

Linkage across the units of one kind (default shops) under ``unit``:
    unit_linkage(*, unit, period, level="shop", periods=4, today=None) -> Linkage

Verbatims (free-text answers; always through ``gate.verbatims``):
    unit_verbatims(*, unit, lens, period, item=None, today=None) -> gate.VerbatimRelease

Statistic codes: ``mean`` (scale points), ``score`` (0-100), ``top_box``, ``top2_box``,
``csat`` (csat5 only), ``nps`` (nps only), each with ``low``/``high`` (95 %) and
``change`` (vs the previous period: value, interval, ``significant``, ``p_value``).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth, Length
from django.http import Http404
from django.utils import timezone, translation

from miroir.analytics import estimates, linkage, multiplicity, reliability
from miroir.analytics.estimates import EstimateError
from miroir.analytics.linkage import LinkageError
from miroir.analytics.reliability import ReliabilityError
from miroir.analytics.symmetry import symmetry_index
from miroir.collect.models import Answer, Invitation, Response, Wave, WaveStatus
from miroir.instruments.models import Item, Mirror
from miroir.instruments.scales import SCALES, NpsScale, PointScale, Scale
from miroir.org.models import (
    ContractType,
    Lens,
    Member,
    Proximity,
    Role,
    RoleKind,
    Unit,
    UnitKind,
)
from miroir.org.selectors import Scope, access_unit
from miroir.results import gate, releases, services
from miroir.results.figures import (
    BarometerHeadline,
    Change,
    Figure,
    Gap,
    LensListening,
    Linkage,
    ListeningSymmetry,
    MirrorSymmetry,
    PerceptionGap,
    PublishedResults,
    Results,
    Statistic,
    Subject,
    UnitFlag,
    UnitRef,
    UnitSymmetry,
)
from miroir.results.listening import (
    VoiceListening,
    voice_listening,
    voice_listening_every_unit,
)
from miroir.results.models import (
    VALUE_FIELDS,
    Publication,
    Rollup,
    RollupResponses,
    SharedRelease,
)
from miroir.results.periods import Period, PeriodError, period_of, period_parse, release_grain
from miroir.results.reasons import reason_code
from miroir.results.releases import Packed, Release, ReleaseFormatError, release_bytes, release_read
from miroir.results.respondents import RespondentSums, respondent_sums
from miroir.results.services import Tally, lens_attribute

logger = logging.getLogger(__name__)

BAROMETER_FAMILY = "barometre-service"
BAROMETER_SUGGESTIONS = "suggestions"
BAROMETER_COMPLAINTS = "reclamations"
INDEX_CODE = "_index"

# -- access ---------------------------------------------------------------------------------


def results_can_view(scope: Scope) -> bool:
    """Return whether the scope may read results at all (managers, direction, administrators)."""
    return scope.can_browse


def access_results(scope: Scope, unit_id: Any) -> Unit:
    """Return the unit whose results the scope may read; 403 without rights, 404 outside scope.

    Also makes the scope's member the reader of what follows (``results_reader``): the
    groups they belong to are shown to them only above the threshold.
    """
    if not results_can_view(scope):
        raise PermissionDenied("Results are for managers and the direction")
    unit = access_unit(scope, unit_id)
    results_reader(scope)
    return unit


# -- the reader ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Reader:
    """A member reading results: where they are counted, by which lens and segment value."""

    unit_id: int
    lens: str
    values: tuple[tuple[str, str], ...]  # (attribute, value) their answers would carry


_reader: ContextVar[_Reader | None] = ContextVar("results_reader", default=None)


def results_reader(scope: Scope | None) -> None:
    """Make the scope's member the reader of the figures read next in this request.

    A member counted in a group's employee or partner results (their unit or a unit
    above it, their lens by contract) could subtract their own answers from its figures:
    those groups are shown to them only above the threshold (``gate.hidden_from_member``).
    Called by ``access_results`` and ``access_publication``; reset when a request starts.
    """
    member = None
    if scope is not None and scope.member_id is not None:
        member = (
            Member.objects.filter(pk=scope.member_id, unit__isnull=False)
            .values_list("unit_id", "contract_type", "proximity")
            .first()
        )
    if member is None:
        _reader.set(None)
        return
    unit_id, contract, proximity = member
    lens = Lens.PARTNER if contract == ContractType.PARTNER else Lens.EMPLOYEE
    values = (("contract_type", contract or ""), ("proximity", proximity or ""))
    _reader.set(_Reader(unit_id, lens, values))


def results_reader_forget(**kwargs: Any) -> None:
    """Forget the reader (connected to ``request_started``: one request's reader only)."""
    _reader.set(None)


def _reader_view(ctx: _Context, release: Release, reader: _Reader) -> Release:
    """Return the release as ``reader`` may see it: groups holding them above the threshold.

    The same release when nothing changes for them; otherwise a copy with more hidden,
    kept with the release for every reader counted at the same place.
    """
    key = ("reader", reader)
    kept = release.figures.get(key)
    if kept is not None:
        return kept
    lineage = tuple(reversed(ctx.tree.lineage.get(reader.unit_id, ())))
    children, threshold = ctx.tree.children, release.threshold
    totals: dict[int, Packed] = {}
    hidden_units: dict[int, set[int]] = {}
    for item_id, packed in release.totals.items():
        hide = gate.hidden_from_member(children, lineage, packed.count, packed.visible, threshold)
        if hide:
            totals[item_id] = packed.hiding(hide)
            hidden_units[item_id] = hide
    cells: dict[int, Packed] = {}
    if release.attribute and release.values:
        span = len(release.values) + 1
        own = dict(reader.values).get(release.attribute, "")
        index = release.values.get(own)
        for item_id, packed in release.cells.items():
            if index is None:
                # Their answers carry no segment shown: they are in what segments leave out.
                hide = set(lineage)
            else:
                hide = gate.hidden_from_member(
                    children,
                    lineage,
                    lambda unit, at=index, p=packed: p.count(unit * span + at),
                    lambda unit, at=index, p=packed: p.visible(unit * span + at),
                    threshold,
                )
            # With one of a unit's segments hidden, its others would give it by difference.
            hide |= hidden_units.get(item_id, set())
            if hide:
                cells[item_id] = packed.hiding(
                    unit * span + at for unit in hide for at in release.values.values()
                )
    if not totals and not cells:
        view = release
    else:
        view = replace(
            release,
            totals={**release.totals, **totals},
            cells={**release.cells, **cells},
            serial=next(releases._SERIALS),
            figures={},
        )
    release.figures[key] = view
    return view


# -- the tree -------------------------------------------------------------------------------


@dataclass
class _Tree:
    refs: dict[int, UnitRef]
    parents: dict[int, int | None]
    lineage: dict[int, tuple[int, ...]]
    paths: dict[int, str]
    # Changes whenever a unit is added, removed or moved: kept releases follow the tree.
    # A digest, the same in every process (shared releases are found by it).
    signature: str = ""
    children: dict[int, list[int]] = field(default_factory=dict)
    # How many units each unit's subtree holds, itself included.
    sizes: dict[int, int] = field(default_factory=dict)

    def descendants(self, unit: Unit, levels: int | None) -> list[UnitRef]:
        """Return the unit and its subtree down ``levels`` levels (None: all), in path order."""
        if unit.pk not in self.refs:
            return []
        found, stack = [], [(unit.pk, 0)]
        while stack:
            pk, depth = stack.pop()
            found.append(self.refs[pk])
            if levels is None or depth < levels:
                stack.extend((child, depth + 1) for child in self.children.get(pk, ()))
        return sorted(found, key=lambda ref: self.paths[ref.id])


def _read_tree() -> _Tree:
    refs, parents, lineage, paths, children = {}, {}, {}, {}, {}
    for pk, parent, path, depth, name, kind in Unit.objects.values_list(
        "pk", "parent_id", "path", "depth", "name", "kind"
    ):
        refs[pk] = UnitRef(pk, name, kind, depth, parent)
        parents[pk] = parent
        paths[pk] = path
        lineage[pk] = tuple(int(part) for part in path.strip("/").split("/") if part)
        if parent is not None:
            children.setdefault(parent, []).append(pk)
    signature = hashlib.sha256(repr(sorted(paths.items())).encode()).hexdigest()
    sizes: dict[int, int] = {}
    for path in lineage.values():
        for ancestor in path:
            sizes[ancestor] = sizes.get(ancestor, 0) + 1
    return _Tree(refs, parents, lineage, paths, signature, children, sizes)


# The tree this process read last, with the fingerprint of the units table it was read at.
_TREE: list[tuple[tuple[Any, ...], _Tree]] = []


def _tree() -> _Tree:
    """Return the organisation's tree, read again only when the units table changed."""
    fingerprint = tuple(
        Unit.objects.aggregate(
            count=Count("pk"),
            last=Max("pk"),
            changed=Max("updated_at"),
            depths=Sum("depth"),
            paths=Sum(Length("path")),
        ).values()
    )
    with _RELEASES_LOCK:
        if _TREE and _TREE[0][0] == fingerprint:
            return _TREE[0][1]
    tree = _read_tree()
    with _RELEASES_LOCK:
        _TREE[:] = [(fingerprint, tree)]
    return tree


# -- one release: every figure of a lens and a period, gated over the whole network --------


def _sums() -> dict[str, Any]:
    return {name: Sum(name) for name in ("n", "dont_know", "total", "total_squares", *VALUE_FIELDS)}


@dataclass(frozen=True)
class _Inputs:
    """What a release is computed from, read cheaply before deciding to (re)compute it."""

    key: tuple[Any, ...]  # what must match exactly: lens, period, tree, floors, snapshot
    open_waves: tuple[int, ...]
    as_of: date | None


@dataclass(frozen=True)
class _Counted:
    """The roll-ups' fingerprint for a lens and period, and the thresholds of its waves."""

    data: tuple[Any, ...]  # changes with every response counted
    wave_ids: tuple[int, ...]
    threshold: int
    verbatim_threshold: int


# Releases kept by this process: key → (data fingerprint, release). Bounded, least recently
# used first out; a release of 2,000 shops weighs a few megabytes.
_RELEASES: OrderedDict[tuple[Any, ...], tuple[tuple[Any, ...], Release]] = OrderedDict()
_RELEASES_LOCK = threading.Lock()


def releases_forget() -> None:
    """Drop every release this process keeps (tests; after restoring a backup)."""
    with _RELEASES_LOCK:
        _RELEASES.clear()
        _TREE.clear()
        _NETWORK_READS.clear()
        _LINKAGES.clear()


# Network-wide listening reads (people, invitations, voices) kept by this process:
# key → (when read, value); reused for MIROIR_RESULTS_REFRESH_SECONDS, like releases.
_NETWORK_READS: dict[tuple[Any, ...], tuple[float, Any]] = {}


def _network_read(key: tuple[Any, ...], read: Callable[[], Any]) -> Any:
    """Return ``read()``, or what it returned less than the refresh time ago."""
    refresh = float(getattr(settings, "MIROIR_RESULTS_REFRESH_SECONDS", 60))
    now = time.monotonic()
    with _RELEASES_LOCK:
        kept = _NETWORK_READS.get(key)
    if kept is not None and 0 <= now - kept[0] < refresh:
        return kept[1]
    value = read()
    with _RELEASES_LOCK:
        if len(_NETWORK_READS) > 256:  # old periods and trees: start afresh
            _NETWORK_READS.clear()
        _NETWORK_READS[key] = (now, value)
    return value


# Up to this many units, none with a subtree larger than the second figure, a page's
# listening figures are read unit by unit (small indexed queries); beyond, for all at once.
_FEW_UNITS = 8
_LARGE_SUBTREE = 64
# A subtree this small is queried by its units' ids rather than by path.
_FEW_UNITS_LISTED = 200


def _people(unit: Unit, lens: str) -> int:
    """Return how many people of the unit's subtree speak through ``lens`` (one small query)."""
    if lens == Lens.MANAGEMENT:
        managers = Role.objects.filter(kind=RoleKind.MANAGER, unit__path__startswith=unit.path)
        return managers.values("member_id").distinct().count()
    members = Member.objects.filter(unit__path__startswith=unit.path, is_active=True)
    partners = Q(contract_type=ContractType.PARTNER)
    return members.filter(partners if lens == Lens.PARTNER else ~partners).count()


class _Context:
    """What one request reads once: the tree, the items, and each release."""

    def __init__(self, today: date | None) -> None:
        self.today = today or timezone.localdate()
        self.tree = _tree()
        self._releases: dict[tuple[str, Period, bool], Release] = {}
        self._items: dict[int, Item] = {}
        self.mirrors: dict[Period, dict[int, tuple[Mirror, dict[str, Item]]]] = {}
        self._people: dict[str, dict[int, int]] | None = None
        self._invited: dict[Period, dict[tuple[int, str], int]] = {}
        self._invited_shown: dict[tuple[Period, str, int], frozenset[int]] = {}
        self._voices: dict[tuple[str, Period], Any] = {}
        self._units_asked: set[int] = set()
        self._waves: dict[int, tuple[str, int, int, bool, date | None]] | None = None

    def waves(self) -> dict[int, tuple[str, int, int, bool, date | None]]:
        """Return every wave: id → (lens, score and verbatim thresholds, open, opening day)."""
        if self._waves is None:
            self._waves = {
                pk: (
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
        return self._waves

    def subtree_sums(self, counts: Iterable[tuple[int, Any, int]]) -> dict[tuple[int, Any], int]:
        """Return (unit, key) → count summed over each unit's subtree, from leaf counts."""
        found: dict[tuple[int, Any], int] = {}
        for unit_id, key, count in counts:
            for ancestor in self.tree.lineage.get(unit_id, ()):
                found[(ancestor, key)] = found.get((ancestor, key), 0) + count
        return found

    def many(self, unit: Unit) -> bool:
        """Return whether this page asks about so many units that reading for all pays.

        A unit page asks about a handful (a few indexed queries each); a network page about
        dozens or hundreds, where one read of the whole organisation is cheaper.
        """
        self._units_asked.add(unit.pk)
        large = self.tree.sizes.get(unit.pk, 0) > _LARGE_SUBTREE
        return large or len(self._units_asked) > _FEW_UNITS

    def people(self, unit: Unit, lens: str) -> int | None:
        """Return how many people of the unit's subtree speak through ``lens`` (None: customers)."""
        if lens not in (Lens.EMPLOYEE, Lens.PARTNER, Lens.MANAGEMENT):
            return None
        if self._people is None and not self.many(unit):
            return _people(unit, lens)
        if self._people is None:
            self._people = _network_read(("people", self.tree.signature), self._read_people)
        return self._people[lens].get(unit.pk, 0)

    def _read_people(self) -> dict[str, dict[int, int]]:
        # One pass over the organisation for the whole page, not three counts per unit.
        members = Member.objects.filter(is_active=True).values_list("unit_id", "contract_type")
        managers = (
            Role.objects.filter(kind=RoleKind.MANAGER, unit__isnull=False)
            .values_list("unit_id", "member_id")
            .distinct()
        )
        leaves: dict[tuple[int, str], int] = {}
        for unit_id, contract in members:
            lens_of = Lens.PARTNER if contract == ContractType.PARTNER else Lens.EMPLOYEE
            leaves[(unit_id, lens_of)] = leaves.get((unit_id, lens_of), 0) + 1
        sums = self.subtree_sums((pk, side, n) for (pk, side), n in leaves.items())
        # A manager counts once per subtree however many roles they hold in it.
        held: dict[int, set[int]] = {}
        for unit_id, member in managers:
            for ancestor in self.tree.lineage.get(unit_id, ()):
                held.setdefault(ancestor, set()).add(member)
        return {
            Lens.EMPLOYEE: {u: n for (u, key), n in sums.items() if key == Lens.EMPLOYEE},
            Lens.PARTNER: {u: n for (u, key), n in sums.items() if key == Lens.PARTNER},
            Lens.MANAGEMENT: {u: len(found) for u, found in held.items()},
        }

    def voices(self, unit: Unit, lens: str, period: Period) -> VoiceListening | None:
        """Return the voice figures of ``unit``'s subtree, read for every unit at once."""
        key = (lens, period)
        if key not in self._voices and not self.many(unit):
            return voice_listening(unit=unit, lens=lens, start=period.start, end=period.end)
        if key not in self._voices:
            self._voices[key] = _network_read(
                ("voices", lens, period, self.tree.signature),
                lambda: voice_listening_every_unit(
                    lens=lens, start=period.start, end=period.end, lineage=self.tree.lineage
                ),
            )
        look_up = self._voices[key]
        if look_up is None:
            return voice_listening(unit=unit, lens=lens, start=period.start, end=period.end)
        return look_up(unit)

    def invited(self, unit: Unit, period: Period) -> dict[str, int]:
        """Return invitations sent in ``period`` to the unit's subtree, by lens."""
        sent = Invitation.objects.filter(
            sent_at__isnull=False, sent_at__date__gte=period.start, sent_at__date__lt=period.end
        )
        if period not in self._invited and not self.many(unit):
            return dict(
                sent.filter(unit__path__startswith=unit.path)
                .values_list("wave__lens")
                .annotate(count=Count("id"))
                .order_by()
            )
        found = self.invited_network(period)
        return {lens: found.get((unit.pk, lens), 0) for lens in Lens.values}

    def invited_network(self, period: Period) -> dict[tuple[int, str], int]:
        """Return invitations sent in ``period`` to each unit's subtree, by (unit id, lens)."""
        if period not in self._invited:
            rows = (
                Invitation.objects.filter(
                    sent_at__isnull=False,
                    sent_at__date__gte=period.start,
                    sent_at__date__lt=period.end,
                )
                .values_list("unit_id", "wave__lens")
                .annotate(count=Count("id"))
                .order_by()
            )
            self._invited[period] = _network_read(
                ("invited", period, self.tree.signature), lambda: self.subtree_sums(rows)
            )
        return self._invited[period]

    def invited_shown(self, unit: Unit, lens: str, period: Period, threshold: int) -> bool:
        """Return whether the unit's count of invitations of ``lens`` may be shown.

        The organisation's lenses go through the same complementary suppression as their
        responses (``gate.release_tree`` over the whole network, the release's threshold),
        so that no difference of invitation counts isolates a group under the threshold.
        """
        if not gate.protects_identity(lens):
            return True
        key = (period, lens, threshold)
        if key not in self._invited_shown:
            found = self.invited_network(period)
            parents = self.tree.parents
            counts = {unit_id: found.get((unit_id, lens), 0) for unit_id in parents}
            self._invited_shown[key] = gate.release_tree(parents, counts, threshold)
        return unit.pk in self._invited_shown[key]

    def items(self, ids: Iterable[int]) -> dict[int, Item]:
        missing = [pk for pk in ids if pk not in self._items]
        if missing:
            for item in Item.objects.filter(pk__in=missing).select_related("mirror"):
                self._items[item.pk] = item
        return self._items

    def release(self, lens: str, period: Period, *, segments: bool = False) -> Release:
        key = (lens, period, segments)
        if key not in self._releases:
            self._releases[key] = _kept_release(self, lens, period, segments=segments)
        release = self._releases[key]
        reader = _reader.get()
        if reader is not None and reader.lens == lens and gate.protects_identity(lens):
            return _reader_view(self, release, reader)
        return release


_session: ContextVar[_Context | None] = ContextVar("results_session", default=None)


def _context(today: date | None) -> _Context:
    """Return the session's context when one is open for the same day, else a fresh one."""
    current = _session.get()
    if current is not None and (today is None or today == current.today):
        return current
    return _Context(today)


@contextmanager
def results_session(*, today: date | None = None) -> Iterator[None]:
    """Share one reading of the tree and of each release between the selectors called inside.

    A page that shows several comparisons for one period opens one session around its
    selector calls, so each lens and period is looked up once.
    """
    token = _session.set(_Context(today))
    try:
        yield
    finally:
        _session.reset(token)


def _inputs(ctx: _Context, lens: str, period: Period, segments: bool) -> _Inputs:
    """Return what must match for a kept release of ``lens`` and ``period`` to be reused."""
    open_waves: tuple[int, ...] = ()
    if gate.protects_identity(lens):
        open_waves = tuple(
            sorted(
                pk
                for pk, (wave_lens, _s, _v, is_open, opens) in ctx.waves().items()
                if wave_lens == lens and is_open and (opens is None or opens < period.end)
            )
        )
    as_of = gate.snapshot_day(lens, has_open_wave=bool(open_waves), today=ctx.today)
    # The floors from the settings; each wave may raise them (checked against the waves').
    floors = (gate.score_threshold(lens), gate.verbatim_threshold(lens))
    return _Inputs(
        key=(lens, period, segments, ctx.tree.signature, floors, as_of, open_waves),
        open_waves=open_waves,
        as_of=as_of,
    )


def _counted(lens: str, period: Period) -> _Counted:
    """Return the fingerprint of the roll-ups of ``lens`` in ``period`` (one grouped query)."""
    per_wave = list(
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
    return _Counted(
        data=tuple((row[0], *row[3:]) for row in per_wave),
        wave_ids=tuple(row[0] for row in per_wave),
        threshold=gate.score_threshold(lens, (row[1] for row in per_wave)),
        verbatim_threshold=gate.verbatim_threshold(lens, (row[2] for row in per_wave)),
    )


def _thresholds_hold(ctx: _Context, release: Release) -> bool:
    """Return whether the kept release's waves still have the thresholds it was gated with."""
    waves = ctx.waves()
    if any(pk not in waves for pk in release.wave_ids):
        return False
    pooled = [waves[pk] for pk in release.wave_ids]
    return (
        gate.score_threshold(release.lens, (wave[1] for wave in pooled)) == release.threshold
        and gate.verbatim_threshold(release.lens, (wave[2] for wave in pooled))
        == release.verbatim_threshold
    )


def _kept_release(ctx: _Context, lens: str, period: Period, *, segments: bool) -> Release:
    """Return the release, reusing the one this process keeps while it is still true.

    A kept release is reused when nothing it was computed from has changed. When only
    responses may have been added since, it is reused without looking for
    ``MIROIR_RESULTS_REFRESH_SECONDS`` after it was last found current (figures a minute
    old rather than a recount per page under steady intake); then, if the roll-ups did
    change, it is recounted in the background (``MIROIR_RESULTS_RECOUNT_IN_BACKGROUND``)
    while the kept one is still served, or at once. Anything else (the tree, a threshold,
    the daily snapshot, an opened or closed wave) recomputes it at once.
    """
    inputs = _inputs(ctx, lens, period, segments)
    refresh = float(getattr(settings, "MIROIR_RESULTS_REFRESH_SECONDS", 60))
    now = timezone.now()
    with _RELEASES_LOCK:
        kept = _RELEASES.get(inputs.key)
        if kept is not None:
            _RELEASES.move_to_end(inputs.key)
    if kept is not None and _thresholds_hold(ctx, kept[1]):
        data, release = kept
        if 0 <= (now - release.checked_at).total_seconds() < refresh:
            return release
        counted = _counted(lens, period)
        if counted.data == data:
            release.checked_at = now
            return release
        if getattr(settings, "MIROIR_RESULTS_RECOUNT_IN_BACKGROUND", False) and refresh > 0:
            # Served as it is for one more refresh time, while a thread recounts it.
            release.checked_at = now
            _recount_later(inputs.key, lens, period, segments, ctx.today)
            return release
    else:
        counted = _counted(lens, period)
    release, data = _shared_release(
        ctx, lens, period, segments=segments, inputs=inputs, counted=counted
    )
    _keep(inputs.key, data, release)
    return release


def _keep(key: tuple[Any, ...], data: tuple[Any, ...], release: Release) -> None:
    limit = max(1, int(getattr(settings, "MIROIR_RESULTS_KEPT_RELEASES", 32)))
    with _RELEASES_LOCK:
        _RELEASES[key] = (data, release)
        _RELEASES.move_to_end(key)
        while len(_RELEASES) > limit:
            _RELEASES.popitem(last=False)


_RECOUNTING: set[tuple[Any, ...]] = set()


def _recount_later(
    key: tuple[Any, ...], lens: str, period: Period, segments: bool, today: date
) -> None:
    """Recount a kept release in a thread of its own (one at a time per release)."""
    with _RELEASES_LOCK:
        if key in _RECOUNTING:
            return
        _RECOUNTING.add(key)
    thread = threading.Thread(
        target=_recount,
        args=(key, lens, period, segments, today),
        name=f"miroir-recount-{lens}-{period.label}",
        daemon=True,
    )
    thread.start()


def _recount(key: tuple[Any, ...], lens: str, period: Period, segments: bool, today: date) -> None:
    try:
        ctx = _Context(today)
        inputs = _inputs(ctx, lens, period, segments)
        if inputs.key == key:  # otherwise the next request recomputes it under its new key
            counted = _counted(lens, period)
            release, data = _shared_release(
                ctx, lens, period, segments=segments, inputs=inputs, counted=counted
            )
            _keep(key, data, release)
    except Exception:  # the kept release stays served; the next refresh tries again
        logger.exception("Could not recount the %s results of %s", lens, period.label)
    finally:
        with _RELEASES_LOCK:
            _RECOUNTING.discard(key)
        connection.close()


# -- releases shared by the server's processes ----------------------------------------------

# Advisory lock class of shared releases (PostgreSQL): one process counts, the others wait.
_SHARED_LOCK_CLASS = 0x4D52


@functools.cache
def _code_digest() -> str:
    """Return a digest of the code that computes releases: a changed rule never reads old ones."""
    digest = hashlib.sha256()
    for module in (gate, releases, services, sys.modules[__name__]):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


def _shared_keys(inputs: _Inputs, counted: _Counted) -> tuple[str, str]:
    """Return the slot and data digests of a release (see ``models.SharedRelease``)."""
    slot = hashlib.sha256(f"{_code_digest()}|{inputs.key!r}".encode()).hexdigest()
    data = hashlib.sha256(
        repr(
            (counted.data, counted.wave_ids, counted.threshold, counted.verbatim_threshold)
        ).encode()
    ).hexdigest()
    return slot, data


def _stored_release(
    ctx: _Context, slot: str, data: str, counted: _Counted
) -> tuple[Release, tuple[Any, ...]] | None:
    """Return a release another process stored under ``slot``, with the data it stands for.

    Taken when it was counted from the same roll-ups (``data``), or, under intake, when it
    was counted less than ``MIROIR_RESULTS_REFRESH_SECONDS`` ago with the thresholds that
    hold now: the same freshness this process grants its own kept releases, so that the
    processes do not all recount what one of them just counted. The data returned is
    ``counted.data`` for the former and a marker that matches no reading for the latter,
    so that the next look after the refresh time counts again or finds a newer one.
    """
    refresh = float(getattr(settings, "MIROIR_RESULTS_REFRESH_SECONDS", 60))
    now = timezone.now()
    matching = Q(data=data)
    if refresh > 0:
        matching |= Q(computed_at__gte=now - timedelta(seconds=refresh))
    row = (
        SharedRelease.objects.filter(matching, slot=slot)
        .values_list("data", "payload", "used_at")
        .first()
    )
    if row is None:
        return None
    stored_data, payload, used_at = row
    try:
        release = release_read(bytes(payload))
    except ReleaseFormatError as error:
        logger.warning("A shared release could not be read (%s); counting it again", error)
        return None
    exact = stored_data == data
    if not exact and not _thresholds_hold(ctx, release):
        return None
    release.checked_at = now
    if now - used_at > _SHARED_TOUCH:
        SharedRelease.objects.filter(slot=slot).update(used_at=now)
    return release, (counted.data if exact else ("shared", stored_data))


# A shared release is marked as used at most this often; rows unused for _SHARED_KEPT go.
_SHARED_TOUCH = timedelta(hours=1)
_SHARED_KEPT = timedelta(days=7)


def _store_release(slot: str, data: str, release: Release) -> None:
    now = timezone.now()
    try:
        with transaction.atomic():
            SharedRelease.objects.update_or_create(
                slot=slot,
                defaults={
                    "data": data,
                    "payload": release_bytes(release),
                    "computed_at": release.computed_at or now,
                    "used_at": now,
                },
            )
            SharedRelease.objects.filter(used_at__lt=now - _SHARED_KEPT).delete()
    except DatabaseError:
        # A read-only database, or another process storing the same slot at once: this
        # process keeps its own copy; the next one counts it again.
        logger.warning("Could not share the %s results of %s", release.lens, release.period.label)


def _shared_release(
    ctx: _Context, lens: str, period: Period, *, segments: bool, inputs: _Inputs, counted: _Counted
) -> tuple[Release, tuple[Any, ...]]:
    """Return a release another process computed (see ``_stored_release``), or compute and
    share it; with the roll-ups' fingerprint it stands for.

    On PostgreSQL, processes wanting the same release wait for the one counting it (an
    advisory lock per slot) rather than all counting it at once after a restart.
    """
    slot, data = _shared_keys(inputs, counted)
    found = _stored_release(ctx, slot, data, counted)
    if found is not None:
        return found
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)",
                    [_SHARED_LOCK_CLASS, int(slot[:7], 16)],
                )
            found = _stored_release(ctx, slot, data, counted)
            if found is not None:
                return found
        release = _build_release(
            ctx, lens, period, segments=segments, inputs=inputs, counted=counted
        )
        _store_release(slot, data, release)
    return release, counted.data


def _build_release(
    ctx: _Context, lens: str, period: Period, *, segments: bool, inputs: _Inputs, counted: _Counted
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
            key = (row["unit_id"], row["value"] if segments else "")
            responses[key] = responses.get(key, 0) + row["count"]
        totals, cells = _sum_up(ctx, release, leaves, responses)
        release.verbatim_responses = dict(release.responses)
        _gate(ctx, release, totals, cells, segments)
        return release
    # The release days replace the daily snapshot: nothing after them is shown.
    steps = _steps(ctx, release, inputs.as_of)
    totals, cells = _sum_up(ctx, release, leaves, {})
    _take_out_after_steps(ctx, release, steps, totals, cells)
    # A segment's figure is its unit's respondents of that segment up to the unit's day:
    # shown only when that day is one of the segment's own steps, so that it too moves
    # by nobody or by at least the threshold, and cells stay a partition of their unit.
    unaligned = {
        (unit_id, value)
        for by_cell in cells.values()
        for unit_id, value in by_cell
        if steps.cells.get((unit_id, value)) != steps.totals.get(unit_id)
    }
    _gate(ctx, release, totals, cells, segments, unaligned=unaligned)
    return release


@dataclass
class _Steps:
    """Each group's last release day, and its respondents per day (``gate.release_days``)."""

    totals: dict[int, date | None]
    cells: dict[tuple[int, str], date | None]
    verbatims: dict[int, date | None]
    # Each response unit → the earliest day a unit above it (itself included) stops at.
    cuts: dict[int, date]


def _steps(ctx: _Context, release: Release, as_of: date | None) -> _Steps:
    """Return the release days of every unit (and unit x segment) of a release.

    Read from the responses' days (one grouped query): each unit's figures hold its
    respondents up to the last day at which at least the threshold of new ones had arrived
    since its previous step (``gate.release_days``), so that two releases of a unit differ
    by nobody or by at least the threshold, whatever days they were made on.
    """
    period, lineage, parents = release.period, ctx.tree.lineage, ctx.tree.parents
    responses = Response.objects.filter(
        lens=release.lens, submitted_on__gte=period.start, submitted_on__lt=period.end
    )
    if as_of is not None:
        responses = responses.filter(submitted_on__lte=as_of)
    counts: dict[Any, dict[date, int]] = {}
    for unit_id, day, value, number in services.response_days(responses, lens=release.lens):
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
        known = [totals[pk] for pk in path if totals.get(pk) is not None]
        if known:
            cuts[unit_id] = min(known)
    return _Steps(totals, cells, said, cuts)


def _count_through(by_day: dict[date, int], day: date | None) -> int:
    return 0 if day is None else sum(n for when, n in by_day.items() if when <= day)


def _take_out_after_steps(
    ctx: _Context,
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
    lineage = ctx.tree.lineage
    behind = 0
    for row in services.answer_days(answers, lens=release.lens):
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
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _sum_up(
    ctx: _Context,
    release: Release,
    leaves: dict[tuple[int, int, str], Tally],
    responses: dict[tuple[int, str], int],
) -> tuple[dict[int, dict[int, Tally]], dict[int, dict[tuple[int, str], Tally]]]:
    """Return the leaf tallies summed up every unit's path: by unit, and by unit and segment.

    Vectorised: a release sums every leaf of the network into each of its ancestors.
    """
    lineage = ctx.tree.lineage
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
    ctx: _Context,
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
    parents = ctx.tree.parents
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


# -- from tallies to figures ----------------------------------------------------------------


def _scale(item: Item) -> Scale:
    return SCALES[item.scale]()


def _counts(tally: Tally, scale: Scale) -> dict[Any, int]:
    counts: dict[Any, int] = {value: tally.values[value] for value in scale.values()}
    if tally.dont_know and scale.supports_dont_know:
        counts[None] = tally.dont_know
    return counts


def _estimates(tally: Tally, scale_code: str) -> dict[str, estimates.Estimate]:
    """Return every estimate the scale defines, from a tally (nothing hidden here).

    Straight from the stored sums and value counts (the roll-up's columns), without
    rebuilding a distribution: a page asks for thousands of these.
    """
    scale = _SCALES.get(scale_code)
    if scale is None:
        scale = _SCALES[scale_code] = SCALES[scale_code]()
    found: dict[str, estimates.Estimate] = {}
    if not scale.is_numeric:
        return found
    n, dont_know, values = tally.n, tally.dont_know, tally.values
    mean = estimates.mean_from_sums(
        n=n, total=tally.total, total_squares=tally.total_squares, dont_know=dont_know
    )
    found["mean"] = mean
    if isinstance(scale, PointScale):
        found["score"] = estimates.on_100(mean, scale=scale_code)

    def share(boxes: Iterable[int]) -> estimates.ShareEstimate:
        count = sum(values[value] for value in boxes)
        return estimates.share_from_counts(count=count, n=n, dont_know=dont_know)

    if scale.top_values:
        found["top_box"] = share(scale.top_values)
    if scale.top2_values:
        found["top2_box"] = share(scale.top2_values)
    if scale_code == "csat5":
        found["csat"] = share((4, 5))
    if isinstance(scale, NpsScale):
        found["nps"] = estimates.nps_from_buckets(
            promoters=values[9] + values[10],
            passives=values[7] + values[8],
            detractors=sum(values[0:7]),
        )
    return found


_SCALES: dict[str, Scale] = {}


def _change(
    before: estimates.Estimate | None, after: estimates.Estimate, label: str
) -> Change | None:
    if before is None or before.n == 0 or after.n == 0:
        return None
    difference = estimates.change(before, after)
    return Change(
        previous=label,
        value=difference.value,
        low=difference.low,
        high=difference.high,
        significant=difference.significant,
        p_value=difference.p_value,
        method=difference.method,
    )


def _statistics(
    now: dict[str, estimates.Estimate],
    before: dict[str, estimates.Estimate] | None,
    previous_label: str,
) -> tuple[Statistic, ...]:
    stats = []
    for code, estimate in now.items():
        change = _change(before.get(code), estimate, previous_label) if before else None
        stats.append(Statistic(code, estimate.value, estimate.low, estimate.high, change))  # type: ignore[arg-type]
    return tuple(stats)


def _hidden(unit_id: int, lens: str, subject: Subject, period: Period, segment: Any) -> Figure:
    return Figure(unit_id, lens, subject, period.label, segment, True, None, None, (), None)


def _item_subject(item: Item, kind: str = "item") -> Subject:
    if kind == "mirror" and item.mirror is not None:
        mirror = item.mirror
        return Subject(
            "mirror",
            mirror.code,
            mirror.title_fr,
            mirror.title_en or mirror.title_fr,
            item_id=item.pk,
            scale=item.scale,
            dimension=mirror.dimension,
            mirror=mirror.code,
        )
    return Subject(
        "item",
        item.code,
        item.text_fr,
        item.text_en or item.text_fr,
        item_id=item.pk,
        scale=item.scale,
        dimension=item.dimension,
        mirror=item.mirror.code if item.mirror else "",
    )


# Figures a release keeps at most; past that it starts again (a network page asks for a few
# thousand, a release of 2,000 shops could give millions).
_FIGURES_KEPT = 100_000


def _kept_figure(release: Release, key: tuple[Any, ...], compute: Callable[[], Figure]) -> Figure:
    """Return the figure ``compute`` gives, computed once per release and ``key``.

    A figure follows from the release, the previous period's release (the change) and
    what ``key`` names; both releases are replaced, never changed, when anything they
    were computed from changes, so a kept figure is always the one computing would give.
    """
    found = release.figures.get(key)
    if found is None:
        found = compute()
        if len(release.figures) >= _FIGURES_KEPT:
            release.figures.clear()
        release.figures[key] = found
    return found


def _item_figure(
    ctx: _Context,
    release: Release,
    previous: Release | None,
    item: Item,
    unit_id: int,
    subject: Subject,
    segment: tuple[str, str] | None = None,
) -> Figure:
    """Return one item's gated figure at a unit (a segment cell when ``segment`` is given)."""
    key = ("item", item.pk, unit_id, subject, segment, previous.serial if previous else None)
    return _kept_figure(
        release,
        key,
        lambda: _item_figure_computed(release, previous, item, unit_id, subject, segment),
    )


def _item_figure_computed(
    release: Release,
    previous: Release | None,
    item: Item,
    unit_id: int,
    subject: Subject,
    segment: tuple[str, str] | None,
) -> Figure:
    if segment is None:
        visible = release.shows(item.pk, unit_id)
        tally = release.tally(item.pk, unit_id) if visible else None
    else:
        visible = release.shows_cell(item.pk, unit_id, segment[1])
        tally = release.cell(item.pk, unit_id, segment[1]) if visible else None
    if not visible or tally is None:
        return _hidden(unit_id, release.lens, subject, release.period, segment)
    before = None
    if previous is not None:
        if segment is None:
            old = previous.tally(item.pk, unit_id) if previous.shows(item.pk, unit_id) else None
        else:
            value = segment[1]
            shown = previous.shows_cell(item.pk, unit_id, value)
            old = previous.cell(item.pk, unit_id, value) if shown else None
        if old is not None:
            before = _estimates(old, item.scale)
    scale = _scale(item)
    if scale.is_numeric:
        distribution = tuple((str(value), tally.values[value]) for value in scale.values())
    else:
        distribution = tuple(sorted(tally.choices.items()))
    return Figure(
        unit_id=unit_id,
        lens=release.lens,
        subject=subject,
        period=release.period.label,
        segment=segment,
        suppressed=False,
        n=tally.n,
        dont_know=tally.dont_know,
        statistics=_statistics(
            _estimates(tally, item.scale), before, release.period.previous().label
        ),
        distribution=distribution,
    )


@dataclass
class _Pooled:
    """Answers of several point-scale items moved to 0-100 and pooled (a dimension, an index)."""

    n: int = 0
    dont_know: int = 0
    total: float = 0.0
    total_squares: float = 0.0
    top: int = 0
    top2: int = 0
    top2_n: int = 0

    def add(self, tally: Tally, scale_code: str) -> None:
        scale = SCALES[scale_code]()
        values = scale.values()
        bottom, top = min(values), max(values)
        k = 100.0 / (top - bottom)
        n, sx, sxx = tally.n, tally.total, tally.total_squares
        if scale.higher_is_better:
            # x' = k(x - bottom): Σx' = k(Σx - n·bottom), Σx'² = k²(Σx² - 2·bottom·Σx + n·bottom²)
            total = k * (sx - n * bottom)
            squares = k * k * (sxx - 2 * bottom * sx + n * bottom * bottom)
        else:
            total = k * (n * top - sx)
            squares = k * k * (n * top * top - 2 * top * sx + sxx)
        self.n += n
        self.dont_know += tally.dont_know
        self.total += total
        self.total_squares += max(squares, 0.0)
        self.top += sum(tally.values[value] for value in scale.top_values)
        if scale.top2_values:
            self.top2 += sum(tally.values[value] for value in scale.top2_values)
            self.top2_n += n

    def estimates(self) -> dict[str, estimates.Estimate]:
        if self.n == 0:
            return {}
        found: dict[str, estimates.Estimate] = {
            "score": estimates.mean_from_sums(
                n=self.n,
                total=self.total,
                total_squares=self.total_squares,
                dont_know=self.dont_know,
            ),
            "top_box": estimates.share_from_counts(count=self.top, n=self.n),
        }
        if self.top2_n:
            found["top2_box"] = estimates.share_from_counts(count=self.top2, n=self.top2_n)
        return found


def _point_items(items: Iterable[Item]) -> list[Item]:
    return [item for item in items if issubclass(SCALES[item.scale], PointScale)]


def _pooled(release: Release, items: Sequence[Item], unit_id: int) -> _Pooled | None:
    """Return the items pooled at a unit, or None when any item answered there is hidden."""
    pooled = _Pooled()
    for item in items:
        tally = release.tally(item.pk, unit_id)
        if tally is None or tally.n == 0:
            continue
        if not release.shows(item.pk, unit_id):
            return None
        pooled.add(tally, item.scale)
    return pooled if pooled.n else None


def _pooled_many(
    release: Release, items: Sequence[Item], unit_ids: Sequence[int]
) -> list[_Pooled | None]:
    """Return ``_pooled`` for many units at once (vectorised: linkage pools every shop)."""
    ids = np.asarray(unit_ids, dtype=np.int64)
    sums = np.zeros((len(ids), 7))  # n, don't know, Σx', Σx'², top, top-2, top-2 base
    hidden = np.zeros(len(ids), dtype=bool)
    for item in items:
        packed = release.totals.get(item.pk)
        if packed is None or not len(packed.keys) or not len(ids):
            continue
        at = np.minimum(np.searchsorted(packed.keys, ids), len(packed.keys) - 1)
        whole, moments = packed.whole[at], packed.moments[at]
        answered = (packed.keys[at] == ids) & (whole[:, 0] > 0)
        hidden |= answered & ~packed.shown[at]
        n = np.where(answered, whole[:, 0], 0).astype(float)
        sx = np.where(answered, moments[:, 0], 0.0)
        sxx = np.where(answered, moments[:, 1], 0.0)
        scale = SCALES[item.scale]()
        values = scale.values()
        bottom, top = min(values), max(values)
        k = 100.0 / (top - bottom)
        if scale.higher_is_better:
            total = k * (sx - n * bottom)
            squares = k * k * (sxx - 2 * bottom * sx + n * bottom * bottom)
        else:
            total = k * (n * top - sx)
            squares = k * k * (n * top * top - 2 * top * sx + sxx)
        sums[:, 0] += n
        sums[:, 1] += np.where(answered, whole[:, 1], 0)
        sums[:, 2] += total
        sums[:, 3] += np.maximum(squares, 0.0)
        sums[:, 4] += np.where(answered, whole[:, [2 + v for v in scale.top_values]].sum(1), 0)
        if scale.top2_values:
            top2 = whole[:, [2 + v for v in scale.top2_values]].sum(1)
            sums[:, 5] += np.where(answered, top2, 0)
            sums[:, 6] += n
    found: list[_Pooled | None] = []
    for row, is_hidden in zip(sums.tolist(), hidden.tolist(), strict=True):
        if is_hidden or row[0] == 0:
            found.append(None)
            continue
        found.append(
            _Pooled(
                n=round(row[0]),
                dont_know=round(row[1]),
                total=row[2],
                total_squares=row[3],
                top=round(row[4]),
                top2=round(row[5]),
                top2_n=round(row[6]),
            )
        )
    return found


def _pooled_figure(
    release: Release,
    previous: Release | None,
    items: Sequence[Item],
    unit_id: int,
    subject: Subject,
) -> Figure:
    """Return the figure of ``items`` pooled on 0-100 at a unit (a dimension, a mirror)."""
    members = tuple(item.pk for item in items)
    key = ("pooled", members, unit_id, subject, previous.serial if previous else None)
    return _kept_figure(
        release, key, lambda: _pooled_figure_computed(release, previous, items, unit_id, subject)
    )


def _pooled_figure_computed(
    release: Release,
    previous: Release | None,
    items: Sequence[Item],
    unit_id: int,
    subject: Subject,
) -> Figure:
    pooled = _pooled(release, items, unit_id)
    if pooled is None:
        return _hidden(unit_id, release.lens, subject, release.period, None)
    before = None
    if previous is not None:
        old = _pooled(previous, items, unit_id)
        before = old.estimates() if old is not None else None
    return Figure(
        unit_id=unit_id,
        lens=release.lens,
        subject=subject,
        period=release.period.label,
        segment=None,
        suppressed=False,
        n=pooled.n,
        dont_know=pooled.dont_know,
        statistics=_statistics(pooled.estimates(), before, release.period.previous().label),
        distribution=None,
    )


def _release_items(ctx: _Context, release: Release) -> list[Item]:
    items = ctx.items(release.item_ids)
    return sorted(
        (items[pk] for pk in release.item_ids if pk in items),
        key=lambda item: (item.instrument_id, item.order, item.pk),
    )


def _dimension_subjects(items: Sequence[Item]) -> list[tuple[Subject, list[Item]]]:
    from miroir.instruments.dimensions import DIMENSIONS

    grouped: dict[str, list[Item]] = {}
    for item in _point_items(items):
        grouped.setdefault(item.dimension, []).append(item)
    subjects = []
    for code, members in grouped.items():
        meta = DIMENSIONS.get(code)
        label_fr = _dimension_label(meta, "fr") or code
        label_en = _dimension_label(meta, "en") or label_fr
        subjects.append((Subject("dimension", code, label_fr, label_en, dimension=code), members))
    return subjects


def _dimension_label(meta: Any, language: str) -> str:
    return str(getattr(meta, language, "") or "") if meta is not None else ""


def _figures(
    ctx: _Context,
    release: Release,
    previous: Release | None,
    subject_kind: str,
    unit_ids: Sequence[int],
    segment: tuple[str, str] | None = None,
) -> list[Figure]:
    items = _release_items(ctx, release)
    figures: list[Figure] = []
    if subject_kind == "dimension":
        if segment is not None:
            raise ValueError("dimension figures have no segments; ask for items or mirrors")
        for subject, members in _dimension_subjects(items):
            figures.extend(
                _pooled_figure(release, previous, members, unit_id, subject) for unit_id in unit_ids
            )
        return figures
    for item in items:
        if subject_kind == "mirror" and item.mirror is None:
            continue
        subject = _item_subject(item, subject_kind)
        figures.extend(
            _item_figure(ctx, release, previous, item, unit_id, subject, segment)
            for unit_id in unit_ids
        )
    return figures


_SUBJECT_KINDS = ("item", "dimension", "mirror")


def _check(lens: str, subject: str) -> None:
    if lens not in Lens.values:
        raise ValueError(f"unknown lens {lens!r}; expected one of {', '.join(Lens.values)}")
    if subject not in _SUBJECT_KINDS:
        raise ValueError(f"unknown subject {subject!r}; expected item, dimension or mirror")


def unit_results(
    *,
    unit: Unit,
    lens: str,
    period: Period,
    subject: str = "item",
    segment: tuple[str, str] | None = None,
    levels: int | None = 1,
    today: date | None = None,
    with_change: bool = True,
) -> Results:
    """Return the gated figures of ``unit`` and its subtree down ``levels`` levels.

    With ``segment`` (attribute, value), the figures are those of that segment only.
    """
    _check(lens, subject)
    ctx = _context(today)
    return _unit_results(ctx, unit, lens, period, subject, segment, levels, with_change)


def _unit_results(
    ctx: _Context,
    unit: Unit,
    lens: str,
    period: Period,
    subject: str,
    segment: tuple[str, str] | None,
    levels: int | None,
    with_change: bool,
) -> Results:
    if segment is not None and segment[0] != lens_attribute(lens):
        raise ValueError(
            f"the {lens} lens keeps no attribute {segment[0]!r}"
            + (f"; it keeps {lens_attribute(lens)!r}" if lens_attribute(lens) else "")
        )
    release = ctx.release(lens, period, segments=segment is not None)
    previous = (
        ctx.release(lens, period.previous(), segments=segment is not None) if with_change else None
    )
    units = tuple(ctx.tree.descendants(unit, levels))
    figures = _figures(ctx, release, previous, subject, [ref.id for ref in units], segment)
    return Results(
        lens=lens,
        period=period.label,
        segment=segment,
        threshold=release.threshold,
        as_of=release.as_of,
        units=units,
        figures=tuple(figures),
    )


def unit_trend(
    *,
    unit: Unit,
    lens: str,
    periods: Sequence[Period],
    subject: str = "item",
    today: date | None = None,
) -> list[Results]:
    """Return the unit's figures for each period (oldest first as given), changes included."""
    _check(lens, subject)
    ctx = _context(today)
    return [_unit_results(ctx, unit, lens, period, subject, None, 0, True) for period in periods]


def segment_results(
    *,
    unit: Unit,
    lens: str,
    period: Period,
    subject: str = "item",
    today: date | None = None,
) -> Results:
    """Return the unit's figures for each value of the lens's attribute (e.g. contract type)."""
    _check(lens, subject)
    if subject == "dimension":
        raise ValueError("segment figures are for items or mirrors")
    attribute = lens_attribute(lens)
    ctx = _context(today)
    release = ctx.release(lens, period, segments=True)
    previous = ctx.release(lens, period.previous(), segments=True)
    # Every possible value, answered or not: which segments have a row must not say
    # whether anybody of that segment answered.
    values = segment_values(attribute)
    figures: list[Figure] = []
    for value in values:
        figures.extend(_figures(ctx, release, previous, subject, [unit.pk], (attribute, value)))
    return Results(
        lens=lens,
        period=period.label,
        segment=None,
        threshold=release.threshold,
        as_of=release.as_of,
        units=(ctx.tree.refs[unit.pk],),
        figures=tuple(figures),
    )


def segment_values(attribute: str) -> list[str]:
    """Return every value an attribute may take (contract types, proximities, moments)."""
    if attribute == "contract_type":
        return [value for value in ContractType.values if value != ContractType.PARTNER]
    if attribute == "proximity":
        return list(Proximity.values)
    if attribute == "moment":
        from miroir.journeys.models import Moment

        return list(Moment.objects.order_by("order", "code").values_list("code", flat=True))
    return []


def results_periods(*, lens: str | None = None) -> list[Period]:
    """Return the periods (at the release grain) that hold responses, oldest first."""
    rows = RollupResponses.objects.all()
    if lens is not None:
        rows = rows.filter(lens=lens)
    grain = release_grain()
    months = rows.values_list("period", flat=True).distinct().order_by("period")
    return sorted({period_of(month, grain) for month in months})


def results_subjects(*, lens: str, period: Period, kind: str = "item") -> list[Subject]:
    """Return the subjects with answers of ``lens`` in ``period``."""
    _check(lens, kind)
    ids = (
        Rollup.objects.filter(lens=lens, period__in=period.month_starts())
        .values_list("item_id", flat=True)
        .distinct()
    )
    items = list(Item.objects.filter(pk__in=ids).select_related("mirror").order_by("order", "pk"))
    if kind == "dimension":
        return [subject for subject, _ in _dimension_subjects(items)]
    return [
        _item_subject(item, kind) for item in items if kind != "mirror" or item.mirror is not None
    ]


# -- the three comparisons ------------------------------------------------------------------


def _score(
    ctx: _Context, lens: str, period: Period, item: Item, unit_id: int, with_change: bool = True
) -> tuple[Figure, estimates.MeanEstimate | None]:
    """Return an item's gated figure at a unit and its 0-100 estimate (None when hidden)."""
    release = ctx.release(lens, period)
    previous = ctx.release(lens, period.previous()) if with_change else None
    figure = _item_figure(ctx, release, previous, item, unit_id, _item_subject(item, "mirror"))
    if figure.suppressed or not issubclass(SCALES[item.scale], PointScale):
        return figure, None
    tally = release.tally(item.pk, unit_id)
    return figure, estimates.on_100(
        estimates.mean_from_counts(_counts(tally, _scale(item))), scale=item.scale
    )


def _gap(a: estimates.Estimate | None, b: estimates.Estimate | None) -> Gap:
    if a is None or b is None or a.n == 0 or b.n == 0:
        return Gap(None, None, None, False, None)
    difference = estimates.difference(a, b)
    return Gap(
        difference.value,
        difference.low,
        difference.high,
        difference.significant,
        difference.p_value,
    )


def _mirrors(ctx: _Context, period: Period) -> dict[int, tuple[Mirror, dict[str, Item]]]:
    """Return the mirrors with answers in the period: mirror id → (mirror, lens → item)."""
    if period not in ctx.mirrors:
        ctx.mirrors[period] = _read_mirrors(ctx, period)
    return ctx.mirrors[period]


def _read_mirrors(ctx: _Context, period: Period) -> dict[int, tuple[Mirror, dict[str, Item]]]:
    # The items answered in the period are those of its releases (read anyway).
    ids = {pk for lens in Lens.values for pk in ctx.release(lens, period).item_ids}
    found: dict[int, tuple[Mirror, dict[str, Item]]] = {}
    for item in (
        Item.objects.filter(pk__in=ids, mirror__isnull=False)
        .select_related("mirror")
        .order_by("mirror__order", "mirror_id", "pk")
    ):
        mirror = item.mirror
        found.setdefault(mirror.pk, (mirror, {}))[1][item.lens] = item
    return found


def _experience(
    ctx: _Context, unit: Unit, period: Period, with_change: bool = True
) -> list[MirrorSymmetry]:
    rows = []
    for _mirror, by_lens in _mirrors(ctx, period).values():
        if Lens.CUSTOMER not in by_lens:
            continue
        figures: dict[str, Figure] = {}
        scores: dict[str, estimates.MeanEstimate | None] = {}
        for lens in (Lens.CUSTOMER, Lens.EMPLOYEE, Lens.PARTNER):
            if lens in by_lens:
                figures[lens], scores[lens] = _score(
                    ctx, lens, period, by_lens[lens], unit.pk, with_change
                )
        gaps = {
            lens: _gap(scores[Lens.CUSTOMER], scores[lens])
            for lens in (Lens.EMPLOYEE, Lens.PARTNER)
            if lens in scores
        }
        subject = _item_subject(by_lens[Lens.CUSTOMER], "mirror")
        rows.append(MirrorSymmetry(subject, figures, gaps))
    return rows


def experience_symmetry(
    *, unit: Unit, period: Period, today: date | None = None
) -> list[MirrorSymmetry]:
    """Return, per mirror, customer, employee and partner scores (0-100) and customer - each."""
    return _experience(_context(today), unit, period)


def _perception(
    ctx: _Context, unit: Unit, period: Period, versus: str, with_change: bool = True
) -> list[PerceptionGap]:
    if versus not in (Lens.EMPLOYEE, Lens.CUSTOMER):
        raise ValueError("the perception gap compares management with employee or customer")
    rows = []
    for _mirror, by_lens in _mirrors(ctx, period).values():
        if Lens.MANAGEMENT not in by_lens or versus not in by_lens:
            continue
        management, estimate = _score(
            ctx, Lens.MANAGEMENT, period, by_lens[Lens.MANAGEMENT], unit.pk, with_change
        )
        actual, truth = _score(ctx, versus, period, by_lens[versus], unit.pk, with_change)
        rows.append(
            PerceptionGap(
                _item_subject(by_lens[Lens.MANAGEMENT], "mirror"),
                versus,
                management,
                actual,
                _gap(estimate, truth),
            )
        )
    return rows


def perception_gaps(
    *, unit: Unit, period: Period, versus: str = "employee", today: date | None = None
) -> list[PerceptionGap]:
    """Return, per mirror, management's estimate minus what ``versus`` say (0-100 points)."""
    return _perception(_context(today), unit, period, versus)


def _listening(ctx: _Context, unit: Unit, period: Period) -> ListeningSymmetry:
    invited = ctx.invited(unit, period)
    lenses: dict[str, LensListening] = {}
    for lens in Lens.values:
        release = ctx.release(lens, period)
        people = ctx.people(unit, lens)
        # Invitations are gated like responses (docs/anonymity.md); the rate and the
        # invitations per person show only where the counts they are made of do.
        sent = (
            invited.get(lens, 0)
            if ctx.invited_shown(unit, lens, period, release.threshold)
            else None
        )
        shown = unit.pk in release.visible_responses
        responses = release.responses.get(unit.pk, 0) if shown else None
        rate = min(1.0, responses / sent) if responses is not None and sent else None
        lenses[lens] = LensListening(
            lens=lens,
            invited=sent,
            people=people,
            per_person=sent / people if people and sent is not None else None,
            responses=responses,
            response_rate=rate,
            voices=ctx.voices(unit, lens, period),
        )
    employee, customer = lenses[Lens.EMPLOYEE], lenses[Lens.CUSTOMER]

    def ratio(a: float | None, b: float | None) -> float | None:
        return a / b if a is not None and b else None

    def voices(side: LensListening, name: str) -> float | None:
        return getattr(side.voices, name) if side.voices is not None else None

    ratios = {
        "per_person": ratio(employee.per_person, customer.per_person),
        "response_rate": ratio(employee.response_rate, customer.response_rate),
        "answered_in_time": ratio(
            voices(employee, "answered_in_time_share"), voices(customer, "answered_in_time_share")
        ),
        "adopted": ratio(voices(employee, "adopted_share"), voices(customer, "adopted_share")),
        "median_days_to_answer": ratio(
            voices(employee, "median_days_to_answer"), voices(customer, "median_days_to_answer")
        ),
    }
    return ListeningSymmetry(unit.pk, period.label, lenses, ratios)


def listening_symmetry(
    *, unit: Unit, period: Period, today: date | None = None
) -> ListeningSymmetry:
    """Return how often each lens was solicited and answered, and voice handling when known."""
    return _listening(_context(today), unit, period)


def _barometer_item(ctx: _Context, period: Period, code: str, unit_id: int) -> Item | None:
    release = ctx.release(Lens.EMPLOYEE, period)
    candidates = Item.objects.filter(
        instrument__family=BAROMETER_FAMILY, lens=Lens.EMPLOYEE, mirror__code=code
    ).select_related("mirror")
    answered = {
        item: tally for item in candidates if (tally := release.tally(item.pk, unit_id)) is not None
    }
    if not answered:
        return None
    return max(answered, key=lambda item: answered[item].n)


def barometer_headline(
    *, unit: Unit, period: Period, today: date | None = None
) -> BarometerHeadline:
    """Return employees' top box on "suggestions listened to" vs "complaints get attention"."""
    ctx = _context(today)
    release = ctx.release(Lens.EMPLOYEE, period)
    previous = ctx.release(Lens.EMPLOYEE, period.previous())
    found: dict[str, tuple[Figure | None, estimates.Estimate | None]] = {}
    for code in (BAROMETER_SUGGESTIONS, BAROMETER_COMPLAINTS):
        item = _barometer_item(ctx, period, code, unit.pk)
        if item is None:
            found[code] = (None, None)
            continue
        figure = _item_figure(ctx, release, previous, item, unit.pk, _item_subject(item))
        estimate = None
        if not figure.suppressed:
            tally = release.tally(item.pk, unit.pk)
            estimate = estimates.top_box(_counts(tally, _scale(item)), scale=item.scale)
        found[code] = (figure, estimate)
    suggestions, complaints = found[BAROMETER_SUGGESTIONS], found[BAROMETER_COMPLAINTS]
    gap = _gap(suggestions[1], complaints[1]) if suggestions[0] and complaints[0] else None
    return BarometerHeadline(suggestions[0], complaints[0], gap)


def _unit_symmetry(ctx: _Context, unit: Unit, period: Period) -> UnitSymmetry:
    experience = {
        row.mirror.code: row.gaps[Lens.EMPLOYEE].value
        # The index needs this period's scores only, not their change.
        for row in _experience(ctx, unit, period, with_change=False)
        if Lens.EMPLOYEE in row.gaps and row.gaps[Lens.EMPLOYEE].value is not None
    }
    perception = {
        row.mirror.code: row.gap.value
        for row in _perception(ctx, unit, period, Lens.EMPLOYEE, with_change=False)
        if row.gap.value is not None
    }
    listening = _listening(ctx, unit, period)
    employee, customer = listening.lenses[Lens.EMPLOYEE], listening.lenses[Lens.CUSTOMER]

    def pair(a: float | None, b: float | None) -> tuple[float | None, float | None] | None:
        return (a, b) if a is not None and b is not None else None

    def voice(side: LensListening, name: str) -> float | None:
        return getattr(side.voices, name) if side.voices is not None else None

    index = symmetry_index(
        experience_gaps=list(experience.values()),
        perception_gaps=list(perception.values()),
        response_rate=pair(employee.response_rate, customer.response_rate),
        answered_in_time=pair(
            voice(employee, "answered_in_time_share"), voice(customer, "answered_in_time_share")
        ),
        adopted=pair(voice(employee, "adopted_share"), voice(customer, "adopted_share")),
        time_to_answer=pair(
            voice(employee, "median_days_to_answer"), voice(customer, "median_days_to_answer")
        ),
    )
    return UnitSymmetry(unit.pk, period.label, index, experience, perception, listening)


def unit_symmetry(*, unit: Unit, period: Period, today: date | None = None) -> UnitSymmetry:
    """Return the unit's symmetry index (0-100) with every component and its inputs."""
    return _unit_symmetry(_context(today), unit, period)


def network_symmetry(
    *, unit: Unit, period: Period, levels: int | None = 1, today: date | None = None
) -> list[UnitSymmetry]:
    """Return the symmetry index of ``unit`` and of its subtree down ``levels`` levels."""
    ctx = _context(today)
    refs = ctx.tree.descendants(unit, levels)
    units = Unit.objects.in_bulk([ref.id for ref in refs])
    return [_unit_symmetry(ctx, units[ref.id], period) for ref in refs]


# -- linkage across units -------------------------------------------------------------------


def _lens_items(ctx: _Context, release: Release) -> list[Item]:
    return _point_items(_release_items(ctx, release))


def unit_linkage(
    *,
    unit: Unit,
    period: Period,
    level: str = "shop",
    periods: int = 4,
    today: date | None = None,
) -> Linkage:
    """Return the linkage of the employee index with the customer index across units.

    The units are those of kind ``level`` under ``unit`` whose two indices the gate
    releases; an index is the unit's answers to every point-scale item of the lens,
    pooled on 0-100. Over time, the ``periods`` periods ending with ``period`` are used.
    """
    if level not in UnitKind.values:
        raise ValueError(
            f"unknown unit kind {level!r}; expected one of {', '.join(UnitKind.values)}"
        )
    ctx = _context(today)
    # The same releases give the same linkage: it is computed once per set of them.
    used = [
        ctx.release(lens, step)
        for step in _chain(period, periods)
        for lens in (Lens.EMPLOYEE, Lens.CUSTOMER)
    ]
    key = (unit.pk, period, level, periods, ctx.tree.signature, *(r.serial for r in used))
    with _RELEASES_LOCK:
        found = _LINKAGES.get(key)
        if found is not None:
            _LINKAGES.move_to_end(key)
            return found
    result = _unit_linkage(ctx, unit, period, level, periods)
    with _RELEASES_LOCK:
        _LINKAGES[key] = result
        while len(_LINKAGES) > _LINKAGES_KEPT:
            _LINKAGES.popitem(last=False)
    return result


# Linkages computed by this process, by unit, period, level, tree and the releases read.
_LINKAGES: OrderedDict[tuple[Any, ...], Linkage] = OrderedDict()
_LINKAGES_KEPT = 32


def linkages_forget() -> None:
    """Drop the linkages this process keeps, not the releases (to time their computation)."""
    with _RELEASES_LOCK:
        _LINKAGES.clear()


def _chain(period: Period, count: int) -> list[Period]:
    """Return the ``count`` periods ending with ``period`` (at least that one), oldest first."""
    chain = [period]
    for _ in range(max(1, count) - 1):
        chain.insert(0, chain[0].previous())
    return chain


def _unit_linkage(ctx: _Context, unit: Unit, period: Period, level: str, periods: int) -> Linkage:
    problems: dict[str, str] = {}
    employee = ctx.release(Lens.EMPLOYEE, period)
    customer = ctx.release(Lens.CUSTOMER, period)
    employee_items = _lens_items(ctx, employee)
    customer_items = _lens_items(ctx, customer)
    candidates = [ref for ref in ctx.tree.descendants(unit, None) if ref.kind == level]
    points: dict[int, tuple[float, float, int]] = {}
    shops = [ref.id for ref in candidates]
    indices = zip(
        _pooled_many(employee, employee_items, shops),
        _pooled_many(customer, customer_items, shops),
        strict=True,
    )
    for ref, (ex, cx) in zip(candidates, indices, strict=True):
        if ex is None or cx is None:
            continue
        points[ref.id] = (ex.total / ex.n, cx.total / cx.n, ex.n)
    ids = sorted(points)
    ex_scores = [points[pk][0] for pk in ids]
    cx_scores = [points[pk][1] for pk in ids]
    sizes = [points[pk][2] for pk in ids]

    def attempt(name: str, compute: Any) -> Any:
        try:
            return compute()
        except (LinkageError, ReliabilityError, EstimateError, ValueError) as error:
            problems[name] = reason_code(error)
            return None

    pearson = attempt("pearson", lambda: linkage.pearson(ex_scores, cx_scores))
    spearman = attempt("spearman", lambda: linkage.spearman(ex_scores, cx_scores))
    regression = attempt(
        "regression", lambda: linkage.linkage_regression(cx_scores, ex_scores, size=sizes)
    )

    # One observation per respondent (their mean over the index items), not per item answer:
    # a person's answers are correlated (results/respondents.py, docs/analytics.md).
    respondents = [
        respondent_sums(
            release=release,
            items=items,
            unit_ids=ids,
            lineage=ctx.tree.lineage,
            under_path=unit.path,
        )
        for release, items in ((employee, employee_items), (customer, customer_items))
    ]

    def sums(side: int) -> tuple[list[int], list[float], list[float]]:
        chosen = [respondents[side].get(pk, _NO_RESPONDENT) for pk in ids]
        return (
            [each.n for each in chosen],
            [each.total for each in chosen],
            [each.total_squares for each in chosen],
        )

    reliability_ex = attempt(
        "reliability_employee", lambda: reliability.reliability_from_sums(*sums(0))
    )
    reliability_cx = attempt(
        "reliability_customer", lambda: reliability.reliability_from_sums(*sums(1))
    )
    drivers = attempt("drivers", lambda: _drivers(ctx, employee, employee_items, ids, cx_scores))
    lagged = attempt(
        "lagged", lambda: _lagged(ctx, period, periods, ids, employee_items, customer_items)
    )
    flags, correction = _flags(respondents, ids, problems)
    icc2 = reliability_ex.icc2 if reliability_ex is not None else None
    return Linkage(
        level=level,
        period=period.label,
        units=len(ids),
        pearson=pearson,
        spearman=spearman,
        regression=regression,
        lagged=lagged,
        drivers=drivers,
        reliability_employee=reliability_ex,
        reliability_customer=reliability_cx,
        guardrails=linkage.linkage_guardrails(len(ids), icc2=icc2),
        flags=flags,
        correction=correction,
        problems=problems,
        points=points,
    )


def _drivers(
    ctx: _Context,
    employee: Release,
    items: Sequence[Item],
    ids: Sequence[int],
    outcome: Sequence[float],
) -> Any:
    """Return Johnson's relative weights of the employee dimensions on the customer index."""
    predictors: dict[str, list[float | None]] = {}
    for subject, members in _dimension_subjects(items):
        predictors[subject.code] = [
            pooled.total / pooled.n if pooled is not None else None
            for pooled in _pooled_many(employee, members, ids)
        ]
    return linkage.relative_weights(predictors, list(outcome))


def _lagged(
    ctx: _Context,
    period: Period,
    count: int,
    ids: Sequence[int],
    employee_items: Sequence[Item],
    customer_items: Sequence[Item],
) -> Any:
    chain = _chain(period, count)
    employee_panel: list[list[float | None]] = [[] for _ in ids]
    customer_panel: list[list[float | None]] = [[] for _ in ids]
    for step in chain:
        ex_release = ctx.release(Lens.EMPLOYEE, step)
        cx_release = ctx.release(Lens.CUSTOMER, step)
        ex_items = _lens_items(ctx, ex_release) or list(employee_items)
        cx_items = _lens_items(ctx, cx_release) or list(customer_items)
        pooled = zip(
            _pooled_many(ex_release, ex_items, ids),
            _pooled_many(cx_release, cx_items, ids),
            strict=True,
        )
        for row, (ex, cx) in enumerate(pooled):
            employee_panel[row].append(ex.total / ex.n if ex is not None else None)
            customer_panel[row].append(cx.total / cx.n if cx is not None else None)
    return linkage.lagged_linkage(employee_panel, customer_panel)


_NO_RESPONDENT = RespondentSums(0, 0.0, 0.0)


def _flags(
    respondents: Sequence[dict[int, RespondentSums]], ids: Sequence[int], problems: dict[str, str]
) -> tuple[tuple[UnitFlag, ...], Any]:
    """Return the units whose customer - employee gap is significant after Benjamini-Hochberg.

    Each side's mean and its uncertainty come from one observation per respondent.
    """
    gaps: list[tuple[int, float, float]] = []
    for unit_id in ids:
        ex, cx = (side.get(unit_id) for side in respondents)
        if ex is None or cx is None:
            continue
        difference = estimates.difference(
            estimates.mean_from_sums(n=cx.n, total=cx.total, total_squares=cx.total_squares),
            estimates.mean_from_sums(n=ex.n, total=ex.total, total_squares=ex.total_squares),
        )
        if difference.value is not None and difference.p_value is not None:
            gaps.append((unit_id, difference.value, difference.p_value))
    if not gaps:
        return (), None
    try:
        correction = multiplicity.benjamini_hochberg([p for _, _, p in gaps])
    except multiplicity.MultiplicityError as error:
        problems["flags"] = reason_code(error)
        return (), None
    flags = tuple(
        UnitFlag(unit_id, gap, p, adjusted, flagged)
        for (unit_id, gap, p), adjusted, flagged in zip(
            gaps, correction.adjusted, correction.flagged, strict=True
        )
    )
    return flags, correction


# -- verbatims ------------------------------------------------------------------------------


def unit_verbatims(
    *,
    unit: Unit,
    lens: str,
    period: Period,
    item: Item | None = None,
    today: date | None = None,
    limit: int | None = None,
) -> gate.VerbatimRelease:
    """Return the free-text answers of ``unit``'s subtree, when its group is large enough.

    The group is the unit's respondents of the lens in the period; the gate applies the
    verbatim threshold with complementary suppression over the tree, then shuffles,
    dates by wave and redacts.
    """
    _check(lens, "item")
    ctx = _context(today)
    release = ctx.release(lens, period)
    visible = unit.pk in release.verbatim_groups(ctx.tree.parents)
    rows: list[tuple[str, str, str, str]] = []
    if visible:
        answers = Answer.objects.filter(
            text__isnull=False,
            response__lens=lens,
            response__submitted_on__gte=period.start,
            response__submitted_on__lt=period.end,
        )
        subtree = ctx.tree.descendants(unit, None)
        if len(subtree) <= _FEW_UNITS_LISTED:
            # The units by id: the planner then reads their responses by the unit index
            # rather than every response of the period.
            answers = answers.filter(response__unit_id__in=[ref.id for ref in subtree])
        else:
            answers = answers.filter(response__unit__path__startswith=unit.path)
        if gate.protects_identity(lens):
            # Up to the unit's own release day for verbatims (``gate.release_days``).
            through = release.verbatim_through.get(unit.pk)
            if through is None:
                answers = answers.none()
            else:
                answers = answers.filter(response__submitted_on__lte=through)
        elif release.as_of is not None:
            answers = answers.filter(response__submitted_on__lte=release.as_of)
        if item is not None:
            answers = answers.filter(item=item)
        rows = [
            (str(pk), text, wave, period.label)
            for pk, text, wave in answers.values_list("pk", "text", "response__wave__name")
        ]
    names: list[str] = []
    if rows:
        names = [
            f"{first} {last}"
            for first, last in Member.objects.values_list("first_name", "last_name")
        ]
    return gate.verbatims(
        rows,
        visible=visible,
        threshold=release.verbatim_threshold,
        names=names,
        language=translation.get_language() or "fr",
        limit=limit,
    )


# -- publication to employees and partners --------------------------------------------------
#
# A manager publishes a unit's results of one period (``services.publication_publish``);
# the members of that unit and of every unit below read them. What they read is computed
# here, each time, by the selectors above: the same gate, the unit alone (no drill-down),
# no verbatims (they stay with managers), no change since the unpublished previous period.
#
#     publications_for(scope) -> QuerySet[Publication]        # live, on the member's path
#     publications_exist_for(scope) -> bool                   # for the navigation
#     access_publication(scope, publication_id) -> Publication  # 404 unless it may be read
#     unit_publications(scope, unit) -> QuerySet[Publication] # managers: withdrawn ones too
#     access_managed_publication(scope, publication_id) -> Publication  # 403/404, to withdraw
#     publication_period(publication) -> Period | None        # None: released at another grain
#     publication_lens(scope) -> str                          # the reader's own lens
#     publication_results(publication, *, lens, today=None) -> PublishedResults

_GRAIN_LABELS = {
    "month": r"^[0-9]{4}-[0-9]{2}$",
    "quarter": r"^[0-9]{4}-Q[1-4]$",
    "year": r"^[0-9]{4}$",
}


def _publications_live() -> QuerySet[Publication]:
    # A label of another grain could be subtracted from the figures released now: it is
    # shown to nobody once the grain has changed (docs/anonymity.md, "Periods").
    return Publication.objects.filter(
        withdrawn_at__isnull=True, period__regex=_GRAIN_LABELS[release_grain()]
    )


def _member_path(scope: Scope) -> list[int]:
    """Return the ids from the root down to the scope's member's unit (empty: no member)."""
    if scope.member_id is None:
        return []
    path = (
        Member.objects.filter(pk=scope.member_id, is_active=True)
        .values_list("unit__path", flat=True)
        .first()
    )
    return [int(part) for part in (path or "").strip("/").split("/") if part]


def publications_for(scope: Scope) -> QuerySet[Publication]:
    """Return the live publications a member reads: their unit's and its ancestors', newest first.

    Whoever the member is (employee, partner or manager), never those of another branch.
    """
    return (
        _publications_live()
        .filter(unit_id__in=_member_path(scope))
        .select_related("unit", "published_by__member")
        .order_by("-published_at", "-pk")
    )


def publications_exist_for(scope: Scope) -> bool:
    """Return whether anything is published to the scope's member (the navigation's link)."""
    path = _member_path(scope)
    return bool(path) and _publications_live().filter(unit_id__in=path).exists()


def access_publication(scope: Scope, publication_id: Any) -> Publication:
    """Return a live publication the scope may read; 404 otherwise, whatever the reason.

    Its readers are the members below its unit, and whoever may read the unit's results
    (its managers, the direction), to see what their people see.
    """
    try:
        publication = (
            _publications_live()
            .select_related("unit", "published_by__member")
            .get(pk=int(publication_id))
        )
    except (ObjectDoesNotExist, TypeError, ValueError):
        raise Http404("No such publication") from None
    if publication.unit_id in _member_path(scope) or (
        results_can_view(scope) and scope.contains(publication.unit)
    ):
        results_reader(scope)  # its figures, to a member of the unit: above the threshold
        return publication
    raise Http404("No such publication")


def unit_publications(scope: Scope, unit: Unit) -> QuerySet[Publication]:
    """Return every publication of a unit the scope manages, withdrawn ones too, newest first."""
    if not results_can_view(scope) or not scope.contains(unit):
        return Publication.objects.none()
    return (
        Publication.objects.filter(unit=unit)
        .select_related("published_by__member", "withdrawn_by__member")
        .order_by("-published_at", "-pk")
    )


def publication_period(publication: Publication) -> Period | None:
    """Return the period a publication names, or None when it is not at the release grain."""
    try:
        return period_parse(publication.period)
    except PeriodError:
        return None


def publication_lens(scope: Scope) -> str:
    """Return the lens a reader speaks through: partner for partners, else employee."""
    if scope.member_id is not None:
        contract = (
            Member.objects.filter(pk=scope.member_id)
            .values_list("contract_type", flat=True)
            .first()
        )
        if contract == ContractType.PARTNER:
            return Lens.PARTNER
    return Lens.EMPLOYEE


def _without_change(figure: Figure | None) -> Figure | None:
    if figure is None:
        return None
    return replace(
        figure, statistics=tuple(replace(stat, change=None) for stat in figure.statistics)
    )


def publication_results(
    publication: Publication, *, lens: str, today: date | None = None
) -> PublishedResults:
    """Return what a publication shows a reader of ``lens`` (employee or partner).

    The published unit alone (``levels=0``), through the same selectors and gate as
    the result pages: a hidden figure is the marker here too.
    """
    if lens not in (Lens.EMPLOYEE, Lens.PARTNER):
        raise ValueError("a publication is read through the employee or the partner lens")
    period = publication_period(publication)
    if period is None:
        raise Http404("No such publication")
    unit = publication.unit
    own = unit_results(
        unit=unit, lens=lens, period=period, levels=0, today=today, with_change=False
    )
    customer = unit_results(
        unit=unit, lens=Lens.CUSTOMER, period=period, levels=0, today=today, with_change=False
    )
    experience = tuple(
        MirrorSymmetry(
            row.mirror,
            {code: _without_change(figure) for code, figure in row.figures.items()},
            row.gaps,
        )
        for row in experience_symmetry(unit=unit, period=period, today=today)
    )
    headline = barometer_headline(unit=unit, period=period, today=today)
    barometer = BarometerHeadline(
        _without_change(headline.suggestions), _without_change(headline.complaints), headline.gap
    )
    return PublishedResults(
        unit_id=unit.pk,
        period=period.label,
        lens=lens,
        own=own,
        customer=customer,
        experience=experience,
        barometer=barometer,
    )


def access_managed_publication(scope: Scope, publication_id: Any) -> Publication:
    """Return a publication (withdrawn ones too) whose unit the scope manages.

    403 without results rights, 404 for a publication outside the scope or unknown.
    """
    if not results_can_view(scope):
        raise PermissionDenied("Publications are managed by managers and the direction")
    try:
        publication = Publication.objects.select_related("unit").get(pk=int(publication_id))
    except (ObjectDoesNotExist, TypeError, ValueError):
        raise Http404("No such publication") from None
    if not scope.contains(publication.unit):
        raise Http404("No such publication")
    return publication
