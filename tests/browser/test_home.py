"""Each role's home on a 390 px phone: it fits, its charts stay inside the screen, its text
is 12 px or more, it weighs less than the budget, and the heatmap drills down by a tap."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from miroir.results.selectors import results_periods
from miroir.results.services import publication_publish
from miroir.voices.services import complaint_receive
from tests.browser.accounts_support import browser_log_in
from tests.browser.conftest import csp_watch
from tests.browser.page_weight import BUDGET_BYTES, weighed_goto
from tests.browser.phone_checks import phone_problems
from tests.collect.conftest import instrument, launch, make_wave  # noqa: F401
from tests.reports.support import results_data  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# A folder to keep a screenshot of each home in, to look at them (none by default).
SHOTS = os.environ.get("MIROIR_PHONE_SHOTS", "")
ROLES = (
    "direction",
    "region_manager",
    "shop_manager",
    "sibling_manager",
    "employee",
    "partner",
    "outsider",
)


@pytest.fixture
def busy(results_data, make_wave, launch):  # noqa: F811 (the fixtures imported above)
    """Return the personas with every part of the home filled: a survey under way, a
    publication, a late complaint."""
    people = results_data
    launch(make_wave(name="Pulse ouverte", units=[people.lille], channels=["link"]))
    publication_publish(unit=people.lille, period=results_periods()[-1], actor=people.shop_manager)
    complaint_receive(
        text="Trop d'attente en caisse le samedi",
        source="api",
        unit=people.lille,
        now=timezone.now() - timedelta(days=40),
    )
    return people


def test_every_role_s_home_fits_a_phone(live_server, chromium, busy):
    people = busy
    problems: list[str] = []
    for role in ROLES:
        context = chromium.new_context(locale="fr-FR", viewport=PHONE)
        page = context.new_page()
        # Charts are drawn on first sight, which is slow on a busy machine.
        page.set_default_timeout(90_000)
        violations = csp_watch(page)
        browser_log_in(page, live_server.url, getattr(people, role))
        weight = weighed_goto(page, f"{live_server.url}/")
        assert page.locator("h1").count() == 1
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/home-{role}.png", full_page=True)
        problems += [f"{role}: {problem}" for problem in phone_problems(page)]
        if weight >= BUDGET_BYTES:
            problems.append(f"{role}: the home weighs {weight} bytes")
        if role in ("direction", "region_manager", "shop_manager"):
            assert page.locator("svg.chart-svg").count() >= 1, role
        context.close()
        assert violations == [], role
    assert not problems, "\n".join(problems)


def test_the_direction_taps_a_heatmap_cell_to_go_one_level_down(live_server, chromium, busy):
    people = busy
    context = chromium.new_context(locale="fr-FR", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(90_000)
    browser_log_in(page, live_server.url, people.direction)
    page.goto(f"{live_server.url}/")
    heatmap = page.get_by_test_id(f"heatmap-{people.company.pk}")
    heatmap.locator(f'td a[href$="?unit={people.nord.pk}"]').first.click()
    page.wait_for_load_state()
    nord = page.get_by_test_id(f"heatmap-{people.nord.pk}")
    assert nord.is_visible()
    assert phone_problems(page) == []
    # A shop's cell leads to its result page.
    nord.locator("td a").first.click()
    page.wait_for_load_state()
    assert "/results/units/" in page.url
    context.close()
