"""What the home page shows each person: their own part, and the units they look after.

Three homes, chosen from the member's roles and scope (``home_for``):

- everyone who is a member reads their own part (``PersonalHome``): surveys open to them,
  their voices and the answers, what was published to their unit, colleagues' ideas;
- a manager of shops, branches or teams reads each of their units (``UnitHome``);
- a manager of larger units (a region, an area) and the direction read their subtree
  (``NetworkHome``): the units that need attention first, listening asymmetry, a heatmap.

Someone with several roles gets the broadest home and their own part. Nothing here
computes a figure: every number comes from ``results.selectors`` (through the gate and
the engine's kept releases), ``collect.selectors.wave_counts`` (gated counts) or the
voices' selectors. Surveys are listed whether or not the member answered: the home never
says anything that links a person to a response.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from miroir.collect.counts import CountRow
from miroir.collect.models import Invitation, InvitationStatus, Wave, WaveStatus
from miroir.collect.selectors import wave_counts, waves_in_scope
from miroir.instruments.models import Item, Mirror
from miroir.journeys.models import MapPublication, MapWave, MapWaveStatus
from miroir.journeys.selectors import map_publications_for, map_seat, published_map_for
from miroir.org.models import Lens, Member, RoleKind, Unit, UnitKind
from miroir.org.selectors import Scope, scope_roots, unit_children
from miroir.results.figures import (
    Figure,
    ListeningSymmetry,
    MirrorSymmetry,
    PerceptionGap,
    PublishedResults,
    Subject,
)
from miroir.results.models import Publication
from miroir.results.periods import Period
from miroir.results.selectors import (
    access_publication,
    access_results,
    experience_symmetry,
    listening_symmetry,
    network_symmetry,
    perception_gaps,
    publication_lens,
    publication_results,
    publications_for,
    results_periods,
    unit_symmetry,
)
from miroir.results.selectors.estimates import unit_estimates
from miroir.voices.models import Voice, VoiceStatus
from miroir.voices.selectors import supported_by, voices_inbox, voices_of_member, voices_rising

# Managers of these units read the unit home; of any other kind, the network home.
UNIT_KINDS = frozenset({UnitKind.SHOP, UnitKind.BRANCH, UnitKind.TEAM})
# The index's trend: this many periods, ending with the latest.
TREND_PERIODS = 4
# Lists stay short on a phone; each one links to its full page.
SHOWN = 3
LISTED = 5
# A voice is "due soon" this many days before its deadline.
DUE_SOON_DAYS = 3
# A unit needs attention past these: a mirror's customer-employee gap, an index's fall.
GAP_ATTENTION = 15.0
FALL_ATTENTION = 5.0
# The heatmap's columns: the mirrors where the unit's customers and staff differ most.
HEAT_MIRRORS = 4
# Most units compared for attention: beyond, only the units just below are.
ATTENTION_UNITS = 120
# Units a manager of several reads on their home (the rest through the result pages).
HOMES_SHOWN = 3


# -- the parts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Survey:
    """An open wave the member may answer: by an open link here, or their personal link."""

    wave: Wave
    url: str | None
    channel: str = ""


@dataclass
class PersonalHome:
    member: Member
    surveys: list[Survey]
    voices: list[Voice]
    unread: int
    publications: list[Publication]
    published: PublishedResults | None
    ideas: list[Voice]
    # Satisfaction maps: open map waves the member has a seat in, maps published to them.
    map_waves: list[MapWave]
    maps: list[MapPublication]
    # The latest of them as this reader may read it (``journeys.selectors.published_map_for``).
    latest_map: dict[str, Any] | None
    # Drawn from the figures above by ``core.home_charts``, by name.
    charts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Participation:
    """An open wave's gated counts at the unit (responses and invitations hidden alike)."""

    wave: Wave
    row: CountRow | None
    as_of: date | None


@dataclass(frozen=True)
class AttributedGap:
    """A manager's own estimate for their unit (attributed, by name) against employees."""

    mirror: Subject
    author: str
    estimate: float
    employees: Figure

    @property
    def gap(self) -> float | None:
        """Return the estimate minus what employees say (None when their figure is hidden)."""
        if self.employees.suppressed:
            return None
        statistic = self.employees.statistic("score")
        return (
            None
            if statistic is None or statistic.value is None
            else self.estimate - statistic.value
        )


@dataclass(frozen=True)
class IndexPoint:
    period: str
    value: float | None


@dataclass
class VoicesDue:
    late: int
    soon: int
    escalated: int
    listed: list[Voice]


class IndexTrend:
    """The symmetry index period by period, the latest last, and its change."""

    index: list[IndexPoint]

    @property
    def current(self) -> float | None:
        return self.index[-1].value if self.index else None

    @property
    def change(self) -> float | None:
        if len(self.index) < 2 or self.index[-1].value is None or self.index[-2].value is None:
            return None
        return self.index[-1].value - self.index[-2].value


@dataclass
class UnitHome(IndexTrend):
    unit: Unit
    period: Period | None
    index: list[IndexPoint]
    mirrors: list[MirrorSymmetry]
    # The widest visible gaps; ``estimated`` says whether any mirror had an estimate.
    estimates: list[PerceptionGap]
    estimated: bool
    # Management's attributed estimates for the unit itself (MIROIR_ESTIMATE_ATTRIBUTED).
    attributed: list[AttributedGap]
    participation: list[Participation]
    voices: VoicesDue
    charts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Attention:
    """A unit that needs attention, with why (codes the template words)."""

    unit: Unit
    url: str
    gap: float | None
    # The mirror of the widest gap (its code, then its titles once the unit is listed).
    gap_mirror: str
    fall: float | None
    late: int
    mirror: Subject | None = None

    @property
    def wide_gap(self) -> bool:
        return self.gap is not None and abs(self.gap) >= GAP_ATTENTION

    @property
    def falling(self) -> bool:
        return self.fall is not None and self.fall >= FALL_ATTENTION

    @property
    def weight(self) -> tuple[int, float]:
        """Return the number of reasons, then their size, to rank units by."""
        reasons = self.wide_gap + self.falling + (self.late > 0)
        return reasons, abs(self.gap or 0) + max(0.0, self.fall or 0) + self.late


@dataclass(frozen=True)
class HeatCell:
    mirror: str
    value: float | None
    suppressed: bool
    url: str

    @property
    def level(self) -> str:
        """Return the cell's colour class: the gap's sign and size in steps of 10 points."""
        if self.value is None:
            return "heat-none"
        step = min(3, int(abs(self.value) // 10))
        return f"heat-{'p' if self.value > 0 else 'n'}{step}" if step else "heat-0"


@dataclass(frozen=True)
class HeatRow:
    unit: Unit
    url: str
    cells: list[HeatCell]


@dataclass
class NetworkHome(IndexTrend):
    unit: Unit
    period: Period | None
    index: list[IndexPoint]
    mirrors: list[MirrorSymmetry]
    estimates: list[PerceptionGap]
    estimated: bool
    attributed: list[AttributedGap]
    attention: list[Attention]
    # The symmetry index of each unit just below (None where it cannot be computed).
    below: list[tuple[Unit, float | None]]
    listening: ListeningSymmetry | None
    columns: list[Subject]
    heatmap: list[HeatRow]
    participation: list[Participation]
    voices: VoicesDue
    charts: dict[str, Any] = field(default_factory=dict)


@dataclass
class Home:
    personal: PersonalHome | None
    units: list[UnitHome] = field(default_factory=list)
    networks: list[NetworkHome] = field(default_factory=list)
    more_units: int = 0


# -- who gets which home ---------------------------------------------------------------------


def home_kind(scope: Scope) -> str:
    """Return the broadest home of a scope: "network", "unit" or "personal"."""
    if scope.everything:
        return "network"
    if not scope.paths or RoleKind.MANAGER not in scope.roles:
        return "personal"
    kinds = set(Unit.objects.filter(path__in=scope.paths).values_list("kind", flat=True))
    return "unit" if kinds <= UNIT_KINDS else "network"


def home_for(scope: Scope, *, now: datetime, unit_id: Any = None) -> Home:
    """Return what the scope's home shows; ``unit_id`` drills the network part down."""
    member = _member(scope)
    personal = personal_home(scope, member, now=now) if member is not None else None
    kind = home_kind(scope)
    home = Home(personal=personal)
    if kind == "personal":
        return home
    periods = results_periods()
    if unit_id is not None:
        roots = [access_results(scope, unit_id)]
    else:
        roots = list(scope_roots(scope)[: HOMES_SHOWN + 1])
        home.more_units = max(0, len(roots) - HOMES_SHOWN)
        roots = roots[:HOMES_SHOWN]
    for root in roots:
        access_results(scope, root.pk)
        if root.kind in UNIT_KINDS:
            home.units.append(unit_home(scope, root, periods=periods, now=now))
        else:
            home.networks.append(network_home(scope, root, periods=periods, now=now))
    return home


def _member(scope: Scope) -> Member | None:
    if scope.member_id is None:
        return None
    return (
        Member.objects.filter(pk=scope.member_id, is_active=True, unit__isnull=False)
        .select_related("unit")
        .first()
    )


# -- the member's own part -------------------------------------------------------------------


def member_surveys(member: Member) -> list[Survey]:
    """Return the open waves the member may answer, closing soonest first.

    Invited waves (of any lens: a manager's estimate too) are listed until they close,
    answered or not (``Invitation.used`` is never read here); open-link waves of the
    member's lens that reach their unit give a link to answer from the home.
    """
    open_waves = Wave.objects.filter(status=WaveStatus.OPEN)
    # Any lens the member was invited through: a manager's estimate too.
    invited = {
        invitation.wave_id: invitation.channel
        for invitation in Invitation.objects.filter(
            member=member,
            wave__in=open_waves,
            status__in=(InvitationStatus.PENDING, InvitationStatus.SENT),
        ).only("wave_id", "channel")
    }
    ancestors = [*member.unit.ancestor_ids, member.unit_id]
    surveys: list[Survey] = []
    linked = open_waves.filter(open_links=True, lens=member.lens, units__pk__in=ancestors)
    for wave in linked.distinct():
        if wave.contract_types and member.contract_type not in wave.contract_types:
            continue
        url = reverse("collect:respond_open", args=[wave.public_id, member.unit_id])
        surveys.append(Survey(wave=wave, url=url))
        invited.pop(wave.pk, None)
    for wave in open_waves.filter(pk__in=invited):
        surveys.append(Survey(wave=wave, url=None, channel=invited[wave.pk]))
    return sorted(surveys, key=lambda survey: (survey.wave.closes_at, survey.wave.pk))


def personal_home(scope: Scope, member: Member, *, now: datetime) -> PersonalHome:
    """Return the member's own part: surveys, voices, published results, ideas."""
    mine = voices_of_member(member)
    publications = list(publications_for(scope)[:SHOWN])
    published = None
    if publications:
        latest = access_publication(scope, publications[0].pk)
        published = publication_results(latest, lens=publication_lens(scope))
    supported = supported_by(member)
    ideas = [
        voice
        for voice in voices_rising().exclude(author=member)[: SHOWN * 4]
        if voice.pk not in supported
    ][:SHOWN]
    user = member.user
    maps = list(map_publications_for(user)[:SHOWN]) if user is not None else []
    return PersonalHome(
        member=member,
        surveys=member_surveys(member),
        voices=list(mine.order_by("-answer_unread", "-received_at", "id")[:SHOWN]),
        unread=mine.filter(answer_unread=True).count(),
        publications=publications,
        published=published,
        ideas=ideas,
        map_waves=member_map_waves(user) if user is not None else [],
        maps=maps,
        latest_map=published_map_for(maps[0], user) if maps else None,
    )


def member_map_waves(user: Any) -> list[MapWave]:
    """Return the open map waves ``user`` has a seat in, answered or not (like surveys)."""
    waves = MapWave.objects.filter(status=MapWaveStatus.OPEN).select_related("unit")
    return [wave for wave in waves.order_by("pk") if map_seat(wave, user) is not None]


# -- a unit ----------------------------------------------------------------------------------


def _index(unit: Unit, periods: list[Period]) -> list[IndexPoint]:
    return [
        IndexPoint(period.label, unit_symmetry(unit=unit, period=period).index.value)
        for period in periods[-TREND_PERIODS:]
    ]


def _gap(row: MirrorSymmetry, lens: str = Lens.EMPLOYEE) -> float | None:
    gap = row.gaps.get(lens)
    return gap.value if gap is not None else None


def largest_gaps(
    rows: list[MirrorSymmetry], count: int, lens: str = Lens.EMPLOYEE
) -> list[MirrorSymmetry]:
    """Return the mirrors where customers and ``lens`` differ most (hidden ones left out)."""
    shown = [row for row in rows if _gap(row, lens) is not None]
    return sorted(shown, key=lambda row: -abs(_gap(row, lens) or 0))[:count]


def participation(scope: Scope, unit: Unit, *, today: date) -> list[Participation]:
    """Return the open waves reaching ``unit`` with their gated counts there."""
    found = []
    for wave in waves_in_scope(scope, status=WaveStatus.OPEN).order_by("closes_at", "pk"):
        counts = wave_counts(wave, scope, today=today)
        row = next((row for row in counts.rows if row.unit_id == unit.pk), None)
        if row is None and unit.parent_id is None:
            row = counts.total
        if row is not None:
            found.append(Participation(wave, row, counts.as_of))
        if len(found) == LISTED:
            break
    return found


def voices_due(scope: Scope, unit: Unit, *, now: datetime) -> VoicesDue:
    """Return the open voices of the unit's subtree past or near their deadline."""
    waiting = voices_inbox(scope, unit=unit, now=now).exclude(status=VoiceStatus.ANSWERED)
    soon = now + timedelta(days=DUE_SOON_DAYS)
    return VoicesDue(
        late=waiting.filter(due_at__lte=now).count(),
        soon=waiting.filter(due_at__gt=now, due_at__lte=soon).count(),
        escalated=waiting.filter(escalated_at__isnull=False).count(),
        listed=list(waiting.filter(due_at__lte=soon).order_by("due_at", "id")[:LISTED]),
    )


def unit_home(scope: Scope, unit: Unit, *, periods: list[Period], now: datetime) -> UnitHome:
    """Return a unit's part: index and trend, widest mirrors, estimate gaps, counts, voices."""
    period = periods[-1] if periods else None
    estimates = _estimates(unit, period)
    return UnitHome(
        unit=unit,
        period=period,
        index=_index(unit, periods),
        mirrors=_mirrors(unit, period),
        estimates=[row for row in estimates if row.gap.value is not None][:SHOWN],
        estimated=bool(estimates),
        attributed=attributed_gaps(unit, period, estimates),
        participation=participation(scope, unit, today=timezone.localdate(now)),
        voices=voices_due(scope, unit, now=now),
    )


def _mirrors(unit: Unit, period: Period | None) -> list[MirrorSymmetry]:
    if period is None:
        return []
    return largest_gaps(experience_symmetry(unit=unit, period=period), SHOWN)


def attributed_gaps(
    unit: Unit, period: Period | None, rows: list[PerceptionGap]
) -> list[AttributedGap]:
    """Return the unit's own attributed estimates against what its employees say, widest first.

    The estimate is a manager's judgement shown under their name at their unit
    (``results.selectors.estimates``); the employees' figure is the gate's, the marker
    when hidden. Mirrors are matched through the management question of each.
    """
    if period is None or not rows:
        return []
    estimates = unit_estimates(unit=unit, period=period)
    if not estimates:
        return []
    codes = dict(
        Item.objects.filter(pk__in=[row.management.subject.item_id for row in rows]).values_list(
            "pk", "code"
        )
    )
    by_code = {codes.get(row.management.subject.item_id): row for row in rows}
    found = []
    for estimate in estimates:
        for answer in estimate.answers:
            row = by_code.get(answer.item_code)
            if row is None or answer.score is None:
                continue
            found.append(AttributedGap(row.mirror, estimate.author, answer.score, row.actual))
    return sorted(found, key=lambda item: -abs(item.gap) if item.gap is not None else 1)[:SHOWN]


def _estimates(unit: Unit, period: Period | None) -> list[PerceptionGap]:
    if period is None:
        return []
    rows = perception_gaps(unit=unit, period=period)
    # The widest visible gaps first; hidden ones (no value) after them.
    return sorted(rows, key=lambda row: -abs(row.gap.value) if row.gap.value is not None else 1)


# -- a subtree -------------------------------------------------------------------------------


def _drill_url(unit: Unit) -> str:
    """Return where tapping a unit leads: its own home part below, or its result page."""
    if unit.kind in UNIT_KINDS:
        return reverse("reports:unit", args=[unit.pk])
    return reverse("core:home") + f"?unit={unit.pk}"


def _candidates(unit: Unit) -> list[Unit]:
    """Return the units compared for attention: the shops (or branches) below, else children."""
    below = Unit.objects.filter(
        path__startswith=unit.path, kind__in=(UnitKind.SHOP, UnitKind.BRANCH)
    ).exclude(pk=unit.pk)
    if below.count() > ATTENTION_UNITS or not below.exists():
        below = unit_children(unit)
    return list(below.order_by("name"))


def _late_by_unit(scope: Scope, units: list[Unit], *, now: datetime) -> dict[int, int]:
    late: dict[int, int] = {}
    if not units:
        return late
    overdue = voices_inbox(scope, overdue=True, now=now).values_list("unit__path", flat=True)
    paths = {unit.path: unit.pk for unit in units}
    for path in overdue:
        for prefix, pk in paths.items():
            if path.startswith(prefix):
                late[pk] = late.get(pk, 0) + 1
    return late


def attention(scope: Scope, unit: Unit, *, periods: list[Period], now: datetime) -> list[Attention]:
    """Return the units below ``unit`` that need attention first, the most reasons first.

    Reasons: a mirror where customers and employees differ by ``GAP_ATTENTION`` points or
    more, an index fallen by ``FALL_ATTENTION`` points since the previous period, voices
    past their deadline. Figures hidden by the gate give no reason.
    """
    if not periods:
        return []
    period = periods[-1]
    previous = periods[-2] if len(periods) > 1 else None
    units = _candidates(unit)
    late = _late_by_unit(scope, units, now=now)
    found = []
    for candidate in units:
        symmetry = unit_symmetry(unit=candidate, period=period)
        gaps = symmetry.experience_gaps
        mirror = max(gaps, key=lambda code: abs(gaps[code]), default="")
        fall = None
        if previous is not None and symmetry.index.value is not None:
            before = unit_symmetry(unit=candidate, period=previous).index.value
            fall = None if before is None else before - symmetry.index.value
        item = Attention(
            unit=candidate,
            url=_drill_url(candidate),
            gap=gaps.get(mirror),
            gap_mirror=mirror,
            fall=fall,
            late=late.get(candidate.pk, 0),
        )
        if item.weight[0]:
            found.append(item)
    listed = sorted(found, key=lambda item: item.weight, reverse=True)[:LISTED]
    return _with_mirror_titles(listed)


def _with_mirror_titles(items: list[Attention]) -> list[Attention]:
    codes = {item.gap_mirror for item in items if item.wide_gap}
    titles: dict[str, Subject] = {}
    for mirror in Mirror.objects.filter(code__in=codes).order_by("-order", "-pk"):
        titles[mirror.code] = Subject("mirror", mirror.code, mirror.title_fr, mirror.title_en)
    return [replace(item, mirror=titles.get(item.gap_mirror)) for item in items]


def heatmap(unit: Unit, period: Period | None) -> tuple[list[Subject], list[HeatRow]]:
    """Return the units just below by the mirrors where they differ most (gap per cell).

    The columns are the mirrors with the widest visible gap at the unit or a unit below
    (a hidden gap ranks last); a hidden cell is the marker, whatever its base.
    """
    if period is None:
        return [], []
    children = list(unit_children(unit).order_by("name"))
    by_unit = {
        child.pk: {row.mirror.code: row for row in experience_symmetry(unit=child, period=period)}
        for child in children
    }
    mirrors: dict[str, Subject] = {}
    widest: dict[str, float] = {}
    for rows in [
        *by_unit.values(),
        {row.mirror.code: row for row in experience_symmetry(unit=unit, period=period)},
    ]:
        for code, row in rows.items():
            if Lens.EMPLOYEE not in row.gaps:
                continue
            mirrors.setdefault(code, row.mirror)
            gap = _gap(row)
            widest[code] = max(widest.get(code, -1.0), abs(gap) if gap is not None else -1.0)
    codes = sorted(mirrors, key=lambda code: -widest[code])[:HEAT_MIRRORS]
    heat_rows = []
    for child in children:
        url = _drill_url(child)
        cells = []
        for code in codes:
            row = by_unit[child.pk].get(code)
            gap = _gap(row) if row is not None else None
            hidden = row is not None and gap is None
            cells.append(HeatCell(mirror=code, value=gap, suppressed=hidden, url=url))
        heat_rows.append(HeatRow(unit=child, url=url, cells=cells))
    return [mirrors[code] for code in codes], heat_rows


def _below(unit: Unit, period: Period | None) -> list[tuple[Unit, float | None]]:
    if period is None:
        return []
    children = {child.pk: child for child in unit_children(unit)}
    return [
        (children[row.unit_id], row.index.value)
        for row in network_symmetry(unit=unit, period=period, levels=1)
        if row.unit_id in children
    ]


def network_home(scope: Scope, unit: Unit, *, periods: list[Period], now: datetime) -> NetworkHome:
    """Return a subtree's part: index, units needing attention, listening, heatmap."""
    period = periods[-1] if periods else None
    columns, rows = heatmap(unit, period)
    estimates = _estimates(unit, period)
    return NetworkHome(
        unit=unit,
        period=period,
        index=_index(unit, periods),
        mirrors=_mirrors(unit, period),
        estimates=[row for row in estimates if row.gap.value is not None][:SHOWN],
        estimated=bool(estimates),
        attributed=attributed_gaps(unit, period, estimates),
        attention=attention(scope, unit, periods=periods, now=now),
        below=_below(unit, period),
        listening=listening_symmetry(unit=unit, period=period) if period else None,
        columns=columns,
        heatmap=rows,
        participation=participation(scope, unit, today=timezone.localdate(now)),
        voices=voices_due(scope, unit, now=now),
    )


def figure_score(figure: Figure | None) -> float | None:
    """Return a figure's 0-100 score, or None when it is hidden or absent."""
    if figure is None or figure.suppressed:
        return None
    statistic = figure.statistic("score")
    return None if statistic is None else statistic.value
