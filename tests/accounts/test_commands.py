"""The CLI reset of a second factor, and the check on the roles that require one."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from miroir.accounts.models import TotpDevice
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


def test_an_unknown_role_in_the_setting_is_an_error(settings):
    settings.MIROIR_2FA_REQUIRED_ROLES = ["direction", "ceo"]
    (error,) = check_two_factor_roles()
    assert error.id == "miroir.E201" and "ceo" in error.msg
    settings.MIROIR_2FA_REQUIRED_ROLES = ["administrator", "direction"]
    assert check_two_factor_roles() == []
