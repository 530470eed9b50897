"""Periods results are released by: calendar months, quarters or years, one grain at a time.

Roll-ups are stored by calendar month (of the response's ``submitted_on`` day); a
quarter or a year is the sum of its months. Results leave the system at ONE grain,
``settings.MIROIR_RESULTS_PERIOD`` (``quarter`` by default): releasing a quarter and
its months side by side would let anyone subtract two months from the quarter and
read the third, however small (docs/anonymity.md, "Periods"). Labels: ``2026-03``
(month), ``2026-Q1`` (quarter), ``2026`` (year).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from django.conf import settings

from miroir.core.inputs import EARLIEST, latest

Grain = Literal["month", "quarter", "year"]
GRAINS: tuple[Grain, ...] = ("month", "quarter", "year")
_MONTHS: dict[str, int] = {"month": 1, "quarter": 3, "year": 12}
_LABEL = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|Q(?P<quarter>[1-4])))?$")


class PeriodError(ValueError):
    """A period label or grain that is not understood; the message says what is expected."""


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _from_index(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month, quarter or year: ``start`` (first day) to ``end`` (first day after)."""

    start: date
    grain: Grain

    @property
    def months(self) -> int:
        return _MONTHS[self.grain]

    @property
    def end(self) -> date:
        """Return the first day after the period (an exclusive bound)."""
        return _from_index(_month_index(self.start) + self.months)

    @property
    def label(self) -> str:
        if self.grain == "year":
            return f"{self.start.year}"
        if self.grain == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}-{self.start.month:02d}"

    def __str__(self) -> str:
        return self.label

    def previous(self) -> Period:
        return Period(_from_index(_month_index(self.start) - self.months), self.grain)

    def next(self) -> Period:
        return Period(self.end, self.grain)

    def month_starts(self) -> list[date]:
        """Return the first day of every month in the period (the roll-ups' keys)."""
        first = _month_index(self.start)
        return [_from_index(first + offset) for offset in range(self.months)]

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end


def release_grain() -> Grain:
    """Return the grain results are released at (``MIROIR_RESULTS_PERIOD``)."""
    grain = settings.MIROIR_RESULTS_PERIOD
    if grain not in GRAINS:
        raise PeriodError(
            f"MIROIR_RESULTS_PERIOD must be one of {', '.join(GRAINS)}, got {grain!r}"
        )
    return grain


def period_of(day: date, grain: Grain | None = None) -> Period:
    """Return the period of ``grain`` (default: the release grain) that holds ``day``."""
    grain = grain or release_grain()
    index = _month_index(day)
    months = _MONTHS[grain]
    return Period(_from_index(index - index % months), grain)


def period_parse(label: str, *, grain: Grain | None = None) -> Period:
    """Return the period a label names; ``PeriodError`` if it is malformed or of another grain.

    With ``grain`` (default: the release grain), a label of any other grain is refused,
    so that no caller obtains figures at two grains that could be subtracted.
    """
    grain = grain or release_grain()
    match = _LABEL.match(str(label).strip())
    if match is None:
        raise PeriodError(
            f"{label!r} is not a period: expected 2026 (year), 2026-Q1 (quarter) or 2026-03 (month)"
        )
    year = int(match["year"])
    if not EARLIEST.year <= year <= latest().year:
        raise PeriodError(f"{label!r}: the year must be from {EARLIEST.year} to {latest().year}")
    if match["month"]:
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise PeriodError(f"{label!r}: the month must be from 01 to 12")
        found: Period = Period(date(year, month, 1), "month")
    elif match["quarter"]:
        found = Period(date(year, (int(match["quarter"]) - 1) * 3 + 1, 1), "quarter")
    else:
        found = Period(date(year, 1, 1), "year")
    if found.grain != grain:
        raise PeriodError(f"results are released by {grain}; {label!r} is a {found.grain}")
    return found


def month_start(day: date) -> date:
    """Return the first day of ``day``'s month (the roll-up key of a response)."""
    return day.replace(day=1)
