"""The home page's wording of figures: labels in the reader's language, scores, points."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import floatformat
from django.utils.translation import get_language

register = template.Library()


@register.filter
def label(subject: Any) -> str:
    """Return a subject's (a mirror's, a question's) label in the page's language."""
    return str(subject.label(get_language() or "fr"))


@register.filter
def score(figure: Any) -> str:
    """Return a figure's 0-100 score rounded, "" when hidden or absent (shown as the marker)."""
    if figure is None or figure.suppressed:
        return ""
    statistic = figure.statistic("score")
    if statistic is None or statistic.value is None:
        return ""
    return str(floatformat(statistic.value, 0))


@register.filter
def points(value: float | None) -> str:
    """Return a difference as whole points, without its sign (the sentence carries it)."""
    return "" if value is None else str(floatformat(abs(value), 0))


@register.filter
def percent(share: float | None) -> str:
    """Return a share (0 to 1) as a whole percentage."""
    return "" if share is None else str(floatformat(share * 100, 0))


@register.filter
def lens_of(mapping: Any, lens: str) -> Any:
    """Return ``mapping[lens]`` (a figure or a gap of a mirror), None when absent."""
    return mapping.get(lens) if mapping is not None else None
