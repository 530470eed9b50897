"""Reads of the demo: whether an organisation is there, and the planted ground truth."""

from __future__ import annotations

from typing import Any

from miroir.demo.models import GroundTruth
from miroir.org.models import Unit

_MISSING = object()


def demo_truth(part: str, key: str, default: Any = _MISSING) -> Any:
    """Return the ground truth recorded by ``part`` under ``key``.

    Raises LookupError when nothing was recorded and no default is given.
    """
    # A list, not .first(): a recorded JSON null must not read as "nothing recorded".
    found = list(GroundTruth.objects.filter(part=part, key=key).values_list("value", flat=True))
    if found:
        return found[0]
    if default is not _MISSING:
        return default
    raise LookupError(f"No demo ground truth {part}.{key}: generate the demo first")


def demo_truth_all() -> dict[str, dict[str, Any]]:
    """Return every recorded fact, as ``{part: {key: value}}``."""
    truth: dict[str, dict[str, Any]] = {}
    for part, key, value in GroundTruth.objects.values_list("part", "key", "value"):
        truth.setdefault(part, {})[key] = value
    return truth


def organisation_exists() -> bool:
    """Return whether the database already holds an organisation (any unit)."""
    return Unit.objects.exists()
