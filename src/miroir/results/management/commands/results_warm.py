"""``miroir results_warm``: count and share the releases the result pages read."""

from __future__ import annotations

import time
from typing import Any

from django.utils.translation import gettext as _

from miroir.core.management.base import MiroirCommand
from miroir.results.services import releases_warm


class Command(MiroirCommand):
    help = (
        "Count the results' releases the pages read and share them between the server's "
        "processes, so that a fresh process reads them instead of counting them on its first "
        "page. Run it after each deployment and after rollups_rebuild."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--lens",
            action="append",
            default=[],
            help="customer, employee, management or partner (repeatable; default: every lens)",
        )
        parser.add_argument(
            "--latest",
            type=int,
            default=None,
            help="only the latest N periods with responses (default: every period)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        with self.phase_progress() as progress:
            done = releases_warm(
                lenses=options["lens"] or None,
                latest=options["latest"],
                progress=lambda i, n: progress(_("Releases"), i, n),
            )
        self.stdout.write(
            _("Releases shared: %(releases)d, of which counted now: %(counted)d (%(seconds).1f s).")
            % {
                "releases": done.releases,
                "counted": done.counted,
                "seconds": time.perf_counter() - started,
            }
        )
