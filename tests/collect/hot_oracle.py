"""The oracle of the hot-wave rules: interactions judged one by one, in file order.

This is how Miroir applied the rules before the set-wise pipeline
(``collect/interaction_rules.py``), kept only to be compared with it. It writes nothing:
given the checked interactions and what the database already holds (opt-outs, contacts
invited, interactions recorded), it says what must become of each one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from miroir.collect.channels import CHANNELS
from miroir.collect.interactions import (
    InteractionIn,
    _channel_for,
    _hot_waves,
    _wave_for,
)
from miroir.collect.models import (
    ContactInvited,
    ContactOptOut,
    Interaction,
    InteractionOutcome,
)
from miroir.collect.quiet_hours import next_send_time
from miroir.collect.tokens import contact_hash


@dataclass(frozen=True)
class Expected:
    """What must become of one interaction; the invitation's fields when one is due."""

    outcome: str
    wave_id: int | None = None
    channel: str | None = None
    send_at: datetime | None = None
    expires_at: datetime | None = None
    email: str | None = None
    phone: str | None = None
    companion_hash: str = ""


def _digests(item: InteractionIn) -> list[str]:
    return [d for d in (contact_hash(email=item.email), contact_hash(phone=item.phone)) if d]


def _send_at(wave, item: InteractionIn, channel: str, now: datetime) -> datetime:
    due = max(item.occurred_at + timedelta(minutes=wave.hot_delay_minutes), now)
    window = CHANNELS[channel].window()
    if window is None:
        return due
    return next_send_time(due, time_zone=item.unit.timezone, window=window)


def rules_one_by_one(
    items: list[InteractionIn], *, source: str, now: datetime
) -> dict[str, Expected]:
    """Return what the rules decide for each interaction, by its external id."""
    period = timedelta(days=settings.COLLECT_HOT_CONTACT_PERIOD_DAYS)
    already = set(Interaction.objects.filter(source=source).values_list("external_id", flat=True))
    opted_out = set(ContactOptOut.objects.values_list("contact_hash", flat=True))
    last_invited = dict(ContactInvited.objects.values_list("contact_hash", "invited_at"))
    hot = _hot_waves(now)
    invited_now: set[str] = set()
    expected: dict[str, Expected] = {}
    for item in items:
        if item.external_id in already:
            expected[item.external_id] = Expected("duplicate")
            continue
        wave = _wave_for(hot, item)
        channel = _channel_for(wave, item) if wave is not None else None
        digests = _digests(item)
        wave_id = wave.pk if wave is not None else None
        if wave is None:
            expected[item.external_id] = Expected(InteractionOutcome.NO_WAVE)
            continue
        if not item.consent:
            outcome = InteractionOutcome.NO_CONSENT
        elif channel is None:
            outcome = InteractionOutcome.NO_CONTACT
        elif opted_out.intersection(digests):
            outcome = InteractionOutcome.OPTED_OUT
        elif any(
            (digest in last_invited and last_invited[digest] > now - period)
            or digest in invited_now
            for digest in digests
        ):
            outcome = InteractionOutcome.RECENTLY_INVITED
        else:
            send_at = _send_at(wave, item, channel, now)
            expires_at = min(item.occurred_at + timedelta(days=wave.hot_valid_days), wave.closes_at)
            if send_at >= expires_at:
                outcome = InteractionOutcome.TOO_LATE
            else:
                invited_now.update(digests)
                sms = channel == "sms"
                expected[item.external_id] = Expected(
                    InteractionOutcome.SCHEDULED,
                    wave_id=wave_id,
                    channel=channel,
                    send_at=send_at,
                    expires_at=expires_at,
                    email=None if sms else item.email,
                    phone=item.phone if sms else None,
                    companion_hash=(
                        contact_hash(email=item.email) if sms else contact_hash(phone=item.phone)
                    ),
                )
                continue
        expected[item.external_id] = Expected(outcome, wave_id=wave_id)
    return expected
