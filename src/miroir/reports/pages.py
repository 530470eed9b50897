"""What the network, unit and linkage pages show: tables and charts of gated figures.

Each section of a page is a small report kind registered in ``SECTIONS`` under its page
and key; the page builds all of its sections, an export builds just the one asked for.
A ``Loader`` calls each selector of ``miroir.results.selectors`` at most once per
request, so sections that share figures share the call. Nothing here computes a figure:
tables and charts only lay out what the selectors (and so the privacy gate) return.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _

from miroir.analytics import AnalyticsError
from miroir.analytics.symmetry import LABELS as COMPONENT_LABELS
from miroir.analytics.symmetry import RULES as COMPONENT_RULES
from miroir.instruments.dimensions import DIMENSIONS
from miroir.org.models import Lens, Unit, UnitKind
from miroir.reports import summaries
from miroir.reports.charts import (
    LENS_COLOURS,
    SUPPRESSED_MARKER,
    Chart,
    Point,
    bar_chart,
    heatmap_chart,
    interval_chart,
    scatter_chart,
    trend_chart,
)
from miroir.reports.estimates import estimate_table
from miroir.reports.filters import Filters
from miroir.reports.forms import PublishForm
from miroir.reports.tables import (
    Column,
    Interval,
    Link,
    Table,
    change_interval,
    gap_interval,
    interval,
)
from miroir.results import selectors
from miroir.results.reasons import reason_code, reason_text
from miroir.results.references import BAROMETER_FAMILY, COMPLAINTS, SUGGESTIONS, reference_for
from miroir.results.selectors.benchmarks import benchmark_minimum, unit_benchmarks
from miroir.results.selectors.estimates import unit_estimates

LARGEST_GAPS = 10
# The gap heatmap: the units whose indices differ most, on the mirrors that differ most.
GAP_UNITS = 12
GAP_MIRRORS = 4
# The question heatmap: the weakest questions of the unit, and the units just below.
HEAT_QUESTIONS = 10
HEAT_UNITS = 4
# The mirrors chart draws the mirrors where customers and employees differ most (the
# table lists every one).
CHARTED_MIRRORS = 6
# Above this many units, the scatter plot's dots are not named (the table names them).
SCATTER_NAMED = 12
# The charts each page opens with, above "Details" (their tables stay in the details).
SUMMARY_CHARTS = {
    "network": ("gapmap", "index"),
    "unit": ("experience", "questions"),
    "linkage": ("scatter", "drivers"),
}
LENS_ORDER = (Lens.CUSTOMER, Lens.EMPLOYEE, Lens.PARTNER, Lens.MANAGEMENT)

# A unit page shows a sample of the comments (the same keyed order every time).
VERBATIMS_SHOWN = 50


def lens_label(lens: str) -> str:
    return str(Lens(lens).label)


def _language() -> str:
    return get_language() or "fr"


def dimension_label(code: str) -> str:
    meta = DIMENSIONS.get(code)
    return meta.label(_language()) if meta is not None else code


class Loader:
    """The selector results one request needs, each fetched once."""

    def __init__(self, filters: Filters) -> None:
        self.filters = filters
        self.unit = filters.unit
        self.period = filters.period

    @cached_property
    def network(self) -> list[Any]:
        return selectors.network_symmetry(unit=self.unit, period=self.period, levels=1)

    @cached_property
    def unit_names(self) -> dict[int, str]:
        return dict(Unit.objects.filter(path__startswith=self.unit.path).values_list("pk", "name"))

    @cached_property
    def dimensions(self) -> Any:
        return selectors.unit_results(
            unit=self.unit,
            lens=self.filters.lens,
            period=self.period,
            subject="dimension",
            levels=1,
            with_change=False,
        )

    @cached_property
    def trend(self) -> list[Any]:
        return selectors.unit_trend(
            unit=self.unit,
            lens=self.filters.lens,
            periods=self.filters.trend_periods,
            subject="dimension",
        )

    @cached_property
    def linkage(self) -> Any:
        """Return the linkage, or None when too few units could be compared (see problem)."""
        try:
            return selectors.unit_linkage(
                unit=self.unit, period=self.period, level=self.filters.level
            )
        except AnalyticsError as error:
            self.linkage_problem = reason_code(error)
            return None

    linkage_problem: str = ""

    def _items(self, levels: int, with_change: bool) -> Any:
        return selectors.unit_results(
            unit=self.unit,
            lens=self.filters.lens,
            period=self.period,
            subject="item",
            segment=self.filters.segment,
            levels=levels,
            with_change=with_change,
        )

    @cached_property
    def items(self) -> Any:
        return self._items(0, True)

    @cached_property
    def items_below(self) -> Any:
        return self._items(1, False)

    @cached_property
    def experience(self) -> list[Any]:
        return selectors.experience_symmetry(unit=self.unit, period=self.period)

    @cached_property
    def compared_units(self) -> dict[int, list[Any]]:
        """Return the mirrors of the compared units whose gap is widest (shown ones only)."""
        linkage = self.linkage
        if linkage is not None:
            widest = sorted(
                linkage.points.items(), key=lambda item: abs(item[1][1] - item[1][0]), reverse=True
            )
            chosen = [pk for pk, _points in widest][:GAP_UNITS]
            found = Unit.objects.filter(pk__in=chosen)
        else:
            # Too few units for a linkage: the few units of the level, by name.
            found = Unit.objects.filter(
                path__startswith=self.unit.path, kind=self.filters.level
            ).order_by("name")[:GAP_UNITS]
        units = {unit.pk: unit for unit in found}
        order = chosen if linkage is not None else list(units)
        by_unit = {
            pk: selectors.experience_symmetry(unit=units[pk], period=self.period)
            for pk in order
            if pk in units
        }
        # A unit none of whose gaps the gate shows is left out (not a row of markers).
        return {
            pk: rows
            for pk, rows in by_unit.items()
            if any(
                gap is not None and gap.value is not None
                for row in rows
                for gap in [row.gaps.get(Lens.EMPLOYEE)]
            )
        }

    @cached_property
    def perception(self) -> list[Any]:
        return selectors.perception_gaps(unit=self.unit, period=self.period)

    @cached_property
    def symmetry(self) -> Any:
        return selectors.unit_symmetry(unit=self.unit, period=self.period)

    @cached_property
    def barometer(self) -> Any:
        return selectors.barometer_headline(unit=self.unit, period=self.period)

    @cached_property
    def benchmarks(self) -> list[Any]:
        return unit_benchmarks(unit=self.unit, period=self.period)

    @cached_property
    def estimates(self) -> list[Any]:
        return unit_estimates(unit=self.unit, period=self.period)

    @cached_property
    def verbatims(self) -> Any:
        return selectors.unit_verbatims(
            unit=self.unit, lens=self.filters.lens, period=self.period, limit=VERBATIMS_SHOWN
        )


@dataclass
class Section:
    """One block of a page: its table (always) and its chart (when it has one)."""

    table: Table
    chart: Chart | None = None


Builder = Callable[[Loader], Section]
SECTIONS: dict[tuple[str, str], Builder] = {}


def section(page: str, key: str) -> Callable[[Builder], Builder]:
    """Register a section builder under its page and key (the export URL names them)."""

    def register(builder: Builder) -> Builder:
        SECTIONS[(page, key)] = builder
        return builder

    return register


def page_sections(page: str, loader: Loader) -> list[Section]:
    """Return every section of a page, in the order they were registered."""
    return [build(loader) for (name, _key), build in SECTIONS.items() if name == page]


def _unit_url(unit_id: int, filters: Filters, name: str = "reports:unit") -> str:
    query = urlencode(filters.query)
    return reverse(name, args=[unit_id]) + (f"?{query}" if query else "")


def _network_url(unit_id: int, filters: Filters) -> str:
    query = urlencode({**filters.query, "unit": unit_id})
    return reverse("reports:network") + f"?{query}"


def _score(figure: Any) -> Interval:
    if figure is None or figure.suppressed:
        return Interval.hidden()
    return interval(figure.statistic("score"))


def _n(figure: Any) -> Any:
    if figure is None:
        return None
    return SUPPRESSED_MARKER if figure.suppressed else figure.n


def _point(category: str, series: str, cell: Interval, n: Any) -> Point:
    return Point(
        category=category,
        series=series,
        value=cell.value,
        low=cell.low,
        high=cell.high,
        n=n if isinstance(n, int) else None,
        suppressed=cell.suppressed,
    )


def _problem(loader: Loader, part: str) -> str:
    linkage = loader.linkage
    if linkage is None:
        return _too_few(loader)
    reason = linkage.problems.get(part)
    if not reason:
        return ""
    return gettext("Cannot be computed here: %(reason)s.") % {"reason": reason_text(reason)}


def _too_few(loader: Loader) -> str:
    return gettext("Units cannot be compared here: %(reason)s.") % {
        "reason": reason_text(loader.linkage_problem)
    }


# -- the network page -----------------------------------------------------------------------


def _component(symmetry: Any, code: str) -> Any:
    component = symmetry.index.component(code)
    return component.score


@section("network", "index")
def network_index(loader: Loader) -> Section:
    """The symmetry index of the unit and of each unit below it, with every component."""
    codes = list(COMPONENT_LABELS)
    columns = [
        Column("unit", _("Unit"), "link"),
        Column("index", _("Symmetry index (0-100)"), "number"),
        Column("coverage", _("Weight of the known components (%)"), "number"),
        *[Column(code, gettext(COMPONENT_LABELS[code]), "number") for code in codes],
    ]
    rows = []
    points = []
    for symmetry in loader.network:
        name = loader.unit_names.get(symmetry.unit_id, "")
        index = symmetry.index
        unit_cell: Any = (
            name
            if symmetry.unit_id == loader.unit.pk
            else Link(name, _network_url(symmetry.unit_id, loader.filters))
        )
        rows.append(
            [
                unit_cell,
                index.value,
                index.coverage * 100,
                *[_component(symmetry, code) for code in codes],
            ]
        )
        points.append(Point(name, index.value, suppressed=index.value is None, series=""))
    table = Table(
        "index",
        _("Symmetry index by unit"),
        columns,
        rows,
        caption=_("Each component is scored 0-100; the index is their weighted mean."),
    )
    chart = interval_chart(
        points,
        key="chart-index",
        title=gettext("Symmetry index by unit"),
        description=gettext(
            "The symmetry index (0 to 100) of each unit; the table below lists it."
        ),
        value_title=gettext("Symmetry index (0-100)"),
        category_title=gettext("Unit"),
        domain=(0, 100),
    )
    return Section(table, chart)


@section("network", "heatmap")
def network_heatmap(loader: Loader) -> Section:
    """Units by dimensions for the chosen lens: the 0-100 score of each cell."""
    results = loader.dimensions
    lens = lens_label(loader.filters.lens)
    columns = [
        Column("unit", _("Unit")),
        Column("dimension", _("Dimension")),
        Column("score", _("Score (0-100)"), "estimate"),
        Column("n", _("Answers (n)"), "count"),
    ]
    rows = []
    points = []
    for figure in results.figures:
        name = loader.unit_names.get(figure.unit_id, "")
        label = figure.subject.label(_language())
        score = _score(figure)
        rows.append([name, label, score, _n(figure)])
        points.append(_point(name, label, score, _n(figure)))
    table = Table("heatmap", _("Units by dimension, %(lens)s lens") % {"lens": lens}, columns, rows)
    chart = (
        heatmap_chart(
            points,
            key="chart-heatmap",
            title=gettext("Units by dimension, %(lens)s lens") % {"lens": lens},
            description=gettext("Score from 0 to 100 of each unit on each dimension."),
            value_title=gettext("Score (0-100)"),
            row_title=gettext("Unit"),
            column_title=gettext("Dimension"),
        )
        if points
        else None
    )
    return Section(table, chart)


def _trend(loader: Loader, key: str) -> Section:
    lens = lens_label(loader.filters.lens)
    columns = [
        Column("period", _("Period")),
        Column("dimension", _("Dimension")),
        Column("score", _("Score (0-100)"), "estimate"),
        Column("n", _("Answers (n)"), "count"),
        Column("change", _("Change since the previous period"), "estimate"),
    ]
    rows = []
    points = []
    for results in loader.trend:
        for figure in results.for_unit(loader.unit.pk):
            label = figure.subject.label(_language())
            score = _score(figure)
            change = change_interval(figure.statistic("score")) if not figure.suppressed else None
            rows.append([results.period, label, score, _n(figure), change])
            points.append(_point(results.period, label, score, _n(figure)))
    title = gettext("Trend by period, %(lens)s lens") % {"lens": lens}
    table = Table(key, title, columns, rows)
    chart = (
        trend_chart(
            points,
            key=f"chart-{key}",
            title=title,
            description=gettext("Score from 0 to 100 of each dimension, period by period."),
            value_title=gettext("Score (0-100)"),
            period_title=gettext("Period"),
            series_title=gettext("Dimension"),
            domain=(0, 100),
        )
        if points
        else None
    )
    return Section(table, chart)


@section("network", "trend")
def network_trend(loader: Loader) -> Section:
    """The unit's dimensions period by period, for the chosen lens."""
    return _trend(loader, "trend")


@section("network", "gaps")
def network_gaps(loader: Loader) -> Section:
    """The units where customers and employees differ most, with the multiple-testing flag."""
    linkage = loader.linkage
    columns = [
        Column("unit", _("Unit"), "link"),
        Column("employee", _("Employee index (0-100)"), "number"),
        Column("customer", _("Customer index (0-100)"), "number"),
        Column("gap", _("Gap, customers minus employees (points)"), "number"),
        Column("p_value", _("p-value"), "number", 3),
        Column("adjusted", _("p-value adjusted (Benjamini-Hochberg)"), "number", 3),
        Column("flagged", _("Flagged"), "flag"),
    ]
    if linkage is None:
        return Section(
            Table(
                "gaps", _("Units where the gaps are largest"), columns, [], empty=_too_few(loader)
            )
        )
    flags = sorted(linkage.flags, key=lambda flag: abs(flag.gap), reverse=True)[:LARGEST_GAPS]
    rows = []
    for flag in flags:
        employee, customer, _n_employee = linkage.points.get(flag.unit_id, (None, None, None))
        name = loader.unit_names.get(flag.unit_id, "")
        rows.append(
            [
                Link(name, _unit_url(flag.unit_id, loader.filters)),
                employee,
                customer,
                flag.gap,
                flag.p_value,
                flag.adjusted_p_value,
                flag.flagged,
            ]
        )
    table = Table(
        "gaps",
        _("Units where the gaps are largest"),
        columns,
        rows,
        caption=_(
            "Units of kind “%(level)s” under this unit, largest gap first. A unit is "
            "flagged when its gap remains significant after correcting for the number of "
            "units compared."
        )
        % {"level": dict(UnitKind.choices).get(loader.filters.level, loader.filters.level)},
    )
    return Section(table)


@section("network", "gapmap")
def network_gapmap(loader: Loader) -> Section:
    """The customer - employee gap by unit and mirror, for the units that differ most."""
    columns = [
        Column("unit", _("Unit"), "link"),
        Column("mirror", _("Mirror")),
        Column("gap", _("Gap, customers minus employees"), "estimate"),
    ]
    by_unit = loader.compared_units
    widest: dict[str, float] = {}
    labels: dict[str, str] = {}
    for rows in by_unit.values():
        for row in rows:
            gap = row.gaps.get(Lens.EMPLOYEE)
            if gap is None:
                continue
            labels.setdefault(row.mirror.code, row.mirror.label(_language()))
            size = abs(gap.value) if gap.value is not None else -1.0
            widest[row.mirror.code] = max(widest.get(row.mirror.code, -1.0), size)
    codes = sorted(widest, key=lambda code: -widest[code])[:GAP_MIRRORS]
    table_rows = []
    points = []
    for unit_id, rows in by_unit.items():
        name = loader.unit_names.get(unit_id, "")
        found = {row.mirror.code: row for row in rows}
        for code in codes:
            row = found.get(code)
            if row is None or Lens.EMPLOYEE not in row.gaps:
                continue
            cell = gap_interval(row.gaps[Lens.EMPLOYEE])
            table_rows.append([Link(name, _unit_url(unit_id, loader.filters)), labels[code], cell])
            points.append(_point(name, labels[code], cell, None))
    title = gettext("Customers minus employees, unit by unit")
    level = dict(UnitKind.choices).get(loader.filters.level, loader.filters.level)
    table = Table(
        "gapmap",
        title,
        columns,
        table_rows,
        caption=_(
            "The units of kind “%(level)s” whose customer and employee indices differ most "
            "(at most %(units)d), on the mirrors where they differ most. Blue: customers "
            "score higher; orange: employees do. Only units whose figures are shown appear."
        )
        % {"level": level, "units": GAP_UNITS},
        empty=_("No unit has a gap between customers and employees shown here."),
    )
    chart = (
        heatmap_chart(
            points,
            key="chart-gapmap",
            title=title,
            description=gettext(
                "Points of gap between customers and employees, for each unit and mirror."
            ),
            value_title=gettext("Gap (points)"),
            row_title=gettext("Unit"),
            column_title=gettext("Mirror"),
            domain=(-30, 30),
        )
        if points
        else None
    )
    return Section(table, chart)


# -- the unit page --------------------------------------------------------------------------


@section("unit", "index")
def unit_index(loader: Loader) -> Section:
    """The unit's symmetry index and each component: inputs, score, weight, contribution."""
    columns = [
        Column("component", _("Component")),
        Column("rule", _("How it is scored")),
        Column("weight", _("Weight"), "number"),
        Column("effective_weight", _("Weight used"), "number", 1),
        Column("raw", _("Input"), "number", 2),
        Column("score", _("Score (0-100)"), "number"),
        Column("contribution", _("Part of the index"), "number", 1),
    ]
    rows = [
        [
            gettext(COMPONENT_LABELS[component.code]),
            gettext(COMPONENT_RULES[component.code]),
            component.weight,
            component.effective_weight,
            component.raw,
            component.score,
            component.contribution,
        ]
        for component in loader.symmetry.index.components
    ]
    return Section(Table("index", _("Symmetry index and its components"), columns, rows))


def _rank_cells(rank: Any) -> list[Any]:
    if rank is None:
        return [None, None]
    if rank.suppressed:
        return [SUPPRESSED_MARKER, SUPPRESSED_MARKER]
    return [rank.percentile, rank.compared]


@section("unit", "benchmarks")
def unit_benchmarks_section(loader: Loader) -> Section:
    """The unit's position among the units of its kind: percentile rank per dimension."""
    kind = loader.unit.get_kind_display()
    columns = [
        Column("lens", _("Lens")),
        Column("dimension", _("Dimension")),
        Column("score", _("Score (0-100)"), "estimate"),
        Column("network", _("Percentile in the network"), "number"),
        Column("network_units", _("Units compared in the network"), "count"),
        Column("region", _("Percentile in the region"), "number"),
        Column("region_units", _("Units compared in the region"), "count"),
    ]
    rows = []
    for position in loader.benchmarks:
        score = (
            Interval.hidden()
            if position.score is None
            else Interval(position.score, position.low, position.high)
        )
        rows.append(
            [
                lens_label(position.lens),
                position.subject.label(_language()),
                score,
                *_rank_cells(position.network),
                *_rank_cells(position.region),
            ]
        )
    caption = _(
        "Percentile: the share of the units of kind “%(kind)s” with a lower score, ties "
        "counting half (50 is the middle). Only units whose figure is shown count. Fewest "
        "units a percentile is shown over: %(minimum)d."
    ) % {"kind": kind, "minimum": benchmark_minimum()}
    title = _("Position among comparable units (%(kind)s)") % {"kind": kind}
    return Section(Table("benchmarks", title, columns, rows, caption=caption))


@section("unit", "barometer")
def unit_barometer(loader: Loader) -> Section:
    """The barometer's two questions at this unit, next to the published national figures."""
    barometer = loader.barometer
    columns = [
        Column("statement", _("Employees who fully agree that…")),
        Column("unit", _("This unit (%)"), "estimate"),
        Column("n", _("Answers (n)"), "count"),
        Column("reference", _("National reference (%)"), "number"),
        Column("source", _("Source")),
    ]
    rows = []
    points = []
    references = []
    national = gettext("Reference")
    for code, figure, statement, short in (
        (
            SUGGESTIONS,
            barometer.suggestions,
            _("their suggestions are listened to and applied"),
            _("Employees' suggestions"),
        ),
        (
            COMPLAINTS,
            barometer.complaints,
            _("customer complaints get strong attention"),
            _("Customers' complaints"),
        ),
    ):
        if figure is None:
            continue
        reference = reference_for(
            family=BAROMETER_FAMILY, mirror=code, lens=Lens.EMPLOYEE, statistic="top_box"
        )
        cell = (
            Interval.hidden()
            if figure.suppressed
            else interval(figure.statistic("top_box"), scale=100.0)
        )
        label = str(statement)
        rows.append(
            [
                label,
                cell,
                _n(figure),
                reference.value * 100 if reference else None,
                str(reference.source) if reference else None,
            ]
        )
        points.append(_point(str(short), loader.unit.name, cell, _n(figure)))
        if reference is not None:
            references.append(Point(str(short), reference.value * 100, series=national))
    title = gettext("Listened to alike? The barometer and the national reference")
    chart = (
        interval_chart(
            points,
            key="chart-barometer",
            title=title,
            description=gettext(
                "Share of employees who fully agree, at this unit with its interval, and the "
                "published national figure as a dashed line."
            ),
            value_title=gettext("Fully agree (%)"),
            category_title="",
            domain=(0, 100),
            references=references,
        )
        if points
        else None
    )
    table = Table(
        "barometer",
        title,
        columns,
        rows,
        empty=_("The barometer's questions were not asked at this unit in this period."),
    )
    return Section(table, chart)


def _widest_mirrors(rows: list[Any]) -> set[str]:
    """Return the mirrors the chart draws: those whose shown gap is widest, hidden ones last."""

    def width(row: Any) -> float:
        gap = row.gaps.get(Lens.EMPLOYEE)
        return abs(gap.value) if gap is not None and gap.value is not None else -1.0

    ranked = sorted(rows, key=width, reverse=True)
    return {row.mirror.code for row in ranked[:CHARTED_MIRRORS]}


@section("unit", "experience")
def unit_experience(loader: Loader) -> Section:
    """Experience symmetry: each mirror's customer, employee and partner scores side by side."""
    columns = [
        Column("mirror", _("Mirror")),
        Column("customer", _("Customers (0-100)"), "estimate"),
        Column("customer_n", _("n customers"), "count"),
        Column("employee", _("Employees (0-100)"), "estimate"),
        Column("employee_n", _("n employees"), "count"),
        Column("partner", _("Partners (0-100)"), "estimate"),
        Column("partner_n", _("n partners"), "count"),
        Column("gap_employee", _("Gap, customers minus employees"), "estimate"),
        Column("gap_partner", _("Gap, customers minus partners"), "estimate"),
    ]
    rows = []
    points = []
    charted = _widest_mirrors(loader.experience)
    for row in loader.experience:
        label = row.mirror.label(_language())
        cells: list[Any] = [label]
        for lens in (Lens.CUSTOMER, Lens.EMPLOYEE, Lens.PARTNER):
            figure = row.figures.get(lens)
            score = _score(figure) if figure is not None else None
            cells += [score, _n(figure)]
            if figure is not None and score is not None and row.mirror.code in charted:
                points.append(_point(label, lens_label(lens), score, _n(figure)))
        cells += [
            gap_interval(row.gaps.get(Lens.EMPLOYEE)) if Lens.EMPLOYEE in row.gaps else None,
            gap_interval(row.gaps.get(Lens.PARTNER)) if Lens.PARTNER in row.gaps else None,
        ]
        rows.append(cells)
    title = gettext("Experience symmetry: mirrors side by side")
    chart = (
        interval_chart(
            points,
            key="chart-experience",
            title=title,
            description=gettext(
                "Score from 0 to 100 of each lens on each mirror, with its interval."
            ),
            value_title=gettext("Score (0-100)"),
            category_title=gettext("Mirror"),
            series_title=gettext("Lens"),
            domain=(0, 100),
            colours={lens_label(lens): LENS_COLOURS[lens] for lens in LENS_ORDER},
        )
        if points
        else None
    )
    caption = ngettext(
        "The chart draws the %(count)d mirror where customers and employees differ most; "
        "this table lists every mirror.",
        "The chart draws the %(count)d mirrors where customers and employees differ most; "
        "this table lists every mirror.",
        CHARTED_MIRRORS,
    ) % {"count": CHARTED_MIRRORS}
    return Section(Table("experience", title, columns, rows, caption=caption), chart)


@section("unit", "questions")
def unit_questions(loader: Loader) -> Section:
    """The weakest questions of the lens, at the unit and the units just below (a heatmap)."""
    results = loader.items_below
    own = [
        figure for figure in results.for_unit(loader.unit.pk) if figure.subject.scale != "free_text"
    ]
    own.sort(key=lambda figure: (_score(figure).value is None, _score(figure).value or 0))
    chosen = own[:HEAT_QUESTIONS]
    below = [symmetry.unit_id for symmetry in loader.network if symmetry.unit_id != loader.unit.pk][
        :HEAT_UNITS
    ]
    columns = [
        Column("item", _("Question")),
        Column("unit", _("Unit")),
        Column("score", _("Score (0-100)"), "estimate"),
        Column("n", _("Answers (n)"), "count"),
    ]
    rows = []
    points = []
    for figure in chosen:
        label = figure.subject.label(_language())
        for unit_id in [loader.unit.pk, *below]:
            found = figure if unit_id == loader.unit.pk else _figure_of(results, unit_id, figure)
            if found is None:
                continue
            name = loader.unit_names.get(unit_id, "")
            score = _score(found)
            rows.append([label, name, score, _n(found)])
            points.append(_point(label, name, score, _n(found)))
    title = gettext("Questions, weakest first, %(lens)s lens") % {
        "lens": lens_label(loader.filters.lens)
    }
    table = Table(
        "questions",
        title,
        columns,
        rows,
        caption=ngettext(
            "The %(count)d question of this unit with the lowest score, here and in the "
            "units just below. Every question is in the table of questions further down.",
            "The %(count)d questions of this unit with the lowest scores, here and in the "
            "units just below. Every question is in the table of questions further down.",
            HEAT_QUESTIONS,
        )
        % {"count": HEAT_QUESTIONS},
        empty=_("No question of this lens was answered here in this period."),
    )
    chart = (
        heatmap_chart(
            points,
            key="chart-questions",
            title=title,
            description=gettext("Score from 0 to 100 of each question, unit by unit."),
            value_title=gettext("Score (0-100)"),
            row_title=gettext("Question"),
            column_title=gettext("Unit"),
            long_rows=True,
        )
        if points
        else None
    )
    return Section(table, chart)


def _figure_of(results: Any, unit_id: int, like: Any) -> Any:
    for figure in results.for_unit(unit_id):
        if figure.subject == like.subject:
            return figure
    return None


@section("unit", "perception")
def unit_perception(loader: Loader) -> Section:
    """Perception gap: management's estimate against what employees say, mirror by mirror."""
    columns = [
        Column("mirror", _("Mirror")),
        Column("management", _("Management's estimate (0-100)"), "estimate"),
        Column("management_n", _("n managers"), "count"),
        Column("actual", _("Employees (0-100)"), "estimate"),
        Column("actual_n", _("n employees"), "count"),
        Column("gap", _("Gap, management minus employees"), "estimate"),
    ]
    rows = [
        [
            row.mirror.label(_language()),
            _score(row.management),
            _n(row.management),
            _score(row.actual),
            _n(row.actual),
            gap_interval(row.gap),
        ]
        for row in loader.perception
    ]
    return Section(
        Table(
            "perception",
            _("Perception gap: management's estimate and what employees say"),
            columns,
            rows,
            caption=_("A positive gap: management thinks things are better than employees say."),
        )
    )


@section("unit", "estimate")
def unit_estimate(loader: Loader) -> Section:
    """Management's attributed estimate: the unit's own manager's answers, under their name."""
    return Section(estimate_table(loader.estimates))


@section("unit", "listening")
def unit_listening(loader: Loader) -> Section:
    """Listening symmetry: how often each lens is solicited and answered."""
    listening = loader.symmetry.listening
    columns = [
        Column("lens", _("Lens")),
        Column("invited", _("Invitations sent"), "count"),
        Column("people", _("People who could be invited"), "count"),
        Column("per_person", _("Invitations per person"), "number", 2),
        Column("responses", _("Responses"), "count"),
        Column("response_rate", _("Response rate (%)"), "number"),
        Column("voices", _("Voices received"), "count"),
        Column("in_time", _("Voices answered in time (%)"), "number"),
        Column("adopted", _("Voices adopted (%)"), "number"),
        Column("median_days", _("Median days to answer"), "number", 1),
    ]
    rows = []
    for lens in LENS_ORDER:
        side = listening.lenses.get(lens)
        if side is None:
            continue
        voices = side.voices
        rows.append(
            [
                lens_label(lens),
                SUPPRESSED_MARKER if side.invited is None else side.invited,
                side.people,
                side.per_person,
                SUPPRESSED_MARKER if side.responses is None and side.invited else side.responses,
                None if side.response_rate is None else side.response_rate * 100,
                voices.received if voices else None,
                _percent(voices.answered_in_time_share if voices else None),
                _percent(voices.adopted_share if voices else None),
                voices.median_days_to_answer if voices else None,
            ]
        )
    ratios = listening.ratios
    rows.append(
        [
            gettext("Ratio employees / customers"),
            None,
            None,
            ratios.get("per_person"),
            None,
            ratios.get("response_rate"),
            None,
            ratios.get("answered_in_time"),
            ratios.get("adopted"),
            ratios.get("median_days_to_answer"),
        ]
    )
    return Section(
        Table(
            "listening",
            _("Listening symmetry"),
            columns,
            rows,
            caption=_("The last row divides the employee figure by the customer one (1 = equal)."),
        )
    )


def _percent(share: float | None) -> float | None:
    return None if share is None else share * 100


STATISTIC_COLUMNS = (
    ("mean", _("Mean (scale points)"), 1.0, 2),
    ("top_box", _("Top box (%)"), 100.0, 0),
    ("top2_box", _("Top-2 box (%)"), 100.0, 0),
    ("csat", _("CSAT (%)"), 100.0, 0),
    ("nps", _("NPS"), 1.0, 0),
)


@section("unit", "items")
def unit_items(loader: Loader) -> Section:
    """Every question of the chosen lens at this unit, with each statistic and its change."""
    columns = [
        Column("item", _("Question")),
        Column("n", _("Answers (n)"), "count"),
        Column("dont_know", _("Don't know"), "count"),
        *[
            Column(code, label, "estimate", digits)
            for code, label, _scale, digits in STATISTIC_COLUMNS
        ],
        Column("change", _("Change in mean since the previous period"), "estimate", 2),
    ]
    rows = []
    for figure in loader.items.for_unit(loader.unit.pk):
        if figure.subject.scale == "free_text":
            continue
        cells: list[Any] = [figure.subject.label(_language()), _n(figure)]
        if figure.suppressed:
            cells.append(SUPPRESSED_MARKER)
            cells += [Interval.hidden() for _ in STATISTIC_COLUMNS]
            cells.append(None)
        else:
            cells.append(figure.dont_know)
            for code, _label, scale, _digits in STATISTIC_COLUMNS:
                statistic = figure.statistic(code)
                cells.append(None if statistic is None else interval(statistic, scale=scale))
            cells.append(change_interval(figure.statistic("mean")))
        rows.append(cells)
    segment = loader.filters.segment
    title = gettext("Questions, %(lens)s lens") % {"lens": lens_label(loader.filters.lens)}
    if segment is not None:
        title += f" — {segment[1]}"
    # A question the survey logic skipped has no answer row: it is "not asked", so n is the
    # number of people asked and answering, never a share of all respondents.
    caption = _(
        "n: the people who were asked the question and answered it; a question asked only "
        "after certain answers counts only the people it was asked to. “Don't know” is "
        "counted apart."
    )
    return Section(Table("items", title, columns, rows, caption=caption))


@section("unit", "trend")
def unit_trend(loader: Loader) -> Section:
    """The unit's dimensions period by period, for the chosen lens."""
    return _trend(loader, "trend")


@section("unit", "children")
def unit_children(loader: Loader) -> Section:
    """The units just below, with their index, to drill down."""
    columns = [
        Column("unit", _("Unit"), "link"),
        Column("index", _("Symmetry index (0-100)"), "number"),
        Column("coverage", _("Weight of the known components (%)"), "number"),
    ]
    rows = [
        [
            Link(
                loader.unit_names.get(symmetry.unit_id, ""),
                _unit_url(symmetry.unit_id, loader.filters),
            ),
            symmetry.index.value,
            symmetry.index.coverage * 100,
        ]
        for symmetry in loader.network
        if symmetry.unit_id != loader.unit.pk
    ]
    return Section(
        Table("children", _("Units below"), columns, rows, empty=_("No unit below this one."))
    )


# -- the linkage page -----------------------------------------------------------------------


@section("linkage", "scatter")
def linkage_scatter(loader: Loader) -> Section:
    """One dot per unit shown: its employee index across, its customer index up."""
    linkage = loader.linkage
    columns = [
        Column("unit", _("Unit"), "link"),
        Column("employee", _("Employee index (0-100)"), "number"),
        Column("customer", _("Customer index (0-100)"), "number"),
        Column("n", _("n employees"), "count"),
    ]
    title = gettext("Each unit: employees across, customers up")
    points = linkage.points if linkage is not None else {}
    ordered = sorted(points.items(), key=lambda item: loader.unit_names.get(item[0], ""))
    rows = [
        [Link(loader.unit_names.get(pk, ""), _unit_url(pk, loader.filters)), ex, cx, n]
        for pk, (ex, cx, n) in ordered
    ]
    table = Table(
        "scatter",
        title,
        columns,
        rows,
        caption=_(
            "Only units whose two indices are shown appear. Above the dashed diagonal, "
            "customers score higher than employees."
        ),
        empty=_too_few(loader) if linkage is None else _("No unit has both indices shown."),
    )
    chart = (
        scatter_chart(
            [Point(loader.unit_names.get(pk, ""), cx, low=ex, n=n) for pk, (ex, cx, n) in ordered],
            key="chart-scatter",
            title=title,
            description=gettext(
                "Each dot is a unit: its employee index (0 to 100) across, its customer "
                "index up; the dashed diagonal is where both are equal."
            ),
            x_title=gettext("Employee index (0-100)"),
            y_title=gettext("Customer index (0-100)"),
            category_title=gettext("Unit"),
            labelled=len(ordered) <= SCATTER_NAMED,
        )
        if ordered
        else None
    )
    return Section(table, chart)


@section("linkage", "correlation")
def linkage_correlation(loader: Loader) -> Section:
    """Pearson and Spearman correlations of the employee and customer indices across units."""
    linkage = loader.linkage
    columns = [
        Column("method", _("Method")),
        Column("units", _("Units (J)"), "count"),
        Column("r", _("Correlation r"), "estimate", 2),
        Column("p_value", _("p-value"), "number", 3),
    ]
    rows: list[list[Any]] = []
    title = _("Correlation of the employee index with the customer index")
    if linkage is None:
        return Section(Table("correlation", title, columns, rows, empty=_too_few(loader)))
    for label, correlation in (("Pearson", linkage.pearson), ("Spearman", linkage.spearman)):
        if correlation is None:
            rows.append([label, linkage.units, None, None])
            continue
        rows.append(
            [
                label,
                correlation.units,
                Interval(
                    correlation.r,
                    correlation.low,
                    correlation.high,
                    significant=correlation.significant,
                ),
                correlation.p_value,
            ]
        )
    return Section(
        Table(
            "correlation",
            title,
            columns,
            rows,
            caption=_("Interval from Fisher's z transformation."),
        )
    )


@section("linkage", "regression")
def linkage_regression(loader: Loader) -> Section:
    """The regression of the customer index on the employee index, unit size controlled."""
    linkage = loader.linkage
    regression = linkage.regression if linkage is not None else None
    columns = [
        Column("measure", _("Measure")),
        Column("value", _("Value"), "estimate", 2),
    ]
    rows: list[list[Any]] = []
    if regression is not None:
        slope = regression.slope
        rows = [
            [
                gettext("Customer points for 5 more employee points"),
                Interval(
                    regression.slope_per_points,
                    regression.low,
                    regression.high,
                    significant=slope.significant,
                ),
            ],
            [gettext("Slope p-value"), Interval(slope.p_value)],
            [gettext("R²"), Interval(regression.r_squared)],
            [gettext("Units (J)"), Interval(regression.units)],
        ]
    return Section(
        Table(
            "regression",
            _("Regression of the customer index on the employee index"),
            columns,
            rows,
            caption=_(
                "Ordinary least squares with the unit's size (log) as a control; "
                "robust standard errors (HC3)."
            ),
            empty=_problem(loader, "regression"),
        )
    )


@section("linkage", "lagged")
def linkage_lagged(loader: Loader) -> Section:
    """Both directions over time: employees at t to customers at t+1, and the reverse."""
    linkage = loader.linkage
    lagged = linkage.lagged if linkage is not None else None
    columns = [
        Column("direction", _("Direction")),
        Column("pairs", _("Pairs of periods"), "count"),
        Column("units", _("Units"), "count"),
        Column("coefficient", _("Standardised effect"), "estimate", 2),
        Column("p_value", _("p-value"), "number", 3),
        Column("correlation", _("Lagged correlation"), "number", 2),
    ]
    rows = []
    if lagged is not None:
        for label, link in (
            (gettext("Employees at t → customers at t+1"), lagged.employee_to_customer),
            (gettext("Customers at t → employees at t+1"), lagged.customer_to_employee),
        ):
            rows.append(
                [
                    label,
                    link.pairs,
                    link.units,
                    Interval(link.coefficient, link.low, link.high, significant=link.significant),
                    link.p_value,
                    link.correlation,
                ]
            )
    return Section(
        Table(
            "lagged",
            _("Both directions over time"),
            columns,
            rows,
            caption=_(
                "Cross-lagged regressions controlling for the earlier value of the outcome; "
                "standard errors clustered by unit."
            ),
            empty=_problem(loader, "lagged"),
        )
    )


@section("linkage", "drivers")
def linkage_drivers(loader: Loader) -> Section:
    """Key drivers: Johnson's relative weights of the employee dimensions."""
    linkage = loader.linkage
    drivers = linkage.drivers if linkage is not None else None
    columns = [
        Column("dimension", _("Employee dimension")),
        Column("raw", _("Raw weight (part of R²)"), "number", 3),
        Column("rescaled", _("Share of the explained variance (%)"), "number"),
    ]
    rows = []
    chart = None
    if drivers is not None:
        rows = [
            [dimension_label(weight.name), weight.raw, weight.rescaled]
            for weight in drivers.weights
        ]
        chart = bar_chart(
            [Point(dimension_label(weight.name), weight.rescaled) for weight in drivers.weights],
            key="chart-drivers",
            title=gettext("What goes most with customers' satisfaction"),
            description=gettext(
                "Each employee dimension's share of what the employee dimensions explain "
                "of the customer index, in %."
            ),
            value_title=gettext("Share of the explained variance (%)"),
        )
    return Section(
        Table(
            "drivers",
            _("Key drivers (Johnson's relative weights)"),
            columns,
            rows,
            caption=(
                _("R² of all dimensions together: %(r2).2f") % {"r2": drivers.r_squared}
                if drivers is not None
                else ""
            ),
            empty=_problem(loader, "drivers"),
        ),
        chart,
    )


@section("linkage", "guardrails")
def linkage_guardrails(loader: Loader) -> Section:
    """What every linkage result is read with: J, the detectable r, the ICCs."""
    linkage = loader.linkage
    columns = [Column("measure", _("Guardrail")), Column("value", _("Value"), "number", 2)]
    if linkage is None:
        return Section(Table("guardrails", _("Guardrails"), columns, [], empty=_too_few(loader)))
    guardrails = linkage.guardrails
    rows: list[list[Any]] = [
        [gettext("Units compared (J)"), guardrails.units],
        [gettext("Smallest correlation these units can detect"), guardrails.minimum_detectable_r],
        [gettext("Units needed to detect r = 0.3"), guardrails.units_for_r_03],
    ]
    for label, found in (
        (gettext("employees"), linkage.reliability_employee),
        (gettext("customers"), linkage.reliability_customer),
    ):
        if found is not None:
            rows.append([gettext("ICC(1), %(side)s") % {"side": label}, found.icc1])
            rows.append(
                [
                    gettext("ICC(2), reliability of unit means, %(side)s") % {"side": label},
                    found.icc2,
                ]
            )
    if linkage.correction is not None:
        rows.append(
            [gettext("Units flagged after Benjamini-Hochberg"), linkage.correction.flagged_count]
        )
    return Section(Table("guardrails", _("Guardrails"), columns, rows))


# -- what the templates show besides the sections -------------------------------------------


def _top_box_percent(figure: Any) -> float | None:
    if figure is None or figure.suppressed:
        return None
    statistic = figure.statistic("top_box")
    return None if statistic is None or statistic.value is None else statistic.value * 100


def unit_choices(loader: Loader, scope: Any) -> list[dict[str, Any]]:
    """Return the units the filter offers: the in-scope ancestors, the unit, its children."""
    from miroir.org.selectors import unit_ancestors

    unit = loader.unit
    chosen = [a for a in unit_ancestors(unit) if scope.contains(a)] + [unit]
    children = list(unit.children.order_by("name")[:200])
    return [
        {"pk": u.pk, "label": ("— " if u in children else "") + u.name} for u in chosen + children
    ]


def page_summary(page: str, loader: Loader) -> list[str]:
    """Return the plain sentences a page opens with, from the figures it shows."""
    if page == "unit":
        sentences = [
            summaries.experience_sentence(loader.experience),
            summaries.perception_sentence(loader.perception)
            or summaries.barometer_sentence(loader.barometer.suggestions),
            summaries.index_sentence(loader.symmetry.index.value, loader.unit.name),
        ]
    elif page == "network":
        own = next((each for each in loader.network if each.unit_id == loader.unit.pk), None)
        sentences = [
            summaries.index_sentence(own.index.value if own else None, loader.unit.name),
            summaries.largest_gap_sentence(loader.linkage, loader.unit_names),
            summaries.flagged_sentence(loader.linkage),
        ]
    else:
        linkage = loader.linkage
        sentences = [
            summaries.correlation_sentence(linkage, loader.linkage_problem),
            summaries.driver_sentence(linkage, dimension_label),
            summaries.above_sentence(linkage),
        ]
    return [sentence for sentence in sentences if sentence]


def page_context(page: str, loader: Loader, scope: Any) -> dict[str, Any]:
    """Return what a page shows outside its sections (headline, verbatims, guardrails)."""
    from miroir.results import gate

    context: dict[str, Any] = {
        "threshold": gate.score_threshold(loader.filters.lens),
        "unit_choices": unit_choices(loader, scope),
        "lens_name": lens_label(loader.filters.lens),
    }
    if loader.period is None:
        return context
    context.update(summary=page_summary(page, loader), summary_keys=SUMMARY_CHARTS.get(page, ()))
    if page == "unit":
        barometer = loader.barometer
        context.update(
            symmetry=loader.symmetry,
            barometer=barometer,
            suggestions_top=_top_box_percent(barometer.suggestions),
            complaints_top=_top_box_percent(barometer.complaints),
            verbatims=loader.verbatims,
            publications=list(selectors.unit_publications(scope, loader.unit)[:20]),
            publish_form=PublishForm(initial={"period": loader.period.label}),
        )
    elif page == "linkage":
        from miroir.analytics.linkage import CAUSATION_CAVEAT

        linkage = loader.linkage
        context.update(
            guardrails=linkage.guardrails if linkage is not None else None,
            caveat=gettext(CAUSATION_CAVEAT),
        )
    return context
