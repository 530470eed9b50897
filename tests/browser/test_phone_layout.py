"""Every page of every role fits a 390 px phone: no sideways scroll, charts inside the
screen, no text under 12 px, short labels on one line, under 150 KB transferred.

The pages come from the access matrix (tests/security/matrix.py): every route a role gets
a 200 from, so a new page is covered as soon as it is declared. The world is the security
tests' one over the personas, with two quarters of answers from every lens so that result
pages draw their charts (customer scores in the 60s and 70s, hidden figures included).
One browser, one logged-in context per role; pages open to everyone are visited once.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Error as PlaywrightError

from miroir.instruments.catalogs import catalog_load
from tests.browser.accounts_support import browser_log_in
from tests.browser.conftest import csp_watch
from tests.browser.page_weight import BUDGET_BYTES, weighed_now
from tests.browser.phone_checks import phone_problems
from tests.collect.conftest import instrument, make_wave  # noqa: F401
from tests.reports.support import results_data  # noqa: F401
from tests.security.matrix import PUBLIC_200, WEB, WEB_ROLES, Page
from tests.security.support import QUIET, page_url, role_user
from tests.security.world import World, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# A folder to keep a screenshot of every page in, to look at them (none by default).
SHOTS = os.environ.get("MIROIR_PHONE_SHOTS", "")


def _pages_of(role: str) -> list[Page]:
    """Return the pages ``role`` may see (public ones only for the anonymous visitor)."""
    index = WEB_ROLES.index(role)
    return [
        declared
        for declared in WEB
        if declared.get
        and declared.get.split()[index] == "200"
        and (role == "anonymous" or declared.get != PUBLIC_200)
    ]


def _weighed_open(page: Any, url: str) -> tuple[Any, int]:
    """Return the response to opening ``url`` and the bytes the page transferred."""
    opened: dict[str, Any] = {}
    transferred = weighed_now(page, lambda: opened.__setitem__("response", page.goto(url)))
    return opened["response"], transferred


def _address(world: World, declared: Page) -> str:
    query = declared.query(world) if declared.query else {}
    return page_url(world, declared) + (f"?{urlencode(query)}" if query else "")


def test_every_role_has_pages_to_visit():
    assert all(_pages_of(role) for role in WEB_ROLES)
    assert any(declared.name == "reports:unit" for declared in _pages_of("manager"))


def test_every_page_of_every_role_fits_a_phone(
    live_server,
    chromium,
    settings,
    results_data,  # noqa: F811 (the fixture imported above)
):
    for name, value in QUIET.items():
        setattr(settings, name, value)
    world = build_world(results_data)
    # The questionnaire pages show a real one: a bundled catalog, with mirrors and long texts.
    loaded = catalog_load(name="engagement", actor=results_data.admin)
    world.values["instrument_id"] = loaded.pk
    world.values["item_id"] = loaded.items.order_by("pk").first().pk
    problems: list[str] = []
    visited = 0
    for role in WEB_ROLES:
        context = chromium.new_context(locale="fr-FR", viewport=PHONE)
        page = context.new_page()
        # Result pages draw their charts on first sight, which is slow on a busy machine.
        page.set_default_timeout(90_000)
        violations = csp_watch(page)
        user = role_user(world, role)
        if user is not None:
            browser_log_in(page, live_server.url, user)
        for declared in _pages_of(role):
            address = _address(world, declared)
            try:
                response, transferred = _weighed_open(page, live_server.url + address)
            except PlaywrightError as error:  # a file to download (an export) is no page
                assert "Download is starting" in str(error), error
                continue
            assert response is not None and response.status == 200, f"{role} {address}"
            if "text/html" not in response.headers.get("content-type", ""):
                continue
            visited += 1
            if transferred > BUDGET_BYTES:
                problems.append(f"{role} {address}: {transferred // 1024} KB transferred")
            if SHOTS:
                name = f"{role}{address}".replace("/", "_").replace("?", "_")[:120]
                page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)
            problems += [f"{role} {address}: {problem}" for problem in phone_problems(page)]
        context.close()
        assert violations == [], role
    assert visited > 60
    assert not problems, "\n".join(problems)
