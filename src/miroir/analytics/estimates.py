"""Means, shares and NPS with their 95 % intervals, and the difference between two of them.

Everything is computed from counts (how many respondents gave each value) or from the
sums a roll-up keeps (n, Σx, Σx²); nothing is rounded here, rounding is for display.
A "don't know" answer is counted under the key ``None`` and is left out of every mean
and share (neither numerator nor denominator); it is reported as ``dont_know``.

- mean: Student t interval;
- share (top box, top-2 box, CSAT): Wilson score interval;
- NPS (0-10, buckets 0-6 / 7-8 / 9-10): adjusted Wald interval — ¾ added to promoters
  and to detractors, n + 3 (Rocks, 2016);
- differences (a change between periods, an experience gap, a perception gap): Welch t
  for means, Newcombe's hybrid score interval (method 10) for shares, adjusted Wald for
  a difference of NPS; each with a significance flag (the interval excludes 0).

An estimate over nobody has ``value`` None; a mean over one respondent has a value but
no interval. Bad input raises ``EstimateError`` naming what is wrong.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from statistics import NormalDist
from typing import Any, Literal, cast

import numpy as np
from scipy import optimize, special

from miroir.analytics import AnalyticsError
from miroir.instruments.scales import SCALES, Scale

DEFAULT_CONFIDENCE = 0.95

# Adjusted Wald for NPS: ¾ of a promoter and ¾ of a detractor added, and n + 3.
NPS_ADJUSTMENT = 0.75
NPS_EXTRA_RESPONDENTS = 3

Counts = Mapping[Any, int]


class EstimateError(AnalyticsError):
    """Input an estimate cannot be computed from; the message names what is wrong."""


@dataclass(frozen=True)
class MeanEstimate:
    """A mean in the scale's own units (or 0-100 after ``on_100``) with its t interval."""

    n: int
    value: float | None
    low: float | None
    high: float | None
    sd: float | None
    dont_know: int = 0
    confidence: float = DEFAULT_CONFIDENCE

    @property
    def standard_error(self) -> float | None:
        if self.sd is None:
            return None
        return self.sd / math.sqrt(self.n)


@dataclass(frozen=True)
class ShareEstimate:
    """A share from 0 to 1 (``count`` out of ``n``) with its Wilson interval."""

    n: int
    count: int
    value: float | None
    low: float | None
    high: float | None
    dont_know: int = 0
    confidence: float = DEFAULT_CONFIDENCE


@dataclass(frozen=True)
class NpsEstimate:
    """A Net Promoter Score in points from -100 to 100 with its adjusted Wald interval."""

    n: int
    promoters: int
    passives: int
    detractors: int
    value: float | None
    low: float | None
    high: float | None
    confidence: float = DEFAULT_CONFIDENCE

    @property
    def promoter_share(self) -> float | None:
        return self.promoters / self.n if self.n else None

    @property
    def detractor_share(self) -> float | None:
        return self.detractors / self.n if self.n else None


Estimate = MeanEstimate | ShareEstimate | NpsEstimate


@dataclass(frozen=True)
class Difference:
    """``estimate`` minus ``reference``, with its interval and a significance flag.

    ``kind`` is ``mean``, ``share`` or ``nps``; the value is in the estimates' units
    (a share difference from -1 to 1, an NPS difference in points from -200 to 200).
    ``significant`` says the interval excludes 0. ``value`` is None when either side
    has nobody; ``low``/``high`` are None when the interval cannot be computed (a mean
    over a single respondent).
    """

    kind: Literal["mean", "share", "nps"]
    estimate: Estimate
    reference: Estimate
    value: float | None
    low: float | None
    high: float | None
    significant: bool
    method: str
    confidence: float = DEFAULT_CONFIDENCE

    @cached_property
    def p_value(self) -> float | None:
        """Return the two-sided p-value of the test the interval inverts (None without one)."""
        if self.low is None or self.value is None:
            return None
        estimate, reference = self.estimate, self.reference
        # ``kind`` follows from the estimates' type (``difference`` refuses a mixed pair).
        if isinstance(estimate, MeanEstimate) and isinstance(reference, MeanEstimate):
            return _welch_p_value(estimate, reference)
        if isinstance(estimate, ShareEstimate) and isinstance(reference, ShareEstimate):
            return _newcombe_p_value(estimate, reference)
        if isinstance(estimate, NpsEstimate) and isinstance(reference, NpsEstimate):
            return _nps_difference_p_value(estimate, reference)
        return None


# -- quantiles ------------------------------------------------------------------------------


def _check_confidence(confidence: float) -> float:
    if isinstance(confidence, bool) or not isinstance(confidence, numbers.Real):
        raise EstimateError(f"confidence must be a number between 0 and 1, got {confidence!r}")
    if not 0 < confidence < 1:
        raise EstimateError(f"confidence must be between 0 and 1 (exclusive), got {confidence}")
    return float(confidence)


@cache
def normal_quantile(confidence: float) -> float:
    """Return z such that a standard normal lies in (-z, z) with probability ``confidence``."""
    return NormalDist().inv_cdf(0.5 + _check_confidence(confidence) / 2)


@lru_cache(maxsize=4096)
def t_quantile(confidence: float, df: float) -> float:
    """Return the two-sided Student t quantile for ``confidence`` and ``df`` degrees of freedom."""
    return float(special.stdtrit(df, 0.5 + _check_confidence(confidence) / 2))


# -- validation -----------------------------------------------------------------------------


def _check_count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise EstimateError(f"{name} must be a whole number of respondents, got {value!r}")
    if value < 0:
        raise EstimateError(f"{name} cannot be negative, got {value}")
    return int(value)


def _split_counts(counts: Counts) -> tuple[dict[float, int], int]:
    """Return the counts of real values and the "don't know" count (key None)."""
    if not isinstance(counts, Mapping):
        raise EstimateError(
            f"counts must map each value to its number of respondents, got {type(counts).__name__}"
        )
    values: dict[float, int] = {}
    dont_know = 0
    for value, count in counts.items():
        if value is None:
            dont_know = _check_count('the "don\'t know" count', count)
            continue
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise EstimateError(f"answer values must be numbers, got {value!r}")
        if not math.isfinite(value):
            raise EstimateError(f"answer values must be finite, got {value!r}")
        # Any real number (NumPy's included) is a value; it is counted under its own key.
        values[cast(float, value)] = _check_count(f"the count of value {value!r}", count)
    return values, dont_know


def _numeric_scale(scale: str) -> Scale:
    kind = SCALES.get(scale)
    if kind is None:
        raise EstimateError(f'unknown scale "{scale}"; known scales: {", ".join(SCALES)}')
    if not kind.is_numeric:
        raise EstimateError(f"{scale} is not a numeric scale: it has no mean or top box")
    return kind()


def _check_scale_values(counts: Counts, scale: str) -> Scale:
    numeric = _numeric_scale(scale)
    allowed = set(numeric.values())
    for value, count in counts.items():
        if value is None:
            if count and not numeric.supports_dont_know:
                raise EstimateError(f'{scale} has no "don\'t know" answer, got {count} of them')
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, numbers.Integral)
            or value not in allowed
        ):
            raise EstimateError(
                f"{scale}: {value!r} is not a value of this scale; expected {numeric.accepted}"
            )
    return numeric


# -- means ----------------------------------------------------------------------------------


def _mean(
    n: int, value: float, sum_of_squares: float, dont_know: int, confidence: float
) -> MeanEstimate:
    if n == 1:
        return MeanEstimate(1, value, None, None, None, dont_know, confidence)
    sd = math.sqrt(max(sum_of_squares, 0.0) / (n - 1))
    half = t_quantile(confidence, n - 1) * sd / math.sqrt(n)
    return MeanEstimate(n, value, value - half, value + half, sd, dont_know, confidence)


def mean_from_counts(counts: Counts, *, confidence: float = DEFAULT_CONFIDENCE) -> MeanEstimate:
    """Return the mean of a distribution ``{value: respondents}`` with its t interval.

    The key None counts "don't know" answers, which are left out of the mean.
    """
    confidence = _check_confidence(confidence)
    values, dont_know = _split_counts(counts)
    n = sum(values.values())
    if n == 0:
        return MeanEstimate(0, None, None, None, None, dont_know, confidence)
    mean = sum(value * count for value, count in values.items()) / n
    squares = sum(count * (value - mean) ** 2 for value, count in values.items())
    return _mean(n, mean, squares, dont_know, confidence)


def mean_from_sums(
    *,
    n: int,
    total: float,
    total_squares: float,
    dont_know: int = 0,
    confidence: float = DEFAULT_CONFIDENCE,
) -> MeanEstimate:
    """Return the mean of ``n`` answers from their sum and sum of squares (a roll-up's columns)."""
    confidence = _check_confidence(confidence)
    n = _check_count("n", n)
    dont_know = _check_count('the "don\'t know" count', dont_know)
    for name, figure in (("total", total), ("total_squares", total_squares)):
        if isinstance(figure, bool) or not isinstance(figure, numbers.Real):
            raise EstimateError(f"{name} must be a number, got {figure!r}")
        if not math.isfinite(figure):
            raise EstimateError(f"{name} must be finite, got {figure!r}")
    if total_squares < 0:
        raise EstimateError(f"total_squares cannot be negative, got {total_squares}")
    if n == 0:
        if total or total_squares:
            raise EstimateError("n is 0 but the sums are not: the roll-up is inconsistent")
        return MeanEstimate(0, None, None, None, None, dont_know, confidence)
    mean = total / n
    # Σ(x - m)² = Σx² - n·m²; float cancellation may leave a tiny negative, clamped.
    return _mean(n, mean, total_squares - n * mean * mean, dont_know, confidence)


def on_100(estimate: MeanEstimate, *, scale: str) -> MeanEstimate:
    """Return a mean on a numeric scale moved to 0-100 (percent of the maximum possible).

    0 is the scale's worst end and 100 its best: a scale where low is better (``ces5``)
    is reversed. Means on different scales can be compared only after this.
    """
    numeric = _numeric_scale(scale)
    bottom, top = min(numeric.values()), max(numeric.values())
    span = top - bottom
    if estimate.value is not None and not bottom - 1e-9 <= estimate.value <= top + 1e-9:
        raise EstimateError(
            f"a mean of {estimate.value} is outside the {scale} scale ({bottom} to {top})"
        )

    def move(x: float | None) -> float | None:
        if x is None:
            return None
        if numeric.higher_is_better:
            return (x - bottom) / span * 100
        return (top - x) / span * 100

    low, high = move(estimate.low), move(estimate.high)
    if not numeric.higher_is_better:
        low, high = high, low
    sd = None if estimate.sd is None else estimate.sd / span * 100
    return MeanEstimate(
        estimate.n, move(estimate.value), low, high, sd, estimate.dont_know, estimate.confidence
    )


# -- shares ---------------------------------------------------------------------------------


def _wilson(count: int, n: int, z: float) -> tuple[float, float]:
    p = count / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # At 0 and n the bounds are exactly 0 and 1; float error must not push them past.
    low = 0.0 if count == 0 else max(0.0, min(p, centre - half))
    high = 1.0 if count == n else min(1.0, max(p, centre + half))
    return low, high


def share_from_counts(
    *, count: int, n: int, dont_know: int = 0, confidence: float = DEFAULT_CONFIDENCE
) -> ShareEstimate:
    """Return the share ``count / n`` with its Wilson score interval.

    ``n`` is the base without "don't know" answers; ``dont_know`` is only reported.
    """
    confidence = _check_confidence(confidence)
    count = _check_count("count", count)
    n = _check_count("n", n)
    dont_know = _check_count('the "don\'t know" count', dont_know)
    if count > n:
        raise EstimateError(f"count ({count}) cannot exceed the base n ({n})")
    if n == 0:
        return ShareEstimate(0, 0, None, None, None, dont_know, confidence)
    low, high = _wilson(count, n, normal_quantile(confidence))
    return ShareEstimate(n, count, count / n, low, high, dont_know, confidence)


def box_share(
    counts: Counts, values: Collection[Any], *, confidence: float = DEFAULT_CONFIDENCE
) -> ShareEstimate:
    """Return the share of respondents whose answer is one of ``values``, "don't know" excluded."""
    answered, dont_know = _split_counts(counts)
    wanted = set(values)
    if not wanted:
        raise EstimateError("a box needs at least one value")
    return share_from_counts(
        count=sum(count for value, count in answered.items() if value in wanted),
        n=sum(answered.values()),
        dont_know=dont_know,
        confidence=confidence,
    )


def top_box(counts: Counts, *, scale: str, confidence: float = DEFAULT_CONFIDENCE) -> ShareEstimate:
    """Return the top-box share of a distribution on ``scale`` (e.g. "tout à fait d'accord")."""
    numeric = _check_scale_values(counts, scale)
    if not numeric.top_values:
        raise EstimateError(f"{scale} has no top box")
    return box_share(counts, numeric.top_values, confidence=confidence)


def top2_box(
    counts: Counts, *, scale: str, confidence: float = DEFAULT_CONFIDENCE
) -> ShareEstimate:
    """Return the top-2-box share of a distribution on ``scale``."""
    numeric = _check_scale_values(counts, scale)
    if not numeric.top2_values:
        raise EstimateError(f"{scale} has no top-2 box")
    return box_share(counts, numeric.top2_values, confidence=confidence)


def csat(counts: Counts, *, confidence: float = DEFAULT_CONFIDENCE) -> ShareEstimate:
    """Return the CSAT: the share of 4 and 5 on the 5-point satisfaction scale (``csat5``)."""
    _check_scale_values(counts, "csat5")
    return box_share(counts, (4, 5), confidence=confidence)


# -- NPS ------------------------------------------------------------------------------------


def _nps_adjusted(promoters: int, detractors: int, n: int) -> tuple[float, float]:
    """Return the adjusted NPS (from -1 to 1) and its variance."""
    n_adjusted = n + NPS_EXTRA_RESPONDENTS
    promoter = (promoters + NPS_ADJUSTMENT) / n_adjusted
    detractor = (detractors + NPS_ADJUSTMENT) / n_adjusted
    nps = promoter - detractor
    return nps, (promoter + detractor - nps * nps) / n_adjusted


def nps_from_buckets(
    *,
    promoters: int,
    passives: int,
    detractors: int,
    confidence: float = DEFAULT_CONFIDENCE,
) -> NpsEstimate:
    """Return the NPS (points, -100 to 100) from bucket counts, with its adjusted Wald interval."""
    confidence = _check_confidence(confidence)
    promoters = _check_count("promoters", promoters)
    passives = _check_count("passives", passives)
    detractors = _check_count("detractors", detractors)
    n = promoters + passives + detractors
    if n == 0:
        return NpsEstimate(0, 0, 0, 0, None, None, None, confidence)
    adjusted, variance = _nps_adjusted(promoters, detractors, n)
    half = normal_quantile(confidence) * math.sqrt(variance)
    return NpsEstimate(
        n,
        promoters,
        passives,
        detractors,
        (promoters - detractors) / n * 100,
        max(-1.0, adjusted - half) * 100,
        min(1.0, adjusted + half) * 100,
        confidence,
    )


def nps_from_counts(counts: Counts, *, confidence: float = DEFAULT_CONFIDENCE) -> NpsEstimate:
    """Return the NPS of a distribution ``{0..10: respondents}``.

    Buckets: 0-6 detractors, 7-8 passives, 9-10 promoters. Only whole numbers from 0 to
    10 are accepted: a 7.5, an 11 or a "don't know" raises ``EstimateError``.
    """
    if not isinstance(counts, Mapping):
        raise EstimateError(
            f"counts must map each value to its number of respondents, got {type(counts).__name__}"
        )
    buckets = {"promoters": 0, "passives": 0, "detractors": 0}
    for value, count in counts.items():
        if (
            isinstance(value, bool)
            or not isinstance(value, numbers.Integral)
            or not 0 <= int(value) <= 10
        ):
            raise EstimateError(f"NPS answers must be whole numbers from 0 to 10; got {value!r}")
        count = _check_count(f"the count of value {value}", count)
        score = int(value)
        bucket = "detractors" if score <= 6 else "passives" if score <= 8 else "promoters"
        buckets[bucket] += count
    return nps_from_buckets(**buckets, confidence=confidence)


# -- pooling --------------------------------------------------------------------------------


def counts_pool(parts: Iterable[tuple[str, Counts]]) -> tuple[str, dict[Any, int]]:
    """Return the scale and the summed counts of several distributions on one scale.

    Distributions on different scales are never pooled: in particular the two customer
    effort questions (``ces7``, "it was easy", and the older ``ces5``, where low is good)
    run in opposite directions.
    """
    scale: str | None = None
    total: dict[Any, int] = {}
    for part_scale, counts in parts:
        _check_scale_values(counts, part_scale)
        if scale is None:
            scale = part_scale
        elif part_scale != scale:
            raise EstimateError(
                f"answers on {scale} and {part_scale} cannot be pooled: they are different scales"
            )
        for value, count in counts.items():
            total[value] = total.get(value, 0) + _check_count(f"the count of {value!r}", count)
    if scale is None:
        raise EstimateError("nothing to pool")
    return scale, total


# -- differences ----------------------------------------------------------------------------


def _excludes_zero(low: float | None, high: float | None) -> bool:
    return low is not None and high is not None and (low > 0 or high < 0)


def _welch(a: MeanEstimate, b: MeanEstimate) -> tuple[float, float, float] | None:
    """Return (difference, standard error, degrees of freedom), or None without variances."""
    if a.sd is None or b.sd is None or a.value is None or b.value is None:
        return None
    va, vb = a.sd**2 / a.n, b.sd**2 / b.n
    se = math.sqrt(va + vb)
    if se == 0:
        return a.value - b.value, 0.0, math.inf
    df = (va + vb) ** 2 / (va**2 / (a.n - 1) + vb**2 / (b.n - 1))
    return a.value - b.value, se, df


def _welch_p_value(a: MeanEstimate, b: MeanEstimate) -> float | None:
    welch = _welch(a, b)
    if welch is None:
        return None
    difference, se, df = welch
    if se == 0:
        return 1.0 if difference == 0 else 0.0
    return float(2 * special.stdtr(df, -abs(difference) / se))


def _mean_difference(a: MeanEstimate, b: MeanEstimate, confidence: float) -> Difference:
    method = "Welch t"
    if a.value is None or b.value is None:
        return Difference("mean", a, b, None, None, None, False, method, confidence)
    welch = _welch(a, b)
    if welch is None:
        return Difference("mean", a, b, a.value - b.value, None, None, False, method, confidence)
    difference, se, df = welch
    half = 0.0 if se == 0 else t_quantile(confidence, df) * se
    low, high = difference - half, difference + half
    significant = _excludes_zero(low, high)
    return Difference("mean", a, b, difference, low, high, significant, method, confidence)


def _newcombe(a: ShareEstimate, b: ShareEstimate, z: float) -> tuple[float, float]:
    p1, p2 = a.count / a.n, b.count / b.n
    l1, u1 = _wilson(a.count, a.n, z)
    l2, u2 = _wilson(b.count, b.n, z)
    difference = p1 - p2
    low = difference - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = difference + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return max(-1.0, low), min(1.0, high)


def _newcombe_p_value(a: ShareEstimate, b: ShareEstimate) -> float:
    """Return 1 minus the confidence at which Newcombe's interval just reaches 0."""
    difference = a.count / a.n - b.count / b.n
    if difference == 0:
        return 1.0

    def distance(z: float) -> float:
        low, high = _newcombe(a, b, z)
        return low if difference > 0 else -high

    if distance(40.0) > 0:  # no confidence level short of 1 reaches 0
        return 0.0
    z = optimize.brentq(distance, 0.0, 40.0, xtol=1e-12)
    return 2 * (1 - NormalDist().cdf(z))


def _share_difference(a: ShareEstimate, b: ShareEstimate, confidence: float) -> Difference:
    method = "Newcombe hybrid score (method 10)"
    if a.value is None or b.value is None:
        return Difference("share", a, b, None, None, None, False, method, confidence)
    low, high = _newcombe(a, b, normal_quantile(confidence))
    difference = a.value - b.value
    significant = _excludes_zero(low, high)
    return Difference("share", a, b, difference, low, high, significant, method, confidence)


def _nps_difference_parts(a: NpsEstimate, b: NpsEstimate) -> tuple[float, float]:
    """Return the adjusted difference (from -2 to 2) and its standard error."""
    nps_a, var_a = _nps_adjusted(a.promoters, a.detractors, a.n)
    nps_b, var_b = _nps_adjusted(b.promoters, b.detractors, b.n)
    return nps_a - nps_b, math.sqrt(var_a + var_b)


def _nps_difference_p_value(a: NpsEstimate, b: NpsEstimate) -> float:
    difference, se = _nps_difference_parts(a, b)
    return 2 * (1 - NormalDist().cdf(abs(difference) / se))


def _nps_difference(a: NpsEstimate, b: NpsEstimate, confidence: float) -> Difference:
    method = "adjusted Wald for a difference of NPS"
    if a.value is None or b.value is None:
        return Difference("nps", a, b, None, None, None, False, method, confidence)
    adjusted, se = _nps_difference_parts(a, b)
    half = normal_quantile(confidence) * se
    low = max(-2.0, adjusted - half) * 100
    high = min(2.0, adjusted + half) * 100
    significant = _excludes_zero(low, high)
    return Difference("nps", a, b, a.value - b.value, low, high, significant, method, confidence)


def difference(
    estimate: Estimate, reference: Estimate, *, confidence: float | None = None
) -> Difference:
    """Return ``estimate`` minus ``reference`` (two independent groups) with its interval.

    Both must be of the same kind (two means, two shares or two NPS). ``confidence``
    defaults to the estimate's own.
    """
    level = _check_confidence(estimate.confidence if confidence is None else confidence)
    if isinstance(estimate, MeanEstimate) and isinstance(reference, MeanEstimate):
        return _mean_difference(estimate, reference, level)
    if isinstance(estimate, ShareEstimate) and isinstance(reference, ShareEstimate):
        return _share_difference(estimate, reference, level)
    if isinstance(estimate, NpsEstimate) and isinstance(reference, NpsEstimate):
        return _nps_difference(estimate, reference, level)
    raise EstimateError(
        f"cannot compare a {type(estimate).__name__} with a {type(reference).__name__}: "
        "a difference needs two estimates of the same kind"
    )


def change(before: Estimate, after: Estimate, *, confidence: float | None = None) -> Difference:
    """Return the change from one period to the next (``after`` minus ``before``)."""
    return difference(after, before, confidence=confidence)


def experience_gap(
    customer: Estimate, employee: Estimate, *, confidence: float | None = None
) -> Difference:
    """Return the experience gap on a mirror: the customer figure minus the employee figure.

    Pass a partner figure as ``employee`` to compare customers with partners. Means on
    different scales must first be moved to 0-100 with ``on_100``.
    """
    return difference(customer, employee, confidence=confidence)


def perception_gap(
    management: Estimate, actual: Estimate, *, confidence: float | None = None
) -> Difference:
    """Return the perception gap: management's estimate minus what employees (or customers) say.

    Positive: management thinks things are better than the people concerned say.
    """
    return difference(management, actual, confidence=confidence)


# -- many cells at once ---------------------------------------------------------------------


@dataclass(frozen=True)
class EstimateTable:
    """Estimates for many cells at once (NumPy arrays, NaN where a figure is undefined)."""

    n: np.ndarray
    value: np.ndarray
    low: np.ndarray
    high: np.ndarray


def _int_array(name: str, values: Any) -> np.ndarray:
    array = np.asarray(values)
    if array.dtype.kind not in "iu":
        raise EstimateError(f"{name} must hold whole numbers of respondents")
    if array.size and array.min() < 0:
        raise EstimateError(f"{name} cannot hold negative counts")
    return array.astype(np.int64)


def share_table(count: Any, n: Any, *, confidence: float = DEFAULT_CONFIDENCE) -> EstimateTable:
    """Return shares with Wilson intervals for arrays of counts and bases (same shape)."""
    z = normal_quantile(_check_confidence(confidence))
    count, n = _int_array("count", count), _int_array("n", n)
    if count.shape != n.shape:
        raise EstimateError(f"count {count.shape} and n {n.shape} must have the same shape")
    if np.any(count > n):
        raise EstimateError("a count cannot exceed its base n")
    with np.errstate(divide="ignore", invalid="ignore"):
        p = count / n
        z2 = z * z
        centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        half = z / (1 + z2 / n) * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
        low = np.where(count == 0, 0.0, np.clip(centre - half, 0.0, p))
        high = np.where(count == n, 1.0, np.clip(centre + half, p, 1.0))
    empty = n == 0
    return EstimateTable(
        n, np.where(empty, np.nan, p), np.where(empty, np.nan, low), np.where(empty, np.nan, high)
    )


def mean_table(
    n: Any, total: Any, total_squares: Any, *, confidence: float = DEFAULT_CONFIDENCE
) -> EstimateTable:
    """Return means with t intervals for arrays of n, Σx and Σx² (same shape)."""
    confidence = _check_confidence(confidence)
    n = _int_array("n", n)
    total = np.asarray(total, dtype=float)
    total_squares = np.asarray(total_squares, dtype=float)
    if not n.shape == total.shape == total_squares.shape:
        raise EstimateError("n, total and total_squares must have the same shape")
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total / n
        variance = np.maximum(total_squares - n * mean * mean, 0.0) / (n - 1)
        quantile = special.stdtrit(np.where(n > 1, n - 1, 1), 0.5 + confidence / 2)
        half = quantile * np.sqrt(variance / n)
    mean = np.where(n > 0, mean, np.nan)
    half = np.where(n > 1, half, np.nan)
    return EstimateTable(n, mean, mean - half, mean + half)


def nps_table(
    promoters: Any, passives: Any, detractors: Any, *, confidence: float = DEFAULT_CONFIDENCE
) -> EstimateTable:
    """Return NPS (points) with adjusted Wald intervals for arrays of bucket counts."""
    z = normal_quantile(_check_confidence(confidence))
    promoters = _int_array("promoters", promoters)
    passives = _int_array("passives", passives)
    detractors = _int_array("detractors", detractors)
    if not promoters.shape == passives.shape == detractors.shape:
        raise EstimateError("promoters, passives and detractors must have the same shape")
    n = promoters + passives + detractors
    n_adjusted = n + NPS_EXTRA_RESPONDENTS
    promoter = (promoters + NPS_ADJUSTMENT) / n_adjusted
    detractor = (detractors + NPS_ADJUSTMENT) / n_adjusted
    adjusted = promoter - detractor
    half = z * np.sqrt((promoter + detractor - adjusted**2) / n_adjusted)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = (promoters - detractors) / n * 100
    empty = n == 0
    return EstimateTable(
        n,
        np.where(empty, np.nan, value),
        np.where(empty, np.nan, np.maximum(-1.0, adjusted - half) * 100),
        np.where(empty, np.nan, np.minimum(1.0, adjusted + half) * 100),
    )
