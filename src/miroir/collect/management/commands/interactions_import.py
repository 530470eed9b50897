"""``miroir interactions_import``: record interactions from a CSV file; hot waves invite."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from miroir.collect.interactions import FIELDS, InteractionFileProblem, interactions_import
from miroir.core.management.base import MiroirCommand


class Command(MiroirCommand):
    help = (
        "Record customer interactions from a CSV file with the columns "
        + ", ".join(FIELDS)
        + " (docs/collection.md). Nothing is recorded when a line is invalid, unless "
        "--skip-invalid is given; lines already recorded from the same source are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="CSV", help="The interactions file (UTF-8).")
        parser.add_argument(
            "--source",
            default="csv",
            help="The system the file comes from: ids are unique per source (default: csv).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and say what it holds, without recording anything.",
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Record the valid lines and report the invalid ones, instead of nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with (
            self.open_input(options["file"], what=_("interactions file")) as handle,
            self.phase_progress() as progress,
        ):
            try:
                report = interactions_import(
                    handle,
                    source=options["source"],
                    dry_run=options["dry_run"],
                    skip_invalid=options["skip_invalid"],
                    progress=progress,
                )
            except InteractionFileProblem as problem:
                self.fail(str(problem))
        lines = [
            _("line %(line)d, %(field)s: %(message)s")
            % {"line": p.index + 2, "field": p.field, "message": p.message}
            for p in report.problems
        ]
        if report.problems and not options["skip_invalid"]:
            self.fail(_("Errors prevent the import; nothing was recorded:"), lines)
        invalid = len({p.index for p in report.problems})
        if options["dry_run"]:
            self.stdout.write(
                _(
                    "Dry run, nothing was recorded. Valid lines: %(valid)d; "
                    "invalid lines: %(invalid)d."
                )
                % {"valid": report.rows - invalid, "invalid": invalid}
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Interactions recorded: %(count)d.") % {"count": report.rows - invalid}
                )
            )
            for outcome, count in sorted(report.counts.items()):
                self.stdout.write(f"  {outcome}: {count}")
        for line in lines:
            self.stderr.write(line, style_func=self.style.WARNING)
