from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from miroir.api.models import ApiToken
from miroir.api.services import api_token_create, api_token_revoke
from miroir.audit.models import AuditEntry


def test_administrator_sees_the_tokens_with_prefix_scope_and_state(client, personas):
    nord, _secret = api_token_create(
        name="Caisse Nord", scope_unit=personas.nord, actor=personas.admin
    )
    old, _secret = api_token_create(name="Ancien CRM", scope_unit=None, actor=personas.admin)
    api_token_revoke(token=old, actor=personas.admin)
    client.force_login(personas.admin)
    response = client.get(reverse("api_tokens:list"))
    assert response.status_code == 200
    assert response.context["nav_section"] == "tokens"
    html = response.content.decode()
    assert f"mir_{nord.prefix}" in html and f"mir_{old.prefix}" in html
    assert "Caisse Nord" in html and "Nord" in html
    assert reverse("api_tokens:revoke", args=[nord.pk]) in html
    # A revoked token offers no revoke button.
    assert reverse("api_tokens:revoke", args=[old.pk]) not in html


def test_administrator_creates_a_token_and_sees_its_secret_once(client, personas):
    client.force_login(personas.admin)
    response = client.post(reverse("api_tokens:create"), {"name": "Caisse", "unit": "U-NORD"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    assert secret.startswith("mir_") and secret in response.content.decode()
    token = ApiToken.objects.get(name="Caisse")
    assert token.scope_unit == personas.nord
    assert token.created_by == personas.admin
    assert token.expires_at is None
    listing = client.get(reverse("api_tokens:list")).content.decode()
    assert "Caisse" in listing and secret not in listing
    units = client.get("/api/v1/units", HTTP_AUTHORIZATION=f"Bearer {secret}").json()
    assert units["count"] == 5


def test_a_token_can_be_scoped_by_unit_number_and_given_an_expiry(client, personas):
    client.force_login(personas.admin)
    client.post(
        reverse("api_tokens:create"),
        {"name": "Arras", "unit": str(personas.arras.pk), "expires_in_days": "7"},
    )
    token = ApiToken.objects.get(name="Arras")
    assert token.scope_unit == personas.arras
    assert token.expires_at is not None and token.expires_at > token.created_at


def test_an_empty_scope_means_the_whole_network(client, personas):
    client.force_login(personas.admin)
    client.post(reverse("api_tokens:create"), {"name": "All", "unit": ""})
    assert ApiToken.objects.get(name="All").scope_unit is None


def test_an_unknown_scope_unit_is_refused_with_a_message(client, personas):
    client.force_login(personas.admin)
    response = client.post(reverse("api_tokens:create"), {"name": "x", "unit": "NOPE"})
    assert response.status_code == 200
    assert response.context["form"].errors["unit"]
    assert response.context["secret"] == ""
    assert not ApiToken.objects.exists()


def test_administrator_revokes_a_token(client, personas):
    token, secret = api_token_create(name="old", scope_unit=None, actor=personas.admin)
    client.force_login(personas.admin)
    response = client.post(reverse("api_tokens:revoke", args=[token.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("api_tokens:list")
    assert client.get("/api/v1/units", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    entry = AuditEntry.objects.get(action="api_token.revoke")
    assert entry.actor == personas.admin


def test_revoking_an_unknown_token_is_404(client, personas):
    client.force_login(personas.admin)
    assert client.post(reverse("api_tokens:revoke", args=[999999])).status_code == 404


def test_revoke_is_post_only(client, personas):
    token, _secret = api_token_create(name="t", scope_unit=None, actor=personas.admin)
    client.force_login(personas.admin)
    assert client.get(reverse("api_tokens:revoke", args=[token.pk])).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize(
    "persona",
    ["direction", "region_manager", "shop_manager", "employee", "partner", "outsider"],
)
def test_only_administrators_reach_the_token_pages(client, personas, persona):
    token, _secret = api_token_create(name="t", scope_unit=None, actor=personas.admin)
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("api_tokens:list")).status_code == 403
    assert client.post(reverse("api_tokens:create"), {"name": "x"}).status_code == 403
    assert client.post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 403
    assert ApiToken.objects.count() == 1
    assert ApiToken.objects.get().revoked_at is None


def test_anonymous_is_sent_to_login(client, db):
    for url, method in (
        (reverse("api_tokens:list"), client.get),
        (reverse("api_tokens:create"), client.post),
    ):
        response = method(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not ApiToken.objects.exists()


def test_cli_creates_a_token_and_prints_only_the_secret(personas, capsys):
    call_command(
        "api_token_create", "--name", "HR sync", "--unit", "U-NORD", "--expires-days", "30"
    )
    captured = capsys.readouterr()
    secret = captured.out.strip()
    token = ApiToken.objects.get(name="HR sync")
    assert secret.startswith(f"mir_{token.prefix}_")
    assert secret not in captured.err and f"mir_{token.prefix}" in captured.err
    assert token.scope_unit == personas.nord and token.expires_at is not None
    assert AuditEntry.objects.get(action="api_token.create").actor_label == "system"


def test_cli_revokes_a_token_by_prefix(personas):
    token, _secret = api_token_create(name="a", scope_unit=None, actor=personas.admin)
    call_command("api_token_revoke", f"mir_{token.prefix}")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_cli_revokes_a_token_by_number(personas):
    token, _secret = api_token_create(name="a", scope_unit=None, actor=personas.admin)
    other, _secret = api_token_create(name="b", scope_unit=None, actor=personas.admin)
    call_command("api_token_revoke", str(token.pk))
    token.refresh_from_db()
    other.refresh_from_db()
    assert token.revoked_at is not None and other.revoked_at is None


def test_cli_refuses_an_unknown_unit(db):
    with pytest.raises(CommandError, match="NOPE"):
        call_command("api_token_create", "--name", "x", "--unit", "NOPE")
    assert not ApiToken.objects.exists()


def test_cli_refuses_a_blank_name_and_a_nonpositive_expiry(db):
    with pytest.raises(CommandError):
        call_command("api_token_create", "--name", "  ")
    with pytest.raises(CommandError, match="expires-days"):
        call_command("api_token_create", "--name", "x", "--expires-days", "0")
    assert not ApiToken.objects.exists()


def test_cli_refuses_an_unknown_token(db):
    with pytest.raises(CommandError, match="nope"):
        call_command("api_token_revoke", "nope")
