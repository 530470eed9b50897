"""``miroir contact_erase``: erase one person's data on request (a dry run unless --apply)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from miroir.core.management.base import MiroirCommand
from miroir.privacy.management.commands.contact_export import add_contact_arguments
from miroir.privacy.selectors import contact_query
from miroir.privacy.services import ErasureReport, contact_erase, contact_erase_plan


class Command(MiroirCommand):
    help = (
        "Erase what Miroir holds about one person: customer invitations lose the address, "
        "their responses lose the link (answers stay), members are erased. Shows what would "
        "go unless --apply is given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_contact_arguments(parser)
        parser.add_argument("--apply", action="store_true", help="Erase for real.")
        parser.add_argument(
            "--opt-out",
            action="store_true",
            help="Also add the address to the opt-outs (no more invitations, ever).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        query = contact_query(email=options["email"], phone=options["phone"])
        if options["apply"]:
            report = contact_erase(query=query, actor=None, opt_out=options["opt_out"])
            self.stdout.write(_("Erased:"))
        else:
            report = contact_erase_plan(query=query, opt_out=options["opt_out"])
            self.stdout.write(_("Dry run, nothing changed. Would erase:"))
        self._report(report)
        if not options["apply"]:
            self.stdout.write(_("Run again with --apply to erase."))

    def _report(self, report: ErasureReport) -> None:
        lines = [
            (_("customer invitations"), report.invitations),
            (_("responses unlinked (answers kept)"), report.responses_unlinked),
            (_("interactions"), report.interactions),
            (_("recent-invitation digests"), report.invited_digests),
            (_("members"), report.members),
        ]
        for label, count in lines:
            self.stdout.write(f"  {label}: {count}")
        state = _("yes") if report.opted_out else _("no")
        self.stdout.write(f"  {_('on the opt-out list')}: {state}")
