"""On a 390 px phone: a member without an e-mail address signs in with the code the SMS
(file backend) brings, or with the link their manager hands out; a shop tablet takes an
anonymous voice and shows its claim code; offline, the installed app shows its offline page.
Every page stays under the weight budget."""

from __future__ import annotations

import re

import pytest

from miroir.voices.models import Voice
from miroir.voices.selectors import voice_by_claim_code
from miroir.voices.tablets import tablet_issue
from tests.accounts.support import code_in, phone_member, sms_sent, sms_to_file
from tests.browser.accounts_support import browser_log_in
from tests.browser.conftest import csp_watch
from tests.browser.page_weight import BUDGET_BYTES, weighed_goto, weighed_now
from tests.browser.phone_checks import phone_problems
from tests.personas import build_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
# A busy machine: the first voice loads the text analysis (names removed in the write).
SLOW_MS = 90_000


@pytest.fixture
def sms(settings, tmp_path):
    return sms_to_file(settings, tmp_path)


@pytest.fixture
def phone(chromium):
    """A second phone (its own cookies), at 390 px."""
    context = chromium.new_context(locale="fr-FR", viewport=PHONE)
    other = context.new_page()
    other.set_default_timeout(SLOW_MS)
    violations = csp_watch(other)
    yield other
    context.close()
    assert violations == []


def _fits(page, weights: dict[str, int]) -> None:
    assert phone_problems(page) == [], page.url
    heavy = {url: size for url, size in weights.items() if size >= BUDGET_BYTES}
    assert not heavy, heavy


def test_a_member_without_email_signs_in_with_the_code_of_the_sms(live_server, page, sms):
    page.set_default_timeout(SLOW_MS)
    personas = build_personas()
    fatou = phone_member(personas.lille)
    weights = {}
    weights["login"] = weighed_goto(page, f"{live_server.url}/accounts/login/")
    _fits(page, weights)
    weights["phone"] = weighed_now(
        page, lambda: page.get_by_test_id("login-phone").locator("a").click()
    )
    _fits(page, weights)
    page.locator("input[name=phone]").fill("06 12 34 56 78")
    weights["code"] = weighed_now(
        page, lambda: page.locator("form.stacked button[type=submit]").click()
    )
    assert page.get_by_test_id("code-sent").is_visible()
    _fits(page, weights)
    [message] = sms_sent(sms)
    assert message["to"] == "+33612345678"
    page.locator("input[name=code]").fill(code_in(message["text"]))
    page.locator("input[name=remember]").check()
    weights["home"] = weighed_now(
        page, lambda: page.locator("form.stacked button[type=submit]").click()
    )
    assert page.url == f"{live_server.url}/"
    _fits(page, weights)
    page.goto(f"{live_server.url}/accounts/two-factor/")
    assert page.get_by_test_id("remembered-sessions").is_visible()
    _fits(page, weights)
    assert fatou.user.login_sessions.get().remembered_until is not None


def test_a_member_signs_in_with_the_link_their_manager_hands_out(
    live_server, page, phone, settings
):
    settings.SITE_URL = live_server.url
    page.set_default_timeout(SLOW_MS)
    personas = build_personas()
    fatou = phone_member(personas.lille)
    browser_log_in(page, live_server.url, personas.shop_manager)
    page.goto(f"{live_server.url}/org/units/{personas.lille.pk}/")
    _fits(page, {})
    page.locator(f"form[action$='/members/{fatou.pk}/sign-in-link/'] button").click()
    assert page.get_by_test_id("sign-in-qr").locator("svg").is_visible()
    _fits(page, {})
    url = page.get_by_test_id("sign-in-url").input_value()
    weights = {"link": weighed_goto(phone, url)}
    _fits(phone, weights)
    weights["home"] = weighed_now(
        phone, lambda: phone.locator("form.stacked button[type=submit]").click()
    )
    assert phone.url == f"{live_server.url}/"
    assert fatou.user.login_sessions.filter(method="link").exists()
    _fits(phone, weights)
    # Used once: the same link now signs nobody in.
    phone.context.clear_cookies()
    phone.goto(url)
    assert phone.get_by_test_id("link-void").is_visible()


def test_a_shop_tablet_takes_an_anonymous_voice_and_shows_its_code(live_server, page):
    page.set_default_timeout(SLOW_MS)
    personas = build_personas()
    tablet, key = tablet_issue(unit=personas.lille, actor=personas.shop_manager)
    address = f"{live_server.url}/voices/tablet/{tablet.pk}/"
    page.goto(f"{address}#key={key}")
    page.get_by_test_id("tablet-form").wait_for()
    assert page.url == address, "the key left the address bar"
    weights = {"tablet": weighed_goto(page, address)}
    _fits(page, weights)
    page.locator("input[name=kind][value=suggestion]").check()
    page.locator("textarea[name=text]").fill("Une chaise pour la caisse du fond.")
    weights["claim"] = weighed_now(
        page, lambda: page.locator("form[data-testid=tablet-form] button[type=submit]").click()
    )
    code = page.get_by_test_id("claim-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4}){3}", code)
    _fits(page, weights)
    voice = Voice.objects.get()
    assert voice.is_anonymous and voice_by_claim_code(code) == voice
    page.get_by_test_id("tablet-done").click()
    page.get_by_test_id("tablet-form").wait_for()
    assert code not in page.content()


def test_offline_the_installed_app_shows_its_offline_page(live_server, page):
    page.set_default_timeout(SLOW_MS)
    personas = build_personas()
    browser_log_in(page, live_server.url, personas.employee)
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    page.goto(f"{live_server.url}/voices/mine/")
    assert page.get_by_test_id("offline").is_visible()
    assert personas.employee.email not in page.content()
    _fits(page, {})
    page.context.set_offline(False)
