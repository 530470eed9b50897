"""French numbers read by the shortcut are the numbers libphonenumber's parser reads."""

from __future__ import annotations

import random

import phonenumbers
import pytest

from miroir.collect.phones import PhoneInvalid, phone_e164


def _parser(text: str) -> str | None:
    try:
        number = phonenumbers.parse(text.strip(), "FR")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _read(text: str) -> str | None:
    try:
        return phone_e164(text, region="FR")
    except PhoneInvalid:
        return None


def test_every_french_form_reads_as_the_parser_reads_it():
    rng = random.Random(22)
    forms = 0
    for first in range(1, 10):
        for block in range(100):
            digits = f"{first}{block:02d}{rng.randrange(10**6):06d}"
            spaced = f"0{digits[0]} {digits[1:3]}.{digits[3:5]}-{digits[5:]}"
            for text in (f"0{digits}", f"+33{digits}", f"0033{digits}", spaced, f" 0{digits} "):
                assert _read(text) == _parser(text), text
                forms += 1
    assert forms == 4500


@pytest.mark.parametrize("text", ["0012345678", "06123456789", "+3306123456", "06 12 34 56"])
def test_a_number_the_shortcut_refuses_still_gets_the_parser_answer(text):
    assert _read(text) == _parser(text)
