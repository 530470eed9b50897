"""Linkage across units: does the employee experience go with the customer experience?

Every function takes one figure per unit (J units) and returns frozen results that
carry J with them. Units with a missing figure (None or NaN) are left out, and J counts
only the units used. The guardrails shown with every linkage result are here too: the
smallest correlation J units can detect, and the plain-language caveat that a
correlation is not a cause. Formulas are in ``docs/analytics.md``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any, Literal

import numpy as np
from scipy import stats

from miroir.analytics import (
    COLLINEAR,
    NO_VARIATION,
    TOO_FEW_PERIODS,
    TOO_FEW_UNITS,
    AnalyticsError,
)
from miroir.analytics.estimates import DEFAULT_CONFIDENCE, normal_quantile, t_quantile
from miroir.instruments.scales import gettext_noop

# Shown with every linkage result, translated by the page.
CAUSATION_CAVEAT = gettext_noop(
    "Units where employees fare better may also have more satisfied customers, "
    "but a correlation does not show that one causes the other."
)

# Spearman's r through Fisher's z has a slightly larger variance than Pearson's:
# 1.06 / (J - 3) (Fieller, Hartley and Pearson, 1957).
SPEARMAN_VARIANCE_FACTOR = 1.06
MIN_UNITS = 4
# Below this reliability of unit means, differences between units are mostly noise.
RELIABLE_ICC2 = 0.7


class LinkageError(AnalyticsError):
    """Data a linkage figure cannot be computed from; the message says why."""


@dataclass(frozen=True)
class Correlation:
    """A correlation across ``units`` units with its Fisher-z interval."""

    method: Literal["pearson", "spearman"]
    units: int
    r: float
    low: float
    high: float
    p_value: float
    confidence: float = DEFAULT_CONFIDENCE

    @property
    def significant(self) -> bool:
        return self.low > 0 or self.high < 0


@dataclass(frozen=True)
class Coefficient:
    """One regression coefficient with its robust standard error and interval."""

    name: str
    value: float
    standard_error: float
    low: float
    high: float
    p_value: float

    @property
    def significant(self) -> bool:
        return self.low > 0 or self.high < 0


@dataclass(frozen=True)
class Regression:
    """OLS of the customer score on the employee score, unit size as a control.

    ``slope`` is the change in the customer score for one point of employee score;
    ``per_points`` times it (``slope_per_points``, with ``low``/``high``) is what pages
    show: "for 5 more points of employee score, customers score … more".
    """

    units: int
    coefficients: tuple[Coefficient, ...]
    r_squared: float
    covariance: str
    per_points: float
    confidence: float = DEFAULT_CONFIDENCE

    def coefficient(self, name: str) -> Coefficient:
        for coefficient in self.coefficients:
            if coefficient.name == name:
                return coefficient
        raise KeyError(name)

    @property
    def slope(self) -> Coefficient:
        return self.coefficient("employee")

    @property
    def slope_per_points(self) -> float:
        return self.slope.value * self.per_points

    @property
    def low(self) -> float:
        return self.slope.low * self.per_points

    @property
    def high(self) -> float:
        return self.slope.high * self.per_points


@dataclass(frozen=True)
class LaggedLink:
    """One direction over time: the score ``cause`` at t and the score ``effect`` at t + 1.

    ``coefficient`` is standardised (in standard deviations of ``effect`` at t + 1 per
    standard deviation of ``cause`` at t) and controls for ``effect`` at t, so it is the
    cross-lagged effect; ``correlation`` is the plain lagged correlation, for reference.
    Standard errors are clustered by unit (a unit appears once per pair of periods).
    """

    cause: Literal["employee", "customer"]
    effect: Literal["employee", "customer"]
    pairs: int
    units: int
    coefficient: float
    standard_error: float
    low: float
    high: float
    p_value: float
    correlation: float
    confidence: float = DEFAULT_CONFIDENCE

    @property
    def significant(self) -> bool:
        return self.low > 0 or self.high < 0


@dataclass(frozen=True)
class LaggedLinkage:
    """Both directions: employee at t → customer at t + 1, and customer at t → employee."""

    employee_to_customer: LaggedLink
    customer_to_employee: LaggedLink


@dataclass(frozen=True)
class RelativeWeight:
    """One driver's raw weight (part of R²) and rescaled weight (percent of R²).

    ``low``/``high`` bound the raw weight (bootstrap percentile interval) when asked for.
    """

    name: str
    raw: float
    rescaled: float
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True)
class RelativeWeights:
    """Johnson's relative weights: each driver's share of the explained variance.

    The ``raw`` weights sum to ``r_squared``; the ``rescaled`` ones are percentages of
    it and sum to 100. Sorted from the strongest driver down.
    """

    units: int
    r_squared: float
    weights: tuple[RelativeWeight, ...]


# -- inputs ---------------------------------------------------------------------------------


def _vector(name: str, values: Any) -> np.ndarray:
    try:
        array = np.asarray([np.nan if value is None else value for value in values], dtype=float)
    except (TypeError, ValueError) as error:
        raise LinkageError(f"{name} must hold one number per unit") from error
    if array.ndim != 1:
        raise LinkageError(f"{name} must hold one number per unit")
    if np.isinf(array).any():
        raise LinkageError(f"{name} holds an infinite value")
    return array


def _paired(**columns: Any) -> tuple[dict[str, np.ndarray], int]:
    """Return the columns restricted to the units where every one has a figure."""
    arrays = {name: _vector(name, values) for name, values in columns.items()}
    lengths = {len(array) for array in arrays.values()}
    if len(lengths) != 1:
        shown = ", ".join(f"{name} has {len(array)}" for name, array in arrays.items())
        raise LinkageError(f"one figure per unit is needed in each column: {shown}")
    keep = np.all([np.isfinite(array) for array in arrays.values()], axis=0)
    units = int(keep.sum())
    if units < MIN_UNITS:
        raise LinkageError(
            f"at least {MIN_UNITS} units with every figure are needed, got {units}",
            reason=TOO_FEW_UNITS,
        )
    return {name: array[keep] for name, array in arrays.items()}, units


def _check_varies(name: str, array: np.ndarray) -> None:
    if np.ptp(array) == 0:
        raise LinkageError(
            f"{name} is the same in every unit: nothing to relate it to", reason=NO_VARIATION
        )


# -- correlation ----------------------------------------------------------------------------


def _fisher_interval(
    r: float, units: int, confidence: float, factor: float = 1.0
) -> tuple[float, float]:
    if abs(r) >= 1:
        return r, r
    half = normal_quantile(confidence) * math.sqrt(factor / (units - 3))
    z = math.atanh(r)
    return math.tanh(z - half), math.tanh(z + half)


def pearson(x: Any, y: Any, *, confidence: float = DEFAULT_CONFIDENCE) -> Correlation:
    """Return Pearson's r across units with its Fisher-z interval (SE 1/√(J-3))."""
    columns, units = _paired(x=x, y=y)
    _check_varies("x", columns["x"])
    _check_varies("y", columns["y"])
    result = stats.pearsonr(columns["x"], columns["y"])
    r = float(result.statistic)
    low, high = _fisher_interval(r, units, confidence)
    return Correlation("pearson", units, r, low, high, float(result.pvalue), confidence)


def spearman(x: Any, y: Any, *, confidence: float = DEFAULT_CONFIDENCE) -> Correlation:
    """Return Spearman's rank correlation with its Fisher-z interval (SE √(1.06/(J-3)))."""
    columns, units = _paired(x=x, y=y)
    _check_varies("x", columns["x"])
    _check_varies("y", columns["y"])
    result = stats.spearmanr(columns["x"], columns["y"])
    r = float(result.statistic)
    low, high = _fisher_interval(r, units, confidence, SPEARMAN_VARIANCE_FACTOR)
    return Correlation("spearman", units, r, low, high, float(result.pvalue), confidence)


def minimum_detectable_correlation(
    units: int, *, alpha: float = 0.05, power: float = 0.80
) -> float:
    """Return the smallest |r| that ``units`` units detect (two-sided ``alpha``, ``power``).

    Fisher's z approximation: r = tanh((z(1 - alpha/2) + z_power) / √(J - 3)); 85 units give 0.30.
    """
    if isinstance(units, bool) or not isinstance(units, int) or units < MIN_UNITS:
        raise LinkageError(
            f"units must be a whole number of at least {MIN_UNITS}, got {units!r}",
            reason=TOO_FEW_UNITS,
        )
    _check_probability("alpha", alpha)
    _check_probability("power", power)
    normal = NormalDist()
    return math.tanh((normal.inv_cdf(1 - alpha / 2) + normal.inv_cdf(power)) / math.sqrt(units - 3))


def units_needed(r: float, *, alpha: float = 0.05, power: float = 0.80) -> int:
    """Return how many units are needed to detect a correlation ``r`` (the inverse of the above)."""
    if not 0 < abs(r) < 1:
        raise LinkageError(f"r must be strictly between -1 and 1 and not 0, got {r}")
    _check_probability("alpha", alpha)
    _check_probability("power", power)
    normal = NormalDist()
    needed = ((normal.inv_cdf(1 - alpha / 2) + normal.inv_cdf(power)) / math.atanh(abs(r))) ** 2
    return math.ceil(needed + 3 - 1e-9)


def _check_probability(name: str, value: float) -> None:
    if not 0 < value < 1:
        raise LinkageError(f"{name} must be between 0 and 1 (exclusive), got {value}")


# -- regression -----------------------------------------------------------------------------


def _ols(
    design: np.ndarray,
    outcome: np.ndarray,
    *,
    covariance: Literal["HC3", "cluster"],
    groups: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, float, float]:
    """Return (coefficients, covariance matrix, degrees of freedom for t, R²)."""
    rows, columns = design.shape
    if np.linalg.matrix_rank(design) < columns:
        raise LinkageError(
            "the predictors are collinear: one is a combination of the others", reason=COLLINEAR
        )
    bread = np.linalg.inv(design.T @ design)
    beta = bread @ design.T @ outcome
    residuals = outcome - design @ beta
    if covariance == "HC3":
        leverage = np.einsum("ij,jk,ik->i", design, bread, design)
        if np.any(leverage > 1 - 1e-10):
            raise LinkageError(
                "a unit alone determines a coefficient: HC3 errors are undefined",
                reason=TOO_FEW_UNITS,
            )
        scaled = design * (residuals / (1 - leverage))[:, None]
        meat = scaled.T @ scaled
        df = float(rows - columns)
    else:
        assert groups is not None
        labels, index = np.unique(groups, return_inverse=True)
        count = len(labels)
        scores = np.zeros((count, columns))
        np.add.at(scores, index, design * residuals[:, None])
        meat = scores.T @ scores
        meat *= count / (count - 1) * (rows - 1) / (rows - columns)
        df = float(count - 1)
    variance = bread @ meat @ bread
    total = outcome - outcome.mean()
    r_squared = 1 - float(residuals @ residuals) / float(total @ total)
    return beta, variance, df, r_squared


def _coefficients(
    names: Sequence[str], beta: np.ndarray, variance: np.ndarray, df: float, confidence: float
) -> tuple[Coefficient, ...]:
    quantile = t_quantile(confidence, df)
    result = []
    for index, name in enumerate(names):
        se = math.sqrt(max(float(variance[index, index]), 0.0))
        value = float(beta[index])
        if se > 0:
            p_value = float(2 * stats.t.sf(abs(value) / se, df))
        else:
            p_value = 1.0 if value == 0 else 0.0
        result.append(
            Coefficient(name, value, se, value - quantile * se, value + quantile * se, p_value)
        )
    return tuple(result)


def linkage_regression(
    customer: Any,
    employee: Any,
    *,
    size: Any | None,
    per_points: float = 5.0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> Regression:
    """Return the OLS of the customer score on the employee score across units.

    ``size`` (respondents or headcount per unit) enters as its natural logarithm, since
    unit sizes are skewed; pass None for no control. Standard errors are HC3 (robust
    to unequal variances, with small-sample leverage correction); intervals use t with
    J - k degrees of freedom. Coefficients are named ``intercept``, ``employee`` and
    ``log_size``.
    """
    if per_points <= 0:
        raise LinkageError(f"per_points must be positive, got {per_points}")
    if size is None:
        columns, units = _paired(customer=customer, employee=employee)
    else:
        columns, units = _paired(customer=customer, employee=employee, size=size)
        if np.any(columns["size"] <= 0):
            raise LinkageError("every unit size must be positive")
    _check_varies("employee", columns["employee"])
    _check_varies("customer", columns["customer"])
    names = ["intercept", "employee"]
    parts = [np.ones(units), columns["employee"]]
    if size is not None:
        _check_varies("size", columns["size"])
        names.append("log_size")
        parts.append(np.log(columns["size"]))
    design = np.column_stack(parts)
    if units < design.shape[1] + 2:
        raise LinkageError(
            f"at least {design.shape[1] + 2} units are needed for this regression, got {units}",
            reason=TOO_FEW_UNITS,
        )
    beta, variance, df, r_squared = _ols(design, columns["customer"], covariance="HC3")
    return Regression(
        units,
        _coefficients(names, beta, variance, df, confidence),
        r_squared,
        "HC3",
        float(per_points),
        confidence,
    )


# -- over time ------------------------------------------------------------------------------


def _panel(name: str, values: Any) -> np.ndarray:
    try:
        array = np.array(
            [[np.nan if cell is None else cell for cell in row] for row in values], dtype=float
        )
    except (TypeError, ValueError) as error:
        raise LinkageError(f"{name} must be one row per unit, one column per period") from error
    if array.ndim != 2:
        raise LinkageError(f"{name} must be one row per unit, one column per period")
    return array


def _standardise(array: np.ndarray) -> np.ndarray:
    sd = array.std(ddof=1)
    if sd == 0:
        raise LinkageError(
            "a score does not vary across the unit-period pairs", reason=NO_VARIATION
        )
    return (array - array.mean()) / sd


def _lagged(
    cause_name: Literal["employee", "customer"],
    effect_name: Literal["employee", "customer"],
    cause: np.ndarray,
    effect: np.ndarray,
    confidence: float,
) -> LaggedLink:
    rows, periods = cause.shape
    unit_ids = np.repeat(np.arange(rows), periods - 1)
    x = cause[:, :-1].ravel()
    previous = effect[:, :-1].ravel()
    following = effect[:, 1:].ravel()
    keep = np.isfinite(x) & np.isfinite(previous) & np.isfinite(following)
    pairs = int(keep.sum())
    groups = unit_ids[keep]
    units = len(np.unique(groups))
    if units < MIN_UNITS or pairs < MIN_UNITS + 1:
        raise LinkageError(
            f"{cause_name} → {effect_name}: at least {MIN_UNITS} units with two consecutive "
            f"periods are needed, got {units}",
            reason=TOO_FEW_PERIODS,
        )
    x, previous, following = (
        _standardise(x[keep]),
        _standardise(previous[keep]),
        _standardise(following[keep]),
    )
    design = np.column_stack([np.ones(pairs), x, previous])
    beta, variance, df, _ = _ols(design, following, covariance="cluster", groups=groups)
    coefficient = _coefficients(
        ["intercept", cause_name, "previous"], beta, variance, df, confidence
    )[1]
    return LaggedLink(
        cause_name,
        effect_name,
        pairs,
        units,
        coefficient.value,
        coefficient.standard_error,
        coefficient.low,
        coefficient.high,
        coefficient.p_value,
        float(np.corrcoef(x, following)[0, 1]),
        confidence,
    )


def lagged_linkage(
    employee: Any, customer: Any, *, confidence: float = DEFAULT_CONFIDENCE
) -> LaggedLinkage:
    """Return both directions over time from two panels (rows = units, columns = periods).

    Columns are consecutive periods in order; a missing figure is None or NaN. Each
    direction regresses the later score on the earlier score of the other side and its
    own earlier score (the cross-lagged model), all standardised over the pairs used.
    """
    employee_panel = _panel("employee", employee)
    customer_panel = _panel("customer", customer)
    if employee_panel.shape != customer_panel.shape:
        raise LinkageError(
            f"employee {employee_panel.shape} and customer {customer_panel.shape} panels "
            "must have the same units and periods"
        )
    if employee_panel.shape[1] < 2:
        raise LinkageError(
            "at least two periods are needed to look across time", reason=TOO_FEW_PERIODS
        )
    return LaggedLinkage(
        _lagged("employee", "customer", employee_panel, customer_panel, confidence),
        _lagged("customer", "employee", customer_panel, employee_panel, confidence),
    )


# -- key drivers ----------------------------------------------------------------------------


def _johnson(drivers: np.ndarray, outcome: np.ndarray) -> np.ndarray:
    """Return the raw relative weights of the columns of ``drivers``."""
    matrix = np.corrcoef(drivers, rowvar=False)
    centred = drivers - drivers.mean(axis=0)
    target = outcome - outcome.mean()
    with_outcome = (centred.T @ target) / np.sqrt((centred**2).sum(axis=0) * float(target @ target))
    eigenvalues, eigenvectors = np.linalg.eigh(matrix)
    if eigenvalues.min() < 1e-10:
        raise LinkageError(
            "the drivers are collinear: one is a combination of the others", reason=COLLINEAR
        )
    half = eigenvectors @ np.diag(np.sqrt(eigenvalues)) @ eigenvectors.T
    beta = np.linalg.solve(half, with_outcome)
    return (half**2) @ (beta**2)


def relative_weights(
    predictors: Mapping[str, Any],
    outcome: Any,
    *,
    resamples: int = 0,
    seed: int = 0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> RelativeWeights:
    """Return Johnson's relative weights of the ``predictors`` (name → one figure per unit).

    The predictors' correlation matrix R = QΛQᵀ gives Λ½ = QΛ^½Qᵀ, the correlations of
    the predictors with their closest orthogonal counterparts; β = Λ½⁻¹ r_xy; the raw
    weight of predictor j is Σₖ (Λ½)ⱼₖ² βₖ², and the raw weights sum to R².

    With ``resamples`` (e.g. 1000), each raw weight gets a bootstrap percentile interval
    from that many resamples of the units (``seed`` makes it repeatable).
    """
    if len(predictors) < 2:
        raise LinkageError("a key-driver analysis needs at least two drivers")
    if isinstance(resamples, bool) or not isinstance(resamples, int) or resamples < 0:
        raise LinkageError(f"resamples must be a whole number, 0 or more, got {resamples!r}")
    names = list(predictors)
    if "outcome" in names:
        raise LinkageError('"outcome" is reserved; rename that driver')
    columns, units = _paired(outcome=outcome, **{name: predictors[name] for name in names})
    if units < len(names) + 2:
        raise LinkageError(
            f"{len(names)} drivers need at least {len(names) + 2} units, got {units}",
            reason=TOO_FEW_UNITS,
        )
    for name in ["outcome", *names]:
        _check_varies(name, columns[name])
    drivers = np.column_stack([columns[name] for name in names])
    raw = _johnson(drivers, columns["outcome"])
    r_squared = float(raw.sum())
    low: list[float] | list[None] = [None] * len(names)
    high: list[float] | list[None] = low
    if resamples:
        low, high = _bootstrap(drivers, columns["outcome"], resamples, seed, confidence)
    weights = sorted(
        (
            RelativeWeight(
                name,
                float(weight),
                float(weight / r_squared * 100) if r_squared else 0.0,
                bound_low,
                bound_high,
            )
            for name, weight, bound_low, bound_high in zip(names, raw, low, high, strict=True)
        ),
        key=lambda weight: -weight.raw,
    )
    return RelativeWeights(units, r_squared, tuple(weights))


def _bootstrap(
    drivers: np.ndarray, outcome: np.ndarray, resamples: int, seed: int, confidence: float
) -> tuple[list[float], list[float]]:
    rng = np.random.default_rng(seed)
    units = len(outcome)
    draws = []
    for _ in range(resamples):
        pick = rng.integers(0, units, size=units)
        sample, target = drivers[pick], outcome[pick]
        # A resample where a column stops varying or drivers turn collinear says nothing.
        if np.ptp(target) == 0 or np.any(np.ptp(sample, axis=0) == 0):
            continue
        try:
            draws.append(_johnson(sample, target))
        except LinkageError:
            continue
    if len(draws) < resamples / 2:
        raise LinkageError(
            "too few usable bootstrap resamples: the units are too few", reason=TOO_FEW_UNITS
        )
    tail = (1 - confidence) / 2 * 100
    bounds = np.percentile(np.array(draws), [tail, 100 - tail], axis=0)
    return [float(value) for value in bounds[0]], [float(value) for value in bounds[1]]


@dataclass(frozen=True)
class Guardrails:
    """What every linkage result is shown with, so that nobody over-reads it.

    ``minimum_detectable_r``: the smallest |r| the ``units`` can detect (alpha 0.05, power
    0.80); ``units_for_r_03``: how many units detecting r = 0.3 needs; ``icc2``: the
    reliability of the unit means when known; ``caveat``: correlation is not causation.
    """

    units: int
    minimum_detectable_r: float
    units_for_r_03: int
    icc2: float | None
    caveat: str

    @property
    def underpowered(self) -> bool:
        return self.units < self.units_for_r_03

    @property
    def unreliable_means(self) -> bool:
        return self.icc2 is not None and self.icc2 < RELIABLE_ICC2


def linkage_guardrails(units: int, *, icc2: float | None = None) -> Guardrails:
    """Return the guardrails of a linkage result over ``units`` units."""
    return Guardrails(
        units, minimum_detectable_correlation(units), units_needed(0.3), icc2, CAUSATION_CAVEAT
    )
