"""The result pages (network, unit, linkage), the export of their tables, and publication.

Managers publish a unit's results of a period to its team from the unit page; employees
and partners read what was published to them under ``/results/published/``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from miroir.core.pagination import paginate
from miroir.org.selectors import request_scope, unit_ancestors
from miroir.reports.exports import EXPORT_FORMATS, export_response
from miroir.reports.filters import FilterResult, filters_from_request
from miroir.reports.forms import PublishForm
from miroir.reports.pages import SECTIONS, Loader, page_context, page_sections
from miroir.reports.pdf import ReportError, report_for, report_language
from miroir.reports.published import (
    published_charts,
    published_summary,
    published_tables,
    top_box_percent,
)
from miroir.results import services
from miroir.results.periods import PeriodError, period_parse
from miroir.results.selectors import (
    access_managed_publication,
    access_publication,
    access_results,
    publication_lens,
    publication_results,
    publications_for,
    results_session,
)
from miroir.results.services import publication_publish


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


@login_required
@require_GET
def report(request: HttpRequest, page: str, unit_id: int | None = None) -> HttpResponse:
    """Return the PDF report of the unit or network page, with the page's filters."""
    language = report_language(request.GET.get("lang"), get_language())
    try:
        built = report_for(
            request_scope(request),
            page=page,
            params=request.GET,
            unit_id=unit_id,
            language=language,
        )
    except ReportError as error:
        return HttpResponse(
            "\n".join(error.messages), status=400, content_type="text/plain; charset=utf-8"
        )
    response = HttpResponse(built.content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{built.filename}"'
    return response


# -- publication to the team ----------------------------------------------------------------


def _unit_page(unit_id: int, period: str = "") -> str:
    """Return the unit page's publishing block, for ``period`` when it is one."""
    url = reverse("reports:unit", args=[unit_id])
    try:
        label = period_parse(period).label
    except PeriodError:
        return f"{url}#publish"
    return f"{url}?{urlencode({'period': label})}#publish"


def _messages_from(request: HttpRequest, errors: list[str]) -> None:
    for error in errors:
        messages.error(request, error)


@login_required
@require_POST
def publish(request: HttpRequest, unit_id: int) -> HttpResponse:
    """Publish the unit's results of a period to its team, with an optional message."""
    scope = request_scope(request)
    unit = access_results(scope, unit_id)
    form = PublishForm(request.POST)
    back = redirect(_unit_page(unit.pk, str(request.POST.get("period", ""))[:16]))
    if not form.is_valid():
        _messages_from(request, [str(error) for errors in form.errors.values() for error in errors])
        return back
    try:
        published = publication_publish(
            unit=unit, actor=request.user, scope=scope, **form.cleaned_data
        )
    except ValidationError as error:
        _messages_from(request, error.messages)
    else:
        if published.created:
            messages.success(request, _("The results are published to the team."))
        else:
            messages.info(request, _("These results were already published; nothing changed."))
    return back


@login_required
@require_POST
def publication_withdraw(request: HttpRequest, publication_id: int) -> HttpResponse:
    """Withdraw a publication: the team stops seeing it at once."""
    scope = request_scope(request)
    found = access_managed_publication(scope, publication_id)
    services.publication_withdraw(publication=found, actor=request.user, scope=scope)
    messages.success(request, _("The publication is withdrawn; the team no longer sees it."))
    return redirect(_unit_page(found.unit_id, found.period))


@login_required
@require_GET
def published(request: HttpRequest) -> HttpResponse:
    """What has been published to the member: their unit's results and its ancestors'."""
    page = paginate(request, publications_for(request_scope(request)))
    context = {"page": page, "nav_section": "published"}
    return render(request, "results/published.html", context)


@login_required
@require_GET
def publication(request: HttpRequest, publication_id: int) -> HttpResponse:
    """One publication: the published unit's gated figures, for the reader's lens."""
    scope = request_scope(request)
    found = access_publication(scope, publication_id)
    with results_session():
        shown = publication_results(found, lens=publication_lens(scope))
    context = {
        "publication": found,
        "shown": shown,
        "tables": published_tables(shown),
        "summary": published_summary(shown),
        "charts": published_charts(shown),
        "suggestions_top": top_box_percent(shown.barometer.suggestions),
        "complaints_top": top_box_percent(shown.barometer.complaints),
        "threshold": shown.own.threshold,
        "nav_section": "published",
    }
    return render(request, "results/publication.html", context)
