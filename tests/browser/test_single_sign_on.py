"""Signing in through the organisation's provider, in Chromium on a phone: the login page's
button, the local OpenID provider's redirects, and back on Miroir's pages, logged in."""

from __future__ import annotations

import pytest

from tests.accounts.oidc_provider import LocalProvider, ProviderServer
from tests.accounts.support import install_clock
from tests.browser.navigation import menu_go
from tests.browser.phone_checks import phone_problems
from tests.personas import build_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def provider(settings, live_server):
    local = LocalProvider()
    server = ProviderServer(local)
    # The provider sends the browser back to the site's address: the live server's here.
    settings.SITE_URL = live_server.url
    yield local
    server.stop()


def test_direction_signs_in_with_the_provider_whose_second_factor_stands_for_miroirs(
    live_server, page, settings, provider, monkeypatch
):
    install_clock(monkeypatch)
    settings.MIROIR_OIDC_PROVIDERS = {"keycloak": provider.settings(mfa=True, mfa_amr=["mfa"])}
    personas = build_personas()
    provider.person = {
        "email": personas.direction.email,
        "email_verified": True,
        "amr": ["pwd", "mfa"],
    }
    page.goto(f"{live_server.url}/accounts/login/?next=/org/units/")
    assert phone_problems(page) == []
    page.get_by_role("link", name="Se connecter avec Keycloak de test").click()
    page.wait_for_url("**/org/units/")
    menu_go(page, "Organisation")
    assert "/org/units/" in page.url


def test_an_unknown_address_reads_why_and_finds_the_way_back(live_server, page, settings, provider):
    settings.MIROIR_OIDC_PROVIDERS = {"keycloak": provider.settings()}
    build_personas()
    provider.person = {"email": "inconnu@example.com", "email_verified": True}
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Se connecter avec Keycloak de test").click()
    alert = page.get_by_test_id("sso-refused")
    assert alert.inner_text().startswith("Aucun compte Miroir n'a l'adresse inconnu@example.com")
    assert phone_problems(page) == []
    page.get_by_role("link", name="Retour à la page de connexion").click()
    assert page.url.endswith("/accounts/login/")
