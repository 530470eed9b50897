"""The warning every administrator's page carries while background tasks find no worker."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from miroir.operations.selectors import late_task_count
from miroir.org.selectors import request_scope


def task_queue_warning(request: HttpRequest) -> dict[str, Any]:
    """Return ``late_tasks`` (how many tasks wait past their time) for administrators."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not request_scope(request).is_administrator:
        return {}
    return {"late_tasks": late_task_count()}
