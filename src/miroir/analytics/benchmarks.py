"""A unit's position among comparable units: its percentile rank (pure Python, no Django)."""

from __future__ import annotations

from collections.abc import Sequence

from miroir.analytics import TOO_FEW_UNITS, AnalyticsError


def percentile_rank(values: Sequence[float], score: float, *, minimum: int = 1) -> float:
    """Return the percentile rank of ``score`` among ``values`` (0 to 100).

    The share of values below the score plus half the share equal to it, times 100:
    SciPy's ``percentileofscore(values, score, kind="mean")``. Ties share their rank, so
    a unit equal to every other is at 50, not at 0 or 100. ``values`` includes the
    unit's own; fewer than ``minimum`` values raise ``AnalyticsError`` (too few units).
    """
    if len(values) < max(1, minimum):
        raise AnalyticsError(
            f"{len(values)} values, {minimum} needed for a percentile", reason=TOO_FEW_UNITS
        )
    below = sum(1 for value in values if value < score)
    equal = sum(1 for value in values if value == score)
    return 100.0 * (below + 0.5 * equal) / len(values)
