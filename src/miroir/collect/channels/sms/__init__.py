"""SMS invitations: a short localised text with the link and how to stop, through a backend.

The backend is chosen by ``COLLECT_SMS_BACKEND`` (miroir.collect.channels.sms.backends): the console
and file backends serve development and tests, ``twilio`` sends for real. SMS leave only
inside the sending window (``COLLECT_SMS_WINDOW``) of the recipient unit's time zone.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext_lazy

from miroir.collect.channels.base import Channel, ChannelError, respondent_url
from miroir.collect.channels.sms.backends import SmsError, sms_backend
from miroir.collect.messages import sms_lead, sms_text
from miroir.collect.phones import PhoneInvalid, phone_e164
from miroir.collect.quiet_hours import SendingWindow, parse_window
from miroir.collect.selectors import contact_opted_out

if TYPE_CHECKING:
    from miroir.collect.models import Invitation
    from miroir.org.models import Member


@lru_cache(maxsize=8)
def _window(text: str) -> SendingWindow:
    return parse_window(text)


def sms_window() -> SendingWindow:
    """Return the window SMS may leave in, from ``COLLECT_SMS_WINDOW``."""
    return _window(settings.COLLECT_SMS_WINDOW)


class SmsChannel(Channel):
    code = "sms"
    label = gettext_lazy("SMS")
    default_rate_per_minute = 300

    def reaches_member(self, member: Member) -> bool:
        return bool(getattr(member, "phone", ""))

    def reaches_contact(self, *, email: str | None, phone: str | None) -> bool:
        return bool(phone)

    def window(self) -> SendingWindow:
        return sms_window()

    def send(self, *, invitation: Invitation, token: str, reminder: bool) -> None:
        member = invitation.member
        phone = invitation.phone or (getattr(member, "phone", "") if member else "")
        if not phone:
            raise ChannelError("no_address")
        if member is None and contact_opted_out(phone=phone, also=(invitation.companion_hash,)):
            raise ChannelError("opted_out")
        try:
            phone = phone_e164(phone)
        except PhoneInvalid:
            raise ChannelError("invalid_phone") from None
        wave = invitation.wave
        language = invitation.respondent_language()
        text = sms_text(
            lead=sms_lead(wave, language=language, reminder=reminder),
            url=respondent_url(token, language=language),
            language=language,
        )
        try:
            message_id = sms_backend().send(to=phone, text=text)
        except SmsError as error:
            raise ChannelError(f"sms:{error.code}") from None
        if message_id:
            type(invitation).objects.filter(pk=invitation.pk).update(
                provider_message_id=message_id[:64]
            )


CHANNEL = SmsChannel()
