"""The periodic work of the monthly PDF reports, run by ``miroir tick`` every hour.

Each subscription's report goes out once a month, from its day of the month on: the job
opens the month's sending and hands it to the worker, which e-mails it (``tasks``).
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from miroir.operations.periodic import HOUR, periodic
from miroir.operations.retry import retried_task
from miroir.reports import services
from miroir.reports.tasks import send_report_delivery


def reports_send_due(*, now: datetime) -> int:
    """Return how many monthly sendings were opened at ``now``, each queued on commit."""
    started = services.report_deliveries_start(now=now)
    for delivery_id in started:
        transaction.on_commit(lambda pk=delivery_id: send_report_delivery.enqueue(pk))
    return len(started)


@periodic(every=HOUR)
@retried_task()
def start_due_reports() -> int:
    return reports_send_due(now=timezone.now())
