"""Signals other apps listen to, sent once the collection's writes are committed."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after a response and its answers are committed, with ``response``. The voices turn
# low-scoring hot customer answers that carry a comment into complaints.
response_stored = Signal()
