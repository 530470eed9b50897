"""Writes to instruments: questionnaires, their mirrors and items, versions and locks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from miroir.audit.services import audit_record
from miroir.core.inputs import text_clean
from miroir.instruments.logic import LogicItem, logic_check
from miroir.instruments.models import Instrument, InstrumentKind, Item, Mirror
from miroir.instruments.scales import FREE_TEXT_DEFAULT_LENGTH, FreeTextScale
from miroir.journeys.models import Moment

if TYPE_CHECKING:
    from miroir.accounts.models import User

SLUG_MAX = 80


class InstrumentLockedError(ValidationError):
    """The questionnaire has been used by a wave: it can only be duplicated."""

    def __init__(self, instrument: Instrument) -> None:
        super().__init__(
            _("“%(title)s” is locked because a wave has used it; duplicate it to change it.")
            % {"title": instrument.title_fr},
            code="locked",
        )


def _locked_for_write(instrument: Instrument) -> Instrument:
    """Return the instrument row locked for this transaction; refuse it once a wave locked it.

    Locking the row serialises editors with ``instrument_lock``, so that a wave never
    starts on a questionnaire that is being changed under it.
    """
    current = Instrument.objects.select_for_update().get(pk=instrument.pk)
    if current.is_locked:
        raise InstrumentLockedError(current)
    return current


def _touch(instrument: Instrument) -> None:
    instrument.updated_at = timezone.now()
    instrument.save(update_fields=["updated_at"])


def instrument_slug_free(base: str) -> str:
    """Return ``base`` made into a slug no instrument uses yet (suffixed -2, -3… if needed)."""
    root = (slugify(base) or "questionnaire")[: SLUG_MAX - 4].strip("-")
    slug, number = root, 1
    while Instrument.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{root}-{number}"
    return slug


@transaction.atomic
def instrument_create(
    *,
    actor: User | None,
    title_fr: str,
    title_en: str = "",
    description_fr: str = "",
    description_en: str = "",
    kind: str = InstrumentKind.CUSTOM,
    slug: str = "",
    version: int = 1,
    source: str = "",
) -> Instrument:
    """Return a new, empty, unlocked questionnaire (slug made from the title when not given)."""
    instrument = Instrument(
        slug=slug or instrument_slug_free(title_fr),
        version=version,
        title_fr=text_clean(title_fr).strip(),
        title_en=text_clean(title_en).strip(),
        description_fr=text_clean(description_fr).strip(),
        description_en=text_clean(description_en).strip(),
        kind=kind,
        source=source,
    )
    instrument.family = instrument.slug
    instrument.full_clean()
    instrument.save()
    audit_record(
        actor=actor,
        action="instrument.create",
        target=f"instrument:{instrument.pk}",
        details={"slug": instrument.slug, "source": source},
    )
    return instrument


@transaction.atomic
def instrument_update(
    *,
    instrument: Instrument,
    actor: User | None,
    title_fr: str,
    title_en: str = "",
    description_fr: str = "",
    description_en: str = "",
    kind: str = InstrumentKind.CUSTOM,
) -> Instrument:
    """Return the questionnaire with its titles, descriptions and kind changed."""
    instrument = _locked_for_write(instrument)
    instrument.title_fr = text_clean(title_fr).strip()
    instrument.title_en = text_clean(title_en).strip()
    instrument.description_fr = text_clean(description_fr).strip()
    instrument.description_en = text_clean(description_en).strip()
    instrument.kind = kind
    instrument.full_clean()
    fields = ["title_fr", "title_en", "description_fr", "description_en", "kind", "updated_at"]
    instrument.save(update_fields=fields)
    audit_record(actor=actor, action="instrument.update", target=f"instrument:{instrument.pk}")
    return instrument


@transaction.atomic
def instrument_lock(*, instrument: Instrument, actor: User | None = None) -> Instrument:
    """Return the questionnaire locked (the collection app calls it when a wave launches).

    Locking twice keeps the first date: that is when answers started to depend on it.
    """
    instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
    if instrument.locked_at is None:
        instrument.locked_at = timezone.now()
        instrument.save(update_fields=["locked_at", "updated_at"])
        audit_record(actor=actor, action="instrument.lock", target=f"instrument:{instrument.pk}")
    return instrument


def instrument_next_version(family: str) -> int:
    """Return the version number the next copy in ``family`` gets."""
    latest = Instrument.objects.filter(family=family).aggregate(top=Max("version"))["top"]
    return (latest or 0) + 1


def _copy_content(*, source: Instrument, target: Instrument) -> None:
    """Copy the mirrors and items of ``source`` into the empty ``target``."""
    mirrors = {}
    for mirror in source.mirrors.order_by("order", "id"):
        old_pk = mirror.pk
        mirror.pk = None
        mirror.instrument = target
        mirror.save()
        mirrors[old_pk] = mirror
    for item in source.items.order_by("order", "id"):
        item.pk = None
        item.instrument = target
        item.mirror = mirrors.get(item.mirror_id) if item.mirror_id else None
        item.save()


@transaction.atomic
def instrument_duplicate(*, instrument: Instrument, actor: User | None) -> Instrument:
    """Return a new, unlocked version of the questionnaire with the same mirrors and items."""
    source = Instrument.objects.select_for_update().get(pk=instrument.pk)
    version = instrument_next_version(source.family)
    copy = Instrument(
        slug=instrument_slug_free(f"{source.family[: SLUG_MAX - 8]}-v{version}"),
        family=source.family,
        version=version,
        previous_version=source,
        title_fr=source.title_fr,
        title_en=source.title_en,
        description_fr=source.description_fr,
        description_en=source.description_en,
        kind=source.kind,
        source=source.source,
    )
    copy.full_clean()
    copy.save()
    _copy_content(source=source, target=copy)
    audit_record(
        actor=actor,
        action="instrument.duplicate",
        target=f"instrument:{copy.pk}",
        details={"from": source.pk, "version": version},
    )
    return copy


@transaction.atomic
def mirror_create(
    *,
    instrument: Instrument,
    actor: User | None,
    code: str,
    title_fr: str,
    title_en: str = "",
    dimension: str = "",
) -> Mirror:
    """Return a new mirror of the questionnaire, placed after the others."""
    instrument = _locked_for_write(instrument)
    top = instrument.mirrors.aggregate(top=Max("order"))["top"] or 0
    mirror = Mirror(
        instrument=instrument,
        code=code,
        title_fr=text_clean(title_fr).strip(),
        title_en=text_clean(title_en).strip(),
        dimension=dimension,
        order=top + 1,
    )
    mirror.full_clean()
    mirror.save()
    _touch(instrument)
    audit_record(
        actor=actor,
        action="mirror.create",
        target=f"instrument:{instrument.pk}",
        details={"mirror": code},
    )
    return mirror


def _fill_item(
    item: Item,
    *,
    code: str,
    lens: str,
    scale: str,
    text_fr: str,
    text_en: str,
    dimension: str,
    moment: Moment | None,
    mirror: Mirror | None,
    options: list[dict[str, str]] | None,
    max_length: int | None,
    allow_dont_know: bool,
    required: bool,
    show_when: list[dict[str, Any]] | None = None,
    end_when: list[Any] | None = None,
) -> None:
    item.code = code
    item.lens = lens
    item.scale = scale
    item.text_fr = text_clean(text_fr).strip()
    item.text_en = text_clean(text_en).strip()
    item.dimension = dimension
    item.moment = moment
    item.mirror = mirror
    item.options = [
        {
            key: text_clean(value) if isinstance(value, str) else value
            for key, value in option.items()
        }
        if isinstance(option, dict)
        else option
        for option in options or []
    ]
    # A free-text item always has a limit; the default keeps verbatims readable.
    if scale == FreeTextScale.code and max_length is None:
        max_length = FREE_TEXT_DEFAULT_LENGTH
    item.max_length = max_length
    item.allow_dont_know = allow_dont_know
    item.required = required
    item.show_when = show_when or []
    item.end_when = end_when or []


@transaction.atomic
def item_create(
    *,
    instrument: Instrument,
    actor: User | None,
    code: str,
    lens: str,
    scale: str,
    text_fr: str,
    dimension: str,
    text_en: str = "",
    moment: Moment | None = None,
    mirror: Mirror | None = None,
    options: list[dict[str, str]] | None = None,
    max_length: int | None = None,
    allow_dont_know: bool = False,
    required: bool = True,
    show_when: list[dict[str, Any]] | None = None,
    end_when: list[Any] | None = None,
) -> Item:
    """Return a new item of the questionnaire, placed after the others."""
    instrument = _locked_for_write(instrument)
    top = instrument.items.aggregate(top=Max("order"))["top"] or 0
    item = Item(instrument=instrument, order=top + 1)
    _fill_item(
        item,
        code=code,
        lens=lens,
        scale=scale,
        text_fr=text_fr,
        text_en=text_en,
        dimension=dimension,
        moment=moment,
        mirror=mirror,
        options=options,
        max_length=max_length,
        allow_dont_know=allow_dont_know,
        required=required,
        show_when=show_when,
        end_when=end_when,
    )
    item.full_clean()
    item.save()
    _logic_apply(instrument, edited=item)
    _touch(instrument)
    audit_record(
        actor=actor,
        action="item.create",
        target=f"instrument:{instrument.pk}",
        details={"item": code},
    )
    return item


@transaction.atomic
def item_update(
    *,
    item: Item,
    actor: User | None,
    code: str,
    lens: str,
    scale: str,
    text_fr: str,
    dimension: str,
    text_en: str = "",
    moment: Moment | None = None,
    mirror: Mirror | None = None,
    options: list[dict[str, str]] | None = None,
    max_length: int | None = None,
    allow_dont_know: bool = False,
    required: bool = True,
    show_when: list[dict[str, Any]] | None = None,
    end_when: list[Any] | None = None,
) -> Item:
    """Return the item with every editable field replaced.

    A new code is carried into the conditions of the items that refer to this one.
    """
    instrument = _locked_for_write(item.instrument)
    old_code = Item.objects.get(pk=item.pk).code
    _fill_item(
        item,
        code=code,
        lens=lens,
        scale=scale,
        text_fr=text_fr,
        text_en=text_en,
        dimension=dimension,
        moment=moment,
        mirror=mirror,
        options=options,
        max_length=max_length,
        allow_dont_know=allow_dont_know,
        required=required,
        show_when=show_when,
        end_when=end_when,
    )
    item.full_clean()
    item.save()
    if code != old_code:
        _logic_rename(instrument, old=old_code, new=code)
    _logic_apply(instrument, edited=item)
    _touch(instrument)
    audit_record(
        actor=actor,
        action="item.update",
        target=f"instrument:{instrument.pk}",
        details={"item": code},
    )
    return item


@transaction.atomic
def item_delete(*, item: Item, actor: User | None) -> None:
    """Delete the item from its (unlocked) questionnaire."""
    instrument = _locked_for_write(item.instrument)
    code = item.code
    item.delete()
    _logic_apply(instrument)
    _touch(instrument)
    audit_record(
        actor=actor,
        action="item.delete",
        target=f"instrument:{instrument.pk}",
        details={"item": code},
    )


@transaction.atomic
def item_move(*, item: Item, actor: User | None, direction: str) -> Item:
    """Return the item swapped with its neighbour (``up`` or ``down``) in the questionnaire."""
    if direction not in ("up", "down"):
        raise ValidationError(_("Move a question up or down."), code="direction")
    instrument = _locked_for_write(item.instrument)
    items = list(instrument.items.order_by("order", "id"))
    index = next(position for position, other in enumerate(items) if other.pk == item.pk)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(items):
        items[index], items[target] = items[target], items[index]
        # Renumbering the whole list also repairs ties left by imports or old data.
        changed = []
        for position, other in enumerate(items, start=1):
            if other.order != position:
                other.order = position
                changed.append(other)
        Item.objects.bulk_update(changed, ["order"])
        _logic_apply(instrument)
        _touch(instrument)
        audit_record(
            actor=actor,
            action="item.move",
            target=f"instrument:{instrument.pk}",
            details={"item": item.code, "direction": direction},
        )
    return next(other for other in items if other.pk == item.pk)


def _logic_rename(instrument: Instrument, *, old: str, new: str) -> None:
    """Point the conditions that named the item ``old`` at its new code ``new``."""
    for other in instrument.items.exclude(show_when=[]):
        conditions = [
            {**condition, "item": new} if condition.get("item") == old else condition
            for condition in other.show_when
        ]
        if conditions != other.show_when:
            other.show_when = conditions
            other.save(update_fields=["show_when"])


def _logic_apply(instrument: Instrument, *, edited: Item | None = None) -> None:
    """Check the questionnaire's survey logic and store it in canonical form.

    Raises ValidationError when a condition names a later item, an item of another lens,
    an item not answered by a choice, or an answer its item does not have: the problems of
    ``edited`` go to its fields, those of other items name them. The caller's transaction
    then leaves everything as it was.
    """
    items = list(instrument.items.order_by("order", "id"))
    checked = logic_check(
        [
            LogicItem(
                code=item.code,
                lens=item.lens,
                scale=item.get_scale(),
                show_when=item.show_when,
                end_when=item.end_when,
            )
            for item in items
        ]
    )
    if checked.problems:
        fields: dict[str, list[str]] = {}
        for problem in checked.problems:
            message = _(problem.message) % problem.params
            item = items[problem.index]
            if edited is not None and item.pk == edited.pk:
                name = problem.where.split("[", 1)[0]
                fields.setdefault(name, []).append(message)
            else:
                fields.setdefault("__all__", []).append(
                    _("Question “%(code)s”: %(problem)s") % {"code": item.code, "problem": message}
                )
        raise ValidationError(fields)
    for item, show_when, end_when in zip(items, checked.show_when, checked.end_when, strict=True):
        if item.show_when != show_when or item.end_when != end_when:
            item.show_when, item.end_when = show_when, end_when
            item.save(update_fields=["show_when", "end_when"])
