"""The CLI reset of a second factor, disabling and enabling a login from the CLI, and the check
on the roles that require one."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from miroir.accounts.models import LoginSession, TotpDevice, User
from miroir.audit.models import AuditEntry
from miroir.core.checks import check_two_factor_roles
from tests.accounts.support import enrol, install_clock


def test_the_cli_removes_a_lost_second_factor_audited(personas, monkeypatch, capsys):
    clock = install_clock(monkeypatch)
    enrol(personas.admin, clock)
    call_command("two_factor_reset", personas.admin.email.upper(), "--unlock")
    assert not TotpDevice.objects.filter(user=personas.admin).exists()
    entry = AuditEntry.objects.get(action="2fa.reset")
    assert entry.actor is None and entry.target == f"user:{personas.admin.pk}"
    assert AuditEntry.objects.filter(action="login.unlock").exists()
    assert personas.admin.email in capsys.readouterr().out


def test_the_cli_names_an_unknown_login(db):
    with pytest.raises(CommandError, match=r"nobody@example\.com"):
        call_command("two_factor_reset", "nobody@example.com")


def test_the_cli_disables_a_login_ends_its_sessions_and_says_how_many(client, personas, capsys):
    user = personas.employee
    client.force_login(user)
    call_command("account_disable", " Emile@Example.com ")
    assert capsys.readouterr().out.strip() == (
        "Le compte de emile@example.com est désactivé\u202f; 1 session fermée."
    )
    assert not User.objects.get(pk=user.pk).is_active
    assert not LoginSession.objects.filter(user=user).exists()
    assert client.get(reverse("core:home")).status_code == 302
    entry = AuditEntry.objects.get(action="account.disable")
    assert entry.actor is None and entry.actor_label == "system"
    assert entry.target == f"user:{user.pk}" and entry.details == {"sessions": 1}
    call_command("account_disable", user.email)
    assert "déjà désactivé" in capsys.readouterr().out
    assert AuditEntry.objects.filter(action="account.disable").count() == 1


def test_the_cli_enables_a_disabled_login_again(personas, capsys):
    user = personas.employee
    call_command("account_disable", user.email)
    call_command("account_enable", user.email)
    assert capsys.readouterr().out.splitlines()[-1] == (
        "Le compte de emile@example.com est réactivé."
    )
    assert User.objects.get(pk=user.pk).is_active
    assert AuditEntry.objects.get(action="account.enable").actor is None
    call_command("account_enable", user.email)
    assert "déjà actif" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["account_disable", "account_enable"])
def test_the_cli_names_an_unknown_login_and_fails(db, command):
    with pytest.raises(CommandError, match=r"nobody@example\.com") as failed:
        call_command(command, "nobody@example.com")
    assert failed.value.returncode == 1


def test_the_cli_refuses_to_disable_the_last_administrator(personas):
    with pytest.raises(CommandError, match=r"ada@example\.com") as failed:
        call_command("account_disable", personas.admin.email)
    assert failed.value.returncode == 1
    assert User.objects.get(pk=personas.admin.pk).is_active
    assert not AuditEntry.objects.filter(action="account.disable").exists()


def test_an_unknown_role_in_the_setting_is_an_error(settings):
    settings.MIROIR_2FA_REQUIRED_ROLES = ["direction", "ceo"]
    (error,) = check_two_factor_roles()
    assert error.id == "miroir.E201" and "ceo" in error.msg
    settings.MIROIR_2FA_REQUIRED_ROLES = ["administrator", "direction"]
    assert check_two_factor_roles() == []
