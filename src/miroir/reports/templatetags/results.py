"""Display of table cells: rounding, intervals, the suppressed marker, links."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from miroir.reports.charts import SUPPRESSED_MARKER
from miroir.reports.tables import Column, Interval, Link

register = template.Library()


def _number(value: float | int, digits: int) -> str:
    return str(floatformat(value, digits))


def _marker() -> SafeString:
    return format_html(
        '<span class="suppressed" title="{}">{}</span>',
        _("Hidden to protect anonymity"),
        SUPPRESSED_MARKER,
    )


@register.simple_tag
def cell(value: Any, column: Column) -> SafeString | str:
    """Return a table cell for display: rounded here only, intervals in brackets."""
    if value is None:
        # "The dash means the figure does not apply" is said once, in the page's conventions.
        return format_html('<span class="na">\u2013</span>')
    if value is SUPPRESSED_MARKER or (isinstance(value, Interval) and value.suppressed):
        return _marker()
    if isinstance(value, Link):
        return format_html('<a href="{}">{}</a>', value.url, value.text)
    if isinstance(value, Interval):
        if value.value is None:
            return format_html('<span class="na">\u2013</span>')
        shown = _number(value.value, column.digits)
        if value.low is None or value.high is None:
            return shown
        significant = format_html(
            ' <abbr class="significant" title="{}">*</abbr>', _("Significant at 95 %")
        )
        bounds = _("[%(low)s; %(high)s]") % {
            "low": _number(value.low, column.digits),
            "high": _number(value.high, column.digits),
        }
        return format_html(
            '{} <span class="interval">{}</span>{}',
            shown,
            bounds,
            significant if value.significant else "",
        )
    if column.kind == "flag" or isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, float | int) and not isinstance(value, bool):
        return _number(value, column.digits if column.kind != "count" else 0)
    return str(value)


def _page_url(context: Any, unit_route: str, network_route: str, *args: Any, **extra: str) -> str:
    """Return a URL of the current page's unit (or network) with the page's filters."""
    from urllib.parse import urlencode

    from django.urls import reverse

    filters = context["filters"]
    if context["page"] == "unit":
        url = reverse(unit_route, args=[filters.unit.pk, *args])
        query = {**filters.query, **extra}
    else:
        url = reverse(network_route, args=list(args))
        query = {**filters.query, "unit": filters.unit.pk, **extra}
    encoded = urlencode(query)
    return f"{url}?{encoded}" if encoded else url


@register.simple_tag(takes_context=True)
def export_url(context: Any, key: str, fmt: str) -> str:
    """Return the URL exporting a table of the current page with the page's filters."""
    args = [key, fmt] if context["page"] == "unit" else [context["page"], key, fmt]
    return _page_url(context, "reports:unit_export", "reports:export", *args)


@register.simple_tag(takes_context=True)
def report_url(context: Any, language: str) -> str:
    """Return the URL of the current page's PDF report in ``language``, with its filters."""
    return _page_url(context, "reports:unit_report", "reports:network_report", lang=language)


@register.filter
def zip_columns(row: Any, columns: Any) -> list[tuple[Any, Column]]:
    """Return each cell of a row with its column."""
    return list(zip(row, columns, strict=False))
