"""Shapes shared by every router of the API: the error body and the page of a list."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

# A caller asking for more gets this many: one request should not serialise the whole network.
MAX_PAGE_SIZE = 500


class ProblemOut(Schema):
    """One thing wrong with a request: where (``field``, and ``index`` in a batch) and why."""

    field: str = Field(description="The field at fault, dotted: `query.limit`, `unit`.")
    message: str
    index: int | None = Field(None, description="In a batch, the position of the row at fault.")


class ApiErrorOut(Schema):
    """The body of every error answer; ``code`` is stable, ``message`` is for people."""

    code: str
    message: str
    errors: list[ProblemOut] = Field(
        default_factory=list, description="For invalid requests: each problem found."
    )


# Spread into a route's ``response`` so the OpenAPI document shows the error shape. (The
# schema's name is its OpenAPI component name, so it must not be reused by another app.)
ERRORS: dict[int, Any] = {401: ApiErrorOut, 404: ApiErrorOut, 422: ApiErrorOut}


# Past this the database refuses the number (a 500); no list of Miroir gets near it.
MAX_OFFSET = 2**31 - 1


class Page(LimitOffsetPagination):
    """``limit``/``offset`` pages answering ``{"items": [...], "count": total}``."""

    class Input(Schema):
        limit: int = Field(100, ge=1, description=f"At most {MAX_PAGE_SIZE} items are returned.")
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, max_limit: int = MAX_PAGE_SIZE, **kwargs: Any) -> None:
        super().__init__(max_limit=max_limit, **kwargs)
