"""A shop manager reads the survey comments on a phone: themes, their trend, tone, search."""

from __future__ import annotations

import random

import pytest

from miroir.collect.models import Answer, Wave
from miroir.org.models import Lens
from miroir.results.services import comments_analyse_pending, rollups_rebuild
from tests.browser.accounts_support import browser_log_in
from tests.browser.phone_checks import phone_problems
from tests.collect.conftest import instrument, make_wave  # noqa: F401
from tests.reports.support import _respond, last_quarter_days, results_data  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every comment mentions both themes, so that each theme has the ten comments it needs.
SATURDAY = "Trop d'attente en caisse le samedi, mais vendeuse aimable, merci Sophie."
ENDLESS = "Attente interminable en caisse, vendeuse aimable."


def test_shop_manager_reads_themes_and_searches_comments_at_390_px(
    live_server,
    page,
    results_data,  # noqa: F811 (the fixture imported above)
):
    personas = results_data
    # Ten employees or more in every shop in both quarters, so that the gate lets Lille's
    # comments through (with Arras's 6 or Marseille's 3, Lille would be hidden to protect them).
    rng = random.Random(3)
    for wave, day in zip(
        Wave.objects.filter(name__in=["Pulse 0 employee", "Pulse 1 employee"]).order_by("name"),
        reversed(last_quarter_days()),
        strict=True,
    ):
        for unit, count in ((personas.arras, 4), (personas.marseille, 7)):
            for _ in range(count):
                _respond(wave, unit, Lens.EMPLOYEE, day, rng, 0)
    rollups_rebuild()
    staff = Answer.objects.filter(
        text__isnull=False,
        response__lens=Lens.EMPLOYEE,
        response__unit__in=[personas.lille_vente, personas.lille_caisse],
    ).order_by("pk")
    ids = list(staff.values_list("pk", flat=True))
    assert len(ids) == 24  # 12 employees of Lille's teams in each of two quarters
    Answer.objects.filter(pk__in=ids[::2]).update(text=SATURDAY)
    Answer.objects.filter(pk__in=ids[1::2]).update(text=ENDLESS)
    comments_analyse_pending()
    page.set_default_timeout(90_000)
    browser_log_in(page, live_server.url, personas.shop_manager)
    page.goto(f"{live_server.url}/results/units/{personas.lille.pk}/?lens=employee")
    page.get_by_test_id("comments-link").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Commentaires · Lille"
    themes = page.get_by_test_id("comment-themes")
    assert "Attente et passage en caisse" in themes.inner_text()
    # Two quarters: the themes' chart is drawn, within the phone's screen.
    assert themes.locator("svg[role=img]").count() == 1
    assert "Négatif" in page.get_by_test_id("comment-sentiment").inner_text()
    assert phone_problems(page) == []
    page.get_by_test_id("comments-search").fill("samedi")
    page.get_by_role("button", name="Afficher").click()
    listed = page.get_by_test_id("comment-list").inner_text()
    assert "samedi" in listed and "interminable" not in listed
    assert "Sophie" not in listed and "[nom]" in listed
    page.get_by_role("link", name="Accueil et amabilité").click()
    listed = page.get_by_test_id("comment-list").inner_text()
    assert "samedi" in listed and "interminable" in listed
    assert phone_problems(page) == []
