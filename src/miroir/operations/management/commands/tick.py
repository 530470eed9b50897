"""``miroir tick``: the periodic work of every app, for cron or a systemd timer, every minute."""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from miroir.core.management.base import MiroirCommand
from miroir.operations.periodic import PeriodicJob, job_claim, jobs_last_run, jobs_load

logger = logging.getLogger(__name__)


class Command(MiroirCommand):
    help = (
        "Run the periodic jobs that are due: close and open waves, send invitations and "
        "reminders, purge and erase what is past its retention, remind and escalate voices. "
        "Run it every minute; each job runs once per slot of its own cadence."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Hand each due job to the task worker instead of running it in this process.",
        )
        parser.add_argument(
            "--only",
            action="append",
            metavar="NAME",
            default=[],
            help="Run this job now, due or not (repeat for several; see --list).",
        )
        parser.add_argument("--all", action="store_true", help="Run every job now, due or not.")
        parser.add_argument(
            "--list", action="store_true", help="List the jobs, their cadence and last run."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        jobs = jobs_load()
        if options["list"]:
            self._list(jobs)
            return
        unknown = [name for name in options["only"] if name not in jobs]
        if unknown:
            self.fail(
                _("Unknown job: %(names)s.") % {"names": ", ".join(unknown)},
                [_("Known jobs: %(names)s.") % {"names": ", ".join(jobs)}],
            )
        only = options["only"]
        chosen = [job for job in jobs.values() if not only or job.name in only]
        force = options["all"] or bool(only)
        now = timezone.now()
        failed = []
        for job in chosen:
            if not job_claim(job, now=now, force=force):
                continue
            if options["enqueue"]:
                job.task.enqueue()
                outcome: Any = _("queued")
            else:
                try:
                    outcome = job.task.call()
                except Exception:
                    # The other jobs still run; the task's own retry and record have the rest.
                    logger.exception("Periodic job %s failed", job.name)
                    failed.append(job.name)
                    continue
            if self.verbosity > 0:
                self.stdout.write(f"{job.name}: {outcome}")
        if failed:
            self.fail(_("These jobs failed: %(names)s.") % {"names": ", ".join(failed)})

    def _list(self, jobs: dict[str, PeriodicJob]) -> None:
        last = jobs_last_run()
        for job in jobs.values():
            minutes = int(job.every.total_seconds() // 60)
            ran = last.get(job.name)
            self.stdout.write(
                f"{job.name}\t"
                + _("minutes between runs: %(minutes)d") % {"minutes": minutes}
                + "\t"
                + (ran.isoformat(timespec="seconds") if ran else _("never"))
            )
