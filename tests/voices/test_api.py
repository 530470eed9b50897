"""``/api/v1/voices``: complaints pushed in batches, voices read within the token's scope."""

from __future__ import annotations

import json

import pytest

from miroir.api.services import api_token_create
from miroir.voices.models import Voice

URL = "/api/v1/voices/complaints"


def _post(client, body, secret):
    return client.post(
        URL,
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        HTTP_ACCEPT_LANGUAGE="en",
    )


@pytest.fixture
def nord_secret(personas):
    return api_token_create(name="crm", scope_unit=personas.nord, actor=personas.admin)[1]


def _complaint(external_id, unit="U-LILLE", **extra):
    return {"external_id": external_id, "unit": unit, "text": "Attente trop longue", **extra}


def test_a_batch_of_complaints_is_recorded_and_resending_it_changes_nothing(
    client, nord_secret, personas
):
    body = {"complaints": [_complaint("C-1"), _complaint("C-2", unit="U-ARRAS")]}
    first = _post(client, body, nord_secret)
    assert first.status_code == 200, first.content
    assert first.json()["counts"] == {"created": 2, "duplicate": 0}
    again = _post(client, body, nord_secret)
    assert again.json()["counts"] == {"created": 0, "duplicate": 2}
    assert Voice.objects.filter(kind="complaint", lens="customer", source="api").count() == 2
    assert Voice.objects.get(external_id="C-1").owner.user == personas.shop_manager


def test_a_unit_outside_the_tokens_scope_is_unknown_and_nothing_is_recorded(client, nord_secret):
    body = {"complaints": [_complaint("C-1"), _complaint("C-2", unit="U-MARS")]}
    response = _post(client, body, nord_secret)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"index": 1, "field": "unit", "message": "No such unit."}]
    assert not Voice.objects.exists()


def test_every_problem_is_named_by_index_and_field(client, nord_secret):
    body = {
        "complaints": [
            _complaint("C-1", moment="nowhere", email="not-an-address"),
            _complaint("C-1", received_at="yesterday"),
        ]
    }
    errors = _post(client, body, nord_secret).json()["errors"]
    assert {(e["index"], e["field"]) for e in errors} == {
        (0, "moment"),
        (0, "email"),
        (1, "external_id"),
        (1, "received_at"),
    }


def test_the_list_shows_only_the_tokens_subtree(client, nord_secret, personas, complaint):
    complaint(unit=personas.lille, external_id="L")
    complaint(unit=personas.marseille, external_id="M")
    response = client.get("/api/v1/voices", HTTP_AUTHORIZATION=f"Bearer {nord_secret}")
    assert [voice["external_id"] for voice in response.json()] == ["L"]
    other = Voice.objects.get(external_id="M")
    missing = client.get(f"/api/v1/voices/{other.pk}", HTTP_AUTHORIZATION=f"Bearer {nord_secret}")
    assert missing.status_code == 404


def test_a_page_of_the_list_says_how_many_there_are_in_all(
    client, nord_secret, personas, complaint
):
    for number in range(3):
        complaint(unit=personas.lille, external_id=f"L{number}")
    complaint(unit=personas.marseille, external_id="M")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {nord_secret}"}
    page = client.get("/api/v1/voices", {"limit": 2}, **auth)
    assert len(page.json()) == 2 and page["X-Total-Count"] == "3"
    rest = client.get("/api/v1/voices", {"limit": 2, "offset": 2}, **auth)
    assert len(rest.json()) == 1 and rest["X-Total-Count"] == "3"


def test_an_employee_session_is_forbidden_and_a_session_cannot_write(client, personas):
    client.force_login(personas.employee)
    assert client.get("/api/v1/voices").status_code == 403
    written = client.post(
        URL, json.dumps({"complaints": [_complaint("X")]}), content_type="application/json"
    )
    assert written.status_code == 401
    assert not Voice.objects.exists()


def test_listening_figures_are_served_for_a_unit_in_scope(client, nord_secret, personas, complaint):
    complaint(unit=personas.lille)
    response = client.get(
        "/api/v1/voices/listening",
        {"unit": personas.nord.pk, "lens": "customer", "start": "2026-01-01", "end": "2026-12-31"},
        HTTP_AUTHORIZATION=f"Bearer {nord_secret}",
    )
    assert response.json()["received"] == 1
    outside = client.get(
        "/api/v1/voices/listening",
        {"unit": personas.sud.pk, "lens": "customer", "start": "2026-01-01", "end": "2026-12-31"},
        HTTP_AUTHORIZATION=f"Bearer {nord_secret}",
    )
    assert outside.status_code == 404


def test_a_character_postgresql_cannot_store_is_a_problem_of_its_field(client, nord_secret):
    # A NUL byte used to reach PostgreSQL and answer 500 (found by schemathesis).
    body = {"complaints": [_complaint("C-1", text="Attente\u0000"), _complaint("C-2")]}
    response = _post(client, body, nord_secret)
    assert response.status_code == 422, response.content
    # Refused before the operation runs, like any value of the wrong type (docs/security.md).
    errors = response.json()["errors"]
    assert [(p["index"], p["field"]) for p in errors] == [(0, "complaints.0.text")]
    assert not Voice.objects.exists()
