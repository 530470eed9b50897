"""With the task queue in Redis, tasks run through RQ and administrators see the same counts."""

from __future__ import annotations

from datetime import UTC, timedelta

import django_rq
import pytest
from django.utils import timezone
from rq.job import Job
from rq.worker import SimpleWorker

from miroir.collect import periodic as collect_periodic
from miroir.operations.models import TaskFailure
from miroir.operations.retry import retried_task
from miroir.operations.selectors import late_task_count, task_queue


@pytest.fixture
def rq_queue(db, settings, redis_url):
    settings.MIROIR_TASKS_LATE_MINUTES = 10
    settings.RQ_QUEUES = {"default": {"URL": redis_url, "DEFAULT_TIMEOUT": 60}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}

    def enqueue(task, *args, minutes_ago: int = 0, run_after=None):
        queued = (
            task.using(run_after=run_after).enqueue(*args) if run_after else task.enqueue(*args)
        )
        if minutes_ago:
            queue = django_rq.get_queue("default")
            job = Job.fetch(queued.id, connection=queue.connection)
            job.enqueued_at = (timezone.now() - timedelta(minutes=minutes_ago)).astimezone(UTC)
            job.save()
        return queued

    return enqueue


def test_due_deferred_and_late_jobs_are_counted_like_the_database_queue(rq_queue):
    now = timezone.now()
    rq_queue(collect_periodic.send_reminders)
    rq_queue(collect_periodic.send_reminders, minutes_ago=11)
    rq_queue(collect_periodic.open_due_waves, run_after=now + timedelta(minutes=30))
    rq_queue(collect_periodic.close_due_waves, run_after=now - timedelta(minutes=25))
    now += timedelta(seconds=5)
    state = task_queue(now=now)
    assert (state.waiting, state.due, state.late, state.running) == (4, 3, 2, 0)
    assert state.worker_missing
    assert now - state.oldest_due_at >= timedelta(minutes=25)
    kinds = {kind.task_name: (kind.waiting, kind.late) for kind in state.kinds}
    assert kinds == {"send_reminders": (2, 1), "close_due_waves": (1, 1), "open_due_waves": (1, 0)}
    assert late_task_count(now=now) == 2
    assert late_task_count(now=now + timedelta(minutes=10, seconds=1)) == 3


def test_a_worker_empties_the_queue_and_the_counts_follow(rq_queue):
    rq_queue(collect_periodic.send_reminders)
    rq_queue(collect_periodic.purge_closed_waves)
    assert task_queue().waiting == 2
    queue = django_rq.get_queue("default")
    # In process, on the test's own database connection (no fork).
    worker = SimpleWorker([queue], connection=queue.connection, job_class="django_tasks_rq.Job")
    assert worker.work(burst=True)
    state = task_queue()
    assert (state.waiting, state.due, state.late, state.running) == (0, 0, 0, 0)
    assert state.last_started_at is not None
    assert len(queue.finished_job_registry) == 2
    assert len(queue.failed_job_registry) == 0


attempts: list[int] = []


@retried_task(attempts=3, base_delay=timedelta(seconds=10))
def flaky_send(wave_id: int) -> str:
    attempts.append(wave_id)
    if len(attempts) == 1:
        raise ConnectionError(f"provider unreachable for wave {wave_id}")
    return "sent"


def test_a_failed_job_is_retried_through_the_scheduler_and_not_recorded_as_given_up(rq_queue):
    attempts.clear()
    flaky_send.enqueue(7)
    queue = django_rq.get_queue("default")
    worker = SimpleWorker([queue], connection=queue.connection, job_class="django_tasks_rq.Job")
    worker.work(burst=True)
    # The first run failed: its retry waits in the scheduled registry, ten seconds later.
    assert attempts == [7]
    assert len(queue.scheduled_job_registry) == 1
    state = task_queue(now=timezone.now())
    assert (state.waiting, state.due) == (1, 0)
    # Once due, a worker with the scheduler moves it to the queue and runs it.
    job_id = queue.scheduled_job_registry.get_job_ids()[0]
    # (RQ's scheduler counts whole seconds: a second back is due for it.)
    due = (timezone.now() - timedelta(seconds=1)).timestamp()
    queue.connection.zadd(queue.scheduled_job_registry.key, {job_id: due})
    SimpleWorker([queue], connection=queue.connection, job_class="django_tasks_rq.Job").work(
        burst=True, with_scheduler=True
    )
    assert attempts == [7, 7]
    assert not TaskFailure.objects.exists()
    assert task_queue().waiting == 0
