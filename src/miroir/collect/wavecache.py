"""What respondents read of a wave, kept in each process while the wave runs.

Once a wave is launched its questionnaire is locked and its audience fixed: the items, the
audience's paths and each language's rendered questions stay the same until it ends. This
module keeps them per process, keyed by the wave and its row version (``updated_at``,
questionnaire, lens), so a respondent's request reads only the rows that may change — the
wave's own row (status, dates) and the unit's — each time, in one statement
(``wave_and_unit``). A wave closed, purged or edited is therefore seen at once: its row is
never cached, and a changed row makes a new key. Draft waves are never cached (their
questionnaire and audience may still change).
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Model

from miroir.collect.models import Wave, WaveStatus
from miroir.instruments.models import Instrument, Item
from miroir.org.models import Unit

# Waves kept per process; a process serves few waves at a time.
CAPACITY = 256


@dataclass
class WaveView:
    """The unchanging part of a launched wave, as respondents read it."""

    instrument: Instrument
    items: tuple[Item, ...]
    paths: tuple[str, ...]
    # Rendered questions (blank, without error) per language, filled on first use.
    fragments: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def reaches(self, unit: Unit) -> bool:
        """Return whether ``unit`` lies in one of the wave's audience subtrees."""
        return any(unit.path.startswith(path) for path in self.paths)


_views: OrderedDict[tuple[Any, ...], WaveView] = OrderedDict()
_lock = threading.Lock()


def _key(wave: Wave) -> tuple[Any, ...]:
    return (wave.pk, wave.updated_at, wave.instrument_id, wave.lens)


def _load(wave: Wave) -> WaveView:
    items = Item.objects.filter(instrument_id=wave.instrument_id, lens=wave.lens).order_by(
        "order", "id"
    )
    instrument = Instrument.objects.get(pk=wave.instrument_id)
    paths = wave.units.values_list("path", flat=True)
    return WaveView(instrument=instrument, items=tuple(items), paths=tuple(paths))


def wave_view(wave: Wave) -> WaveView:
    """Return the respondents' view of ``wave``: cached once launched, read afresh in draft."""
    if wave.status == WaveStatus.DRAFT:
        return _load(wave)
    key = _key(wave)
    with _lock:
        view = _views.get(key)
        if view is not None:
            _views.move_to_end(key)
            return view
    view = _load(wave)
    with _lock:
        # Older versions of the same wave go: a wave keeps one entry.
        for stale in [k for k in _views if k[0] == wave.pk]:
            del _views[stale]
        _views[key] = view
        while len(_views) > CAPACITY:
            _views.popitem(last=False)
    return view


def fragments(view: WaveView, language: str, render: Callable[[Item], str]) -> tuple[str, ...]:
    """Return each item's blank question rendered by ``render`` in ``language``, once."""
    done = view.fragments.get(language)
    if done is None:
        done = tuple(render(item) for item in view.items)
        view.fragments[language] = done
    return done


def clear() -> None:
    """Forget every cached wave (tests, and after bulk changes made outside the services)."""
    with _lock:
        _views.clear()


# One statement for the wave's row and the unit's ----------------------------------------------


def _columns(model: type[Model], alias: str) -> tuple[list[Any], str]:
    fields = list(model._meta.concrete_fields)
    quote = connection.ops.quote_name
    return fields, ", ".join(f"{alias}.{quote(f.column)}" for f in fields)


def _build(model: type[Model], fields: list[Any], values: tuple[Any, ...]) -> Any:
    converted = []
    for model_field, value in zip(fields, values, strict=True):
        for converter in (
            *connection.ops.get_db_converters(model_field),
            *model_field.get_db_converters(connection),
        ):
            value = converter(value, model_field, connection)
        converted.append(value)
    return model.from_db(connection.alias, [f.attname for f in fields], converted)


_statement: dict[str, Any] = {}


def wave_and_unit(public_id: Any, unit_id: Any) -> tuple[Wave | None, Unit | None]:
    """Return the wave a respondent URL names and its active unit, read in one statement.

    Either is None when there is none (an unknown wave, an unknown or inactive unit).
    """
    try:
        wave_uuid = uuid.UUID(str(public_id))
        unit_pk = int(unit_id)
    except (ValueError, TypeError, AttributeError):
        return None, None
    if connection.vendor not in _statement:
        wave_fields, wave_columns = _columns(Wave, "w")
        unit_fields, unit_columns = _columns(Unit, "u")
        quote = connection.ops.quote_name
        sql = (
            f"SELECT {wave_columns}, {unit_columns} "  # noqa: S608 (our own model names)
            f"FROM {quote(Wave._meta.db_table)} w LEFT JOIN {quote(Unit._meta.db_table)} u "
            f"ON u.{quote('id')} = %s AND u.{quote('is_active')} "
            f"WHERE w.{quote('public_id')} = %s"
        )
        _statement[connection.vendor] = (sql, wave_fields, unit_fields)
    sql, wave_fields, unit_fields = _statement[connection.vendor]
    public = Wave._meta.get_field("public_id").get_db_prep_value(wave_uuid, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [unit_pk, public])
        row = cursor.fetchone()
    if row is None:
        return None, None
    split = len(wave_fields)
    wave = _build(Wave, wave_fields, row[:split])
    unit = _build(Unit, unit_fields, row[split:]) if row[split] is not None else None
    return wave, unit
