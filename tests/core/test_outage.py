"""A database that cannot be reached answers 503 with Retry-After, in the asker's language."""

from __future__ import annotations

import json

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client

from miroir.core.outage import RETRY_AFTER_SECONDS, database_unavailable


@pytest.fixture
def broken_target(monkeypatch):
    """Make every respondent look-up fail as when PostgreSQL is down."""

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("miroir.collect.selectors.target_for_open_link", down)
    monkeypatch.setattr("miroir.collect.services.target_for_open_link", down)
    monkeypatch.setattr("miroir.collect.services.target_for_kiosk", down)
    return down


def test_respondent_page_answers_a_translated_503_with_retry_after(db, broken_target):
    client = Client(raise_request_exception=False)
    response = client.get("/o/00000000-0000-0000-0000-000000000000/1/?lang=en")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Content-Language"] == "en"
    body = response.content.decode()
    assert "Back in a moment" in body
    assert "OperationalError" not in body and "connection refused" not in body

    french = client.get("/o/00000000-0000-0000-0000-000000000000/1/?lang=fr")
    assert french.status_code == 503
    assert "De retour dans un instant" in french.content.decode()


def test_posted_answers_get_the_503_page_in_the_form_language(db, broken_target):
    client = Client(raise_request_exception=False)
    response = client.post("/o/00000000-0000-0000-0000-000000000000/1/", {"lang": "en", "q-x": "1"})
    assert response.status_code == 503
    assert "send them again" in response.content.decode()


def test_json_clients_get_a_json_503(db, monkeypatch):
    class Closed:
        def cursor(self):
            raise InterfaceError("connection already closed")

    monkeypatch.setattr("miroir.core.views.connection", Closed())
    client = Client(raise_request_exception=False)
    response = client.get("/healthz", HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    payload = json.loads(response.content)
    assert payload["code"] == "service_unavailable"
    assert payload["retry_after"] == RETRY_AFTER_SECONDS


def test_failure_outside_a_view_still_answers_503(db, monkeypatch):
    # The session middleware saves after the view: process_exception never sees its errors.
    def down(self, request, response):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(
        "django.contrib.sessions.middleware.SessionMiddleware.process_response", down
    )
    client = Client(raise_request_exception=False)
    response = client.get("/accounts/login/?lang=en")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "Back in a moment" in response.content.decode()


def test_other_errors_stay_a_plain_500_without_details(db, monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("a bug, not an outage")

    monkeypatch.setattr("miroir.collect.selectors.target_for_open_link", broken)
    client = Client(raise_request_exception=False)
    response = client.get("/o/00000000-0000-0000-0000-000000000000/1/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "a bug, not an outage" not in response.content.decode()


def test_a_wrapped_connection_error_counts_as_unavailable():
    try:
        try:
            raise OperationalError("down")
        except OperationalError as inner:
            raise RuntimeError("while rendering") from inner
    except RuntimeError as outer:
        assert database_unavailable(outer)
    assert not database_unavailable(ValueError("no"))


def test_the_api_answers_a_json_503(db, monkeypatch):
    def down(token):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("miroir.api.auth.api_token_authenticate", down)
    client = Client(raise_request_exception=False)
    response = client.get("/api/v1/units", HTTP_AUTHORIZATION="Bearer mir_x")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["code"] == "service_unavailable"
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
