"""The parts of the demo network, each contributed by the app that owns the data.

An app adds its part in ``<app>/demo.py``::

    @demo_part(name="voices", order=40)
    def build_voices(ctx: DemoContext) -> None:
        ...

    @demo_reset(name="voices")
    def reset_voices() -> None:
        ...

Parts are built in increasing ``order`` (the organisation first, at 10) and reset in
the reverse order, so that rows pointing at units and members go before them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.module_loading import autodiscover_modules

if TYPE_CHECKING:
    from miroir.demo.context import DemoContext

DemoBuild = Callable[["DemoContext"], None]
DemoReset = Callable[[], None]


@dataclass(frozen=True)
class DemoPart:
    name: str
    order: int
    build: DemoBuild
    reset: DemoReset | None = None


_BUILDS: dict[str, tuple[int, DemoBuild]] = {}
_RESETS: dict[str, DemoReset] = {}


def _same_function(a: Callable[..., object], b: Callable[..., object]) -> bool:
    # A module imported twice (a test reloading it) registers an equal function again.
    return (a.__module__, a.__qualname__) == (b.__module__, b.__qualname__)


def demo_part(*, name: str, order: int) -> Callable[[DemoBuild], DemoBuild]:
    """Return a decorator registering the function that builds the part ``name``."""

    def register(build: DemoBuild) -> DemoBuild:
        existing = _BUILDS.get(name)
        if existing is not None and not _same_function(existing[1], build):
            raise ValueError(f"Demo part {name!r} is already registered by {existing[1]!r}")
        _BUILDS[name] = (order, build)
        return build

    return register


def demo_reset(*, name: str) -> Callable[[DemoReset], DemoReset]:
    """Return a decorator registering the function that deletes the part ``name``'s data."""

    def register(reset: DemoReset) -> DemoReset:
        existing = _RESETS.get(name)
        if existing is not None and not _same_function(existing, reset):
            raise ValueError(f"Demo reset {name!r} is already registered by {existing!r}")
        _RESETS[name] = reset
        return reset

    return register


def demo_parts() -> list[DemoPart]:
    """Return every part of the installed apps, in build order."""
    autodiscover_modules("demo")
    parts = [
        DemoPart(name=name, order=order, build=build, reset=_RESETS.get(name))
        for name, (order, build) in _BUILDS.items()
    ]
    return sorted(parts, key=lambda part: (part.order, part.name))
