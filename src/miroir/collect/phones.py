"""Phone numbers of customer contacts, in one canonical form (E.164) whatever was typed.

"06 12 34 56 78", "+33 6 12 34 56 78" and "0033612345678" are one person: the opt-out
list, the contact period and the SMS provider must all see the same number.
"""

from __future__ import annotations

import re

import phonenumbers
from django.conf import settings

# The two forms a French till or CRM writes (spaces, dots and dashes aside): read without the
# general parser, which costs most of the check of a hot-wave line. Validity is still decided
# by libphonenumber's metadata.
_FRENCH = re.compile(r"(?:0|\+33|0033)([1-9][0-9]{8})")
_SEPARATORS = str.maketrans("", "", " .-")


class PhoneInvalid(ValueError):
    """The text is not a number a text message could reach."""


def phone_e164(text: str, *, region: str | None = None) -> str:
    """Return ``text`` as an E.164 number ("+33612345678"), or raise ``PhoneInvalid``.

    A national number is read in ``region`` (default ``COLLECT_PHONE_REGION``).
    """
    region = region or settings.COLLECT_PHONE_REGION
    if region == "FR" and (french := _FRENCH.fullmatch(text.strip().translate(_SEPARATORS))):
        number = phonenumbers.PhoneNumber(country_code=33, national_number=int(french[1]))
        if not phonenumbers.is_valid_number(number):
            raise PhoneInvalid("not a valid number")
        return "+33" + french[1]
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
