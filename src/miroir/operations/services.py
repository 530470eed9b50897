"""Writes of the operations app: the record of tasks that gave up, and its dismissal."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from miroir.audit.services import audit_record
from miroir.operations.models import TaskFailure


@transaction.atomic
def task_failure_record(
    *, task_path: str, arguments: dict[str, Any], attempts: int, error: str, at: datetime
) -> TaskFailure:
    """Return the new record of a task that gave up after ``attempts`` failed runs."""
    return TaskFailure.objects.create(
        task_path=task_path, arguments=arguments, attempts=attempts, error=error, failed_at=at
    )


@transaction.atomic
def task_failure_dismiss(*, failure: TaskFailure, actor: Any) -> TaskFailure:
    """Return the failure marked as dealt with by ``actor`` (audited)."""
    if failure.dismissed_at is None:
        failure.dismissed_at = timezone.now()
        failure.save(update_fields=["dismissed_at"])
        audit_record(
            actor=actor,
            action="tasks.failure_dismiss",
            target=f"task failure {failure.pk}",
            details={"task": failure.task_path},
        )
    return failure
