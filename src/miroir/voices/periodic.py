"""The periodic work of the voices, run by ``miroir tick`` every hour (docs/voices.md).

No job carries a voice's id: texts are redacted in the write that stores them. Declared
in the order they run: escalate first, so that a voice overdue now is not reminded any more.
"""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from miroir.operations.periodic import HOUR, periodic
from miroir.voices import services


@periodic(every=HOUR)
@task()
def escalate_overdue_voices() -> int:
    return services.voices_escalate_overdue(now=timezone.now())


@periodic(every=HOUR)
@task()
def remind_due_voices() -> int:
    return services.voices_remind_due(now=timezone.now())


@periodic(every=HOUR)
@task()
def analyse_pending_voices() -> None:
    """Remove names from texts whose redaction could not run when they were written.

    Returns nothing: a count kept with the task's time would tell when voices arrived.
    """
    services.texts_redact_pending()
