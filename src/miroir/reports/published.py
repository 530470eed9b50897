"""What a publication shows employees and partners: a few short tables, readable on a phone.

Built only from ``selectors.publication_results`` (and so through the privacy gate): the
published unit alone, its questions for the reader's lens and the customers', and the
mirrors side by side. A hidden figure stays the marker; nothing here computes a figure.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from miroir.org.models import Lens
from miroir.reports.charts import SUPPRESSED_MARKER
from miroir.reports.estimates import estimate_table
from miroir.reports.tables import Column, Interval, Table, gap_interval, interval
from miroir.results.figures import Figure, PublishedResults, Results


def _language() -> str:
    return get_language() or "fr"


# The reader's side, named as a group: employees read the employee lens, partners theirs.
SIDES = {
    Lens.EMPLOYEE: (
        _("Employees (0-100)"),
        _("Gap, customers minus employees"),
        _("What employees said"),
    ),
    Lens.PARTNER: (
        _("Partners (0-100)"),
        _("Gap, customers minus partners"),
        _("What partners said"),
    ),
}


def _n(figure: Figure | None) -> Any:
    if figure is None:
        return None
    return SUPPRESSED_MARKER if figure.suppressed else figure.n


def _statistic(figure: Figure | None, code: str, scale: float = 1.0) -> Interval | None:
    if figure is None or figure.suppressed:
        return Interval.hidden()
    statistic = figure.statistic(code)
    return None if statistic is None else interval(statistic, scale=scale)


def _questions(key: str, title: Any, results: Results, unit_id: int) -> Table:
    columns = [
        Column("item", _("Question")),
        Column("score", _("Score (0-100)"), "estimate"),
        Column("top_box", _("Best answers (%)"), "estimate"),
        Column("n", _("Answers (n)"), "count"),
    ]
    rows = [
        [
            figure.subject.label(_language()),
            _statistic(figure, "score"),
            _statistic(figure, "top_box", 100.0),
            _n(figure),
        ]
        for figure in results.for_unit(unit_id)
        if figure.subject.scale != "free_text"
    ]
    return Table(key, title, columns, rows, empty=_("No question of this kind in the period."))


def _experience(shown: PublishedResults) -> Table:
    own, gap, _said = SIDES[shown.lens]
    columns = [
        Column("mirror", _("Mirror")),
        Column("customer", _("Customers (0-100)"), "estimate"),
        Column("own", own, "estimate"),
        Column("gap", gap, "estimate"),
    ]
    rows = []
    for row in shown.experience:
        if shown.lens not in row.figures:
            continue
        rows.append(
            [
                row.mirror.label(_language()),
                _statistic(row.figures.get(Lens.CUSTOMER), "score"),
                _statistic(row.figures.get(shown.lens), "score"),
                gap_interval(row.gaps.get(shown.lens)),
            ]
        )
    return Table(
        "experience",
        _("Customers and us, on the same questions"),
        columns,
        rows,
        caption=_("A positive gap: customers rate it higher than we do."),
        empty=_("No mirror question was asked of both sides in the period."),
    )


def published_tables(shown: PublishedResults) -> list[Table]:
    """Return the tables of a publication's page, in reading order."""
    said = SIDES[shown.lens][2]
    return [
        _experience(shown),
        _questions("own", said, shown.own, shown.unit_id),
        _questions("customer", _("What customers said"), shown.customer, shown.unit_id),
        estimate_table(shown.estimates),
    ]


def top_box_percent(figure: Figure | None) -> float | None:
    """Return a barometer figure's top box in %, None when hidden or absent."""
    statistic = _statistic(figure, "top_box", 100.0)
    return None if statistic is None or statistic.suppressed else statistic.value
