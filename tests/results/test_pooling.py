"""Pooled indices: computed for many units at once, they equal the unit-by-unit ones."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from miroir.instruments.models import Item
from miroir.org.models import Unit
from miroir.results.engine import stats
from miroir.results.engine.context import Context
from miroir.results.engine.release import Packed, Release
from miroir.results.engine.tally import Tally
from miroir.results.figures import Subject
from miroir.results.periods import period_of

pytestmark = pytest.mark.django_db


def test_indices_pooled_for_every_unit_at_once_equal_those_pooled_one_by_one(
    personas, answered
) -> None:
    ctx = Context(timezone.localdate())
    release = ctx.release("employee", period_of(timezone.localdate()))
    items = stats.point_items(ctx.release_items(release))
    ids = [*Unit.objects.order_by("pk").values_list("pk", flat=True), 10**9]
    together = stats.pooled_many(release, items, ids)
    alone = [stats.pooled(release, items, pk) for pk in ids]
    assert [pool is None for pool in together] == [pool is None for pool in alone]
    # Hidden (Lille Caisse: nobody; Arras: nobody) and shown units are both present.
    assert any(pool is None for pool in alone) and any(pool is not None for pool in alone)
    for many, one in zip(together, alone, strict=True):
        if one is None:
            continue
        assert (many.n, many.dont_know, many.top, many.top2, many.top2_n) == (
            one.n,
            one.dont_know,
            one.top,
            one.top2,
            one.top2_n,
        )
        assert many.total == pytest.approx(one.total)
        assert many.total_squares == pytest.approx(one.total_squares)


SCALES_POOLED = ("agree5", "csat5", "ces5", "ces7", "nps")


@st.composite
def _release_and_items(draw: st.DrawFn) -> tuple[Release, list[Item], list[int]]:
    """A release of random tallies over a few units and point-scale items, some hidden."""
    scales = draw(st.lists(st.sampled_from(SCALES_POOLED), min_size=1, max_size=4))
    items = [Item(pk=index + 1, scale=code, dimension="sens") for index, code in enumerate(scales)]
    units = list(range(1, draw(st.integers(1, 12)) + 1))
    release = Release(
        lens="employee",
        period=period_of(date(2026, 11, 1)),
        attribute="",
        threshold=5,
        verbatim_threshold=10,
        as_of=None,
    )
    for item in items:
        values = [value for value in stats.scale_of(item.scale).values() if value is not None]
        tallies, shown = {}, []
        for unit_id in draw(st.lists(st.sampled_from(units), unique=True)):
            answers = draw(st.lists(st.sampled_from(values), max_size=15))
            counts = [0] * 11
            for value in answers:
                counts[value] += 1
            tallies[unit_id] = Tally(
                n=len(answers),
                dont_know=draw(st.integers(0, 3)),
                total=float(sum(answers)),
                total_squares=float(sum(value * value for value in answers)),
                values=counts,
            )
            if draw(st.booleans()) or draw(st.booleans()):
                shown.append(unit_id)
        release.totals[item.pk] = Packed(tallies, shown)
    return release, items, [*units, 99]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_release_and_items())
def test_scores_pooled_for_every_unit_at_once_are_the_figures_scores_exactly(drawn) -> None:
    release, items, ids = drawn
    subject = Subject("dimension", "sens", "Sens", "Meaning", dimension="sens")
    one_by_one = {}
    for unit_id in ids:
        figure = stats.compute_pooled_figure(release, None, items, unit_id, subject)
        statistic = None if figure.suppressed else figure.statistic("score")
        if statistic is not None and statistic.value is not None:
            one_by_one[unit_id] = statistic.value
    # Exactly equal, not approximately: a percentile compares scores, ties included.
    assert stats.pooled_scores(release, items, ids) == one_by_one
