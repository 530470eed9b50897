"""Tables exported as CSV or XLSX, streamed row by row so memory stays flat whatever their size.

An ``ExportTable`` is a title, its columns and an iterable of rows; the rows are read once,
lazily, while the response is sent (CSV) or written (XLSX), so a generator over a
database cursor never has all its rows in memory. Every text cell that a spreadsheet could
take for a formula is neutralised first (``neutralise``): exports carry what people wrote,
and a comment starting with ``=`` must stay a comment.

The figures in a table come from the results selectors, after the privacy gate; this
module only formats what it is given.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils.encoding import force_str
from django.utils.text import slugify

# A cell starting with one of these is read as a formula (or a DDE call) by Excel,
# LibreOffice or Google Sheets: "=", "+", "-", "@", and tab or carriage return that some
# of them skip before looking.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Full-width look-alikes that some spreadsheets fold to their ASCII form.
_FULL_WIDTH = ("\uff1d", "\uff0b", "\uff0d", "\uff20")
# Rows gathered into one chunk of a streamed CSV: fewer, larger writes to the socket.
CSV_ROWS_PER_CHUNK = 500
XLSX_MAX_ROWS = 1_048_576
XLSX_MAX_CELL = 32_767
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


class ExportError(ValueError):
    """A table that cannot be exported; the message names what is wrong."""


@dataclass(frozen=True)
class Column:
    """One column: its key (for code and the API) and its label (for people)."""

    key: str
    label: Any


@dataclass(frozen=True)
class ExportTable:
    """A table to export: ``rows`` yields one sequence per row, in the order of ``columns``.

    ``name`` becomes the file name (slugified) and the sheet name.
    """

    name: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]


_TRIGGERS = frozenset(FORMULA_TRIGGERS) | frozenset(_FULL_WIDTH)


def neutralise(text: str) -> str:
    """Return ``text`` made inert for spreadsheets: a leading quote when it could be a formula.

    The quote is what Excel itself shows for text typed with a leading apostrophe; it is
    added when the first character, or the first one after leading spaces, is a trigger.
    """
    if not text:
        return text
    first = text[0]
    if first == " ":
        stripped = text.lstrip(" ")
        first = stripped[0] if stripped else ""
    return "'" + text if first in _TRIGGERS and first else text


def cell_value(value: Any) -> str | int | float | bool | None:
    """Return the value to write in a cell: numbers stay numbers, everything else safe text."""
    kind = type(value)
    if kind is str:
        return neutralise(value)
    if value is None or kind is bool or kind is int:
        return value
    if kind is float:
        return None if value != value else value  # NaN: an empty cell
    if isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return None if value != value else value
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return neutralise(force_str(value))


def _csv_text(value: Any) -> Any:
    kind = type(value)
    if kind is str:
        return neutralise(value)
    if kind is int or value is None:
        return value  # csv writes None as an empty field
    cell = cell_value(value)
    if isinstance(cell, bool):
        return "1" if cell else "0"
    return cell


def file_name(table: ExportTable, extension: str) -> str:
    """Return the download name of a table: its slugified name and the extension."""
    return f"{slugify(table.name) or 'export'}.{extension}"


class _Line:
    """A file-like object whose ``write`` returns what it was given, for ``csv.writer``."""

    def write(self, value: str) -> str:
        return value


def csv_chunks(table: ExportTable, *, rows_per_chunk: int = CSV_ROWS_PER_CHUNK) -> Iterator[str]:
    """Yield the CSV text of a table in chunks: a byte-order mark and the header, then rows.

    The byte-order mark makes Excel read the file as UTF-8 (accents intact). Rows are
    taken from ``table.rows`` only as the chunks are consumed.
    """
    writer = csv.writer(_Line(), lineterminator="\r\n")
    width = len(table.columns)
    yield "\ufeff" + writer.writerow([_csv_text(column.label) for column in table.columns])
    chunk: list[str] = []
    for row in table.rows:
        if len(row) != width:
            raise ExportError(f"{table.name}: a row has {len(row)} cells for {width} columns")
        chunk.append(writer.writerow([_csv_text(value) for value in row]))
        if len(chunk) >= rows_per_chunk:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def _attachment(response: Any, name: str) -> Any:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def csv_response(table: ExportTable) -> StreamingHttpResponse:
    """Return a streaming CSV download of the table; rows are read while it is sent."""
    response = StreamingHttpResponse(csv_chunks(table), content_type=CSV_CONTENT_TYPE)
    return _attachment(response, file_name(table, "csv"))


def _sheet_name(name: str) -> str:
    cleaned = _SHEET_NAME_FORBIDDEN.sub(" ", force_str(name)).strip("' ")
    return (cleaned or "Export")[:31]


def write_xlsx(table: ExportTable, target: Any) -> int:
    """Write the table as an XLSX workbook to ``target`` (a path or binary file); return rows.

    XlsxWriter's constant-memory mode flushes each row to disk as soon as the next one
    starts, so memory does not grow with the table. Strings are always written as
    strings, never turned into formulas, numbers or links; past Excel's row limit the
    table continues on a new sheet.
    """
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    bold = workbook.add_format({"bold": True})
    headers = [_csv_text(column.label) for column in table.columns]
    width = len(headers)
    base = _sheet_name(table.name)
    sheets = 0
    row_index = XLSX_MAX_ROWS
    worksheet = None
    written = 0
    for row in table.rows:
        if len(row) != width:
            workbook.close()
            raise ExportError(f"{table.name}: a row has {len(row)} cells for {width} columns")
        if row_index >= XLSX_MAX_ROWS:
            sheets += 1
            suffix = f" ({sheets})" if sheets > 1 else ""
            worksheet = workbook.add_worksheet(_sheet_name(base[: 31 - len(suffix)] + suffix))
            worksheet.write_row(0, 0, headers, bold)
            worksheet.freeze_panes(1, 0)
            row_index = 1
        assert worksheet is not None
        cells = []
        for value in row:
            cell = cell_value(value)
            if isinstance(cell, str) and len(cell) > XLSX_MAX_CELL:
                cell = cell[:XLSX_MAX_CELL]
            cells.append(cell)
        for column, cell in enumerate(cells):
            if cell is None:
                continue
            if isinstance(cell, str):
                worksheet.write_string(row_index, column, cell)
            elif isinstance(cell, bool):
                worksheet.write_boolean(row_index, column, cell)
            else:
                worksheet.write_number(row_index, column, cell)
        row_index += 1
        written += 1
    if worksheet is None:
        worksheet = workbook.add_worksheet(base)
        worksheet.write_row(0, 0, headers, bold)
    workbook.close()
    return written


def xlsx_response(table: ExportTable) -> FileResponse:
    """Return an XLSX download of the table, built in a temporary file and streamed from it.

    The workbook is a zip whose directory comes last, so it is finished before sending;
    the rows go to disk as they are read, and the file is sent in blocks and deleted
    when the response is closed.
    """
    spool = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (closed by the response)
    try:
        write_xlsx(table, spool)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    response = FileResponse(spool, content_type=XLSX_CONTENT_TYPE)
    return _attachment(response, file_name(table, "xlsx"))


EXPORT_FORMATS: dict[str, Callable[[ExportTable], Any]] = {
    "csv": csv_response,
    "xlsx": xlsx_response,
}


def export_response(table: ExportTable, fmt: str) -> Any:
    """Return the download of the table in ``fmt`` (``csv`` or ``xlsx``)."""
    try:
        return EXPORT_FORMATS[fmt](table)
    except KeyError:
        raise ExportError(f"unknown export format {fmt!r}: use csv or xlsx") from None
