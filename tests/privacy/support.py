"""Helpers of the privacy tests: a customer who was invited, answered and can be found."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import mail

from miroir.collect.interactions import interactions_check, interactions_record
from miroir.collect.models import Interaction, Invitation, Response, Wave
from miroir.collect.sending import invitations_send_pending
from miroir.collect.services import response_submit
from miroir.collect.tokens import submission_id_new

EMAIL = "claire.client@example.com"
PHONE = "06 12 34 56 78"
E164 = "+33612345678"
CUSTOMER_ANSWERS = {"ecoute-customer": "4", "nps-customer": "9"}


@dataclass
class Answered:
    wave: Wave
    invitation: Invitation
    interaction: Interaction
    response: Response
    token: str
    now: datetime


def token_in(body: str) -> str:
    """Return the invitation token of an e-mail body."""
    return re.search(r"/r/([A-Za-z0-9_-]{43})/", body).group(1)


def customer_answers(wave: Wave, *, now: datetime, external_id: str = "T-1", **contact) -> Answered:
    """Return a customer invited by e-mail after an interaction at Lille, who answered."""
    contact = contact or {"email": EMAIL, "phone": PHONE}
    row = {
        "external_id": external_id,
        "unit": "U-LILLE",
        "moment": "checkout",
        "occurred_at": now.isoformat(),
        "consent": "oui",
        **contact,
    }
    checked, problems = interactions_check([row], now=now)
    assert problems == []
    interactions_record(checked, source="till", now=now)
    invitation = Invitation.objects.filter(wave=wave).latest("pk")
    sent_at = now + timedelta(minutes=wave.hot_delay_minutes + 1)
    before = len(mail.outbox)
    assert invitations_send_pending(wave=wave, now=sent_at).sent == 1
    token = token_in(mail.outbox[before].body)
    response_submit(
        invitation_token=token,
        answers=CUSTOMER_ANSWERS,
        submission_id=submission_id_new(),
        now=sent_at + timedelta(minutes=5),
    )
    return Answered(
        wave=wave,
        invitation=Invitation.objects.get(pk=invitation.pk),
        interaction=Interaction.objects.get(invitation=invitation),
        response=Response.objects.get(invitation=invitation),
        token=token,
        now=now,
    )
