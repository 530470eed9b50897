"""What a publication shows employees and partners: a few short tables, readable on a phone.

Built only from ``selectors.publication_results`` (and so through the privacy gate): the
published unit alone, its questions for the reader's lens and the customers', and the
mirrors side by side. A hidden figure stays the marker; nothing here computes a figure.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from miroir.core.home_charts import mirrors_chart
from miroir.org.models import Lens
from miroir.reports import summaries
from miroir.reports.charts import SUPPRESSED_MARKER, Chart, Point, bar_chart
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


def published_summary(shown: PublishedResults) -> list[str]:
    """Return the sentences a publication opens with, in the team's words ("we")."""
    own = [
        figure
        for figure in shown.own.for_unit(shown.unit_id)
        if figure.subject.scale != "free_text"
    ]
    sentences = [
        summaries.experience_sentence(shown.experience, team=True, lens=shown.lens),
        summaries.barometer_sentence(shown.barometer.suggestions, team=True)
        if shown.lens == Lens.EMPLOYEE
        else None,
        summaries.best_question_sentence(own),
    ]
    return [sentence for sentence in sentences if sentence]


def published_charts(shown: PublishedResults) -> list[Chart]:
    """Return a publication's charts: the mirrors side by side, then our questions' scores."""
    charts = []
    mirrors = mirrors_chart(list(shown.experience), key="chart-mirrors", lenses=(shown.lens,))
    if mirrors is not None:
        charts.append(mirrors)
    points = []
    for figure in shown.own.for_unit(shown.unit_id):
        if figure.subject.scale == "free_text":
            continue
        cell = _statistic(figure, "score")
        points.append(
            Point(
                figure.subject.label(_language()),
                None if cell is None else cell.value,
                suppressed=cell is not None and cell.suppressed,
            )
        )
    if points:
        charts.append(
            bar_chart(
                points,
                key="chart-own",
                title=str(SIDES[shown.lens][2]),
                description=gettext("Score from 0 to 100 of each of our questions."),
                value_title=gettext("Score (0-100)"),
            )
        )
    return charts
