"""Background work of the voices, through Django's tasks API (any backend).

No task carries a voice's id: texts are redacted in the write that stores them. The
periodic ones are run by ``miroir voices_tick``, to be scheduled every hour or so
(docs/voices.md): reminders to owners before the deadline, escalation after it.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django_tasks import task

from miroir.voices import services


@task()
def remind_due_voices() -> int:
    return services.voices_remind_due(now=timezone.now())


@task()
def escalate_overdue_voices() -> int:
    return services.voices_escalate_overdue(now=timezone.now())


@task()
def analyse_pending_voices() -> None:
    """Remove names from texts whose redaction could not run when they were written.

    Returns nothing: a count kept with the task's time would tell when voices arrived.
    """
    services.texts_redact_pending()


# Escalate first: a voice overdue now is not reminded any more.
PERIODIC: list[Any] = [escalate_overdue_voices, remind_due_voices, analyse_pending_voices]
