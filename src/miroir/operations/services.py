"""Writes of the operations app: the record of tasks that gave up, and its dismissal."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_tasks.base import Task

from miroir.audit.services import audit_record
from miroir.operations.models import TaskFailure

if TYPE_CHECKING:
    from miroir.accounts.models import User


@transaction.atomic
def task_failure_record(
    *, task_path: str, arguments: dict[str, Any], attempts: int, error: str, at: datetime
) -> TaskFailure:
    """Return the new record of a task that gave up after ``attempts`` failed runs."""
    return TaskFailure.objects.create(
        task_path=task_path, arguments=arguments, attempts=attempts, error=error, failed_at=at
    )


@transaction.atomic
def task_failure_dismiss(*, failure: TaskFailure, actor: User | None) -> TaskFailure:
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


def _task_of(failure: TaskFailure) -> Task:
    try:
        found = import_string(failure.task_path)
    except ImportError:
        found = None
    if not isinstance(found, Task):
        raise ValidationError(
            _("The task %(task)s no longer exists in this version: it cannot be run again.")
            % {"task": failure.task_path},
            code="task",
        )
    return found


@transaction.atomic
def task_failure_retry(*, failure: TaskFailure, actor: User | None) -> TaskFailure:
    """Return the failure marked as dealt with, its task queued afresh (audited).

    For after the cause is fixed: the task starts again from its first attempt, with the
    same arguments, once this transaction commits.
    """
    if failure.dismissed_at is not None:
        raise ValidationError(_("This failure was already dealt with."), code="state")
    task = _task_of(failure)
    arguments = failure.arguments or {}
    failure.dismissed_at = timezone.now()
    failure.save(update_fields=["dismissed_at"])
    audit_record(
        actor=actor,
        action="tasks.failure_retry",
        target=f"task failure {failure.pk}",
        details={"task": failure.task_path},
    )
    transaction.on_commit(
        partial(task.enqueue, *arguments.get("args", []), **arguments.get("kwargs", {}))
    )
    return failure
