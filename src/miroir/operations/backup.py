"""Portable backups: every table as compressed JSON lines, with a manifest to check them by.

A backup is a ZIP file holding ``manifest.json`` and one ``tables/<nnn>-<table>.jsonl`` per
table, in dependency order (a table after those it points to). The rows are read in one
transaction on a repeatable-read snapshot, so the file is consistent even while respondents
keep answering. Values are written through each field's own conversion, so a backup of
PostgreSQL restores into SQLite and back. The manifest gives the format, the migrations the
schema was at, and each table's row count and SHA-256, which a restore checks before it
writes anything (docs/operations.md, "Backup and restore").
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.duration import duration_string
from django.utils.translation import gettext as _

from miroir.accounts.sealed import SealedCharField

FORMAT = "miroir-backup"
VERSION = 1
MANIFEST = "manifest.json"
BATCH = 1000

Progress = Callable[[str, int, int], None]


# What is backed up -------------------------------------------------------------------------

# Left out: live login sessions. A session key is a login's bearer credential, and a restored
# install starts with everyone logged out anyway. A backup made before they were left out
# still restores: these tables are then skipped.
EXCLUDED = frozenset({"sessions.session", "accounts.loginsession"})


def backup_models() -> list[type[models.Model]]:
    """Return every table's model, each after the models it points to (self-links aside)."""
    candidates = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and not model._meta.swapped
        and model._meta.label_lower not in EXCLUDED
    ]
    by_label = {model._meta.label_lower: model for model in candidates}
    ordered: list[type[models.Model]] = []
    placed: set[str] = set()
    visiting: set[str] = set()

    def place(model: type[models.Model]) -> None:
        label = model._meta.label_lower
        if label in placed or label in visiting:
            return  # a cycle: deferred constraints let the transaction insert it anyway
        visiting.add(label)
        for target in _targets(model):
            if target in by_label and target != label:
                place(by_label[target])
        visiting.discard(label)
        placed.add(label)
        ordered.append(model)

    for model in sorted(candidates, key=lambda m: m._meta.label_lower):
        place(model)
    return ordered


def _targets(model: type[models.Model]) -> list[str]:
    return [
        f.related_model._meta.label_lower
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model is not None
    ]


def _columns(model: type[models.Model]) -> list[models.Field]:
    return list(model._meta.concrete_fields)


# Values ------------------------------------------------------------------------------------


def _encode(value: Any) -> Any:
    """Return ``value`` as JSON can hold it; the field's ``to_python`` reads it back."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return duration_string(value)
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def _decode(column: models.Field, value: Any) -> Any:
    if value is None or isinstance(column, models.JSONField):
        return value
    return column.to_python(value)


# Writing -----------------------------------------------------------------------------------


@dataclass
class TableEntry:
    table: str
    model: str
    file: str
    columns: list[str]
    rows: int
    sha256: str


@dataclass
class Manifest:
    engine: str
    created_at: str
    migrations: list[list[str]]
    tables: list[TableEntry] = field(default_factory=list)
    format: str = FORMAT
    version: int = VERSION

    @property
    def total_rows(self) -> int:
        return sum(entry.rows for entry in self.tables)

    def as_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "version": self.version,
            "engine": self.engine,
            "created_at": self.created_at,
            "migrations": self.migrations,
            "tables": [entry.__dict__ for entry in self.tables],
        }


def _snapshot(using: str) -> None:
    """Pin the transaction's view of the database: later commits stay out of the backup."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
    # SQLite: the transaction (BEGIN IMMEDIATE in Miroir's settings) holds the write lock,
    # so no other commit lands while the tables are read.


def backup_write(
    *, output: BinaryIO, using: str = DEFAULT_DB_ALIAS, progress: Progress | None = None
) -> Manifest:
    """Write the whole database to ``output`` as a backup file; return its manifest."""
    connection = connections[using]
    chosen = backup_models()
    # Inside a caller's transaction the snapshot is that transaction's own.
    outer = connection.in_atomic_block
    with transaction.atomic(using=using):
        if not outer:
            _snapshot(using)
        applied = sorted(
            [app, name]
            for app, name in MigrationRecorder.Migration.objects.using(using).values_list(
                "app", "name"
            )
        )
        manifest = Manifest(
            engine=connection.vendor,
            created_at=timezone.now().isoformat(),
            migrations=applied,
        )
        with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for number, model in enumerate(chosen, start=1):
                if progress:
                    progress(_("Tables"), number - 1, len(chosen))
                manifest.tables.append(_write_table(archive, number, model, using))
            if progress:
                progress(_("Tables"), len(chosen), len(chosen))
            archive.writestr(MANIFEST, json.dumps(manifest.as_json(), indent=2))
    return manifest


def _write_table(
    archive: zipfile.ZipFile, number: int, model: type[models.Model], using: str
) -> TableEntry:
    columns = _columns(model)
    names = [column.attname for column in columns]
    table = model._meta.db_table
    name = f"tables/{number:03d}-{table}.jsonl"
    digest = hashlib.sha256()
    rows = 0
    # A sealed column (a second factor's secret) is written as stored, sealed, never opened:
    # the key that opens it is not in the database, so not in the backup either.
    selected = [
        Cast(column.attname, output_field=models.TextField())
        if isinstance(column, SealedCharField)
        else column.attname
        for column in columns
    ]
    queryset = model._base_manager.using(using).order_by("pk").values_list(*selected)
    with archive.open(name, "w") as stream:
        for row in queryset.iterator(chunk_size=BATCH):
            line = json.dumps([_encode(value) for value in row], ensure_ascii=False) + "\n"
            data = line.encode("utf-8")
            digest.update(data)
            stream.write(data)
            rows += 1
    return TableEntry(table, model._meta.label_lower, name, names, rows, digest.hexdigest())


# Reading and restoring ---------------------------------------------------------------------


@dataclass
class RestorePlan:
    manifest: Manifest
    missing_models: list[str]
    applied: bool = False


def _fail(message: str) -> ValidationError:
    return ValidationError(message, code="backup")


def backup_read_manifest(archive: zipfile.ZipFile) -> Manifest:
    """Return the backup's manifest, or raise ``ValidationError`` saying why it is not one."""
    try:
        raw = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise _fail(_("This file is not a Miroir backup: it has no manifest.")) from None
    except ValueError:
        raise _fail(_("The backup's manifest is not valid JSON.")) from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise _fail(_("This file is not a Miroir backup."))
    if raw.get("version") != VERSION:
        raise _fail(
            _("This backup has format version %(found)s; this Miroir reads version %(ours)s.")
            % {"found": raw.get("version"), "ours": VERSION}
        )
    try:
        tables = [TableEntry(**entry) for entry in raw["tables"]]
        return Manifest(
            engine=raw["engine"],
            created_at=raw["created_at"],
            migrations=[list(pair) for pair in raw["migrations"]],
            tables=tables,
        )
    except (KeyError, TypeError):
        raise _fail(_("The backup's manifest is incomplete.")) from None


def _lines(archive: zipfile.ZipFile, entry: TableEntry) -> Iterator[bytes]:
    with archive.open(entry.file) as stream:
        yield from io.BufferedReader(stream)


def backup_verify(archive: zipfile.ZipFile, manifest: Manifest) -> None:
    """Check every table's row count and checksum against the manifest; raise on a mismatch."""
    for entry in manifest.tables:
        digest = hashlib.sha256()
        rows = 0
        try:
            for line in _lines(archive, entry):
                digest.update(line)
                rows += 1
        except KeyError:
            raise _fail(
                _("The backup lacks the file of table %(table)s.") % {"table": entry.table}
            ) from None
        except (zipfile.BadZipFile, OSError) as error:
            raise _fail(
                _("The backup's table %(table)s cannot be read: %(error)s")
                % {"table": entry.table, "error": error}
            ) from None
        if rows != entry.rows or digest.hexdigest() != entry.sha256:
            raise _fail(
                _(
                    "Table %(table)s does not match the manifest (rows read: %(found)d, expected: "
                    "%(expected)d, or a different checksum): the file is damaged."
                )
                % {"table": entry.table, "found": rows, "expected": entry.rows}
            )


def database_tables(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Return the tables the database already holds."""
    with connections[using].cursor() as cursor:
        return sorted(connections[using].introspection.table_names(cursor))


def _migration_targets(manifest: Manifest, executor: MigrationExecutor) -> list[tuple[str, str]]:
    """Return the migrations to migrate to so the schema is the backup's; raise if unknown."""
    recorded = {tuple(pair) for pair in manifest.migrations}
    graph = executor.loader.graph
    unknown = sorted(node for node in recorded if node not in graph.nodes)
    if unknown:
        raise _fail(
            _(
                "The backup was made by a newer Miroir: migrations %(names)s are unknown here. "
                "Install that version (or a later one) to restore it."
            )
            % {"names": ", ".join(f"{app}.{name}" for app, name in unknown[:5])}
        )
    return sorted(
        node
        for node in recorded
        if not any(child in recorded for child in graph.node_map[node].children)
    )


def backup_restore(
    *,
    source: Path | BinaryIO,
    apply: bool = False,
    using: str = DEFAULT_DB_ALIAS,
    progress: Progress | None = None,
) -> RestorePlan:
    """Return what the backup holds, after checking it; with ``apply``, restore it.

    The database must be empty (no table at all): a restore never mixes with or overwrites
    data. It is migrated to the backup's schema, filled in one transaction, its sequences
    reset, then migrated to this version's schema.
    """
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError):
        raise _fail(_("This file is not a Miroir backup (not a ZIP archive).")) from None
    with archive:
        manifest = backup_read_manifest(archive)
        backup_verify(archive, manifest)
        tables = database_tables(using)
        if tables:
            raise _fail(
                _(
                    "The database is not empty (tables: %(count)d, among them %(names)s). "
                    "Restore only into a new, empty database."
                )
                % {"count": len(tables), "names": ", ".join(tables[:5])}
            )
        connection = connections[using]
        executor = MigrationExecutor(connection)
        targets = _migration_targets(manifest, executor)
        known = {model._meta.label_lower: model for model in backup_models()}
        manifest.tables = [entry for entry in manifest.tables if entry.model not in EXCLUDED]
        missing = [entry.model for entry in manifest.tables if entry.model not in known]
        plan = RestorePlan(manifest=manifest, missing_models=missing)
        if not apply:
            return plan
        if missing:
            raise _fail(
                _(
                    "This Miroir has no table for %(models)s: restore with the version "
                    "that made the backup."
                )
                % {"models": ", ".join(missing)}
            )
        executor.migrate(targets)
        with transaction.atomic(using=using):
            # Rows that migrations wrote are in the backup too, as they were at backup time.
            with connection.cursor() as cursor:
                for entry in reversed(manifest.tables):
                    table = known[entry.model]._meta.db_table
                    cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for number, entry in enumerate(manifest.tables):
                if progress:
                    progress(_("Tables"), number, len(manifest.tables))
                _load_table(archive, entry, known[entry.model], using)
            if progress:
                progress(_("Tables"), len(manifest.tables), len(manifest.tables))
            connection.check_constraints()
            _reset_sequences(using, [known[entry.model] for entry in manifest.tables])
    # Then on to this version's schema, with the migrations made since the backup.
    call_command("migrate", interactive=False, verbosity=0, database=using)
    plan.applied = True
    return plan


def _load_table(
    archive: zipfile.ZipFile, entry: TableEntry, model: type[models.Model], using: str
) -> None:
    by_name = {column.attname: column for column in _columns(model)}
    unknown = [name for name in entry.columns if name not in by_name]
    if unknown:
        raise _fail(
            _("Table %(table)s has columns this schema lacks: %(columns)s")
            % {"table": entry.table, "columns": ", ".join(unknown)}
        )
    columns = [by_name[name] for name in entry.columns]
    connection = connections[using]
    quote = connection.ops.quote_name
    # Plain INSERTs of the values as they were: no save(), no auto_now, no signals.
    statement = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 (names from the models)
        quote(model._meta.db_table),
        ", ".join(quote(column.column) for column in columns),
        ", ".join(["%s"] * len(columns)),
    )
    batch: list[list[Any]] = []
    with connection.cursor() as cursor:
        for line in _lines(archive, entry):
            values = json.loads(line)
            batch.append(
                [
                    column.get_db_prep_save(_decode(column, value), connection)
                    for column, value in zip(columns, values, strict=True)
                ]
            )
            if len(batch) >= BATCH:
                cursor.executemany(statement, batch)
                batch = []
        if batch:
            cursor.executemany(statement, batch)


def _reset_sequences(using: str, chosen: list[type[models.Model]]) -> None:
    """Move each id sequence past the restored rows, so that new rows get fresh ids."""
    connection = connections[using]
    statements = connection.ops.sequence_reset_sql(no_style(), chosen)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
