"""Pulses: the schedule of recurring waves, and the tick that creates and launches them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from miroir.audit.models import AuditEntry
from miroir.collect.models import Invitation, Pulse, PulseStatus, Wave, WaveStatus
from miroir.collect.pulses import LEAD, MIN_LEFT, Schedule, due_occurrence, upcoming
from miroir.collect.selectors import pulse_schedule
from miroir.collect.sending import wave_send_reminders
from miroir.collect.services import (
    pulse_create,
    pulse_set_status,
    pulse_update,
    pulse_wave_due,
    pulses_launch_due,
)

PARIS = ZoneInfo("Europe/Paris")

schedules = st.builds(
    Schedule,
    starts_on=st.dates(date(2026, 1, 1), date(2030, 12, 31)),
    opens_at_time=st.times(),
    every_weeks=st.integers(1, 8),
    open_days=st.integers(1, 7),
    time_zone=st.just("Europe/Paris"),
)


@hypothesis_settings(max_examples=200, deadline=None)
@given(schedule=schedules, k=st.integers(0, 60))
def test_occurrences_open_every_n_weeks_at_the_same_local_time(schedule, k):
    first, later = schedule.opens(k), schedule.opens(k + 1)
    local_first, local_later = first.astimezone(PARIS), later.astimezone(PARIS)
    assert (local_later.date() - local_first.date()).days == 7 * schedule.every_weeks
    # 7 x N days apart, give or take the daylight-saving hour.
    assert abs((later - first) - timedelta(weeks=schedule.every_weeks)) <= timedelta(hours=1)
    assert schedule.closes(k) > first
    assert schedule.closes(k) <= later


@hypothesis_settings(max_examples=200, deadline=None)
@given(
    schedule=schedules,
    offsets=st.lists(st.integers(0, 400 * 24), min_size=1, max_size=60),
    repeat=st.integers(1, 3),
)
def test_repeated_ticks_at_any_times_never_create_an_occurrence_twice(schedule, offsets, repeat):
    start = datetime.combine(schedule.starts_on, time(0), tzinfo=UTC) - timedelta(days=10)
    created: list[int] = []
    for hours in sorted(offsets):
        now = start + timedelta(hours=hours)
        for _run in range(repeat):
            after = schedule.opens(created[-1]) if created else None
            due = due_occurrence(schedule, after=after, now=now)
            if due is None:
                continue
            k = due.occurrence
            # Due within the lead before opening, never a wave about to close.
            assert schedule.opens(k) - LEAD <= now
            assert schedule.closes(k) - MIN_LEFT > now
            created.append(k)
    assert created == sorted(set(created))


@hypothesis_settings(max_examples=100, deadline=None)
@given(schedule=schedules, days=st.integers(30, 200))
def test_a_tick_every_hour_creates_every_occurrence_in_order(schedule, days):
    start = datetime.combine(schedule.starts_on, time(0), tzinfo=UTC) - timedelta(days=2)
    created: list[int] = []
    for hours in range(days * 24):
        now = start + timedelta(hours=hours)
        due = due_occurrence(
            schedule, after=schedule.opens(created[-1]) if created else None, now=now
        )
        if due is not None:
            assert due.skipped == 0
            created.append(due.occurrence)
    assert created == list(range(len(created)))
    assert len(created) >= (days - 3) // (7 * schedule.every_weeks)


def test_a_missed_tick_skips_the_occurrences_already_closed():
    schedule = Schedule(
        starts_on=date(2027, 1, 4),
        opens_at_time=time(9),
        every_weeks=1,
        open_days=3,
        time_zone="Europe/Paris",
    )
    # Down from the first wave's opening to the fourth week's Wednesday evening.
    now = datetime(2027, 1, 27, 20, 0, tzinfo=PARIS)
    due = due_occurrence(schedule, after=schedule.opens(0), now=now)
    # The fourth occurrence (Monday 25th) closes on Thursday at 09:00: less than a day left.
    assert due is None
    assert upcoming(schedule, after=schedule.opens(0), now=now, until=now + timedelta(days=15)) == [
        4,
        5,
    ]
    later = datetime(2027, 2, 1, 8, 0, tzinfo=PARIS)
    assert due_occurrence(schedule, after=schedule.opens(0), now=later).occurrence == 4
    assert due_occurrence(schedule, after=schedule.opens(0), now=later).skipped == 3


def test_the_schedule_ends_with_its_last_day():
    schedule = Schedule(
        starts_on=date(2027, 1, 4),
        opens_at_time=time(9),
        every_weeks=2,
        open_days=5,
        time_zone="Europe/Paris",
        ends_on=date(2027, 2, 1),
    )
    assert list(schedule.occurrences(0)) == [0, 1, 2]


# The tick, in the database -------------------------------------------------------------------


@pytest.fixture
def make_pulse(personas, instrument):
    def make(**overrides):
        options = {
            "actor": personas.admin,
            "instrument": instrument,
            "name": "Pouls hebdo",
            "lens": "employee",
            "units": [personas.lille],
            "channels": ["email", "link"],
            "reminder_days": [2],
            "every_weeks": 1,
            "open_days": 4,
            "starts_on": timezone.localdate(),
            "opens_at_time": time(0, 0),
        }
        options.update(overrides)
        return pulse_create(**options)

    return make


def test_the_tick_creates_and_launches_the_wave_once_however_often_it_runs(
    make_pulse, personas, django_capture_on_commit_callbacks
):
    pulse = make_pulse()
    with django_capture_on_commit_callbacks(execute=True):
        created = pulses_launch_due(now=timezone.now())
        again = pulses_launch_due(now=timezone.now())
    assert len(created) == 1
    assert again == []
    wave = Wave.objects.get(pulse=pulse)
    assert wave.pulse_rank == 1
    assert wave.status == WaveStatus.OPEN
    assert wave.name == "Pouls hebdo, vague 1"
    assert wave.reminder_days == [2]
    assert wave.opens_at == pulse_schedule(pulse).opens(0)
    # Invited and sent like any wave: Lille's people with an address.
    assert sorted(address for m in mail.outbox for address in m.to) == [
        "emile@example.com",
        "sophie@example.com",
    ]
    entry = AuditEntry.objects.get(action="pulse.wave")
    assert entry.details == {"wave": wave.pk, "rank": 1, "skipped": 0}


def test_the_pulses_wave_sends_its_reminders(make_pulse, django_capture_on_commit_callbacks):
    pulse = make_pulse()
    with django_capture_on_commit_callbacks(execute=True):
        pulses_launch_due(now=timezone.now())
    wave = Wave.objects.get(pulse=pulse)
    mail.outbox.clear()
    later = wave.opens_at + timedelta(days=2, hours=1)
    Invitation.objects.update(last_sent_at=later - timedelta(days=1))
    wave_send_reminders(wave=wave, now=later)
    assert len(mail.outbox) == 2
    assert set(Invitation.objects.values_list("reminders_sent", flat=True)) == {1}


def test_a_fake_clock_across_both_daylight_saving_changes(make_pulse, personas):
    # Mondays at 09:00, Paris time, from before the spring change to after the autumn one.
    pulse = make_pulse(starts_on=date(2027, 3, 15), opens_at_time=time(9), every_weeks=4)
    clock = datetime(2027, 3, 13, 0, 0, tzinfo=PARIS)
    while clock < datetime(2027, 11, 27, tzinfo=PARIS):
        pulses_launch_due(now=clock)
        pulses_launch_due(now=clock)
        clock += timedelta(hours=7)
    waves = list(Wave.objects.filter(pulse=pulse).order_by("pulse_rank"))
    assert [wave.pulse_rank for wave in waves] == list(range(1, 11))
    openings = [wave.opens_at.astimezone(PARIS) for wave in waves]
    assert all((o.weekday(), o.hour, o.minute) == (0, 9, 0) for o in openings)
    assert [o.date() for o in openings] == [
        date(2027, 3, 15) + timedelta(weeks=4 * k) for k in range(10)
    ]
    # Winter time (UTC+1) around summer time (UTC+2).
    assert openings[0].utcoffset() == timedelta(hours=1)
    assert openings[1].utcoffset() == timedelta(hours=2)
    assert openings[8].utcoffset() == timedelta(hours=2)  # 25 October, before the change
    assert openings[9].utcoffset() == timedelta(hours=1)


def test_a_paused_pulse_creates_nothing_and_resumes_without_waves_in_the_past(make_pulse, personas):
    pulse = make_pulse(starts_on=date(2027, 1, 4), opens_at_time=time(9))
    pulses_launch_due(now=datetime(2027, 1, 4, 10, tzinfo=PARIS))
    pulse_set_status(pulse=pulse, actor=personas.admin, status=PulseStatus.PAUSED)
    assert pulses_launch_due(now=datetime(2027, 1, 11, 10, tzinfo=PARIS)) == []
    pulse_set_status(pulse=pulse, actor=personas.admin, status=PulseStatus.ACTIVE)
    # Resumed on the Tuesday of the fourth week: that wave still has two days to go.
    pulses_launch_due(now=datetime(2027, 1, 26, 9, tzinfo=PARIS))
    waves = list(Wave.objects.filter(pulse=pulse).order_by("pulse_rank"))
    assert [(w.pulse_rank, w.opens_at.astimezone(PARIS).date()) for w in waves] == [
        (1, date(2027, 1, 4)),
        (2, date(2027, 1, 25)),
    ]
    assert (
        AuditEntry.objects.filter(action="pulse.wave").order_by("pk").last().details["skipped"] == 2
    )


def test_a_stopped_pulse_stays_stopped(make_pulse, personas):
    pulse = make_pulse()
    pulse_set_status(pulse=pulse, actor=personas.admin, status=PulseStatus.STOPPED)
    assert pulses_launch_due(now=timezone.now()) == []
    with pytest.raises(ValidationError):
        pulse_set_status(pulse=pulse, actor=personas.admin, status=PulseStatus.ACTIVE)
    with pytest.raises(ValidationError):
        pulse_update(pulse=pulse, actor=personas.admin, name="Encore")


def test_editing_a_pulse_changes_only_the_waves_to_come(make_pulse, personas):
    pulse = make_pulse(starts_on=date(2027, 1, 4), opens_at_time=time(9))
    pulses_launch_due(now=datetime(2027, 1, 4, 10, tzinfo=PARIS))
    pulse_update(pulse=pulse, actor=personas.admin, channels=["link"], units=[personas.arras])
    pulses_launch_due(now=datetime(2027, 1, 11, 10, tzinfo=PARIS))
    first, second = Wave.objects.filter(pulse=pulse).order_by("pulse_rank")
    assert first.channels == ["email", "link"]
    assert list(first.units.all()) == [personas.lille]
    assert second.channels == ["link"]
    assert list(second.units.all()) == [personas.arras]


def test_a_wave_the_checks_refuse_pauses_the_pulse_and_says_why(make_pulse, personas):
    pulse = make_pulse(starts_on=date(2027, 1, 4), opens_at_time=time(9))
    Pulse.units.through.objects.filter(pulse=pulse).delete()
    assert pulse_wave_due(pulse=pulse, now=datetime(2027, 1, 4, 10, tzinfo=PARIS)) is None
    pulse.refresh_from_db()
    assert pulse.status == PulseStatus.PAUSED
    assert not Wave.objects.exists()
    entry = AuditEntry.objects.get(action="pulse.pause")
    assert entry.details == {"rank": 1, "refused": ["units"]}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("every_weeks", 0),
        ("open_days", 15),
        ("reminder_days", [4]),
        ("ends_on", date(2026, 1, 1)),
        ("channels", []),
    ],
)
def test_a_wrong_pulse_names_its_field_and_saves_nothing(make_pulse, field, value):
    with pytest.raises(ValidationError) as error:
        make_pulse(**{"every_weeks": 2, field: value})
    assert field in error.value.message_dict
    assert not Pulse.objects.exists()
