"""How much unit means can be trusted: ICC(1) and ICC(2) from a one-way ANOVA.

ICC(1) is the share of the answers' variance that lies between units (how much the unit
matters); ICC(2) is the reliability of the unit means (how well a unit's mean tells it
apart from the others). Below about 0.7 for ICC(2), differences between units are mostly
noise and linkage across units is attenuated. Both are computed from respondent-level
answers or, equivalently, from each unit's n, Σx and Σx² as a roll-up keeps them.

With unequal unit sizes the group size in ICC(1) is the ANOVA's
k₀ = (N - Σnⱼ²/N) / (J - 1).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scipy import stats

from miroir.analytics import NO_VARIATION, TOO_FEW_RESPONDENTS, TOO_FEW_UNITS, AnalyticsError


class ReliabilityError(AnalyticsError):
    """Data the reliability cannot be computed from; the message says why."""


@dataclass(frozen=True)
class Reliability:
    """The one-way ANOVA of answers by unit and the two intra-class correlations.

    ``icc1`` can be slightly negative when units differ less than chance would make
    them; it is reported as computed. ``icc2`` is None when the between-unit mean
    square is 0.
    """

    units: int
    respondents: int
    group_size: float
    mean_square_between: float
    mean_square_within: float
    f: float | None
    p_value: float | None
    icc1: float
    icc2: float | None


def reliability_from_sums(
    n: Sequence[int], total: Sequence[float], total_squares: Sequence[float]
) -> Reliability:
    """Return ICC(1) and ICC(2) from each unit's n, Σx and Σx² (one entry per unit)."""
    if not len(n) == len(total) == len(total_squares):
        raise ReliabilityError("n, total and total_squares need one entry per unit")
    units = [
        (int(count), float(s), float(ss))
        for count, s, ss in zip(n, total, total_squares, strict=True)
        if count
    ]
    for count, _, _ in units:
        if count < 0:
            raise ReliabilityError(f"a unit cannot have {count} respondents")
    if len(units) < 2:
        raise ReliabilityError(
            f"at least 2 units with answers are needed, got {len(units)}", reason=TOO_FEW_UNITS
        )
    respondents = sum(count for count, _, _ in units)
    if respondents <= len(units):
        raise ReliabilityError(
            "at least one unit needs two respondents: the within-unit variance is undefined",
            reason=TOO_FEW_RESPONDENTS,
        )
    grand_mean = sum(s for _, s, _ in units) / respondents
    between = sum(count * (s / count - grand_mean) ** 2 for count, s, _ in units)
    within = sum(max(ss - s * s / count, 0.0) for count, s, ss in units)
    j = len(units)
    msb = between / (j - 1)
    msw = within / (respondents - j)
    k0 = (respondents - sum(count * count for count, _, _ in units) / respondents) / (j - 1)
    f: float | None
    p_value: float | None
    if msw > 0:
        f = msb / msw
        p_value = float(stats.f.sf(f, j - 1, respondents - j))
    else:
        f = p_value = None
    denominator = msb + (k0 - 1) * msw
    if denominator == 0:
        raise ReliabilityError(
            "every answer is the same: the reliability is undefined", reason=NO_VARIATION
        )
    icc1 = (msb - msw) / denominator
    icc2 = (msb - msw) / msb if msb > 0 else None
    return Reliability(j, respondents, k0, msb, msw, f, p_value, icc1, icc2)


def reliability(groups: Iterable[Iterable[float]]) -> Reliability:
    """Return ICC(1) and ICC(2) from the answers of each unit (one list per unit)."""
    n, total, total_squares = [], [], []
    for answers in groups:
        values = [float(value) for value in answers]
        if any(not math.isfinite(value) for value in values):
            raise ReliabilityError("answers must be finite numbers")
        n.append(len(values))
        total.append(sum(values))
        total_squares.append(sum(value * value for value in values))
    return reliability_from_sums(n, total, total_squares)


def spearman_brown(icc1: float, group_size: float) -> float:
    """Return the reliability of means of ``group_size`` answers given ICC(1).

    Useful to say how many respondents per unit an ICC(2) of 0.7 would need.
    """
    if group_size <= 0:
        raise ReliabilityError(f"group_size must be positive, got {group_size}")
    return group_size * icc1 / (1 + (group_size - 1) * icc1)
