"""The calendar of waves on a 390 px phone: months as a list, a pulse's waves to come in it."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone

from miroir.collect.services import pulse_create, wave_create, wave_launch
from tests.browser.accounts_support import browser_log_in
from tests.browser.navigation import menu_go
from tests.browser.phone_checks import phone_problems
from tests.personas import build_personas
from tests.security.world import build_instrument

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_reads_the_calendar_on_a_phone_and_opens_a_pulse(live_server, page):
    personas = build_personas()
    admin = personas.admin
    instrument, _item = build_instrument(admin, title="Pouls du magasin")
    wave = wave_create(
        actor=admin,
        instrument=instrument,
        name="Vague de printemps",
        lens="employee",
        units=[personas.lille],
        closes_at=timezone.now() + timedelta(days=12),
        channels=["link"],
    )
    wave_launch(wave=wave, actor=admin)
    pulse = pulse_create(
        actor=admin,
        instrument=instrument,
        name="Pouls de Lille",
        lens="employee",
        units=[personas.lille],
        channels=["link"],
        every_weeks=2,
        open_days=7,
        starts_on=timezone.localdate() + timedelta(days=4),
        opens_at_time=time(9),
    )
    browser_log_in(page, live_server.url, personas.shop_manager)
    menu_go(page, "Vagues")
    page.get_by_role("link", name="Calendrier des vagues").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Calendrier des vagues"
    assert phone_problems(page) == []
    calendar = page.get_by_test_id("wave-calendar")
    assert "Vague de printemps" in calendar.inner_text()
    planned = calendar.locator("li[data-status=planned]")
    assert planned.count() >= 20
    first = planned.first
    assert "Pouls de Lille, vague 1" in first.inner_text()
    assert "Prévue" in first.inner_text()
    # On a phone the months stack: one column, each as wide as the screen allows.
    boxes = [box for box in (m.bounding_box() for m in calendar.locator("section").all()) if box]
    assert len({round(box["x"]) for box in boxes}) == 1
    assert all(box["width"] <= 390 for box in boxes)
    first.get_by_role("link").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Pouls de Lille")
    assert f"/pulses/{pulse.pk}/" in page.url
    assert phone_problems(page) == []
    # A manager follows the pulse but has no button to change it.
    assert page.get_by_role("button", name="Mettre en pause").count() == 0


def test_direction_previews_the_invitation_message_on_a_phone(live_server, page):
    personas = build_personas()
    instrument, _item = build_instrument(personas.admin, title="Pouls du magasin")
    pulse = pulse_create(
        actor=personas.admin,
        instrument=instrument,
        name="Pouls de Lille",
        lens="employee",
        units=[personas.lille],
        channels=["email", "sms"],
        every_weeks=2,
        open_days=7,
        starts_on=timezone.localdate() + timedelta(days=4),
        opens_at_time=time(9),
    )
    browser_log_in(page, live_server.url, personas.direction)
    page.goto(f"{live_server.url}/pulses/{pulse.pk}/")
    assert phone_problems(page) == []
    page.get_by_role("link", name="Message d'invitation").click()
    page.get_by_label("Français").fill("Deux minutes pour votre magasin, merci !")
    page.get_by_role("button", name="Enregistrer et prévisualiser").click()
    preview = page.get_by_test_id("message-preview").locator("article[data-language=fr]")
    assert "Deux minutes pour votre magasin, merci !" in preview.inner_text()
    assert "SMS" in preview.get_by_test_id("sms-length").inner_text()
    assert phone_problems(page) == []
