"""The home page's charts: the symmetry index's trend and mirrors side by side.

Drawn with the result pages' helpers (``reports.charts``: Altair → inline SVG, laid out
for a 360 px screen, text 13 px) from figures the home's selectors read through the gate.
A hidden figure is not drawn; the chart's note says so.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import get_language, gettext

from miroir.core.selectors import Home, IndexPoint, largest_gaps
from miroir.journeys.map_charts import map_charts
from miroir.org.models import Lens, Unit
from miroir.reports.charts import LENS_COLOURS, Chart, Point, interval_chart, trend_chart
from miroir.reports.tables import Interval, interval
from miroir.results.figures import Figure, MirrorSymmetry

# A publication's chart on the home: a few mirrors, customers and the reader's side
# (the whole publication is one tap away).
PUBLISHED_MIRRORS = 4


def index_chart(points: Sequence[IndexPoint], *, key: str) -> Chart | None:
    """Return the index period by period (None with fewer than two periods shown)."""
    if sum(point.value is not None for point in points) < 2:
        return None
    series = gettext("Symmetry index")
    return trend_chart(
        [
            Point(point.period, point.value, series=series, suppressed=point.value is None)
            for point in points
        ],
        key=key,
        title=gettext("Symmetry index, period by period"),
        description=gettext("The symmetry index from 0 to 100 over the last periods."),
        value_title=gettext("Index (0-100)"),
        period_title=gettext("Period"),
        domain=(0, 100),
    )


def _score(figure: Figure | None) -> Interval:
    if figure is None or figure.suppressed:
        return Interval.hidden()
    return interval(figure.statistic("score"))


def mirrors_chart(
    rows: Sequence[MirrorSymmetry], *, key: str, lenses: Sequence[str] = (Lens.EMPLOYEE,)
) -> Chart | None:
    """Return customers' and staff's scores on each mirror, with their intervals."""
    language = get_language() or "fr"
    points = []
    for row in rows:
        label = row.mirror.label(language)
        for lens in (Lens.CUSTOMER, *lenses):
            figure = row.figures.get(lens)
            if figure is None:
                continue
            cell = _score(figure)
            points.append(
                Point(
                    category=label,
                    series=str(Lens(lens).label),
                    value=cell.value,
                    low=cell.low,
                    high=cell.high,
                    n=None if figure.suppressed else figure.n,
                    suppressed=cell.suppressed,
                )
            )
    if not points:
        return None
    return interval_chart(
        points,
        key=key,
        title=gettext("Customers and staff, mirror by mirror"),
        description=gettext("Score from 0 to 100 of customers and staff on each mirror."),
        value_title=gettext("Score (0-100)"),
        category_title="",
        series_title=gettext("Lens"),
        domain=(0, 100),
        colours={str(Lens(lens).label): colour for lens, colour in LENS_COLOURS.items()},
    )


def units_chart(below: Sequence[tuple[Unit, float | None]], *, key: str) -> Chart | None:
    """Return the symmetry index of each unit below, hidden ones left undrawn."""
    if not below:
        return None
    return interval_chart(
        [Point(unit.name, value, suppressed=value is None) for unit, value in below],
        key=key,
        title=gettext("Symmetry index of the units below"),
        description=gettext("The symmetry index from 0 to 100 of each unit just below."),
        value_title=gettext("Index (0-100)"),
        category_title="",
        domain=(0, 100),
    )


def home_with_charts(home: Home) -> Home:
    """Return ``home`` with each part's charts drawn (index trend, mirrors, publication)."""
    personal = home.personal
    if personal is not None and personal.published is not None:
        shown = personal.published
        # The mirrors the reader's side was asked, the widest gaps first; when the gate
        # hides every gap, the first of them.
        asked = [row for row in shown.experience if shown.lens in row.figures]
        rows = largest_gaps(asked, PUBLISHED_MIRRORS, shown.lens) or asked[:PUBLISHED_MIRRORS]
        chart = mirrors_chart(rows, key="chart-published", lenses=(shown.lens,))
        if chart is not None:
            personal.charts["published"] = chart
    if personal is not None and personal.latest_map is not None:
        drawn = map_charts(personal.latest_map, get_language() or "fr")
        if drawn:
            personal.charts["map"] = drawn[0]
    for network in home.networks:
        chart = units_chart(network.below, key=f"chart-{network.unit.pk}-below")
        if chart is not None:
            network.charts["below"] = chart
    for part in [*home.units, *home.networks]:
        key = f"chart-{part.unit.pk}"
        drawn = {
            "index": index_chart(part.index, key=f"{key}-index"),
            "mirrors": mirrors_chart(part.mirrors, key=f"{key}-mirrors"),
        }
        part.charts.update({name: chart for name, chart in drawn.items() if chart is not None})
    return home
