"""Read-only API of waves: participation counts in the caller's scope, small counts hidden."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema

from miroir.api.schemas import ERRORS, ApiErrorOut
from miroir.api.selectors import caller_scope
from miroir.collect import selectors
from miroir.collect.counts import CountRow
from miroir.collect.models import Wave
from miroir.collect.selectors import WaveCounts

router = Router(tags=["waves"])


class ErrorCode(StrEnum):
    FORBIDDEN = "waves.forbidden"
    NOT_FOUND = "waves.not_found"


class CountOut(Schema):
    # Each count is None, with its ``…suppressed`` flag, when it is under the threshold or
    # would reveal one (complementary suppression, docs/anonymity.md); the rate is None
    # unless both counts show.
    invited: int | None
    invited_suppressed: bool
    responses: int | None
    suppressed: bool
    response_rate: float | None


class UnitCountOut(CountOut):
    unit_id: int
    name: str
    depth: int


class WaveSummaryOut(Schema):
    id: int
    public_id: str
    name: str
    kind: str
    lens: str
    status: str
    instrument_id: int
    instrument_slug: str
    opens_at: datetime | None
    closes_at: datetime
    threshold_scores: int
    counts_as_of: date | None
    total: CountOut


class WaveOut(WaveSummaryOut):
    units: list[UnitCountOut]


def _count(row: CountRow) -> dict[str, Any]:
    return {
        "invited": row.shown_invited,
        "invited_suppressed": row.invited_suppressed,
        "responses": row.shown_responses,
        "suppressed": row.suppressed,
        "response_rate": None if row.rate is None else round(row.rate, 4),
    }


def _summary(wave: Wave, counts: WaveCounts) -> dict[str, Any]:
    return {
        "id": wave.pk,
        "public_id": str(wave.public_id),
        "name": wave.name,
        "kind": wave.kind,
        "lens": wave.lens,
        "status": wave.status,
        "instrument_id": wave.instrument_id,
        "instrument_slug": wave.instrument.slug,
        "opens_at": wave.opens_at,
        "closes_at": wave.closes_at,
        "threshold_scores": wave.threshold_scores,
        "counts_as_of": counts.as_of,
        "total": _count(counts.total),
    }


@router.get(
    "/", response={200: list[WaveSummaryOut], 403: ApiErrorOut, **ERRORS}, summary="List waves"
)
def waves_list(
    request: HttpRequest,
    response: HttpResponse,
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0),
) -> Any:
    scope = caller_scope(request)
    if not selectors.waves_can_view(scope):
        return 403, {"code": ErrorCode.FORBIDDEN, "message": "Not allowed to read waves."}
    in_scope = selectors.waves_in_scope(scope)
    # A page, newest first, its total in a header (the body stays a plain list); each
    # wave's counts stand on their own, so those of a page are those of the whole list.
    response["X-Total-Count"] = str(in_scope.count())
    waves = list(in_scope[offset : offset + limit])
    counts = selectors.wave_totals(waves, scope, today=timezone.localdate())
    return 200, [_summary(wave, counts[wave.pk]) for wave in waves]


@router.get(
    "/{wave_id}",
    response={200: WaveOut, 403: ApiErrorOut, **ERRORS},
    summary="A wave with its counts per unit",
)
def waves_detail(request: HttpRequest, wave_id: int) -> Any:
    scope = caller_scope(request)
    try:
        wave = selectors.access_wave(scope, wave_id)
    except PermissionDenied:
        return 403, {"code": ErrorCode.FORBIDDEN, "message": "Not allowed to read waves."}
    except Http404:
        return 404, {"code": ErrorCode.NOT_FOUND, "message": "No such wave."}
    counts = selectors.wave_counts(wave, scope, today=timezone.localdate())
    units = [
        {**_count(row), "unit_id": row.unit_id, "name": row.name, "depth": row.depth}
        for row in counts.rows
    ]
    return 200, {**_summary(wave, counts), "units": units}
