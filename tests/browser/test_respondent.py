"""A respondent on a phone: keyboard only, labels, progress kept, a single-use link."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext

from miroir.collect.models import Invitation, Response
from miroir.collect.sending import invitation_token_issue
from tests.browser.collect_support import employee_wave
from tests.personas import build_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _personal_link(live_server) -> tuple[str, object]:
    personas = build_personas()
    wave = employee_wave(personas)
    invitation = Invitation.objects.get(wave=wave, member=personas.employee_member)
    return f"{live_server.url}/r/{invitation_token_issue(invitation=invitation)}/", wave


def _fr(text: str) -> str:
    """Return the French of an interface text, as the page shows it."""
    with translation.override("fr"):
        return gettext(text)


def _tab_to(page, selector: str, limit: int = 40) -> None:
    """Press Tab until the focused element matches ``selector``."""
    for _press in range(limit):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def _checked(page, name: str) -> str | None:
    return page.evaluate(
        "(n) => { const c = document.querySelector(`input[name='${n}']:checked`);"
        " return c ? c.value : null; }",
        name,
    )


def test_a_phone_respondent_answers_with_the_keyboard_and_finds_their_progress_again(
    live_server, page
):
    url, _wave = _personal_link(live_server)
    assert page.viewport_size == {"width": 390, "height": 844}
    page.goto(url)
    # Every control has a label; every group of choices a legend.
    unlabelled = page.evaluate(
        "() => Array.from(document.querySelectorAll('form input:not([type=hidden]), textarea'))"
        ".filter((e) => e.labels.length === 0).map((e) => e.name)"
    )
    assert unlabelled == []
    assert page.locator("fieldset legend").count() == 2
    assert page.get_by_label("Une idée ?").is_visible()
    # Nothing overflows the phone's width.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390

    # Keyboard only: Tab into the first group, arrows to choose, Tab to the next.
    _tab_to(page, "input[name='q-ecoute']")
    page.keyboard.press("Space")
    for _step in range(3):
        page.keyboard.press("ArrowRight")
    assert _checked(page, "q-ecoute") == "4"
    _tab_to(page, "input[name='q-enps']")
    page.keyboard.press("Space")
    for _step in range(8):
        page.keyboard.press("ArrowRight")
    assert _checked(page, "q-enps") == "8"

    # Leave and come back: the answers are filled in again, and the page says so.
    page.goto("about:blank")
    page.goto(url)
    assert _checked(page, "q-ecoute") == "4"
    assert _checked(page, "q-enps") == "8"
    assert page.get_by_role("status").is_visible()

    _tab_to(page, "textarea[name='q-idee']")
    page.keyboard.type("Plus de pauses")
    _tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url("**/r/thanks/**")
    assert page.get_by_role("heading", level=1).inner_text() == _fr("Thank you")
    response = Response.objects.get()
    assert {a.item.code: (a.number, a.text) for a in response.answers.select_related("item")} == {
        "ecoute": (4.0, None),
        "enps": (8.0, None),
        "idee": (None, "Plus de pauses"),
    }
    # The draft is gone from the phone once the answers are in.
    drafts = page.evaluate(
        "() => Object.keys(localStorage).filter((k) => k.startsWith('miroir-draft'))"
    )
    assert drafts == []

    # The single-use link, opened again, looks unused (nobody may learn it was used); what
    # is sent through it again is acknowledged and stores nothing.
    second = page.goto(url)
    assert second.status == 200
    assert page.locator("form input[name='q-enps']").count() > 0
    assert Response.objects.count() == 1


def test_a_missing_answer_is_announced_and_focused(live_server, page):
    url, _wave = _personal_link(live_server)
    page.goto(url)
    page.locator("input[name='q-ecoute'][value='2']").check()
    page.get_by_role("button", name=_fr("Send my answers")).click()
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert page.evaluate("() => document.activeElement.id") == "error-summary"
    # The answer already given is still there.
    assert _checked(page, "q-ecoute") == "2"
    assert not Response.objects.exists()


def test_no_request_from_a_personal_link_carries_its_address(live_server, page):
    url, _wave = _personal_link(live_server)
    token = url.rstrip("/").rsplit("/", 1)[1]
    sent: list = []
    page.on("request", lambda request: sent.append(request))
    page.goto(url)
    page.locator("input[name='q-ecoute']").first.wait_for()
    page.locator("a[hreflang]").click()  # a link followed from the page: the language switch
    page.wait_for_load_state()
    assets = [request for request in sent if "/static/" in request.url]
    assert {request.url.rsplit("/", 1)[1] for request in assets} >= {"respondent.css"}
    for request in sent:
        referer = request.all_headers().get("referer") or ""
        # Neither the page's stylesheet, script and icon nor a link followed send a referrer.
        assert not referer and token not in referer, (request.url, referer)
