"""``miroir collect_tick``: the periodic work of the collection, for cron or a systemd timer."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from miroir.collect.tasks import PERIODIC
from miroir.core.management.base import MiroirCommand


class Command(MiroirCommand):
    help = (
        "Close and open the waves that are due, send pending invitations and due reminders "
        "within each channel's rate, and purge old invitations. Run it every minute."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Hand the work to the task worker instead of doing it in this process.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for periodic in PERIODIC:
            if options["enqueue"]:
                periodic.enqueue()
                outcome: Any = _("queued")
            else:
                outcome = periodic.call()
            if self.verbosity > 0:
                self.stdout.write(f"{periodic.name}: {outcome}")
