"""Repeated failed logins lock the account, or the address, for a while; audited, explained,
lifted by time or by an administrator."""

from __future__ import annotations

import pytest
from django.urls import reverse

from miroir.audit.models import AuditEntry
from tests.accounts.support import code_now, enrol, install_clock, password_step


@pytest.fixture
def clock(monkeypatch):
    return install_clock(monkeypatch)


@pytest.fixture
def limits(settings):
    settings.CORE_RATE_LIMITS = {
        **settings.CORE_RATE_LIMITS,
        "login_failures_account": (3, 900),
        "login_failures_address": (6, 900),
    }
    settings.MIROIR_LOGIN_LOCKOUT_SECONDS = 600


def _wrong(client, email: str):
    return client.post(reverse("accounts:login"), {"username": email, "password": "wrong"})


def test_an_account_is_locked_after_repeated_failures_even_for_the_right_password(
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
    assert locked.target == f"user:{user.pk}" and locked.details["locked"] == ["account"]
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
    page = admin.get(reverse("accounts:security_admin"), {"email": user.email})
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
