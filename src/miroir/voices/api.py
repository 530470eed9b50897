"""``/api/v1/voices``: complaints pushed by a CRM or a call centre, voices read by integrations.

Tokens see the voices of the subtree they are scoped to; a unit outside it reads as unknown.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Field, Query, Router, Schema

from miroir.api.selectors import caller_scope
from miroir.core.inputs import day_problem
from miroir.org.selectors import Scope, access_unit
from miroir.voices.intake import MAX_BATCH, complaints_check, complaints_record
from miroir.voices.models import Voice, VoiceKind, VoiceSource, VoiceStatus, arrived
from miroir.voices.selectors import voices_listening

router = Router(tags=["voices"])


class ComplaintIn(Schema):
    external_id: str = Field(description="Your id of the complaint: re-sending it is a no-op.")
    unit: str = Field(description="The unit's external id, or its number in Miroir.")
    text: str
    title: str | None = None
    moment: str | None = Field(None, description="The journey moment's code.")
    received_at: str | None = Field(None, description="ISO 8601; default: now.")
    email: str | None = Field(None, description="Where to send the answer, if anywhere.")
    language: str | None = Field(None, description="fr or en.")


class ComplaintBatchIn(Schema):
    complaints: list[ComplaintIn]


class ComplaintBatchOut(Schema):
    received: int
    counts: dict[str, int]
    ids: list[str]


class RowProblemOut(Schema):
    # None for a problem of the request itself (a query parameter), not of one row.
    index: int | None = None
    field: str
    message: str


class ErrorOut(Schema):
    code: str
    message: str
    errors: list[RowProblemOut] = []


class VoiceOut(Schema):
    id: UUID
    kind: str
    lens: str
    source: str
    external_id: str
    unit: int
    unit_external_id: str | None
    moment: str | None
    title: str = Field(description="Names of people removed; empty while that has not run.")
    text: str = Field(description="Names of people removed; empty while that has not run.")
    text_pending: bool = Field(
        description="True while names are not removed from a text yet: it is withheld."
    )
    themes: list[str]
    status: str
    outcome: str
    answer: str
    effect: str
    support_count: int
    received_at: datetime
    due_at: datetime
    answered_at: datetime | None


class ListeningOut(Schema):
    received: int
    answered: int
    answered_within_deadline: int
    adopted: int
    backlog: int
    median_days_to_answer: float | None


def _readable(scope: Scope) -> Any:
    if not scope.can_browse:
        return None
    return (
        Voice.objects.filter(scope.unit_filter("unit__"))
        .filter(arrived())
        .select_related("unit", "moment")
    )


def _out(voice: Voice) -> dict[str, Any]:
    # Integrations read what managers read: the texts with people's names removed, and
    # nothing of a text whose removal has not run (never the raw text).
    return {
        "id": voice.pk,
        "kind": voice.kind,
        "lens": voice.lens,
        "source": voice.source,
        "external_id": voice.external_id,
        "unit": voice.unit_id,
        "unit_external_id": voice.unit.external_id,
        "moment": voice.moment.code if voice.moment else None,
        "title": voice.redacted_title,
        "text": voice.redacted_text,
        "text_pending": voice.text_pending,
        "themes": voice.themes,
        "status": voice.status,
        "outcome": voice.outcome,
        "answer": voice.redacted_answer,
        "effect": voice.redacted_effect,
        "support_count": voice.support_count,
        "received_at": voice.received_at,
        "due_at": voice.due_at,
        "answered_at": voice.answered_at,
    }


@router.post(
    "/complaints",
    response={200: ComplaintBatchOut, 400: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Record customer complaints; each owes an answer by its deadline",
)
def complaints_post(request: HttpRequest, batch: ComplaintBatchIn) -> Any:
    scope = caller_scope(request)
    if not scope.can_browse:
        return 403, {"code": "forbidden", "message": _("Not allowed.")}
    if not batch.complaints:
        return 422, {"code": "voices.empty", "message": _("The batch is empty.")}
    if len(batch.complaints) > MAX_BATCH:
        return 422, {
            "code": "voices.batch_too_large",
            "message": _("At most %(max)d complaints per batch.") % {"max": MAX_BATCH},
        }
    rows = [item.dict(exclude_none=True) for item in batch.complaints]
    checked, problems = complaints_check(rows, scope=scope)
    if problems:
        return 422, {
            "code": "voices.invalid",
            "message": ngettext(
                "No complaint was recorded: %(count)d problem to fix.",
                "No complaint was recorded: %(count)d problems to fix.",
                len(problems),
            )
            % {"count": len(problems)},
            "errors": [p.__dict__ for p in problems],
        }
    report = complaints_record(checked, source=VoiceSource.API)
    return 200, {"received": len(rows), "counts": report.counts, "ids": report.ids}


@router.get(
    "", response={200: list[VoiceOut], 403: ErrorOut, 422: ErrorOut}, summary="Voices in your scope"
)
def voices_list(
    request: HttpRequest,
    response: HttpResponse,
    kind: VoiceKind | None = None,
    status: VoiceStatus | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> Any:
    voices = _readable(caller_scope(request))
    if voices is None:
        return 403, {"code": "forbidden", "message": _("Not allowed.")}
    if kind:
        voices = voices.filter(kind=kind)
    if status:
        voices = voices.filter(status=status)
    # The page never stops silently: the total is in a header (the body stays a plain list).
    response["X-Total-Count"] = str(voices.count())
    return 200, [
        _out(voice) for voice in voices.order_by("-received_at", "id")[offset : offset + limit]
    ]


@router.get(
    "/listening",
    response={200: ListeningOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Listening figures of one lens in a unit's subtree",
)
def voices_listening_get(
    request: HttpRequest,
    unit: int,
    lens: Literal["customer", "employee", "partner"],
    start: date,
    end: date,
) -> Any:
    scope = caller_scope(request)
    if not scope.can_browse:
        return 403, {"code": "forbidden", "message": _("Not allowed.")}
    found = access_unit(scope, unit)
    problems = [
        {"field": f"query.{name}", "message": problem, "index": None}
        for name, value in (("start", start), ("end", end))
        if (problem := day_problem(value))
    ]
    if problems:
        return 422, {
            "code": "validation_error",
            "message": _("Invalid request."),
            "errors": problems,
        }
    return 200, voices_listening(unit=found, lens=lens, start=start, end=end).__dict__


@router.get(
    "/{voice_id}",
    response={200: VoiceOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="One voice",
)
def voice_get(request: HttpRequest, voice_id: UUID) -> Any:
    voices = _readable(caller_scope(request))
    if voices is None:
        return 403, {"code": "forbidden", "message": _("Not allowed.")}
    voice = voices.filter(pk=voice_id).first()
    if voice is None:
        raise Http404
    return 200, _out(voice)
