from __future__ import annotations

import math

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.power import NormalIndPower

from miroir.analytics.linkage import (
    CAUSATION_CAVEAT,
    LinkageError,
    lagged_linkage,
    linkage_guardrails,
    linkage_regression,
    minimum_detectable_correlation,
    pearson,
    relative_weights,
    spearman,
    units_needed,
)


def planted_units(units: int = 120, seed: int = 11):
    rng = np.random.default_rng(seed)
    employee = rng.normal(60, 10, size=units)
    size = rng.integers(5, 200, size=units)
    customer = 20 + 0.5 * employee + 2 * np.log(size) + rng.normal(0, 6 + employee / 20, size=units)
    return employee, customer, size


def test_pearson_and_its_fisher_interval_agree_with_scipy():
    employee, customer, _ = planted_units()
    result = pearson(employee, customer)
    reference = stats.pearsonr(employee, customer)
    interval = reference.confidence_interval(0.95)
    assert result.units == 120
    assert result.r == pytest.approx(reference.statistic)
    assert (result.low, result.high) == pytest.approx((interval.low, interval.high), abs=1e-12)
    assert result.p_value == pytest.approx(reference.pvalue)


def test_spearman_uses_the_rank_correlation_and_a_wider_fisher_interval():
    employee, customer, _ = planted_units()
    result = spearman(employee, customer)
    reference = stats.spearmanr(employee, customer)
    assert result.r == pytest.approx(reference.statistic)
    half = 1.959964 * math.sqrt(1.06 / (120 - 3))
    z = math.atanh(reference.statistic)
    assert (result.low, result.high) == pytest.approx(
        (math.tanh(z - half), math.tanh(z + half)), abs=1e-6
    )


def test_units_with_a_missing_figure_are_left_out_and_not_counted():
    result = pearson([1, 2, 3, None, 5, 6], [2, 1, 4, 3, float("nan"), 7])
    assert result.units == 4
    assert result.r == pytest.approx(stats.pearsonr([1, 2, 3, 6], [2, 1, 4, 7]).statistic)


def test_too_few_units_or_a_constant_score_are_refused():
    with pytest.raises(LinkageError, match="at least 4 units"):
        pearson([1, 2, 3], [3, 1, 2])
    with pytest.raises(LinkageError, match="y is the same in every unit"):
        pearson([1, 2, 3, 4], [5, 5, 5, 5])
    with pytest.raises(LinkageError, match="x has 4, y has 3"):
        pearson([1, 2, 3, 4], [5, 5, 5])


def test_85_units_detect_a_correlation_of_about_0_3():
    assert minimum_detectable_correlation(85) == pytest.approx(0.30, abs=0.005)
    assert units_needed(0.3) == 85
    assert minimum_detectable_correlation(30) > minimum_detectable_correlation(300)


@pytest.mark.parametrize("r", [0.1, 0.3, 0.5])
def test_units_needed_agrees_with_statsmodels_power_on_fishers_z(r):
    nobs = NormalIndPower().solve_power(
        effect_size=math.atanh(r), alpha=0.05, power=0.8, ratio=0, alternative="two-sided"
    )
    assert units_needed(r) == math.ceil(nobs + 3)


def test_regression_with_hc3_errors_agrees_with_statsmodels():
    employee, customer, size = planted_units()
    result = linkage_regression(customer, employee, size=size)
    design = sm.add_constant(np.column_stack([employee, np.log(size)]))
    fitted = sm.OLS(customer, design).fit(cov_type="HC3", use_t=True)
    assert [c.name for c in result.coefficients] == ["intercept", "employee", "log_size"]
    assert [c.value for c in result.coefficients] == pytest.approx(list(fitted.params))
    assert [c.standard_error for c in result.coefficients] == pytest.approx(list(fitted.bse))
    assert [c.p_value for c in result.coefficients] == pytest.approx(list(fitted.pvalues))
    interval = fitted.conf_int(0.05)
    assert (result.slope.low, result.slope.high) == pytest.approx(tuple(interval[1]))
    assert result.r_squared == pytest.approx(fitted.rsquared)
    assert result.covariance == "HC3"


def test_the_slope_is_shown_per_5_points_and_recovers_the_planted_effect():
    employee, customer, size = planted_units(units=400, seed=2)
    result = linkage_regression(customer, employee, size=size)
    assert result.slope_per_points == pytest.approx(5 * result.slope.value)
    assert (result.low, result.high) == pytest.approx((5 * result.slope.low, 5 * result.slope.high))
    assert result.low <= 2.5 <= result.high


def test_regression_without_a_size_control_agrees_with_statsmodels():
    employee, customer, _ = planted_units()
    result = linkage_regression(customer, employee, size=None)
    fitted = sm.OLS(customer, sm.add_constant(employee)).fit(cov_type="HC3", use_t=True)
    assert [c.standard_error for c in result.coefficients] == pytest.approx(list(fitted.bse))


def test_equal_unit_sizes_cannot_be_a_control():
    employee, customer, _ = planted_units()
    with pytest.raises(LinkageError, match="size is the same in every unit"):
        linkage_regression(customer, employee, size=[10] * 120)


def planted_panel(units: int = 150, periods: int = 4, seed: int = 5):
    """Customers at t drive employees at t + 1 (0.5); employees do not drive customers."""
    rng = np.random.default_rng(seed)
    employee = np.empty((units, periods))
    customer = np.empty((units, periods))
    employee[:, 0] = rng.normal(size=units)
    customer[:, 0] = rng.normal(size=units)
    for t in range(1, periods):
        customer[:, t] = 0.6 * customer[:, t - 1] + rng.normal(0, 0.8, size=units)
        employee[:, t] = (
            0.4 * employee[:, t - 1] + 0.5 * customer[:, t - 1] + rng.normal(0, 0.8, size=units)
        )
    return employee, customer


def test_lagged_linkage_agrees_with_statsmodels_clustered_by_unit():
    employee, customer = planted_panel()
    result = lagged_linkage(employee, customer).customer_to_employee
    cause = customer[:, :-1].ravel()
    previous = employee[:, :-1].ravel()
    following = employee[:, 1:].ravel()
    groups = np.repeat(np.arange(150), 3)

    def z(values):
        return (values - values.mean()) / values.std(ddof=1)

    design = sm.add_constant(np.column_stack([z(cause), z(previous)]))
    fitted = sm.OLS(z(following), design).fit(
        cov_type="cluster", cov_kwds={"groups": groups}, use_t=True
    )
    assert (result.pairs, result.units) == (450, 150)
    assert result.coefficient == pytest.approx(fitted.params[1])
    assert result.standard_error == pytest.approx(fitted.bse[1])
    assert (result.low, result.high) == pytest.approx(tuple(fitted.conf_int(0.05)[1]))


def test_lagged_linkage_recovers_which_direction_was_planted():
    employee, customer = planted_panel(units=300)
    result = lagged_linkage(employee, customer)
    assert result.customer_to_employee.significant
    assert result.customer_to_employee.coefficient > 0.2
    assert result.employee_to_customer.low <= 0 <= result.employee_to_customer.high


def test_lagged_linkage_needs_two_periods():
    with pytest.raises(LinkageError, match="at least two periods"):
        lagged_linkage([[1], [2], [3], [4]], [[1], [2], [3], [4]])


def johnson_by_svd(predictors: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    """Johnson (2000) as published: X = PΔQᵀ, Z = PQᵀ, Λ* = QΔQᵀ, β = Zᵀy (standardised)."""
    x = (predictors - predictors.mean(0)) / predictors.std(0, ddof=1) / math.sqrt(len(outcome) - 1)
    y = (outcome - outcome.mean()) / outcome.std(ddof=1) / math.sqrt(len(outcome) - 1)
    p, delta, qt = np.linalg.svd(x, full_matrices=False)
    z = p @ qt
    lam = qt.T @ np.diag(delta) @ qt
    beta = z.T @ y
    return (lam**2) @ (beta**2)


def test_relative_weights_sum_to_the_r_squared_of_statsmodels_and_match_johnsons_svd():
    rng = np.random.default_rng(9)
    units = 200
    common = rng.normal(size=units)
    drivers = {
        "sens": common + rng.normal(size=units),
        "connexions": 0.5 * common + rng.normal(size=units),
        "image": rng.normal(size=units),
    }
    outcome = 0.6 * drivers["sens"] + 0.3 * drivers["connexions"] + rng.normal(size=units)
    result = relative_weights(drivers, outcome)
    matrix = np.column_stack(list(drivers.values()))
    fitted = sm.OLS(outcome, sm.add_constant(matrix)).fit()
    assert sum(w.raw for w in result.weights) == pytest.approx(fitted.rsquared)
    assert result.r_squared == pytest.approx(fitted.rsquared)
    assert sum(w.rescaled for w in result.weights) == pytest.approx(100)
    expected = dict(zip(drivers, johnson_by_svd(matrix, outcome), strict=True))
    assert {w.name: w.raw for w in result.weights} == pytest.approx(expected)
    assert [w.name for w in result.weights] == ["sens", "connexions", "image"]


def test_relative_weights_of_uncorrelated_drivers_are_their_squared_correlations():
    # Two exactly orthogonal, centred drivers: each weight is r² with the outcome.
    first = np.array([1, -1, 1, -1, 1, -1, 1, -1], dtype=float)
    second = np.array([1, 1, -1, -1, 1, 1, -1, -1], dtype=float)
    outcome = np.array([3.0, 1.0, 2.5, 0.0, 2.0, 1.5, 0.5, -1.0])
    result = relative_weights({"a": first, "b": second}, outcome)
    weights = {w.name: w.raw for w in result.weights}
    assert weights["a"] == pytest.approx(np.corrcoef(first, outcome)[0, 1] ** 2)
    assert weights["b"] == pytest.approx(np.corrcoef(second, outcome)[0, 1] ** 2)


def test_collinear_drivers_are_refused():
    x = np.arange(10, dtype=float)
    with pytest.raises(LinkageError, match="collinear"):
        relative_weights({"a": x, "b": 2 * x + 1}, x**2)


def test_the_caveat_says_correlation_is_not_causation():
    assert "does not show that one causes the other" in CAUSATION_CAVEAT


def test_bootstrap_intervals_bound_each_relative_weight_and_separate_a_planted_driver():
    rng = np.random.default_rng(12)
    units = 150
    drivers = {"sens": rng.normal(size=units), "image": rng.normal(size=units)}
    outcome = 0.8 * drivers["sens"] + rng.normal(size=units)
    result = relative_weights(drivers, outcome, resamples=400, seed=3)
    weights = {w.name: w for w in result.weights}
    for weight in result.weights:
        assert weight.low <= weight.raw <= weight.high
    assert weights["sens"].low > weights["image"].high
    again = relative_weights(drivers, outcome, resamples=400, seed=3)
    assert again == result


def test_relative_weights_without_resamples_have_no_interval():
    rng = np.random.default_rng(13)
    result = relative_weights(
        {"a": rng.normal(size=20), "b": rng.normal(size=20)}, rng.normal(size=20)
    )
    assert all(w.low is None and w.high is None for w in result.weights)


def test_guardrails_say_when_units_are_too_few_or_their_means_unreliable():
    few = linkage_guardrails(40, icc2=0.55)
    assert few.underpowered and few.unreliable_means
    assert few.minimum_detectable_r == pytest.approx(minimum_detectable_correlation(40))
    assert few.caveat == CAUSATION_CAVEAT
    enough = linkage_guardrails(120, icc2=0.8)
    assert not enough.underpowered and not enough.unreliable_means
    assert enough.units_for_r_03 == 85
