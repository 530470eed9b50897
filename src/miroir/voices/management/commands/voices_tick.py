"""``miroir voices_tick``: reminders and escalations of the voices, for cron or a timer."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _

from miroir.core.management.base import MiroirCommand
from miroir.voices.tasks import PERIODIC


class Command(MiroirCommand):
    help = (
        "Escalate the voices past their deadline to the manager above, remind owners of the "
        "voices due soon, and analyse texts left behind. Run it every hour."
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
