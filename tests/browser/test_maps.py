"""A shop's satisfaction maps on a 390 px phone: a member fills the map form, the manager
reads both curves at the close, the team reads the published maps."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from miroir.journeys.models import MapPublication
from miroir.journeys.services import (
    journey_template_load,
    map_submit,
    map_wave_close,
    map_wave_create,
    map_wave_open,
)
from tests.browser.accounts_support import browser_log_in
from tests.browser.phone_checks import phone_problems
from tests.journeys.conftest import staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _wave(personas):
    wave = map_wave_create(
        name="Carte du parcours client",
        # A transactional test starts from an empty database: the bundled journey is loaded.
        journey=journey_template_load(code="shop"),
        unit=personas.lille,
        closes_at=timezone.now() + timedelta(days=7),
        actor=personas.direction,
    )
    return map_wave_open(wave=wave, actor=personas.direction)


def test_an_employee_fills_the_map_on_a_phone(live_server, page, personas):
    wave = _wave(personas)
    browser_log_in(page, live_server.url, personas.employee)
    page.goto(f"{live_server.url}{reverse('maps:mine')}")
    page.get_by_test_id("maps-to-answer").get_by_role("link").click()
    checkout = page.get_by_test_id("moment-checkout")
    checkout.get_by_label("2").check()
    checkout.locator("select").select_option("frustration")
    checkout.get_by_label("Oui").check()
    checkout.locator("textarea").fill("Une caisse de plus le samedi")
    assert phone_problems(page) == []
    page.get_by_role("button", name="Envoyer ma carte").click()
    page.wait_for_url(f"{live_server.url}{reverse('maps:mine')}")
    assert wave.responses.filter(lens="employee").count() == 1


def test_a_shop_map_is_drawn_on_a_390px_phone(live_server, page, personas):
    wave = _wave(personas)
    for index, user in enumerate(staff(personas.lille, 5)):
        map_submit(wave=wave, user=user, answers={
            "checkout": {"satisfaction": 2 + index % 2, "emotion": "frustration",
                         "moment_of_truth": True},
            "arrival": {"satisfaction": 4, "emotion": "trust", "moment_of_truth": False},
        })  # fmt: skip
    map_submit(wave=wave, user=personas.shop_manager, answers={
        "checkout": {"satisfaction": 4, "emotion": "joy", "moment_of_truth": False},
        "arrival": {"satisfaction": 4, "emotion": "joy", "moment_of_truth": False},
    })  # fmt: skip
    map_wave_close(wave=wave, actor=personas.direction)
    browser_log_in(page, live_server.url, personas.shop_manager)
    page.goto(f"{live_server.url}{reverse('maps:unit', args=[wave.pk, personas.lille.pk])}")
    charts = page.locator("figure.chart svg")
    assert charts.count() == 2
    for index in range(2):
        box = charts.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    assert "Sophie" in page.get_by_test_id("estimate-by").inner_text()
    assert page.get_by_test_id("truth-gap-checkout").inner_text() == "100"
    assert phone_problems(page) == []
    # The team reads the same maps, frozen at the close, on their phone.
    publication = MapPublication.objects.get(wave=wave, unit=personas.lille)
    page.context.clear_cookies()
    browser_log_in(page, live_server.url, personas.employee)
    page.goto(f"{live_server.url}{reverse('maps:published', args=[publication.pk])}")
    assert page.locator("figure.chart svg").count() == 2
    assert phone_problems(page) == []
