"""Unit results and trends: the gated figures of a unit and its subtree, by item,
dimension or mirror, for a period, a series of periods, or each segment value.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from miroir.collect.models import lens_attribute
from miroir.instruments.models import Item
from miroir.org.models import ContractType, Lens, Proximity, Unit
from miroir.results.engine import stats
from miroir.results.engine.context import Context, context
from miroir.results.engine.release import Release
from miroir.results.figures import Figure, Results, Subject
from miroir.results.models import Rollup, RollupResponses
from miroir.results.periods import Period, period_of, release_grain

SUBJECT_KINDS = ("item", "dimension", "mirror")


def check_lens_subject(lens: str, subject: str) -> None:
    """Raise ``ValueError`` naming the lens or subject kind that does not exist."""
    if lens not in Lens.values:
        raise ValueError(f"unknown lens {lens!r}; expected one of {', '.join(Lens.values)}")
    if subject not in SUBJECT_KINDS:
        raise ValueError(f"unknown subject {subject!r}; expected item, dimension or mirror")


def _figures(
    ctx: Context,
    release: Release,
    previous: Release | None,
    subject_kind: str,
    unit_ids: Sequence[int],
    segment: tuple[str, str] | None = None,
) -> list[Figure]:
    items = ctx.release_items(release)
    figures: list[Figure] = []
    if subject_kind == "dimension":
        if segment is not None:
            raise ValueError("dimension figures have no segments; ask for items or mirrors")
        for subject, members in stats.dimension_subjects(items):
            figures.extend(
                stats.pooled_figure(release, previous, members, unit_id, subject)
                for unit_id in unit_ids
            )
        return figures
    for item in items:
        if subject_kind == "mirror" and item.mirror is None:
            continue
        subject = stats.item_subject(item, subject_kind)
        figures.extend(
            stats.item_figure(release, previous, item, unit_id, subject, segment)
            for unit_id in unit_ids
        )
    return figures


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
    check_lens_subject(lens, subject)
    ctx = context(today)
    return _unit_results(ctx, unit, lens, period, subject, segment, levels, with_change)


def _unit_results(
    ctx: Context,
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


def peer_scores(
    *, top: Unit, kind: str, lens: str, period: Period, today: date | None = None
) -> dict[str, dict[int, float]]:
    """Return {dimension code: {unit id: score}} of the units of ``kind`` under ``top``.

    Only the scores the gate shows (to this request's reader); the same values as the
    ``score`` of ``unit_results(..., subject="dimension")``. Computed once per release
    and kept with it: a unit page ranks its unit among every shop of the network.
    """
    check_lens_subject(lens, "dimension")
    ctx = context(today)
    release = ctx.release(lens, period)
    key = ("peer-scores", top.pk, kind, ctx.tree.signature)
    found: dict[str, dict[int, float]] = release.kept(
        key, lambda: _peer_scores(ctx, release, top, kind)
    )
    return found


def _peer_scores(
    ctx: Context, release: Release, top: Unit, kind: str
) -> dict[str, dict[int, float]]:
    peers = [ref.id for ref in ctx.tree.descendants(top, None) if ref.kind == kind]
    scores: dict[str, dict[int, float]] = {}
    for subject, members in stats.dimension_subjects(ctx.release_items(release)):
        found = stats.pooled_scores(release, members, peers)
        if found:
            scores.setdefault(subject.code, {}).update(found)
    return scores


def unit_trend(
    *,
    unit: Unit,
    lens: str,
    periods: Sequence[Period],
    subject: str = "item",
    today: date | None = None,
) -> list[Results]:
    """Return the unit's figures for each period (oldest first as given), changes included."""
    check_lens_subject(lens, subject)
    ctx = context(today)
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
    check_lens_subject(lens, subject)
    if subject == "dimension":
        raise ValueError("segment figures are for items or mirrors")
    attribute = lens_attribute(lens)
    ctx = context(today)
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
    check_lens_subject(lens, kind)
    ids = (
        Rollup.objects.filter(lens=lens, period__in=period.month_starts())
        .values_list("item_id", flat=True)
        .distinct()
    )
    items = list(Item.objects.filter(pk__in=ids).select_related("mirror").order_by("order", "pk"))
    if kind == "dimension":
        return [subject for subject, _ in stats.dimension_subjects(items)]
    return [
        stats.item_subject(item, kind)
        for item in items
        if kind != "mirror" or item.mirror is not None
    ]


# -- the three comparisons ------------------------------------------------------------------
