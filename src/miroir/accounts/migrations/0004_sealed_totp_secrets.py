"""Second-factor secrets are sealed at rest: existing rows are sealed under the current key."""

from __future__ import annotations

from typing import Any

from django.db import migrations

import miroir.accounts.sealed
from miroir.accounts.sealed import is_sealed, seal, unseal


def _rows(schema_editor: Any) -> list[tuple[int, str]]:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT id, secret FROM accounts_totpdevice")
        return list(cursor.fetchall())


def _write(schema_editor: Any, changed: list[tuple[str, int]]) -> None:
    if changed:
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany("UPDATE accounts_totpdevice SET secret = %s WHERE id = %s", changed)


def seal_existing(apps: Any, schema_editor: Any) -> None:
    """Seal every secret still stored in clear (raw SQL: the stored value, as it is)."""
    _write(
        schema_editor,
        [(seal(secret), pk) for pk, secret in _rows(schema_editor) if not is_sealed(secret)],
    )


def unseal_existing(apps: Any, schema_editor: Any) -> None:
    """Put the secrets back in clear, for the schema before this migration."""
    _write(
        schema_editor,
        [(unseal(secret), pk) for pk, secret in _rows(schema_editor) if is_sealed(secret)],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_disabled_at"),
    ]

    operations = [
        migrations.AlterField(
            model_name="totpdevice",
            name="secret",
            field=miroir.accounts.sealed.SealedCharField(max_length=255),
        ),
        migrations.RunPython(seal_existing, unseal_existing),
    ]
