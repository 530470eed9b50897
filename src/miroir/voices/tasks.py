"""Background work of the voices, through Django's tasks API (any backend).

The periodic ones are run by ``miroir voices_tick``, to be scheduled every hour or so
(docs/voices.md): reminders to owners before the deadline, escalation after it.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django_tasks import task

from miroir.voices import services
from miroir.voices.models import Voice


@task()
def voice_text_refresh(voice_id: str) -> bool:
    """Redact names and find themes in one voice; False when it no longer exists."""
    voice = Voice.objects.filter(pk=voice_id).first()
    if voice is None:
        return False
    services.voice_text_apply(voice=voice)
    return True


@task()
def remind_due_voices() -> int:
    return services.voices_remind_due(now=timezone.now())


@task()
def escalate_overdue_voices() -> int:
    return services.voices_escalate_overdue(now=timezone.now())


@task()
def analyse_pending_voices() -> int:
    """Analyse the voices whose text analysis was lost (queue down when they came)."""
    pending = Voice.objects.filter(redacted_text="").values_list("pk", flat=True)[:500]
    for voice in Voice.objects.filter(pk__in=list(pending)):
        services.voice_text_apply(voice=voice)
    return len(pending)


# Escalate first: a voice overdue now is not reminded any more.
PERIODIC: list[Any] = [escalate_overdue_voices, remind_due_voices, analyse_pending_voices]
