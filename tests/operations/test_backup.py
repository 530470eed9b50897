"""Backups: refusals and checks in process; round trips of the demo between real databases.

The round trips run the ``miroir`` command in processes of their own, each pointed at its
database, as an operator would: the demo is built in one database, backed up, restored into
a new empty one, and every table is compared row for row.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from miroir.operations.backup import backup_models
from miroir.org.models import Member, Unit
from tests.reliability.support import drop_shared_database, shared_database

RUN_COMMANDS = str(Path(__file__).with_name("run_commands.py"))
DEMO = "demo --regions 1 --shops 2 --members-per-shop 4 --seed 7"


# In process -------------------------------------------------------------------------------


@pytest.fixture
def backup_file(personas, tmp_path) -> Path:
    path = tmp_path / "miroir.backup"
    call_command("backup", output=path, verbosity=0)
    return path


def test_the_manifest_counts_every_table(backup_file):
    with zipfile.ZipFile(backup_file) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        tables = {entry["table"]: entry for entry in manifest["tables"]}
        units = archive.read(tables["org_unit"]["file"]).decode().splitlines()
    assert manifest["format"] == "miroir-backup"
    assert tables["org_unit"]["rows"] == Unit.objects.count() == len(units)
    assert tables["org_member"]["rows"] == Member.objects.count()
    assert ["org", "0001_initial"] in manifest["migrations"]
    assert len(tables) == len(backup_models())


def test_tables_come_after_the_tables_they_point_to():
    order = [model._meta.label_lower for model in backup_models()]
    for position, model in enumerate(backup_models()):
        for field in model._meta.concrete_fields:
            target = field.related_model
            if field.is_relation and target is not None and target is not model:
                assert order.index(target._meta.label_lower) < position, (model, field)


def test_restoring_into_a_database_that_holds_tables_is_refused(backup_file):
    with translation.override("en"), pytest.raises(CommandError, match="is not empty"):
        call_command("restore", str(backup_file), "--apply")
    assert Unit.objects.count() > 0  # nothing touched


def test_a_damaged_backup_is_refused_before_anything_is_written(backup_file, tmp_path):
    damaged = tmp_path / "damaged.backup"
    with zipfile.ZipFile(backup_file) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if "org_unit" in item.filename:
                data = data.replace(b"Lille", b"Lyon!")
            target.writestr(item, data)
    with translation.override("en"), pytest.raises(CommandError, match="org_unit does not"):
        call_command("restore", str(damaged))


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"not a zip", "not a ZIP archive"), (None, "has no manifest")],
)
def test_a_file_that_is_no_backup_is_refused(db, tmp_path, content, message):
    path = tmp_path / "file"
    if content is None:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("hello.txt", "hello")
    else:
        path.write_bytes(content)
    with translation.override("en"), pytest.raises(CommandError, match=message):
        call_command("restore", str(path))


def test_backup_refuses_to_overwrite_a_file(personas, tmp_path):
    path = tmp_path / "exists.backup"
    path.write_bytes(b"precious")
    with translation.override("en"), pytest.raises(CommandError, match="already exists"):
        call_command("backup", output=path)
    assert path.read_bytes() == b"precious"


# Round trips between real databases ------------------------------------------------------


def _env(**extra: str) -> dict[str, str]:
    environment = dict(os.environ)
    # The backup runs in the embedded setup or against the test's own server, never the
    # scaled-out pass's replica, cache or queue.
    for name in (
        "MIROIR_DATABASE_URL",
        "MIROIR_TEST_DATABASE_NAME",
        "DJANGO_SETTINGS_MODULE",
        "MIROIR_DATABASE_REPLICA_URL",
        "MIROIR_REDIS_URL",
        "MIROIR_TASK_QUEUE",
    ):
        environment.pop(name, None)
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "miroir.settings",
            "MIROIR_SECRET_KEY": "backup-tests-only-" + "x" * 40,
            "MIROIR_LOG_LEVEL": "WARNING",
        }
    )
    environment.update(extra)
    return environment


def _miroir(environment: dict[str, str], *commands: str) -> str:
    """Return the output of ``commands`` run in one process (see run_commands.py)."""
    done = subprocess.run(
        [sys.executable, RUN_COMMANDS, *commands],
        env=environment,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"{commands} failed:\n{done.stdout}\n{done.stderr[-3000:]}")
    return done.stdout


def _postgres_tables(url: str) -> dict[str, list[tuple]]:
    with psycopg.connect(url) as connection:
        names = [
            name
            for (name,) in connection.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
        ]
        return {
            name: sorted(connection.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)  # noqa: S608
            for name in names
            if name != "django_migrations"
        }


def _sqlite_tables(path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(path) as connection:
        names = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            name: sorted(connection.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)  # noqa: S608
            for name in names
            if name != "django_migrations"
        }


# Live sessions are left out of backups (operations/backup.py, EXCLUDED).
NOT_BACKED_UP = {"django_session", "accounts_loginsession"}


def _assert_same(source: dict[str, list[tuple]], restored: dict[str, list[tuple]]) -> None:
    assert source.keys() == restored.keys()
    for table, rows in source.items():
        if table in NOT_BACKED_UP:
            assert restored[table] == [], f"table {table} was restored"
            continue
        assert restored[table] == rows, f"table {table} differs"
    assert sum(len(rows) for rows in source.values()) > 1000  # the demo, not an empty shell


def test_the_demo_round_trips_on_postgresql(tmp_path):
    source = shared_database("backup_source")
    target = shared_database("backup_target")
    try:
        before = _env(MIROIR_DATABASE_URL=source, MIROIR_DATA_DIR=str(tmp_path / "a"))
        after = _env(MIROIR_DATABASE_URL=target, MIROIR_DATA_DIR=str(tmp_path / "b"))
        backup = tmp_path / "demo.backup"
        _miroir(before, "migrate --noinput -v 0", DEMO, f"backup --output {backup}")

        output = _miroir(
            after,
            f"restore {backup}",
            "inspectdb",  # the dry run created no table
            f"restore {backup} --apply",
            "audit_verify",
            f"!restore {backup} --apply",
        )
        dry, created, applied, _verified, again = ("\n" + output).split("\n== ")[1:]
        assert "--apply" in dry
        assert "class " not in created
        restored = re.search(r"(?:Tables|tables)\W+(\d+)\W+(?:lignes|rows)\W+(\d+)", applied)
        assert restored is not None, applied
        assert int(restored.group(1)) >= 40 and int(restored.group(2)) > 1000
        assert "REFUSED" in again  # no longer empty
        _assert_same(_postgres_tables(source), _postgres_tables(target))
        with psycopg.connect(target) as connection:
            # The sequences were moved past the restored ids: the next unit gets a fresh one.
            top = connection.execute("SELECT max(id) FROM org_unit").fetchone()[0]
            following = connection.execute(
                "SELECT nextval(pg_get_serial_sequence('org_unit', 'id'))"
            ).fetchone()[0]
            assert following > top
    finally:
        drop_shared_database(source)
        drop_shared_database(target)


@pytest.fixture(scope="module")
def sqlite_demo(tmp_path_factory) -> tuple[Path, dict[str, list[tuple]]]:
    """Return a backup of the small demo built on SQLite, and that database's rows."""
    folder = tmp_path_factory.mktemp("sqlite-demo")
    backup = folder / "demo.backup"
    before = _env(MIROIR_DATA_DIR=str(folder / "a"))
    _miroir(before, "migrate --noinput -v 0", DEMO, f"backup --output {backup}")
    return backup, _sqlite_tables(folder / "a" / "miroir.sqlite3")


def test_the_demo_round_trips_on_sqlite(sqlite_demo, tmp_path):
    backup, source = sqlite_demo
    after = _env(MIROIR_DATA_DIR=str(tmp_path / "b"))
    _miroir(after, f"restore {backup} --apply", "audit_verify")
    _assert_same(source, _sqlite_tables(tmp_path / "b" / "miroir.sqlite3"))


def test_a_sqlite_backup_moves_to_postgresql(sqlite_demo, tmp_path):
    # A demo install moves to production: every row, the audit chain intact.
    backup, source = sqlite_demo
    target = shared_database("backup_cross")
    try:
        moved = _env(MIROIR_DATABASE_URL=target, MIROIR_DATA_DIR=str(tmp_path / "c"))
        _miroir(moved, f"restore {backup} --apply", "audit_verify")
        restored = _postgres_tables(target)
    finally:
        drop_shared_database(target)
    assert {table: len(rows) for table, rows in restored.items()} == {
        table: len(rows) for table, rows in source.items()
    }


def test_manifest_checksums_cover_the_rows_as_written(backup_file):
    import hashlib

    with zipfile.ZipFile(backup_file) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        for entry in manifest["tables"]:
            data = archive.read(entry["file"])
            assert hashlib.sha256(data).hexdigest() == entry["sha256"]
            assert data.count(b"\n") == entry["rows"]
