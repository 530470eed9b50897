"""The system checks that say when background tasks find no worker, or no tick runs them.

Tagged ``database``: Django runs it only when asked to look at a database
(``miroir check --database default``), never at start-up.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.checks import Tags, Warning, register
from django.db import DatabaseError
from django.utils import timezone


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


@register(Tags.database)
def check_tick(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list:
    """Return a warning when ``miroir tick`` has not run lately (or ever, on a used database)."""
    from miroir.operations.periodic import ticked_last

    if not databases or "default" not in databases:
        return []
    try:
        last, late_minutes = ticked_last()
    except DatabaseError:
        return []
    now = timezone.now()
    if last is not None and now - last <= timedelta(minutes=late_minutes):
        return []
    when = "never" if last is None else f"not for {int((now - last).total_seconds() // 60)} minutes"
    return [
        Warning(
            f"The periodic jobs have run {when}: waves do not open or close on time and "
            "reminders do not leave.",
            hint="Schedule `miroir tick` every minute with cron or a systemd timer "
            "(docs/operations.md, 'Periodic work'); it replaces collect_tick and voices_tick.",
            id="miroir.W302",
        )
    ]
