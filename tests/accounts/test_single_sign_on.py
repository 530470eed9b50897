"""Signing in through an OpenID Connect provider, end to end against a local provider: the
authorization code flow with PKCE, state and nonce, the ID token's signature, members matched
by verified e-mail, refusals audited and counted like failed passwords, roles that must use
single sign-on, and the provider's second factor standing for Miroir's where configured."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.checks import run_checks
from django.urls import reverse
from joserfc.jwk import RSAKey

from miroir.accounts.models import User
from miroir.accounts.sessions import VERIFIED
from miroir.audit.models import AuditEntry
from tests.accounts.oidc_provider import (
    CLIENT_ID,
    KEY_ID,
    LocalProvider,
    ProviderServer,
    at_provider,
    sign_in,
)
from tests.accounts.support import code_now, enrol, install_clock, password_step

FRENCH = {"accept-language": "fr"}


@pytest.fixture
def provider(settings, db):
    local = LocalProvider()
    server = ProviderServer(local)
    settings.MIROIR_OIDC_PROVIDERS = {"test": local.settings()}
    yield local
    server.stop()


def _configure(settings, provider: LocalProvider, **overrides) -> None:
    settings.MIROIR_OIDC_PROVIDERS = {"test": provider.settings(**overrides)}


def _verified(user: User) -> dict:
    return {"email": user.email, "email_verified": True}


def _logged_in_as(client) -> int | None:
    value = client.session.get(SESSION_KEY)
    return int(value) if value is not None else None


def _last(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).order_by("-sequence").first()


# --- the login page ----------------------------------------------------------------------


def test_the_login_page_offers_one_button_per_provider_keeping_next(client, provider):
    page = client.get(reverse("accounts:login") + "?next=/voices/", headers=FRENCH)
    html = page.content.decode()
    assert "Se connecter avec Keycloak de test" in html
    assert reverse("accounts:sso_start", args=["test"]) + "?next=/voices/" in html


def test_without_a_provider_the_login_page_has_no_button(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert 'data-testid="sso-buttons"' not in html


def test_an_unknown_provider_is_a_404(client, provider):
    assert client.get(reverse("accounts:sso_start", args=["other"])).status_code == 404
    assert client.get(reverse("accounts:sso_callback", args=["other"])).status_code == 404


# --- the flow ----------------------------------------------------------------------------


def test_a_member_signs_in_with_their_verified_address_in_any_case(client, personas, provider):
    employee = personas.employee
    provider.person = {"email": employee.email.upper(), "email_verified": True}
    answer = sign_in(client)
    assert answer.status_code == 302 and answer.url == reverse("core:home")
    assert _logged_in_as(client) == employee.pk
    assert client.get(reverse("core:home")).status_code == 200
    entry = _last("login")
    assert entry.target == f"user:{employee.pk}"
    assert entry.details == {"method": "sso", "provider": "test", "provider_mfa": False}


def test_the_flow_uses_pkce_state_and_nonce(client, personas, provider):
    provider.person = _verified(personas.employee)
    sign_in(client)
    asked = provider.authorize_requests[-1]
    assert asked["response_type"] == "code" and asked["client_id"] == CLIENT_ID
    assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) >= 43
    assert len(asked["state"]) >= 20 and len(asked["nonce"]) >= 20
    assert set(asked["scope"].split()) == {"openid", "email", "profile"}
    assert asked["redirect_uri"].endswith(reverse("accounts:sso_callback", args=["test"]))
    # The provider checked the verifier against the challenge before issuing the token.
    assert len(provider.token_requests[-1]["code_verifier"]) >= 43


def test_the_page_asked_for_is_reached_after_signing_in(client, personas, provider):
    provider.person = _verified(personas.shop_manager)
    wanted = reverse("accounts:two_factor")
    answer = sign_in(client, next_url=wanted)
    assert answer.url == wanted
    provider.person = _verified(personas.shop_manager)
    for elsewhere in ("https://evil.example/", "40000"):
        other = type(client)()
        assert sign_in(other, next_url=elsewhere).url == reverse("core:home")


def test_the_session_key_changes_when_signing_in(client, personas, provider):
    provider.person = _verified(personas.employee)
    back = at_provider(client)
    before = client.session.session_key
    client.get(back)
    assert client.session.session_key != before


# --- answers that are not trusted --------------------------------------------------------


def _refused(answer, reason: str) -> str:
    assert answer.status_code == 403
    entry = _last("login.failed")
    assert entry.details["stage"] == "sso" and entry.details["reason"] == reason
    return answer.content.decode()


def test_a_changed_state_is_refused(client, personas, provider):
    provider.person = _verified(personas.employee)
    back = at_provider(client)
    url = urlsplit(back)
    query = parse_qs(url.query)
    forged = f"{url.path}?code={query['code'][0]}&state=not-the-one-sent"
    html = _refused(client.get(forged, headers=FRENCH), "state")
    assert "appartient pas à ce navigateur" in html
    assert _logged_in_as(client) is None


def test_an_answer_used_twice_or_in_another_browser_is_refused(client, personas, provider):
    provider.person = _verified(personas.employee)
    back = at_provider(client)
    stranger = type(client)()
    _refused(stranger.get(back), "state")
    assert _logged_in_as(stranger) is None
    assert client.get(back).status_code == 302
    client.logout()
    _refused(client.get(back), "state")


def test_someone_logged_in_neither_starts_nor_finishes_a_sign_in(client, personas, provider):
    client.force_login(personas.employee)
    start = client.get(reverse("accounts:sso_start", args=["test"]))
    assert start.url == reverse("core:home") and provider.authorize_requests == []
    callback = reverse("accounts:sso_callback", args=["test"])
    assert client.get(callback, {"code": "x", "state": "y"}).url == reverse("core:home")
    assert _last("login.failed") is None and _logged_in_as(client) == personas.employee.pk


@pytest.mark.parametrize(
    "tamper",
    [
        {"nonce": "another-nonce"},
        {"aud": "another-client"},
        {"iss": "http://127.0.0.1:1/elsewhere"},
        {"exp": int(time.time()) - 3600},
    ],
    ids=["nonce", "audience", "issuer", "expired"],
)
def test_an_id_token_with_a_wrong_claim_is_refused(client, personas, provider, tamper):
    provider.person = _verified(personas.employee)
    provider.tamper = tamper
    _refused(sign_in(client), "token")
    assert _logged_in_as(client) is None


def test_an_id_token_signed_with_another_key_is_refused(client, personas, provider):
    provider.person = _verified(personas.employee)
    provider.signing_key = RSAKey.generate_key(2048, {"kid": KEY_ID})
    _refused(sign_in(client), "token")
    assert _logged_in_as(client) is None
    # The same flow with the published key works: the refusal was the signature's.
    provider.signing_key = None
    assert sign_in(client).status_code == 302


def test_a_sign_in_cancelled_at_the_provider_is_refused(client, provider):
    back = at_provider(client)
    state = parse_qs(urlsplit(back).query)["state"][0]
    callback = reverse("accounts:sso_callback", args=["test"])
    answer = client.get(callback, {"error": "access_denied", "state": state})
    _refused(answer, "cancelled")


def test_an_unreachable_provider_gets_a_page_saying_so(client, settings, provider):
    _configure(settings, provider, discovery_url="http://127.0.0.1:9/.well-known/x")
    answer = client.get(reverse("accounts:sso_start", args=["test"]), headers=FRENCH)
    assert answer.status_code == 502
    assert "ne peut pas être joint" in answer.content.decode()
    assert _last("login.failed").details["reason"] == "unreachable"
    # A provider's outage is nobody's failed attempt: no address is locked by it.
    settings.CORE_RATE_LIMITS = {**settings.CORE_RATE_LIMITS, "login_failures_address": (1, 900)}
    for _attempt in range(3):
        client.get(reverse("accounts:sso_start", args=["test"]))
    assert _last("login.locked") is None


# --- matching the person -----------------------------------------------------------------


def test_an_unknown_address_gets_a_french_page_and_an_audit_entry_without_it(client, provider):
    provider.person = {"email": "inconnu@example.com", "email_verified": True}
    html = _refused(client.get(at_provider(client), headers=FRENCH), "unknown_account")
    assert "Aucun compte Miroir n'a l'adresse inconnu@example.com" in html.replace("&#x27;", "'")
    entry = _last("login.failed")
    assert entry.target == "" and "inconnu" not in str(entry.details)
    assert not User.objects.filter(email="inconnu@example.com").exists()
    assert _logged_in_as(client) is None


def test_an_unverified_address_is_refused_unless_the_provider_is_trusted(
    client, settings, personas, provider
):
    provider.person = {"email": personas.employee.email, "email_verified": False}
    html = _refused(sign_in(client, next_url=""), "email_unverified")
    assert personas.employee.email in html
    provider.person = {"email": personas.employee.email}
    _refused(sign_in(client), "email_unverified")
    # Entra ID sends no email_verified: a tenant's addresses are trusted by configuration.
    _configure(settings, provider, trust_email=True)
    assert sign_in(client).status_code == 302
    assert _logged_in_as(client) == personas.employee.pk


def test_a_token_without_an_address_is_refused(client, provider):
    provider.person = {"name": "Sans Adresse"}
    _refused(sign_in(client), "no_email")


def test_the_address_can_come_from_another_claim(client, settings, personas, provider):
    _configure(settings, provider, email_claim="preferred_username", trust_email=True)
    provider.person = {"preferred_username": personas.employee.email}
    assert sign_in(client).status_code == 302
    assert _logged_in_as(client) == personas.employee.pk


def test_a_disabled_login_is_refused_and_counted_on_the_account(client, personas, provider):
    employee = personas.employee
    employee.is_active = False
    employee.save(update_fields=["is_active"])
    provider.person = _verified(employee)
    answer = sign_in(client)
    html = _refused(answer, "disabled")
    assert employee.email in html
    assert _last("login.failed").target == f"user:{employee.pk}"
    assert _logged_in_as(client) is None


def test_failed_sign_ins_lock_the_address_like_failed_passwords(
    client, settings, personas, provider
):
    settings.CORE_RATE_LIMITS = {**settings.CORE_RATE_LIMITS, "login_failures_address": (2, 900)}
    provider.person = {"email": "inconnu@example.com", "email_verified": True}
    for _attempt in range(3):
        sign_in(client)
    assert _last("login.locked").details == {"locked": ["address"]}
    provider.person = _verified(personas.employee)
    answer = sign_in(client)
    assert answer.status_code == 429 and int(answer["Retry-After"]) > 0
    assert _logged_in_as(client) is None
    # The password form is locked for that address too.
    assert password_step(client, personas.employee).status_code == 429


# --- roles that must use single sign-on ----------------------------------------------------


def test_an_enforced_role_is_refused_its_password_and_pointed_to_the_button(
    client, settings, personas, provider
):
    settings.MIROIR_OIDC_REQUIRED_ROLES = ["manager"]
    answer = password_step(client, personas.shop_manager, next="/")
    assert answer.status_code == 403
    html = client.post(
        reverse("accounts:login"),
        {"username": personas.shop_manager.email, "password": "correct-horse-battery-9"},
        headers=FRENCH,
    ).content.decode()
    assert "Se connecter avec Keycloak de test" in html
    assert "pas avec un mot de passe" in html
    assert _logged_in_as(client) is None
    assert _last("login.failed").details == {"stage": "sso_required"}
    # Other roles keep their password; the manager signs in through the provider.
    assert password_step(type(client)(), personas.employee).status_code == 302
    provider.person = _verified(personas.shop_manager)
    assert sign_in(client).status_code == 302
    assert _logged_in_as(client) == personas.shop_manager.pk


def test_enforcement_is_off_while_no_provider_is_configured(client, settings, personas):
    settings.MIROIR_OIDC_PROVIDERS = {}
    settings.MIROIR_OIDC_REQUIRED_ROLES = ["manager"]
    assert password_step(client, personas.shop_manager).status_code == 302


def test_an_enforced_role_cannot_skip_it_with_the_code_field(
    client, settings, personas, provider, monkeypatch
):
    clock = install_clock(monkeypatch)
    manager = personas.shop_manager
    secret, _codes = enrol(manager, clock)
    settings.CORE_RATE_LIMITS = {**settings.CORE_RATE_LIMITS, "login_failures_account": (1, 900)}
    password_step(client, manager, password="wrong")
    password_step(client, manager, password="wrong")
    settings.MIROIR_OIDC_REQUIRED_ROLES = ["manager"]
    answer = password_step(client, manager, code=code_now(secret, clock))
    assert answer.status_code == 403
    assert _logged_in_as(client) is None


# --- the second factor -------------------------------------------------------------------


def test_without_delegation_an_enrolled_person_still_gives_miroirs_code(
    client, personas, provider, monkeypatch
):
    clock = install_clock(monkeypatch)
    direction = personas.direction
    secret, _codes = enrol(direction, clock)
    provider.person = {**_verified(direction), "amr": ["pwd", "mfa"]}
    answer = sign_in(client)
    assert answer.url == reverse("accounts:login_verify")
    assert _logged_in_as(client) is None
    assert _last("login.sso_pending").details == {"provider": "test"}
    done = client.post(reverse("accounts:login_verify"), {"code": code_now(secret, clock)})
    assert done.status_code == 302 and _logged_in_as(client) == direction.pk
    assert client.get(reverse("core:home")).status_code == 200


def test_without_delegation_a_required_role_must_still_set_up_an_authenticator(
    client, personas, provider
):
    provider.person = _verified(personas.direction)
    sign_in(client)
    assert _logged_in_as(client) == personas.direction.pk
    answer = client.get(reverse("core:home"))
    assert answer.status_code == 302 and answer.url == reverse("accounts:two_factor_setup")


def test_a_provider_enforcing_mfa_stands_for_miroirs_second_factor(
    client, settings, personas, provider, monkeypatch
):
    clock = install_clock(monkeypatch)
    _configure(settings, provider, mfa=True)
    direction, admin = personas.direction, personas.admin
    enrol(admin, clock)
    provider.person = _verified(direction)
    assert sign_in(client).url == reverse("core:home")
    assert client.session[VERIFIED] is True
    assert client.get(reverse("core:home")).status_code == 200
    assert _last("login").details["provider_mfa"] is True
    # Enrolled or not, the provider's second factor is enough.
    other = type(client)()
    provider.person = _verified(admin)
    assert sign_in(other).url == reverse("core:home")
    assert other.get(reverse("core:home")).status_code == 200


@pytest.mark.parametrize(
    ("amr", "acr", "delegated"),
    [
        (["pwd", "mfa"], "urn:high", True),
        (["otp"], "urn:high", True),
        (["pwd"], "urn:high", False),
        (None, "urn:high", False),
        (["mfa"], "urn:low", False),
        (["mfa"], None, False),
    ],
)
def test_the_amr_and_acr_claims_decide_when_configured(
    client, settings, personas, provider, amr, acr, delegated
):
    _configure(settings, provider, mfa=True, mfa_amr=["mfa", "otp"], mfa_acr=["urn:high"])
    person = _verified(personas.direction)
    person |= {"amr": amr} if amr is not None else {}
    person |= {"acr": acr} if acr is not None else {}
    provider.person = person
    sign_in(client)
    home = client.get(reverse("core:home"))
    if delegated:
        assert home.status_code == 200
    else:
        assert home.url == reverse("accounts:two_factor_setup")


def test_acr_values_are_asked_of_the_provider_when_configured(client, settings, personas, provider):
    _configure(settings, provider, acr_values="gold")
    provider.person = _verified(personas.employee)
    sign_in(client)
    assert provider.authorize_requests[-1]["acr_values"] == "gold"


# --- configuration -----------------------------------------------------------------------


def test_system_checks_catch_an_incomplete_provider_and_unknown_roles(settings):
    settings.MIROIR_OIDC_PROVIDERS = {
        "Entra ID": {
            "discovery_url": "",
            "client_id": "x",
            "client_secret": "",
            "scopes": ["email"],
        }
    }
    settings.MIROIR_OIDC_REQUIRED_ROLES = ["boss"]
    ids = {message.id for message in run_checks()}
    assert {"miroir.sso.E001", "miroir.sso.E002", "miroir.sso.E004", "miroir.sso.E005"} <= ids
    settings.MIROIR_OIDC_PROVIDERS = {}
    settings.MIROIR_OIDC_REQUIRED_ROLES = ["direction"]
    assert "miroir.sso.E006" in {message.id for message in run_checks()}
