"""The comments page: a unit's survey comments by theme, trend and sentiment, with a search.

Everything shown comes from ``results.selectors.unit_comments`` (through the gate); the
page is reached from the unit page and from the result pages' tabs.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from miroir import text
from miroir.org.selectors import request_scope, unit_ancestors
from miroir.reports.charts import Chart, Point, trend_chart
from miroir.reports.filters import filters_from_request
from miroir.results import gate
from miroir.results.selectors import Comments, results_session, unit_comments
from miroir.results.selectors.comments import QUERY_MAX


def theme_labels() -> dict[str, str]:
    """Return the bundled themes' labels in the page's language, by code."""
    language = "en" if (get_language() or "fr").startswith("en") else "fr"
    return {theme.code: theme.label(language) for theme in text.bundled_themes()}


def themes_chart(comments: Comments, labels: dict[str, str]) -> Chart | None:
    """Return the followed themes' counts period by period (None with a single period)."""
    points = [
        Point(
            point.period,
            None if point.count is gate.SUPPRESSED else point.count,
            series=labels.get(point.code, point.code),
            suppressed=point.count is gate.SUPPRESSED,
        )
        for point in comments.trend
    ]
    if len({point.category for point in points if point.value is not None}) < 2:
        return None
    return trend_chart(
        points,
        key="comment-themes",
        title=_("Themes of the comments, period by period"),
        description=_("How many comments mention each of the main themes, period by period."),
        value_title=_("Comments"),
        period_title=_("Period"),
        series_title=_("Theme"),
    )


def _shown(count: Any) -> int | None:
    """Return a gated count for the template: the number, or None for the marker."""
    return None if count is gate.SUPPRESSED else int(count)


def sentiment_labels() -> dict[str, str]:
    """Return the sentiments' names in the page's language, by code."""
    return {"positive": _("Positive"), "neutral": _("Neutral"), "negative": _("Negative")}


def comments_display(found: Comments, labels: dict[str, str]) -> dict[str, Any]:
    """Return what the template shows of ``found``: labels set, hidden counts as None."""
    moods = sentiment_labels()
    return {
        "total": _shown(found.total),
        "matching": _shown(found.matching),
        "themes": [(t.code, labels.get(t.code, t.code), _shown(t.count)) for t in found.themes],
        "sentiments": [(code, moods[code], _shown(n)) for code, n in found.sentiments.items()],
        "listed": [
            (c, [labels.get(code, code) for code in c.themes], moods.get(c.sentiment, ""))
            for c in found.comments
        ],
    }


@login_required
@require_GET
def comments(request: HttpRequest, unit_id: int | None = None) -> HttpResponse:
    """The comments page of a unit (or, without one, of the reader's network)."""
    result = filters_from_request(request_scope(request), request.GET, unit_id=unit_id)
    query = request.GET.get("q", "")[:QUERY_MAX]
    context: dict[str, Any] = {"form": result.form, "errors": result.errors, "query": query}
    if result.filters is None:
        return render(request, "results/comments.html", context, status=400)
    filters = result.filters
    labels = theme_labels()
    theme = request.GET.get("theme", "")
    context.update(filters=filters, unit=filters.unit, ancestors=unit_ancestors(filters.unit))
    context.update(page="comments", theme=theme if theme in labels else "", labels=labels)
    if filters.period is not None:
        with results_session():
            found = unit_comments(
                unit=filters.unit,
                lens=filters.lens,
                period=filters.period,
                periods=filters.trend_periods,
                query=query,
                theme=context["theme"],
            )
        context.update(comments=found, chart=themes_chart(found, labels))
        context.update(comments_display(found, labels), theme_name=labels.get(theme, ""))
    return render(request, "results/comments.html", context)
