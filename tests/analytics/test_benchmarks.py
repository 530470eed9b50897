"""The percentile rank of a unit among comparable units, against SciPy."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from miroir.analytics import TOO_FEW_UNITS, AnalyticsError
from miroir.analytics.benchmarks import percentile_rank


def test_percentile_rank_by_hand():
    values = [40.0, 50.0, 50.0, 60.0, 70.0]
    # One below, two equal: (1 + 0.5 * 2) / 5.
    assert percentile_rank(values, 50.0) == pytest.approx(40.0)
    assert percentile_rank(values, 70.0) == pytest.approx(90.0)
    assert percentile_rank(values, 40.0) == pytest.approx(10.0)


@given(
    st.lists(
        st.floats(min_value=0, max_value=100, allow_nan=False), min_size=1, max_size=60
    ).flatmap(lambda values: st.tuples(st.just(values), st.sampled_from(values)))
)
def test_percentile_rank_matches_scipy_mean_kind(drawn):
    values, score = drawn
    expected = stats.percentileofscore(values, score, kind="mean")
    assert percentile_rank(values, score) == pytest.approx(expected)


def test_too_few_units_is_refused_with_its_reason():
    with pytest.raises(AnalyticsError) as refused:
        percentile_rank([50.0, 60.0, 70.0], 60.0, minimum=5)
    assert refused.value.reason == TOO_FEW_UNITS
