"""The state of a task queue as administrators see it, whatever holds the queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class TaskKindQueue:
    """The tasks of one kind waiting in the queue."""

    task_path: str
    waiting: int
    late: int

    @property
    def task_name(self) -> str:
        return self.task_path.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class TaskQueue:
    """The state of the task queue (database or Redis), as an administrator needs it.

    ``waiting`` counts the tasks not started yet (some deferred to later, like retries),
    ``late`` those due for longer than ``late_after`` that no worker took: a worker is missing
    or stuck. Only counts and coarse ages, never a task's arguments or exact time: a task may
    concern an anonymous voice, whose arrival nobody may learn more precisely than the day.
    """

    waiting: int
    due: int
    late: int
    running: int
    oldest_due_at: datetime | None
    last_started_at: datetime | None
    late_after: timedelta
    kinds: tuple[TaskKindQueue, ...]
    worker: str = "miroir db_worker"

    @property
    def worker_missing(self) -> bool:
        return self.late > 0

    @property
    def late_minutes(self) -> int:
        return int(self.late_after.total_seconds() // 60)


DATABASE_WORKER = "miroir db_worker"
REDIS_WORKER = "miroir rqworker --job-class django_tasks_rq.Job --with-scheduler default"


def worker_command(task_queue: str) -> str:
    """Return the command that runs a task worker for the queue setting's value."""
    return REDIS_WORKER if task_queue == "redis" else DATABASE_WORKER
