"""The invitation message of a wave, per language: the organisers' text or the default.

E-mail and SMS invitations and their reminders all take their words from here, so the
preview on the wave's page is what people receive. A wave (or a pulse) keeps a text per
language in ``messages``; a language without one uses the default, which names the
questionnaire by its title.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.utils import translation
from django.utils.translation import gettext as _

from miroir.collect.models import Language

if TYPE_CHECKING:
    from miroir.collect.models import Pulse, Wave

# GSM 03.38 basic characters (one septet each) and its extension (two septets each).
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")


def message_languages() -> list[tuple[str, str]]:
    """Return the languages a message can be written in (those of the questionnaires)."""
    return list(Language.choices)


def custom_text(source: Wave | Pulse, language: str) -> str:
    """Return the organisers' text for ``language``, or "" when the default applies."""
    return (source.messages or {}).get(language, "").strip()


def default_email_text(*, title: str, language: str, reminder: bool) -> str:
    """Return the default e-mail paragraph: the questionnaire's title in a sentence."""
    with translation.override(language):
        if reminder:
            text = _("You have not answered the survey “%(title)s” yet. There is still time.")
        else:
            text = _(
                "We would like to know what you think: the survey “%(title)s” takes a few minutes."
            )
    return text % {"title": title}


def email_text(source: Wave | Pulse, *, language: str, reminder: bool) -> str:
    """Return the paragraph that invites, or reminds, in ``language``."""
    custom = custom_text(source, language)
    if not custom:
        return default_email_text(
            title=source.instrument.title(language), language=language, reminder=reminder
        )
    if not reminder:
        return custom
    with translation.override(language):
        return _("A reminder, in case you have not answered yet.") + "\n\n" + custom


def sms_lead(source: Wave | Pulse, *, language: str, reminder: bool) -> str:
    """Return the SMS's words before the link, in ``language``."""
    custom = " ".join(custom_text(source, language).split())
    title = source.instrument.title(language)
    with translation.override(language):
        if custom:
            return _("Reminder: %(text)s") % {"text": custom} if reminder else custom
        if reminder:
            return _("Reminder: %(title)s, two minutes to tell us how it went.") % {"title": title}
        return _("%(title)s: two minutes to tell us how it went?") % {"title": title}


def sms_text(*, lead: str, url: str, language: str) -> str:
    """Return the message: the invitation's words, the link, and the STOP instruction."""
    with translation.override(language):
        stop = _("STOP to opt out")
    return f"{lead} {url} {stop}"


@dataclass(frozen=True)
class SmsLength:
    characters: int
    segments: int
    unicode: bool


def sms_length(text: str) -> SmsLength:
    """Return the length of an SMS and how many segments it takes to send.

    GSM-7 text holds 160 characters in one segment, 153 per segment beyond; any other
    character turns the message into UCS-2: 70, then 67 per segment.
    """
    if all(char in GSM_BASIC or char in GSM_EXTENDED for char in text):
        units = sum(2 if char in GSM_EXTENDED else 1 for char in text)
        single, multi, is_unicode = 160, 153, False
    else:
        # UTF-16 code units: a character outside the basic plane takes two.
        units = len(text.encode("utf-16-le")) // 2
        single, multi, is_unicode = 70, 67, True
    segments = 1 if units <= single else -(-units // multi)
    return SmsLength(characters=len(text), segments=segments, unicode=is_unicode)


def email_context(
    source: Wave | Pulse,
    *,
    language: str,
    url: str,
    closes_at: datetime,
    reminder: bool,
    unit_name: str = "",
    unsubscribe_url: str = "",
) -> dict[str, Any]:
    """Return what the invitation e-mail's templates read (the e-mail channel and the preview)."""
    return {
        "title": source.instrument.title(language),
        "url": url,
        "closes_at": closes_at,
        "reminder": reminder,
        "text": email_text(source, language=language, reminder=reminder),
        "unsubscribe_url": unsubscribe_url,
        "unit_name": unit_name,
    }


# What the preview's links look like: a token is never issued for a preview.
SAMPLE_TOKEN = "x" * 43


@dataclass(frozen=True)
class MessagePreview:
    """One language's messages as sent. ``body`` and ``reminder_body`` are plain text,
    rendered without escaping like the e-mail's text part: escape them on a page."""

    language: str
    language_name: str
    subject: str
    body: str
    reminder_body: str
    sms: str
    sms_reminder: str
    sms_size: SmsLength


def message_previews(source: Wave | Pulse, *, closes_at: datetime) -> list[MessagePreview]:
    """Return, per language, the e-mail and SMS as people will receive them (sample link)."""
    from miroir.collect.channels.base import respondent_url
    from miroir.core.emails import email_render

    previews = []
    for language, name in message_languages():
        url = respondent_url(SAMPLE_TOKEN, language=language)

        def render(reminder: bool, language: str = language, url: str = url) -> Any:
            context = email_context(
                source, language=language, url=url, closes_at=closes_at, reminder=reminder
            )
            return email_render("collect/email/invitation", context, language)

        first, again = render(False), render(True)
        sms = sms_text(
            lead=sms_lead(source, language=language, reminder=False), url=url, language=language
        )
        sms_again = sms_text(
            lead=sms_lead(source, language=language, reminder=True), url=url, language=language
        )
        previews.append(
            MessagePreview(
                language=language,
                language_name=name,
                subject=first.subject,
                body=first.text,
                reminder_body=again.text,
                sms=sms,
                sms_reminder=sms_again,
                sms_size=sms_length(sms_again if len(sms_again) > len(sms) else sms),
            )
        )
    return previews
