"""Kiosk: a tablet at a counter or in a break room, answered by whoever passes by.

A wave listing this channel accepts answers from kiosks; a kiosk is a device opened on
a link an administrator or the direction issued for one unit (its key: ``keys``, its
pages: ``views``). No one is invited through it, so it sends nothing and reaches no
member by itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from miroir.collect.channels.base import Channel, ChannelError

if TYPE_CHECKING:
    from miroir.collect.models import Invitation
    from miroir.org.models import Member


class KioskChannel(Channel):
    code = "kiosk"
    label = _("Kiosk")
    delivers = False

    def reaches_member(self, member: Member) -> bool:
        # Anyone passing by answers; nobody gets a personal invitation through it.
        return False

    def reaches_contact(self, *, email: str | None, phone: str | None) -> bool:
        return False

    def send(self, *, invitation: Invitation, token: str, reminder: bool) -> None:
        raise ChannelError("not_delivered")


CHANNEL = KioskChannel()
