from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep

from miroir.analytics.estimates import (
    EstimateError,
    change,
    difference,
    experience_gap,
    mean_from_counts,
    nps_from_buckets,
    perception_gap,
    share_from_counts,
)

# Newcombe (1998), Statistics in Medicine 17:873-890, table II, method 10.
NEWCOMBE_1998 = [
    ((56, 70, 48, 80), (0.0524, 0.3339)),
    ((9, 10, 3, 10), (0.1705, 0.8090)),
    ((6, 7, 2, 7), (0.0582, 0.8062)),
    ((5, 56, 0, 29), (-0.0381, 0.1926)),
    ((0, 10, 0, 20), (-0.1611, 0.2775)),
    ((10, 10, 0, 20), (0.6791, 1.0000)),
]


@pytest.mark.parametrize(("counts", "published"), NEWCOMBE_1998)
def test_share_difference_reproduces_newcombes_published_intervals(counts, published):
    a, n_a, b, n_b = counts
    gap = difference(share_from_counts(count=a, n=n_a), share_from_counts(count=b, n=n_b))
    assert gap.value == pytest.approx(a / n_a - b / n_b)
    assert (gap.low, gap.high) == pytest.approx(published, abs=5e-5)


@pytest.mark.parametrize(
    "counts", [(56, 70, 48, 80), (3, 40, 12, 41), (0, 5, 5, 5), (130, 400, 100, 380)]
)
def test_share_difference_agrees_with_statsmodels_newcomb(counts):
    a, n_a, b, n_b = counts
    gap = difference(share_from_counts(count=a, n=n_a), share_from_counts(count=b, n=n_b))
    low, high = confint_proportions_2indep(a, n_a, b, n_b, method="newcomb", compare="diff")
    assert (gap.low, gap.high) == pytest.approx((low, high), abs=1e-10)
    assert gap.significant == (low > 0 or high < 0)


def test_share_p_value_is_the_level_where_the_interval_reaches_zero():
    gap = difference(share_from_counts(count=56, n=70), share_from_counts(count=48, n=80))
    level = 1 - gap.p_value
    wider = difference(
        share_from_counts(count=56, n=70, confidence=level),
        share_from_counts(count=48, n=80, confidence=level),
    )
    assert wider.low == pytest.approx(0, abs=1e-9)


def test_change_is_after_minus_before_with_a_welch_interval_as_in_scipy():
    before = {1: 5, 2: 9, 3: 14, 4: 10, 5: 2}
    after = {2: 3, 3: 8, 4: 15, 5: 9}
    moved = change(mean_from_counts(before), mean_from_counts(after))
    first = np.repeat(list(before), list(before.values())).astype(float)
    second = np.repeat(list(after), list(after.values())).astype(float)
    reference = stats.ttest_ind(second, first, equal_var=False)
    interval = reference.confidence_interval(0.95)
    assert moved.value == pytest.approx(second.mean() - first.mean())
    assert (moved.low, moved.high) == pytest.approx((interval.low, interval.high), abs=1e-10)
    assert moved.p_value == pytest.approx(reference.pvalue, abs=1e-12)
    assert moved.significant == (reference.pvalue < 0.05)
    assert moved.method == "Welch t"


def test_nps_difference_is_the_adjusted_wald_computed_by_hand():
    # Each side gets 0.75 promoter, 0.75 detractor and n + 3 (Rocks 2016): a 60/20/20
    # and a 40/20/40 split of 100 give adjusted NPS 0.38835 and 0; variances
    # (0.58981 + 0.20146 - 0.38835²)/103 = 0.0062179 and (0.39563 + 0.39563)/103 =
    # 0.0076822; the difference 0.38835 ± 1.959964 * √0.0139001 = 0.38835 ± 0.23108.
    gap = difference(
        nps_from_buckets(promoters=60, passives=20, detractors=20),
        nps_from_buckets(promoters=40, passives=20, detractors=40),
    )
    assert gap.value == pytest.approx(40.0)
    assert gap.low == pytest.approx(15.727, abs=1e-3)
    assert gap.high == pytest.approx(61.943, abs=1e-3)
    assert gap.significant
    assert gap.p_value < 0.05


def test_experience_gap_is_customer_minus_employee():
    customer = share_from_counts(count=80, n=100)
    employee = share_from_counts(count=50, n=100)
    gap = experience_gap(customer, employee)
    assert gap.value == pytest.approx(0.3)
    assert gap.estimate is customer and gap.reference is employee


def test_perception_gap_is_positive_when_management_thinks_better_than_employees_say():
    management = mean_from_counts({4: 6, 5: 4})
    employees = mean_from_counts({2: 20, 3: 20, 4: 10})
    gap = perception_gap(management, employees)
    assert gap.value > 0 and gap.significant


def test_a_difference_needs_two_estimates_of_the_same_kind():
    with pytest.raises(EstimateError, match="cannot compare a ShareEstimate with a NpsEstimate"):
        difference(
            share_from_counts(count=1, n=2), nps_from_buckets(promoters=1, passives=0, detractors=1)
        )


def test_a_side_with_nobody_gives_no_difference_and_no_flag():
    gap = difference(share_from_counts(count=0, n=0), share_from_counts(count=3, n=5))
    assert (gap.value, gap.low, gap.high, gap.significant, gap.p_value) == (
        None,
        None,
        None,
        False,
        None,
    )


def test_a_mean_over_one_respondent_gives_a_difference_without_interval():
    gap = difference(mean_from_counts({4: 1}), mean_from_counts({2: 3, 3: 3}))
    assert gap.value == pytest.approx(1.5)
    assert gap.low is None and not gap.significant
