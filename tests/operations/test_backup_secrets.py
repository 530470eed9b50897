"""Backups hold no live session and no usable second-factor secret.

Sessions are left out. TOTP secrets are sealed at rest under a key that is not in the
database (``MIROIR_TOTP_KEY``, else derived from ``MIROIR_SECRET_KEY``): the backup holds them
sealed, as stored, and a restore writes them back as they were.
"""

from __future__ import annotations

import importlib
import json
import zipfile
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from miroir.accounts import services, twofactor
from miroir.accounts.models import TotpDevice
from miroir.operations.backup import EXCLUDED, backup_models

pytestmark = pytest.mark.django_db


def _stored(device: TotpDevice) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM accounts_totpdevice WHERE id = %s", [device.pk])
        return cursor.fetchone()[0]


def _confirmed(user) -> TotpDevice:
    device = services.totp_setup_start(user=user)
    TotpDevice.objects.filter(pk=device.pk).update(confirmed_at=timezone.now())
    return device


def _code(secret: str) -> str:
    return twofactor.code_at_step(secret, twofactor.current_step())


def test_a_backup_holds_no_session_and_no_readable_second_factor_secret(client, personas, tmp_path):
    client.force_login(personas.shop_manager)
    session_key = client.session.session_key
    secret = services.totp_setup_start(user=personas.direction).secret
    path = tmp_path / "miroir.backup"
    call_command("backup", output=path, verbosity=0)
    with zipfile.ZipFile(path) as archive:
        tables = {entry["table"] for entry in json.loads(archive.read("manifest.json"))["tables"]}
        content = b"".join(archive.read(name) for name in archive.namelist())
    assert "django_session" not in tables and "accounts_loginsession" not in tables
    assert "accounts_totpdevice" in tables
    assert session_key and session_key.encode() not in content
    assert secret.encode() not in content
    assert b"sealed1:" in content


def test_sessions_are_the_only_tables_left_out():
    labels = {model._meta.label_lower for model in backup_models()}
    assert EXCLUDED == {"sessions.session", "accounts.loginsession"}
    assert not labels & EXCLUDED
    assert "accounts.totpdevice" in labels and "accounts.user" in labels


def test_the_secret_is_sealed_in_the_database_and_plain_in_python(personas):
    device = _confirmed(personas.direction)
    stored = _stored(device)
    assert stored.startswith("sealed1:") and device.secret not in stored
    assert TotpDevice.objects.get(pk=device.pk).secret == device.secret
    assert services.second_factor_check(user=personas.direction, code=_code(device.secret))


def test_another_key_opens_nothing_and_no_code_is_accepted(personas, settings):
    device = _confirmed(personas.direction)
    settings.MIROIR_TOTP_KEY = "a-key-that-did-not-seal-it"
    assert TotpDevice.objects.get(pk=device.pk).secret == ""
    assert services.second_factor_check(user=personas.direction, code=_code(device.secret)) is None


def test_a_new_key_still_opens_what_the_old_one_sealed(personas, settings):
    device = _confirmed(personas.direction)
    settings.MIROIR_TOTP_OLD_KEYS = [settings.MIROIR_TOTP_KEY or settings.SECRET_KEY]
    settings.MIROIR_TOTP_KEY = "the-new-key"
    assert TotpDevice.objects.get(pk=device.pk).secret == device.secret
    # Saved again, it is sealed under the new key alone.
    again = TotpDevice.objects.get(pk=device.pk)
    again.save(update_fields=["secret"])
    settings.MIROIR_TOTP_OLD_KEYS = []
    assert TotpDevice.objects.get(pk=device.pk).secret == device.secret


def test_the_migration_seals_secrets_stored_in_clear_and_can_undo_it(personas):
    device = _confirmed(personas.direction)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE accounts_totpdevice SET secret = %s WHERE id = %s", [device.secret, device.pk]
        )
    migration = importlib.import_module("miroir.accounts.migrations.0004_sealed_totp_secrets")
    editor = SimpleNamespace(connection=connection)
    migration.seal_existing(None, editor)
    assert _stored(device).startswith("sealed1:")
    assert TotpDevice.objects.get(pk=device.pk).secret == device.secret
    migration.seal_existing(None, editor)  # twice: sealed once, still readable
    assert TotpDevice.objects.get(pk=device.pk).secret == device.secret
    migration.unseal_existing(None, editor)
    assert _stored(device) == device.secret
