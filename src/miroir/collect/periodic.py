"""The periodic work of the collection, run by ``miroir tick`` (docs/collection.md).

Declared in this order, which is the order they run in: a wave closing now gets no
reminder, a pulse's wave due within a day is created before the waves due are opened, a
wave opening now gets its invitations.
"""

from __future__ import annotations

from django.utils import timezone

from miroir.collect import interactions, sending, services
from miroir.collect.models import Invitation, InvitationStatus, Wave, WaveStatus
from miroir.operations.periodic import HOUR, MINUTE, periodic
from miroir.operations.retry import retried_task


@periodic(every=MINUTE)
@retried_task()
def close_due_waves() -> list[int]:
    return services.waves_close_due(now=timezone.now())


@periodic(every=MINUTE)
@retried_task()
def launch_pulse_waves() -> list[int]:
    """Create and launch the waves of the pulses whose next occurrence has come."""
    return services.pulses_launch_due(now=timezone.now())


@periodic(every=MINUTE)
@retried_task()
def open_due_waves() -> list[int]:
    return services.waves_open_due(now=timezone.now())


@periodic(every=MINUTE)
@retried_task()
def send_pending_invitations() -> dict[str, int]:
    """Send what earlier runs left pending, in every open wave (rate limits carry it over)."""
    now = timezone.now()
    total = sending.SendReport()
    wave_ids = (
        Invitation.objects.filter(wave__status=WaveStatus.OPEN, status=InvitationStatus.PENDING)
        .values_list("wave_id", flat=True)
        .distinct()
    )
    for wave in Wave.objects.filter(pk__in=list(wave_ids)).select_related("instrument"):
        total.add(sending.invitations_send_pending(wave=wave, now=now))
    return {"sent": total.sent, "failed": total.failed, "left": total.left}


@periodic(every=MINUTE)
@retried_task()
def send_reminders() -> dict[str, int]:
    """Send the reminders due in every open wave, to invitations not used yet.

    Returns how many waves were looked at, never how many were reminded: a task's result
    is kept with its time, and that count is the number who had not answered then.
    """
    now = timezone.now()
    waves = Wave.objects.filter(status=WaveStatus.OPEN).exclude(reminder_days=[])
    for wave in waves:
        sending.wave_send_reminders(wave=wave, now=now)
    return {"waves": len(waves)}


@periodic(every=HOUR)
@retried_task()
def purge_closed_waves() -> list[int]:
    """Forget who was invited to waves closed longer ago than the retention period."""
    return services.waves_purge_due(now=timezone.now())


@periodic(every=HOUR)
@retried_task()
def forget_invited_contacts() -> int:
    """Drop the digests of contacts whose one-invitation period is over."""
    return interactions.contacts_invited_forget(now=timezone.now())
