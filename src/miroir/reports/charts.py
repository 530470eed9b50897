"""Charts of gated figures: Vega-Lite specs built with Altair, rendered by vl-convert.

Pages get inline SVG, e-mails PNG bytes; nothing is fetched from another host and no
script runs in the page. Every chart is a ``Chart``: its spec, a title and a one-line
description (the SVG's accessible name) and the data table it draws, which templates
show next to the SVG so that the figures are readable without seeing the picture.

Inline SVG lives under the page's Content-Security-Policy (``style-src 'self'``), which
blocks ``style`` attributes and ``<style>`` elements: ``svg_for_page`` turns each style
declaration into the equivalent SVG presentation attribute (which the policy allows),
drops what has none, and prefixes every id so that several charts on one page do not
share their clip paths.

The figures drawn here come from the results selectors, after the privacy gate: a
suppressed figure arrives as ``suppressed=True`` with no value. It is drawn as nothing at
all (a mark at the axis's origin would read as a score of 0): the chart's ``note`` says so,
the heatmap shows the one suppressed marker in its empty cell, and the table next to the
picture shows the marker in its row.

The picture carries no title: the page's heading names it, and the SVG's own title and
description give it an accessible name. Charts are drawn for a phone first: the whole
picture, labels included, fits
``CHART_WIDTH`` pixels (Vega's ``fit`` autosize), its text is ``FONT_SIZE`` pixels or more,
and the page shows it at its container's width, so that it stays legible at 390 px.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from xml.etree import ElementTree as ET

import altair as alt
from django.utils.encoding import force_str
from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from miroir.reports.exports import Column

# The one marker for a hidden figure, whatever the hidden count (see docs/anonymity.md).
SUPPRESSED_MARKER = "•"
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
# SVG presentation attributes: what a style declaration may become without CSS.
PRESENTATION_ATTRIBUTES = frozenset(
    {
        "alignment-baseline",
        "baseline-shift",
        "clip-path",
        "clip-rule",
        "color",
        "cursor",
        "display",
        "dominant-baseline",
        "fill",
        "fill-opacity",
        "fill-rule",
        "font-family",
        "font-size",
        "font-style",
        "font-variant",
        "font-weight",
        "letter-spacing",
        "opacity",
        "paint-order",
        "pointer-events",
        "shape-rendering",
        "stop-color",
        "stop-opacity",
        "stroke",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-opacity",
        "stroke-width",
        "text-anchor",
        "text-decoration",
        "text-rendering",
        "visibility",
        "word-spacing",
    }
)
# Attributes of the marks that only describe them to assistive technology or scripts.
MARK_ONLY_ATTRIBUTES = frozenset({"role", "class", "pointer-events"})
_URL_REFERENCE = re.compile(r"url\(#([^)]+)\)")
# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
LENS_COLOURS = {
    "customer": "#0072B2",
    "employee": "#D55E00",
    "management": "#009E73",
    "partner": "#CC79A7",
}
# Published reference figures (national barometers) are drawn in black, dashed.
REFERENCE_COLOUR = "#000000"
SERIES_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
# The whole picture's width, labels included: a phone's screen less the page's margins.
CHART_WIDTH = 360
# Text of the picture, in its own pixels; a 390 px phone shows it at about that size.
FONT_SIZE = 13
LABEL_LIMIT = 130
RENDER_CACHE_SIZE = 256

ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)


@dataclass(frozen=True)
class Point:
    """One gated figure to draw: where it goes, its value and interval, its base.

    ``category`` is the row (a unit, an item, a period), ``series`` the colour (a lens, a
    dimension). ``suppressed`` figures have no value and are drawn as the marker.
    """

    category: str
    value: float | None
    low: float | None = None
    high: float | None = None
    n: int | None = None
    series: str = ""
    suppressed: bool = False


@dataclass(frozen=True)
class Chart:
    """A chart and everything a page needs to show it accessibly.

    ``table_columns``/``table_rows`` are the figures drawn, in words and numbers, for the
    ``<table>`` shown next to the picture (and for its export).
    """

    key: str
    title: str
    description: str
    spec: dict[str, Any]
    table_columns: tuple[Column, ...]
    table_rows: tuple[tuple[Any, ...], ...]
    # Decimals shown on the page; the table and exports keep unrounded numbers.
    digits: int = 0
    # Some figures are hidden: the picture leaves them out and the page says so.
    has_suppressed: bool = False

    @property
    def svg(self) -> SafeString:
        """Return the chart as inline SVG, safe under the page's Content-Security-Policy."""
        svg = render_svg(self.spec)
        digest = hashlib.sha256(
            "|".join((svg, self.key, self.title, self.description)).encode()
        ).hexdigest()
        page = _cache.get(f"page:{digest}")
        if page is None:
            page = svg_for_page(svg, key=self.key, title=self.title, description=self.description)
            _cache.put(f"page:{digest}", page)
        return page

    @property
    def png(self) -> bytes:
        """Return the chart as PNG bytes (for e-mails)."""
        return render_png(self.spec)


# -- rendering ---------------------------------------------------------------------------------


class _RenderCache:
    """The latest renders, by spec digest: the same figures give the same picture."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[str, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key: str, value: Any) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


_cache = _RenderCache(RENDER_CACHE_SIZE)


def _digest(kind: str, spec: dict[str, Any], locale: str) -> str:
    text = json.dumps(spec, sort_keys=True, default=str)
    return hashlib.sha256(f"{kind}|{locale}|{text}".encode()).hexdigest()


def _format_locale() -> str:
    return "fr-FR" if (get_language() or "fr").startswith("fr") else "en-US"


def render_svg(spec: dict[str, Any]) -> str:
    """Return the SVG text vl-convert draws for a Vega-Lite spec (cached by content)."""
    import vl_convert

    locale = _format_locale()
    key = _digest("svg", spec, locale)
    cached = _cache.get(key)
    if cached is None:
        cached = vl_convert.vegalite_to_svg(spec, format_locale=locale)
        _cache.put(key, cached)
    return cached


def render_png(spec: dict[str, Any], *, scale: float = 2.0) -> bytes:
    """Return PNG bytes of a Vega-Lite spec, at ``scale`` times its size (sharp on phones)."""
    import vl_convert

    locale = _format_locale()
    key = _digest(f"png{scale}", spec, locale)
    cached = _cache.get(key)
    if cached is None:
        cached = vl_convert.vegalite_to_png(spec, scale=scale, format_locale=locale)
        _cache.put(key, cached)
    return cached


def _style_to_attributes(element: ET.Element) -> None:
    style = element.attrib.pop("style", None)
    if not style:
        return
    for declaration in style.split(";"):
        name, _sep, value = declaration.partition(":")
        name, value = name.strip().lower(), value.strip()
        if name in PRESENTATION_ATTRIBUTES and value and name not in element.attrib:
            element.set(name, value)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def svg_for_page(svg: str, *, key: str, title: str, description: str) -> SafeString:
    """Return inline SVG fit for a page under a strict Content-Security-Policy.

    Style attributes become presentation attributes, ``<style>``, ``<script>`` and
    ``<foreignObject>`` elements and event handler attributes are dropped, ids are
    prefixed with ``key``, and the root gets ``role="img"`` with a title and a
    description for screen readers (the data table next to it carries the figures).
    """
    root = ET.fromstring(svg)  # noqa: S314 (vl-convert's output, not user input)
    prefix = f"{key}-"
    dropped = {"style", "script", "foreignObject"}
    for parent in list(root.iter()):
        for child in list(parent):
            if _local(child.tag) in dropped:
                parent.remove(child)
    for element in root.iter():
        _style_to_attributes(element)
        for name in list(element.attrib):
            local = _local(name)
            value = element.attrib[name]
            if local.lower().startswith("on"):
                del element.attrib[name]
            elif element is not root and (
                local in MARK_ONLY_ATTRIBUTES
                or local.startswith("aria-")
                or (local == "font-family" and value == FONT)
                or (local == "opacity" and value == "1")
            ):
                # Inside role="img" marks are not read out, and the font is inherited from
                # the root: a phone downloads the picture, not its description per mark.
                del element.attrib[name]
            elif local == "id":
                element.set(name, prefix + value)
            elif local == "href":
                if value.startswith("#"):
                    element.set(name, "#" + prefix + value[1:])
                else:
                    del element.attrib[name]
            elif "url(#" in value:
                element.set(
                    name, _URL_REFERENCE.sub(lambda m: f"url(#{prefix}{m.group(1)})", value)
                )
    # The picture scales with its container; its viewBox keeps the proportions.
    width, height = root.get("width"), root.get("height")
    if width and height and not root.get("viewBox"):
        root.set("viewBox", f"0 0 {width} {height}")
    for attribute in ("width", "height"):
        root.attrib.pop(attribute, None)
    root.set("class", "chart-svg")
    root.set("font-family", FONT)
    root.set("role", "img")
    root.set("aria-labelledby", f"{prefix}title {prefix}desc")
    root.set("focusable", "false")
    for attribute in list(root.attrib):
        if _local(attribute).startswith("aria-") and attribute != "aria-labelledby":
            del root.attrib[attribute]
    title_element = ET.Element(f"{{{SVG_NS}}}title", {"id": f"{prefix}title"})
    title_element.text = title
    desc_element = ET.Element(f"{{{SVG_NS}}}desc", {"id": f"{prefix}desc"})
    desc_element.text = description
    root.insert(0, desc_element)
    root.insert(0, title_element)
    text = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return mark_safe(text)  # noqa: S308 (built from parsed XML, text escaped by ElementTree)


# -- specs -------------------------------------------------------------------------------------


def _records(points: Iterable[Point]) -> list[dict[str, Any]]:
    records = []
    for point in points:
        visible = not point.suppressed and point.value is not None
        records.append(
            {
                "category": point.category,
                "series": point.series,
                "value": point.value if visible else None,
                "low": point.low if visible else None,
                "high": point.high if visible else None,
                "n": point.n if visible else None,
                "marker": SUPPRESSED_MARKER if point.suppressed else "",
            }
        )
    return records


def _config(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    return (
        chart.configure(font=FONT, autosize=alt.AutoSizeParams(type="fit", contains="padding"))
        .configure_view(stroke=None)
        .configure_axis(
            labelLimit=LABEL_LIMIT,
            labelFontSize=FONT_SIZE,
            titleFontSize=FONT_SIZE,
            titleFontWeight="normal",
        )
        .configure_legend(labelFontSize=FONT_SIZE, titleFontSize=FONT_SIZE, labelLimit=LABEL_LIMIT)
    )


def _palette(series: Sequence[str], colours: dict[str, str] | None) -> tuple[tuple[str, str], ...]:
    """Return each series with its colour, in order of first appearance."""
    names = list(dict.fromkeys(series))
    return tuple(
        (name, (colours or {}).get(name, SERIES_COLOURS[index % len(SERIES_COLOURS)]))
        for index, name in enumerate(names)
    )


def _colour(palette: tuple[tuple[str, str], ...]) -> alt.Color:
    names = [name for name, _colour in palette]
    return alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(domain=names, range=[colour for _name, colour in palette]),
        legend=alt.Legend(orient="bottom", columns=2) if len(names) > 1 else None,
    )


def _spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    return _config(chart).to_dict(validate=False)


# Building a spec through Altair costs tens of milliseconds; the shape of a chart (titles,
# scales, colours, size) repeats from one request to the next while its figures change.
# So the shape is built once with a placeholder row and the figures are put in its place.
_PLACEHOLDER = {"category": "\u0000placeholder", "series": "", "marker": ""}


def _fill(spec: Any, records: list[dict[str, Any]]) -> Any:
    """Return ``spec`` with every placeholder data set replaced by ``records``."""
    if isinstance(spec, dict):
        values = spec.get("values")
        if isinstance(values, list) and values == [_PLACEHOLDER]:
            return {**spec, "values": records}
        return {key: _fill(value, records) for key, value in spec.items()}
    if isinstance(spec, list):
        return [_fill(value, records) for value in spec]
    return spec


@lru_cache(maxsize=RENDER_CACHE_SIZE)
def _shape(kind: str, *args: Any) -> str:
    """Return the JSON of a chart's shape, built once per distinct shape."""
    return json.dumps(_spec(SHAPES[kind](_PLACEHOLDER_LIST, *args)))


_PLACEHOLDER_LIST = [_PLACEHOLDER]


def _from_shape(kind: str, records: list[dict[str, Any]], *args: Any) -> dict[str, Any]:
    return _fill(json.loads(_shape(kind, *args)), records)


def _table_rows(points: Sequence[Point]) -> tuple[tuple[Any, ...], ...]:
    """Return the figures as table rows: unrounded numbers, the marker where suppressed."""
    rows = []
    for point in points:
        if point.suppressed or point.value is None:
            rows.append((point.category, point.series, SUPPRESSED_MARKER, None, None, None))
        else:
            rows.append((point.category, point.series, point.value, point.low, point.high, point.n))
    return tuple(rows)


def _table_columns(category: Any, series: Any, value: Any) -> tuple[Column, ...]:
    return (
        Column("category", category),
        Column("series", series),
        Column("value", value),
        Column("low", _("Low bound (95 %)")),
        Column("high", _("High bound (95 %)")),
        Column("n", _("Respondents (n)")),
    )


def interval_chart(
    points: Sequence[Point],
    *,
    key: str,
    title: str,
    description: str,
    value_title: str,
    category_title: str,
    series_title: str = "",
    domain: tuple[float, float] | None = None,
    colours: dict[str, str] | None = None,
    digits: int = 0,
    references: Sequence[Point] = (),
) -> Chart:
    """Return a dot-and-interval chart: one row per category, one colour per series.

    Suppressed figures are not drawn (their row stays empty; the table shows the marker).
    ``references`` are published figures drawn as a black vertical line across their
    category's row (a national reference next to the unit's own), named in the legend.
    """
    records = _records(points)
    palette = _palette([point.series for point in points], colours)
    if references:
        for record in records:
            record["reference"] = False
        records += [{**record, "reference": True} for record in _records(references)]
        palette += ((references[0].series, REFERENCE_COLOUR),)
    # The height is the whole picture's (axis and legend included).
    height = max(60, 26 * len(points)) + 80
    spec = _from_shape(
        "interval", records, value_title, category_title, domain, palette, height, bool(references)
    )
    return _gated_chart(
        points,
        key=key,
        title=title,
        description=description,
        spec=spec,
        columns=_table_columns(category_title, series_title, value_title),
        digits=digits,
    )


def heatmap_chart(
    points: Sequence[Point],
    *,
    key: str,
    title: str,
    description: str,
    value_title: str,
    row_title: str,
    column_title: str,
    domain: tuple[float, float] = (0, 100),
    digits: int = 0,
    long_rows: bool = False,
) -> Chart:
    """Return a heatmap: rows are ``category`` (units), columns ``series`` (dimensions).

    Each visible cell shows its value; a suppressed cell is blank with the marker. With
    ``long_rows`` (questions as rows, on a phone) each row's name runs across the
    picture's width above its cells, instead of an axis label cut short.
    """
    records = _labelled_records(points, digits)
    rows = len({point.category for point in points}) or 1
    columns = len({point.series for point in points}) or 1
    spec = (
        _from_shape("row_heatmap", records, value_title, domain, rows)
        if long_rows
        else _from_shape(
            "heatmap", records, value_title, row_title, column_title, domain, rows, columns
        )
    )
    return _gated_chart(
        points,
        key=key,
        title=title,
        description=description,
        spec=spec,
        columns=_table_columns(row_title, column_title, value_title),
        digits=digits,
    )


def _labelled_records(points: Sequence[Point], digits: int) -> list[dict[str, Any]]:
    """Return the records to draw, each with the text written on it (or the marker)."""
    records = _records(points)
    for record in records:
        record["label"] = (
            record["marker"]
            if record["value"] is None
            else number_format(record["value"], digits, use_l10n=True)
        )
    return records


def _gated_chart(
    points: Sequence[Point],
    *,
    key: str,
    title: str,
    description: str,
    spec: dict[str, Any],
    columns: tuple[Column, ...],
    digits: int,
) -> Chart:
    return Chart(
        key=key,
        title=title,
        description=description,
        spec=spec,
        table_columns=columns,
        table_rows=_table_rows(points),
        digits=digits,
        has_suppressed=_any_suppressed(points),
    )


def trend_chart(
    points: Sequence[Point],
    *,
    key: str,
    title: str,
    description: str,
    value_title: str,
    period_title: str,
    series_title: str = "",
    domain: tuple[float, float] | None = None,
    colours: dict[str, str] | None = None,
    digits: int = 0,
) -> Chart:
    """Return a trend: ``category`` is the period (in the given order), one line per series.

    Intervals are vertical rules at each period; suppressed periods are not drawn and
    break the line.
    """
    records = _records(points)
    periods = tuple(dict.fromkeys(point.category for point in points))
    palette = _palette([point.series for point in points], colours)
    spec = _from_shape("trend", records, value_title, period_title, domain, palette, periods)
    return _gated_chart(
        points,
        key=key,
        title=title,
        description=description,
        spec=spec,
        columns=_table_columns(period_title, series_title, value_title),
        digits=digits,
    )


def scatter_chart(
    points: Sequence[Point],
    *,
    key: str,
    title: str,
    description: str,
    x_title: str,
    y_title: str,
    category_title: str,
    domain: tuple[float, float] = (0, 100),
    labelled: bool = True,
) -> Chart:
    """Return a scatter plot: one dot per ``category`` at (``low``, ``value``).

    ``low`` carries the horizontal figure and ``value`` the vertical one (a unit's employee
    and customer indices); the dashed diagonal marks where both are equal. Points whose
    figures are hidden are not drawn at all (callers pass only shown ones); with
    ``labelled`` each dot is named (few units), otherwise the table names them.
    """
    records = [
        {
            "category": point.category,
            "series": point.series,
            "x": point.low,
            "value": point.value,
            "n": point.n,
            "marker": "",
        }
        for point in points
        if not point.suppressed and point.value is not None and point.low is not None
    ]
    spec = _from_shape("scatter", records, x_title, y_title, domain, labelled)
    return Chart(
        key=key,
        title=title,
        description=description,
        spec=spec,
        table_columns=(
            Column("category", category_title),
            Column("x", x_title),
            Column("value", y_title),
            Column("n", _("Respondents (n)")),
        ),
        table_rows=tuple(
            (record["category"], record["x"], record["value"], record["n"]) for record in records
        ),
    )


def bar_chart(
    points: Sequence[Point],
    *,
    key: str,
    title: str,
    description: str,
    value_title: str,
    domain: tuple[float, float] = (0, 100),
    digits: int = 0,
) -> Chart:
    """Return horizontal bars, each one's label written above it (long labels fit a phone).

    A hidden figure draws no bar: its label stays, followed by the marker.
    """
    records = _labelled_records(points, digits)
    spec = _from_shape("bar", records, value_title, domain, len(points) or 1)
    return _gated_chart(
        points,
        key=key,
        title=title,
        description=description,
        spec=spec,
        columns=_table_columns("", "", value_title),
        digits=digits,
    )


# -- the shapes (built through Altair once per distinct shape) ------------------------------


def _interval_shape(
    records: list[dict[str, Any]],
    value_title: str,
    category_title: str,
    domain: tuple[float, float] | None,
    palette: tuple[tuple[str, str], ...],
    height: int,
    with_references: bool = False,
) -> alt.TopLevelMixin:
    scale = alt.Scale(domain=list(domain)) if domain else alt.Scale(zero=False)
    base = alt.Chart(alt.Data(values=records)).encode(
        y=alt.Y("category:N", title=category_title, sort=None),
        yOffset=alt.YOffset("series:N", sort=None),
    )
    colour = _colour(palette)
    figures = base.transform_filter("!datum.reference") if with_references else base
    rules = figures.mark_rule(strokeWidth=2).encode(
        x=alt.X("low:Q", title=value_title, scale=scale), x2="high:Q", color=colour
    )
    dots = figures.mark_point(filled=True, size=70, opacity=1).encode(
        x=alt.X("value:Q", scale=scale), color=colour
    )
    layers = [rules, dots]
    if with_references:
        # A reference spans its category's whole row, whatever the series.
        lines = (
            alt.Chart(alt.Data(values=records))
            .transform_filter("datum.reference")
            .mark_tick(thickness=2, strokeDash=[4, 3])
            .encode(
                y=alt.Y("category:N", sort=None),
                x=alt.X("value:Q", scale=scale),
                color=colour,
            )
        )
        layers.append(lines)
    return alt.layer(*layers).properties(width=CHART_WIDTH, height=height)


def _heatmap_shape(
    records: list[dict[str, Any]],
    value_title: str,
    row_title: str,
    column_title: str,
    domain: tuple[float, float],
    rows: int,
    columns: int,
) -> alt.TopLevelMixin:
    base = alt.Chart(alt.Data(values=records)).encode(
        y=alt.Y("category:N", title=row_title, sort=None),
        x=alt.X("series:N", title=column_title, sort=None, axis=alt.Axis(labelAngle=-40)),
    )
    cells = base.mark_rect(stroke="#ffffff", strokeWidth=1).encode(
        color=alt.Color(
            "value:Q",
            title=value_title,
            scale=alt.Scale(domain=list(domain), scheme="blueorange", reverse=True),
            legend=alt.Legend(orient="bottom", direction="horizontal", gradientLength=160),
        )
    )
    text = base.mark_text(fontSize=FONT_SIZE).encode(text="label:N", color=alt.value("#1b1f23"))
    return alt.layer(cells, text).properties(width=CHART_WIDTH, height=32 * rows + 170)


def _trend_shape(
    records: list[dict[str, Any]],
    value_title: str,
    period_title: str,
    domain: tuple[float, float] | None,
    palette: tuple[tuple[str, str], ...],
    periods: tuple[str, ...],
) -> alt.TopLevelMixin:
    scale = alt.Scale(domain=list(domain)) if domain else alt.Scale(zero=False)
    base = alt.Chart(alt.Data(values=records)).encode(
        x=alt.X("category:O", title=period_title, sort=list(periods), axis=alt.Axis(labelAngle=0)),
        color=_colour(palette),
    )
    line = base.mark_line(point=alt.OverlayMarkDef(filled=True, size=50)).encode(
        y=alt.Y("value:Q", title=value_title, scale=scale)
    )
    band = base.mark_rule(strokeWidth=1.5, opacity=0.6).encode(y="low:Q", y2="high:Q")
    return alt.layer(band, line).properties(width=CHART_WIDTH, height=300)


# The text of a label drawn above its bar or row, and the room it takes.
ROW_LABEL_CHARACTERS = 48
BAR_ROW = 46


def _short(field: str) -> str:
    """Return a Vega expression: the field, cut with an ellipsis to fit the picture's width."""
    limit = ROW_LABEL_CHARACTERS
    return (
        f"length(datum.{field}) > {limit} ? "
        f"substring(datum.{field}, 0, {limit - 1}) + '…' : datum.{field}"
    )


def _scatter_shape(
    records: list[dict[str, Any]],
    x_title: str,
    y_title: str,
    domain: tuple[float, float],
    labelled: bool,
) -> alt.TopLevelMixin:
    scale = alt.Scale(domain=list(domain))
    axis = alt.Axis(tickCount=5, grid=True)
    base = alt.Chart(alt.Data(values=records)).encode(
        x=alt.X("x:Q", title=x_title, scale=scale, axis=axis),
        y=alt.Y("value:Q", title=y_title, scale=scale, axis=axis),
    )
    diagonal = (
        alt.Chart(
            alt.Data(
                values=[{"x": domain[0], "value": domain[0]}, {"x": domain[1], "value": domain[1]}]
            )
        )
        .mark_line(color="#6a737d", strokeDash=[4, 4], strokeWidth=1)
        .encode(x=alt.X("x:Q", scale=scale), y=alt.Y("value:Q", scale=scale))
    )
    dots = base.mark_circle(size=90, opacity=0.85, color=LENS_COLOURS["customer"])
    layers = [diagonal, dots]
    if labelled:
        layers.append(
            base.mark_text(align="left", dx=7, dy=-7, fontSize=FONT_SIZE).encode(text="category:N")
        )
    return alt.layer(*layers).properties(width=CHART_WIDTH, height=CHART_WIDTH)


def _bar_shape(
    records: list[dict[str, Any]],
    value_title: str,
    domain: tuple[float, float],
    rows: int,
) -> alt.TopLevelMixin:
    scale = alt.Scale(domain=list(domain))
    row = alt.Y("category:N", sort=None, axis=None, scale=alt.Scale(paddingInner=0))
    base = alt.Chart(alt.Data(values=records)).encode(y=row)
    bars = base.mark_bar(height=14, yOffset=9, color=LENS_COLOURS["customer"]).encode(
        x=alt.X("value:Q", title=value_title, scale=scale, axis=alt.Axis(tickCount=4))
    )
    names = (
        base.mark_text(align="left", baseline="bottom", dy=-3, fontSize=FONT_SIZE)
        .encode(x=alt.value(0), text=alt.Text("name:N"))
        .transform_calculate(name=_short("category"))
    )
    figures = base.mark_text(align="left", dx=4, dy=9, fontSize=FONT_SIZE).encode(
        x=alt.X("value:Q", scale=scale), text="label:N"
    )
    # A hidden figure: the marker at the start of its empty bar.
    markers = (
        base.transform_filter("datum.value == null")
        .mark_text(align="left", dy=9, fontSize=FONT_SIZE)
        .encode(x=alt.value(2), text="label:N")
    )
    return alt.layer(bars, names, figures, markers).properties(
        width=CHART_WIDTH, height=BAR_ROW * rows + 50
    )


def _row_heatmap_shape(
    records: list[dict[str, Any]],
    value_title: str,
    domain: tuple[float, float],
    rows: int,
) -> alt.TopLevelMixin:
    row = alt.Y("category:N", sort=None, axis=None, scale=alt.Scale(paddingInner=0))
    column = alt.X(
        "series:N",
        title=None,
        sort=None,
        axis=alt.Axis(orient="top", labelAngle=0, labelLimit=CHART_WIDTH // 4),
    )
    base = alt.Chart(alt.Data(values=records)).encode(y=row)
    cells = base.mark_rect(height=24, yOffset=9, stroke="#ffffff", strokeWidth=1).encode(
        x=column,
        color=alt.Color(
            "value:Q",
            title=value_title,
            scale=alt.Scale(domain=list(domain), scheme="blueorange", reverse=True),
            legend=alt.Legend(orient="bottom", direction="horizontal", gradientLength=160),
        ),
    )
    # A row's name is written once, not once per cell.
    names = (
        base.transform_window(cell="row_number()", groupby=["category"])
        .transform_filter("datum.cell == 1")
        .transform_calculate(name=_short("category"))
        .mark_text(align="left", baseline="bottom", dy=-5, fontSize=FONT_SIZE)
        .encode(x=alt.value(0), text=alt.Text("name:N"))
    )
    figures = base.mark_text(dy=9, fontSize=FONT_SIZE).encode(
        x=column, text="label:N", color=alt.value("#1b1f23")
    )
    return alt.layer(cells, names, figures).properties(
        width=CHART_WIDTH, height=BAR_ROW * rows + 110
    )


SHAPES: dict[str, Callable[..., alt.TopLevelMixin]] = {
    "interval": _interval_shape,
    "heatmap": _heatmap_shape,
    "trend": _trend_shape,
    "scatter": _scatter_shape,
    "bar": _bar_shape,
    "row_heatmap": _row_heatmap_shape,
}


def _any_suppressed(points: Sequence[Point]) -> bool:
    return any(point.suppressed or point.value is None for point in points)


def chart_label(value: Any) -> str:
    """Return a lazy label as text, for chart titles and table cells."""
    return force_str(value)
