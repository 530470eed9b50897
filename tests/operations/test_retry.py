"""Failed tasks are retried with exponential back-off, then recorded when they give up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils.module_loading import import_string
from django_tasks import task_backends

from miroir.operations.models import TaskFailure
from miroir.operations.retry import backoff_delay, retried_task

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
calls: list[int] = []


@retried_task(attempts=3, base_delay=timedelta(seconds=10))
def flaky(wave_id: int, fail_times: int = 99) -> str:
    calls.append(wave_id)
    if len(calls) <= fail_times:
        raise ConnectionError(f"provider unreachable for wave {wave_id}")
    return "sent"


@pytest.fixture(autouse=True)
def _fake_clock(monkeypatch) -> None:
    calls.clear()
    monkeypatch.setattr("miroir.operations.retry.now", lambda: NOW)


@pytest.fixture
def dummy(settings):
    settings.TASKS = DUMMY
    backend = task_backends["default"]
    backend.clear()
    return backend


def test_a_failed_run_is_queued_again_with_growing_delays(db, dummy):
    with pytest.raises(ConnectionError):
        flaky.call(7)
    first = dummy.results[-1]
    assert first.task.run_after == NOW + timedelta(seconds=10)
    assert first.args == [7] or first.args == (7,)
    assert first.kwargs == {"retry_attempt": 2}

    with pytest.raises(ConnectionError):
        flaky.call(7, retry_attempt=2)
    second = dummy.results[-1]
    assert second.task.run_after == NOW + timedelta(seconds=20)
    assert second.kwargs == {"retry_attempt": 3}
    assert not TaskFailure.objects.exists()


def test_the_last_failure_is_recorded_and_not_retried(db, dummy):
    with pytest.raises(ConnectionError):
        flaky.call(7, retry_attempt=3)
    assert dummy.results == []
    failure = TaskFailure.objects.get()
    assert failure.task_path == "tests.operations.test_retry.flaky"
    assert failure.attempts == 3
    assert failure.arguments == {"args": [7], "kwargs": {}}
    assert failure.error == "ConnectionError: provider unreachable for wave 7"
    assert failure.failed_at == NOW
    assert failure.dismissed_at is None


def test_a_run_that_succeeds_schedules_nothing(db, dummy):
    assert flaky.call(7, fail_times=0) == "sent"
    assert dummy.results == []
    assert not TaskFailure.objects.exists()


def test_the_delay_doubles_up_to_its_cap():
    delays = [
        backoff_delay(
            attempt, base_delay=timedelta(seconds=30), factor=2, max_delay=timedelta(minutes=5)
        )
        for attempt in range(1, 7)
    ]
    assert [d.total_seconds() for d in delays] == [30, 60, 120, 240, 300, 300]


def test_a_backend_that_cannot_defer_retries_at_once_then_gives_up(db, settings):
    settings.TASKS = IMMEDIATE
    result = flaky.enqueue(11, fail_times=2)
    # Attempts 1 and 2 failed, the third (queued by the second) succeeded.
    assert calls == [11, 11, 11]
    assert result.status == "FAILED"
    assert not TaskFailure.objects.exists()

    calls.clear()
    flaky.enqueue(12)
    assert calls == [12, 12, 12]
    assert TaskFailure.objects.get().arguments == {"args": [12], "kwargs": {}}


def test_the_database_backend_keeps_the_retry_until_its_time(db, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE
    with pytest.raises(ConnectionError):
        flaky.call(5)
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "tests.operations.test_retry.flaky"
    assert queued.run_after == NOW + timedelta(seconds=10)
    assert queued.args_kwargs == {"args": [5], "kwargs": {"retry_attempt": 2}}
    # The worker finds the task again by its path, retry wrapper included.
    assert import_string(queued.task_path) is flaky


def test_collection_tasks_are_retried_tasks():
    from miroir.collect import tasks
    from miroir.operations.periodic import jobs_load

    jobs = [job.task for job in jobs_load().values() if job.name.startswith("collect.")]
    assert len(jobs) >= 6
    for periodic in [tasks.send_invitations, *jobs]:
        assert import_string(periodic.module_path) is periodic
        assert "retry_attempt" in periodic.func.__code__.co_varnames
