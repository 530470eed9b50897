"""One person's data on request: what an export holds, what an erasure removes and keeps."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from miroir.accounts.models import User
from miroir.audit.models import AuditEntry
from miroir.collect.models import (
    Answer,
    ContactInvited,
    ContactOptOut,
    Interaction,
    Invitation,
    InvitationToken,
    Response,
)
from miroir.collect.selectors import contact_opted_out, invitation_by_token
from miroir.collect.services import (
    contact_opt_out_address,
    invitation_create_customer,
    invitations_purge,
    wave_close,
)
from miroir.org.models import Member, Role
from miroir.privacy.selectors import contact_query, contact_records
from miroir.privacy.services import contact_erase, contact_erase_plan, contact_export
from tests.collect.support import submit, token_for
from tests.privacy.support import E164, EMAIL, PHONE, customer_answers


@pytest.fixture
def answered(hot_wave):
    return customer_answers(hot_wave, now=timezone.now())


def _contact_free(entry: AuditEntry, *texts: str) -> bool:
    dumped = json.dumps([entry.actor_label, entry.target, entry.details])
    return not any(text.lower() in dumped.lower() for text in texts)


@pytest.mark.parametrize(
    ("email", "phone", "field"),
    [
        ("", "", None),
        ("a@example.com", "0612345678", None),
        ("not-an-address", "", "email"),
        ("", "12", "phone"),
    ],
)
def test_a_request_names_exactly_one_valid_address(db, email, phone, field):
    with pytest.raises(ValidationError) as caught:
        contact_query(email=email, phone=phone)
    if field:
        assert field in caught.value.message_dict


def test_the_phone_of_a_request_is_read_in_any_usual_format(db):
    assert contact_query(phone="+33 6 12 34 56 78").phone == E164
    assert contact_query(email=" Claire.Client@Example.COM ").email == EMAIL


def test_the_export_holds_the_invitation_its_interaction_and_the_answers(answered, personas):
    data = contact_export(query=contact_query(email=EMAIL.upper()), actor=personas.admin)

    [invitation] = data["customer"]["invitations"]
    assert invitation["email"] == EMAIL
    assert invitation["unit"] == "Lille"
    assert invitation["interaction"]["external_id"] == "T-1"
    assert invitation["interaction"]["consent"] is True
    assert invitation["response"]["answers"] == [
        {"question": "ecoute-customer", "answer": 4.0},
        {"question": "nps-customer", "answer": 9.0},
    ]
    assert data["customer"]["invited_recently"] is True
    assert data["members"] == []
    json.dumps(data)  # plain data, ready for a file


def test_the_export_is_audited_under_a_digest(answered, personas):
    contact_export(query=contact_query(email=EMAIL), actor=personas.admin)
    [entry] = AuditEntry.objects.filter(action="privacy.export")
    assert entry.target.startswith("contact:")
    assert entry.details == {"invitations": 1, "responses": 1, "members": 0}
    assert _contact_free(entry, EMAIL, E164, "claire")


def test_a_phone_request_finds_an_sms_invitation(make_wave, launch, personas):
    wave = launch(make_wave(lens="customer", channels=["sms"]))
    invitation_create_customer(wave=wave, unit=personas.lille, channel="sms", phone=E164)
    records = contact_records(contact_query(phone=PHONE))
    assert [invitation.phone for invitation in records.invitations] == [E164]


def test_erasure_keeps_the_answers_and_drops_the_link(answered, personas):
    answers = Answer.objects.filter(response=answered.response).count()

    report = contact_erase(query=contact_query(email=EMAIL), actor=personas.admin)

    assert (report.invitations, report.responses_unlinked, report.interactions) == (1, 1, 1)
    assert report.invited_digests == 1  # the e-mail's; the phone's is another person's key
    response = Response.objects.get(pk=answered.response.pk)
    assert response.invitation is None
    assert Answer.objects.filter(response=response).count() == answers == 2
    invitation = Invitation.objects.get(pk=answered.invitation.pk)
    assert (invitation.email, invitation.phone) == (None, None)
    assert not InvitationToken.objects.filter(invitation=invitation).exists()
    assert invitation_by_token(answered.token) is None
    assert Interaction.objects.get().external_id.startswith("erased:")
    assert contact_records(contact_query(email=EMAIL)).empty


def test_erasure_adds_an_opt_out_only_when_asked(answered, personas):
    query = contact_query(email=EMAIL)
    assert contact_erase(query=query, actor=personas.admin).opted_out is False
    assert not ContactOptOut.objects.exists()
    assert contact_erase(query=query, actor=personas.admin, opt_out=True).opted_out is True
    assert contact_opted_out(email=EMAIL)


def test_a_pending_invitation_erased_never_leaves(make_wave, launch, personas):
    wave = launch(make_wave(lens="customer", channels=["email"]))
    invitation = invitation_create_customer(
        wave=wave, unit=personas.lille, channel="email", email=EMAIL
    )
    contact_erase(query=contact_query(email=EMAIL), actor=personas.admin)
    invitation.refresh_from_db()
    assert (invitation.status, invitation.error, invitation.email) == ("expired", "erased", None)


def test_the_erasure_audit_entry_holds_no_contact(answered, personas):
    contact_erase(query=contact_query(email=EMAIL), actor=personas.admin, opt_out=True)
    [entry] = AuditEntry.objects.filter(action="privacy.erase")
    assert entry.target == f"contact:{contact_query(email=EMAIL).digest[:16]}"
    assert entry.details["invitations"] == 1
    assert _contact_free(entry, EMAIL, E164, "T-1")


def test_the_dry_run_changes_nothing(answered, personas):
    plan = contact_erase_plan(query=contact_query(email=EMAIL), opt_out=True)
    assert (plan.invitations, plan.responses_unlinked, plan.opted_out) == (1, 1, True)
    assert Invitation.objects.get().email == EMAIL
    assert Response.objects.get().invitation_id == answered.invitation.pk
    assert not ContactOptOut.objects.exists()
    assert ContactInvited.objects.count() == 2
    assert not AuditEntry.objects.filter(action__startswith="privacy.").exists()


def test_the_opt_out_list_holds_no_number_or_address(answered, personas):
    contact_erase(query=contact_query(email=EMAIL), actor=personas.admin, opt_out=True)
    contact_opt_out_address(phone=PHONE)
    rows = list(ContactOptOut.objects.values())
    assert len(rows) == 2
    dumped = json.dumps(rows, default=str)
    for text in (EMAIL, "claire", E164, "612345678", "0612345678"):
        assert text not in dumped
    assert {field.name for field in ContactOptOut._meta.get_fields()} == {
        "id",
        "contact_hash",
        "created_on",
    }


# Members: their profile, never their answers -------------------------------------------------


@pytest.fixture
def employee_answered(make_wave, launch, personas):
    wave = launch(make_wave(units=[personas.lille_vente]))
    submit(token_for(wave, personas.employee_member))
    return wave


def test_a_member_export_gives_the_profile_and_says_answers_are_anonymous(
    employee_answered, personas
):
    data = contact_export(query=contact_query(email="emile@example.com"), actor=personas.admin)

    [member] = data["members"]
    assert member["profile"]["first_name"] == "Émile"
    assert member["profile"]["job_title"] == "Vendeur"
    assert member["login"]["email"] == "emile@example.com"
    assert member["current_invitations"] == [{"wave": "Pulse T1", "unit": "Lille Vente"}]
    assert "anonymous" in member["responses"]
    # Nothing tells whether the member answered the open wave.
    assert "used" not in json.dumps(data)
    assert "Plus de café" not in json.dumps(data, ensure_ascii=False)
    assert data["customer"]["invitations"] == []


def test_a_member_is_found_by_a_phone_typed_another_way(personas):
    Member.objects.filter(pk=personas.marius.pk).update(phone="06.12.34.56.78")
    records = contact_records(contact_query(phone="+33612345678"))
    assert records.members == [personas.marius]


def test_a_member_erasure_empties_the_profile_and_leaves_responses_alone(
    employee_answered, personas, client
):
    member = personas.employee_member
    responses = list(Response.objects.values())
    answers = list(Answer.objects.values())

    report = contact_erase(query=contact_query(email="emile@example.com"), actor=personas.admin)

    assert report.members == 1
    member.refresh_from_db()
    assert (member.first_name, member.last_name) == ("Erased", f"#{member.pk}")
    assert (member.email, member.phone, member.job_title, member.external_id) == (
        None,
        "",
        "",
        None,
    )
    assert member.is_active is False
    assert not Role.objects.filter(member=member).exists()
    assert not Invitation.objects.filter(member=member).exists()
    user = User.objects.get(pk=personas.employee.pk)
    assert user.is_active is False
    assert "emile" not in user.email
    assert not client.login(email="emile@example.com", password="correct-horse-battery-9")
    # The anonymous responses are exactly as they were.
    assert list(Response.objects.values()) == responses
    assert list(Answer.objects.values()) == answers
    entry = AuditEntry.objects.get(action="privacy.member_erase")
    assert entry.target == f"member:{member.pk}"


# Employees: who was invited is kept apart, and purged ----------------------------------------


def test_after_close_and_purge_no_invitation_links_a_member_to_the_wave(
    employee_answered, personas
):
    wave = employee_answered
    assert Invitation.objects.filter(wave=wave, member__isnull=False).exists()
    wave_close(wave=wave, actor=personas.admin)
    invitations_purge(wave=wave, actor=personas.admin)

    assert not Invitation.objects.filter(wave=wave, member__isnull=False).exists()
    assert not InvitationToken.objects.filter(invitation__wave=wave).exists()
    # The responses never had a link to a member or to an invitation.
    response_fields = {field.name for field in Response._meta.get_fields()}
    assert "member" not in response_fields
    assert Response.objects.filter(wave=wave).count() == 1
    assert not Response.objects.filter(wave=wave, invitation__isnull=False).exists()


def test_an_erased_member_s_open_session_ends(personas, client):
    assert client.login(email="emile@example.com", password="correct-horse-battery-9")
    assert client.get("/").wsgi_request.user.is_authenticated
    contact_erase(query=contact_query(email="emile@example.com"), actor=personas.admin)
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_a_request_by_phone_finds_the_e_mail_invitation_of_the_same_interaction(answered, personas):
    records = contact_records(contact_query(phone=PHONE))
    assert [invitation.pk for invitation in records.invitations] == [answered.invitation.pk]
    contact_erase(query=contact_query(phone=PHONE), actor=personas.admin)
    invitation = Invitation.objects.get(pk=answered.invitation.pk)
    assert (invitation.email, invitation.companion_hash) == (None, "")
    assert Response.objects.get().invitation_id is None


def test_an_administrator_cannot_erase_their_own_data(personas):
    with pytest.raises(ValidationError, match="another administrator"):
        contact_erase(query=contact_query(email="ada@example.com"), actor=personas.admin)
    assert Member.objects.get(user=personas.admin).email == "ada@example.com"
    assert not AuditEntry.objects.filter(action__startswith="privacy.").exists()
