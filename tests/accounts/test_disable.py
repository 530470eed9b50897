"""Disabling a login and enabling it again: at once for its sessions, never one's own nor the
last administrator's, audited, and kept by the organisation import."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from miroir.accounts import services
from miroir.accounts.models import LoginSession, User
from miroir.audit.models import AuditEntry
from miroir.org.models import Member, RoleKind
from miroir.org.services import member_sync_user, role_grant
from tests.accounts.support import password_step


def _logged_in(client) -> bool:
    return client.get(reverse("core:home")).status_code == 200


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def admin(client, personas):
    client.force_login(personas.admin)
    return client


def _disable(admin, user: User, **data):
    url = reverse("accounts:account_disable", args=[user.pk])
    return admin.post(url, {"confirm": "on", **data}, follow=True)


def _second_administrator(personas) -> User:
    """Return Diane (direction), made an administrator too."""
    role_grant(member=Member.objects.get(user=personas.direction), kind=RoleKind.ADMINISTRATOR)
    return personas.direction


# --- the administrators' page ------------------------------------------------------------


def test_an_administrator_disables_a_login_and_its_open_session_ends_at_once(
    admin, client, personas
):
    user = personas.shop_manager
    phone = client.__class__()
    phone.force_login(user)
    assert _logged_in(phone)
    page = admin.get(reverse("accounts:security_admin"), {"login": user.email})
    assert "Compte actif." in page.content.decode()
    response = _disable(admin, user)
    assert response.redirect_chain[-1][0].endswith("?login=sophie%40example.com")
    assert _messages(response) == [
        "Le compte de sophie@example.com est désactivé\u202f; 1 session fermée."
    ]
    assert "Désactivé par un administrateur le" in response.content.decode()
    assert not _fresh(user).is_active and _fresh(user).disabled_at is not None
    # Its session is gone from the store: the phone's next request finds itself logged out.
    assert not LoginSession.objects.filter(user=user).exists()
    follow_up = phone.get(reverse("core:home"))
    assert follow_up.status_code == 302 and follow_up.url.startswith(reverse("accounts:login"))
    entry = AuditEntry.objects.get(action="account.disable")
    assert entry.actor == personas.admin and entry.target == f"user:{user.pk}"
    assert entry.details == {"sessions": 1}


def test_disabling_without_ticking_the_box_changes_nothing(admin, personas):
    user = personas.employee
    response = admin.post(reverse("accounts:account_disable", args=[user.pk]), follow=True)
    assert _messages(response) == [
        "Cochez la case pour confirmer que ce compte doit être désactivé."
    ]
    assert _fresh(user).is_active
    assert not AuditEntry.objects.filter(action="account.disable").exists()


def test_re_enabling_lets_the_person_log_in_again(admin, client, personas):
    user = personas.employee
    _disable(admin, user)
    person = client.__class__()
    refused = password_step(person, user)
    assert refused.status_code == 200 and not refused.wsgi_request.user.is_authenticated
    response = admin.post(reverse("accounts:account_enable", args=[user.pk]), follow=True)
    assert _messages(response) == ["Le compte de emile@example.com est réactivé."]
    assert "Compte actif." in response.content.decode()
    assert _fresh(user).is_active and _fresh(user).disabled_at is None
    assert password_step(person, user).status_code == 302
    assert _logged_in(person)
    entry = AuditEntry.objects.get(action="account.enable")
    assert entry.actor == personas.admin and entry.target == f"user:{user.pk}"


def test_the_page_lists_the_logins_an_administrator_disabled(admin, personas):
    services.account_disable(user=personas.employee, actor=personas.admin)
    page = admin.get(reverse("accounts:security_admin"))
    assert [login.email for login in page.context["disabled_logins"]] == ["emile@example.com"]
    assert "?login=emile%40example.com" in page.content.decode()


def test_an_administrator_cannot_disable_their_own_login(admin, personas):
    page = admin.get(reverse("accounts:security_admin"), {"login": personas.admin.email})
    assert page.context["disable_refusal"]
    assert reverse("accounts:account_disable", args=[personas.admin.pk]) not in (
        page.content.decode()
    )
    response = _disable(admin, personas.admin)
    assert _messages(response) == [
        "Vous ne pouvez pas désactiver votre propre compte\xa0: "
        "demandez-le à un autre administrateur."
    ]
    assert _fresh(personas.admin).is_active and _logged_in(admin)
    assert not AuditEntry.objects.filter(action="account.disable").exists()


@pytest.mark.parametrize("persona", ["direction", "shop_manager", "employee", "outsider"])
def test_only_administrators_disable_or_enable_a_login(client, personas, persona):
    target, disabled = personas.partner, personas.other_region_manager
    services.account_disable(user=disabled, actor=personas.admin)
    client.force_login(getattr(personas, persona))
    disable = reverse("accounts:account_disable", args=[target.pk])
    enable = reverse("accounts:account_enable", args=[disabled.pk])
    assert client.post(disable, {"confirm": "on"}).status_code == 403
    assert client.post(enable).status_code == 403
    assert _fresh(target).is_active and not _fresh(disabled).is_active
    assert not AuditEntry.objects.filter(action="account.enable").exists()
    assert AuditEntry.objects.filter(action="account.disable").count() == 1


def test_the_actions_take_posts_only(admin, personas):
    for name in ("accounts:account_disable", "accounts:account_enable"):
        assert admin.get(reverse(name, args=[personas.employee.pk])).status_code == 405
    assert _fresh(personas.employee).is_active


def test_enabling_without_the_csrf_token_is_refused(client, personas):
    # The access matrix posts to Émile's active login; here the login is really disabled.
    services.account_disable(user=personas.employee, actor=personas.admin)
    browser = client.__class__(enforce_csrf_checks=True)
    browser.force_login(personas.admin)
    response = browser.post(reverse("accounts:account_enable", args=[personas.employee.pk]))
    assert response.status_code == 403 and b"CSRF" in response.content
    assert not _fresh(personas.employee).is_active


def test_an_address_holding_markup_is_shown_escaped(admin, personas):
    payload = "<script>alert(1)</script>"
    user = User.objects.create_user(f'"{payload}"@example.com', "x")
    response = _disable(admin, user)
    html = response.content.decode()
    assert payload not in html and "<script>alert" not in html
    assert escape(payload) in html
    listed = admin.get(reverse("accounts:security_admin")).content.decode()
    assert "<script>alert" not in listed and escape(payload) in listed


# --- the services --------------------------------------------------------------------------


def test_the_last_active_administrator_cannot_be_disabled(personas):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.account_disable(user=personas.admin, actor=None)
    assert refused.value.messages == [
        "ada@example.com is the last active administrator: give the administrator role to "
        "someone else before disabling this login."
    ]
    assert _fresh(personas.admin).is_active and _fresh(personas.admin).disabled_at is None
    assert not AuditEntry.objects.filter(action="account.disable").exists()


def test_with_a_second_administrator_one_may_disable_the_other_but_not_both(personas):
    diane = _second_administrator(personas)
    assert services.account_disable(user=personas.admin, actor=diane) == 0
    with pytest.raises(ValidationError, match=r"diane@example\.com"):
        services.account_disable(user=diane, actor=None)
    assert _fresh(diane).is_active


def test_an_inactive_member_with_the_role_is_not_an_administrator_left(personas):
    diane = _second_administrator(personas)
    Member.objects.filter(user=diane).update(is_active=False)
    with pytest.raises(ValidationError, match=r"ada@example\.com"):
        services.account_disable(user=personas.admin, actor=None)


def test_a_superuser_counts_as_an_administrator(personas):
    root = User.objects.create_superuser("root@example.com", "x")
    services.account_disable(user=personas.admin, actor=root)
    with pytest.raises(ValidationError, match=r"root@example\.com"):
        services.account_disable(user=root, actor=None)


def test_disabling_twice_writes_one_audit_entry(personas):
    services.account_disable(user=personas.employee, actor=personas.admin)
    assert services.account_disable(user=personas.employee, actor=personas.admin) == 0
    assert AuditEntry.objects.filter(action="account.disable").count() == 1


def test_enabling_an_active_login_changes_nothing(personas):
    services.account_enable(user=personas.employee, actor=personas.admin)
    assert not AuditEntry.objects.filter(action="account.enable").exists()


def test_an_import_does_not_enable_again_a_login_an_administrator_disabled(client, personas):
    member = personas.employee_member
    services.account_disable(user=personas.employee, actor=personas.admin)
    member_sync_user(member)  # the member is still active in the organisation
    assert not _fresh(personas.employee).is_active
    member.is_active = False
    member.save(update_fields=["is_active"])
    member_sync_user(member)
    member.is_active = True
    member.save(update_fields=["is_active"])
    member_sync_user(member)
    assert not _fresh(personas.employee).is_active


def test_the_login_of_an_inactive_member_is_enabled_by_the_import_not_by_hand(personas):
    member = personas.employee_member
    member.is_active = False
    member.save(update_fields=["is_active"])
    member_sync_user(member)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.account_enable(user=personas.employee, actor=personas.admin)
    assert "listed as inactive in the organisation" in refused.value.messages[0]
    assert not _fresh(personas.employee).is_active
    assert not AuditEntry.objects.filter(action="account.enable").exists()


def test_disabling_ends_the_sessions_of_every_device(client, personas):
    user = personas.partner
    devices = [client.__class__() for _ in range(3)]
    for device in devices:
        device.force_login(user)
    assert services.account_disable(user=user, actor=personas.admin) == 3
    assert not any(_logged_in(device) for device in devices)
    assert Session.objects.count() == 0
