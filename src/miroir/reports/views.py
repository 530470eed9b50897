"""The result pages (network, unit, linkage) and the export of any of their tables."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from miroir.org.selectors import request_scope, unit_ancestors
from miroir.reports.exports import EXPORT_FORMATS, export_response
from miroir.reports.filters import FilterResult, filters_from_request
from miroir.reports.pages import SECTIONS, Loader, page_context, page_sections
from miroir.results.selectors import results_session


def _page(request: HttpRequest, page: str, result: FilterResult) -> HttpResponse:
    context: dict[str, Any] = {"form": result.form, "errors": result.errors, "page": page}
    if result.filters is None:
        return render(request, f"results/{page}.html", context, status=400)
    filters = result.filters
    loader = Loader(filters)
    with results_session():
        context.update(
            filters=filters,
            unit=filters.unit,
            ancestors=unit_ancestors(filters.unit),
            sections=page_sections(page, loader) if filters.period else [],
            **page_context(page, loader, request_scope(request)),
        )
    return render(request, f"results/{page}.html", context)


@login_required
@require_GET
def network(request: HttpRequest) -> HttpResponse:
    """The network page: symmetry index, heatmap, trends and largest gaps under a unit."""
    return _page(request, "network", filters_from_request(request_scope(request), request.GET))


@login_required
@require_GET
def unit(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The unit page: the three comparisons, questions, trends, verbatims, units below."""
    scope = request_scope(request)
    return _page(request, "unit", filters_from_request(scope, request.GET, unit_id=unit_id))


@login_required
@require_GET
def linkage(request: HttpRequest) -> HttpResponse:
    """The linkage page: employee and customer indices across units, with guardrails."""
    return _page(request, "linkage", filters_from_request(request_scope(request), request.GET))


@login_required
@require_GET
def export(
    request: HttpRequest, page: str, key: str, fmt: str, unit_id: int | None = None
) -> HttpResponse:
    """Return one table of a page as CSV or XLSX, for the same filters as the page."""
    build = SECTIONS.get((page, key))
    if build is None or fmt not in EXPORT_FORMATS:
        raise Http404("No such table or format")
    result = filters_from_request(request_scope(request), request.GET, unit_id=unit_id)
    if result.filters is None or result.filters.period is None:
        message = "\n".join(result.errors) or "No period holds results yet."
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    filters = result.filters
    with results_session():
        table = build(Loader(filters)).table
    name = f"{filters.unit.name} {page} {key} {filters.period.label}"
    return export_response(table.export(name), fmt)
