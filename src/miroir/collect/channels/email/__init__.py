"""E-mail invitations: a localised HTML and plain-text message through Django's mail."""

from __future__ import annotations

import smtplib
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from miroir.collect.channels.base import Channel, ChannelError, respondent_url
from miroir.collect.messages import email_context
from miroir.collect.selectors import contact_opted_out
from miroir.collect.tokens import contact_hash, unsubscribe_sign
from miroir.core.emails import email_message, email_render

if TYPE_CHECKING:
    from miroir.collect.models import Invitation
    from miroir.org.models import Member

TEMPLATE = "collect/email/invitation"


class EmailChannel(Channel):
    code = "email"
    label = _("E-mail")
    default_rate_per_minute = 600

    def reaches_member(self, member: Member) -> bool:
        return bool(member.email)

    def reaches_contact(self, *, email: str | None, phone: str | None) -> bool:
        return bool(email)

    def send(self, *, invitation: Invitation, token: str, reminder: bool) -> None:
        member = invitation.member
        address = invitation.email or (member.email if member is not None else None)
        if not address:
            raise ChannelError("no_address")
        wave = invitation.wave
        language = invitation.respondent_language()
        headers = {}
        unsubscribe_url = ""
        # Customers may leave for good; people of the organisation are asked by their employer.
        if member is None:
            if contact_opted_out(email=address, also=(invitation.companion_hash,)):
                raise ChannelError("opted_out")
            signed = unsubscribe_sign(contact_hash(email=address))
            unsubscribe_url = settings.SITE_URL + reverse("collect:unsubscribe", args=[signed])
            headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
            # RFC 8058: mail clients may then unsubscribe with one POST, no page to read.
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        context = email_context(
            wave,
            language=language,
            url=respondent_url(token, language=language),
            closes_at=wave.closes_at,
            reminder=reminder,
            unit_name=invitation.unit.name,
            unsubscribe_url=unsubscribe_url,
        )
        message = email_message(
            email_render(TEMPLATE, context, language), to=address, headers=headers
        )
        try:
            message.send()
        except (smtplib.SMTPException, OSError) as error:
            raise ChannelError(f"smtp:{type(error).__name__}") from None


CHANNEL = EmailChannel()
