"""Every form that changes something refuses a request without a valid CSRF token.

The routes come from tests/security/matrix.py: each one declared with a POST answer, unless it
is declared ``csrf_exempt`` with its reason (webhooks, kiosks, one-click unsubscribe). Each is
posted by a role the matrix lets through, from a client that enforces CSRF like a browser.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.middleware.csrf import _get_new_csrf_string

from tests.security.matrix import WEB, WEB_ROLES, Page
from tests.security.support import (
    answer_of,
    changed_tables,
    client_as,
    database_print,
    is_refusal,
    page_url,
    rolled_back,
    send,
)

PROTECTED = [declared for declared in WEB if declared.post and not declared.csrf_exempt]


def _allowed_role(declared: Page) -> tuple[str, str]:
    """Return the first role the matrix lets through the route's POST, and its answer."""
    answers = dict(zip(WEB_ROLES, declared.post.split(), strict=False))
    allowed = [(role, answer) for role, answer in answers.items() if not is_refusal(answer)]
    # Logging out leads every role to the login page: an administrator's session will do.
    return allowed[0] if allowed else ("admin", answers["admin"])


def test_every_exemption_is_a_route_that_takes_posts_and_says_why():
    exempt = [declared for declared in WEB if declared.csrf_exempt]
    assert {declared.name for declared in exempt} == {
        "collect:unsubscribe",
        "collect:sms_webhook_twilio",
        "collect:kiosk_submit",
    }
    for declared in exempt:
        assert declared.post and len(declared.csrf_exempt.split()) >= 5, declared.name


@pytest.mark.parametrize("declared", PROTECTED, ids=[declared.name for declared in PROTECTED])
@pytest.mark.parametrize("token", ["missing", "invalid"])
def test_a_post_without_a_valid_csrf_token_is_refused_and_changes_nothing(world, declared, token):
    role, _answer = _allowed_role(declared)
    url = page_url(world, declared)
    with rolled_back():
        client = client_as(world, role, enforce_csrf_checks=True)
        extra = {}
        if token == "invalid":
            # A real cookie, and a token from elsewhere: what a forging site could send.
            client.cookies[settings.CSRF_COOKIE_NAME] = _get_new_csrf_string()
            extra = {"csrfmiddlewaretoken": _get_new_csrf_string()}
        before = database_print()
        response = send(client, "POST", url, declared, world, extra)
        assert response.status_code == 403, f"{declared.name} as {role}"
        assert b"CSRF" in response.content
        assert changed_tables(before, database_print()) == []


@pytest.mark.parametrize("declared", PROTECTED, ids=[declared.name for declared in PROTECTED])
def test_the_same_post_with_a_valid_token_gets_the_declared_answer(world, declared):
    # The control: without it, a route that refused every POST would pass the test above.
    role, answer = _allowed_role(declared)
    url = page_url(world, declared)
    with rolled_back():
        client = client_as(world, role, enforce_csrf_checks=True)
        secret = _get_new_csrf_string()
        client.cookies[settings.CSRF_COOKIE_NAME] = secret
        response = send(client, "POST", url, declared, world, {"csrfmiddlewaretoken": secret})
        assert answer_of(response) == answer, f"{declared.name} as {role}"
