"""``miroir rollups_rebuild``: recompute the results' roll-ups from the stored responses."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from miroir.collect.models import Wave
from miroir.core.management.base import MiroirCommand
from miroir.results.services import rollups_rebuild


class Command(MiroirCommand):
    help = "Recompute the results' roll-ups from the responses (all waves, or the ones named)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--wave", type=int, action="append", default=[], help="id of a wave (repeatable)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        waves = None
        if options["wave"]:
            waves = list(Wave.objects.filter(pk__in=options["wave"]).order_by("pk"))
            missing = sorted(set(options["wave"]) - {wave.pk for wave in waves})
            if missing:
                self.fail(
                    _("No such wave: %(ids)s") % {"ids": ", ".join(str(pk) for pk in missing)}
                )
        with self.phase_progress() as progress:
            done = rollups_rebuild(waves=waves, progress=lambda i, n: progress(_("Roll-ups"), i, n))
        self.stdout.write(
            _("Waves rebuilt: %(waves)d; roll-up rows: %(rollups)d; response rows: %(responses)d.")
            % done
        )
