"""Survey logic on a phone: an answer reveals or hides a question, another ends the survey."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from miroir.collect.models import Invitation, Response
from miroir.collect.sending import invitation_token_issue
from miroir.collect.services import kiosk_issue, wave_create, wave_launch
from miroir.instruments.services import instrument_create, item_create
from tests.browser.accounts_support import browser_log_in
from tests.personas import build_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAST = "That was the last question for you: you can send your answers."


def _fr(text: str) -> str:
    with translation.override("fr"):
        return gettext(text)


def _instrument():
    """Return: manager (no ends it) → listening → why (only after 1 or 2) → an idea."""
    instrument = instrument_create(actor=None, title_fr="Pulse", title_en="Pulse", slug="pulse")
    common = {"instrument": instrument, "actor": None, "lens": "employee", "dimension": "sens"}
    item_create(
        code="manager",
        scale="yes_no",
        text_fr="Avez-vous un responsable ?",
        text_en="Do you have a manager?",
        end_when=["no"],
        **common,
    )
    item_create(
        code="ecoute",
        scale="agree5",
        text_fr="Il m'écoute.",
        text_en="They listen to me.",
        **common,
    )
    item_create(
        code="pourquoi",
        scale="single_choice",
        text_fr="Pourquoi pas ?",
        text_en="Why not?",
        show_when=[{"item": "ecoute", "in": ["1", "2"]}],
        options=[
            {"code": "temps", "fr": "Pas le temps", "en": "No time"},
            {"code": "distance", "fr": "Trop loin", "en": "Too far"},
        ],
        **common,
    )
    item_create(
        code="idee",
        scale="free_text",
        text_fr="Une idée ?",
        text_en="An idea?",
        required=False,
        max_length=200,
        **common,
    )
    return instrument


def _wave(personas, channels):
    return wave_launch(
        wave=wave_create(
            actor=personas.admin,
            instrument=_instrument(),
            name="Pulse",
            lens="employee",
            units=[personas.company],
            channels=channels,
            closes_at=timezone.now() + timedelta(days=30),
        ),
        actor=personas.admin,
    )


def _link(live_server):
    personas = build_personas()
    wave = _wave(personas, ["link"])
    invitation = Invitation.objects.get(wave=wave, member=personas.employee_member)
    return f"{live_server.url}/r/{invitation_token_issue(invitation=invitation)}/", personas


def _visible(page, code: str) -> bool:
    return page.locator(f"[data-item='{code}']").is_visible()


def test_an_answer_reveals_a_question_and_another_hides_it_again(live_server, page):
    url, _personas = _link(live_server)
    page.goto(url)
    assert [_visible(page, code) for code in ("manager", "ecoute", "pourquoi", "idee")] == [
        True,
        True,
        False,
        True,
    ]
    page.get_by_label("Oui").check()
    page.locator("input[name='q-ecoute'][value='2']").check()
    assert _visible(page, "pourquoi")
    page.locator("input[name='q-ecoute'][value='4']").check()
    assert not _visible(page, "pourquoi")
    page.locator("input[name='q-ecoute'][value='1']").check()
    page.get_by_label("Trop loin").check()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name=_fr("Send my answers")).click()
    page.wait_for_url("**/r/thanks/**")
    stored = {a.item.code: (a.number, a.choice) for a in Response.objects.get().answers.all()}
    assert stored == {"manager": (1.0, None), "ecoute": (1.0, None), "pourquoi": (None, "distance")}


def test_an_ending_answer_ends_the_survey_and_only_it_is_stored(live_server, page):
    url, _personas = _link(live_server)
    page.goto(url)
    # Answered first as if the respondent had a manager, then changed their mind.
    page.get_by_label("Oui").check()
    page.locator("input[name='q-ecoute'][value='1']").check()
    page.get_by_label("Pas le temps").check()
    page.get_by_label("Une idée ?").fill("Plus de réunions")
    assert not page.get_by_text(_fr(LAST)).is_visible()
    page.get_by_label("Non").check()
    for code in ("ecoute", "pourquoi", "idee"):
        assert not _visible(page, code)
    assert page.get_by_text(_fr(LAST)).is_visible()
    page.get_by_role("button", name=_fr("Send my answers")).click()
    page.wait_for_url("**/r/thanks/**")
    # The hidden answers were never sent: only the ending answer is stored.
    stored = {a.item.code: a.number for a in Response.objects.get().answers.all()}
    assert stored == {"manager": 0.0}


def test_an_editor_previews_the_logic_by_lens_and_language(live_server, page):
    personas = build_personas()
    instrument = _instrument()
    browser_log_in(page, live_server.url, personas.direction)
    page.goto(f"{live_server.url}/instruments/{instrument.pk}/preview/?lens=employee&lang=en")
    assert page.get_by_text("Do you have a manager?").is_visible()
    assert not _visible(page, "pourquoi")
    page.get_by_label("Yes").check()
    page.locator("input[name='q-ecoute'][value='1']").check()
    assert page.get_by_text("Why not?").is_visible()
    page.get_by_label("No", exact=True).check()
    assert not _visible(page, "ecoute") and not _visible(page, "idee")
    assert page.get_by_text(LAST).is_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    # Checked on the server: the ending answer leaves three questions out, no error.
    page.get_by_role("button", name="Check my answers").click()
    page.wait_for_load_state()
    assert page.get_by_text("Every answer is valid.").is_visible()
    assert page.get_by_test_id("not-asked").inner_text() == (
        "After these answers, 3 questions are not asked."
    )
    assert not Response.objects.exists()


def test_a_kiosk_sends_only_the_questions_asked_and_starts_the_next_person_afresh(
    live_server, page
):
    personas = build_personas()
    wave = _wave(personas, ["kiosk"])
    key = kiosk_issue(wave=wave, unit=personas.lille, actor=None)[1]
    page.goto(f"{live_server.url}/k/{wave.public_id}/{personas.lille.pk}/#key={quote(key)}")
    page.locator("[data-kiosk]").wait_for()
    page.get_by_label("Oui").check()
    page.locator("input[name='q-ecoute'][value='2']").check()
    page.get_by_label("Pas le temps").check()
    page.get_by_label("Non").check()
    assert not _visible(page, "ecoute") and not _visible(page, "pourquoi")
    page.locator("form[data-kiosk-form] button[type=submit]").click()
    page.locator("[data-kiosk-thanks]").wait_for(state="visible")
    stored = {a.item.code: a.number for a in Response.objects.get().answers.all()}
    assert stored == {"manager": 0.0}
    # The next person finds the questionnaire as it starts: the follow-up hidden again.
    page.get_by_role("button", name=_fr("Start again")).click()
    page.locator("[data-item='ecoute']").wait_for(state="visible")
    assert _visible(page, "idee")
    assert not _visible(page, "pourquoi")
