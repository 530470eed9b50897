"""Template helpers that render an item the way a respondent answers it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import template
from django.utils import translation

from miroir.instruments.dimensions import DIMENSIONS
from miroir.instruments.models import Item
from miroir.instruments.scales import DONT_KNOW, SCALES, FreeTextScale, NpsScale, pick
from miroir.journeys.models import Moment

register = template.Library()


@dataclass
class Choice:
    value: str
    label: str
    input_id: str
    checked: bool
    is_dont_know: bool


@dataclass
class ItemField:
    input_id: str
    text: str
    kind: str  # "text" or "choice"
    layout: str  # "row" for the 0-10 scale, "list" otherwise
    max_length: int | None = None
    anchors: tuple[str, str] | None = None
    choices: list[Choice] = field(default_factory=list)
    describedby: str = ""


@register.simple_tag
def item_field(
    item: Item, language: str, value: Any = None, field_name: str = "", error: str = ""
) -> ItemField:
    """Return what the item partial needs: wording, choices with the checked one, limits."""
    scale = item.get_scale()
    input_id = f"id-{field_name or item.code}"
    error_id = [f"{input_id}-error"] if error else []
    if isinstance(scale, FreeTextScale):
        return ItemField(
            input_id=input_id,
            text=item.text(language),
            kind="text",
            layout="list",
            max_length=scale.max_length,
            describedby=" ".join([*error_id, f"{input_id}-hint"]),
        )
    # Raw posted values are strings, stored ones are not: compare their text.
    current = None if value is None else str(value)
    choices = [
        Choice(
            value=str(option),
            label=label,
            input_id=f"{input_id}-{position}",
            checked=current == str(option),
            is_dont_know=option == DONT_KNOW,
        )
        for position, (option, label) in enumerate(scale.options(language))
    ]
    anchors = scale.anchors(language)
    return ItemField(
        input_id=input_id,
        text=item.text(language),
        kind="choice",
        layout="row" if isinstance(scale, NpsScale) else "list",
        anchors=anchors,
        choices=choices,
        describedby=" ".join([*error_id, *([f"{input_id}-anchors"] if anchors else [])]),
    )


@register.filter
def dimension_label(code: str) -> str:
    """Return a dimension's label in the current language (the code if unknown)."""
    dimension = DIMENSIONS.get(code)
    return dimension.label(translation.get_language()) if dimension else code


@register.filter
def scale_name(code: str) -> str:
    """Return a scale's name in the current language (the code if unknown)."""
    kind = SCALES.get(code)
    return pick(kind.name, translation.get_language()) if kind else code


@register.filter
def moment_name(moment: Moment | None) -> str:
    """Return a journey moment's name in the current language."""
    return moment.name(translation.get_language()) if moment else ""
