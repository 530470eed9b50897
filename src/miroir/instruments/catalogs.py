"""The catalog format: questionnaires as JSON files that people copy, edit and load.

``catalog_parse`` checks a decoded file and names the path of every problem
(``items[3].scale: unknown scale "nps11"``); ``catalog_import`` turns a checked spec
into a questionnaire; ``catalog_export`` writes one back in the same format, so that
export → import → export gives the same document. The format is described in
``docs/instruments.md``; the bundled catalogs live in ``catalogs/``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from miroir.audit.services import audit_record
from miroir.core.inputs import InputError, json_decode, text_clean
from miroir.instruments.dimensions import DIMENSIONS
from miroir.instruments.logic import LogicItem, logic_check
from miroir.instruments.models import Instrument, InstrumentKind, Item, Mirror
from miroir.instruments.scales import (
    FREE_TEXT_DEFAULT_LENGTH,
    FREE_TEXT_MAX_LENGTH,
    SCALES,
    FreeTextScale,
    Scale,
    SingleChoiceScale,
    scale_get,
)
from miroir.instruments.services import instrument_next_version, instrument_slug_free
from miroir.journeys.models import Moment
from miroir.journeys.selectors import moment_codes
from miroir.org.models import Lens

if TYPE_CHECKING:
    from miroir.accounts.models import User

CATALOG_DIR = Path(__file__).resolve().parent / "catalogs"
FORMAT = "miroir-instrument"
FORMAT_VERSION = 1
# A catalog is a few hundred items at most; anything bigger is a mistake or an attack.
MAX_CATALOG_BYTES = 1_000_000

_CODE = re.compile(r"[a-z0-9][a-z0-9_-]*", re.ASCII)


class CatalogError(ValueError):
    """A catalog that cannot be loaded; ``errors`` lists every problem with its path."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("\n".join(errors))


@dataclass
class MirrorSpec:
    code: str
    title_fr: str
    title_en: str = ""
    dimension: str = ""


@dataclass
class ItemSpec:
    code: str
    lens: str
    scale: str
    text_fr: str
    dimension: str
    text_en: str = ""
    mirror: str | None = None
    moment: str | None = None
    options: list[dict[str, str]] = field(default_factory=list)
    max_length: int | None = None
    allow_dont_know: bool = False
    required: bool = True
    show_when: Any = field(default_factory=list)
    end_when: Any = field(default_factory=list)


@dataclass
class CatalogSpec:
    slug: str
    title_fr: str
    title_en: str = ""
    description_fr: str = ""
    description_en: str = ""
    kind: str = InstrumentKind.CUSTOM
    version: int = 1
    mirrors: list[MirrorSpec] = field(default_factory=list)
    items: list[ItemSpec] = field(default_factory=list)


class _Reader:
    """Collects every problem of a document with its path instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(f"{path}: {message}")

    def obj(self, value: Any, path: str, keys: set[str]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.error(path, _("expected an object"))
            return None
        for key in sorted(set(value) - keys):
            self.error(path, _("unknown key “%(key)s”") % {"key": key})
        return value

    def text(self, data: dict[str, Any], key: str, path: str, *, required: bool = False) -> str:
        value = data.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.error(f"{path}.{key}", _("expected text"))
            return ""
        value = text_clean(value)
        if required and not value.strip():
            self.error(f"{path}.{key}", _("required"))
        return value.strip()

    def code(self, data: dict[str, Any], key: str, path: str, *, max_length: int = 64) -> str:
        value = data.get(key)
        if value is None or value == "":
            self.error(f"{path}.{key}", _("required"))
            return ""
        if not isinstance(value, str):
            self.error(f"{path}.{key}", _("expected text"))
            return ""
        if not _CODE.fullmatch(value) or len(value) > max_length:
            self.error(
                f"{path}.{key}",
                _(
                    "“%(value)s” is not a valid code: lower-case letters, digits, - and _, "
                    "at most %(max)d characters"
                )
                % {"value": value, "max": max_length},
            )
        return value

    def bilingual(
        self, data: dict[str, Any], key: str, path: str, *, required: bool = False
    ) -> tuple[str, str]:
        value = data.get(key)
        if value is None:
            if required:
                self.error(f"{path}.{key}", _("required"))
            return "", ""
        node = self.obj(value, f"{path}.{key}", {"fr", "en"})
        if node is None:
            return "", ""
        return (
            self.text(node, "fr", f"{path}.{key}", required=required),
            self.text(node, "en", f"{path}.{key}"),
        )

    def boolean(self, data: dict[str, Any], key: str, path: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.error(f"{path}.{key}", _("expected true or false"))
            return default
        return value

    def items_list(self, data: dict[str, Any], key: str, path: str) -> list[Any]:
        value = data.get(key, [])
        if not isinstance(value, list):
            self.error(f"{path}{key}", _("expected a list"))
            return []
        return value


def _text_or_none(value: Any, *, keep_none: bool = False) -> Any:
    """Return text as it is and anything else as a printable stand-in that no lookup matches.

    Lists and objects are unhashable: they must not reach a ``in dict`` test.
    """
    if isinstance(value, str) or (value is None and keep_none):
        return value
    return json.dumps(value)


TOP_KEYS = {
    "format",
    "format_version",
    "slug",
    "version",
    "kind",
    "title",
    "description",
    "mirrors",
    "items",
}
MIRROR_KEYS = {"code", "title", "dimension"}
ITEM_KEYS = {
    "code",
    "lens",
    "scale",
    "text",
    "dimension",
    "mirror",
    "moment",
    "options",
    "max_length",
    "allow_dont_know",
    "required",
    "show_when",
    "end_when",
}


def catalog_parse(data: Any, *, known_moments: set[str] | None = None) -> CatalogSpec:
    """Return the checked catalog; CatalogError lists every problem with its path.

    ``known_moments`` defaults to the moments in the database.
    """
    reader = _Reader()
    root = reader.obj(data, "catalog", TOP_KEYS)
    if root is None:
        raise CatalogError(reader.errors)
    if root.get("format", FORMAT) != FORMAT:
        reader.error("format", _("expected “%(format)s”") % {"format": FORMAT})
    format_version = root.get("format_version", FORMAT_VERSION)
    if format_version != FORMAT_VERSION or isinstance(format_version, bool):
        reader.error(
            "format_version",
            _("version %(found)s is not supported (this Miroir reads %(version)d)")
            % {"found": json.dumps(format_version), "version": FORMAT_VERSION},
        )
    slug = reader.code(root, "slug", "catalog", max_length=80)
    version = root.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        reader.error("version", _("expected a whole number from 1"))
        version = 1
    kind = _text_or_none(root.get("kind", InstrumentKind.CUSTOM))
    if kind not in InstrumentKind.values:
        reader.error(
            "kind",
            _("unknown kind “%(kind)s”; expected one of %(kinds)s")
            % {"kind": kind, "kinds": ", ".join(InstrumentKind.values)},
        )
    title_fr, title_en = reader.bilingual(root, "title", "catalog", required=True)
    description_fr, description_en = reader.bilingual(root, "description", "catalog")
    mirrors = _parse_mirrors(reader, reader.items_list(root, "mirrors", ""))
    moments = moment_codes() if known_moments is None else known_moments
    items = _parse_items(reader, reader.items_list(root, "items", ""), mirrors, moments)
    _parse_logic(reader, items)
    # Paths read better without the "catalog." prefix the helpers put on top-level keys.
    errors = [error.removeprefix("catalog.") for error in reader.errors]
    if errors:
        raise CatalogError(errors)
    return CatalogSpec(
        slug=slug,
        version=version,
        kind=kind,
        title_fr=title_fr,
        title_en=title_en,
        description_fr=description_fr,
        description_en=description_en,
        mirrors=list(mirrors.values()),
        items=items,
    )


def _parse_mirrors(reader: _Reader, entries: list[Any]) -> dict[str, MirrorSpec]:
    mirrors: dict[str, MirrorSpec] = {}
    for index, entry in enumerate(entries):
        path = f"mirrors[{index}]"
        node = reader.obj(entry, path, MIRROR_KEYS)
        if node is None:
            continue
        code = reader.code(node, "code", path)
        if code in mirrors:
            reader.error(f"{path}.code", _("“%(code)s” is used twice") % {"code": code})
        title_fr, title_en = reader.bilingual(node, "title", path, required=True)
        dimension = _text_or_none(node.get("dimension", "") or "")
        if dimension != "" and dimension not in DIMENSIONS:
            reader.error(
                f"{path}.dimension", _("unknown dimension “%(code)s”") % {"code": dimension}
            )
        mirrors.setdefault(code, MirrorSpec(code, title_fr, title_en, dimension))
    return mirrors


def _parse_items(
    reader: _Reader, entries: list[Any], mirrors: dict[str, MirrorSpec], moments: set[str]
) -> list[ItemSpec]:
    items: list[ItemSpec] = []
    codes: set[str] = set()
    lens_in_mirror: dict[tuple[str, str], int] = {}
    for index, entry in enumerate(entries):
        path = f"items[{index}]"
        node = reader.obj(entry, path, ITEM_KEYS)
        if node is None:
            continue
        code = reader.code(node, "code", path)
        if code in codes:
            reader.error(f"{path}.code", _("“%(code)s” is used twice") % {"code": code})
        codes.add(code)
        lens = _text_or_none(node.get("lens"))
        if lens not in Lens.values:
            reader.error(
                f"{path}.lens",
                _("unknown lens “%(lens)s”; expected one of %(lenses)s")
                % {"lens": lens, "lenses": ", ".join(Lens.values)},
            )
        scale = _text_or_none(node.get("scale"))
        if scale not in SCALES:
            reader.error(f"{path}.scale", _("unknown scale “%(code)s”") % {"code": scale})
        text_fr, text_en = reader.bilingual(node, "text", path, required=True)
        dimension = _text_or_none(node.get("dimension"))
        if dimension not in DIMENSIONS:
            reader.error(
                f"{path}.dimension", _("unknown dimension “%(code)s”") % {"code": dimension}
            )
        mirror = _text_or_none(node.get("mirror"), keep_none=True)
        if mirror is not None:
            if mirror not in mirrors:
                reader.error(f"{path}.mirror", _("unknown mirror “%(code)s”") % {"code": mirror})
            elif (mirror, lens) in lens_in_mirror:
                reader.error(
                    f"{path}.mirror",
                    _(
                        "mirror “%(mirror)s” already has an item for the lens “%(lens)s” "
                        "(items[%(other)d])"
                    )
                    % {"mirror": mirror, "lens": lens, "other": lens_in_mirror[(mirror, lens)]},
                )
            else:
                lens_in_mirror[(mirror, lens)] = index
        moment = _text_or_none(node.get("moment"), keep_none=True)
        if moment is not None and moment not in moments:
            reader.error(f"{path}.moment", _("unknown moment “%(code)s”") % {"code": moment})
        items.append(
            ItemSpec(
                code=code,
                lens=lens if isinstance(lens, str) else "",
                scale=scale if isinstance(scale, str) else "",
                text_fr=text_fr,
                text_en=text_en,
                dimension=dimension if isinstance(dimension, str) else "",
                mirror=mirror,
                moment=moment,
                options=_parse_options(reader, node, path, scale),
                max_length=_parse_max_length(reader, node, path, scale),
                allow_dont_know=_parse_dont_know(reader, node, path, scale),
                required=reader.boolean(node, "required", path, True),
                show_when=node.get("show_when", []),
                end_when=node.get("end_when", []),
            )
        )
    return items


def _bound_scale(spec: ItemSpec) -> Scale | None:
    """Return the item's scale bound to its settings, or None when they are refused anyway."""
    try:
        return scale_get(
            spec.scale,
            options=spec.options or None,
            max_length=spec.max_length,
            allow_dont_know=spec.allow_dont_know,
        )
    except (ValueError, TypeError):  # An unknown scale, an option code that is not text.
        return None


def _parse_logic(reader: _Reader, items: list[ItemSpec]) -> None:
    """Check the items' display conditions and write them with canonical answer keys."""
    checked = logic_check(
        [
            LogicItem(
                code=spec.code,
                lens=spec.lens,
                scale=_bound_scale(spec),
                show_when=spec.show_when,
                end_when=spec.end_when,
            )
            for spec in items
        ]
    )
    for problem in checked.problems:
        reader.error(f"items[{problem.index}].{problem.where}", _(problem.message) % problem.params)
    for spec, show_when, end_when in zip(items, checked.show_when, checked.end_when, strict=True):
        spec.show_when, spec.end_when = show_when, end_when


def _parse_options(reader: _Reader, node: dict[str, Any], path: str, scale: Any) -> list:
    options = node.get("options")
    if scale != SingleChoiceScale.code:
        if options:
            reader.error(f"{path}.options", _("only single_choice items have options"))
        return []
    for where, message, params in SingleChoiceScale.check_options(options):
        reader.error(f"{path}.options{where}", _(message) % params)
    if not isinstance(options, list):
        return []
    return [
        {"code": option.get("code", ""), "fr": option.get("fr", ""), "en": option.get("en", "")}
        for option in options
        if isinstance(option, dict)
    ]


def _parse_max_length(reader: _Reader, node: dict[str, Any], path: str, scale: Any) -> int | None:
    value = node.get("max_length")
    if scale != FreeTextScale.code:
        if value is not None:
            reader.error(f"{path}.max_length", _("only free_text items have a maximum length"))
        return None
    if value is None:
        return FREE_TEXT_DEFAULT_LENGTH
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 1 <= value <= FREE_TEXT_MAX_LENGTH
    ):
        reader.error(
            f"{path}.max_length",
            _("expected a whole number from 1 to %(max)d") % {"max": FREE_TEXT_MAX_LENGTH},
        )
        return FREE_TEXT_DEFAULT_LENGTH
    return value


def _parse_dont_know(reader: _Reader, node: dict[str, Any], path: str, scale: Any) -> bool:
    value = reader.boolean(node, "allow_dont_know", path, False)
    kind = SCALES.get(scale) if isinstance(scale, str) else None
    if value and kind is not None and not kind.supports_dont_know:
        reader.error(
            f"{path}.allow_dont_know",
            _("the %(scale)s scale has no “don't know” option") % {"scale": scale},
        )
        return False
    return value


def catalog_decode(raw: bytes, *, name: str = "catalog") -> Any:
    """Return the JSON document in ``raw``; CatalogError when it is not readable JSON."""
    if len(raw) > MAX_CATALOG_BYTES:
        raise CatalogError(
            [
                f"{name}: "
                + _("the file is larger than %(size)d bytes") % {"size": MAX_CATALOG_BYTES}
            ]
        )
    try:
        return json_decode(raw)
    except InputError as error:
        where = f"{name}.{error.field}" if error.field else name
        raise CatalogError([f"{where}: {error.message}"]) from None


def catalog_names() -> list[str]:
    """Return the names of the bundled catalogs."""
    return sorted(path.stem for path in CATALOG_DIR.glob("*.json"))


def catalog_read(name: str) -> Any:
    """Return the decoded bundled catalog ``name``; CatalogError for an unknown name."""
    if name not in catalog_names():
        raise CatalogError(
            [
                _("unknown catalog “%(name)s”; bundled catalogs: %(names)s")
                % {"name": name, "names": ", ".join(catalog_names())}
            ]
        )
    return catalog_decode((CATALOG_DIR / f"{name}.json").read_bytes(), name=f"{name}.json")


@transaction.atomic
def catalog_import(
    *, spec: CatalogSpec, actor: User | None, replace: bool = False, source: str = ""
) -> Instrument:
    """Return the questionnaire built from ``spec``.

    An existing slug is refused unless ``replace``; then the latest version of that
    questionnaire is rewritten if no wave has locked it, and otherwise the catalog
    becomes a new version with a ``-vN`` slug, so answers already given keep the
    wording they were given to.
    """
    existing = Instrument.objects.select_for_update().filter(slug=spec.slug).first()
    if existing is not None and not replace:
        raise CatalogError(
            [
                "slug: "
                + _(
                    "a questionnaire “%(slug)s” already exists; "
                    "import it with “replace” to update it"
                )
                % {"slug": spec.slug}
            ]
        )
    if existing is None:
        instrument = Instrument(slug=spec.slug, family=spec.slug, version=spec.version)
        action = "instrument.import"
    else:
        latest = (
            Instrument.objects.select_for_update()
            .filter(family=existing.family)
            .order_by("-version")
            .first()
        )
        if latest is not None and not latest.is_locked:
            instrument = latest
            instrument.mirrors.all().delete()
            instrument.items.all().delete()
            action = "instrument.replace"
        else:
            version = instrument_next_version(existing.family)
            instrument = Instrument(
                slug=instrument_slug_free(f"{existing.family[:70]}-v{version}"),
                family=existing.family,
                version=version,
                previous_version=latest,
            )
            action = "instrument.import_version"
    instrument.title_fr = spec.title_fr
    instrument.title_en = spec.title_en
    instrument.description_fr = spec.description_fr
    instrument.description_en = spec.description_en
    instrument.kind = spec.kind
    instrument.source = source
    _save_checked(instrument, "catalog")
    _import_content(instrument, spec)
    audit_record(
        actor=actor,
        action=action,
        target=f"instrument:{instrument.pk}",
        details={"slug": instrument.slug, "source": source, "items": len(spec.items)},
    )
    return instrument


def _save_checked(obj: Instrument | Mirror | Item, path: str) -> None:
    try:
        obj.full_clean()
    except ValidationError as error:
        raise CatalogError(
            [
                f"{path}.{name}: {'; '.join(messages)}"
                for name, messages in error.message_dict.items()
            ]
        ) from None
    obj.save()


def _import_content(instrument: Instrument, spec: CatalogSpec) -> None:
    mirrors: dict[str, Mirror] = {}
    for index, mirror_spec in enumerate(spec.mirrors):
        mirror = Mirror(
            instrument=instrument,
            code=mirror_spec.code,
            title_fr=mirror_spec.title_fr,
            title_en=mirror_spec.title_en,
            dimension=mirror_spec.dimension,
            order=index + 1,
        )
        _save_checked(mirror, f"mirrors[{index}]")
        mirrors[mirror.code] = mirror
    moments = Moment.objects.in_bulk(
        [item.moment for item in spec.items if item.moment], field_name="code"
    )
    for index, item_spec in enumerate(spec.items):
        item = Item(
            instrument=instrument,
            code=item_spec.code,
            lens=item_spec.lens,
            scale=item_spec.scale,
            text_fr=item_spec.text_fr,
            text_en=item_spec.text_en,
            dimension=item_spec.dimension,
            mirror=mirrors[item_spec.mirror] if item_spec.mirror else None,
            moment=_moment(moments, item_spec.moment, index),
            options=item_spec.options,
            max_length=item_spec.max_length,
            allow_dont_know=item_spec.allow_dont_know,
            required=item_spec.required,
            show_when=item_spec.show_when,
            end_when=item_spec.end_when,
            order=index + 1,
        )
        _save_checked(item, f"items[{index}]")


def _moment(moments: dict[str, Moment], code: str | None, index: int) -> Moment | None:
    if code is None:
        return None
    if code not in moments:
        # Parsed against moments that have since been deleted.
        raise CatalogError(
            [f"items[{index}].moment: " + _("unknown moment “%(code)s”") % {"code": code}]
        )
    return moments[code]


def catalog_load(*, name: str, actor: User | None, replace: bool = False) -> Instrument:
    """Return the questionnaire loaded from the bundled catalog ``name``."""
    return catalog_import(
        spec=catalog_parse(catalog_read(name)), actor=actor, replace=replace, source=name
    )


def catalog_export(instrument: Instrument) -> dict[str, Any]:
    """Return the questionnaire as a catalog document (the format ``catalog_parse`` reads)."""
    mirrors = list(instrument.mirrors.order_by("order", "id"))
    items = instrument.items.select_related("mirror", "moment").order_by("order", "id")
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "slug": instrument.slug,
        "version": instrument.version,
        "kind": instrument.kind,
        "title": {"fr": instrument.title_fr, "en": instrument.title_en},
        "description": {"fr": instrument.description_fr, "en": instrument.description_en},
        "mirrors": [
            {
                "code": mirror.code,
                "title": {"fr": mirror.title_fr, "en": mirror.title_en},
                "dimension": mirror.dimension,
            }
            for mirror in mirrors
        ],
        "items": [_export_item(item) for item in items],
    }


def _export_item(item: Item) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": item.code,
        "lens": item.lens,
        "scale": item.scale,
        "text": {"fr": item.text_fr, "en": item.text_en},
        "dimension": item.dimension,
        "mirror": item.mirror.code if item.mirror else None,
        "moment": item.moment.code if item.moment else None,
        "required": item.required,
    }
    # Settings that only mean something on some scales are written only there.
    if item.scale == SingleChoiceScale.code:
        data["options"] = [
            {"code": option["code"], "fr": option["fr"], "en": option.get("en", "")}
            for option in item.options
        ]
    if item.scale == FreeTextScale.code:
        data["max_length"] = item.max_length
    if SCALES[item.scale].supports_dont_know:
        data["allow_dont_know"] = item.allow_dont_know
    # Survey logic is written where there is some, so catalogs without it read as before.
    if item.show_when:
        data["show_when"] = [
            {"item": condition["item"], "in": list(condition["in"])} for condition in item.show_when
        ]
    if item.end_when:
        data["end_when"] = list(item.end_when)
    return data
