"""Lists that can grow are shown a page at a time, with their count: none stops silently."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PER_PAGE = 50


def paginate(
    request: HttpRequest,
    items: QuerySet[Any] | Sequence[Any],
    *,
    per_page: int = PER_PAGE,
    param: str = "page",
) -> Page:
    """Return the page of ``items`` asked for in ``?<param>=`` (the last one if past the end).

    The page carries the total (``page.paginator.count``) and ``param``, so that
    ``core/_pagination.html`` links the other pages with the request's filters kept.
    """
    page = Paginator(items, per_page).get_page(request.GET.get(param))
    page.param = param  # type: ignore[attr-defined]
    return page
