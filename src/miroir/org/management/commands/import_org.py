"""``miroir import_org``: import units and members from the CSV files an HR system exports."""

from __future__ import annotations

from contextlib import ExitStack
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from miroir.core.management.base import MiroirCommand
from miroir.org.imports import Counts, ImportReport, org_import


class Command(MiroirCommand):
    help = (
        "Import units and members from CSV files (see docs/import.md). Nothing is written "
        "when a line is invalid, unless --skip-invalid is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--units", metavar="CSV", help="The units file.")
        parser.add_argument("--members", metavar="CSV", help="The members file.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the files and report what would change, without writing anything.",
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid lines and report the invalid ones, instead of nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["units"] and not options["members"]:
            self.fail(_("Give --units, --members, or both."))
        with ExitStack() as files, self.phase_progress() as progress:
            units = members = None
            if options["units"]:
                units = files.enter_context(self.open_input(options["units"], what=_("units file")))
            if options["members"]:
                members = files.enter_context(
                    self.open_input(options["members"], what=_("members file"))
                )
            report = org_import(
                units_file=units,
                members_file=members,
                dry_run=options["dry_run"],
                skip_invalid=options["skip_invalid"],
                progress=progress,
            )
        if report.blocked:
            self.fail(
                _("Errors prevent the import; nothing was written:"),
                (str(error) for error in report.errors),
            )
        self._summary(report)
        for error in report.errors:
            self.stderr.write(str(error), style_func=self.style.WARNING)

    def _summary(self, report: ImportReport) -> None:
        if report.applied:
            self.stdout.write(self.style.SUCCESS(_("Import written.")))
        elif report.dry_run:
            self.stdout.write(_("Dry run: nothing was written. The import would give:"))
        for label, counts in (
            (_("Units"), report.units),
            (_("Members"), report.members),
            (_("Partner organisations"), report.partner_organisations),
        ):
            self.stdout.write(f"{label} — {self._counts(counts)}")
        self.stdout.write(
            _("Roles granted: %(granted)d; revoked: %(revoked)d. New logins: %(logins)d.")
            % {
                "granted": report.roles_granted,
                "revoked": report.roles_revoked,
                "logins": report.logins_created,
            }
        )
        if report.errors and not report.blocked:
            self.stdout.write(
                _("Invalid lines skipped: %(count)d (listed on stderr).")
                % {"count": report.skipped_lines}
            )

    @staticmethod
    def _counts(counts: Counts) -> str:
        return _("created: %(created)d, updated: %(updated)d, unchanged: %(unchanged)d") % {
            "created": counts.created,
            "updated": counts.updated,
            "unchanged": counts.unchanged,
        }
