"""The public complaint form: throttled per address, a double submit stored once, and answers
sent only to an address its owner confirmed by the link e-mailed to it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from miroir.voices import services
from miroir.voices.models import Voice
from miroir.voices.services import voice_answer

pytestmark = pytest.mark.django_db


def _url(personas) -> str:
    return reverse("voices:complaint", args=[personas.lille.pk])


def _send(client, personas, text="Trop d'attente en caisse.", **extra):
    return client.post(_url(personas), {"text": text, **extra})


def _link(message) -> str:
    found = re.search(r"https://miroir\.example(/voices/complaint/confirm/[^/\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def test_the_form_is_throttled_per_address(client, personas, settings):
    settings.CORE_RATE_LIMITS = {**settings.CORE_RATE_LIMITS, "complaint": (5, 600)}
    for index in range(5):
        assert _send(client, personas, text=f"Réclamation numéro {index}").status_code == 200
    refused = _send(client, personas, text="Encore une")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 600
    assert Voice.objects.count() == 5
    # Another address is not held back, and reading the form is not counted.
    assert client.get(_url(personas)).status_code == 200
    other = client.__class__(REMOTE_ADDR="203.0.113.8")
    assert _send(other, personas, text="Depuis ailleurs").status_code == 200


def test_an_identical_double_submit_is_stored_once(
    client, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = _send(client, personas, contact_email="client@example.com")
        again = _send(client, personas, contact_email="client@example.com")
    assert first.status_code == again.status_code == 200
    assert Voice.objects.count() == 1
    assert 'data-testid="complaint-repeated"' in again.content.decode()
    assert 'data-testid="claim-code"' not in again.content.decode()
    assert len(mail.outbox) == 1  # one confirmation, not two
    # Spacing and case do not make it another complaint; another text does.
    _send(
        client, personas, text="  TROP d'attente   en caisse. ", contact_email="client@example.com"
    )
    assert Voice.objects.count() == 1
    _send(client, personas, text="Le parking était fermé.", contact_email="client@example.com")
    assert Voice.objects.count() == 2


def test_answers_go_only_to_a_confirmed_address(
    client, personas, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page = _send(client, personas, contact_email="client@example.com")
    assert 'data-testid="confirm-sent"' in page.content.decode()
    [confirmation] = mail.outbox
    assert confirmation.to == ["client@example.com"]
    voice = Voice.objects.get()
    assert voice.contact_confirmed_at is None
    with django_capture_on_commit_callbacks(execute=True):
        voice_answer(voice=voice, actor=personas.shop_manager, outcome="adopted", text="Pardon")
    assert len(mail.outbox) == 1  # not confirmed: the answer is not e-mailed
    link = _link(confirmation)
    # Opening the link (a mail scanner does) confirms nothing; the button does.
    assert 'data-testid="contact-confirmed"' not in client.get(link).content.decode()
    voice.refresh_from_db()
    assert voice.contact_confirmed_at is None
    confirmed = client.post(link)
    assert 'data-testid="contact-confirmed"' in confirmed.content.decode()
    voice.refresh_from_db()
    assert voice.contact_confirmed_at is not None


def test_a_confirmed_address_gets_the_answer(client, personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _send(client, personas, contact_email="client@example.com")
    client.post(_link(mail.outbox[0]))
    with django_capture_on_commit_callbacks(execute=True):
        voice_answer(
            voice=Voice.objects.get(), actor=personas.shop_manager, outcome="adopted", text="Pardon"
        )
    assert [message.to for message in mail.outbox] == [["client@example.com"]] * 2


@pytest.mark.parametrize("damage", ["tampered", "expired", "address_changed"])
def test_a_bad_link_confirms_nothing(
    client, personas, monkeypatch, django_capture_on_commit_callbacks, damage
):
    with django_capture_on_commit_callbacks(execute=True):
        _send(client, personas, contact_email="client@example.com")
    link = _link(mail.outbox[0])
    if damage == "tampered":
        link = link[:-3] + ("A" if link[-3] != "A" else "B") + link[-2:]
    elif damage == "expired":
        monkeypatch.setattr(services, "CONTACT_CONFIRM_MAX_AGE", timedelta(seconds=-1))
    else:
        Voice.objects.update(contact_email="someone@example.com")
    response = client.post(link)
    assert response.status_code == 400
    assert 'data-testid="confirm-problem"' in response.content.decode()
    assert Voice.objects.get().contact_confirmed_at is None


def test_an_address_from_an_integration_needs_no_confirmation(personas):
    voice = services.complaint_receive(
        unit=personas.lille, text="Colis abîmé", source="api", contact_email="client@example.com"
    ).voice
    assert voice.contact_confirmed_at is not None
    assert not mail.outbox
