from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from miroir.analytics.reliability import (
    ReliabilityError,
    reliability,
    reliability_from_sums,
    spearman_brown,
)


def test_icc_of_equal_units_computed_by_hand():
    # Means 2, 5, 8 (grand mean 5): MSB = 3 * 18 / 2 = 27; MSW = 6 / 6 = 1; k = 3.
    result = reliability([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
    assert (result.mean_square_between, result.mean_square_within) == pytest.approx((27, 1))
    assert result.icc1 == pytest.approx(26 / 29)
    assert result.icc2 == pytest.approx(26 / 27)


def test_icc_of_unequal_units_computed_by_hand():
    # Means 3, 5, 9 of sizes 2, 3, 4 (N = 9): SSB = 56, MSB = 28; SSW = 2 + 8 + 20 = 30,
    # MSW = 5; k₀ = (9 - 29/9) / 2 = 2.8889; ICC(1) = 23 / (28 + 1.8889 * 5).
    result = reliability([[2, 4], [3, 5, 7], [6, 8, 10, 12]])
    assert result.group_size == pytest.approx((9 - 29 / 9) / 2)
    assert result.icc1 == pytest.approx(23 / (28 + ((9 - 29 / 9) / 2 - 1) * 5))
    assert result.icc2 == pytest.approx(23 / 28)


def test_the_anova_f_agrees_with_scipy():
    rng = np.random.default_rng(1)
    groups = [rng.normal(loc, 1, size=rng.integers(3, 20)) for loc in rng.normal(0, 0.5, size=12)]
    result = reliability(groups)
    reference = stats.f_oneway(*groups)
    assert result.f == pytest.approx(reference.statistic)
    assert result.p_value == pytest.approx(reference.pvalue)


def test_sums_from_a_roll_up_give_the_same_reliability_as_the_answers():
    groups = [[1, 2, 2, 5], [3, 3, 4], [5, 4, 5, 5, 4]]
    direct = reliability(groups)
    summed = reliability_from_sums(
        [len(g) for g in groups], [sum(g) for g in groups], [sum(v * v for v in g) for g in groups]
    )
    assert summed.icc1 == pytest.approx(direct.icc1)
    assert summed.icc2 == pytest.approx(direct.icc2)


def test_a_planted_between_unit_share_of_variance_is_recovered():
    rng = np.random.default_rng(7)
    # Unit effects of variance 0.1 and answers of variance 0.9: ICC(1) = 0.1.
    groups = [
        rng.normal(effect, np.sqrt(0.9), size=40) for effect in rng.normal(0, np.sqrt(0.1), 400)
    ]
    result = reliability(groups)
    assert result.icc1 == pytest.approx(0.1, abs=0.02)
    assert result.icc2 == pytest.approx(spearman_brown(result.icc1, 40), abs=1e-9)


def test_reliability_needs_two_units_and_some_within_unit_variation():
    with pytest.raises(ReliabilityError, match="at least 2 units"):
        reliability([[1, 2, 3]])
    with pytest.raises(ReliabilityError, match="two respondents"):
        reliability([[1], [2], [3]])
