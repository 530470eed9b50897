"""Domain events other apps may listen to, announced once the write that made them commits.

A lower app (voices, collect, results) says what happened with ``event_emit("wave.opened",
wave_id=12)`` inside its service's transaction; a higher app (webhooks) connects to
``event_occurred`` without the lower app importing it. Events carry ids only: a listener
reads what it needs, through its own gates, after the commit. A listener must not raise:
the write it hears about is already committed (``event_occurred`` is sent with
``send_robust``, and a failure is logged).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent with ``code`` (such as "voice.received") and ``refs`` (a dict of ids).
event_occurred = Signal()


def _send(code: str, refs: dict[str, Any]) -> None:
    for receiver, outcome in event_occurred.send_robust(sender=None, code=code, refs=refs):
        if isinstance(outcome, Exception):
            logger.error("Listener %r failed on event %s", receiver, code, exc_info=outcome)


def event_emit(code: str, **refs: Any) -> None:
    """Announce the event ``code`` about ``refs`` once the current transaction commits."""
    transaction.on_commit(lambda: _send(code, refs))
