"""Shapes shared by every router of the API: the error body and the page of a list."""

from __future__ import annotations

from typing import Any

from ninja import Schema
from ninja.pagination import LimitOffsetPagination

# A caller asking for more gets this many: one request should not serialise the whole network.
MAX_PAGE_SIZE = 500


class ApiErrorOut(Schema):
    """The body of every error answer; ``code`` is stable, ``message`` is for people."""

    code: str
    message: str


# Spread into a route's ``response`` so the OpenAPI document shows the error shape. (The
# schema's name is its OpenAPI component name, so it must not be reused by another app.)
ERRORS: dict[int, Any] = {401: ApiErrorOut, 404: ApiErrorOut, 422: ApiErrorOut}


class Page(LimitOffsetPagination):
    """``limit``/``offset`` pages answering ``{"items": [...], "count": total}``."""

    def __init__(self, max_limit: int = MAX_PAGE_SIZE, **kwargs: Any) -> None:
        super().__init__(max_limit=max_limit, **kwargs)
