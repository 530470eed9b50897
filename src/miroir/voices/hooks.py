"""Where the voices listen to other apps: low-scoring hot-survey answers become complaints."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)


def connect() -> None:
    from miroir.collect.signals import response_stored

    response_stored.connect(_on_response_stored, dispatch_uid="voices.hot_complaint")
    _register_listening()


def _register_listening() -> None:
    """Feed the results' listening symmetry with the voices' figures."""
    from miroir.results.listening import register_voice_source
    from miroir.voices.selectors import voices_listening, voices_listening_by_unit

    register_voice_source(voices_listening, every_unit=voices_listening_by_unit)


def _on_response_stored(sender: Any, response: Any, **kwargs: Any) -> None:
    try:
        complaint_from_response(response, answers=kwargs.get("answers"))
    except Exception:  # the respondent's answer is stored; a lost complaint is only logged
        logger.exception("Could not turn response %s into a complaint", response.pk)


def complaint_from_response(response: Any, *, answers: Any = None) -> Any:
    """Return the complaint made from a hot customer answer that scored low and carries a
    comment, or None when the answer does not call for one (see docs/voices.md).

    ``answers``, the response's answers with their items, spares reading them again."""
    from miroir.collect.models import WaveKind
    from miroir.org.models import Lens
    from miroir.voices.models import TEXT_MAX, VoiceSource
    from miroir.voices.services import complaint_receive

    wave = response.wave
    if wave.kind != WaveKind.HOT or response.lens != Lens.CUSTOMER:
        return None
    low = False
    comments = []
    if answers is None:
        answers = response.answers.select_related("item")
    for answer in answers:
        scale = answer.item.scale
        if answer.text and answer.text.strip():
            comments.append(answer.text.strip())
        elif answer.number is not None:
            if scale == "nps" and answer.number <= settings.VOICES_HOT_NPS_MAX:
                low = True
            if scale == "csat5" and answer.number <= settings.VOICES_HOT_CSAT_MAX:
                low = True
    if not low or not comments:
        return None
    moment = (response.attributes or {}).get("moment") or None
    with transaction.atomic():
        received = complaint_receive(
            unit=response.unit,
            text="\n\n".join(comments)[:TEXT_MAX],
            source=VoiceSource.HOT_SURVEY,
            external_id=str(response.pk),
            moment=moment,
            language=wave.language or "fr",
        )
    return received.voice
