"""Background work of the monthly PDF reports, through Django's tasks API (any backend)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from miroir.operations.retry import retried_task
from miroir.reports import services


@retried_task()
def send_report_delivery(delivery_id: int) -> dict[str, Any]:
    """E-mail one month's report of a subscription to its recipients still allowed."""
    outcome = services.report_delivery_send(delivery_id=delivery_id, now=timezone.now())
    if outcome is None:
        return {"sent": 0, "skipped": 0}
    return {"sent": outcome.sent, "skipped": outcome.skipped}
