"""The symmetry index of a unit, from 0 (asymmetric) to 100 (symmetric), and its components.

No black box: every component is returned with its inputs, its score from 0 to 100, its
weight and its contribution, and the index is their weighted mean.

- ``experience`` (weight 30): the customer - employee gap on each mirror, in points of a
  0-100 scale; score = 100 - 2 * the mean absolute gap, at least 0.
- ``perception`` (weight 20): the management - employee gap on each item; same rule.
- ``response_rate`` (15), ``answered_in_time`` (15, voices answered within their
  deadline), ``adopted`` (10, voices adopted) and ``time_to_answer`` (10, median time to
  answer a voice): one figure per side; score = 100 * min(ratio, 1/ratio).

The ratio is employee / customer; min(ratio, 1/ratio) is 1 when both sides are equal,
whichever side is ahead, and 0.5 when one side gets twice what the other gets. A missing
component is left out and the weights of the others are scaled up to sum to 100; the
index is None when no component is known. The formula is documented in
``docs/analytics.md``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from miroir.analytics import AnalyticsError
from miroir.instruments.scales import gettext_noop

GAP_PENALTY = 2.0

WEIGHTS: dict[str, float] = {
    "experience": 30.0,
    "perception": 20.0,
    "response_rate": 15.0,
    "answered_in_time": 15.0,
    "adopted": 10.0,
    "time_to_answer": 10.0,
}

LABELS: dict[str, str] = {
    "experience": gettext_noop("Experience symmetry (customers vs employees on mirrors)"),
    "perception": gettext_noop("Perception gap (management vs employees)"),
    "response_rate": gettext_noop("Response rate, employees vs customers"),
    "answered_in_time": gettext_noop("Voices answered within their deadline"),
    "adopted": gettext_noop("Voices adopted"),
    "time_to_answer": gettext_noop("Median time to answer a voice"),
}

RATIO_RULE = gettext_noop("100 times the smaller of employee/customer and its inverse")

RULES: dict[str, str] = {
    "experience": gettext_noop("100 minus twice the mean absolute gap in points"),
    "perception": gettext_noop("100 minus twice the mean absolute gap in points"),
    "response_rate": RATIO_RULE,
    "answered_in_time": RATIO_RULE,
    "adopted": RATIO_RULE,
    "time_to_answer": RATIO_RULE,
}

_GAPS = ("experience", "perception")
_SHARES = ("response_rate", "answered_in_time", "adopted")


class SymmetryError(AnalyticsError):
    """A component the index cannot use; the message names it and says why."""


@dataclass(frozen=True)
class SymmetryComponent:
    """One component: its inputs, its score, its weight and its part of the index.

    Gap components fill ``gaps`` and ``raw`` (the mean absolute gap in points); listening
    components fill ``employee``, ``customer`` and ``raw`` (the ratio employee/customer,
    None when the customer side is 0). A missing component has ``score`` None and no
    effective weight.
    """

    code: str
    label: str
    rule: str
    weight: float
    effective_weight: float
    score: float | None
    contribution: float | None
    raw: float | None = None
    gaps: tuple[float, ...] = ()
    employee: float | None = None
    customer: float | None = None

    @property
    def missing(self) -> bool:
        return self.score is None


@dataclass(frozen=True)
class SymmetryIndex:
    """The index (0-100, None without any component) and every component behind it.

    ``coverage`` is the share of the nominal weight whose component is known (0 to 1).
    """

    value: float | None
    coverage: float
    components: tuple[SymmetryComponent, ...]

    def component(self, code: str) -> SymmetryComponent:
        for component in self.components:
            if component.code == code:
                return component
        raise KeyError(code)


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise SymmetryError(f"{name}: expected a finite number, got {value!r}")
    return float(value)


def gap_score(gaps: Sequence[float]) -> tuple[float, float]:
    """Return (mean absolute gap, score): 100 - 2 * the mean absolute gap, at least 0."""
    if not gaps:
        raise SymmetryError("gap_score needs at least one gap")
    raw = sum(abs(gap) for gap in gaps) / len(gaps)
    return raw, max(0.0, 100.0 - GAP_PENALTY * raw)


def ratio_score(employee: float, customer: float) -> tuple[float | None, float]:
    """Return (ratio employee/customer, score): 100 * min(ratio, 1/ratio).

    Both sides at 0 are equal (score 100); one side at 0 and not the other scores 0.
    """
    if customer == 0:
        return (1.0, 100.0) if employee == 0 else (None, 0.0)
    ratio = employee / customer
    if ratio == 0:
        return 0.0, 0.0
    return ratio, 100.0 * min(ratio, 1 / ratio)


def _gap_inputs(code: str, gaps: Sequence[float]) -> tuple[float, ...]:
    if isinstance(gaps, str) or not isinstance(gaps, Sequence):
        raise SymmetryError(f"{code}: expected a list of gaps in points")
    values = tuple(_number(f"{code} gap", gap) for gap in gaps)
    for value in values:
        if not -100 <= value <= 100:
            raise SymmetryError(
                f"{code}: a gap of {value} is outside -100..100; gaps are in points of a "
                "0-100 scale (a share difference * 100, or means moved with on_100)"
            )
    return values


def _pair_inputs(
    code: str, pair: tuple[float | None, float | None] | None
) -> tuple[float, float] | None:
    if pair is None:
        return None
    if not isinstance(pair, tuple | list) or len(pair) != 2:
        raise SymmetryError(f"{code}: expected an (employee, customer) pair")
    employee, customer = pair
    if employee is None or customer is None:
        return None
    employee = _number(f"{code} (employee)", employee)
    customer = _number(f"{code} (customer)", customer)
    for side, value in (("employee", employee), ("customer", customer)):
        if value < 0:
            raise SymmetryError(f"{code} ({side}): cannot be negative, got {value}")
        if code in _SHARES and value > 1:
            raise SymmetryError(f"{code} ({side}): a share is from 0 to 1, got {value}")
    return employee, customer


def symmetry_index(
    *,
    experience_gaps: Sequence[float] = (),
    perception_gaps: Sequence[float] = (),
    response_rate: tuple[float | None, float | None] | None = None,
    answered_in_time: tuple[float | None, float | None] | None = None,
    adopted: tuple[float | None, float | None] | None = None,
    time_to_answer: tuple[float | None, float | None] | None = None,
    weights: Mapping[str, float] | None = None,
) -> SymmetryIndex:
    """Return a unit's symmetry index and its components.

    Gaps are in points of a 0-100 scale, one per mirror (customer - employee) or per
    item (management - employee); pairs are (employee, customer): rates and shares from
    0 to 1, times in any one unit (days, hours). ``weights`` replaces ``WEIGHTS``.
    """
    weights = dict(WEIGHTS if weights is None else weights)
    if set(weights) != set(WEIGHTS):
        raise SymmetryError(f"weights must give exactly these components: {', '.join(WEIGHTS)}")
    for code, weight in weights.items():
        if _number(f"weight of {code}", weight) < 0:
            raise SymmetryError(f"weight of {code} cannot be negative")
    gaps = {
        "experience": _gap_inputs("experience", experience_gaps),
        "perception": _gap_inputs("perception", perception_gaps),
    }
    pairs = {
        "response_rate": _pair_inputs("response_rate", response_rate),
        "answered_in_time": _pair_inputs("answered_in_time", answered_in_time),
        "adopted": _pair_inputs("adopted", adopted),
        "time_to_answer": _pair_inputs("time_to_answer", time_to_answer),
    }
    scored: dict[str, tuple[float | None, float | None]] = {}
    for code in WEIGHTS:
        if code in _GAPS:
            scored[code] = gap_score(gaps[code]) if gaps[code] else (None, None)
        else:
            pair = pairs[code]
            scored[code] = ratio_score(*pair) if pair else (None, None)
    known = sum(weights[code] for code, (_, score) in scored.items() if score is not None)
    total = sum(weights.values())
    components = []
    value = 0.0
    for code in WEIGHTS:
        raw, score = scored[code]
        share = weights[code] / known if score is not None and known else 0.0
        contribution = None if score is None else share * score
        if contribution is not None:
            value += contribution
        pair = pairs.get(code)
        components.append(
            SymmetryComponent(
                code=code,
                label=LABELS[code],
                rule=RULES[code],
                weight=weights[code],
                effective_weight=share,
                score=score,
                contribution=contribution,
                raw=raw,
                gaps=gaps.get(code, ()),
                employee=pair[0] if pair else None,
                customer=pair[1] if pair else None,
            )
        )
    return SymmetryIndex(
        value if known else None, known / total if total else 0.0, tuple(components)
    )
