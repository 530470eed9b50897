"""Respondents read what is written for them, never the texts written for the staff.

The questionnaire's title and description are internal (a catalog's name, methodological
notes): customer, kiosk and personal-link pages show the organisation's name instead, and
the public complaint form carries none of the staff's tagline and links.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from miroir.collect.services import kiosk_issue
from tests.collect.support import token_for

INTERNAL_TITLE = "Pulse de test"
INTERNAL_NOTE = "Note interne : mesure de l'asymétrie des attentions"


@pytest.fixture
def described(instrument):
    instrument.description_fr = INTERNAL_NOTE
    instrument.description_en = INTERNAL_NOTE
    instrument.save(update_fields=["description_fr", "description_en"])
    return instrument


def _personal(client, wave, personas):
    return client.get(reverse("collect:respond", args=[token_for(wave, personas.employee_member)]))


def _open(client, wave, personas):
    return client.get(reverse("collect:respond_open", args=[wave.public_id, personas.lille.pk]))


def _kiosk(client, wave, personas):
    key = kiosk_issue(wave=wave, unit=personas.lille, actor=None)[1]
    setup = reverse("collect:kiosk_setup", args=[wave.public_id, personas.lille.pk])
    assert client.post(setup, {"key": key}).status_code == 200
    return client.get(reverse("collect:kiosk", args=[wave.public_id, personas.lille.pk]))


# Customers get personal links from interactions, not from the roster: open links and kiosks.
CASES = [
    ("employee", _personal),
    ("employee", _open),
    ("employee", _kiosk),
    ("customer", _open),
    ("customer", _kiosk),
]


@pytest.mark.parametrize(
    ("lens", "visit"), CASES, ids=[f"{lens}-{visit.__name__}" for lens, visit in CASES]
)
def test_survey_pages_show_the_organisation_not_the_questionnaire(
    client, make_wave, launch, personas, described, lens, visit
):
    wave = launch(
        make_wave(lens=lens, channels=["email", "link", "kiosk"], open_links=True, reminder_days=[])
    )
    page = visit(client, wave, personas)
    assert page.status_code == 200
    html = page.content.decode()
    assert INTERNAL_TITLE not in html and "asymétrie" not in html
    assert f"<h1>{personas.company.name}</h1>" in html or (
        f'tabindex="-1">{personas.company.name}</h1>' in html
    )


def test_the_public_complaint_form_has_no_staff_text(client, personas):
    html = client.get(reverse("voices:complaint", args=[personas.lille.pk])).content.decode()
    assert personas.lille.name in html
    assert reverse("voices:follow") not in html
    assert "écoutez vos collaborateurs" not in html and "listen to your people" not in html


def test_the_kiosk_setup_page_shows_the_organisation(
    client, make_wave, launch, personas, described
):
    wave = launch(make_wave(channels=["kiosk"], reminder_days=[]))
    page = client.get(reverse("collect:kiosk", args=[wave.public_id, personas.lille.pk]))
    html = page.content.decode()
    assert INTERNAL_TITLE not in html and personas.company.name in html
