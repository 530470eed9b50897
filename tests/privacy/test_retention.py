"""Customer contact details are erased after the retention period; answers stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

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
from miroir.collect.selectors import invitation_by_token
from miroir.collect.services import contact_opt_out_address
from miroir.operations.periodic import jobs_load
from miroir.privacy.periodic import erase_expired_contacts
from miroir.privacy.services import contacts_retention_erase
from tests.privacy.support import E164, EMAIL, customer_answers


@pytest.fixture(autouse=True)
def _retention(settings):
    settings.COLLECT_CONTACT_RETENTION_DAYS = 30
    settings.COLLECT_HOT_CONTACT_PERIOD_DAYS = 30


@pytest.fixture
def answered(hot_wave):
    return customer_answers(hot_wave, now=timezone.now())


def test_contacts_stay_until_the_retention_period_ends(answered):
    # The "invited recently" digests count from the invitation...
    assert contacts_retention_erase(now=answered.now + timedelta(days=29)).total == 0
    assert ContactInvited.objects.count() == 2  # the e-mail and the phone, as digests
    assert not AuditEntry.objects.filter(action="privacy.retention").exists()

    # ... the address and the interaction's reference from the end of the invitation.
    report = contacts_retention_erase(
        now=answered.invitation.expires_at + timedelta(days=29, hours=23)
    )
    assert (report.invitations, report.interactions, report.invited_digests) == (0, 0, 2)
    answered.invitation.refresh_from_db()
    assert answered.invitation.email == EMAIL
    assert Interaction.objects.get().external_id == "T-1"


def test_after_the_period_contacts_go_and_answers_stay(answered):
    answers_before = list(Answer.objects.values_list("item__code", "number").order_by("item__code"))
    ends = answered.invitation.expires_at

    report = contacts_retention_erase(now=ends + timedelta(days=30, minutes=1))

    assert (report.invitations, report.interactions, report.invited_digests) == (1, 1, 2)
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.phone, invitation.provider_message_id) == (None, None, "")
    assert invitation.companion_hash == ""  # the digest of the phone the interaction gave
    assert not InvitationToken.objects.exists()
    assert invitation_by_token(answered.token) is None  # the old e-mail opens nothing
    interaction = Interaction.objects.get()
    assert interaction.external_id == f"erased:{interaction.pk}"
    assert interaction.invitation is None
    assert interaction.consent is True  # what was agreed stays, without who agreed
    assert not ContactInvited.objects.exists()
    # The response and its answers are all still there.
    assert Response.objects.get().pk == answered.response.pk
    assert (
        list(Answer.objects.values_list("item__code", "number").order_by("item__code"))
        == answers_before
    )


def test_an_opt_out_outlives_the_retention_period(answered):
    contact_opt_out_address(phone=E164)
    contacts_retention_erase(now=answered.invitation.expires_at + timedelta(days=400))
    assert ContactOptOut.objects.count() == 1


def test_the_retention_run_is_audited_without_any_contact(answered):
    contacts_retention_erase(now=answered.invitation.expires_at + timedelta(days=31))
    [entry] = AuditEntry.objects.filter(action="privacy.retention")
    assert entry.details == {"invitations": 1, "interactions": 1, "invited_digests": 2}
    text = f"{entry.target} {entry.details}"
    assert EMAIL not in text and E164 not in text and "T-1" not in text


def test_a_second_run_erases_nothing_more(answered):
    later = answered.invitation.expires_at + timedelta(days=31)
    contacts_retention_erase(now=later)
    assert contacts_retention_erase(now=later + timedelta(days=1)).total == 0
    assert AuditEntry.objects.filter(action="privacy.retention").count() == 1


def test_the_retention_period_is_a_setting(answered, settings):
    settings.COLLECT_CONTACT_RETENTION_DAYS = 400
    assert (
        contacts_retention_erase(now=answered.invitation.expires_at + timedelta(days=31)).total == 0
    )
    settings.COLLECT_CONTACT_RETENTION_DAYS = 1
    assert (
        contacts_retention_erase(now=answered.invitation.expires_at + timedelta(days=2)).total == 4
    )


def test_member_invitations_are_left_to_the_wave_purge(make_wave, launch, personas):
    wave = launch(make_wave(units=[personas.lille_vente]))
    contacts_retention_erase(now=timezone.now() + timedelta(days=1000))
    assert Invitation.objects.filter(wave=wave, member=personas.employee_member).exists()


def test_the_tick_erases_expired_contacts(answered, monkeypatch):
    assert jobs_load()["privacy.erase_expired_contacts"].task is erase_expired_contacts
    later = answered.invitation.expires_at + timedelta(days=31)
    monkeypatch.setattr(timezone, "now", lambda: later)
    call_command("tick", verbosity=0)
    assert Invitation.objects.get().email is None
    assert Response.objects.count() == 1
