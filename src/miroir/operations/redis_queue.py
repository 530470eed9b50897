"""Reads of the Redis task queue (``MIROIR_TASK_QUEUE=redis``), in the shape of the database's.

RQ keeps a queue of due jobs (oldest first), a registry of deferred ones scored by the time
they become due (the retries), and a registry of running ones. A deferred job past its time is
moved to the queue by a worker started ``--with-scheduler``: without such a worker it stays
there, and counts as late like a due job nobody takes. As with the database queue, only counts
and coarse ages leave here, never a job's arguments.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import django_rq
from rq.job import Job

from miroir.operations.queues import REDIS_WORKER, TaskKindQueue, TaskQueue

QUEUE_NAME = "default"
# Jobs are fetched in pages: a queue of a few thousand costs a few round trips.
PAGE = 500


def _queue() -> Any:
    return django_rq.get_queue(QUEUE_NAME)


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _jobs(queue: Any, ids: list[str]) -> list[Job]:
    jobs: list[Job] = []
    for start in range(0, len(ids), PAGE):
        fetched = Job.fetch_many(ids[start : start + PAGE], connection=queue.connection)
        jobs.extend(job for job in fetched if job is not None)
    return jobs


def _due_jobs(queue: Any) -> list[Job]:
    return _jobs(queue, queue.get_job_ids())


def _deferred(queue: Any) -> list[tuple[str, datetime]]:
    registry = queue.scheduled_job_registry
    scored = queue.connection.zrange(registry.key, 0, -1, withscores=True)
    return [
        (
            job_id.decode() if isinstance(job_id, bytes) else job_id,
            datetime.fromtimestamp(score, UTC),
        )
        for job_id, score in scored
    ]


def redis_task_queue(*, now: datetime, late_after: timedelta) -> TaskQueue:
    """Return the queue's counts: waiting (due and deferred), due, late, running."""
    queue = _queue()
    due_jobs = _due_jobs(queue)
    deferred = _deferred(queue)
    late_limit = now - late_after
    due_times: list[tuple[str, datetime]] = [
        (job.func_name, _aware(job.enqueued_at) or now) for job in due_jobs
    ]
    deferred_jobs = {job.id: job for job in _jobs(queue, [job_id for job_id, _ in deferred])}
    for job_id, due_at in deferred:
        job = deferred_jobs.get(job_id)
        if job is not None:
            due_times.append((job.func_name, due_at))
    waiting = Counter(path for path, _ in due_times)
    late = Counter(path for path, due_at in due_times if due_at <= late_limit)
    due_at_now = [due_at for _, due_at in due_times if due_at <= now]
    running_ids = queue.started_job_registry.get_job_ids()
    started = [
        _aware(job.started_at)
        for job in _jobs(queue, running_ids + queue.finished_job_registry.get_job_ids(-PAGE, -1))
        if job.started_at is not None
    ]
    kinds = tuple(
        TaskKindQueue(task_path=path, waiting=count, late=late[path])
        for path, count in sorted(waiting.items(), key=lambda kv: (-late[kv[0]], -kv[1], kv[0]))
    )
    return TaskQueue(
        waiting=sum(waiting.values()),
        due=len(due_at_now),
        late=sum(late.values()),
        running=len(running_ids),
        oldest_due_at=min(due_at_now, default=None),
        last_started_at=max((moment for moment in started if moment), default=None),
        late_after=late_after,
        kinds=kinds,
        worker=REDIS_WORKER,
    )


def redis_late_count(*, now: datetime, late_after: timedelta) -> int:
    """Return how many jobs are due for longer than the late delay."""
    limit = now - late_after
    queue = _queue()
    deferred_late = queue.connection.zcount(queue.scheduled_job_registry.key, 0, limit.timestamp())
    # The queue is oldest first: look at the head until a job is recent enough.
    late = 0
    offset = 0
    while True:
        ids = queue.get_job_ids(offset, PAGE)
        if not ids:
            break
        jobs = _jobs(queue, ids)
        recent = [job for job in jobs if (_aware(job.enqueued_at) or limit) > limit]
        late += len(jobs) - len(recent)
        if recent or len(ids) < PAGE:
            break
        offset += PAGE
    return int(deferred_late) + late
