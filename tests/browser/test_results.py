"""A manager's path through the results: the network, a unit, an export."""

from __future__ import annotations

import csv
import io

import pytest

from tests.browser.navigation import menu_go
from tests.collect.conftest import instrument, make_wave  # noqa: F401
from tests.personas import PASSWORD
from tests.reports.support import results_data  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_region_manager_drills_from_the_network_to_a_shop_and_exports_csv(
    live_server,
    page,
    results_data,  # noqa: F811 (the fixture imported above)
):
    personas = results_data
    # The first result page draws its charts, which takes a while on a busy machine.
    page.set_default_timeout(90_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Adresse e-mail").fill(personas.region_manager.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    menu_go(page, "Résultats")
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == "Résultats du réseau — Nord"
    # The tables are one tap away, under "Détails".
    page.get_by_text("Détails", exact=True).click()
    index = page.get_by_test_id("table-index")
    assert "Lille" in index.inner_text() and "Marseille" not in page.content()
    # Charts are pictures with a name, and their figures are one link away.
    assert page.locator("svg[role=img]").count() >= 2
    index.get_by_role("link", name="Lille").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Résultats du réseau — Lille"
    page.get_by_role("link", name="Cette unité").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Lille")
    page.get_by_text("Détails", exact=True).click()
    experience = page.get_by_test_id("table-experience")
    assert "Être écouté" in experience.inner_text()
    with page.expect_download() as download_info:
        page.get_by_test_id("export-items-csv").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    text = open(download.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "Question"
    assert any(row and row[0] == "Mon responsable m'écoute." for row in rows[1:])
    # Drilling further down: the teams of Lille.
    page.get_by_test_id("table-children").get_by_role("link", name="Lille Vente").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Lille Vente")
