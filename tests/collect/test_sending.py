"""Sending invitations and reminders: localised e-mails, rates, reminders, opt-outs, links."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from miroir.audit.models import AuditEntry
from miroir.collect.channels import CHANNEL_MODULES, CHANNELS
from miroir.collect.models import ContactOptOut, Invitation, InvitationToken
from miroir.collect.selectors import contact_opted_out, invitation_by_token
from miroir.collect.sending import invitations_send_pending, wave_send_reminders
from miroir.collect.services import (
    contact_opt_out_address,
    invitation_create_customer,
    wave_links_export,
)
from miroir.collect.tokens import token_hash
from tests.collect.support import add_employees, submit

LINK = re.compile(r"https://miroir\.example/r/([A-Za-z0-9_-]{43})/")


def _token_in(message) -> str:
    return LINK.search(message.body).group(1)


def test_the_registry_knows_each_channel_folder():
    assert set(CHANNELS) == {"email", "sms", "link", "kiosk"}
    # Posters print open links: a folder with routes, but nothing a wave lists.
    assert set(CHANNEL_MODULES) == {*CHANNELS, "posters"}


def test_an_invitation_e_mail_has_text_and_html_in_the_wave_language(make_wave, launch, personas):
    launch(make_wave(channels=["email"], language="en", units=[personas.lille_vente]))
    (message,) = mail.outbox
    assert message.to == ["emile@example.com"]
    assert "Test pulse" in message.subject
    assert "Your opinion counts" in message.subject
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    token = _token_in(message)
    assert f"/r/{token}/?lang=en" in html
    assert "Answer the survey" in html
    assert "unsubscribe" not in message.body.lower()  # employees are not customers
    # The link works, and only its hash is stored.
    assert invitation_by_token(token).member == personas.employee_member
    assert InvitationToken.objects.filter(token_hash=token_hash(token)).exists()
    assert not InvitationToken.objects.filter(token_hash=token).exists()


def test_a_french_wave_writes_in_french(make_wave, launch, personas):
    wave = launch(make_wave(channels=["email"], units=[personas.lille_vente]))
    (message,) = mail.outbox
    assert "Pulse de test" in message.subject
    html = message.alternatives[0][0]
    assert '<html lang="fr">' in html
    assert "?lang=fr" in message.body
    # Dates follow the language too (Django's own French catalog names the month).
    month = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ][timezone.localtime(wave.closes_at).month - 1]
    assert month in message.body


def test_the_rate_limit_holds_the_rest_for_the_next_run(make_wave, launch, settings):
    settings.COLLECT_RATE_LIMITS = {"email": 3}
    wave = launch(make_wave(channels=["email"]))
    assert len(mail.outbox) == 3
    assert Invitation.objects.filter(wave=wave, status="pending").count() == 4
    # Within the same minute, nothing more goes out.
    assert invitations_send_pending(wave=wave).sent == 0
    later = timezone.now() + timedelta(minutes=1, seconds=1)
    report = invitations_send_pending(wave=wave, now=later)
    assert (report.sent, report.left) == (3, 1)
    assert len(mail.outbox) == 6


def test_reminders_go_only_to_those_who_have_not_answered_once_per_round(
    make_wave, launch, personas
):
    add_employees(personas.lille_caisse, 2, prefix="Caissier")
    wave = launch(make_wave(channels=["email"], units=[personas.lille]))
    assert len(mail.outbox) == 4  # Sophie, Émile and the two cashiers
    submit(_token_in(next(m for m in mail.outbox if m.to == ["emile@example.com"])))
    mail.outbox.clear()

    assert wave_send_reminders(wave=wave, now=timezone.now() + timedelta(days=6)).sent == 0
    day8 = wave.opens_at + timedelta(days=8)
    report = wave_send_reminders(wave=wave, now=day8)
    assert report.sent == 3
    assert sorted(m.to[0] for m in mail.outbox) == [
        "caissier0@example.com",
        "caissier1@example.com",
        "sophie@example.com",
    ]
    assert all(m.subject.startswith(("Relance", "Reminder")) for m in mail.outbox)
    # The same round again: nothing more.
    assert wave_send_reminders(wave=wave, now=day8 + timedelta(hours=1)).sent == 0
    assert len(mail.outbox) == 3
    # The second round, a week later.
    assert wave_send_reminders(wave=wave, now=wave.opens_at + timedelta(days=15)).sent == 3
    assert len(mail.outbox) == 6
    assert AuditEntry.objects.filter(action="wave.remind").count() == 2


def test_an_earlier_link_still_works_after_a_reminder(make_wave, launch, personas):
    wave = launch(make_wave(channels=["email"], units=[personas.lille_vente]))
    first = _token_in(mail.outbox[0])
    wave_send_reminders(wave=wave, now=wave.opens_at + timedelta(days=8))
    assert _token_in(mail.outbox[1]) != first
    assert not submit(first).replayed


def test_a_failed_e_mail_marks_the_invitation_failed(make_wave, launch, monkeypatch, personas):
    import smtplib

    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPRecipientsRefused({})

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    wave = launch(make_wave(channels=["email"], units=[personas.lille_vente]))
    invitation = Invitation.objects.get(wave=wave)
    assert (invitation.status, invitation.error) == ("failed", "smtp:SMTPRecipientsRefused")
    assert not InvitationToken.objects.filter(invitation=invitation).exists()


def test_a_customer_e_mail_carries_an_unsubscribe_link_that_is_honoured(
    make_wave, launch, personas, client
):
    wave = launch(make_wave(lens="customer", channels=["email"]))
    invitation_create_customer(
        wave=wave, unit=personas.lille, channel="email", email="Client@Example.com", language="en"
    )
    invitations_send_pending(wave=wave)
    (message,) = mail.outbox
    assert "Your opinion counts" in message.subject
    unsubscribe = re.search(r"https://miroir\.example(/u/[^/\s]+/)", message.body).group(1)
    assert message.extra_headers["List-Unsubscribe"].endswith(f"{unsubscribe}>")
    assert client.get(unsubscribe).status_code == 200
    assert not ContactOptOut.objects.exists()  # looking is not unsubscribing
    assert client.post(unsubscribe).status_code == 200
    assert contact_opted_out(email="client@example.com")
    # Honoured for ever: no new invitation for this address.
    assert (
        invitation_create_customer(
            wave=wave, unit=personas.lille, channel="email", email="client@example.com"
        )
        is None
    )


def test_a_forged_unsubscribe_link_is_unknown(client, db):
    assert client.post("/u/not-signed/").status_code == 404
    assert not ContactOptOut.objects.exists()


def test_an_opted_out_contact_is_not_sent_an_invitation_made_before(make_wave, launch, personas):
    wave = launch(make_wave(lens="customer", channels=["email"]))
    invitation = invitation_create_customer(
        wave=wave, unit=personas.lille, channel="email", email="late@example.com"
    )
    contact_opt_out_address(email="late@example.com")
    invitations_send_pending(wave=wave)
    invitation.refresh_from_db()
    assert mail.outbox == []
    assert invitation.status == "opted_out"


def test_a_customer_invitation_waits_for_its_not_before_time(make_wave, launch, personas):
    wave = launch(make_wave(lens="customer", channels=["email"]))
    invitation_create_customer(
        wave=wave,
        unit=personas.lille,
        channel="email",
        email="later@example.com",
        not_before=timezone.now() + timedelta(hours=2),
    )
    assert invitations_send_pending(wave=wave).sent == 0
    assert invitations_send_pending(wave=wave, now=timezone.now() + timedelta(hours=3)).sent == 1


def test_customer_invitations_need_a_customer_wave_and_a_unit_of_its_audience(
    make_wave, launch, personas
):
    employees = launch(make_wave())
    with pytest.raises(ValidationError):
        invitation_create_customer(
            wave=employees, unit=personas.lille, channel="email", email="a@example.com"
        )
    customers = launch(make_wave(lens="customer", channels=["email"], units=[personas.nord]))
    with pytest.raises(ValidationError):
        invitation_create_customer(
            wave=customers, unit=personas.marseille, channel="email", email="a@example.com"
        )


def test_the_links_file_lists_every_personal_link_with_a_working_token(make_wave, launch, personas):
    wave = launch(make_wave(channels=["link"], units=[personas.lille]))
    assert mail.outbox == []
    submit_first = wave_links_export(wave=wave, actor=personas.admin)
    assert sorted(row.member for row in submit_first) == [
        "Sophie Lille",
        "Émile Vendeur",
    ]
    emile = next(row for row in submit_first if row.member == "Émile Vendeur")
    token = LINK.search(emile.url).group(1)
    submit(token)
    # A second download lists everyone again (it must not tell who answered).
    second = wave_links_export(wave=wave, actor=personas.admin)
    assert len(second) == 2
    assert AuditEntry.objects.filter(action="wave.links_export").count() == 2
    assert set(Invitation.objects.filter(wave=wave).values_list("status", flat=True)) == {"sent"}
