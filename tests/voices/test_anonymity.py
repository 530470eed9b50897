"""Anonymous voices keep no author: only the digest of a claim code shown once."""

from __future__ import annotations

import pytest
from django.db import connection

from miroir.audit.models import AuditEntry
from miroir.voices.claims import claim_digest
from miroir.voices.models import Voice
from miroir.voices.selectors import voice_by_claim_code, voices_of_member
from miroir.voices.services import voice_submit
from tests.voices.conftest import T0

# Émile's team is large enough for his anonymous voices to be filed under it.
pytestmark = pytest.mark.usefixtures("staffed")


def _anonymous(personas):
    return voice_submit(
        author=personas.employee_member,
        kind="suggestion",
        text="Mettre un banc près des cabines",
        anonymous=True,
        notify="email",
        now=T0,
    )


def test_an_anonymous_voice_stores_no_author_and_no_channel(personas):
    received = _anonymous(personas)
    voice = Voice.objects.get(pk=received.voice.pk)
    assert voice.author_id is None
    assert voice.is_anonymous
    assert voice.notify == "none" and voice.contact_email == ""
    assert voice.lens == "employee" and voice.unit == personas.lille_vente


def test_the_claim_code_is_not_stored_in_clear_anywhere_in_the_row(personas):
    received = _anonymous(personas)
    code = received.claim_code
    assert code and len(code.replace("-", "")) == 16
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM voices_voice")
        row = " ".join(str(value) for value in cursor.fetchone())
    assert code not in row and code.replace("-", "") not in row
    assert Voice.objects.get().claim_digest == claim_digest(code)


def test_the_claim_code_finds_the_voice_however_it_is_typed(personas):
    received = _anonymous(personas)
    typed = received.claim_code.lower().replace("-", " ")
    assert voice_by_claim_code(typed) == received.voice
    assert voice_by_claim_code("AAAA-BBBB-CCCC-DDDD") is None
    assert voice_by_claim_code("") is None


def test_an_anonymous_voice_is_not_in_its_authors_list_nor_in_the_audit(personas):
    _anonymous(personas)
    assert list(voices_of_member(personas.employee_member)) == []
    assert not AuditEntry.objects.filter(actor=personas.employee).exists()


def test_the_time_of_an_anonymous_voice_is_kept_to_the_day(personas):
    voice = _anonymous(personas).voice
    assert (voice.received_at.hour, voice.received_at.minute) == (0, 0)


def test_two_anonymous_voices_get_different_codes(personas):
    assert _anonymous(personas).claim_code != _anonymous(personas).claim_code


def test_a_signed_voice_has_no_claim_code(personas, suggestion):
    voice = suggestion()
    assert voice.claim_digest is None and voice.author == personas.employee_member
