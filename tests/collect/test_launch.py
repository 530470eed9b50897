"""Creating and launching waves: the right people invited, the questionnaire locked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from miroir.audit.models import AuditEntry
from miroir.collect.models import Invitation
from miroir.collect.services import wave_close, wave_launch, wave_update
from miroir.org.models import Member


def _invited(wave):
    return sorted(
        Invitation.objects.filter(wave=wave).values_list("member__first_name", "unit__name")
    )


def test_a_new_wave_is_a_draft_with_the_configured_thresholds(make_wave, settings):
    wave = make_wave()
    assert wave.status == "draft"
    assert (wave.threshold_scores, wave.threshold_verbatims) == (
        settings.MIROIR_ANONYMITY_THRESHOLD,
        settings.MIROIR_VERBATIM_THRESHOLD,
    )
    assert AuditEntry.objects.filter(action="wave.create", target=f"wave:{wave.pk}").exists()


def test_an_employee_wave_invites_every_active_non_partner_member_of_its_subtrees(
    make_wave, launch, personas
):
    Member.objects.filter(pk=personas.marius.pk).update(is_active=False)
    wave = launch(make_wave(units=[personas.nord]))
    assert _invited(wave) == [
        ("Régis", "Nord"),
        ("Simon", "Arras"),
        ("Sophie", "Lille"),
        ("Émile", "Lille Vente"),
    ]
    assert wave.status == "open"
    assert wave.instrument.locked_at is not None
    entry = AuditEntry.objects.get(action="wave.launch")
    assert entry.details["invitations"] == 4


def test_contract_types_narrow_an_employee_wave(make_wave, launch):
    wave = launch(make_wave(contract_types=["fixed_term"]))
    assert _invited(wave) == [("Marius", "Marseille")]


def test_a_partner_wave_invites_partners_only(make_wave, launch):
    wave = launch(make_wave(lens="partner"))
    assert _invited(wave) == [("Paul", "Lille")]


def test_a_management_wave_invites_managers_for_the_units_they_manage(make_wave, launch, personas):
    wave = launch(make_wave(lens="management", units=[personas.nord]))
    assert _invited(wave) == [("Régis", "Nord"), ("Simon", "Arras"), ("Sophie", "Lille")]


def test_a_customer_wave_invites_nobody_at_launch(make_wave, launch):
    wave = launch(make_wave(lens="customer", channels=[], open_links=True))
    assert wave.status == "open"
    assert not Invitation.objects.filter(wave=wave).exists()


def test_each_member_gets_the_first_channel_that_reaches_them(make_wave, launch, personas):
    wave = launch(make_wave(channels=["email", "link"]))
    channels = dict(Invitation.objects.filter(wave=wave).values_list("member", "channel"))
    assert channels[personas.employee_member.pk] == "email"
    assert channels[personas.marius.pk] == "link"  # no e-mail address


def test_members_no_channel_reaches_are_counted_not_invited(make_wave, launch, personas):
    wave = launch(make_wave(channels=["email"]))
    assert wave.unreachable == 1
    assert not Invitation.objects.filter(wave=wave, member=personas.marius).exists()


def test_launching_sends_the_e_mail_invitations_once_committed(make_wave, launch):
    wave = launch(make_wave(channels=["email"]))
    invited = Invitation.objects.filter(wave=wave)
    assert len(mail.outbox) == invited.count() == 7
    assert set(invited.values_list("status", flat=True)) == {"sent"}


def test_a_wave_opening_later_is_scheduled_and_sends_nothing_yet(make_wave, launch):
    wave = launch(make_wave(opens_at=timezone.now() + timedelta(days=3)))
    assert wave.status == "scheduled"
    assert Invitation.objects.filter(wave=wave).exists()
    assert mail.outbox == []


def test_only_a_draft_is_launched_or_changed(make_wave, launch, personas):
    wave = launch(make_wave())
    with pytest.raises(ValidationError):
        wave_launch(wave=wave, actor=personas.admin)
    with pytest.raises(ValidationError):
        wave_update(wave=wave, actor=personas.admin, name="Autre")
    assert Invitation.objects.filter(wave=wave).count() == 8


def test_a_wave_past_its_closing_date_cannot_launch(make_wave, personas):
    wave = make_wave()
    with pytest.raises(ValidationError) as error:
        wave_launch(wave=wave, actor=personas.admin, now=wave.closes_at + timedelta(hours=1))
    assert "closes_at" in error.value.message_dict
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"channels": ["pigeon"]}, "channels"),
        ({"channels": [], "open_links": False}, "channels"),
        ({"lens": "partner", "contract_types": ["permanent"]}, "contract_types"),
        ({"contract_types": ["partner"]}, "contract_types"),
        ({"attributes": ["proximity"]}, "attributes"),
        ({"units": []}, "units"),
        ({"reminder_days": [0]}, "reminder_days"),
        ({"threshold_scores": 2}, "threshold_scores"),
    ],
)
def test_a_wrong_wave_is_refused_by_field(make_wave, overrides, field):
    with pytest.raises(ValidationError) as error:
        make_wave(**overrides)
    assert field in error.value.message_dict


def test_a_questionnaire_without_items_for_the_lens_is_refused(make_wave, instrument):
    instrument.items.filter(lens="partner").delete()
    with pytest.raises(ValidationError) as error:
        make_wave(lens="partner")
    assert "lens" in error.value.message_dict


def test_closing_expires_the_invitations_not_sent(make_wave, launch, personas):
    wave = launch(make_wave(opens_at=timezone.now() + timedelta(days=3)))
    wave_close(wave=wave, actor=personas.admin)
    wave.refresh_from_db()
    assert wave.status == "closed"
    assert set(Invitation.objects.filter(wave=wave).values_list("status", flat=True)) == {"expired"}
