"""Reads of instruments, and the access gates of the questionnaire editor."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404

from miroir.instruments.models import Instrument, Item, Mirror
from miroir.org.models import Lens, RoleKind
from miroir.org.selectors import Scope

EDITOR_ROLES = frozenset({RoleKind.ADMINISTRATOR, RoleKind.DIRECTION})


def instruments_can_view(scope: Scope) -> bool:
    """Return whether the scope may read questionnaires (direction, administrators, managers).

    Integration tokens qualify too: they need the item codes to push answers.
    """
    return scope.can_browse


def instruments_can_edit(scope: Scope) -> bool:
    """Return whether the scope may build and change questionnaires."""
    return bool(EDITOR_ROLES & scope.roles)


def access_instrument(scope: Scope, instrument_id: Any, *, write: bool = False) -> Instrument:
    """Return the questionnaire; 403 without the right to read (or write) it, 404 if missing."""
    if not instruments_can_view(scope) or (write and not instruments_can_edit(scope)):
        raise PermissionDenied("Not allowed to see or change questionnaires")
    try:
        return Instrument.objects.get(pk=int(instrument_id))
    except (Instrument.DoesNotExist, TypeError, ValueError):
        raise Http404("No such questionnaire") from None


def access_item(instrument: Instrument, item_id: Any) -> Item:
    """Return the item of this questionnaire; 404 for an item of another one."""
    try:
        return Item.objects.select_related("mirror", "moment", "instrument").get(
            pk=int(item_id), instrument=instrument
        )
    except (Item.DoesNotExist, TypeError, ValueError):
        raise Http404("No such question") from None


def instruments_list() -> QuerySet[Instrument]:
    """Return every questionnaire with its item and mirror counts, latest version first."""
    return Instrument.objects.annotate(
        item_count=Count("items", distinct=True), mirror_count=Count("mirrors", distinct=True)
    ).order_by("title_fr", "-version", "id")


def instrument_items(instrument: Instrument) -> QuerySet[Item]:
    """Return the questionnaire's items in order, with their mirror and moment."""
    return instrument.items.select_related("mirror", "moment").order_by("order", "id")


def items_for_lens(instrument: Instrument, lens: str) -> QuerySet[Item]:
    """Return the items one lens answers, in the order the respondent sees them."""
    return instrument_items(instrument).filter(lens=lens)


def instrument_lenses(instrument: Instrument) -> list[str]:
    """Return the lenses the questionnaire has items for, in the usual lens order."""
    used = set(instrument.items.values_list("lens", flat=True))
    return [lens for lens in Lens.values if lens in used]


def instrument_mirrors(instrument: Instrument) -> QuerySet[Mirror]:
    return instrument.mirrors.order_by("order", "id")


@dataclass
class MirrorRow:
    """One mirror and, per lens, its item (None where the mirror has no item for it)."""

    mirror: Mirror
    items: dict[str, Item | None] = field(default_factory=dict)

    @property
    def cells(self) -> list[tuple[str, Item | None]]:
        """Return (lens, item) pairs in lens order, for templates."""
        return list(self.items.items())


def mirror_side_by_side(
    instrument: Instrument, *, lenses: list[str] | None = None
) -> list[MirrorRow]:
    """Return, for each mirror in order, the item of each lens, ready to show side by side.

    ``lenses`` defaults to every lens; a result page passes the lenses it has data for.
    """
    lenses = list(Lens.values) if lenses is None else lenses
    rows = {
        mirror.pk: MirrorRow(mirror=mirror, items=dict.fromkeys(lenses))
        for mirror in instrument_mirrors(instrument)
    }
    for item in instrument_items(instrument).filter(mirror__isnull=False):
        if item.lens in rows[item.mirror_id].items:
            rows[item.mirror_id].items[item.lens] = item
    return list(rows.values())


def items_without_mirror(instrument: Instrument) -> QuerySet[Item]:
    """Return the items that stand alone (free text, questions only one lens can answer)."""
    return instrument_items(instrument).filter(mirror__isnull=True)
