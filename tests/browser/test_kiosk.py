"""A kiosk tablet through a network cut: answers kept, sent when it is back, never twice."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from miroir.collect.models import Answer, Response, SubmissionReceipt
from miroir.collect.services import kiosk_issue
from tests.browser.collect_support import employee_wave
from tests.browser.conftest import csp_watch
from tests.personas import build_personas

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tablet(chromium):
    context = chromium.new_context(locale="fr-FR", viewport={"width": 1024, "height": 768})
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations = csp_watch(page)
    yield context, page
    context.close()
    assert violations == []


def _answer(page, ecoute: str, enps: str) -> None:
    page.locator(f"input[name='q-ecoute'][value='{ecoute}']").check()
    page.locator(f"input[name='q-enps'][value='{enps}']").check()
    page.locator("form[data-kiosk-form] button[type=submit]").click()
    page.locator("[data-kiosk-thanks]").wait_for(state="visible")


def _queue(page, key: str) -> list:
    return page.evaluate("(k) => JSON.parse(localStorage.getItem(k) || '[]')", key)


def _set_up(page, live_server, wave, unit) -> str:
    """Return the kiosk's address, after opening its link (key after "#") on the tablet."""
    key = kiosk_issue(wave=wave, unit=unit, actor=None)[1]
    kiosk = f"{live_server.url}/k/{wave.public_id}/{unit.pk}/"
    page.goto(f"{kiosk}#key={quote(key)}")
    page.locator("[data-kiosk]").wait_for()
    return kiosk


def test_answers_given_offline_are_sent_once_when_the_network_is_back(live_server, tablet):
    context, page = tablet
    personas = build_personas()
    wave = employee_wave(personas, channels=["kiosk"])
    lille = personas.lille
    sent: list = []
    page.on("request", lambda request: sent.append(request))
    kiosk = _set_up(page, live_server, wave, lille)
    # The key went into the kiosk's cookie; the address bar and the history no longer show it.
    assert page.url == kiosk
    assert page.evaluate("() => window.location.hash") == ""
    # No request carried the key in its address, and none sent a referrer but the
    # tablet's own posts (an origin check needs it; the kiosk's address holds no secret).
    assert not [r.url for r in sent if "key=" in r.url]
    for request in sent:
        referer = request.all_headers().get("referer")
        if request.method == "GET":
            assert not referer, (request.url, referer)
    queue_key = page.locator("[data-kiosk]").get_attribute("data-queue-key")

    # Online: the answer goes at once, and the form comes back blank for the next person.
    _answer(page, "5", "10")
    assert Response.objects.count() == 1
    root = page.locator("[data-kiosk]")
    thanks = page.locator("[data-kiosk-thanks-text]")
    assert thanks.inner_text() == root.get_attribute("data-msg-thanks-stored")
    page.locator("[data-kiosk-next]").click()
    assert page.locator("input[name='q-ecoute']:checked").count() == 0
    assert page.locator("[data-kiosk-survey]").is_visible()

    context.set_offline(True)
    _answer(page, "4", "8")
    # Offline, the thanks says where the answers are: on the tablet, until sent.
    assert thanks.inner_text() == root.get_attribute("data-msg-thanks-queued")
    page.locator("[data-kiosk-next]").click()
    _answer(page, "2", "3")
    assert len(_queue(page, queue_key)) == 2
    assert page.locator("[data-kiosk-status]").is_visible()
    ids = [entry["id"] for entry in _queue(page, queue_key)]
    assert all(len(i) == 36 and i[14] == "4" and i[19] in "89ab" for i in ids)  # UUID v4
    saved = page.evaluate("(k) => localStorage.getItem(k)", queue_key)
    assert Response.objects.count() == 1

    # Back online: the queue empties and exactly the two kept answers are stored.
    context.set_offline(False)
    page.wait_for_function("(k) => !localStorage.getItem(k)", arg=queue_key)
    assert Response.objects.count() == 3
    stored = sorted(Answer.objects.filter(item__code="enps").values_list("number", flat=True))
    assert stored == [3.0, 8.0, 10.0]
    assert set(Response.objects.values_list("channel", flat=True)) == {"kiosk"}

    # The same queue sent again (a tablet restored from a backup, a retry after a lost
    # acknowledgement) stores nothing new.
    page.evaluate("([k, v]) => localStorage.setItem(k, v)", [queue_key, saved])
    page.reload()
    page.wait_for_function("(k) => !localStorage.getItem(k)", arg=queue_key)
    assert Response.objects.count() == 3
    assert SubmissionReceipt.objects.count() == 3


def test_a_required_question_left_blank_is_flagged_on_the_tablet(live_server, tablet):
    _context, page = tablet
    personas = build_personas()
    wave = employee_wave(personas, channels=["kiosk"])
    _set_up(page, live_server, wave, personas.lille)
    page.locator("input[name='q-ecoute'][value='3']").check()
    page.locator("form[data-kiosk-form] button[type=submit]").click()
    flagged = page.locator(".question.has-error")
    assert flagged.count() == 1
    assert flagged.locator("input[name='q-enps']").count() > 0
    assert page.evaluate("() => document.activeElement.name") == "q-enps"
    assert not page.locator("[data-kiosk-thanks]").is_visible()
    assert not Response.objects.exists()


def test_an_answer_the_server_fails_on_is_set_aside_and_the_rest_is_sent(live_server, tablet):
    context, page = tablet
    personas = build_personas()
    wave = employee_wave(personas, channels=["kiosk"])
    _set_up(page, live_server, wave, personas.lille)
    queue_key = page.locator("[data-kiosk]").get_attribute("data-queue-key")

    context.set_offline(True)
    for ecoute, enps in (("5", "9"), ("1", "0"), ("4", "7")):
        _answer(page, ecoute, enps)
        page.locator("[data-kiosk-next]").click()
    assert len(_queue(page, queue_key)) == 3

    # The server fails on the second answer only (a 500 for that entry).
    def refuse_one(route) -> None:
        body = json.loads(route.request.post_data or "{}")
        if body.get("answers", {}).get("enps") == "0":
            route.fulfill(status=500, body='{"code": "server_error"}')
        else:
            route.continue_()

    page.route("**/submit", refuse_one)
    context.set_offline(False)
    page.wait_for_function(
        "(k) => JSON.parse(localStorage.getItem(k) || '[]').length === 1", arg=queue_key
    )
    # The first and the third went through; the second waits aside, not in their way.
    assert sorted(Answer.objects.filter(item__code="enps").values_list("number", flat=True)) == [
        7.0,
        9.0,
    ]
    (aside,) = _queue(page, queue_key)
    assert aside["answers"]["enps"] == "0" and aside["failures"] == 1 and aside["after"] > 0

    # Once the server takes it, the set-aside answer goes too (its delay cut short here).
    page.unroute("**/submit")
    page.evaluate(
        "(k) => localStorage.setItem(k, JSON.stringify("
        "JSON.parse(localStorage.getItem(k)).map((e) => Object.assign(e, {after: 0}))))",
        queue_key,
    )
    page.reload()
    page.wait_for_function("(k) => !localStorage.getItem(k)", arg=queue_key)
    assert Response.objects.count() == 3
