"""Sending invitations and reminders: each channel within its rate and its sending window.

The writes of what leaves Miroir for a respondent. ``tasks.send_invitations`` runs
``invitations_send_pending`` when a wave opens; the periodic jobs (``collect/periodic.py``)
pick up what the rates left over and the reminders that fall due.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from miroir.audit.models import AuditEntry
from miroir.audit.services import audit_record
from miroir.collect.channels import CHANNELS, ChannelError, channel_get
from miroir.collect.models import Invitation, InvitationStatus, InvitationToken, Wave, WaveStatus
from miroir.collect.quiet_hours import SendingWindow, next_send_time
from miroir.collect.tokens import token_hash, token_new

logger = logging.getLogger(__name__)

SEND_BATCH = 200
# A reminder never follows the previous message of the same invitation this closely.
REMINDER_GAP = timedelta(hours=20)


def invitation_token_issue(*, invitation: Invitation) -> str:
    """Return a fresh token for the invitation; only its hash is stored."""
    token = token_new()
    InvitationToken.objects.create(invitation=invitation, token_hash=token_hash(token))
    return token


@dataclass
class SendReport:
    sent: int = 0
    failed: int = 0
    left: int = 0

    def add(self, other: SendReport) -> None:
        self.sent += other.sent
        self.failed += other.failed
        self.left += other.left


def invitation_send(
    *, invitation: Invitation, now: datetime | None = None, reminder_round: int = 0
) -> bool:
    """Return whether the invitation's message went out (round 0: the invitation itself).

    The invitation is claimed by a conditional UPDATE before anything is sent, so two
    workers never send the same round twice; a crash after the claim loses that one
    message rather than sending it twice.
    """
    now = now or timezone.now()
    channel = channel_get(invitation.channel)
    pending = Invitation.objects.filter(pk=invitation.pk, used=False)
    if reminder_round:
        claimed = pending.filter(
            status=InvitationStatus.SENT, reminders_sent__lt=reminder_round
        ).update(reminders_sent=reminder_round, last_sent_at=now)
    else:
        claimed = pending.filter(status=InvitationStatus.PENDING).update(
            status=InvitationStatus.SENT, sent_at=now, last_sent_at=now
        )
    if not claimed:
        return False
    token = invitation_token_issue(invitation=invitation)
    try:
        channel.send(invitation=invitation, token=token, reminder=bool(reminder_round))
    except ChannelError as error:
        InvitationToken.objects.filter(token_hash=token_hash(token)).delete()
        failed = {"error": error.code}
        if error.code == "opted_out":
            failed["status"] = InvitationStatus.OPTED_OUT
        elif not reminder_round:
            failed["status"] = InvitationStatus.FAILED
        Invitation.objects.filter(pk=invitation.pk).update(**failed)
        logger.warning(
            "Invitation %s of wave %s: %s message failed (%s)",
            invitation.pk,
            invitation.wave_id,
            invitation.channel,
            error.code,
        )
        return False
    return True


def channel_budget(code: str, *, now: datetime) -> int:
    """Return how many more messages the channel may send in the current minute."""
    recent = Invitation.objects.filter(
        channel=code, last_sent_at__gt=now - timedelta(minutes=1)
    ).count()
    return max(0, channel_get(code).rate_per_minute() - recent)


def _defer_outside_window(
    queue: QuerySet[Invitation], window: SendingWindow, *, now: datetime
) -> list[int]:
    """Return the invitations the window keeps from leaving now, deferring the pending ones.

    Whether the window is open depends on each unit's time zone; a pending invitation
    gets the next opening as ``not_before``, so it leaves then and is never dropped.
    """
    held: list[int] = []
    zones = queue.values_list("unit__timezone", flat=True).distinct()
    for zone in zones:
        opening = next_send_time(now, time_zone=zone, window=window)
        if opening <= now:
            continue
        closed = queue.filter(unit__timezone=zone)
        held.extend(closed.values_list("pk", flat=True))
        closed.filter(status=InvitationStatus.PENDING).update(not_before=opening)
    return held


def _send_round(
    *, wave: Wave, now: datetime, reminder_round: int, invitations: QuerySet[Invitation]
) -> SendReport:
    report = SendReport()
    for code in wave.channels:
        if not CHANNELS[code].delivers:
            continue
        queue = invitations.filter(channel=code)
        window = CHANNELS[code].window()
        if window is not None:
            queue = queue.exclude(pk__in=_defer_outside_window(queue, window, now=now))
        budget = channel_budget(code, now=now)
        while budget > 0:
            batch = list(
                queue.select_related("wave__instrument", "unit", "member").order_by("pk")[
                    : min(budget, SEND_BATCH)
                ]
            )
            if not batch:
                break
            for invitation in batch:
                budget -= 1
                if invitation_send(invitation=invitation, now=now, reminder_round=reminder_round):
                    report.sent += 1
                else:
                    report.failed += 1
        report.left += queue.count()
    # A reminder round's counts are those who had not answered at that minute: they stay
    # out of the journal (``wave_send_reminders`` records the round itself).
    if not reminder_round and (report.sent or report.failed):
        with transaction.atomic():
            audit_record(
                actor=None,
                action="wave.send",
                target=f"wave:{wave.pk}",
                details={"sent": report.sent, "failed": report.failed, "round": 0},
            )
    return report


def invitations_send_pending(*, wave: Wave, now: datetime | None = None) -> SendReport:
    """Return what was sent of the wave's pending invitations, within each channel's rate.

    What the rate leaves over goes with the next run (``miroir tick``, every minute).
    """
    now = now or timezone.now()
    if wave.status != WaveStatus.OPEN or wave.closes_at <= now:
        return SendReport()
    pending = Invitation.objects.filter(
        Q(not_before__isnull=True) | Q(not_before__lte=now),
        # A hot invitation past its expiry would ask about an interaction long gone.
        Q(expires_at__isnull=True) | Q(expires_at__gt=now),
        wave=wave,
        status=InvitationStatus.PENDING,
        used=False,
    )
    return _send_round(wave=wave, now=now, reminder_round=0, invitations=pending)


def reminder_round_due(wave: Wave, *, now: datetime) -> int:
    """Return the reminder round the schedule has reached (0: none yet)."""
    start = wave.opens_at or wave.launched_at
    if start is None:
        return 0
    return sum(1 for day in wave.reminder_days if now >= start + timedelta(days=day))


def wave_send_reminders(*, wave: Wave, now: datetime) -> SendReport:
    """Return what was sent of the reminders due, to invitations not used yet.

    Each invitation gets at most one reminder per round of the schedule, however often
    this runs; a late run sends one reminder for the rounds it missed.
    """
    if wave.status != WaveStatus.OPEN or wave.closes_at <= now:
        return SendReport()
    due = reminder_round_due(wave, now=now)
    if not due:
        return SendReport()
    target = f"wave:{wave.pk}"
    # Journaled once per round, as it falls due, whoever it reaches: how many were
    # reminded, or whether anyone was, would tell how many had answered by then.
    with transaction.atomic():
        if not AuditEntry.objects.filter(
            action="wave.remind", target=target, details__round=due
        ).exists():
            audit_record(actor=None, action="wave.remind", target=target, details={"round": due})
    waiting = Invitation.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now),
        wave=wave,
        used=False,
        status=InvitationStatus.SENT,
        reminders_sent__lt=due,
        last_sent_at__lte=now - REMINDER_GAP,
    )
    return _send_round(wave=wave, now=now, reminder_round=due, invitations=waiting)
