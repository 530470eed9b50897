"""Links between the pages of a list, keeping the filters of the request."""

from __future__ import annotations

from django import template
from django.http import HttpRequest

register = template.Library()


@register.simple_tag(takes_context=True)
def page_query(context: template.Context, param: str, number: int) -> str:
    """Return the query string of the request with ``param`` set to page ``number``."""
    request: HttpRequest = context["request"]
    query = request.GET.copy()
    query[param] = str(number)
    return "?" + query.urlencode()
