"""Tallies: the counts of one roll-up cell, and the answers grouped like roll-up rows.

A ``Tally`` is what every computation of the results adds up: the roll-ups are read into
tallies (``engine.build``), packed into a release (``engine.release``), turned into
figures (``engine.stats``). The groupings below are the SQL that reads answers and
responses the way a roll-up row counts them; ``results.services`` rebuilds the roll-ups
with them, ``engine.build`` takes out what a release must not show yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import CharField, Count, F, FloatField, Q, QuerySet, Sum, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Coalesce, TruncMonth

from miroir.collect.models import Answer, Response, lens_attribute
from miroir.results.models import VALUE_FIELDS, VALUE_RANGE

# The counted columns of a roll-up row, in the order the tables and the sums use them.
ROLLUP_SUMS = ("n", "dont_know", "total", "total_squares", *VALUE_FIELDS)


@dataclass
class Tally:
    """Counts of one roll-up cell: answers, "don't know", Σx, Σx² and each whole value."""

    n: int = 0
    dont_know: int = 0
    total: float = 0.0
    total_squares: float = 0.0
    values: list[int] = field(default_factory=lambda: [0] * len(VALUE_RANGE))
    choices: dict[str, int] = field(default_factory=dict)

    def add(self, other: Tally, sign: int = 1) -> None:
        self.n += sign * other.n
        self.dont_know += sign * other.dont_know
        self.total += sign * other.total
        self.total_squares += sign * other.total_squares
        for index, count in enumerate(other.values):
            self.values[index] += sign * count
        for code, count in other.choices.items():
            self.choices[code] = self.choices.get(code, 0) + sign * count

    def copy(self) -> Tally:
        twin = Tally()
        twin.add(self)
        return twin

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Tally:
        tally = cls(
            n=int(row["n"] or 0),
            dont_know=int(row["dont_know"] or 0),
            total=float(row["total"] or 0.0),
            total_squares=float(row["total_squares"] or 0.0),
            values=[int(row[name] or 0) for name in VALUE_FIELDS],
        )
        choice = row.get("choice") or ""
        if choice:
            tally.choices[choice] = tally.n
        return tally


def _segment_value(lens: str, attributes: str) -> Any:
    """Return the SQL expression of a response's segment value ("" when none)."""
    attribute = lens_attribute(lens)
    if not attribute:
        return Value("")
    return Coalesce(KeyTextTransform(attribute, attributes), Value(""), output_field=CharField())


def _answer_sums() -> dict[str, Any]:
    sums: dict[str, Any] = {
        "n": Count("id", filter=Q(dont_know=False)),
        "dont_know": Count("id", filter=Q(dont_know=True)),
        "total": Coalesce(Sum("number"), Value(0.0), output_field=FloatField()),
        "total_squares": Coalesce(
            Sum(F("number") * F("number")), Value(0.0), output_field=FloatField()
        ),
    }
    for index, name in zip(VALUE_RANGE, VALUE_FIELDS, strict=True):
        sums[name] = Count("id", filter=Q(number=float(index)))
    return sums


# Every function below reads the anonymous pool only: a management response with an
# author is an attributed estimate (``selectors.estimates``), never summed with others.


def answer_groups(answers: QuerySet[Answer], *, lens: str) -> QuerySet[Any]:
    """Return ``answers`` (of one lens, no free text) grouped like roll-up rows, in SQL.

    Each row has the roll-up key (``wave_key``, ``unit_key``, ``item_id``, ``period``,
    ``segment_value``, ``choice_key``) and its sums; the attribute is ``lens_attribute(lens)``.
    """
    return (
        answers.filter(text__isnull=True, response__lens=lens, response__author__isnull=True)
        .annotate(
            wave_key=F("response__wave_id"),
            unit_key=F("response__unit_id"),
            period=TruncMonth("response__submitted_on"),
            segment_value=_segment_value(lens, "response__attributes"),
            choice_key=Coalesce("choice", Value(""), output_field=CharField()),
        )
        .values("wave_key", "unit_key", "item_id", "period", "segment_value", "choice_key")
        .annotate(**_answer_sums())
        .order_by()
    )


def answer_days(answers: QuerySet[Answer], *, lens: str) -> QuerySet[Any]:
    """Return ``answers`` (of one lens, no free text) summed per unit, day, segment and item.

    Rows: ``unit_key``, ``day``, ``segment_value``, ``item_id``, ``choice_key`` and the
    roll-up sums; what a release takes out of a unit's figures after its last release day.
    """
    return (
        answers.filter(text__isnull=True, response__lens=lens, response__author__isnull=True)
        .annotate(
            unit_key=F("response__unit_id"),
            day=F("response__submitted_on"),
            segment_value=_segment_value(lens, "response__attributes"),
            choice_key=Coalesce("choice", Value(""), output_field=CharField()),
        )
        .values("unit_key", "day", "segment_value", "item_id", "choice_key")
        .annotate(**_answer_sums())
        .order_by()
    )


def response_groups(responses: QuerySet[Response], *, lens: str) -> QuerySet[Any]:
    """Return ``responses`` of one lens counted per response roll-up key, in SQL."""
    return (
        responses.filter(lens=lens, author__isnull=True)
        .annotate(
            period=TruncMonth("submitted_on"), segment_value=_segment_value(lens, "attributes")
        )
        .values("wave_id", "unit_id", "period", "segment_value")
        .annotate(responses=Count("id"))
        .order_by()
    )


def response_days(responses: QuerySet[Response], *, lens: str) -> QuerySet[Any]:
    """Return ``responses`` of one lens counted per unit, day and segment value, in SQL."""
    return (
        responses.filter(lens=lens, author__isnull=True)
        .annotate(segment_value=_segment_value(lens, "attributes"))
        .values_list("unit_id", "submitted_on", "segment_value")
        .annotate(responses=Count("id"))
        .order_by()
    )
