"""Consent and opt-out: recorded with the interaction, honoured everywhere before the next send."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from miroir.collect.interactions import interactions_check, interactions_record
from miroir.collect.models import Interaction, InteractionOutcome, Invitation, InvitationStatus
from miroir.collect.quiet_hours import next_send_time
from miroir.collect.sending import invitations_send_pending, wave_send_reminders
from miroir.collect.services import invitation_create_customer, sms_reply_received
from tests.privacy.support import E164, EMAIL, PHONE


@pytest.fixture(autouse=True)
def _sms_to_file(settings, tmp_path):
    settings.COLLECT_SMS_BACKEND = "file"
    settings.COLLECT_SMS_FILE_DIR = tmp_path


def _customer_wave(make_wave, launch, name, units, channels, **extra):
    return launch(make_wave(name=name, lens="customer", units=units, channels=channels, **extra))


def test_one_click_unsubscribe_blocks_every_wave_unit_and_reminder(make_wave, launch, personas):
    lille = _customer_wave(
        make_wave, launch, "Lille", [personas.lille], ["email"], reminder_days=[1]
    )
    marseille = _customer_wave(
        make_wave, launch, "Marseille", [personas.marseille], ["sms", "email"], reminder_days=[]
    )
    vente = _customer_wave(
        make_wave, launch, "Vente", [personas.lille_vente], ["email"], reminder_days=[]
    )
    first = invitation_create_customer(
        wave=lille, unit=personas.lille, channel="email", email=EMAIL
    )
    assert invitations_send_pending(wave=lille).sent == 1
    [message] = mail.outbox
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    # Pending elsewhere, written another way.
    pending = [
        invitation_create_customer(
            wave=marseille, unit=personas.marseille, channel="email", email=EMAIL.upper()
        ),
        invitation_create_customer(
            wave=vente, unit=personas.lille_vente, channel="email", email=EMAIL
        ),
    ]

    # The mail client's one-click POST (RFC 8058): no page, no CSRF token.
    robot = Client(enforce_csrf_checks=True)
    answer = robot.post(
        unsubscribe.removeprefix("https://miroir.example"),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 200

    assert invitations_send_pending(wave=marseille).sent == 0
    assert invitations_send_pending(wave=vente).sent == 0
    reminder_time = lille.opens_at + timedelta(days=1, hours=21)
    assert wave_send_reminders(wave=lille, now=reminder_time).sent == 0
    assert len(mail.outbox) == 1
    for invitation in [*pending, first]:
        invitation.refresh_from_db()
        assert invitation.status == InvitationStatus.OPTED_OUT
    # And no new invitation is made for the address, by any wave.
    assert (
        invitation_create_customer(
            wave=vente, unit=personas.lille_vente, channel="email", email=EMAIL
        )
        is None
    )


def test_an_sms_stop_blocks_the_number_in_every_wave_and_unit(
    make_wave, launch, personas, tmp_path
):
    north = _customer_wave(make_wave, launch, "Nord", [personas.nord], ["sms"], reminder_days=[])
    south = _customer_wave(make_wave, launch, "Sud", [personas.sud], ["sms"], reminder_days=[])
    pending = [
        invitation_create_customer(wave=north, unit=personas.arras, channel="sms", phone=E164),
        invitation_create_customer(wave=south, unit=personas.marseille, channel="sms", phone=PHONE),
    ]

    assert sms_reply_received(phone=E164, body="Stop merci")

    in_window = next_send_time(timezone.now(), time_zone="Europe/Paris") + timedelta(seconds=1)
    for wave in (north, south):
        assert invitations_send_pending(wave=wave, now=in_window).sent == 0
    for invitation in pending:
        invitation.refresh_from_db()
        assert invitation.status == InvitationStatus.OPTED_OUT
    assert not (tmp_path / "sms.jsonl").exists()


def test_an_opted_out_number_blocks_the_e_mail_of_the_same_interaction(make_wave, launch, personas):
    # A hot wave that would write by e-mail: the number's STOP is enough to keep the
    # customer out, whatever channel the wave prefers.
    wave = _customer_wave(
        make_wave,
        launch,
        "Chaud",
        [personas.company],
        ["email", "sms"],
        kind="hot",
        reminder_days=[],
        hot_delay_minutes=0,
    )
    sms_reply_received(phone=E164, body="ARRÊT")
    now = timezone.now()
    checked, _problems = interactions_check(
        [
            {
                "external_id": "A-1",
                "unit": "U-MARS",
                "occurred_at": now.isoformat(),
                "email": EMAIL,
                "phone": PHONE,
                "consent": "true",
            }
        ],
        now=now,
    )
    [result] = interactions_record(checked, source="crm", now=now).results
    assert result.outcome == InteractionOutcome.OPTED_OUT
    assert not Invitation.objects.filter(wave=wave).exists()


def test_consent_is_recorded_with_the_interaction_its_source_and_time(make_wave, launch, personas):
    _customer_wave(
        make_wave, launch, "Chaud", [personas.company], ["email"], kind="hot", reminder_days=[]
    )
    now = timezone.now()
    rows = [
        {
            "external_id": "yes",
            "unit": "U-LILLE",
            "occurred_at": now.isoformat(),
            "email": EMAIL,
            "consent": "oui",
        },
        {
            "external_id": "no",
            "unit": "U-LILLE",
            "occurred_at": now.isoformat(),
            "email": "other@example.com",
            "consent": "non",
        },
    ]
    checked, _problems = interactions_check(rows, now=now)
    interactions_record(checked, source="till-lille", now=now)

    given = Interaction.objects.get(external_id="yes")
    refused = Interaction.objects.get(external_id="no")
    assert (given.consent, given.source, given.received_at) == (True, "till-lille", now)
    assert given.invitation is not None
    assert (refused.consent, refused.outcome) == (False, InteractionOutcome.NO_CONSENT)
    assert refused.invitation is None
    assert Invitation.objects.count() == 1


def test_an_interaction_without_a_consent_answer_is_refused(personas):
    now = timezone.now()
    _checked, problems = interactions_check(
        [{"external_id": "x", "unit": "U-LILLE", "occurred_at": now.isoformat(), "email": EMAIL}],
        now=now,
    )
    assert [(problem.field, problem.message) for problem in problems] == [
        ("consent", "Consent is required: true or false.")
    ]


def test_a_stop_of_the_number_stops_the_e_mail_invitation_of_the_same_interaction(
    make_wave, launch, personas
):
    # The interaction gave both addresses; the wave writes by e-mail. A STOP texted from the
    # number (to another wave's SMS) keeps the pending e-mail from leaving.
    wave = _customer_wave(
        make_wave,
        launch,
        "Chaud",
        [personas.company],
        ["email"],
        kind="hot",
        reminder_days=[],
        hot_delay_minutes=0,
    )
    now = timezone.now()
    checked, _problems = interactions_check(
        [
            {
                "external_id": "B-1",
                "unit": "U-LILLE",
                "occurred_at": now.isoformat(),
                "email": EMAIL,
                "phone": PHONE,
                "consent": "1",
            }
        ],
        now=now,
    )
    interactions_record(checked, source="crm", now=now)
    invitation = Invitation.objects.get(wave=wave)
    assert (invitation.email, invitation.phone) == (EMAIL, None)
    assert invitation.companion_hash and E164 not in invitation.companion_hash

    sms_reply_received(phone=E164, body="STOP")

    assert invitations_send_pending(wave=wave, now=now + timedelta(minutes=1)).sent == 0
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.OPTED_OUT
    assert mail.outbox == []
