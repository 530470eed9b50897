"""Direction logs in for the first time, is held on the set-up page, enrols an authenticator
(the test computes its codes with pyotp, as the phone would), then logs in in two steps."""

from __future__ import annotations

import pyotp
import pytest

from tests.accounts.support import install_clock
from tests.browser.navigation import menu_go
from tests.personas import PASSWORD, build_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _password_step(page, url: str, email: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_direction_enrols_an_authenticator_then_logs_in_with_its_code(
    live_server, page, monkeypatch
):
    # The live server runs in this process: the clock is the one both sides read.
    clock = install_clock(monkeypatch)
    personas = build_personas()
    email = personas.direction.email
    _password_step(page, live_server.url, email)
    # Held on the set-up page, whatever is asked.
    assert page.url.endswith("/accounts/two-factor/setup/")
    page.goto(f"{live_server.url}/org/units/")
    assert page.url.endswith("/accounts/two-factor/setup/")
    assert page.locator(".qr svg").is_visible()
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    phone = pyotp.TOTP(secret)
    page.get_by_label("Code à six chiffres affiché par l'application").fill(phone.at(clock.now))
    page.get_by_role("button", name="Activer la double authentification").click()
    codes = page.get_by_test_id("recovery-codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="Je les ai conservés\u00a0: continuer").click()
    menu_go(page, "Organisation")
    assert "/org/units/" in page.url

    page.get_by_role("button", name="Se déconnecter").click()
    clock.advance(30)
    _password_step(page, live_server.url, email)
    assert page.url.endswith("/accounts/login/code/")
    field = page.get_by_label("Code de votre application d'authentification, ou code de secours")
    # The code just used for the set-up is refused: a code serves once.
    field.fill(phone.at(clock.now - 30))
    page.get_by_role("button", name="Se connecter").click()
    assert page.get_by_role("alert").first.inner_text().startswith("Ce code n'est pas valide")
    field = page.get_by_label("Code de votre application d'authentification, ou code de secours")
    field.fill(phone.at(clock.now))
    page.get_by_role("button", name="Se connecter").click()
    menu_go(page, "Organisation")
    assert "/org/units/" in page.url


def test_the_browser_login_helper_passes_the_second_factor_of_an_administrator(live_server, page):
    from tests.browser.accounts_support import browser_log_in

    personas = build_personas()
    browser_log_in(page, live_server.url, personas.admin)
    response = page.goto(f"{live_server.url}/settings/audit/")
    assert response.status == 200
    assert "/settings/audit/" in page.url
