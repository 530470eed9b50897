"""Periods: labels, neighbours, and one release grain."""

from __future__ import annotations

from datetime import date

import pytest

from miroir.results.periods import PeriodError, period_of, period_parse


def test_a_quarter_holds_three_months_and_knows_its_neighbours() -> None:
    quarter = period_of(date(2026, 2, 14), "quarter")
    assert quarter.label == "2026-Q1"
    assert quarter.month_starts() == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert quarter.previous().label == "2025-Q4"
    assert quarter.next().label == "2026-Q2"
    assert quarter.end == date(2026, 4, 1)


def test_a_label_of_another_grain_is_refused(settings) -> None:
    settings.MIROIR_RESULTS_PERIOD = "quarter"
    assert period_parse("2026-Q3").start == date(2026, 7, 1)
    with pytest.raises(PeriodError, match="released by quarter"):
        period_parse("2026-03")
    with pytest.raises(PeriodError, match="not a period"):
        period_parse("Q3 2026")
