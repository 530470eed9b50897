"""Members without an e-mail address sign in with their mobile number and a code sent by SMS:
six digits, ten minutes, five tries, rate-limited, locked out like passwords, audited, the same
answer whether the number has a login or not, refused to the roles that keep two-factor."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from miroir.accounts.models import LoginSession, SignInCode, User
from miroir.accounts.signin_services import CODE_TRIES, sign_in_code_check, sign_in_code_send
from miroir.audit.models import AuditEntry
from miroir.org.models import RoleKind
from tests.accounts.support import code_in, phone_member, sms_sent, sms_to_file

E164 = "+33612345678"


@pytest.fixture
def sms(settings, tmp_path):
    return sms_to_file(settings, tmp_path)


@pytest.fixture
def fatou(personas):
    return phone_member(personas.lille)


def _ask(client, number="06 12 34 56 78"):
    return client.post(reverse("accounts:login_phone"), {"phone": number})


def _type(client, code, remember=False):
    data = {"code": code}
    if remember:
        data["remember"] = "on"
    return client.post(reverse("accounts:login_phone_code"), data)


def test_a_member_with_a_mobile_and_no_email_gets_a_login_keyed_by_the_number(fatou):
    user = fatou.user
    assert user is not None and user.email is None and user.phone == E164
    assert not user.has_usable_password()
    assert str(user) == E164


def test_the_code_arrives_by_sms_and_signs_in(
    client, fatou, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login_phone_code")
    [message] = sms_sent(sms)
    assert message["to"] == E164
    code = code_in(message["text"])
    assert code in message["text"].splitlines()[0]
    stored = SignInCode.objects.get(user=fatou.user)
    assert code not in stored.code_hash
    response = _type(client, code)
    assert response.status_code == 302
    assert client.get(reverse("core:home")).wsgi_request.user == fatou.user
    entry = AuditEntry.objects.filter(action="login").latest("sequence")
    assert entry.details == {"method": "sms"}
    assert not SignInCode.objects.filter(user=fatou.user).exists(), "a code is spent by its use"


def test_the_sms_is_in_the_language_of_the_page(
    client, fatou, sms, django_capture_on_commit_callbacks
):
    client.cookies["django_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client)
    assert "sign-in code" in sms_sent(sms)[0]["text"]
    client.cookies["django_language"] = "fr"
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client)
    assert "code de connexion" in sms_sent(sms)[1]["text"]


def test_an_unknown_number_gets_the_same_answer_and_no_sms(
    client, fatou, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = _ask(Client(), "06 12 34 56 78")
        unknown = _ask(client, "06 98 76 54 32")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(sms_sent(sms)) == 1
    page = client.get(reverse("accounts:login_phone_code")).content.decode()
    assert "If this number belongs to a Miroir login" in page or "Si ce numéro" in page
    response = _type(client, "123456")
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


def test_a_member_with_an_email_cannot_sign_in_by_sms(
    client, personas, sms, django_capture_on_commit_callbacks
):
    emile = personas.employee_member
    emile.phone = "06 11 22 33 44"
    emile.save()
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, "06 11 22 33 44")
    assert sms_sent(sms) == []


def test_a_wrong_number_is_refused_naming_the_field(client, fatou):
    response = _ask(client, "not a number")
    assert response.status_code == 200
    assert response.context["form"].errors["phone"]


def test_the_code_expires_after_ten_minutes(fatou, sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sign_in_code_send(phone=E164, language="fr")
    code = code_in(sms_sent(sms)[0]["text"])
    SignInCode.objects.filter(user=fatou.user).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert sign_in_code_check(phone=E164, code=code) is None
    assert not SignInCode.objects.exists()


def test_five_wrong_tries_void_the_code(fatou, sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sign_in_code_send(phone=E164, language="fr")
    code = code_in(sms_sent(sms)[0]["text"])
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(CODE_TRIES):
        assert sign_in_code_check(phone=E164, code=wrong) is None
    assert sign_in_code_check(phone=E164, code=code) is None, "the right code comes too late"


def test_a_new_code_replaces_the_previous_one(fatou, sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sign_in_code_send(phone=E164, language="fr")
        sign_in_code_send(phone=E164, language="fr")
    first, second = (code_in(m["text"]) for m in sms_sent(sms))
    if first != second:
        assert sign_in_code_check(phone=E164, code=first) is None
    assert sign_in_code_check(phone=E164, code=second) == fatou.user


def test_codes_are_rate_limited_per_number_and_per_address(settings, fatou, sms):
    settings.CORE_RATE_LIMITS = {
        **settings.CORE_RATE_LIMITS,
        "signin_sms_number": (2, 900),
        "signin_sms_address": (3, 3600),
    }
    for address in ("10.0.0.1", "10.0.0.2"):
        assert _ask(Client(REMOTE_ADDR=address)).status_code == 302
    third = _ask(Client(REMOTE_ADDR="10.0.0.3"))
    assert third.status_code == 429 and third["Retry-After"]
    same = Client(REMOTE_ADDR="10.0.0.9")
    for number in ("06 01 02 03 04", "06 01 02 03 05", "06 01 02 03 06"):
        assert _ask(same, number).status_code == 302
    assert _ask(same, "06 01 02 03 07").status_code == 429


def test_wrong_codes_lock_the_address_out_like_passwords(
    settings, client, fatou, sms, django_capture_on_commit_callbacks
):
    settings.CORE_RATE_LIMITS = {**settings.CORE_RATE_LIMITS, "login_failures_pair": (3, 900)}
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client)
    code = code_in(sms_sent(sms)[0]["text"])
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(3):
        assert _type(client, wrong).status_code == 200
    locked = _type(client, wrong)
    assert locked.status_code == 429
    assert _type(client, code).status_code == 429, "locked out even with the right code"
    assert AuditEntry.objects.filter(action="login.locked", target=f"user:{fatou.user.pk}").exists()
    failed = AuditEntry.objects.filter(action="login.failed").latest("sequence")
    assert failed.details == {"stage": "sms_code"}


@pytest.mark.parametrize("role", [RoleKind.DIRECTION, RoleKind.ADMINISTRATOR])
def test_direction_and_administrators_get_no_code_but_an_sms_saying_why(
    client, personas, sms, role, django_capture_on_commit_callbacks
):
    member = phone_member(personas.company, first="Dora", phone="06 55 44 33 22", roles=[role])
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask(client, "06 55 44 33 22")
    assert response.status_code == 302, "the page answers as for anyone"
    [message] = sms_sent(sms)
    assert "#" not in message["text"], "no code in it"
    assert "two-factor" in message["text"] or "double authentification" in message["text"]
    assert not SignInCode.objects.filter(user=member.user).exists()
    assert AuditEntry.objects.filter(action="login.code_refused").exists()


def test_a_role_granted_after_the_code_was_sent_is_refused_with_a_message(
    client, personas, fatou, sms, django_capture_on_commit_callbacks
):
    from miroir.org.services import role_grant

    with django_capture_on_commit_callbacks(execute=True):
        _ask(client)
    code = code_in(sms_sent(sms)[0]["text"])
    role_grant(member=fatou, kind=RoleKind.DIRECTION)
    response = _type(client, code)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert not client.get(reverse("accounts:login")).wsgi_request.user.is_authenticated


def test_a_remembered_phone_stays_signed_in_and_is_listed_and_revocable(
    client, fatou, sms, django_capture_on_commit_callbacks, settings, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client)
    _type(client, code_in(sms_sent(sms)[0]["text"]), remember=True)
    kept = LoginSession.objects.get(user=fatou.user)
    assert kept.method == "sms" and kept.remembered_until > timezone.now() + timedelta(days=29)
    assert client.session.get_expiry_age() > 29 * 24 * 3600
    # A day without a request: the idle timeout does not end a remembered phone.
    from miroir.accounts import twofactor

    later = twofactor.now() + 24 * 3600
    monkeypatch.setattr(twofactor, "now", lambda: later)
    page = client.get(reverse("accounts:two_factor"))
    assert page.wsgi_request.user == fatou.user
    assert f'action="{reverse("accounts:session_end", args=[kept.pk])}"' in page.content.decode()
    other = Client()
    other.force_login(personas_employee := User.objects.get(email="emile@example.com"))
    assert other.post(reverse("accounts:session_end", args=[kept.pk])).status_code == 404
    assert personas_employee.pk != fatou.user.pk
    response = client.post(reverse("accounts:session_end", args=[kept.pk]))
    assert response.status_code == 302
    assert not LoginSession.objects.filter(pk=kept.pk).exists()
    assert not client.get(reverse("core:home")).wsgi_request.user.is_authenticated
    assert AuditEntry.objects.filter(action="session.revoke").exists()


def test_a_phone_not_remembered_ends_with_the_idle_timeout(
    client, fatou, sms, django_capture_on_commit_callbacks, monkeypatch
):
    from miroir.accounts import twofactor

    with django_capture_on_commit_callbacks(execute=True):
        _ask(client)
    _type(client, code_in(sms_sent(sms)[0]["text"]))
    later = twofactor.now() + 24 * 3600
    monkeypatch.setattr(twofactor, "now", lambda: later)
    assert not client.get(reverse("core:home")).wsgi_request.user.is_authenticated


def test_the_login_page_offers_the_phone(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert reverse("accounts:login_phone") in html


def test_the_code_page_without_a_number_sends_back_to_the_number(client):
    response = client.get(reverse("accounts:login_phone_code"))
    assert response["Location"] == reverse("accounts:login_phone")
