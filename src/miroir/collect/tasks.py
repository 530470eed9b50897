"""Background work of the collection, through Django's tasks API (any backend).

``send_invitations`` is queued when a wave opens; the periodic ones are run by
``miroir collect_tick``, to be scheduled every minute (docs/collection.md). A run that
fails is retried with back-off, and recorded for administrators when it gives up
(``miroir.operations.retry``).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from miroir.collect import interactions, services
from miroir.collect.models import Invitation, InvitationStatus, Wave, WaveStatus
from miroir.operations.retry import retried_task
from miroir.privacy.services import contacts_retention_erase


@retried_task()
def send_invitations(wave_id: int) -> dict[str, int]:
    """Send the wave's pending invitations as far as each channel's rate allows."""
    wave = Wave.objects.filter(pk=wave_id).select_related("instrument").first()
    if wave is None:
        return {"sent": 0, "failed": 0, "left": 0}
    report = services.invitations_send_pending(wave=wave, now=timezone.now())
    return {"sent": report.sent, "failed": report.failed, "left": report.left}


@retried_task()
def send_pending_invitations() -> dict[str, int]:
    """Send what earlier runs left pending, in every open wave (rate limits carry it over)."""
    now = timezone.now()
    total = services.SendReport()
    wave_ids = (
        Invitation.objects.filter(wave__status=WaveStatus.OPEN, status=InvitationStatus.PENDING)
        .values_list("wave_id", flat=True)
        .distinct()
    )
    for wave in Wave.objects.filter(pk__in=list(wave_ids)).select_related("instrument"):
        total.add(services.invitations_send_pending(wave=wave, now=now))
    return {"sent": total.sent, "failed": total.failed, "left": total.left}


@retried_task()
def send_reminders() -> dict[str, int]:
    """Send the reminders due in every open wave, to invitations not used yet.

    Returns how many waves were looked at, never how many were reminded: a task's result
    is kept with its time, and that count is the number who had not answered then.
    """
    now = timezone.now()
    waves = Wave.objects.filter(status=WaveStatus.OPEN).exclude(reminder_days=[])
    for wave in waves:
        services.wave_send_reminders(wave=wave, now=now)
    return {"waves": len(waves)}


@retried_task()
def open_due_waves() -> list[int]:
    return services.waves_open_due(now=timezone.now())


@retried_task()
def close_due_waves() -> list[int]:
    return services.waves_close_due(now=timezone.now())


@retried_task()
def purge_closed_waves() -> list[int]:
    """Forget who was invited to waves closed longer ago than the retention period."""
    return services.waves_purge_due(now=timezone.now())


@retried_task()
def forget_invited_contacts() -> int:
    """Drop the digests of contacts whose one-invitation period is over."""
    return interactions.contacts_invited_forget(now=timezone.now())


@retried_task()
def erase_expired_contacts() -> int:
    """Erase customer contact details older than the retention period (answers stay)."""
    return contacts_retention_erase(now=timezone.now()).total


# In this order: a wave closing now gets no reminder, a wave opening now its invitations.
PERIODIC: list[Any] = [
    close_due_waves,
    open_due_waves,
    send_pending_invitations,
    send_reminders,
    purge_closed_waves,
    forget_invited_contacts,
    erase_expired_contacts,
]
