"""Reads of the operations app, and its gate: administrators only."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, DateTimeField, F, Max, Min, Q, QuerySet, When
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from miroir.operations.models import TaskFailure
from miroir.operations.queues import TaskKindQueue, TaskQueue
from miroir.org.selectors import Scope


def access_operations(scope: Scope) -> None:
    """Raise ``PermissionDenied`` unless the scope is an administrator's."""
    if not scope.is_administrator:
        raise PermissionDenied("Only administrators see the operations pages")


def task_failures(*, include_dismissed: bool = False) -> QuerySet[TaskFailure]:
    """Return the tasks that gave up, newest first (dismissed ones only when asked)."""
    failures = TaskFailure.objects.all()
    return failures if include_dismissed else failures.filter(dismissed_at__isnull=True)


def access_task_failure(scope: Scope, failure_id: int) -> TaskFailure:
    """Return the failure for an administrator; 403 for anyone else, 404 if none."""
    access_operations(scope)
    return get_object_or_404(TaskFailure, pk=failure_id)


def queue_in_redis() -> bool:
    """Return whether the tasks API's backend is RQ's (``MIROIR_TASK_QUEUE=redis``)."""
    return settings.TASKS["default"]["BACKEND"].startswith("django_tasks_rq.")


def _late_after() -> timedelta:
    return timedelta(minutes=settings.MIROIR_TASKS_LATE_MINUTES)


def _due_at() -> Case:
    # A task enqueued without a date to wait for is due from the moment it was queued.
    return Case(
        When(run_after=get_date_max(), then=F("enqueued_at")),
        default=F("run_after"),
        output_field=DateTimeField(),
    )


def task_queue(*, now: datetime | None = None) -> TaskQueue:
    """Return the counts of waiting, due, late and running tasks of the configured queue."""
    now = now or timezone.now()
    if queue_in_redis():
        from miroir.operations.redis_queue import redis_task_queue

        return redis_task_queue(now=now, late_after=_late_after())
    return _database_task_queue(now)


def _database_task_queue(now: datetime) -> TaskQueue:
    late_after = _late_after()
    is_due = Q(due_at__lte=now)
    is_late = Q(due_at__lte=now - late_after)
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY).annotate(due_at=_due_at())
    totals = waiting.aggregate(
        waiting=Count("pk"),
        due=Count("pk", filter=is_due),
        late=Count("pk", filter=is_late),
        oldest_due_at=Min("due_at", filter=is_due),
    )
    kinds = tuple(
        TaskKindQueue(task_path=row["task_path"], waiting=row["waiting"], late=row["late"])
        for row in waiting.values("task_path")
        .annotate(waiting=Count("pk"), late=Count("pk", filter=is_late))
        .order_by("-late", "-waiting", "task_path")
    )
    others = DBTaskResult.objects.aggregate(
        running=Count("pk", filter=Q(status=TaskResultStatus.RUNNING)),
        last_started_at=Max("started_at"),
    )
    return TaskQueue(
        waiting=totals["waiting"],
        due=totals["due"],
        late=totals["late"],
        running=others["running"],
        oldest_due_at=totals["oldest_due_at"],
        last_started_at=others["last_started_at"],
        late_after=late_after,
        kinds=kinds,
    )


def late_task_count(*, now: datetime | None = None) -> int:
    """Return how many tasks are due for longer than the late delay (one cheap query)."""
    if queue_in_redis():
        from miroir.operations.redis_queue import redis_late_count

        return redis_late_count(now=now or timezone.now(), late_after=_late_after())
    limit = (now or timezone.now()) - _late_after()
    return (
        DBTaskResult.objects.filter(status=TaskResultStatus.READY)
        .annotate(due_at=_due_at())
        .filter(due_at__lte=limit)
        .count()
    )
