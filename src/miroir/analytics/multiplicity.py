"""Corrections for flagging many units at once.

Testing 200 shops at 5 % flags about 10 of them by chance alone. When a page flags
"significant" gaps or changes across many units, the p-values are adjusted first:
Benjamini-Hochberg by default (controls the expected share of false flags among the
flagged units), Holm when every single flag must be trusted (controls the chance of
any false flag).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from miroir.analytics import AnalyticsError


class MultiplicityError(AnalyticsError):
    """p-values a correction cannot use; the message says why."""


@dataclass(frozen=True)
class Correction:
    """Adjusted p-values and flags, in the order the p-values were given."""

    method: Literal["benjamini-hochberg", "holm"]
    alpha: float
    p_values: tuple[float, ...]
    adjusted: tuple[float, ...]
    flagged: tuple[bool, ...]

    @property
    def flagged_count(self) -> int:
        return sum(self.flagged)


def _check(p_values: Sequence[float], alpha: float) -> np.ndarray:
    if not 0 < alpha < 1:
        raise MultiplicityError(f"alpha must be between 0 and 1 (exclusive), got {alpha}")
    given = list(p_values)
    if any(value is None for value in given):
        raise MultiplicityError("a p-value is missing: p-values must be numbers between 0 and 1")
    try:
        values = np.asarray(given, dtype=float)
    except (TypeError, ValueError) as error:
        raise MultiplicityError("p-values must be numbers between 0 and 1") from error
    if values.ndim != 1:
        raise MultiplicityError("p-values must be a flat list")
    bad = [value for value in values if not (math.isfinite(value) and 0 <= value <= 1)]
    if bad:
        raise MultiplicityError(f"p-values must be between 0 and 1, got {bad[0]}")
    return values


def benjamini_hochberg(p_values: Sequence[float], *, alpha: float = 0.05) -> Correction:
    """Return Benjamini-Hochberg adjusted p-values (false discovery rate ``alpha``).

    The i-th smallest of m p-values becomes min over j ≥ i of p₍ⱼ₎·m/j, capped at 1.
    """
    values = _check(p_values, alpha)
    m = len(values)
    if m == 0:
        return Correction("benjamini-hochberg", alpha, (), (), ())
    order = np.argsort(values, kind="stable")
    scaled = values[order] * (m / np.arange(1, m + 1))
    adjusted_sorted = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    # Float rounding must not take an adjusted p-value below the raw one.
    adjusted_sorted = np.maximum(adjusted_sorted, values[order])
    adjusted = np.empty(m)
    adjusted[order] = adjusted_sorted
    return Correction(
        "benjamini-hochberg",
        alpha,
        tuple(float(value) for value in values),
        tuple(float(value) for value in adjusted),
        tuple(bool(value <= alpha) for value in adjusted),
    )


def holm(p_values: Sequence[float], *, alpha: float = 0.05) -> Correction:
    """Return Holm's step-down adjusted p-values (family-wise error ``alpha``).

    The i-th smallest of m p-values becomes max over j ≤ i of p₍ⱼ₎·(m - j + 1), capped at 1.
    """
    values = _check(p_values, alpha)
    m = len(values)
    if m == 0:
        return Correction("holm", alpha, (), (), ())
    order = np.argsort(values, kind="stable")
    scaled = values[order] * (m - np.arange(m))
    adjusted_sorted = np.minimum(1.0, np.maximum.accumulate(scaled))
    adjusted = np.empty(m)
    adjusted[order] = adjusted_sorted
    return Correction(
        "holm",
        alpha,
        tuple(float(value) for value in values),
        tuple(float(value) for value in adjusted),
        tuple(bool(value <= alpha) for value in adjusted),
    )
