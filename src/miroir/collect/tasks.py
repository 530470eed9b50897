"""Background work of the collection, through Django's tasks API (any backend).

``send_invitations`` is queued when a wave opens (``services.wave_launch``, ``wave_open``).
The periodic work is in ``collect/periodic.py``, run by ``miroir tick``. A run that fails
is retried with back-off, and recorded for administrators when it gives up
(``miroir.operations.retry``).
"""

from __future__ import annotations

from django.utils import timezone

from miroir.collect import sending
from miroir.collect.models import Wave
from miroir.operations.retry import retried_task


@retried_task()
def send_invitations(wave_id: int) -> dict[str, int]:
    """Send the wave's pending invitations as far as each channel's rate allows."""
    wave = Wave.objects.filter(pk=wave_id).select_related("instrument").first()
    if wave is None:
        return {"sent": 0, "failed": 0, "left": 0}
    report = sending.invitations_send_pending(wave=wave, now=timezone.now())
    return {"sent": report.sent, "failed": report.failed, "left": report.left}
