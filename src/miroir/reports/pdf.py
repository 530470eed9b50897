"""The PDF report of a unit or of the network, for a leadership meeting.

It lays out what the page shows, and only that: the same sections (``pages.SECTIONS``,
built from ``miroir.results.selectors`` through the privacy gate) with their charts, as
the PNG the chart renderer draws for e-mails, and their tables, each cell written as the
page writes it (a hidden figure is the one marker •). Before them, the page's summary:
the unit's symmetry index and barometer headline.

Left out on purpose: the verbatims. A PDF leaves the application (it is downloaded,
e-mailed, forwarded); comments are the most identifying thing the results hold, and
they stay on the page, where the reader's scope is checked on every view.

The report is built for one reader: ``report_for`` checks their scope (404 outside it,
403 without results rights) and makes them the reader of the figures, so a group they
are counted in is hidden from them exactly as on their page.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from html import unescape
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import strip_tags
from django.utils.text import slugify
from django.utils.translation import gettext
from fpdf import FPDF
from fpdf.fonts import FontFace

from miroir.core.fonts import latin1, unicode_font
from miroir.org.selectors import Scope
from miroir.reports.charts import SUPPRESSED_MARKER, Chart
from miroir.reports.filters import filters_from_request
from miroir.reports.pages import Loader, Section, page_sections
from miroir.reports.tables import Table, cell_text
from miroir.results import gate
from miroir.results.selectors import results_session

REPORT_PAGES = ("unit", "network")
LANGUAGES = ("fr", "en")

# A4 landscape, in millimetres: wide tables fit, a chart sits beside nothing.
MARGIN = 12.0
CHART_WIDTH_MM = 120.0
CHART_MAX_HEIGHT_MM = 150.0
TABLE_FONT_SIZE = 7.5
TEXT_FONT_SIZE = 10.0
# The first column (a unit, a question, a mirror) gets this many times a figure's width.
LABEL_WEIGHT = 2.6


class ReportError(Exception):
    """The report cannot be built for these filters; ``messages`` say why, to the reader."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class Report:
    """A built report: its file name and its bytes."""

    filename: str
    content: bytes
    unit_name: str
    period: str


def report_language(requested: str | None, default: str | None) -> str:
    """Return the report's language: the one asked for, else the reader's, else French."""
    for candidate in (requested, default):
        code = (candidate or "")[:2].lower()
        if code in LANGUAGES:
            return code
    return "fr"


def report_for(
    scope: Scope, *, page: str, params: Any, language: str, unit_id: int | None = None
) -> Report:
    """Return the report of ``page`` for the reader whose scope is ``scope``.

    Raises Http404 for a unit outside the scope, PermissionDenied without results rights
    (both from the filters' access check) and ``ReportError`` for bad filters or when no
    period holds results yet.
    """
    if page not in REPORT_PAGES:
        raise ValueError(f"No report for the page {page!r}")
    with translation.override(language):
        result = filters_from_request(scope, params, unit_id=unit_id)
        if result.filters is None:
            raise ReportError(result.errors)
        filters = result.filters
        if filters.period is None:
            raise ReportError(
                [gettext("No responses have been received yet: there is nothing to report.")]
            )
        loader = Loader(filters)
        with results_session():
            sections = page_sections(page, loader)
            content = _ReportWriter(page, loader).write(sections)
    name = slugify(filters.unit.name) or "unit"
    return Report(
        filename=f"miroir-{page}-{name}-{filters.period.label}-{language}.pdf",
        content=content,
        unit_name=filters.unit.name,
        period=filters.period.label,
    )


def _percent(figure: Any) -> str:
    if figure is None:
        return "\u2013"
    if figure.suppressed:
        return SUPPRESSED_MARKER
    statistic = figure.statistic("top_box")
    if statistic is None or statistic.value is None:
        return "\u2013"
    return f"{statistic.value * 100:.0f}\u00a0% (n = {figure.n})"


def _labelled(label: str, value: str) -> str:
    return gettext("%(label)s: %(value)s") % {"label": label, "value": value}


def _conventions(threshold: int) -> list[str]:
    """Return the page's "How to read these figures" list, as plain sentences."""
    html = render_to_string("results/_conventions.html", {"threshold": threshold})
    items = re.findall(r"<li>(.*?)</li>", html, flags=re.DOTALL)
    return [" ".join(unescape(strip_tags(item)).split()) for item in items]


class ReportPDF(FPDF):
    """An A4 page whose footer names the report and numbers the page."""

    footer_text = ""
    footer_family = "helvetica"

    def footer(self) -> None:
        self.set_y(-MARGIN)
        self.set_font(self.footer_family, "", 7.5)
        self.set_text_color(90, 90, 90)
        self.cell(0, 4, self.footer_text.replace("{page}", str(self.page_no())), align="R")
        self.set_text_color(0, 0, 0)


class _ReportWriter:
    """Writes one report with fpdf2: header, summary, then each section."""

    def __init__(self, page: str, loader: Loader) -> None:
        self.page = page
        self.loader = loader
        pdf = ReportPDF(orientation="landscape", unit="mm", format="A4")
        pdf.set_margins(MARGIN, MARGIN, MARGIN)
        pdf.set_auto_page_break(auto=True, margin=MARGIN + 4)
        regular, bold = unicode_font()
        if regular:
            pdf.add_font("report", "", regular)
            pdf.add_font("report", "B", bold)
            self.family, self.clean = "report", str
        else:
            self.family, self.clean = "helvetica", latin1
        self.pdf = pdf

    # -- text helpers ------------------------------------------------------------------------

    def text(self, content: str, *, size: float = TEXT_FONT_SIZE, bold: bool = False) -> None:
        pdf = self.pdf
        pdf.set_font(self.family, "B" if bold else "", size)
        pdf.multi_cell(0, size * 0.5, self.clean(content), new_x="LMARGIN", new_y="NEXT")

    def heading(self, content: str, *, size: float = 13) -> None:
        pdf = self.pdf
        # A heading never ends a page: keep room for a few lines after it.
        if pdf.get_y() + 30 > pdf.page_break_trigger:
            pdf.add_page()
        pdf.ln(3)
        self.text(content, size=size, bold=True)
        pdf.ln(1)

    # -- the report --------------------------------------------------------------------------

    def write(self, sections: list[Section]) -> bytes:
        pdf = self.pdf
        loader = self.loader
        unit = loader.unit
        period = loader.period.label if loader.period else ""
        title = (
            gettext("Results report: %(unit)s") % {"unit": unit.name}
            if self.page == "unit"
            else gettext("Network results report: %(unit)s") % {"unit": unit.name}
        )
        pdf.set_title(self.clean(title))
        pdf.set_creator("Miroir")
        pdf.set_lang(translation.get_language() or "fr")
        pdf.footer_text = self.clean(
            f"{title} · {period} · "
            + gettext("Page %(page)s of %(pages)s") % {"page": "{page}", "pages": "{nb}"}
        )
        pdf.footer_family = self.family
        pdf.add_page()
        self.text(title, size=18, bold=True)
        pdf.ln(1)
        self.text(
            gettext("%(kind)s · period %(period)s · produced on %(day)s")
            % {
                "kind": unit.get_kind_display(),
                "period": period,
                "day": date_format(timezone.localdate(), "DATE_FORMAT"),
            }
        )
        self.text(
            gettext(
                "Confidential: for the people who may read this unit's results. "
                "Every figure passed the anonymity rules; • marks a hidden one."
            ),
            size=8.5,
        )
        self.summary()
        for section in sections:
            self.section(section)
        self.conventions()
        return bytes(pdf.output())

    def summary(self) -> None:
        loader = self.loader
        self.heading(gettext("Summary"))
        if self.page == "network":
            own = [s for s in loader.network if s.unit_id == loader.unit.pk]
            if own:
                self.index_line(own[0].index.value)
            self.text(gettext("Units below: %(n)d") % {"n": max(0, len(loader.network) - 1)})
            return
        self.index_line(loader.symmetry.index.value)
        barometer = loader.barometer
        if barometer.suggestions or barometer.complaints:
            suggestions = gettext(
                "Employees who fully agree that their suggestions are listened to and applied"
            )
            complaints = gettext(
                "Employees who fully agree that customer complaints get strong attention"
            )
            for label, figure in (
                (suggestions, barometer.suggestions),
                (complaints, barometer.complaints),
            ):
                self.text(_labelled(label, _percent(figure)))

    def index_line(self, index: float | None) -> None:
        shown = "\u2013" if index is None else f"{index:.0f}"
        self.text(gettext("Symmetry index: %(index)s / 100") % {"index": shown}, bold=True)

    def section(self, section: Section) -> None:
        table = section.table
        self.heading(str(table.title))
        if section.chart is not None:
            self.chart(section.chart)
        self.table(table)
        if table.caption:
            self.text(str(table.caption), size=8)

    def chart(self, chart: Chart) -> None:
        from PIL import Image

        pdf = self.pdf
        png = chart.png
        with Image.open(io.BytesIO(png)) as picture:
            width_px, height_px = picture.size
        width = CHART_WIDTH_MM
        height = width * height_px / width_px
        if height > CHART_MAX_HEIGHT_MM:
            height = CHART_MAX_HEIGHT_MM
            width = height * width_px / height_px
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()
        pdf.image(io.BytesIO(png), x=MARGIN, y=pdf.get_y(), w=width, h=height, alt_text=chart.title)
        pdf.set_y(pdf.get_y() + height + 2)
        if chart.has_suppressed:
            self.text(gettext("Hidden figures (•) are not drawn: their place stays empty."), size=8)

    def table(self, table: Table) -> None:
        pdf = self.pdf
        if not table.rows:
            self.text(str(table.empty), size=9)
            return
        pdf.set_font(self.family, "", TABLE_FONT_SIZE)
        columns = list(table.columns)
        widths = [LABEL_WEIGHT] + [1.0] * (len(columns) - 1)
        aligns = ["LEFT"] + ["RIGHT" if column.numeric else "LEFT" for column in columns[1:]]
        with pdf.table(
            col_widths=widths,
            text_align=tuple(aligns),
            line_height=TABLE_FONT_SIZE * 0.5,
            headings_style=FontFace(emphasis="BOLD", fill_color=(235, 238, 242)),
            padding=0.8,
            align="LEFT",
        ) as grid:
            header = grid.row()
            for column in columns:
                header.cell(self.clean(str(column.label)))
            for values in table.rows:
                row = grid.row()
                for value, column in zip(values, columns, strict=False):
                    row.cell(self.clean(cell_text(value, column)))
        pdf.ln(1)

    def conventions(self) -> None:
        self.heading(gettext("How to read these figures"))
        for line in _conventions(gate.score_threshold(self.loader.filters.lens)):
            self.text(f"\u2013 {line}", size=8.5)
