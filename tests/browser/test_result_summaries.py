"""A store manager's result pages on a 390 px phone: sentences and charts first, statistics
one tap away under "Détails", nothing sideways, every chart inside the screen, text of 12 px
or more, and each page under the weight budget; the same for what a team member reads."""

from __future__ import annotations

import re

import pytest

from miroir.results.periods import period_of
from miroir.results.services import publication_publish
from tests.browser.accounts_support import browser_log_in
from tests.browser.page_weight import BUDGET_BYTES, weighed_goto
from tests.browser.phone_checks import phone_problems
from tests.collect.conftest import instrument, make_wave  # noqa: F401
from tests.reports.support import last_quarter_days, results_data  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# The first result page draws its charts, which takes a while on a busy machine.
SLOW_MS = 90_000


def _reads_on_a_phone(page, weight: int) -> list[str]:
    """Return what is wrong with the result page shown, in words."""
    problems = list(phone_problems(page))
    if weight >= BUDGET_BYTES:
        problems.append(f"{weight} bytes, over the budget of {BUDGET_BYTES}")
    summary = page.get_by_test_id("summary")
    if not summary.is_visible() or not summary.locator("li").count():
        problems.append("no summary")
    details = page.get_by_test_id("details")
    if details.get_attribute("open") is not None:
        problems.append("the details are open")
    width = page.viewport_size["width"]
    for chart in summary.locator("svg").all():
        box = chart.bounding_box()
        if box is None or box["x"] < 0 or box["x"] + box["width"] > width:
            problems.append(f"a chart outside the screen: {box}")
    return problems


def test_a_managers_result_pages_read_on_a_phone(live_server, page, results_data):  # noqa: F811
    personas = results_data
    page.set_default_timeout(SLOW_MS)
    browser_log_in(page, live_server.url, personas.region_manager)
    period = period_of(last_quarter_days()[0]).label
    problems = []
    for address in (
        f"/results/?period={period}",
        f"/results/units/{personas.lille.pk}/?period={period}",
        f"/results/linkage/?period={period}",
    ):
        weight = weighed_goto(page, live_server.url + address)
        problems += [f"{address}: {problem}" for problem in _reads_on_a_phone(page, weight)]
    assert not problems, "\n".join(problems)
    # The unit page (the last but one) in words a store manager reads, statistics one tap away.
    page.goto(f"{live_server.url}/results/units/{personas.lille.pk}/?period={period}")
    sentences = page.get_by_test_id("summary-sentences").inner_text()
    expected = r"Vos clients sont plus satisfaits que vos équipes sur «\s.+\s»\s: \d+"
    assert re.search(expected, sentences)
    assert not page.get_by_test_id("table-items").is_visible()
    page.get_by_text("Détails", exact=True).click()
    assert page.get_by_test_id("table-items").is_visible()
    page.get_by_text("Glossaire\u00a0: les mots de ces chiffres").click()
    assert page.get_by_text("Intervalle de confiance").is_visible()


def test_a_team_member_reads_a_publication_with_charts_on_a_phone(
    live_server,
    page,
    results_data,  # noqa: F811
):
    personas = results_data
    page.set_default_timeout(SLOW_MS)
    period = period_of(last_quarter_days()[0]).label
    published = publication_publish(
        unit=personas.lille, period=period, actor=personas.shop_manager, message="Merci à tous"
    ).publication
    browser_log_in(page, live_server.url, personas.employee)
    problems = []
    weight = weighed_goto(page, f"{live_server.url}/results/published/")
    assert weight < BUDGET_BYTES and phone_problems(page) == []
    weight = weighed_goto(page, f"{live_server.url}/results/published/{published.pk}/")
    problems += _reads_on_a_phone(page, weight)
    assert not problems, "\n".join(problems)
    assert page.get_by_test_id("summary").locator("svg[role=img]").count() == 2
    summary = page.get_by_test_id("summary").inner_text()
    assert "Nos clients sont plus satisfaits que nous" in summary
