"""Links: open links per wave and unit, and personal single-use links handed over by people.

Personal links are not sent by Miroir: an administrator downloads them as a file
(``wave_links_export``) for the unit managers to hand out, e.g. on paper to staff who
have no work e-mail. Each download issues fresh tokens; earlier ones keep working.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from miroir.collect.channels.base import Channel, ChannelError

if TYPE_CHECKING:
    from miroir.collect.models import Invitation
    from miroir.org.models import Member


class LinkChannel(Channel):
    code = "link"
    label = _("Link")
    delivers = False

    def reaches_member(self, member: Member) -> bool:
        # Handed over in person: anyone can be reached this way.
        return True

    def reaches_contact(self, *, email: str | None, phone: str | None) -> bool:
        return False

    def send(self, *, invitation: Invitation, token: str, reminder: bool) -> None:
        raise ChannelError("not_delivered")


CHANNEL = LinkChannel()
