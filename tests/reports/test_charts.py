"""Charts: inline SVG that the strict Content-Security-Policy lets through, with their data."""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

import pytest

from miroir.reports.charts import (
    CHART_WIDTH,
    FONT_SIZE,
    SUPPRESSED_MARKER,
    Point,
    heatmap_chart,
    interval_chart,
    render_png,
    render_svg,
    svg_for_page,
    trend_chart,
)

POINTS = [
    Point("Lille", 62.5, 55.0, 70.0, 40, "Clients"),
    Point("Lille", 48.0, 40.0, 56.0, 12, "Collaborateurs"),
    Point("Arras", None, series="Collaborateurs", suppressed=True),
    Point("Arras", 70.0, 60.0, 80.0, 30, "Clients"),
]

HOSTILE = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'width="100" height="50">'
    "<style>text { fill: red }</style>"
    "<script>alert(1)</script>"
    '<defs><clipPath id="clip1"><rect width="10" height="10"/></clipPath></defs>'
    '<g clip-path="url(#clip1)" style="fill: #123456; stroke-width: 2px; mix-blend-mode: multiply"'
    ' onclick="alert(2)">'
    '<text style="font-size:11px">a</text>'
    '<use xlink:href="#clip1"/><a href="https://evil.example/">x</a>'
    "</g></svg>"
)


def _attributes(svg: str) -> set[str]:
    return set(re.findall(r"\s([\w:-]+)=", svg))


def test_style_declarations_become_presentation_attributes():
    svg = str(svg_for_page(HOSTILE, key="c1", title="Titre", description="Description"))
    root = ET.fromstring(svg)  # noqa: S314 (our own output)
    group = root.find("{http://www.w3.org/2000/svg}g")
    assert group.get("fill") == "#123456"
    assert group.get("stroke-width") == "2px"
    assert group.get("mix-blend-mode") is None  # CSS only: dropped
    assert "style" not in _attributes(svg)
    assert "<style" not in svg and "<script" not in svg
    assert "onclick" not in svg and "alert" not in svg


def test_ids_are_prefixed_so_two_charts_on_a_page_do_not_clash():
    svg = str(svg_for_page(HOSTILE, key="c1", title="T", description="D"))
    assert 'id="c1-clip1"' in svg
    assert 'clip-path="url(#c1-clip1)"' in svg
    assert 'href="#c1-clip1"' in svg
    assert "evil.example" not in svg


def test_the_svg_has_an_accessible_name_and_scales_with_its_container():
    svg = str(svg_for_page(HOSTILE, key="k", title="Écoute & attention", description="Détail"))
    root = ET.fromstring(svg)  # noqa: S314 (our own output)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "k-title k-desc"
    assert root.get("viewBox") == "0 0 100 50"
    assert root.get("width") is None
    assert root.find("{http://www.w3.org/2000/svg}title").text == "Écoute & attention"
    assert "Écoute &amp; attention" in svg


@pytest.mark.parametrize("build", ["interval", "heatmap", "trend"])
def test_rendered_charts_carry_no_style_script_or_handler(build):
    if build == "interval":
        chart = interval_chart(
            POINTS,
            key="i",
            title="Écoute",
            description="Score par regard",
            value_title="Score sur 100",
            category_title="Unité",
            series_title="Regard",
            domain=(0, 100),
        )
    elif build == "heatmap":
        chart = heatmap_chart(
            POINTS,
            key="h",
            title="Carte",
            description="Unités par regard",
            value_title="Score",
            row_title="Unité",
            column_title="Regard",
        )
    else:
        chart = trend_chart(
            [
                Point("T1", 50.0, 45.0, 55.0, 30, "Clients"),
                Point("T2", None, series="Clients", suppressed=True),
                Point("T3", 58.0, 50.0, 66.0, 28, "Clients"),
            ],
            key="t",
            title="Tendance",
            description="Par trimestre",
            value_title="Score",
            period_title="Période",
        )
    svg = str(chart.svg)
    assert svg.startswith("<svg")
    assert "style" not in _attributes(svg)
    assert "<style" not in svg and "<script" not in svg and "foreignObject" not in svg
    assert not any(name.lower().startswith("on") for name in _attributes(svg))
    assert "Lille" in svg or "T1" in svg  # the picture draws the figures it is given


def test_a_suppressed_figure_is_the_marker_in_the_chart_and_its_table():
    chart = interval_chart(
        POINTS,
        key="i",
        title="Écoute",
        description="d",
        value_title="Score",
        category_title="Unité",
        series_title="Regard",
    )
    data = chart.spec["data"]["values"]
    arras = [
        row for row in data if row["category"] == "Arras" and row["series"] == "Collaborateurs"
    ]
    assert arras == [
        {
            "category": "Arras",
            "series": "Collaborateurs",
            "value": None,
            "low": None,
            "high": None,
            "n": None,
            "marker": SUPPRESSED_MARKER,
        }
    ]
    assert ("Arras", "Collaborateurs", SUPPRESSED_MARKER, None, None, None) in chart.table_rows
    assert ("Lille", "Clients", 62.5, 55.0, 70.0, 40) in chart.table_rows
    assert [column.key for column in chart.table_columns] == [
        "category",
        "series",
        "value",
        "low",
        "high",
        "n",
    ]


def test_png_for_emails_is_a_png():
    chart = interval_chart(
        POINTS[:2], key="p", title="t", description="d", value_title="v", category_title="c"
    )
    assert render_png(chart.spec)[:8] == b"\x89PNG\r\n\x1a\n"


def _chart(kind: str, points: list[Point]):
    common = {"key": kind[0], "title": "Titre", "description": "d", "value_title": "Score (0-100)"}
    if kind == "interval":
        return interval_chart(points, category_title="Unité", domain=(0, 100), **common)
    if kind == "heatmap":
        return heatmap_chart(points, row_title="Unité", column_title="Regard", **common)
    return trend_chart(points, period_title="Période", domain=(0, 100), **common)


LONG = [
    Point("Magasin de Villeneuve-d'Ascq centre commercial", 77.0, 70.0, 84.0, 40, "Clients"),
    Point("Magasin de Villeneuve-d'Ascq centre commercial", 61.0, 50.0, 72.0, 12, "Collab."),
    Point("Arras", None, series="Collab.", suppressed=True),
    Point("Arras", 64.0, 55.0, 73.0, 30, "Clients"),
]


@pytest.mark.parametrize("kind", ["interval", "heatmap", "trend"])
def test_a_chart_fits_a_phone_with_legible_text(kind):
    """The whole picture is CHART_WIDTH wide, labels included, and no text is under 13 px."""
    svg = str(_chart(kind, LONG).svg)
    root = ET.fromstring(svg)  # noqa: S314 (our own output)
    _x, _y, width, _height = (float(part) for part in root.get("viewBox").split())
    assert width <= CHART_WIDTH
    sizes = {float(size.rstrip("px")) for size in re.findall(r'font-size="([\d.]+)(?:px)?"', svg)}
    assert sizes and min(sizes) >= FONT_SIZE >= 13


@pytest.mark.parametrize("kind", ["interval", "trend"])
def test_a_suppressed_figure_is_not_drawn_and_the_chart_says_so(kind):
    visible = [point for point in LONG if not point.suppressed]
    shown = _chart(kind, visible)
    hidden = _chart(kind, LONG)
    assert hidden.has_suppressed and not shown.has_suppressed
    # Not a dot at 0, not the marker in the plot: the same marks as without the hidden figure.
    assert SUPPRESSED_MARKER not in str(hidden.svg)
    marks = re.compile(r'<path[^>]*aria-roledescription="point"|<path[^>]*class="[^"]*symbol')
    drawn = len(marks.findall(render_svg(hidden.spec)))
    assert drawn == len(marks.findall(render_svg(shown.spec))) == len(visible)


def test_the_score_axis_covers_every_score():
    svg = render_svg(_chart("interval", LONG).spec)
    labels = [float(label) for label in re.findall(r">(\d+)</text>", svg)]
    assert min(labels) == 0 and max(labels) == 100
