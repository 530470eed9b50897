"""Survey logic: which items a respondent is asked, given the answers they gave before.

Two rules, both stored on the item they apply to and both referring to answers only:

- ``show_when``: a list of conditions ``{"item": <code>, "in": [<answer>, …]}``, all of
  which must hold (AND) for the item to be asked. A condition holds when the named item was
  asked *and* answered with one of the listed answers; an earlier item left unanswered or
  not asked makes the condition fail.
- ``end_when``: answers of this very item that end the survey: when the respondent gives
  one, no later item is asked.

Conditions name earlier items of the same lens answered on a choice scale, so every route
through a questionnaire is decided item after item, and no cycle can exist. Answers are
written as their *keys*: the value a respondent's page posts (``"4"``, ``"1"`` for yes,
``"dont_know"``, an option code). No Django here: the respondent pages, the kiosk intake,
the preview, the catalog loader, the editor and the tests share it, and
``static/miroir/logic.js`` follows the same rules in the browser.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from miroir.instruments.scales import (
    DONT_KNOW,
    FreeTextScale,
    Scale,
    ScaleValueError,
    gettext_noop,
)


class RoutedItem(Protocol):
    code: str
    show_when: list[dict[str, Any]]
    end_when: list[str]


def answer_key(value: Any) -> str:
    """Return the key of a validated answer: what its choice posts (``None`` is "don't know")."""
    if value is None:
        return DONT_KNOW
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class Route:
    """The path of one respondent through a questionnaire, decided item after item.

    Call ``asks(item)`` for each item in order; for an item asked and answered, call
    ``answered(item, key)`` before moving on.
    """

    def __init__(self) -> None:
        self.keys: dict[str, str] = {}
        self.ended = False

    def asks(self, item: RoutedItem) -> bool:
        """Return whether the item is asked, given the answers recorded so far."""
        if self.ended:
            return False
        return all(
            self.keys.get(condition["item"]) in condition["in"] for condition in item.show_when
        )

    def answered(self, item: RoutedItem, key: str) -> None:
        self.keys[item.code] = key
        if key in item.end_when:
            self.ended = True


def items_asked(items: Iterable[RoutedItem], keys: Mapping[str, str]) -> list[str]:
    """Return the codes of the items asked when the answers have these keys, in order.

    ``keys`` may hold answers to items that end up not asked: they are ignored.
    """
    route = Route()
    asked = []
    for item in items:
        if route.asks(item):
            asked.append(item.code)
            if item.code in keys:
                route.answered(item, keys[item.code])
    return asked


def logic_json(item: RoutedItem) -> str:
    """Return the item's rules as the JSON the browser script reads ("" when it has none)."""
    if not item.show_when and not item.end_when:
        return ""
    return json.dumps({"show_when": item.show_when, "end_when": item.end_when})


# Checking --------------------------------------------------------------------------------


@dataclass
class LogicItem:
    """What the check needs of an item: where it stands, its lens, its bound scale and rules."""

    code: str
    lens: str
    scale: Scale | None
    show_when: Any = field(default_factory=list)
    end_when: Any = field(default_factory=list)


@dataclass
class LogicProblem:
    """One problem: the item's position, the path inside its rules, a message to translate.

    ``message % params`` reads in English; callers translate ``message`` first (it is in
    the catalogs).
    """

    index: int
    where: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class LogicChecked:
    """The rules of every item, written with canonical keys, and what is wrong with them."""

    show_when: list[list[dict[str, Any]]]
    end_when: list[list[str]]
    problems: list[LogicProblem]


def _keys(
    values: Any, scale: Scale, where: str, index: int, problems: list[LogicProblem], code: str
) -> list[str]:
    """Return the canonical keys of ``values`` on ``scale``; each refused one is a problem."""
    if not isinstance(values, list) or not values:
        problems.append(LogicProblem(index, where, gettext_noop("expected a list of answers")))
        return []
    keys: list[str] = []
    for position, value in enumerate(values):
        if isinstance(value, bool) or not isinstance(value, str | int):
            key = None
        else:
            try:
                key = answer_key(scale.validate(value))
            except ScaleValueError:
                key = None
        if key is None:
            problems.append(
                LogicProblem(
                    index,
                    f"{where}[{position}]",
                    gettext_noop("“%(value)s” is not an answer of “%(item)s” (%(accepted)s)"),
                    {"value": value, "item": code, "accepted": _accepted(scale)},
                )
            )
        elif key not in keys:
            keys.append(key)
    return keys


def _accepted(scale: Scale) -> str:
    values = [answer_key(value) for value in scale.values()]
    if getattr(scale, "allow_dont_know", False):
        values.append(DONT_KNOW)
    return ", ".join(values)


def logic_check(items: Sequence[LogicItem]) -> LogicChecked:
    """Return every item's rules in canonical form, with each problem and where it is.

    A condition must name an earlier item of the same lens with a choice scale, and list
    answers of that item; ``end_when`` lists answers of the item itself.
    """
    problems: list[LogicProblem] = []
    earlier: dict[str, LogicItem] = {}
    shows: list[list[dict[str, Any]]] = []
    ends: list[list[str]] = []
    for index, item in enumerate(items):
        shows.append(_check_show_when(item, index, earlier, problems))
        ends.append(_check_end_when(item, index, problems))
        earlier.setdefault(item.code, item)
    return LogicChecked(show_when=shows, end_when=ends, problems=problems)


def _check_show_when(
    item: LogicItem, index: int, earlier: dict[str, LogicItem], problems: list[LogicProblem]
) -> list[dict[str, Any]]:
    if item.show_when in (None, []):
        return []
    if not isinstance(item.show_when, list):
        problems.append(LogicProblem(index, "show_when", gettext_noop("expected a list")))
        return []
    conditions: list[dict[str, Any]] = []
    named: set[str] = set()
    for position, condition in enumerate(item.show_when):
        where = f"show_when[{position}]"
        if not isinstance(condition, Mapping):
            problems.append(LogicProblem(index, where, gettext_noop("expected an object")))
            continue
        for key in sorted(set(condition) - {"item", "in"}):
            problems.append(
                LogicProblem(index, where, gettext_noop("unknown key “%(key)s”"), {"key": key})
            )
        code = condition.get("item")
        source = earlier.get(code) if isinstance(code, str) else None
        if source is None:
            problems.append(
                LogicProblem(
                    index,
                    f"{where}.item",
                    gettext_noop(
                        "“%(item)s” is not a question before “%(code)s”: a condition can only "
                        "refer to an earlier question"
                    ),
                    {
                        "item": code if isinstance(code, str) else json.dumps(code),
                        "code": item.code,
                    },
                )
            )
            continue
        if source.lens != item.lens:
            problems.append(
                LogicProblem(
                    index,
                    f"{where}.item",
                    gettext_noop(
                        "“%(item)s” is asked through the lens “%(other)s”, not “%(lens)s”: "
                        "it is never in the same survey"
                    ),
                    {"item": code, "other": source.lens, "lens": item.lens},
                )
            )
            continue
        if source.scale is None:
            continue  # Its scale is refused, and said so, where it is written.
        if isinstance(source.scale, FreeTextScale):
            problems.append(
                LogicProblem(
                    index,
                    f"{where}.item",
                    gettext_noop("“%(item)s” is not answered by a choice: a condition needs one"),
                    {"item": code},
                )
            )
            continue
        if code in named:
            problems.append(
                LogicProblem(
                    index,
                    f"{where}.item",
                    gettext_noop("“%(item)s” is named by two conditions: list its answers once"),
                    {"item": code},
                )
            )
            continue
        named.add(code)
        keys = _keys(condition.get("in"), source.scale, f"{where}.in", index, problems, code)
        if keys:
            conditions.append({"item": code, "in": keys})
    return conditions


def _check_end_when(item: LogicItem, index: int, problems: list[LogicProblem]) -> list[str]:
    if item.end_when in (None, []):
        return []
    if item.scale is None:
        return []
    if isinstance(item.scale, FreeTextScale):
        problems.append(
            LogicProblem(
                index,
                "end_when",
                gettext_noop("only a question answered by a choice can end the survey"),
            )
        )
        return []
    return _keys(item.end_when, item.scale, "end_when", index, problems, item.code)
