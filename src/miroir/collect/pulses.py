"""The schedule of a pulse: when each of its waves opens and closes (no Django here).

A pulse's occurrence ``k`` (0 for the first) opens on ``starts_on + k * every_weeks``
weeks at the opening time, *local time* of the pulse's time zone, and closes
``open_days`` days later at the same local time: a pulse opening at 09:00 opens at 09:00
in winter and in summer, so two openings lie 7 * N days apart on the calendar and
7 * N days ± the daylight-saving hour apart in UTC.

The tick creates an occurrence's wave ``LEAD`` before it opens (it is launched then, so
it waits as "scheduled" and its personal links can be handed out), and never creates
a wave that would be closed, or open for less than ``MIN_LEFT``, by the time it runs:
a tick that missed occurrences (the server was down, the pulse was paused) skips them
rather than creating waves in the past.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# How long before its opening an occurrence's wave is created and launched.
LEAD = timedelta(days=1)
# An occurrence whose wave would stay open for less than this when created is skipped.
MIN_LEFT = timedelta(days=1)
# The longest a wave of a pulse stays open, and the longest cadence, in days and weeks.
MAX_OPEN_DAYS = 366
MAX_EVERY_WEEKS = 104


@dataclass(frozen=True)
class Schedule:
    """What decides when a pulse's waves open and close."""

    starts_on: date
    opens_at_time: time
    every_weeks: int
    open_days: int
    time_zone: str
    ends_on: date | None = None

    def opening_day(self, k: int) -> date:
        return self.starts_on + timedelta(weeks=self.every_weeks * k)

    def exists(self, k: int) -> bool:
        """Return whether occurrence ``k`` is part of the series (on or before its end)."""
        return k >= 0 and (self.ends_on is None or self.opening_day(k) <= self.ends_on)

    def _at(self, day: date) -> datetime:
        local = datetime.combine(day, self.opens_at_time, tzinfo=ZoneInfo(self.time_zone))
        # A time the clocks skip (the spring change) reads as the hour after it.
        return local.astimezone(UTC)

    def opens(self, k: int) -> datetime:
        return self._at(self.opening_day(k))

    def closes(self, k: int) -> datetime:
        return self._at(self.opening_day(k) + timedelta(days=self.open_days))

    def first_after(self, moment: datetime | None) -> int:
        """Return the first occurrence opening strictly after ``moment`` (None: the first)."""
        if moment is None:
            return 0
        period = 7 * self.every_weeks
        local_day = moment.astimezone(ZoneInfo(self.time_zone)).date()
        k = max(0, (local_day - self.starts_on).days // period - 1)
        while self.opens(k) <= moment:
            k += 1
        return k

    def occurrences(self, k: int) -> Iterator[int]:
        """Yield the occurrences from ``k`` on, while they are part of the series."""
        while self.exists(k):
            yield k
            k += 1


@dataclass(frozen=True)
class Due:
    """The occurrence to create now, and how many earlier ones were skipped to reach it."""

    occurrence: int
    skipped: int


def due_occurrence(schedule: Schedule, *, after: datetime | None, now: datetime) -> Due | None:
    """Return the occurrence whose wave the tick creates now, or None when none is due.

    ``after`` is when the pulse's latest wave opens (None before its first): only later
    occurrences count. Occurrences that would be closed, or open for less than
    ``MIN_LEFT``, are skipped; the first one left is due once ``LEAD`` before it opens.
    """
    start = schedule.first_after(after)
    # Jump over whole periods already gone rather than walking them one by one.
    period = 7 * schedule.every_weeks
    local_today = now.astimezone(ZoneInfo(schedule.time_zone)).date()
    gone = (local_today - schedule.starts_on).days - schedule.open_days
    first = max(start, gone // period - 1 if gone > 0 else 0)
    for k in schedule.occurrences(first):
        if schedule.closes(k) - MIN_LEFT <= now:
            continue
        if schedule.opens(k) - LEAD <= now:
            return Due(occurrence=k, skipped=k - start)
        return None
    return None


def upcoming(
    schedule: Schedule, *, after: datetime | None, now: datetime, until: datetime
) -> list[int]:
    """Return the occurrences the tick will still create, opening before ``until``."""
    found = []
    due = due_occurrence(schedule, after=after, now=now)
    if due is not None:
        first = due.occurrence
    else:
        # Nothing due: the next wave is one opening after ``now + LEAD`` (and after ``after``).
        first = schedule.first_after(max(after, now + LEAD) if after else now + LEAD)
    for k in schedule.occurrences(first):
        if schedule.opens(k) >= until:
            break
        if schedule.closes(k) - MIN_LEFT > now:
            found.append(k)
    return found
