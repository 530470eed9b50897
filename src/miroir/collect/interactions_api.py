"""``POST /api/v1/interactions``: a till, a CRM or a call centre pushes interactions in batches.

All or nothing: a batch with one invalid interaction records none and names every problem
by its index and field. Re-sending a batch is safe: interactions already recorded under the
same source and id come back as "duplicate" and change nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ninja import Field, Router, Schema

from miroir.api.schemas import ApiErrorOut
from miroir.api.selectors import caller_scope
from miroir.collect.interactions import MAX_BATCH, interactions_check, interactions_record
from miroir.core.inputs import text_storable

router = Router(tags=["interactions"])


class InteractionIn(Schema):
    external_id: str = Field(
        min_length=1,
        max_length=128,
        description="Your id of the interaction: re-sending it is a no-op.",
    )
    unit: str = Field(min_length=1, description="The unit's external id, or its number in Miroir.")
    occurred_at: str = Field(
        min_length=1,
        description="ISO 8601 date and time; without an offset, the unit's local time.",
    )
    consent: bool | str = Field(description="Whether the customer agreed to be surveyed.")
    moment: str | None = Field(None, description="The journey moment's code.")
    email: str | None = None
    phone: str | None = Field(None, description="Any usual form; national numbers read as French.")
    language: str | None = Field(None, description="fr or en.")


class InteractionBatchIn(Schema):
    source: str = Field(
        "api", max_length=64, description="The sending system: ids are unique per source."
    )
    # The size limits are checked by the view, which names them with their own error codes.
    interactions: list[InteractionIn] = Field(
        description=f"From 1 to {MAX_BATCH} interactions (more: `interactions.batch_too_large`)."
    )


class InteractionResultOut(Schema):
    index: int
    external_id: str
    outcome: str
    wave_id: int | None
    channel: str | None
    send_at: datetime | None


class InteractionBatchOut(Schema):
    received: int
    counts: dict[str, int]
    results: list[InteractionResultOut]


@router.post(
    "",
    response={
        200: InteractionBatchOut,
        400: ApiErrorOut,
        401: ApiErrorOut,
        403: ApiErrorOut,
        422: ApiErrorOut,
    },
    summary="Record interactions; hot waves invite their customers",
)
def interactions_post(request: HttpRequest, batch: InteractionBatchIn) -> Any:
    scope = caller_scope(request)
    if not scope.can_browse:
        return 403, {"code": "forbidden", "message": _("Not allowed.")}
    if not batch.interactions:
        return 422, {"code": "interactions.empty", "message": _("The batch is empty.")}
    if len(batch.interactions) > MAX_BATCH:
        return 422, {
            "code": "interactions.batch_too_large",
            "message": _("At most %(max)d interactions per batch.") % {"max": MAX_BATCH},
        }
    source = batch.source.strip() or "api"
    if not text_storable(source):
        return 422, {
            "code": "interactions.invalid",
            "message": _("No interaction was recorded: the source cannot be stored."),
            "errors": [
                {
                    "field": "source",
                    "message": _(
                        "Contains a character that cannot be stored (NUL or lone surrogate)."
                    ),
                }
            ],
        }
    rows = [item.dict(exclude_none=True) for item in batch.interactions]
    checked, problems = interactions_check(rows, scope=scope)
    if problems:
        return 422, {
            "code": "interactions.invalid",
            "message": ngettext(
                "No interaction was recorded: %(count)d problem to fix.",
                "No interaction was recorded: %(count)d problems to fix.",
                len(problems),
            )
            % {"count": len(problems)},
            "errors": [
                {"index": p.index, "field": p.field, "message": p.message} for p in problems
            ],
        }
    report = interactions_record(checked, source=source)
    return 200, {
        "received": len(rows),
        "counts": report.counts,
        "results": [result.__dict__ for result in report.results],
    }
