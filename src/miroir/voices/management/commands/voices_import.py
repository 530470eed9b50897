"""``miroir voices_import``: record customer complaints from a CSV file."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from miroir.core.management.base import MiroirCommand
from miroir.voices.intake import FIELDS, REQUIRED, complaints_check, complaints_record
from miroir.voices.models import VoiceSource


class Command(MiroirCommand):
    help = (
        "Record customer complaints from a CSV file with the columns "
        + ", ".join(FIELDS)
        + " (docs/voices.md). Nothing is recorded when a line is invalid; complaints already "
        "received under the same external id are left unchanged."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="CSV", help="The complaints file (UTF-8).")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and say what it holds, without recording anything.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with self.open_input(options["file"], what=_("complaints file")) as handle:
            try:
                text = handle.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.fail(_("The file is not UTF-8 text."))
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = reader.fieldnames or []
        missing = [name for name in REQUIRED if name not in header]
        if missing:
            self.fail(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
        rows = [{k: v for k, v in row.items() if k is not None} for row in reader]
        checked, problems = complaints_check(rows)
        lines = [
            _("line %(line)d, column %(field)s: %(message)s")
            % {"line": p.index + 2, "field": p.field, "message": p.message}
            for p in problems
        ]
        if problems:
            self.fail(_("Errors prevent the import; nothing was recorded:"), lines)
        if options["dry_run"]:
            self.stdout.write(
                _("Dry run, nothing was recorded. Valid complaints: %(count)d.")
                % {"count": len(checked)}
            )
            return
        report = complaints_record(checked, source=VoiceSource.CSV)
        self.stdout.write(
            self.style.SUCCESS(
                _("Complaints recorded. New: %(created)d; already known: %(duplicate)d.")
                % report.counts
            )
        )
