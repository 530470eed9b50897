"""Reads of the operations app, and its gate: administrators only."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from miroir.operations.models import TaskFailure
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
