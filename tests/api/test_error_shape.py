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
