from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from miroir.analytics.maps import (
    Rating,
    dominant_emotion,
    moment_figures,
    one_sided_truth,
    satisfaction_gap,
    truth_gap,
)

# A shop's checkout, by hand: five employees rate it 2, 2, 3, 1, 2 and four of them call it a
# moment of truth; the manager estimated 4 and did not see it as one.
EMPLOYEES = [
    Rating(2, "frustration", True),
    Rating(2, "frustration", True),
    Rating(3, "worry", True),
    Rating(1, "anger", True),
    Rating(2, "trust", False),
]
MANAGER = [Rating(4, "joy", False)]


def test_a_lens_figures_on_a_moment_match_the_hand_computed_case():
    figures = moment_figures(EMPLOYEES)
    # mean 2, sd sqrt(0.5), t(0.975, 4) = 2.776445: 2 ± 0.87799.
    assert figures.satisfaction.value == pytest.approx(2.0)
    assert (figures.satisfaction.low, figures.satisfaction.high) == pytest.approx(
        (1.12201, 2.87799), abs=1e-5
    )
    scipy_low, scipy_high = stats.t.interval(
        0.95, 4, loc=2.0, scale=np.std([2, 2, 3, 1, 2], ddof=1) / np.sqrt(5)
    )
    assert (figures.satisfaction.low, figures.satisfaction.high) == pytest.approx(
        (scipy_low, scipy_high)
    )
    assert figures.truth.value == pytest.approx(0.8)
    assert (figures.truth.low, figures.truth.high) == pytest.approx(
        proportion_confint(4, 5, method="wilson")
    )
    # Valence: (-2 - 2 - 1 - 2 + 1) / 5.
    assert figures.valence == pytest.approx(-1.2)
    assert figures.dominant_emotion == "frustration"


def test_gaps_to_an_attributed_estimate_shift_the_group_interval_by_the_estimate():
    employees, manager = moment_figures(EMPLOYEES), moment_figures(MANAGER)
    gap = satisfaction_gap(employees.satisfaction, manager.satisfaction, b_attributed=True)
    assert (gap.value, gap.low, gap.high) == pytest.approx((-2.0, -2.87799, -1.12201), abs=1e-5)
    assert gap.significant
    truth = truth_gap(employees.truth, manager.truth, b_attributed=True)
    # Wilson (4 of 5) = [0.37553, 0.96378], minus the manager's 0.
    assert (truth.value, truth.low, truth.high) == pytest.approx((0.8, 0.37553, 0.96378), abs=1e-5)
    assert truth.significant
    assert one_sided_truth(employees.truth, manager.truth) == "a"


def test_gaps_between_two_groups_use_newcombe_and_welch():
    a = moment_figures([Rating(4, None, True)] * 8 + [Rating(2, None, False)] * 2)
    b = moment_figures([Rating(3, None, True)] * 3 + [Rating(5, None, False)] * 7)
    truth = truth_gap(a.truth, b.truth)
    assert (truth.low, truth.high) == pytest.approx(
        confint_proportions_2indep(8, 10, 3, 10, method="newcomb")
    )
    satisfaction = satisfaction_gap(a.satisfaction, b.satisfaction)
    welch = stats.ttest_ind([4] * 8 + [2] * 2, [3] * 3 + [5] * 7, equal_var=False)
    low, high = welch.confidence_interval(0.95)
    assert (satisfaction.low, satisfaction.high) == pytest.approx((low, high))
    assert one_sided_truth(a.truth, b.truth) == "a"


def test_nobody_on_one_side_gives_no_gap():
    empty = moment_figures([])
    assert empty.satisfaction.value is None and empty.dominant_emotion is None
    gap = satisfaction_gap(moment_figures(EMPLOYEES).satisfaction, empty.satisfaction)
    assert gap.value is None and not gap.significant
    assert one_sided_truth(empty.truth, moment_figures(EMPLOYEES).truth) is None


def test_a_tie_between_emotions_goes_to_the_first_of_the_scale():
    assert dominant_emotion(["anger", "joy"]) == "joy"


def test_ratings_off_the_scale_are_refused_by_name():
    with pytest.raises(ValueError, match="satisfaction 6 is not on the 1-5 scale"):
        moment_figures([Rating(6, None, None)])
    with pytest.raises(ValueError, match="unknown emotions: rage"):
        moment_figures([Rating(3, "rage", None)])
