from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone

from miroir.api.auth import ActiveSessionAuth
from miroir.api.models import ApiToken
from miroir.api.services import api_token_create, api_token_revoke, api_token_touch
from miroir.audit.models import AuditEntry


def _get(client, path, secret=None):
    # Messages follow the caller's language; these tests read the English ones.
    headers = {"HTTP_ACCEPT_LANGUAGE": "en"}
    if secret:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client.get(f"/api/v1{path}", **headers)


def test_openapi_document_lists_the_organisation_paths(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    for path in (
        "/api/v1/units",
        "/api/v1/units/{unit_id}",
        "/api/v1/units/{unit_id}/children",
        "/api/v1/units/{unit_id}/members",
        "/api/v1/members",
        "/api/v1/members/{member_id}",
    ):
        assert path in document["paths"]
    assert document["components"]["securitySchemes"]["TokenAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }


def test_openapi_document_describes_the_error_body(client, db):
    document = client.get("/api/v1/openapi.json").json()
    responses = document["paths"]["/api/v1/units/{unit_id}"]["get"]["responses"]
    assert responses["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ApiErrorOut"
    }
    assert set(document["components"]["schemas"]["ApiErrorOut"]["required"]) == {"code", "message"}


def test_docs_page_loads_every_asset_from_this_server(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, "the docs page should reference its script and stylesheet"
    assert all(asset.startswith("/static/") for asset in assets), assets
    assert '"validatorUrl": null' in html
    # Only the JSON settings block may be inline; code comes from files.
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert all('type="application/json"' in attributes for attributes in inline_scripts)


def test_no_token_is_401_with_a_stable_code(client, db):
    response = _get(client, "/units")
    assert response.status_code == 401
    assert response.json() == {
        "code": "auth.invalid_token",
        "message": "Missing, invalid, revoked or expired token.",
    }
    assert response["WWW-Authenticate"] == "Bearer"


def test_error_messages_are_french_unless_the_caller_asks_otherwise(client, db):
    response = client.get("/api/v1/units")
    assert response.json()["message"] == "Jeton absent, invalide, révoqué ou expiré."


def test_a_valid_token_is_accepted(client, personas):
    _token, secret = api_token_create(name="ok", scope_unit=None, actor=personas.admin)
    assert secret.startswith("mir_")
    assert _get(client, "/units", secret).status_code == 200


def test_a_tampered_or_foreign_token_is_401(client, personas):
    _token, secret = api_token_create(name="ok", scope_unit=None, actor=personas.admin)
    for wrong in (secret[:-2] + "xx", "not-a-token", "mir_", secret + "x"):
        response = _get(client, "/units", wrong)
        assert response.status_code == 401, wrong
        assert response.json()["code"] == "auth.invalid_token"


def test_a_revoked_token_is_401(client, personas):
    token, secret = api_token_create(name="old", scope_unit=None, actor=personas.admin)
    api_token_revoke(token=token, actor=personas.admin)
    response = _get(client, "/units", secret)
    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_token"


def test_an_expired_token_is_401(client, personas):
    _token, secret = api_token_create(
        name="short",
        scope_unit=None,
        actor=personas.admin,
        expires_at=timezone.now() - timedelta(seconds=1),
    )
    response = _get(client, "/units", secret)
    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_token"


def test_a_token_not_yet_expired_is_accepted(client, personas):
    _token, secret = api_token_create(
        name="month",
        scope_unit=None,
        actor=personas.admin,
        expires_at=timezone.now() + timedelta(days=30),
    )
    assert _get(client, "/units", secret).status_code == 200


def test_a_bad_token_stays_401_for_a_browser_with_a_session(client, personas):
    client.force_login(personas.admin)
    assert client.get("/api/v1/units").status_code == 200
    response = _get(client, "/units", "mir_deadbeef_wrong")
    assert response.status_code == 401
    assert response.json()["code"] == "auth.invalid_token"


def test_anonymous_session_is_401(client, db):
    assert client.get("/api/v1/members").status_code == 401


def test_a_session_authenticates_reads_only(personas):
    auth = ActiveSessionAuth()
    factory = RequestFactory()
    read = factory.get("/api/v1/units")
    read.user = personas.admin
    assert auth(read) == personas.admin
    write = factory.post("/api/v1/units")
    write.user = personas.admin
    write._dont_enforce_csrf_checks = True
    assert auth(write) is None


def test_an_inactive_user_session_is_refused(client, personas):
    client.force_login(personas.direction)
    personas.direction.is_active = False
    personas.direction.save(update_fields=["is_active"])
    assert client.get("/api/v1/units").status_code == 401


def test_the_secret_is_stored_only_as_a_digest(personas):
    token, secret = api_token_create(name="hr", scope_unit=None, actor=personas.admin)
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    random_part = secret[len(f"mir_{token.prefix}_") :]
    assert len(random_part) >= 43  # 32 random bytes in url-safe base64: 256 bits
    assert secret not in str(row) and random_part not in str(row)
    assert len(row["digest"]) == 64 and row["digest"] != secret


def test_two_tokens_never_share_a_secret_or_a_prefix(personas):
    first = api_token_create(name="a", scope_unit=None, actor=personas.admin)
    second = api_token_create(name="b", scope_unit=None, actor=personas.admin)
    assert first[1] != second[1]
    assert first[0].prefix != second[0].prefix


def test_a_token_needs_a_name(personas):
    with pytest.raises(ValidationError):
        api_token_create(name="  ", scope_unit=None, actor=personas.admin)
    assert not ApiToken.objects.exists()


def test_use_is_recorded_at_most_once_a_minute(client, personas):
    token, secret = api_token_create(name="hr", scope_unit=None, actor=personas.admin)
    _get(client, "/units", secret)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    _get(client, "/units", secret)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first

    token.refresh_from_db()
    later = first + timedelta(seconds=61)
    api_token_touch(token=token, now=later)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == later


def test_token_creation_and_revocation_are_audited(personas):
    token, _secret = api_token_create(name="hr", scope_unit=personas.nord, actor=personas.admin)
    created = AuditEntry.objects.get(action="api_token.create")
    assert created.target == f"api_token:{token.pk}"
    assert created.actor == personas.admin
    assert created.details == {"scope_unit": personas.nord.pk}

    api_token_revoke(token=token, actor=personas.admin)
    api_token_revoke(token=token, actor=personas.admin)
    assert AuditEntry.objects.filter(action="api_token.revoke").count() == 1
