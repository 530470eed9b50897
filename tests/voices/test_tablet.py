"""A shared shop tablet takes anonymous voices without a login: set up by a manager of the
unit with a key that lives in its cookie, revocable, throttled; each voice is an anonymous
voice like any other (same intake, redaction and filing rule) and shows its claim code."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from miroir.audit.models import AuditEntry
from miroir.voices.models import Voice, VoiceTablet
from miroir.voices.selectors import voice_by_claim_code
from miroir.voices.services import anonymous_unit_for
from miroir.voices.tablets import COOKIE_NAME, tablet_issue, tablet_key_digest


@pytest.fixture
def tablet(personas):
    return tablet_issue(unit=personas.lille, actor=personas.shop_manager)


def _set_up(client, tablet, key):
    response = client.post(reverse("voices:tablet_setup", args=[tablet.pk]), {"key": key})
    assert response.status_code == 200
    return response


def _send(client, tablet, text="La réserve est trop loin de la caisse.", **extra):
    data = {"kind": "suggestion", "text": text, "title": "", "moment": "", **extra}
    return client.post(reverse("voices:tablet", args=[tablet.pk]), data)


def test_the_manager_sets_a_tablet_up_from_the_unit_page(client, personas):
    client.force_login(personas.shop_manager)
    response = client.post(reverse("voices:tablet_new", args=[personas.lille.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and "<svg" in html
    key = re.search(r"#key=([A-Za-z0-9_-]+)", html).group(1)
    stored = VoiceTablet.objects.get()
    assert stored.key_hash == tablet_key_digest(key) and stored.unit == personas.lille
    assert AuditEntry.objects.filter(action="voice_tablet.issue").exists()
    page = client.get(reverse("org:unit_detail", args=[personas.lille.pk])).content.decode()
    assert reverse("voices:tablet_revoke", args=[stored.pk]) in page
    assert key not in page


def test_a_voice_left_on_the_tablet_is_anonymous_and_shows_its_claim_code(personas, tablet):
    tablet, key = tablet
    device = Client()
    _set_up(device, tablet, key)
    assert device.cookies[COOKIE_NAME]["httponly"]
    form = device.get(reverse("voices:tablet", args=[tablet.pk]))
    assert 'data-testid="tablet-form"' in form.content.decode()
    response = _send(device, tablet, text="Sophie Martin range mal la réserve.")
    assert response.status_code == 200
    code = re.search(r'data-testid="claim-code">([^<]+)<', response.content.decode()).group(1)
    voice = Voice.objects.get()
    assert voice.is_anonymous and voice.author is None and voice.lens == "employee"
    assert voice.received_at.hour == 0 or voice.received_at.minute == 0
    assert voice_by_claim_code(code) == voice
    assert voice.unit == anonymous_unit_for(personas.lille, "employee")
    assert not response.wsgi_request.user.is_authenticated
    assert not AuditEntry.objects.filter(details__icontains=str(voice.pk)).exists()
    assert str(tablet.pk) not in repr(Voice.objects.values().get())


def test_without_its_key_a_device_only_gets_the_setup_page(personas, tablet):
    tablet, _key = tablet
    stranger = Client()
    page = stranger.get(reverse("voices:tablet", args=[tablet.pk]))
    assert 'data-testid="tablet-setup"' in page.content.decode()
    assert _send(stranger, tablet).status_code == 403
    wrong = stranger.post(reverse("voices:tablet_setup", args=[tablet.pk]), {"key": "guess"})
    assert wrong.status_code == 404
    assert not Voice.objects.exists()


def test_a_revoked_tablet_takes_no_more_voices(client, personas, tablet):
    tablet, key = tablet
    device = Client()
    _set_up(device, tablet, key)
    client.force_login(personas.shop_manager)
    assert client.post(reverse("voices:tablet_revoke", args=[tablet.pk])).status_code == 302
    assert _send(device, tablet).status_code == 403
    assert not Voice.objects.exists()
    assert (
        device.post(reverse("voices:tablet_setup", args=[tablet.pk]), {"key": key}).status_code
        == 404
    )
    assert AuditEntry.objects.filter(action="voice_tablet.revoke").exists()


def test_the_manager_of_a_sibling_shop_cannot_revoke_it(client, personas, tablet):
    tablet, _key = tablet
    client.force_login(personas.sibling_manager)
    assert client.post(reverse("voices:tablet_revoke", args=[tablet.pk])).status_code == 404
    assert client.post(reverse("voices:tablet_new", args=[personas.lille.pk])).status_code == 404
    tablet.refresh_from_db()
    assert tablet.revoked_at is None


def test_the_tablet_is_throttled(settings, personas, tablet):
    settings.CORE_RATE_LIMITS = {**settings.CORE_RATE_LIMITS, "voice_tablet": (3, 600)}
    tablet, key = tablet
    device = Client()
    _set_up(device, tablet, key)
    assert _send(device, tablet, text="Un.").status_code == 200
    assert _send(device, tablet, text="Deux.").status_code == 200
    limited = _send(device, tablet, text="Trois.")
    assert limited.status_code == 429 and limited["Retry-After"]
    assert Voice.objects.count() == 2


def test_an_empty_voice_is_refused_naming_the_field(personas, tablet):
    tablet, key = tablet
    device = Client()
    _set_up(device, tablet, key)
    response = _send(device, tablet, text="   ")
    assert response.status_code == 200
    assert response.context["form"].errors["text"]
    assert not Voice.objects.exists()


def test_the_same_form_sent_twice_is_stored_once(personas, tablet):
    tablet, key = tablet
    device = Client()
    _set_up(device, tablet, key)
    _send(device, tablet, submission_id="abc-123")
    again = _send(device, tablet, submission_id="abc-123")
    assert again.status_code == 302
    assert Voice.objects.count() == 1
