"""``miroir tasks_failed``: the background tasks that failed every attempt and gave up."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from miroir.core.management.base import MiroirCommand
from miroir.operations.selectors import task_failures, task_queue


class Command(MiroirCommand):
    help = (
        "List the background tasks that gave up after all their attempts (not yet dealt "
        "with, unless --all) and say whether tasks wait past their time for lack of a worker; "
        "exits non-zero in either case, for monitoring."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="Include those dealt with.")
        parser.add_argument("--json", action="store_true", help="One JSON object per line.")

    def handle(self, *args: Any, **options: Any) -> None:
        failures = list(task_failures(include_dismissed=options["all"]))
        for failure in failures:
            if options["json"]:
                record = {
                    "id": failure.pk,
                    "task": failure.task_path,
                    "arguments": failure.arguments,
                    "attempts": failure.attempts,
                    "error": failure.error,
                    "failed_at": failure.failed_at.isoformat(),
                    "dismissed_at": failure.dismissed_at.isoformat()
                    if failure.dismissed_at
                    else None,
                }
                self.stdout.write(json.dumps(record, ensure_ascii=False))
            else:
                self.stdout.write(
                    f"#{failure.pk} {failure.failed_at:%Y-%m-%d %H:%M} {failure.task_path} "
                    f"({failure.attempts}) {json.dumps(failure.arguments)}: {failure.error}"
                )
        queue = task_queue()
        problems = []
        if failures and not options["all"]:
            problems.append(
                ngettext(
                    "%(count)d background task gave up; see it under Settings → Background tasks.",
                    "%(count)d background tasks gave up; see them under Settings → Background "
                    "tasks.",
                    len(failures),
                )
                % {"count": len(failures)}
            )
        if queue.worker_missing:
            problems.append(
                ngettext(
                    "%(count)d task has waited more than %(minutes)d minutes past its time: "
                    "no task worker is running (start `%(worker)s`).",
                    "%(count)d tasks have waited more than %(minutes)d minutes past their time: "
                    "no task worker is running (start `%(worker)s`).",
                    queue.late,
                )
                % {"count": queue.late, "minutes": queue.late_minutes, "worker": queue.worker}
            )
        if problems:
            self.fail(" ".join(problems))
        if not failures and not options["json"]:
            self.stdout.write(self.style.SUCCESS(_("No background task has given up.")))
