"""The charts of a satisfaction map, drawn from its gated (or frozen) data, 360 px wide."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from miroir.journeys.models import in_language
from miroir.org.models import Lens
from miroir.reports.charts import LENS_COLOURS, Chart, Point, interval_chart


def _lens_label(lens: str, data: dict[str, Any]) -> str:
    if lens == Lens.MANAGEMENT:
        return _("Manager's estimate") if data.get("attributed") else _("Management")
    return _("Employees")


def map_charts(data: dict[str, Any], language: str) -> list[Chart]:
    """Return the map's two charts: satisfaction by moment, and the moment-of-truth shares."""
    if not data.get("moments"):
        return []
    labels = {lens: _lens_label(lens, data) for lens in (Lens.EMPLOYEE, Lens.MANAGEMENT)}
    colours = {labels[lens]: LENS_COLOURS[lens] for lens in labels}
    satisfaction: list[Point] = []
    truth: list[Point] = []
    for row in data["moments"]:
        name = in_language(row["name_fr"], row["name_en"], language)
        for lens, label in labels.items():
            figures = row.get(lens)
            if figures is None:
                satisfaction.append(Point(name, None, series=label, suppressed=True))
                truth.append(Point(name, None, series=label, suppressed=True))
                continue
            satisfaction.append(
                Point(
                    name,
                    figures["satisfaction"],
                    figures["satisfaction_low"],
                    figures["satisfaction_high"],
                    figures["n"],
                    label,
                )
            )
            truth.append(
                Point(
                    name,
                    _percent(figures["truth"]),
                    _percent(figures["truth_low"]),
                    _percent(figures["truth_high"]),
                    figures["n"],
                    label,
                )
            )
    key = f"map-{data['wave']['id']}-{data['unit']['id']}"
    return [
        interval_chart(
            satisfaction,
            key=f"{key}-satisfaction",
            title=_("Satisfaction by moment"),
            description=_("Mean satisfaction from 1 to 5 with its confidence interval, by lens."),
            value_title=_("Satisfaction (1 to 5)"),
            category_title=_("Moment"),
            series_title=_("Lens"),
            domain=(1, 5),
            colours=colours,
            digits=1,
        ),
        interval_chart(
            truth,
            key=f"{key}-truth",
            title=_("Moments of truth"),
            description=_(
                "Share calling the moment a moment of truth, with its confidence interval."
            ),
            value_title=_("Share (%)"),
            category_title=_("Moment"),
            series_title=_("Lens"),
            domain=(0, 100),
            colours=colours,
        ),
    ]


def _percent(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)
