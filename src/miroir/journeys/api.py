"""Read-only API of journeys (their stages and moments) and of a unit's satisfaction maps."""

# No `from __future__ import annotations` here: django-ninja reads the route annotations
# (``Query`` defaults) at import time.

from enum import StrEnum
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import translation
from ninja import Query, Router, Schema

from miroir.api.schemas import ERRORS, ApiErrorOut
from miroir.journeys import selectors
from miroir.journeys.figures import unit_map
from miroir.org.selectors import Scope, access_unit, request_scope

router = Router(tags=["journeys"])


class ErrorCode(StrEnum):
    FORBIDDEN = "journeys.forbidden"


class MomentOut(Schema):
    code: str
    name_fr: str
    name_en: str
    stage: str
    order: int
    active: bool
    teams: list[str]
    # "<questionnaire slug>/<item code>" of the items asking about this moment.
    items: list[str]
    hot_waves: list[str]


class JourneyOut(Schema):
    code: str
    kind: str
    name_fr: str
    name_en: str
    active: bool
    moments: list[MomentOut]


def _scope(request: HttpRequest) -> Scope:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, Scope) else request_scope(request)


@router.get(
    "/",
    response={200: list[JourneyOut], 403: ApiErrorOut, **ERRORS},
    summary="List journeys with their moments, stage by stage",
)
def journeys_list(request: HttpRequest) -> Any:
    if not selectors.journeys_can_view(_scope(request)):
        return 403, {"code": ErrorCode.FORBIDDEN, "message": "Not allowed to read journeys."}
    return 200, [
        {
            "code": journey.code,
            "kind": journey.kind,
            "name_fr": journey.name_fr,
            "name_en": journey.name_en,
            "active": journey.is_active,
            "moments": [
                {
                    "code": link.moment.code,
                    "name_fr": link.moment.name_fr,
                    "name_en": link.moment.name_en,
                    "stage": link.moment.stage,
                    "order": link.moment.order,
                    "active": link.moment.is_active,
                    "teams": link.moment.teams,
                    "items": [f"{slug}/{code}" for slug, code in link.items],
                    "hot_waves": link.hot_waves,
                }
                for moments in selectors.journey_stages(journey, active_only=False).values()
                for link in moments
            ],
        }
        for journey in selectors.journeys_list()
    ]


# -- the map of a unit, under /results like every other gated figure ---------------------------

map_router = Router(tags=["results"])


class MapErrorCode(StrEnum):
    FORBIDDEN = "results.forbidden"
    NOT_FOUND = "results.not_found"
    BAD_PERIOD = "results.bad_period"


class LensFiguresOut(Schema):
    n: int | None
    satisfaction: float | None
    satisfaction_low: float | None
    satisfaction_high: float | None
    truth: float | None
    truth_low: float | None
    truth_high: float | None
    valence: float | None
    emotion: str | None


class GapOut(Schema):
    value: float | None
    low: float | None
    high: float | None
    significant: bool
    method: str


class MapMomentOut(Schema):
    code: str
    name_fr: str
    name_en: str
    stage: str
    # null when hidden by the gate (one marker, whatever the hidden count).
    employee: LensFiguresOut | None
    management: LensFiguresOut | None
    satisfaction_gap: GapOut | None
    truth_gap: GapOut | None
    one_sided: str | None


class MapLensOut(Schema):
    suppressed: bool
    n: int | None
    attributed: bool
    by: list[str]


class SolutionGroupOut(Schema):
    theme: str
    label: str
    employee: list[str]
    management: list[str]
    convergent: bool


class SolutionsOut(Schema):
    groups: list[SolutionGroupOut]
    employee_suppressed: bool
    withheld: str


class MapWaveRefOut(Schema):
    id: int
    name: str
    journey: str
    journey_kind: str
    closed_on: str | None


class UnitMapOut(Schema):
    wave: MapWaveRefOut
    unit: dict[str, Any]
    released: bool
    attributed: bool
    lenses: dict[str, MapLensOut]
    moments: list[MapMomentOut]
    solutions: SolutionsOut


@map_router.get(
    "/units/{unit_id}/map",
    response={200: UnitMapOut, 403: ApiErrorOut, 404: ApiErrorOut, 422: ApiErrorOut},
    summary="A unit's satisfaction maps: employees' and management's estimate, with their gaps",
)
def unit_map_read(
    request: HttpRequest,
    unit_id: int,
    journey: str = Query(
        "employee", pattern=r"^[-a-zA-Z0-9_]{1,64}$", description="The journey's code."
    ),
    period: str | None = Query(
        None,
        pattern=r"^[1-9][0-9]{3}(-Q[1-4]|-(0[1-9]|1[0-2]))?$",
        description="2026, 2026-Q1 or 2026-03: the last map wave closed in it (default: the "
        "last closed).",
    ),
) -> Any:
    scope = _scope(request)
    if not scope.can_browse:
        return 403, {"code": MapErrorCode.FORBIDDEN, "message": "Not allowed to read results."}
    try:
        unit = access_unit(scope, unit_id)
        wave = selectors.map_wave_for(unit=unit, journey_code=journey, period=period)
    except Http404:
        message = (
            "No unit with this id in your scope, or no closed map wave of this journey for it."
        )
        return 404, {"code": MapErrorCode.NOT_FOUND, "message": message}
    except ValueError as error:
        return 422, {"code": MapErrorCode.BAD_PERIOD, "message": str(error)}
    return 200, unit_map(wave, unit, language=translation.get_language() or "fr")
