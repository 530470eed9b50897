from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from miroir.collect.quiet_hours import FRENCH_SMS, is_public_holiday, next_send_time, parse_window

PARIS = ZoneInfo("Europe/Paris")


def at(*args: int, zone: ZoneInfo = PARIS) -> datetime:
    return datetime(*args, tzinfo=zone)


def test_inside_the_window_leaves_at_once():
    # Tuesday 17 November 2026, 15:30
    due = at(2026, 11, 17, 15, 30)
    assert next_send_time(due, time_zone="Europe/Paris") == due


def test_before_ten_waits_for_ten_the_same_day():
    assert next_send_time(at(2026, 11, 17, 7, 5), time_zone="Europe/Paris") == at(
        2026, 11, 17, 10, 0
    )


def test_after_eight_pm_waits_for_the_next_morning():
    assert next_send_time(at(2026, 11, 17, 20, 0), time_zone="Europe/Paris") == at(
        2026, 11, 18, 10, 0
    )


def test_saturday_evening_waits_until_monday():
    # Saturday 21 November 2026 at 21:00 → Monday 23 November at 10:00
    assert next_send_time(at(2026, 11, 21, 21, 0), time_zone="Europe/Paris") == at(
        2026, 11, 23, 10, 0
    )


def test_sunday_never_sends():
    assert next_send_time(at(2026, 11, 22, 12, 0), time_zone="Europe/Paris") == at(
        2026, 11, 23, 10, 0
    )


def test_a_public_holiday_is_skipped():
    # Wednesday 11 November 2026 (Armistice) → Thursday 12 November at 10:00
    assert next_send_time(at(2026, 11, 11, 11, 0), time_zone="Europe/Paris") == at(
        2026, 11, 12, 10, 0
    )


def test_christmas_eve_evening_waits_past_christmas():
    # Thursday 24 Dec 2026 at 20:30 → Friday 25 is Christmas → Saturday 26 at 10:00
    assert next_send_time(at(2026, 12, 24, 20, 30), time_zone="Europe/Paris") == at(
        2026, 12, 26, 10, 0
    )


def test_alsace_moselle_also_rests_on_saint_stephen():
    assert is_public_holiday(date(2026, 12, 26), "57")
    assert not is_public_holiday(date(2026, 12, 26), None)
    assert next_send_time(
        at(2026, 12, 24, 21, 0), time_zone="Europe/Paris", subdivision="57"
    ) == at(2026, 12, 28, 10, 0)


def test_easter_monday_and_pentecost_monday_follow_the_moving_calendar():
    assert is_public_holiday(date(2026, 4, 6))  # Easter Monday 2026
    assert is_public_holiday(date(2027, 3, 29))  # Easter Monday 2027
    assert is_public_holiday(date(2026, 5, 25))  # Whit Monday 2026


def test_the_window_is_read_in_the_recipients_time_zone():
    # 09:30 UTC is 10:30 in Paris in winter but 05:30 in Martinique (UTC-4).
    due = at(2026, 11, 17, 9, 30, zone=ZoneInfo("UTC"))
    assert next_send_time(due, time_zone="Europe/Paris") == due
    in_martinique = next_send_time(due, time_zone="America/Martinique")
    assert in_martinique == datetime(2026, 11, 17, 10, 0, tzinfo=ZoneInfo("America/Martinique"))


def test_daylight_saving_change_keeps_local_hours():
    # Sunday 29 March 2026 is the switch to summer time; Monday opens at 10:00 CEST.
    result = next_send_time(at(2026, 3, 28, 22, 0), time_zone="Europe/Paris")
    assert result == at(2026, 3, 30, 10, 0)
    assert result.utcoffset().total_seconds() == 7200


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        next_send_time(datetime(2026, 11, 17, 12, 0), time_zone="Europe/Paris")


def test_windows_are_parsed_from_settings_text():
    window = parse_window("mon-fri 09:00-18:30")
    assert window.weekdays == frozenset(range(5))
    assert window.opens == time(9, 0) and window.closes == time(18, 30)
    assert window.skip_public_holidays
    assert parse_window("mon-sun 00:00-23:59 +holidays").skip_public_holidays is False
    assert parse_window("mon-sat 10:00-20:00") == FRENCH_SMS
    for bad in ("weekdays 10-20", "mon-sat 20:00-10:00", "mon-sat 10:00-20:00 always", "xyz"):
        with pytest.raises(ValueError):
            parse_window(bad)
