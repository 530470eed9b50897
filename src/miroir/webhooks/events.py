"""The events a subscription can choose, and what each one carries.

One registry entry per event: ``@event_type(code, label)`` on a function that returns the
event's ``data`` as the subscription's scope may see it, or None when it sees nothing of it.
Emitting apps only call ``miroir.core.events.event_emit(code, **ids)`` in their service; a
new event (``action.updated`` once actions exist) is that call plus one function here.

What a payload never holds (docs/webhooks.md): free text written by employees, partners or
customers (titles, texts, answers, comments), anyone's identity or contact, any figure or
count, and a unit finer than the privacy gate allows: an anonymous voice names the unit
that has enough people of its lens for verbatims (``anonymous_unit_for``), as its pages do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from miroir.org.models import Unit
from miroir.org.selectors import Scope

PING = "ping"

Payload = Callable[..., dict[str, Any] | None]


@dataclass(frozen=True)
class EventType:
    code: str
    label: Any
    payload: Payload


EVENT_TYPES: dict[str, EventType] = {}


def event_type(code: str, label: Any) -> Callable[[Payload], Payload]:
    """Register ``payload(scope, **refs)`` as the builder of the event ``code``."""

    def register(payload: Payload) -> Payload:
        EVENT_TYPES[code] = EventType(code, label, payload)
        return payload

    return register


def event_choices() -> list[tuple[str, str]]:
    """Return (code, label) of every event a subscription may choose, in registry order."""
    return [(code, str(kind.label)) for code, kind in EVENT_TYPES.items()]


def _when(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def _unit(unit: Unit) -> dict[str, Any]:
    return {"id": unit.pk, "external_id": unit.external_id or None, "name": unit.name}


def _link(name: str, *args: Any) -> str:
    return settings.SITE_URL + reverse(name, args=args)


# Voices ------------------------------------------------------------------------------------


def _voice(scope: Scope, voice_id: Any) -> dict[str, Any] | None:
    from miroir.voices.models import Voice, VoiceSource, arrived
    from miroir.voices.services import anonymous_unit_for

    voice = (
        Voice.objects.filter(arrived(), pk=voice_id, is_hidden=False)
        .select_related("unit", "moment")
        .first()
    )
    if voice is None:
        return None
    unit = voice.unit
    if voice.is_anonymous:
        # Filed under a large enough unit when it was sent; people leave since: climb again.
        unit = anonymous_unit_for(unit, voice.lens)
    if not scope.contains(unit):
        return None
    # An integration's own id of a complaint it pushed; nothing else of the source's ids.
    external = voice.external_id if voice.source in (VoiceSource.API, VoiceSource.CSV) else ""
    return {
        "id": str(voice.pk),
        "kind": voice.kind,
        "lens": voice.lens,
        "source": voice.source,
        "external_id": external or None,
        "anonymous": voice.is_anonymous,
        "unit": _unit(unit),
        "moment": voice.moment.code if voice.moment else None,
        "status": voice.status,
        "outcome": voice.outcome or None,
        "received_at": _when(voice.received_at),
        "due_at": _when(voice.due_at),
        "answered_at": _when(voice.answered_at),
        "link": _link("voices:detail", voice.pk),
    }


@event_type("voice.received", _("Voice received (suggestion, irritant, testimonial…)"))
def voice_received(scope: Scope, *, voice_id: Any) -> dict[str, Any] | None:
    return _voice(scope, voice_id)


@event_type("voice.answered", _("Voice or complaint answered"))
def voice_answered(scope: Scope, *, voice_id: Any) -> dict[str, Any] | None:
    return _voice(scope, voice_id)


@event_type("complaint.received", _("Customer complaint received"))
def complaint_received(scope: Scope, *, voice_id: Any) -> dict[str, Any] | None:
    return _voice(scope, voice_id)


# Results -----------------------------------------------------------------------------------


def _publication(scope: Scope, publication_id: Any) -> dict[str, Any] | None:
    from miroir.results.models import Publication

    publication = Publication.objects.select_related("unit").filter(pk=publication_id).first()
    if publication is None or not scope.contains(publication.unit):
        return None
    # No figure: the receiver reads them, if it may, from the API through the gate.
    return {
        "id": publication.pk,
        "unit": _unit(publication.unit),
        "period": publication.period,
        "published_at": _when(publication.published_at),
        "withdrawn_at": _when(publication.withdrawn_at),
        "link": _link("reports:publication", publication.pk),
    }


@event_type("results.published", _("Results published to a unit"))
def results_published(scope: Scope, *, publication_id: Any) -> dict[str, Any] | None:
    return _publication(scope, publication_id)


@event_type("results.withdrawn", _("Published results withdrawn"))
def results_withdrawn(scope: Scope, *, publication_id: Any) -> dict[str, Any] | None:
    return _publication(scope, publication_id)


# Waves -------------------------------------------------------------------------------------


def _wave(scope: Scope, wave_id: Any) -> dict[str, Any] | None:
    from miroir.collect.models import Wave

    wave = Wave.objects.filter(pk=wave_id).first()
    if wave is None:
        return None
    units = [unit for unit in wave.units.order_by("name", "pk") if scope.contains(unit)]
    if not units:
        return None
    return {
        "id": wave.pk,
        "name": wave.name,
        "kind": wave.kind,
        "lens": wave.lens,
        "status": wave.status,
        "instrument": wave.instrument_id,
        "units": [_unit(unit) for unit in units],
        "opens_at": _when(wave.opens_at),
        "closes_at": _when(wave.closes_at),
        "closed_at": _when(wave.closed_at),
        "link": _link("collect:wave_detail", wave.pk),
    }


@event_type("wave.opened", _("Wave opened"))
def wave_opened(scope: Scope, *, wave_id: Any) -> dict[str, Any] | None:
    return _wave(scope, wave_id)


@event_type("wave.closed", _("Wave closed"))
def wave_closed(scope: Scope, *, wave_id: Any) -> dict[str, Any] | None:
    return _wave(scope, wave_id)


# Alerts ------------------------------------------------------------------------------------


@event_type("alert.raised", _("Alert raised (a voice past its deadline)"))
def alert_raised(scope: Scope, *, alert: str, voice_id: Any = None) -> dict[str, Any] | None:
    # The one alert Miroir raises today: a voice or complaint unanswered at its deadline,
    # passed up to the manager above (docs/voices.md). Others add a value of ``alert``.
    voice = _voice(scope, voice_id) if voice_id is not None else None
    if voice is None:
        return None
    return {"alert": alert, "unit": voice["unit"], "voice": voice}
