"""Tables of gated figures, shown on the result pages and exported as CSV or XLSX.

A ``Table`` is built from what ``miroir.results.selectors`` returns, and only from that:
every number in it has passed the privacy gate, and a hidden figure stays the one
marker here, on the page and in the export. Cells keep unrounded numbers; pages round
them for display (``Column.digits``) and exports write them as they are.

A cell of an ``estimate`` column is an ``Interval`` (value with its 95 % interval);
exports spread it over three columns (value, low, high).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from miroir.reports.charts import SUPPRESSED_MARKER
from miroir.reports.exports import Column as ExportColumn
from miroir.reports.exports import ExportTable

NO_FIGURE = _("No figure for these filters.")


@dataclass(frozen=True)
class Interval:
    """A figure with its 95 % interval; ``suppressed`` when the gate hid it."""

    value: float | None
    low: float | None = None
    high: float | None = None
    suppressed: bool = False
    significant: bool | None = None

    @classmethod
    def hidden(cls) -> Interval:
        return cls(None, suppressed=True)


@dataclass(frozen=True)
class Column:
    """A column: ``kind`` is text, count, number, estimate, flag or link."""

    key: str
    label: Any
    kind: str = "text"
    digits: int = 0

    @property
    def numeric(self) -> bool:
        return self.kind in ("count", "number", "estimate")


@dataclass(frozen=True)
class Link:
    """A cell that links somewhere on the page (a unit to drill into); exported as its text."""

    text: str
    url: str


@dataclass
class Table:
    """A table of a page: its key (for the export URL), title, columns and rows."""

    key: str
    title: Any
    columns: Sequence[Column]
    rows: list[Sequence[Any]] = field(default_factory=list)
    caption: Any = ""
    empty: Any = NO_FIGURE

    def export(self, name: str) -> ExportTable:
        """Return the table for ``exports``: intervals spread over value, low and high."""
        columns: list[ExportColumn] = []
        for column in self.columns:
            if column.kind == "estimate":
                columns += [
                    ExportColumn(column.key, column.label),
                    ExportColumn(f"{column.key}_low", _("%(label)s, 95 %% low") % _label(column)),
                    ExportColumn(f"{column.key}_high", _("%(label)s, 95 %% high") % _label(column)),
                ]
            else:
                columns.append(ExportColumn(column.key, column.label))
        return ExportTable(name=name, columns=columns, rows=self._export_rows())

    def _export_rows(self) -> Iterator[list[Any]]:
        for row in self.rows:
            cells: list[Any] = []
            for column, cell in zip(self.columns, row, strict=True):
                if column.kind == "estimate":
                    if not isinstance(cell, Interval) or cell.suppressed:
                        marker = SUPPRESSED_MARKER if isinstance(cell, Interval) else None
                        cells += [marker, None, None]
                    else:
                        cells += [cell.value, cell.low, cell.high]
                elif isinstance(cell, Link):
                    cells.append(cell.text)
                elif cell is SUPPRESSED_MARKER or _is_suppressed(cell):
                    cells.append(SUPPRESSED_MARKER)
                else:
                    cells.append(cell)
            yield cells


def _label(column: Column) -> dict[str, str]:
    return {"label": str(column.label)}


def _is_suppressed(cell: Any) -> bool:
    from miroir.results.gate import SUPPRESSED

    return cell is SUPPRESSED


def interval(statistic: Any, *, scale: float = 1.0) -> Interval:
    """Return a selector ``Statistic`` (or None: hidden) as an ``Interval``, times ``scale``."""
    if statistic is None or statistic.value is None:
        return Interval.hidden()

    def times(value: float | None) -> float | None:
        return None if value is None else value * scale

    return Interval(times(statistic.value), times(statistic.low), times(statistic.high))


def change_interval(statistic: Any, *, scale: float = 1.0) -> Interval | None:
    """Return the change since the previous period of a statistic, or None when there is none."""
    change = getattr(statistic, "change", None)
    if change is None or change.value is None:
        return None

    def times(value: float | None) -> float | None:
        return None if value is None else value * scale

    return Interval(
        times(change.value), times(change.low), times(change.high), significant=change.significant
    )


def gap_interval(gap: Any) -> Interval:
    """Return a selector ``Gap`` as an ``Interval`` (hidden when either side is)."""
    if gap is None or gap.value is None:
        return Interval.hidden()
    return Interval(gap.value, gap.low, gap.high, significant=gap.significant)


def cell_text(value: Any, column: Column) -> str:
    """Return a cell as the page shows it, in plain text (for the PDF report).

    Rounded to the column's digits in the active language, intervals in brackets, an
    asterisk where significant, the one marker where hidden, a dash where not applicable.
    """
    from django.template.defaultfilters import floatformat
    from django.utils.translation import gettext

    def number(figure: float | int, digits: int) -> str:
        return str(floatformat(figure, digits))

    if value is None:
        return "\u2013"
    if value is SUPPRESSED_MARKER or _is_suppressed(value):
        return SUPPRESSED_MARKER
    if isinstance(value, Interval):
        if value.suppressed:
            return SUPPRESSED_MARKER
        if value.value is None:
            return "\u2013"
        shown = number(value.value, column.digits)
        if value.low is None or value.high is None:
            return shown
        bounds = gettext("[%(low)s; %(high)s]") % {
            "low": number(value.low, column.digits),
            "high": number(value.high, column.digits),
        }
        return f"{shown} {bounds}{' *' if value.significant else ''}"
    if isinstance(value, Link):
        return value.text
    if column.kind == "flag" or isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, float | int):
        return number(value, column.digits if column.kind != "count" else 0)
    return str(value)
