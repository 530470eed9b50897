"""Sessions end after an idle period, after an absolute lifetime, and when the account is
disabled."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from miroir.accounts import services
from miroir.accounts.models import LoginSession, User
from miroir.audit.models import AuditEntry
from miroir.org.services import member_sync_user
from tests.accounts.support import install_clock, password_step


@pytest.fixture
def clock(monkeypatch):
    return install_clock(monkeypatch)


def _logged_in(client) -> bool:
    return client.get(reverse("core:home")).status_code == 200


def test_a_session_ends_after_the_idle_timeout(client, personas, clock, settings):
    settings.MIROIR_SESSION_IDLE_TIMEOUT = 30 * 60
    client.force_login(personas.employee)
    clock.advance(29 * 60)
    assert _logged_in(client)
    clock.advance(29 * 60)  # 29 minutes since the last request: still alive
    assert _logged_in(client)
    clock.advance(31 * 60)
    response = client.get(reverse("core:home"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    page = client.get(response.url).content.decode()
    assert "Votre session a pris fin" in page


def test_an_active_session_still_ends_at_its_absolute_lifetime(client, personas, clock, settings):
    settings.MIROIR_SESSION_IDLE_TIMEOUT = 30 * 60
    settings.MIROIR_SESSION_MAX_LIFETIME = 8 * 3600
    client.force_login(personas.employee)
    for _ in range(23):  # a request every 20 minutes for 7 h 40
        clock.advance(20 * 60)
        assert _logged_in(client)
    clock.advance(15 * 60)
    assert _logged_in(client)
    clock.advance(10 * 60)
    assert not _logged_in(client)


def test_logging_in_gives_a_new_session_key(client, personas):
    client.get(reverse("accounts:login"))
    session = client.session
    session["probe"] = 1
    session.save()
    before = session.session_key
    password_step(client, personas.employee)
    after = client.cookies["sessionid"].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert LoginSession.objects.filter(user=personas.employee, session_key=after).exists()


def test_disabling_an_account_ends_every_session_at_once(client, personas):
    user = personas.shop_manager
    phone, laptop = client.__class__(), client.__class__()
    phone.force_login(user)
    laptop.force_login(user)
    client.force_login(personas.employee)
    assert Session.objects.count() == 3
    services.account_disable(user=user, actor=personas.admin)
    assert Session.objects.count() == 1  # only the employee's is left
    assert not _logged_in(phone) and not _logged_in(laptop)
    assert _logged_in(client)
    entry = AuditEntry.objects.get(action="account.disable")
    assert entry.details == {"sessions": 2} and entry.actor == personas.admin


def test_a_member_made_inactive_by_an_import_loses_their_sessions(client, personas):
    member = personas.employee_member
    client.force_login(personas.employee)
    member.is_active = False
    member.save(update_fields=["is_active"])
    member_sync_user(member)
    assert not User.objects.get(pk=personas.employee.pk).is_active
    assert not LoginSession.objects.filter(user=personas.employee).exists()
    assert not _logged_in(client)


def test_an_account_disabled_behind_the_services_back_is_logged_out_at_its_next_request(
    client, personas
):
    client.force_login(personas.employee)
    key = client.cookies["sessionid"].value
    User.objects.filter(pk=personas.employee.pk).update(is_active=False)
    assert not _logged_in(client)
    assert not Session.objects.filter(session_key=key).exists()
