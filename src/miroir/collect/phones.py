"""Phone numbers of customer contacts, in one canonical form (E.164) whatever was typed.

"06 12 34 56 78", "+33 6 12 34 56 78" and "0033612345678" are one person: the opt-out
list, the contact period and the SMS provider must all see the same number.
"""

from __future__ import annotations

import phonenumbers
from django.conf import settings


class PhoneInvalid(ValueError):
    """The text is not a number a text message could reach."""


def phone_e164(text: str, *, region: str | None = None) -> str:
    """Return ``text`` as an E.164 number ("+33612345678"), or raise ``PhoneInvalid``.

    A national number is read in ``region`` (default ``COLLECT_PHONE_REGION``).
    """
    region = region or settings.COLLECT_PHONE_REGION
    try:
        number = phonenumbers.parse(text.strip(), region)
    except phonenumbers.NumberParseException as exc:
        raise PhoneInvalid(str(exc)) from None
    if not phonenumbers.is_valid_number(number):
        raise PhoneInvalid("not a valid number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_canonical(text: str) -> str:
    """Return the E.164 form when ``text`` parses, else its digits (for digests only)."""
    try:
        return phone_e164(text)
    except PhoneInvalid:
        return "".join(ch for ch in text if ch.isdigit() or ch == "+")
