"""``miroir restore FILE``: check a backup; with ``--apply``, restore it into an empty database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from miroir.core.management.base import MiroirCommand
from miroir.operations.backup import backup_restore


class Command(MiroirCommand):
    help = (
        "Check FILE (a `miroir backup`) and the target database, and say what would be "
        "restored; --apply restores it. The database must be new and empty."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The backup file.")
        parser.add_argument(
            "--apply",
            action="store_true",
            help="Write to the database (without it, nothing is written: a dry run).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with (
            self.open_input(options["file"], what=_("Backup")) as stream,
            self.phase_progress() as progress,
        ):
            plan = backup_restore(source=stream, apply=options["apply"], progress=progress)
        manifest = plan.manifest
        figures = {
            "tables": len(manifest.tables),
            "rows": manifest.total_rows,
            "engine": manifest.engine,
            "created": manifest.created_at,
        }
        if self.verbosity > 1:
            for entry in manifest.tables:
                self.stdout.write(f"  {entry.table}: {entry.rows}")
        if plan.applied:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Restored from the %(engine)s backup of %(created)s. Tables: %(tables)d; "
                        "rows: %(rows)d."
                    )
                    % figures
                )
            )
            return
        self.stdout.write(
            _(
                "Dry run: the backup is intact (%(engine)s, %(created)s; tables: %(tables)d; "
                "rows: %(rows)d) and the database is empty. Nothing was written; add --apply to "
                "restore."
            )
            % figures
        )
        if plan.missing_models:
            self.stdout.write(
                self.style.WARNING(
                    _("This Miroir has no table for: %(models)s")
                    % {"models": ", ".join(plan.missing_models)}
                )
            )
