"""The system check that says when background tasks find no worker.

Tagged ``database``: Django runs it only when asked to look at a database
(``miroir check --database default``), never at start-up.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError


@register(Tags.database)
def check_task_worker(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list:
    """Return a warning when tasks wait past their time, i.e. no worker takes them."""
    from miroir.operations.selectors import task_queue

    if not databases or "default" not in databases:
        return []
    try:
        queue = task_queue()
    except DatabaseError:
        # Not migrated yet: Django's own checks say so.
        return []
    if not queue.worker_missing:
        return []
    return [
        Warning(
            f"{queue.late} background task(s) have waited more than {queue.late_minutes} "
            "minutes past their time: no task worker is running.",
            hint=f"Run `{queue.worker}` under a supervisor beside the web server "
            "(docs/operations.md, 'Processes to run').",
            id="miroir.W301",
        )
    ]
