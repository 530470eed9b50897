from __future__ import annotations

import pytest

from tests.browser.navigation import menu_go
from tests.personas import PASSWORD, build_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_region_manager_logs_in_and_browses_the_unit_tree_on_a_phone(live_server, page):
    personas = build_personas()
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.get_by_label("Adresse e-mail").fill(personas.region_manager.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    menu_go(page, "Organisation")
    page.get_by_role("link", name="Nord").click()
    page.get_by_role("link", name="Lille", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Lille")
    members = page.get_by_test_id("unit-members")
    assert "Sophie Lille" in members.inner_text()
    page.get_by_role("link", name="Lille Vente").click()
    assert "Émile Vendeur" in page.get_by_test_id("unit-members").inner_text()
    # Another region is out of reach, even by typing its address.
    response = page.goto(f"{live_server.url}/org/units/{personas.marseille.pk}/")
    assert response.status == 404


def test_language_switch_turns_the_interface_to_english(live_server, page):
    build_personas()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="English").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Log in"
    assert page.locator("html").get_attribute("lang") == "en"
