"""What Miroir accepts from outside: text, JSON documents, numbers and dates.

Every entry point (forms, the JSON API, CSV and JSON imports, the kiosk) applies these rules,
so that a value the database cannot hold, or that would overflow a later computation, is
refused with a message naming the field instead of failing as a 500 further down
(docs/security.md, "Input rules"):

* text must be storable: no NUL byte, no lone surrogate (``text_problem``);
* invisible and direction-changing characters are removed from names and free texts
  (``text_clean``), so that "Lille" and "Lil\u200ble" cannot be two look-alike units;
* a JSON document is at most ``JSON_MAX_DEPTH`` deep, with numbers of at most
  ``JSON_MAX_DIGITS`` digits and storable strings (``json_decode``);
* a date lies between ``EARLIEST`` and ``LATEST_YEARS_AHEAD`` years from now
  (``moment_problem``, ``day_problem``); a date and time without an offset is read in a
  given time zone (``moment_parse``) without overflowing.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

# The character rules live in a Django-free module (instruments.scales, which the analytics
# read, uses them); every entry point finds them here with the other input rules.
from miroir.core.characters import INVISIBLE as INVISIBLE
from miroir.core.characters import text_clean as text_clean

# Text ----------------------------------------------------------------------------------------


def text_storable(text: str) -> bool:
    """Return whether the database can store ``text`` (no NUL byte, no lone surrogate)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def text_problem(text: str) -> str | None:
    """Return why ``text`` cannot be accepted (NUL byte, lone surrogate), or None."""
    if text_storable(text):
        return None
    return _("Contains a character that cannot be stored (NUL or lone surrogate).")


# JSON ----------------------------------------------------------------------------------------

JSON_MAX_DEPTH = 32
JSON_MAX_DIGITS = 30


class InputError(ValueError):
    """A value refused at the door: ``field`` says where (dotted path), ``message`` why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message


class JsonSyntaxError(InputError):
    """The document is not JSON at all (or not UTF-8): the caller answers in its own shape."""


def _number(text: str) -> int | float:
    if len(text.lstrip("-").replace(".", "").split("e")[0].split("E")[0]) > JSON_MAX_DIGITS:
        raise InputError("", _("A number has more than %(max)d digits.") % {"max": JSON_MAX_DIGITS})
    if not any(mark in text for mark in ".eE"):
        return int(text)
    number = float(text)
    if math.isinf(number):  # 1e999 reads as infinity, which no field takes
        return _constant(text)
    return number


def _constant(text: str) -> Any:
    raise InputError("", _("%(value)s is not a number JSON allows.") % {"value": text})


def _depth_exceeded(value: Any) -> bool:
    """Return whether arrays and objects nest deeper than ``JSON_MAX_DEPTH`` in ``value``."""
    level = [value] if isinstance(value, dict | list) else []
    for _depth in range(JSON_MAX_DEPTH):
        level = [
            inner
            for node in level
            for inner in (node.values() if isinstance(node, dict) else node)
            if isinstance(inner, dict | list)
        ]
        if not level:
            return False
    return True


def json_strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Yield ``(dotted path, text)`` for every key and string of a decoded JSON value."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, inner in value.items():
            where = f"{path}.{key}" if path else str(key)
            yield where, str(key)
            yield from json_strings(inner, where)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from json_strings(inner, f"{path}.{index}" if path else str(index))


def json_decode(raw: bytes | str, *, check_text: bool = True) -> Any:
    """Return the decoded JSON document, or raise ``InputError`` naming what is refused.

    Refused: text that is not UTF-8, invalid JSON, nesting deeper than ``JSON_MAX_DEPTH``,
    numbers longer than ``JSON_MAX_DIGITS`` digits, NaN and Infinity, and keys or strings
    holding a NUL byte or a lone surrogate.
    """
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise JsonSyntaxError("", _("The document is not UTF-8 text.")) from None
    deep = InputError(
        "", _("The document nests deeper than %(max)d levels.") % {"max": JSON_MAX_DEPTH}
    )
    try:
        value = json.loads(raw, parse_int=_number, parse_float=_number, parse_constant=_constant)
    except json.JSONDecodeError as error:
        raise JsonSyntaxError(
            "",
            _("Invalid JSON at line %(line)d, column %(column)d: %(message)s")
            % {"line": error.lineno, "column": error.colno, "message": error.msg},
        ) from None
    except RecursionError:  # thousands of levels: the decoder itself gives up
        raise deep from None
    if _depth_exceeded(value):
        raise deep
    problems = json_text_problems(value) if check_text else []
    if problems:
        raise problems[0]
    return value


def json_text_problems(value: Any) -> list[InputError]:
    """Return one ``InputError`` per key or string of ``value`` that cannot be stored."""
    return [
        InputError(where, problem)
        for where, text in json_strings(value)
        if (problem := text_problem(text))
    ]


# Numbers -------------------------------------------------------------------------------------

# The largest whole number a form or schema field takes unless it says less: what a
# PostgreSQL ``integer`` holds. A ``smallint`` column says its own bound.
INT_MAX = 2**31 - 1
SMALLINT_MAX = 2**15 - 1


def whole_number(text: str, *, maximum: int = 2**63 - 1) -> int | None:
    """Return the number ``text`` writes in ASCII digits, if it is at most ``maximum``.

    ``str.isdigit`` also takes "١٢٣" and "²", and ``int`` of 5,000 digits raises: a
    reference typed by a person goes through here before it reaches a query.
    """
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if number <= maximum else None


# Dates ---------------------------------------------------------------------------------------

# Nothing Miroir records happened before this day: an older date is a typing or export error.
EARLIEST = date(2000, 1, 1)
# A planned date (a wave's closing, a token's expiry, a due date) lies at most this far ahead.
LATEST_YEARS_AHEAD = 10


def latest(now: datetime | None = None) -> date:
    """Return the last day a date entering Miroir may name."""
    today = timezone.localdate(now) if now is not None else timezone.localdate()
    return today.replace(year=today.year + LATEST_YEARS_AHEAD, day=min(today.day, 28))


def _range_message(now: datetime | None) -> str:
    return _("Give a date between %(first)s and %(last)s.") % {
        "first": EARLIEST.isoformat(),
        "last": latest(now).isoformat(),
    }


def day_problem(value: date, *, now: datetime | None = None) -> str | None:
    """Return why the day ``value`` is out of range, or None."""
    if isinstance(value, datetime):
        value = value.date()
    if EARLIEST <= value <= latest(now):
        return None
    return _range_message(now)


def moment_problem(
    value: datetime, *, now: datetime | None = None, future: timedelta | None = None
) -> str | None:
    """Return why the date and time ``value`` is out of range, or None.

    Its wall-clock date must lie in the range of ``day_problem``; with ``future`` given, it
    is an event that already happened and may be at most that far after ``now``.
    """
    problem = day_problem(value, now=now)
    if problem:
        return problem
    if future is not None and value > (now or timezone.now()) + future:
        return _("The date is in the future.")
    return None


def moment_parse(text: str, *, zone: tzinfo | None = None) -> datetime | None:
    """Return the aware date and time ``text`` names (ISO 8601), or None if it names none.

    Without an offset it is read in ``zone`` (the configured time zone by default). A date
    outside any sane range still comes back (check it with ``moment_problem``), but never
    one that overflows when converted: those read as far-away dates at the edges.
    """
    try:
        moment = parse_datetime(text.strip())
    except ValueError:
        return None
    if moment is None:
        return None
    if timezone.is_naive(moment):
        if not EARLIEST.year - 1 <= moment.year <= 9000:
            # Out of range whatever the zone: keep the wall-clock value in UTC, which cannot
            # overflow, so that the range check names it.
            return moment.replace(tzinfo=UTC)
        return timezone.make_aware(moment, zone or timezone.get_current_timezone())
    try:
        moment.astimezone(UTC)
    except OverflowError:
        return moment.replace(tzinfo=UTC)
    return moment


# Rows stored before these rules: ``dates_clamp`` brings them back into what can be read.
CLAMP_FLOOR = datetime(EARLIEST.year, 1, 1, tzinfo=UTC)
CLAMP_CEILING = datetime(2100, 1, 1, tzinfo=UTC)


def dates_clamp(model: Any, fields: tuple[str, ...]) -> int:
    """Return how many values of ``fields`` were outside the readable range, now clamped.

    A date before ``EARLIEST`` becomes its first instant, one after 2099 becomes 2100-01-01:
    a year-1 timestamp otherwise fails every read of its row (psycopg cannot build it, and
    a naive reading overflows). The comparison and the update run in the database, so the
    bad value is never read. Used by data migrations (docs/security.md, "Input rules").
    """
    changed = 0
    for name in fields:
        rows = model._default_manager.all()
        changed += rows.filter(**{f"{name}__lt": CLAMP_FLOOR}).update(**{name: CLAMP_FLOOR})
        changed += rows.filter(**{f"{name}__gt": CLAMP_CEILING}).update(**{name: CLAMP_CEILING})
    return changed
