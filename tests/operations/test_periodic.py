"""``miroir tick``: each app's periodic jobs, each run once per slot of its own cadence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from miroir.operations import periodic
from miroir.operations.periodic import HOUR, MINUTE, PeriodicJob, job_claim, jobs_load

START = datetime(2026, 12, 7, 9, 58, 30, tzinfo=UTC)


class FakeTask:
    """Stands for a task: records its runs and queueings, fails when told to."""

    def __init__(self, name: str, *, fails: bool = False) -> None:
        self.module_path = f"tests.operations.fake.{name}"
        self.fails = fails
        self.calls = 0
        self.queued = 0

    def call(self) -> str:
        self.calls += 1
        if self.fails:
            raise ConnectionError("provider unreachable")
        return "done"

    def enqueue(self) -> None:
        self.queued += 1


@pytest.fixture
def fake_jobs(monkeypatch):
    """Replace the registry by two fake jobs: one every minute, one every hour."""
    jobs = {
        "fake.minutely": PeriodicJob("fake.minutely", MINUTE, FakeTask("minutely")),
        "fake.hourly": PeriodicJob("fake.hourly", HOUR, FakeTask("hourly")),
    }
    monkeypatch.setattr(periodic, "JOBS", dict(jobs))
    monkeypatch.setattr(periodic, "autodiscover_modules", lambda *names: None)
    return jobs


def _tick_at(monkeypatch, when: datetime, *args: str) -> str:
    monkeypatch.setattr(timezone, "now", lambda: when)
    out = StringIO()
    with translation.override("en"):
        call_command("tick", *args, stdout=out)
    return out.getvalue()


def test_every_app_registers_its_jobs_in_running_order():
    names = list(jobs_load())
    assert names[: len(COLLECT)] == COLLECT
    assert names.index("voices.escalate_overdue_voices") < names.index("voices.remind_due_voices")
    assert names.index("collect.forget_invited_contacts") < names.index(
        "privacy.erase_expired_contacts"
    )
    assert {"voices.analyse_pending_voices", "privacy.erase_expired_contacts"} <= set(names)
    assert jobs_load()["voices.remind_due_voices"].every == HOUR
    assert jobs_load()["collect.send_reminders"].every == MINUTE


COLLECT = [
    "collect.close_due_waves",
    # A pulse's next wave is made after the closings and before the openings of the minute.
    "collect.launch_pulse_waves",
    "collect.open_due_waves",
    "collect.send_pending_invitations",
    "collect.send_reminders",
    "collect.purge_closed_waves",
    "collect.forget_invited_contacts",
]


def test_ticking_every_minute_runs_an_hourly_job_once_an_hour(db):
    job = PeriodicJob("fake.hourly", HOUR, FakeTask("hourly"))
    ticks = [START + timedelta(minutes=minute) for minute in range(125)]
    ran = [tick for tick in ticks if job_claim(job, now=tick)]
    # 09:58:30 (first ever), then the first tick of 10:00, 11:00 and 12:00.
    assert [tick.strftime("%H:%M:%S") for tick in ran] == [
        "09:58:30",
        "10:00:30",
        "11:00:30",
        "12:00:30",
    ]


def test_two_ticks_in_the_same_minute_run_a_job_once(db):
    job = PeriodicJob("fake.minutely", MINUTE, FakeTask("minutely"))
    assert job_claim(job, now=START)
    assert not job_claim(job, now=START + timedelta(seconds=20))
    assert job_claim(job, now=START + timedelta(seconds=31))  # 09:59:01: the next minute


def test_after_a_pause_a_job_runs_once_not_once_per_missed_slot(db):
    job = PeriodicJob("fake.minutely", MINUTE, FakeTask("minutely"))
    assert job_claim(job, now=START)
    later = START + timedelta(hours=3)
    assert [job_claim(job, now=later + timedelta(seconds=s)) for s in (0, 10, 20)] == [
        True,
        False,
        False,
    ]


def test_the_command_runs_what_is_due_and_only_that(db, monkeypatch, fake_jobs):
    minutely, hourly = fake_jobs["fake.minutely"].task, fake_jobs["fake.hourly"].task
    for minute in range(5):
        _tick_at(monkeypatch, START + timedelta(minutes=minute))
    assert (minutely.calls, hourly.calls) == (5, 2)  # 09:58 first ever, then 10:00


def test_only_runs_a_job_now_due_or_not(db, monkeypatch, fake_jobs):
    hourly = fake_jobs["fake.hourly"].task
    _tick_at(monkeypatch, START)
    output = _tick_at(monkeypatch, START + timedelta(seconds=10), "--only", "fake.hourly")
    assert hourly.calls == 2
    assert output == "fake.hourly: done\n"
    assert fake_jobs["fake.minutely"].task.calls == 1


def test_enqueue_hands_due_jobs_to_the_worker(db, monkeypatch, fake_jobs):
    output = _tick_at(monkeypatch, START, "--enqueue")
    tasks = [job.task for job in fake_jobs.values()]
    assert [(task.calls, task.queued) for task in tasks] == [(0, 1), (0, 1)]
    assert "fake.hourly: queued" in output
    _tick_at(monkeypatch, START + timedelta(seconds=5), "--enqueue")
    assert [task.queued for task in tasks] == [1, 1]


def test_a_failing_job_does_not_stop_the_others_and_the_tick_says_which(db, monkeypatch, fake_jobs):
    failing = FakeTask("broken", fails=True)
    periodic.JOBS = {"fake.broken": PeriodicJob("fake.broken", MINUTE, failing), **fake_jobs}
    with pytest.raises(CommandError, match=r"fake\.broken"):
        _tick_at(monkeypatch, START)
    assert failing.calls == 1
    assert [job.task.calls for job in fake_jobs.values()] == [1, 1]


def test_an_unknown_job_is_refused_with_the_known_names(db, monkeypatch, fake_jobs):
    with pytest.raises(CommandError, match=r"fake\.nope") as refused:
        _tick_at(monkeypatch, START, "--only", "fake.nope")
    assert "fake.hourly" in str(refused.value)
    assert fake_jobs["fake.hourly"].task.calls == 0


def test_list_shows_each_job_its_cadence_and_last_run(db, monkeypatch, fake_jobs):
    _tick_at(monkeypatch, START, "--only", "fake.hourly")
    listing = _tick_at(monkeypatch, START, "--list").splitlines()
    assert listing[0].split("\t")[0] == "fake.minutely"
    assert listing[0].endswith("\tnever")
    assert listing[1].split("\t")[1].endswith("60")
    assert "2026-12-07T09:58:30" in listing[1]


def test_a_cadence_must_be_whole_minutes():
    with pytest.raises(ValueError):
        periodic.periodic(every=timedelta(seconds=90))


def _w302() -> list:
    from django.core.checks import run_checks

    return [m for m in run_checks(databases=["default"]) if m.id == "miroir.W302"]


def test_the_check_warns_while_no_tick_runs(db, settings, monkeypatch):
    from django.core.checks import run_checks

    settings.MIROIR_TASKS_LATE_MINUTES = 10
    (never,) = _w302()
    assert "never" in never.msg and "miroir tick" in never.hint
    job = PeriodicJob("fake.minutely", MINUTE, FakeTask("minutely"))
    job_claim(job, now=START)
    monkeypatch.setattr(timezone, "now", lambda: START + timedelta(minutes=9))
    assert _w302() == []
    monkeypatch.setattr(timezone, "now", lambda: START + timedelta(minutes=11))
    (late,) = _w302()
    assert "not for 11 minutes" in late.msg
    # Start-up checks leave the database alone.
    assert not [m for m in run_checks() if m.id == "miroir.W302"]
