from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from miroir.analytics.estimates import (
    difference,
    mean_from_counts,
    nps_from_buckets,
    share_from_counts,
)

counts = st.integers(min_value=0, max_value=5000)


@st.composite
def shares(draw):
    n = draw(st.integers(min_value=1, max_value=5000))
    return share_from_counts(count=draw(st.integers(min_value=0, max_value=n)), n=n)


@given(shares())
def test_a_share_interval_holds_the_share_and_stays_within_0_and_1(share):
    assert 0 <= share.low <= share.value <= share.high <= 1


@given(counts, counts, counts)
def test_nps_and_its_bounds_stay_within_minus_100_and_100(promoters, passives, detractors):
    nps = nps_from_buckets(promoters=promoters, passives=passives, detractors=detractors)
    if nps.n == 0:
        assert nps.value is None
        return
    assert -100 <= nps.low <= nps.high <= 100
    assert -100 <= nps.value <= 100


@given(counts, counts, counts)
def test_the_nps_interval_holds_the_nps_from_2_respondents(promoters, passives, detractors):
    nps = nps_from_buckets(promoters=promoters, passives=passives, detractors=detractors)
    if nps.n >= 2:
        assert nps.low <= nps.value <= nps.high


@given(st.dictionaries(st.integers(min_value=1, max_value=5), st.integers(0, 300), min_size=1))
def test_a_mean_interval_holds_the_mean(distribution):
    mean = mean_from_counts(distribution)
    if mean.n >= 2:
        assert mean.low <= mean.value + 1e-12 and mean.value <= mean.high + 1e-12
        assert 1 <= mean.value <= 5


@settings(max_examples=200)
@given(shares(), shares())
def test_a_share_difference_holds_the_difference_and_its_flag_matches_its_p_value(a, b):
    gap = difference(a, b)
    assert -1 <= gap.low <= gap.value + 1e-12
    assert gap.value <= gap.high + 1e-12 <= 1 + 1e-12
    if abs(gap.p_value - 0.05) > 1e-6:
        assert gap.significant == (gap.p_value < 0.05)


@given(counts, counts, counts, counts, counts, counts)
def test_an_nps_difference_flag_matches_its_p_value(a, b, c, d, e, f):
    first = nps_from_buckets(promoters=a, passives=b, detractors=c)
    second = nps_from_buckets(promoters=d, passives=e, detractors=f)
    gap = difference(first, second)
    if gap.value is None:
        return
    assert -200 <= gap.low <= gap.high <= 200
    if abs(gap.p_value - 0.05) > 1e-6:
        assert gap.significant == (gap.p_value < 0.05)
