"""When a message may leave: the sending window of a channel, in the recipient's time zone.

The default SMS window is the strictest of the usual French operator practices: Monday to
Saturday, 10:00 to 20:00, never on a Sunday or a French public holiday. A message due outside
the window is deferred to the next opening, never dropped. Pure Python: no Django here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

# Alsace and Moselle (department 57, 67, 68) add Good Friday and 26 December.
_ALSACE_MOSELLE = {"57", "67", "68"}


@dataclass(frozen=True)
class SendingWindow:
    """Days of the week (0 = Monday) and local hours during which a channel may send."""

    weekdays: frozenset[int] = field(default_factory=lambda: frozenset(range(6)))
    opens: time = time(10, 0)
    closes: time = time(20, 0)
    skip_public_holidays: bool = True

    def __post_init__(self) -> None:
        if not self.weekdays or not self.weekdays <= set(range(7)):
            raise ValueError("A sending window needs weekdays between 0 (Monday) and 6 (Sunday)")
        if self.opens >= self.closes:
            raise ValueError("A sending window must open before it closes")


ALWAYS = SendingWindow(
    weekdays=frozenset(range(7)),
    opens=time(0, 0),
    closes=time(23, 59, 59, 999999),
    skip_public_holidays=False,
)
FRENCH_SMS = SendingWindow()


def parse_window(text: str) -> SendingWindow:
    """Return the window written as ``"mon-sat 10:00-20:00"`` (``+holidays`` to send on them)."""
    names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    parts = text.lower().split()
    if len(parts) not in (2, 3):
        raise ValueError(f"Sending window {text!r}: expected e.g. 'mon-sat 10:00-20:00'")
    first, _, last = parts[0].partition("-")
    try:
        start = names.index(first)
        end = names.index(last or first)
        opens_text, closes_text = parts[1].split("-")
        opens = time.fromisoformat(opens_text)
        closes = time.fromisoformat(closes_text)
    except ValueError as exc:
        raise ValueError(f"Sending window {text!r}: expected e.g. 'mon-sat 10:00-20:00'") from exc
    days = (
        frozenset(range(start, end + 1))
        if start <= end
        else frozenset([*range(start, 7), *range(0, end + 1)])
    )
    send_on_holidays = len(parts) == 3 and parts[2] == "+holidays"
    if len(parts) == 3 and not send_on_holidays:
        raise ValueError(f"Sending window {text!r}: the only option is '+holidays'")
    return SendingWindow(
        weekdays=days, opens=opens, closes=closes, skip_public_holidays=not send_on_holidays
    )


@lru_cache(maxsize=64)
def _french_holidays(year: int, subdivision: str | None) -> frozenset[date]:
    calendar = (
        holidays.France(years=year, subdiv=subdivision)
        if subdivision
        else holidays.France(years=year)
    )
    return frozenset(calendar)


def is_public_holiday(day: date, subdivision: str | None = None) -> bool:
    """Return whether ``day`` is a French public holiday (Alsace-Moselle with its department)."""
    subdivision = subdivision if subdivision in _ALSACE_MOSELLE else None
    return day in _french_holidays(day.year, subdivision)


def _open_day(window: SendingWindow, day: date, subdivision: str | None) -> bool:
    if day.weekday() not in window.weekdays:
        return False
    return not (window.skip_public_holidays and is_public_holiday(day, subdivision))


@lru_cache(maxsize=8192)
def _opening_hours(
    window: SendingWindow, day: date, zone: ZoneInfo, subdivision: str | None
) -> tuple[datetime, datetime] | None:
    # A hot import asks for the same few days of the same few zones a million times.
    if not _open_day(window, day, subdivision):
        return None
    return (
        datetime.combine(day, window.opens, tzinfo=zone),
        datetime.combine(day, window.closes, tzinfo=zone),
    )


def next_send_time(
    due: datetime,
    *,
    time_zone: str,
    window: SendingWindow = FRENCH_SMS,
    subdivision: str | None = None,
) -> datetime:
    """Return the first moment at or after ``due`` inside the window, as an aware datetime.

    ``due`` must be aware; the answer is in the recipient's zone (``time_zone``).
    """
    if due.tzinfo is None:
        raise ValueError("next_send_time needs an aware datetime")
    zone = ZoneInfo(time_zone)
    local = due.astimezone(zone)
    day = local.date()
    for _ in range(400):
        hours = _opening_hours(window, day, zone, subdivision)
        if hours is not None:
            opening, closing = hours
            if local < opening:
                return opening
            if local < closing:
                return local
        day += timedelta(days=1)
        local = datetime.combine(day, time(0, 0), tzinfo=zone)
    raise ValueError("No sending window opens within a year")
