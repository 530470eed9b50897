"""What every invitation channel provides; each channel is one module of this package."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.urls import reverse

if TYPE_CHECKING:
    from miroir.collect.models import Invitation
    from miroir.collect.quiet_hours import SendingWindow
    from miroir.org.models import Member


class ChannelError(Exception):
    """A message that could not go out; ``code`` is short and carries no personal data."""

    def __init__(self, code: str) -> None:
        self.code = code[:64]
        super().__init__(code)


class Channel:
    """An invitation channel: who it can reach, and how it sends one message.

    ``delivers`` is False for channels whose links are handed over by people (the
    personal links file): no task sends them and no reminder goes through them.
    """

    code: ClassVar[str]
    label: ClassVar[Any]
    delivers: ClassVar[bool] = True
    default_rate_per_minute: ClassVar[int] = 600

    def reaches_member(self, member: Member) -> bool:
        """Return whether this channel can carry an invitation to ``member``."""
        raise NotImplementedError

    def reaches_contact(self, *, email: str | None, phone: str | None) -> bool:
        """Return whether this channel can carry an invitation to a customer contact."""
        raise NotImplementedError

    def send(self, *, invitation: Invitation, token: str, reminder: bool) -> None:
        """Send one message carrying ``token``; raise ``ChannelError`` when it fails."""
        raise NotImplementedError

    def window(self) -> SendingWindow | None:
        """Return when this channel may send in the recipient's time zone (None: any time)."""
        return None

    def rate_per_minute(self) -> int:
        """Return how many messages this channel may send per minute, across all workers."""
        return int(settings.COLLECT_RATE_LIMITS.get(self.code, self.default_rate_per_minute))


def respondent_url(token: str, *, language: str | None = None) -> str:
    """Return the absolute address of the survey behind ``token``."""
    path = reverse("collect:respond", args=[token])
    query = f"?lang={language}" if language else ""
    return f"{settings.SITE_URL}{path}{query}"
