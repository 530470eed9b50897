"""The three comparisons and the index: experience symmetry, the perception gap,
listening symmetry, the service barometer's headline, and the symmetry index.
"""

from __future__ import annotations

from datetime import date

from miroir.analytics import estimates
from miroir.analytics.symmetry import symmetry_index
from miroir.instruments.models import Item, Mirror
from miroir.instruments.scales import SCALES, PointScale
from miroir.org.models import Lens, Unit
from miroir.results.engine import stats
from miroir.results.engine.context import Context, context
from miroir.results.figures import (
    BarometerHeadline,
    Figure,
    Gap,
    LensListening,
    ListeningSymmetry,
    MirrorSymmetry,
    PerceptionGap,
    UnitSymmetry,
)
from miroir.results.periods import Period

BAROMETER_FAMILY = "barometre-service"
BAROMETER_SUGGESTIONS = "suggestions"
BAROMETER_COMPLAINTS = "reclamations"


def _score(
    ctx: Context, lens: str, period: Period, item: Item, unit_id: int, with_change: bool = True
) -> tuple[Figure, estimates.MeanEstimate | None]:
    """Return an item's gated figure at a unit and its 0-100 estimate (None when hidden)."""
    release = ctx.release(lens, period)
    previous = ctx.release(lens, period.previous()) if with_change else None
    figure = stats.item_figure(release, previous, item, unit_id, stats.item_subject(item, "mirror"))
    tally = release.tally(item.pk, unit_id)
    if figure.suppressed or tally is None or not issubclass(SCALES[item.scale], PointScale):
        return figure, None
    return figure, estimates.on_100(
        estimates.mean_from_counts(stats.counts(tally, stats.scale_of(item.scale))),
        scale=item.scale,
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


def _mirrors(ctx: Context, period: Period) -> dict[int, tuple[Mirror, dict[str, Item]]]:
    """Return the mirrors with answers in the period: mirror id → (mirror, lens → item)."""
    if period not in ctx.mirrors:
        ctx.mirrors[period] = _read_mirrors(ctx, period)
    return ctx.mirrors[period]


def _read_mirrors(ctx: Context, period: Period) -> dict[int, tuple[Mirror, dict[str, Item]]]:
    # The items answered in the period are those of its releases (read anyway).
    ids = {pk for lens in Lens.values for pk in ctx.release(lens, period).item_ids}
    found: dict[int, tuple[Mirror, dict[str, Item]]] = {}
    for item in (
        Item.objects.filter(pk__in=ids, mirror__isnull=False)
        .select_related("mirror")
        .order_by("mirror__order", "mirror_id", "pk")
    ):
        mirror = item.mirror
        if mirror is not None:
            found.setdefault(mirror.pk, (mirror, {}))[1][item.lens] = item
    return found


def _experience(
    ctx: Context, unit: Unit, period: Period, with_change: bool = True
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
        gaps: dict[str, Gap] = {
            lens: _gap(scores[Lens.CUSTOMER], scores[lens])
            for lens in (Lens.EMPLOYEE, Lens.PARTNER)
            if lens in scores
        }
        subject = stats.item_subject(by_lens[Lens.CUSTOMER], "mirror")
        rows.append(MirrorSymmetry(subject, figures, gaps))
    return rows


def experience_symmetry(
    *, unit: Unit, period: Period, today: date | None = None
) -> list[MirrorSymmetry]:
    """Return, per mirror, customer, employee and partner scores (0-100) and customer - each."""
    return _experience(context(today), unit, period)


def _perception(
    ctx: Context, unit: Unit, period: Period, versus: str, with_change: bool = True
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
                stats.item_subject(by_lens[Lens.MANAGEMENT], "mirror"),
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
    return _perception(context(today), unit, period, versus)


def _listening(ctx: Context, unit: Unit, period: Period) -> ListeningSymmetry:
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
    return _listening(context(today), unit, period)


def _barometer_item(ctx: Context, period: Period, code: str, unit_id: int) -> Item | None:
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
    ctx = context(today)
    release = ctx.release(Lens.EMPLOYEE, period)
    previous = ctx.release(Lens.EMPLOYEE, period.previous())
    found: dict[str, tuple[Figure | None, estimates.Estimate | None]] = {}
    for code in (BAROMETER_SUGGESTIONS, BAROMETER_COMPLAINTS):
        item = _barometer_item(ctx, period, code, unit.pk)
        if item is None:
            found[code] = (None, None)
            continue
        figure = stats.item_figure(release, previous, item, unit.pk, stats.item_subject(item))
        estimate = None
        tally = release.tally(item.pk, unit.pk)
        if not figure.suppressed and tally is not None:
            estimate = estimates.top_box(
                stats.counts(tally, stats.scale_of(item.scale)), scale=item.scale
            )
        found[code] = (figure, estimate)
    suggestions, complaints = found[BAROMETER_SUGGESTIONS], found[BAROMETER_COMPLAINTS]
    gap = _gap(suggestions[1], complaints[1]) if suggestions[0] and complaints[0] else None
    return BarometerHeadline(suggestions[0], complaints[0], gap)


def _unit_symmetry(ctx: Context, unit: Unit, period: Period) -> UnitSymmetry:
    experience = {
        row.mirror.code: gap
        # The index needs this period's scores only, not their change.
        for row in _experience(ctx, unit, period, with_change=False)
        if Lens.EMPLOYEE in row.gaps and (gap := row.gaps[Lens.EMPLOYEE].value) is not None
    }
    perception = {
        row.mirror.code: gap
        for row in _perception(ctx, unit, period, Lens.EMPLOYEE, with_change=False)
        if (gap := row.gap.value) is not None
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
    return _unit_symmetry(context(today), unit, period)


def network_symmetry(
    *, unit: Unit, period: Period, levels: int | None = 1, today: date | None = None
) -> list[UnitSymmetry]:
    """Return the symmetry index of ``unit`` and of its subtree down ``levels`` levels."""
    ctx = context(today)
    refs = ctx.tree.descendants(unit, levels)
    units = Unit.objects.in_bulk([ref.id for ref in refs])
    return [_unit_symmetry(ctx, units[ref.id], period) for ref in refs]
