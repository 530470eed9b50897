"""Listening symmetry's voice side: a small registry the voices app plugs into.

The voices app (complaints, suggestions…) registers one function with
``register_voice_source``; it is called as ``fn(*, unit, lens, start, end)`` for a unit's
whole subtree, the lens that spoke (customer complaints, employee suggestions…) and the
days ``start`` (included) to ``end`` (excluded), and returns a ``VoiceListening`` or
None when it has nothing for them. With no source registered, the voice components of
listening symmetry and of the symmetry index are absent (not zero).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class VoiceListening:
    """How one side's voices were listened to over a period, in one unit's subtree."""

    received: int
    answered: int
    answered_within_deadline: int
    adopted: int
    backlog: int
    median_days_to_answer: float | None

    @property
    def answered_in_time_share(self) -> float | None:
        return self.answered_within_deadline / self.received if self.received else None

    @property
    def adopted_share(self) -> float | None:
        return self.adopted / self.received if self.received else None


VoiceSource = Callable[..., "VoiceListening | None"]

_SOURCES: list[VoiceSource] = []
# A source may also answer for every unit at once (a network page asks for hundreds):
# ``every_unit(*, lens, start, end, lineage)`` → unit id → VoiceListening, where
# ``lineage`` maps each unit to its path and a unit absent from the answer has none.
_EVERY_UNIT: dict[tuple[str, str], Callable[..., dict[int, Any]]] = {}


def _key(fn: VoiceSource) -> tuple[str, str]:
    return (fn.__module__, fn.__qualname__)


def register_voice_source(
    fn: VoiceSource, *, every_unit: Callable[..., dict[int, Any]] | None = None
) -> VoiceSource:
    """Register ``fn`` as a source of voice figures; returns it, so it works as a decorator.

    Registering the same function twice (a module imported again) keeps one.
    """
    key = _key(fn)
    _SOURCES[:] = [source for source in _SOURCES if _key(source) != key]
    _SOURCES.append(fn)
    _EVERY_UNIT.pop(key, None)
    if every_unit is not None:
        _EVERY_UNIT[key] = every_unit
    return fn


def unregister_voice_source(fn: VoiceSource) -> None:
    """Remove a registered source (tests)."""
    key = _key(fn)
    _SOURCES[:] = [source for source in _SOURCES if _key(source) != key]
    _EVERY_UNIT.pop(key, None)


def voice_sources() -> tuple[VoiceSource, ...]:
    return tuple(_SOURCES)


def _combined(parts: list[Any]) -> VoiceListening | None:
    parts = [part for part in parts if part is not None]
    if not parts:
        return None
    # Medians do not add up: the source with the most answered voices gives it.
    busiest = max(parts, key=lambda part: part.answered)
    return VoiceListening(
        received=sum(part.received for part in parts),
        answered=sum(part.answered for part in parts),
        answered_within_deadline=sum(part.answered_within_deadline for part in parts),
        adopted=sum(part.adopted for part in parts),
        backlog=sum(part.backlog for part in parts),
        median_days_to_answer=busiest.median_days_to_answer,
    )


def voice_listening(*, unit: Any, lens: str, start: date, end: date) -> VoiceListening | None:
    """Return the voices of ``lens`` in ``unit``'s subtree summed over every source, or None.

    The median time to answer is taken from the source with the most answered voices
    (medians do not add up).
    """
    return _combined([fn(unit=unit, lens=lens, start=start, end=end) for fn in _SOURCES])


_NOTHING = VoiceListening(0, 0, 0, 0, 0, None)


def voice_listening_every_unit(
    *, lens: str, start: date, end: date, lineage: Mapping[int, Sequence[int]]
) -> Callable[[Any], VoiceListening | None] | None:
    """Return a look-up unit → ``voice_listening`` computed for every unit at once.

    None when a registered source cannot answer for every unit (ask unit by unit then).
    """
    if not _SOURCES or any(_key(fn) not in _EVERY_UNIT for fn in _SOURCES):
        return None
    answers = [
        _EVERY_UNIT[_key(fn)](lens=lens, start=start, end=end, lineage=lineage) for fn in _SOURCES
    ]

    def look_up(unit: Any) -> VoiceListening | None:
        return _combined([answer.get(unit.pk, _NOTHING) for answer in answers])

    return look_up
