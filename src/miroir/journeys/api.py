"""Read-only API of journeys: their stages, moments, and what speaks of each moment."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from miroir.api.schemas import ERRORS, ApiErrorOut
from miroir.journeys import selectors
from miroir.org.selectors import Scope, request_scope

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
