from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from miroir.analytics.estimates import (
    EstimateError,
    box_share,
    counts_pool,
    csat,
    mean_from_counts,
    mean_from_sums,
    mean_table,
    nps_from_buckets,
    nps_from_counts,
    nps_table,
    on_100,
    share_from_counts,
    share_table,
    top2_box,
    top_box,
)


def expand(counts):
    return np.repeat(
        [float(v) for v in counts if v is not None], [c for v, c in counts.items() if v is not None]
    )


def test_mean_and_its_t_interval_agree_with_scipy():
    counts = {1: 4, 2: 7, 3: 11, 4: 19, 5: 9}
    answers = expand(counts)
    estimate = mean_from_counts(counts)
    low, high = stats.t.interval(
        0.95, len(answers) - 1, loc=answers.mean(), scale=stats.sem(answers)
    )
    assert estimate.n == 50
    assert estimate.value == pytest.approx(answers.mean(), abs=1e-12)
    assert estimate.sd == pytest.approx(answers.std(ddof=1), abs=1e-12)
    assert (estimate.low, estimate.high) == pytest.approx((low, high), abs=1e-12)


def test_a_mean_from_a_roll_ups_sums_equals_the_mean_from_its_counts():
    counts = {1: 3, 4: 8, 6: 2, 7: 12}
    answers = expand(counts)
    from_sums = mean_from_sums(
        n=len(answers), total=answers.sum(), total_squares=(answers**2).sum()
    )
    from_counts = mean_from_counts(counts)
    assert from_sums.value == pytest.approx(from_counts.value)
    assert (from_sums.low, from_sums.high) == pytest.approx((from_counts.low, from_counts.high))


def test_dont_know_answers_are_left_out_of_the_mean_and_reported():
    estimate = mean_from_counts({5: 2, 3: 2, None: 6})
    assert (estimate.n, estimate.value, estimate.dont_know) == (4, 4.0, 6)


def test_a_mean_over_nobody_has_no_value_and_over_one_person_no_interval():
    assert mean_from_counts({None: 3}).value is None
    single = mean_from_counts({4: 1})
    assert (single.value, single.low, single.high, single.sd) == (4.0, None, None, None)


@pytest.mark.parametrize(
    ("count", "n"), [(0, 12), (3, 12), (12, 12), (1, 1), (37, 250), (999, 1000)]
)
def test_share_interval_is_wilsons_as_in_statsmodels(count, n):
    estimate = share_from_counts(count=count, n=n)
    low, high = proportion_confint(count, n, alpha=0.05, method="wilson")
    assert estimate.value == count / n
    assert (estimate.low, estimate.high) == pytest.approx((low, high), abs=1e-12)


def test_top_box_excludes_dont_know_from_numerator_and_denominator():
    estimate = top_box({5: 6, 4: 3, 2: 1, None: 10}, scale="agree5")
    assert (estimate.count, estimate.n, estimate.dont_know) == (6, 10, 10)
    assert estimate.value == 0.6


def test_top2_box_of_the_older_effort_scale_counts_the_low_effort_answers():
    estimate = top2_box({1: 5, 2: 3, 3: 1, 5: 1}, scale="ces5")
    assert (estimate.count, estimate.n) == (8, 10)


def test_csat_is_the_share_of_4_and_5():
    estimate = csat({1: 1, 2: 1, 3: 2, 4: 3, 5: 3})
    assert (estimate.count, estimate.n) == (6, 10)


def test_csat_refuses_values_outside_its_scale_and_dont_know():
    with pytest.raises(EstimateError, match="csat5: 0 is not a value"):
        csat({0: 1, 4: 3})
    with pytest.raises(EstimateError, match='no "don\'t know"'):
        csat({4: 3, None: 1})


def test_scales_without_a_top2_box_say_so():
    with pytest.raises(EstimateError, match="nps has no top-2 box"):
        top2_box({9: 1}, scale="nps")


def test_box_share_refuses_negative_or_fractional_counts():
    with pytest.raises(EstimateError, match="cannot be negative"):
        box_share({1: -1}, {1})
    with pytest.raises(EstimateError, match="whole number"):
        box_share({1: 2.5}, {1})


def test_nps_buckets_are_0_to_6_7_to_8_and_9_to_10():
    counts = dict.fromkeys(range(11), 1)
    estimate = nps_from_counts(counts)
    assert (estimate.detractors, estimate.passives, estimate.promoters) == (7, 2, 2)
    assert estimate.value == pytest.approx((2 - 7) / 11 * 100)


@pytest.mark.parametrize("value", [7.5, 11, -1, True, None, "9", 9.0])
def test_nps_accepts_only_whole_numbers_from_0_to_10(value):
    with pytest.raises(EstimateError, match=r"NPS answers must be whole numbers from 0 to 10"):
        nps_from_counts({value: 3, 9: 1})


def test_nps_interval_is_the_adjusted_wald_computed_by_hand():
    # 50 promoters, 10 passives, 20 detractors: n + 3 = 83, promoters (50 + 0.75)/83,
    # detractors (20 + 0.75)/83 = 0.25, adjusted NPS 0.361446, variance
    # (0.611446 + 0.25 - 0.361446²)/83 = 0.0088048, half-width 1.959964 * 0.093834.
    estimate = nps_from_buckets(promoters=50, passives=10, detractors=20)
    assert estimate.value == 37.5
    assert estimate.low == pytest.approx(17.7534, abs=1e-4)
    assert estimate.high == pytest.approx(54.5357, abs=1e-4)


def test_nps_bounds_stay_within_minus_100_and_100():
    everyone = nps_from_buckets(promoters=400, passives=0, detractors=0)
    nobody = nps_from_buckets(promoters=0, passives=0, detractors=400)
    assert everyone.high <= 100 and nobody.low >= -100


def test_the_two_effort_scales_are_never_pooled():
    with pytest.raises(EstimateError, match="ces7 and ces5 cannot be pooled"):
        counts_pool([("ces7", {7: 3}), ("ces5", {1: 2})])


def test_pooling_sums_counts_of_one_scale():
    scale, counts = counts_pool([("agree5", {5: 3, None: 1}), ("agree5", {5: 2, 4: 1})])
    assert (scale, counts) == ("agree5", {5: 5, None: 1, 4: 1})


def test_on_100_moves_a_mean_to_percent_of_maximum_and_reverses_low_is_good_scales():
    agree = on_100(mean_from_counts({4: 2, 5: 2}), scale="agree5")
    assert agree.value == pytest.approx(87.5)
    effort = mean_from_counts({1: 2, 2: 2})
    moved = on_100(effort, scale="ces5")
    assert moved.value == pytest.approx(87.5)
    assert moved.low == pytest.approx((5 - effort.high) / 4 * 100)
    assert moved.low < moved.value < moved.high


def test_share_table_matches_the_single_estimates():
    rng = np.random.default_rng(3)
    n = rng.integers(0, 60, size=200)
    count = (n * rng.random(200)).astype(int)
    table = share_table(count, n)
    for i in range(200):
        single = share_from_counts(count=int(count[i]), n=int(n[i]))
        if single.value is None:
            assert math.isnan(table.value[i]) and math.isnan(table.low[i])
        else:
            assert (table.value[i], table.low[i], table.high[i]) == pytest.approx(
                (single.value, single.low, single.high), abs=1e-12
            )


def test_mean_table_matches_the_single_estimates():
    rng = np.random.default_rng(4)
    n = rng.integers(0, 30, size=100)
    sums, squares = [], []
    for size in n:
        answers = rng.integers(1, 6, size=size).astype(float)
        sums.append(answers.sum())
        squares.append((answers**2).sum())
    table = mean_table(n, sums, squares)
    for i in range(100):
        single = mean_from_sums(n=int(n[i]), total=sums[i], total_squares=squares[i])
        if single.low is None:
            assert math.isnan(table.low[i])
        else:
            assert (table.value[i], table.low[i], table.high[i]) == pytest.approx(
                (single.value, single.low, single.high), abs=1e-9
            )


def test_nps_table_matches_the_single_estimates():
    rng = np.random.default_rng(5)
    buckets = rng.integers(0, 40, size=(3, 100))
    table = nps_table(*buckets)
    for i in range(100):
        single = nps_from_buckets(
            promoters=int(buckets[0, i]), passives=int(buckets[1, i]), detractors=int(buckets[2, i])
        )
        assert (table.value[i], table.low[i], table.high[i]) == pytest.approx(
            (single.value, single.low, single.high), abs=1e-9
        )


def test_a_count_above_its_base_is_refused():
    with pytest.raises(EstimateError, match=r"count \(5\) cannot exceed the base n \(4\)"):
        share_from_counts(count=5, n=4)


def test_the_nps_interval_holds_the_nps_for_every_split_of_2_to_60_respondents():
    for n in range(2, 61):
        promoters, detractors = np.meshgrid(np.arange(n + 1), np.arange(n + 1))
        possible = promoters + detractors <= n
        promoters, detractors = promoters[possible], detractors[possible]
        table = nps_table(promoters, n - promoters - detractors, detractors)
        assert np.all(table.low <= table.value + 1e-9)
        assert np.all(table.value <= table.high + 1e-9)


def test_yes_no_has_a_top_box_and_its_mean_moves_to_a_percentage():
    assert top_box({1: 3, 0: 1}, scale="yes_no").value == 0.75
    assert on_100(mean_from_counts({1: 3, 0: 1}), scale="yes_no").value == pytest.approx(75)


def test_scales_without_numbers_have_no_top_box():
    with pytest.raises(EstimateError, match="emotion is not a numeric scale"):
        top_box({1: 1}, scale="emotion")
