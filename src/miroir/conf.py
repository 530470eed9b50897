"""Typed readers for the MIROIR_* environment variables.

Each reader also accepts a ``<NAME>_FILE`` variant holding the path of a file
whose content is the value, so that secrets can come from mounted files.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    """Return the variable's value, read from ``<name>_FILE`` when that is set."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE points to {file_path!r}: {exc}") from exc
    value = os.environ.get(name)
    return default if value is None else value


def env_bool(name: str, default: bool) -> bool:
    """Return the variable read as a boolean (1/0, true/false, yes/no, on/off)."""
    raw = env_str(name)
    if raw is None:
        return default
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {raw!r}")


def env_int(name: str, default: int) -> int:
    """Return the variable read as an integer."""
    raw = env_str(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    """Return the variable split on commas, blanks dropped."""
    raw = env_str(name)
    if raw is None:
        return list(default)
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_rate(name: str, default: tuple[int, int]) -> tuple[int, int]:
    """Return the variable read as a rate ``COUNT/SECONDS`` (``0/60`` turns the limit off)."""
    raw = env_str(name)
    if raw is None or raw.strip() == "":
        return default
    count, _slash, seconds = raw.strip().partition("/")
    try:
        parsed = (int(count), int(seconds))
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"{name} must be COUNT/SECONDS, like 10/300, got {raw!r}"
        ) from exc
    if parsed[0] < 0 or parsed[1] <= 0:
        raise ImproperlyConfigured(f"{name} needs a count of 0 or more and seconds above 0")
    return parsed
