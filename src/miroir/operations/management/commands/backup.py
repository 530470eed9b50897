"""``miroir backup --output FILE``: a consistent, portable backup of the whole database."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from miroir.core.management.base import MiroirCommand
from miroir.operations.backup import backup_write


class Command(MiroirCommand):
    help = (
        "Write every table to FILE (ZIP of JSON lines with a manifest of migrations, row "
        "counts and checksums), read on one consistent snapshot while Miroir keeps running."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, type=Path, help="The file to write.")
        parser.add_argument(
            "--force", action="store_true", help="Replace FILE when it already exists."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output: Path = options["output"]
        if output.exists() and not options["force"]:
            self.fail(
                _("%(path)s already exists: choose another name, or add --force.")
                % {"path": output}
            )
        if not output.parent.is_dir():
            self.fail(_("No such folder: %(path)s") % {"path": output.parent})
        # Written beside the target, then renamed: a failed backup never leaves half a file
        # under the name of a good one.
        partial = output.with_name(f".{output.name}.partial")
        try:
            with open(partial, "wb") as stream, self.phase_progress() as progress:
                manifest = backup_write(output=stream, progress=progress)
            os.replace(partial, output)
        except OSError as error:
            partial.unlink(missing_ok=True)
            self.fail(_("Cannot write %(path)s: %(error)s") % {"path": output, "error": error})
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        self.stdout.write(
            self.style.SUCCESS(
                _("Backup written to %(path)s (%(engine)s). Tables: %(tables)d; rows: %(rows)d.")
                % {
                    "path": output,
                    "tables": len(manifest.tables),
                    "rows": manifest.total_rows,
                    "engine": manifest.engine,
                }
            )
        )
