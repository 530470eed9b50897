"""Pooled indices: computed for many units at once, they equal the unit-by-unit ones."""

from __future__ import annotations

import pytest
from django.utils import timezone

from miroir.org.models import Unit
from miroir.results.engine import stats
from miroir.results.engine.context import Context
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
