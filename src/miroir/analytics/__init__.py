"""The statistics of Miroir: estimates, gaps, linkage, reliability and the symmetry index.

Pure Python, NumPy and SciPy on purpose: nothing here imports Django, so every figure
can be checked against SciPy and statsmodels on the same data and reused from the CLI.
The conventions and formulas are documented in ``docs/analytics.md``.
"""

from __future__ import annotations

# Why a figure cannot be computed, as a stable code a page turns into a sentence in its
# reader's language: an error's message is for developers and logs, never for a page.
TOO_FEW_UNITS = "too_few_units"
TOO_FEW_RESPONDENTS = "too_few_respondents"
TOO_FEW_PERIODS = "too_few_periods"
NO_VARIATION = "no_variation"
COLLINEAR = "collinear"
INVALID = "invalid"


class AnalyticsError(ValueError):
    """Data a figure cannot be computed from: ``reason`` is one of the codes above."""

    def __init__(self, message: str, *, reason: str = INVALID) -> None:
        super().__init__(message)
        self.reason = reason
