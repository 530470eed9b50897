"""The periodic work of the webhooks, run by ``miroir tick`` every hour (docs/webhooks.md)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from miroir.operations.periodic import HOUR, periodic
from miroir.webhooks import services


@periodic(every=HOUR)
@task()
def announce_anonymous_voices() -> int:
    """Announce the anonymous voices of the days before today, all of a day at once."""
    return services.anonymous_voices_announce(now=timezone.now())


@periodic(every=HOUR)
@task()
def purge_deliveries() -> int:
    return services.deliveries_purge(now=timezone.now())
