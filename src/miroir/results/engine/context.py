"""One request's reading of the results: the tree, the waves, each release, and its reader.

A ``Context`` reads each thing once per request (or per ``results_session``): the tree
and the releases come from ``engine.keep``, the listening counts (people, invitations,
voices) unit by unit for a few units or for the whole network at once for many.

The reader: a member counted in a group's employee or partner results could subtract
their own answers from its figures, so ``Context.release`` gives them a view of the
release where those groups are shown only above the threshold (``gate.hidden_from_member``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from miroir.collect.models import Invitation
from miroir.instruments.models import Item, Mirror
from miroir.org.models import ContractType, Lens, Member, Role, RoleKind, Unit
from miroir.org.selectors import Scope
from miroir.results import gate
from miroir.results.engine import build, keep
from miroir.results.engine.build import WaveFacts
from miroir.results.engine.release import Packed, Release
from miroir.results.listening import (
    VoiceListening,
    voice_listening,
    voice_listening_every_unit,
)
from miroir.results.periods import Period

# Up to this many units, none with a subtree larger than the second figure, a page's
# listening figures are read unit by unit (small indexed queries); beyond, for all at once.
FEW_UNITS = 8
LARGE_SUBTREE = 64


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


def _reader_view(ctx: Context, release: Release, reader: _Reader) -> Release:
    """Return the release as ``reader`` may see it: groups holding them above the threshold.

    The same release when nothing changes for them; otherwise a copy with more hidden,
    kept with the release for every reader counted at the same place.
    """
    return release.kept(("reader", reader), lambda: _hiding_from(ctx, release, reader))


def _hiding_from(ctx: Context, release: Release, reader: _Reader) -> Release:
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
                count, visible = _segment_of(packed, span, index)
                hide = gate.hidden_from_member(children, lineage, count, visible, threshold)
            # With one of a unit's segments hidden, its others would give it by difference.
            hide |= hidden_units.get(item_id, set())
            if hide:
                cells[item_id] = packed.hiding(
                    unit * span + at for unit in hide for at in release.values.values()
                )
    if not totals and not cells:
        return release
    return release.again(totals={**release.totals, **totals}, cells={**release.cells, **cells})


def _segment_of(
    packed: Packed, span: int, at: int
) -> tuple[Callable[[int], int], Callable[[int], bool]]:
    """Return a unit's count and visibility in one segment value's cells of ``packed``."""
    return (lambda unit: packed.count(unit * span + at)), (
        lambda unit: packed.visible(unit * span + at)
    )


# -- the context -----------------------------------------------------------------------------


def _people(unit: Unit, lens: str) -> int:
    """Return how many people of the unit's subtree speak through ``lens`` (one small query)."""
    if lens == Lens.MANAGEMENT:
        managers = Role.objects.filter(kind=RoleKind.MANAGER, unit__path__startswith=unit.path)
        return managers.values("member_id").distinct().count()
    members = Member.objects.filter(unit__path__startswith=unit.path, is_active=True)
    partners = Q(contract_type=ContractType.PARTNER)
    return members.filter(partners if lens == Lens.PARTNER else ~partners).count()


class Context:
    """What one request reads once: the tree, the items, and each release."""

    def __init__(self, today: date | None) -> None:
        self.today = today or timezone.localdate()
        self.tree = keep.tree()
        self._releases: dict[tuple[str, Period, bool], Release] = {}
        self._items: dict[int, Item] = {}
        self.mirrors: dict[Period, dict[int, tuple[Mirror, dict[str, Item]]]] = {}
        self._people: dict[str, dict[int, int]] | None = None
        self._invited: dict[Period, dict[tuple[int, str], int]] = {}
        self._invited_shown: dict[tuple[Period, str, int], frozenset[int]] = {}
        self._voices: dict[tuple[str, Period], Any] = {}
        self._units_asked: set[int] = set()
        self._waves: dict[int, WaveFacts] | None = None

    def waves(self) -> dict[int, WaveFacts]:
        """Return every wave: id → (lens, score and verbatim thresholds, open, opening day)."""
        if self._waves is None:
            self._waves = build.waves_read()
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
        large = self.tree.sizes.get(unit.pk, 0) > LARGE_SUBTREE
        return large or len(self._units_asked) > FEW_UNITS

    def people(self, unit: Unit, lens: str) -> int | None:
        """Return how many people of the unit's subtree speak through ``lens`` (None: customers)."""
        if lens not in (Lens.EMPLOYEE, Lens.PARTNER, Lens.MANAGEMENT):
            return None
        if self._people is None and not self.many(unit):
            return _people(unit, lens)
        if self._people is None:
            self._people = keep.network_read(("people", self.tree.signature), self._read_people)
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
            self._voices[key] = keep.network_read(
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
            self._invited[period] = keep.network_read(
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
        """Return the items read so far, ``ids`` among them (one query for those missing)."""
        missing = [pk for pk in ids if pk not in self._items]
        if missing:
            for item in Item.objects.filter(pk__in=missing).select_related("mirror"):
                self._items[item.pk] = item
        return self._items

    def release_items(self, release: Release) -> list[Item]:
        """Return the items a release has figures of, in questionnaire order."""
        items = self.items(release.item_ids)
        return sorted(
            (items[pk] for pk in release.item_ids if pk in items),
            key=lambda item: (item.instrument_id, item.order, item.pk),
        )

    def release(self, lens: str, period: Period, *, segments: bool = False) -> Release:
        """Return the release of ``lens`` and ``period``, as this request's reader may see it."""
        key = (lens, period, segments)
        if key not in self._releases:
            self._releases[key] = keep.release(
                lens=lens,
                period=period,
                segments=segments,
                today=self.today,
                tree=self.tree,
                waves=self.waves(),
            )
        release = self._releases[key]
        reader = _reader.get()
        if reader is not None and reader.lens == lens and gate.protects_identity(lens):
            return _reader_view(self, release, reader)
        return release


_session: ContextVar[Context | None] = ContextVar("results_session", default=None)


def context(today: date | None) -> Context:
    """Return the session's context when one is open for the same day, else a fresh one."""
    current = _session.get()
    if current is not None and (today is None or today == current.today):
        return current
    return Context(today)


@contextmanager
def results_session(*, today: date | None = None) -> Iterator[None]:
    """Share one reading of the tree and of each release between the selectors called inside.

    A page that shows several comparisons for one period opens one session around its
    selector calls, so each lens and period is looked up once.
    """
    token = _session.set(Context(today))
    try:
        yield
    finally:
        _session.reset(token)
