"""``miroir contact_export`` and ``miroir contact_erase`` (a dry run unless --apply)."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from miroir.audit.models import AuditEntry
from miroir.collect.models import ContactOptOut, Invitation, Response
from miroir.org.models import Member
from tests.privacy.support import E164, EMAIL, PHONE, customer_answers


@pytest.fixture
def answered(hot_wave):
    return customer_answers(hot_wave, now=timezone.now())


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_export_prints_the_person_s_data_as_json(answered):
    data = json.loads(_run("contact_export", "--email", EMAIL))
    [invitation] = data["customer"]["invitations"]
    assert invitation["email"] == EMAIL
    assert invitation["response"]["answers"]
    entry = AuditEntry.objects.get(action="privacy.export")
    assert entry.actor_label == "system"
    assert EMAIL not in entry.target


def test_export_writes_a_file_when_asked(answered, tmp_path):
    path = tmp_path / "claire.json"
    assert _run("contact_export", "--phone", PHONE, "--output", str(path)) == ""
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["contact"] == {"email": None, "phone": E164}


def test_erase_without_apply_changes_nothing(answered):
    out = _run("contact_erase", "--email", EMAIL, "--opt-out")
    assert "Dry run" in out
    assert "customer invitations: 1" in out
    assert "--apply" in out
    assert Invitation.objects.get().email == EMAIL
    assert Response.objects.get().invitation_id is not None
    assert not ContactOptOut.objects.exists()


def test_erase_with_apply_erases_and_opts_out(answered):
    out = _run("contact_erase", "--email", EMAIL, "--apply", "--opt-out")
    assert "Erased" in out
    assert Invitation.objects.get().email is None
    assert Response.objects.get().invitation_id is None
    assert ContactOptOut.objects.count() == 1
    assert AuditEntry.objects.filter(action="privacy.erase").count() == 1


def test_erase_of_a_member_by_phone(personas):
    Member.objects.filter(pk=personas.marius.pk).update(phone="06 98 76 54 32")
    _run("contact_erase", "--phone", "+33698765432", "--apply")
    personas.marius.refresh_from_db()
    assert personas.marius.phone == ""
    assert personas.marius.first_name == "Erased"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "nobody"], "Not a valid e-mail address."),
        (["--phone", "12"], "Not a valid phone number."),
    ],
)
def test_bad_input_is_named_and_changes_nothing(db, args, message):
    with pytest.raises(CommandError, match=message):
        _run("contact_erase", *args, "--apply")
    assert not AuditEntry.objects.exists()


def test_one_of_email_and_phone_is_required(db):
    with pytest.raises(CommandError):
        _run("contact_export")
