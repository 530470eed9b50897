"""Linkage across units: does a unit's employee index go with its customer index?

Across the units of one kind (default shops) under a unit: correlations, a weighted
regression, the lagged panel over several periods, the drivers (employee dimensions),
the reliability of each index, and the units whose gap stands out after correction for
multiplicity. Computed from the releases (``engine.stats.pooled_many``) and one
observation per respondent (``engine.respondents``); kept per process by ``engine.keep``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from miroir.analytics import estimates, linkage, multiplicity, reliability
from miroir.analytics.estimates import EstimateError
from miroir.analytics.linkage import LinkageError
from miroir.analytics.reliability import ReliabilityError
from miroir.instruments.models import Item
from miroir.org.models import Lens, Unit, UnitKind
from miroir.results.engine import keep, stats
from miroir.results.engine.context import Context, context
from miroir.results.engine.release import Release
from miroir.results.engine.respondents import RespondentSums, respondent_sums
from miroir.results.figures import Linkage, UnitFlag
from miroir.results.periods import Period
from miroir.results.reasons import reason_code


def _lens_items(ctx: Context, release: Release) -> list[Item]:
    return stats.point_items(ctx.release_items(release))


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
    ctx = context(today)
    # The same releases give the same linkage: it is computed once per set of them.
    used = [
        ctx.release(lens, step)
        for step in _chain(period, periods)
        for lens in (Lens.EMPLOYEE, Lens.CUSTOMER)
    ]
    key = (unit.pk, period, level, periods, ctx.tree.signature, *(r.serial for r in used))
    return keep.linkage(key, lambda: _unit_linkage(ctx, unit, period, level, periods))


def _chain(period: Period, count: int) -> list[Period]:
    """Return the ``count`` periods ending with ``period`` (at least that one), oldest first."""
    chain = [period]
    for _ in range(max(1, count) - 1):
        chain.insert(0, chain[0].previous())
    return chain


def _unit_linkage(ctx: Context, unit: Unit, period: Period, level: str, periods: int) -> Linkage:
    problems: dict[str, str] = {}
    employee = ctx.release(Lens.EMPLOYEE, period)
    customer = ctx.release(Lens.CUSTOMER, period)
    employee_items = _lens_items(ctx, employee)
    customer_items = _lens_items(ctx, customer)
    candidates = [ref for ref in ctx.tree.descendants(unit, None) if ref.kind == level]
    points: dict[int, tuple[float, float, int]] = {}
    shops = [ref.id for ref in candidates]
    indices = zip(
        stats.pooled_many(employee, employee_items, shops),
        stats.pooled_many(customer, customer_items, shops),
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
    # a person's answers are correlated (results/engine/respondents.py, docs/analytics.md).
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
    ctx: Context,
    employee: Release,
    items: Sequence[Item],
    ids: Sequence[int],
    outcome: Sequence[float],
) -> Any:
    """Return Johnson's relative weights of the employee dimensions on the customer index."""
    predictors: dict[str, list[float | None]] = {}
    for subject, members in stats.dimension_subjects(items):
        predictors[subject.code] = [
            pooled.total / pooled.n if pooled is not None else None
            for pooled in stats.pooled_many(employee, members, ids)
        ]
    return linkage.relative_weights(predictors, list(outcome))


def _lagged(
    ctx: Context,
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
            stats.pooled_many(ex_release, ex_items, ids),
            stats.pooled_many(cx_release, cx_items, ids),
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
