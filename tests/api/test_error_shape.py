"""Every error of the API is ``{"code", "message", "errors"}`` with a stable code."""

from __future__ import annotations

import pytest

from miroir.api.services import api_token_create


@pytest.fixture
def bearer(personas) -> dict[str, str]:
    _token, secret = api_token_create(name="CRM", scope_unit=personas.lille, actor=personas.admin)
    return {"Authorization": f"Bearer {secret}"}


def test_a_body_that_is_not_json_is_a_400_bad_request(client, bearer):
    response = client.post(
        "/api/v1/interactions", b"\x35\xff\n{", content_type="application/json", headers=bearer
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"
    assert response.json()["message"]


def test_a_field_of_the_wrong_type_is_named_by_its_dotted_path_and_row(client, bearer):
    body = {"interactions": [{"external_id": "a", "unit": "U-LILLE", "occurred_at": "x"}]}
    response = client.post(
        "/api/v1/interactions", body, content_type="application/json", headers=bearer
    )
    assert response.status_code == 422
    answer = response.json()
    assert answer["code"] == "validation_error"
    assert {"field": "interactions.0.consent", "index": 0} in [
        {"field": e["field"], "index": e["index"]} for e in answer["errors"]
    ]
    assert all(e["message"] for e in answer["errors"])


def test_a_query_parameter_of_the_wrong_type_is_a_422(client, bearer):
    response = client.get("/api/v1/units", {"limit": "many"}, headers=bearer)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["query.limit"]
    assert response.json()["errors"][0]["index"] is None


def test_an_employee_reading_questionnaires_gets_the_shared_403_shape(client, personas):
    client.force_login(personas.employee)
    response = client.get("/api/v1/instruments/")
    assert response.status_code == 403
    assert response.json() == {
        "code": "instruments.forbidden",
        "message": "Not allowed to read questionnaires.",
        "errors": [],
    }


def test_a_missing_token_is_a_401_with_the_same_shape(client):
    response = client.get("/api/v1/waves/")
    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_token"
    assert response["WWW-Authenticate"] == "Bearer"


def test_an_offset_past_what_the_database_counts_is_a_422_not_a_500(client, bearer):
    response = client.get("/api/v1/units", {"offset": str(10**22)}, headers=bearer)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["query.offset"]


def test_a_nul_byte_in_an_interaction_is_named_and_nothing_is_recorded(client, bearer):
    from miroir.collect.models import Interaction

    row = {"external_id": "a\x00b", "unit": "U-LILLE\x00", "occurred_at": "x", "consent": True}
    response = client.post(
        "/api/v1/interactions",
        {"interactions": [row]},
        content_type="application/json",
        headers=bearer,
    )
    # Refused before the operation runs, like any value of the wrong type (docs/security.md).
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert [(e["index"], e["field"]) for e in response.json()["errors"]] == [
        (0, "interactions.0.external_id"),
        (0, "interactions.0.unit"),
    ]
    assert not Interaction.objects.exists()
