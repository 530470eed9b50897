"""Two-factor authentication (TOTP): set-up, the two-step login, replays, recovery codes,
the roles that require it, turning it off, an administrator's reset."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from miroir.accounts import services, twofactor
from miroir.accounts.models import RecoveryCode, TotpDevice
from miroir.accounts.sessions import VERIFIED
from miroir.audit.models import AuditEntry
from tests.accounts.support import code_now, enrol, install_clock, password_step


@pytest.fixture
def clock(monkeypatch):
    return install_clock(monkeypatch)


def _unverified_login(client, user) -> None:
    """Log in as the password step alone would: no second factor passed."""
    client.force_login(user)
    session = client.session
    session.pop(VERIFIED, None)
    session.save()


def test_setup_page_shows_a_qr_code_and_the_secret_under_the_strict_policy(client, personas):
    client.force_login(personas.employee)
    response = client.get(reverse("accounts:two_factor_setup"))
    html = response.content.decode()
    device = TotpDevice.objects.get(user=personas.employee)
    assert device.confirmed_at is None
    assert "<svg" in html and "<path" in html
    assert twofactor.grouped(device.secret) in html
    # Inline style attributes would be blocked by the Content-Security-Policy.
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "style=" not in svg
    assert response["Cache-Control"].startswith("max-age=0")
    # Reloading the page keeps the secret the app may already have scanned.
    client.get(reverse("accounts:two_factor_setup"))
    assert TotpDevice.objects.get(user=personas.employee).secret == device.secret


def test_the_first_code_turns_it_on_and_shows_hashed_single_use_recovery_codes_once(
    client, personas, clock
):
    client.force_login(personas.employee)
    client.get(reverse("accounts:two_factor_setup"))
    secret = TotpDevice.objects.get(user=personas.employee).secret
    response = client.post(reverse("accounts:two_factor_setup"), {"code": code_now(secret, clock)})
    assert response.url == reverse("accounts:two_factor_recovery_codes")
    page = client.get(response.url).content.decode()
    codes = re.findall(r"<code>([a-z0-9-]{14})</code>", page)
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = set(
        RecoveryCode.objects.filter(user=personas.employee).values_list("code_hash", flat=True)
    )
    assert stored == {twofactor.recovery_code_hash(code) for code in codes}
    assert not any(code in stored for code in codes)
    # Shown once only.
    assert client.get(reverse("accounts:two_factor_recovery_codes")).status_code == 302
    assert TotpDevice.objects.get(user=personas.employee).confirmed_at is not None
    assert AuditEntry.objects.filter(action="2fa.enable", actor=personas.employee).exists()


def test_a_wrong_first_code_leaves_it_off(client, personas, clock):
    client.force_login(personas.employee)
    client.get(reverse("accounts:two_factor_setup"))
    secret = TotpDevice.objects.get(user=personas.employee).secret
    wrong = code_now(secret, clock, steps=5)
    response = client.post(reverse("accounts:two_factor_setup"), {"code": wrong})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert TotpDevice.objects.get(user=personas.employee).confirmed_at is None
    assert not RecoveryCode.objects.filter(user=personas.employee).exists()


def test_login_takes_two_steps_once_an_authenticator_is_confirmed(client, personas, clock):
    user = personas.shop_manager
    secret, _codes = enrol(user, clock)
    response = password_step(client, user, next="/org/units/")
    assert response.url == reverse("accounts:login_verify")
    assert client.get(reverse("core:home")).status_code == 302  # not logged in yet
    response = client.post(reverse("accounts:login_verify"), {"code": code_now(secret, clock)})
    assert response.url == "/org/units/"
    assert client.get(reverse("core:home")).context["user"] == user
    entry = AuditEntry.objects.filter(action="login").latest("sequence")
    assert entry.actor == user and entry.details == {"method": "totp"}


def test_a_code_is_accepted_once_and_an_older_one_never_after_it(client, personas, clock):
    user = personas.shop_manager
    secret, _codes = enrol(user, clock)
    code = code_now(secret, clock)
    password_step(client, user)
    assert client.post(reverse("accounts:login_verify"), {"code": code}).status_code == 302
    client.post(reverse("accounts:logout"))
    password_step(client, user)
    replay = client.post(reverse("accounts:login_verify"), {"code": code})
    assert replay.status_code == 200
    assert not replay.wsgi_request.user.is_authenticated
    # The previous step's code is within the tolerance, but older than the one used.
    older = code_now(secret, clock, steps=-1)
    assert services.second_factor_check(user=user, code=older) is None
    assert AuditEntry.objects.filter(action="login.failed", target=f"user:{user.pk}").exists()


@pytest.mark.parametrize(("steps", "accepted"), [(-2, False), (-1, True), (1, True), (2, False)])
def test_codes_one_step_away_are_accepted_and_farther_ones_refused(
    personas, clock, steps, accepted
):
    user = personas.employee
    device = services.totp_setup_start(user=user)
    clock.advance(-90)
    services.totp_confirm(user=user, code=code_now(device.secret, clock))
    clock.advance(90)
    code = code_now(device.secret, clock, steps=steps)
    assert (services.second_factor_check(user=user, code=code) == "totp") is accepted


def test_a_recovery_code_logs_in_once(client, personas, clock):
    user = personas.shop_manager
    _secret, codes = enrol(user, clock)
    password_step(client, user)
    response = client.post(reverse("accounts:login_verify"), {"code": codes[0].upper()})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="2fa.recovery_code_used").get().details == {"left": 9}
    client.post(reverse("accounts:logout"))
    password_step(client, user)
    again = client.post(reverse("accounts:login_verify"), {"code": codes[0]})
    assert again.status_code == 200 and not again.wsgi_request.user.is_authenticated


def test_the_code_step_expires_and_sends_back_to_the_password(client, personas, clock):
    user = personas.shop_manager
    secret, _codes = enrol(user, clock)
    password_step(client, user)
    clock.advance(6 * 60)
    response = client.post(reverse("accounts:login_verify"), {"code": code_now(secret, clock)})
    assert response.url == reverse("accounts:login")


def test_the_session_key_changes_at_each_step_of_the_login(client, personas, clock):
    user = personas.shop_manager
    secret, _codes = enrol(user, clock)
    client.get(reverse("accounts:login"))
    client.cookies["sessionid"] = "attacker-chosen-key"
    password_step(client, user)
    first = client.cookies["sessionid"].value
    assert first != "attacker-chosen-key"
    client.post(reverse("accounts:login_verify"), {"code": code_now(secret, clock)})
    assert client.cookies["sessionid"].value != first
    assert not Session.objects.filter(session_key=first).exists()


def test_direction_without_an_authenticator_reaches_nothing_but_the_setup(client, personas, clock):
    user = personas.direction
    response = password_step(client, user)
    assert response.status_code == 302
    home = client.get(reverse("core:home"))
    assert home.url == reverse("accounts:two_factor_setup")
    assert client.get(reverse("org:unit_tree")).url == reverse("accounts:two_factor_setup")
    api = client.get("/api/v1/units")
    assert api.status_code == 403 and api.json()["code"] == "two_factor_required"
    setup = client.get(reverse("accounts:two_factor_setup"))
    assert setup.status_code == 200
    assert reverse("org:unit_tree") not in setup.content.decode()  # no dead-end links
    secret = TotpDevice.objects.get(user=user).secret
    client.post(reverse("accounts:two_factor_setup"), {"code": code_now(secret, clock)})
    assert client.get(reverse("core:home")).status_code == 200


def test_an_administrator_is_held_too_and_the_roles_come_from_the_setting(
    client, personas, settings
):
    _unverified_login(client, personas.admin)
    assert client.get(reverse("audit:list")).url == reverse("accounts:two_factor_setup")
    settings.MIROIR_2FA_REQUIRED_ROLES = ["manager"]
    _unverified_login(client, personas.admin)
    assert client.get(reverse("audit:list")).status_code == 200
    _unverified_login(client, personas.shop_manager)
    assert client.get(reverse("core:home")).url == reverse("accounts:two_factor_setup")


def test_an_employee_may_turn_it_off_with_a_code(client, personas, clock):
    user = personas.employee
    secret, _codes = enrol(user, clock)
    client.force_login(user)
    response = client.post(
        reverse("accounts:two_factor_disable"), {"code": code_now(secret, clock)}
    )
    assert response.url == reverse("accounts:two_factor")
    assert not TotpDevice.objects.filter(user=user).exists()
    assert not RecoveryCode.objects.filter(user=user).exists()
    assert AuditEntry.objects.filter(action="2fa.disable", actor=user).exists()


def test_direction_may_not_turn_it_off(client, personas, clock):
    user = personas.direction
    secret, _codes = enrol(user, clock)
    client.force_login(user)
    client.post(reverse("accounts:two_factor_disable"), {"code": code_now(secret, clock)})
    assert TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()
    assert not AuditEntry.objects.filter(action="2fa.disable").exists()


def test_an_administrator_resets_it_audited_and_the_person_sessions_end(client, personas, clock):
    user = personas.shop_manager
    enrol(user, clock)
    other = client.__class__()
    other.force_login(user)
    assert other.get(reverse("core:home")).status_code == 200
    client.force_login(personas.admin)
    page = client.get(reverse("accounts:security_admin"), {"login": user.email})
    assert page.context["device"] is not None
    response = client.post(reverse("accounts:two_factor_reset", args=[user.pk]))
    assert response.status_code == 302
    assert not TotpDevice.objects.filter(user=user).exists()
    entry = AuditEntry.objects.get(action="2fa.reset")
    assert entry.actor == personas.admin and entry.target == f"user:{user.pk}"
    assert other.get(reverse("core:home")).status_code == 302  # logged out


@pytest.mark.parametrize("persona", ["direction", "shop_manager", "employee"])
def test_only_administrators_reset_someone_else_s_second_factor(client, personas, clock, persona):
    enrol(personas.employee, clock)
    client.force_login(getattr(personas, persona))
    assert client.get(reverse("accounts:security_admin")).status_code == 403
    response = client.post(reverse("accounts:two_factor_reset", args=[personas.employee.pk]))
    assert response.status_code == 403
    assert TotpDevice.objects.filter(user=personas.employee).exists()


def test_new_recovery_codes_replace_the_old_ones(client, personas, clock):
    user = personas.employee
    _secret, old = enrol(user, clock)
    client.force_login(user)
    response = client.post(reverse("accounts:two_factor_recovery_codes"))
    page = client.get(response.url).content.decode()
    new = re.findall(r"<code>([a-z0-9-]{14})</code>", page)
    assert len(new) == 10 and not set(new) & set(old)
    assert services.second_factor_check(user=user, code=old[1]) is None
    assert services.second_factor_check(user=user, code=new[1]) == "recovery"


# Arabic-Indic, full-width and N'Ko digits: isdigit() says yes to all of them.
@pytest.mark.parametrize(
    "code", ["\u0661\u0662\u0663\u0664\u0665\u0666", "\uff11" * 6, "\u07c1" * 6]
)
def test_a_code_in_other_digits_counts_as_a_failed_attempt(client, personas, clock, code):
    user = personas.shop_manager
    enrol(user, clock)
    password_step(client, user)
    response = client.post(reverse("accounts:login_verify"), {"code": code})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert twofactor.matching_step(TotpDevice.objects.get(user=user).secret, code) is None
    assert AuditEntry.objects.filter(action="login.failed", details__stage="second_factor").exists()
