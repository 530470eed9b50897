"""Read-only API of questionnaires: integrations need the item codes to push answers."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from miroir.api.schemas import ERRORS, ApiErrorOut
from miroir.instruments import selectors
from miroir.instruments.models import Instrument
from miroir.org.selectors import Scope, request_scope

router = Router(tags=["instruments"])


class ErrorCode(StrEnum):
    FORBIDDEN = "instruments.forbidden"
    NOT_FOUND = "instruments.not_found"


class InstrumentSummaryOut(Schema):
    id: int
    slug: str
    version: int
    kind: str
    title_fr: str
    title_en: str
    locked: bool
    item_count: int
    mirror_count: int


class OptionOut(Schema):
    code: str
    fr: str
    en: str = ""


class MirrorOut(Schema):
    code: str
    title_fr: str
    title_en: str
    dimension: str


class ConditionOut(Schema):
    """Asked only when the earlier item ``item`` was answered with one of ``in``."""

    item: str
    in_: list[str] = Field(alias="in")


class ItemOut(Schema):
    code: str
    lens: str
    scale: str
    text_fr: str
    text_en: str
    dimension: str
    mirror: str | None
    moment: str | None
    options: list[OptionOut]
    max_length: int | None
    allow_dont_know: bool
    required: bool
    # Survey logic: all conditions must hold for the item to be asked (docs/instruments.md);
    # answering one of ``end_when`` ends the survey.
    show_when: list[ConditionOut]
    end_when: list[str]
    order: int


class InstrumentOut(Schema):
    id: int
    slug: str
    version: int
    kind: str
    title_fr: str
    title_en: str
    description_fr: str
    description_en: str
    locked: bool
    mirrors: list[MirrorOut]
    items: list[ItemOut]


def _scope(request: HttpRequest) -> Scope:
    """Return the caller's scope: the one an API token authenticated, or the session user's."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, Scope) else request_scope(request)


def _forbidden() -> tuple[int, dict[str, str]]:
    return 403, {"code": ErrorCode.FORBIDDEN, "message": "Not allowed to read questionnaires."}


@router.get(
    "/",
    response={200: list[InstrumentSummaryOut], 403: ApiErrorOut, **ERRORS},
    summary="List questionnaires",
)
def instruments_list(request: HttpRequest) -> Any:
    if not selectors.instruments_can_view(_scope(request)):
        return _forbidden()
    return 200, [
        {
            "id": instrument.pk,
            "slug": instrument.slug,
            "version": instrument.version,
            "kind": instrument.kind,
            "title_fr": instrument.title_fr,
            "title_en": instrument.title_en,
            "locked": instrument.is_locked,
            "item_count": instrument.item_count,
            "mirror_count": instrument.mirror_count,
        }
        for instrument in selectors.instruments_list()
    ]


@router.get(
    "/{instrument_id}",
    response={200: InstrumentOut, 403: ApiErrorOut, **ERRORS},
    summary="A questionnaire with its mirrors and items",
    by_alias=True,
)
def instrument_detail(request: HttpRequest, instrument_id: int) -> Any:
    try:
        instrument = selectors.access_instrument(_scope(request), instrument_id)
    except PermissionDenied:
        return _forbidden()
    except Http404:
        return 404, {"code": ErrorCode.NOT_FOUND, "message": "No such questionnaire."}
    return 200, _instrument_out(instrument)


def _instrument_out(instrument: Instrument) -> dict[str, Any]:
    return {
        "id": instrument.pk,
        "slug": instrument.slug,
        "version": instrument.version,
        "kind": instrument.kind,
        "title_fr": instrument.title_fr,
        "title_en": instrument.title_en,
        "description_fr": instrument.description_fr,
        "description_en": instrument.description_en,
        "locked": instrument.is_locked,
        "mirrors": list(
            selectors.instrument_mirrors(instrument).values(
                "code", "title_fr", "title_en", "dimension"
            )
        ),
        "items": [
            {
                "code": item.code,
                "lens": item.lens,
                "scale": item.scale,
                "text_fr": item.text_fr,
                "text_en": item.text_en,
                "dimension": item.dimension,
                "mirror": item.mirror.code if item.mirror else None,
                "moment": item.moment.code if item.moment else None,
                "options": item.options,
                "max_length": item.max_length,
                "allow_dont_know": item.allow_dont_know,
                "required": item.required,
                "show_when": item.show_when,
                "end_when": item.end_when,
                "order": item.order,
            }
            for item in selectors.instrument_items(instrument)
        ],
    }
