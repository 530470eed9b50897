"""Repeated failed logins lock the guessing address out, slow the account down, and never let a
stranger lock the owner out; audited, explained, lifted by time or by an administrator."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from miroir.accounts.lockout import MAX_DELAY_SECONDS
from miroir.audit.models import AuditEntry
from tests.accounts.support import code_now, enrol, install_clock, password_step


@pytest.fixture
def clock(monkeypatch):
    return install_clock(monkeypatch)


@pytest.fixture
def limits(settings):
    settings.CORE_RATE_LIMITS = {
        **settings.CORE_RATE_LIMITS,
        "login_failures_pair": (3, 900),
        "login_failures_account": (3, 900),
        "login_failures_address": (6, 900),
    }
    settings.MIROIR_LOGIN_LOCKOUT_SECONDS = 600


def _wrong(client, email: str):
    return client.post(reverse("accounts:login"), {"username": email, "password": "wrong"})


def _from(address: str):
    return Client(REMOTE_ADDR=address)


def test_an_address_failing_on_an_account_is_locked_out_of_it_even_with_the_right_password(
    client, personas, clock, limits
):
    user = personas.shop_manager
    for _ in range(3):
        assert _wrong(client, user.email).status_code == 200
    locking = _wrong(client, user.email)
    assert locking.status_code == 429
    response = password_step(client, user)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 600
    html = response.content.decode()
    assert "10 minutes" in html
    assert "mot de passe valides" not in html  # the lock alone is said, not "wrong password"
    assert not response.wsgi_request.user.is_authenticated
    locked = AuditEntry.objects.get(action="login.locked")
    assert locked.target == f"user:{user.pk}"
    assert locked.details["locked"] == ["account", "pair"]
    assert AuditEntry.objects.filter(action="login.failed").count() == 4
    # Another account from the same address is not locked.
    assert password_step(client, personas.employee).status_code == 302


def test_the_lock_lifts_by_itself_after_its_period(client, personas, clock, limits):
    user = personas.shop_manager
    for _ in range(4):
        _wrong(client, user.email)
    clock.advance(599)
    assert password_step(client, user).status_code == 429
    clock.advance(2)
    assert password_step(client, user).status_code == 302


def test_a_successful_login_forgets_the_earlier_failures(client, personas, clock, limits):
    user = personas.shop_manager
    for _ in range(2):
        _wrong(client, user.email)
    assert password_step(client, user).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(2):
        _wrong(client, user.email)
    assert password_step(client, user).status_code == 302


def test_an_address_trying_many_accounts_is_locked(client, personas, clock, limits):
    emails = [f"nobody{i}@example.com" for i in range(7)]
    for email in emails:
        _wrong(client, email)
    response = password_step(client, personas.employee)
    assert response.status_code == 429
    locked = AuditEntry.objects.get(action="login.locked")
    assert locked.details == {"locked": ["address"]}
    # Unknown addresses are not written down.
    failed = AuditEntry.objects.filter(action="login.failed").first()
    assert failed.details == {"stage": "password", "unknown_account": True}
    assert "nobody" not in str(failed.details)
    other = client.__class__(REMOTE_ADDR="192.0.2.7")
    assert password_step(other, personas.employee).status_code == 302


def test_wrong_codes_at_the_second_step_count_toward_the_lock(client, personas, clock, limits):
    user = personas.shop_manager
    secret, _codes = enrol(user, clock)
    password_step(client, user)
    for _ in range(3):
        response = client.post(reverse("accounts:login_verify"), {"code": "000000"})
    assert response.status_code == 200
    response = client.post(reverse("accounts:login_verify"), {"code": "000001"})
    assert response.status_code == 429
    password_step(client, user)
    assert password_step(client, user).status_code == 429
    assert code_now(secret, clock)  # the right code would not help either


def test_an_administrator_lifts_a_lock_audited(client, personas, clock, limits):
    user = personas.shop_manager
    for _ in range(4):
        _wrong(client, user.email)
    admin = client.__class__()
    admin.force_login(personas.admin)
    page = admin.get(reverse("accounts:security_admin"), {"login": user.email})
    assert page.context["locked_for"] > 0
    admin.post(reverse("accounts:login_unlock", args=[user.pk]))
    assert AuditEntry.objects.get(action="login.unlock").actor == personas.admin
    assert password_step(client, user).status_code == 302


def test_only_administrators_lift_a_lock(client, personas, clock, limits):
    user = personas.shop_manager
    for _ in range(4):
        _wrong(client, user.email)
    client.force_login(personas.region_manager)
    assert client.post(reverse("accounts:login_unlock", args=[user.pk])).status_code == 403
    assert not AuditEntry.objects.filter(action="login.unlock").exists()


# -- a stranger who knows the address cannot lock the owner out -------------------------------


def test_a_stranger_s_failures_do_not_lock_the_owner_out(client, personas, clock, limits):
    user = personas.direction  # an administrator-like account: a known address
    stranger = _from("198.51.100.9")
    for _ in range(10):
        stranger.post(reverse("accounts:login"), {"username": user.email, "password": "wrong"})
    # The stranger is locked out of that account, even with the right password...
    assert password_step(stranger, user).status_code == 429
    # ...the owner, elsewhere, at most waits the account's delay, then logs in.
    owner = _from("203.0.113.5")
    first = password_step(owner, user)
    assert first.status_code == 429
    wait = int(first["Retry-After"])
    assert 0 < wait <= MAX_DELAY_SECONDS
    clock.advance(wait)
    assert password_step(owner, user).status_code == 302


def test_guessing_from_many_addresses_is_slowed_to_a_crawl(client, personas, clock, limits):
    user = personas.shop_manager
    refused = 0
    waits = []
    for index in range(40):
        guesser = _from(f"198.51.100.{index + 1}")
        response = _wrong(guesser, user.email)
        if response.status_code == 429:
            refused += 1
            waits.append(int(response["Retry-After"]))
    # Past three failures, attempts inside the delay are refused without being tried.
    assert refused >= 35
    assert max(waits) <= MAX_DELAY_SECONDS
    assert AuditEntry.objects.filter(action="login.failed").count() <= 5
    # Even the right password waits out the delay, from anywhere.
    assert password_step(_from("203.0.113.5"), user).status_code == 429


def test_the_owner_gets_in_at_once_with_password_and_second_factor(client, personas, clock, limits):
    user = personas.direction
    secret, _codes = enrol(user, clock)
    # At the start of a counting window (the middle of a code's step), so that none closes.
    clock.now = (clock.now // 900 + 1) * 900 + 15
    for index in range(8):
        clock.advance(20)  # past each delay so far (at most 8 s): every failure counts
        _wrong(_from(f"198.51.100.{index + 1}"), user.email)
    owner = _from("203.0.113.5")
    asked = password_step(owner, user)
    assert asked.status_code == 429
    assert 'name="code"' in asked.content.decode()
    response = password_step(owner, user, code=code_now(secret, clock))
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="login", target=f"user:{user.pk}").exists()
    # Logged in with both factors: the pages that require the second factor open.
    assert owner.get(reverse("accounts:two_factor")).status_code == 200


def test_a_wrong_code_or_password_with_the_code_is_refused_and_counted(
    client, personas, clock, limits
):
    user = personas.direction
    secret, _codes = enrol(user, clock)
    for index in range(8):
        _wrong(_from(f"198.51.100.{index + 1}"), user.email)
    before = AuditEntry.objects.filter(action="login.failed").count()
    stranger = _from("198.51.100.200")
    wrong_code = password_step(stranger, user, code="000000")
    assert wrong_code.status_code == 429
    assert 'data-testid="code-error"' in wrong_code.content.decode()
    wrong_password = stranger.post(
        reverse("accounts:login"),
        {"username": user.email, "password": "wrong", "code": code_now(secret, clock)},
    )
    assert wrong_password.status_code == 429
    assert not wrong_password.wsgi_request.user.is_authenticated
    assert AuditEntry.objects.filter(action="login.failed").count() == before + 2
