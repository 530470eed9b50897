"""CSV and XLSX exports: formulas neutralised, rows streamed, memory flat."""

from __future__ import annotations

import csv
import io
import tracemalloc

import openpyxl
import pytest
from django.http import FileResponse, StreamingHttpResponse

from miroir.reports.exports import (
    Column,
    ExportError,
    ExportTable,
    cell_value,
    csv_chunks,
    csv_response,
    export_response,
    neutralise,
    write_xlsx,
    xlsx_response,
)

COLUMNS = (Column("unit", "Unité"), Column("comment", "Commentaire"), Column("n", "n"))


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        "+33 6 12 34 56 78",
        "-2+3",
        "@SUM(A1:A2)",
        "\tcmd",
        "\r=1",
        '=HYPERLINK("http://evil.example","clic")',
        "  =1+1",
        "\uff1d1+1",
    ],
)
def test_text_that_a_spreadsheet_would_run_gets_a_leading_quote(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Lille", "Très bien", "1+1=2", "", "a=b", "'déjà cité"])
def test_ordinary_text_is_left_as_it_is(text):
    assert neutralise(text) == text


def test_numbers_stay_numbers_even_negative_ones():
    assert cell_value(-3.5) == -3.5
    assert cell_value(-2) == -2
    assert cell_value("-2") == "'-2"  # a text that looks like a formula start
    assert cell_value(float("nan")) is None
    assert cell_value(None) is None


def _csv_rows(table):
    text = "".join(csv_chunks(table))
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_neutralises_formulas_and_keeps_accents():
    table = ExportTable(
        name="Verbatims",
        columns=COLUMNS,
        rows=[("Lille", "=cmd|' /C calc'!A0", 12), ("Évry", "Très bien, merci", 7)],
    )
    rows = _csv_rows(table)
    assert rows[0] == ["Unité", "Commentaire", "n"]
    assert rows[1] == ["Lille", "'=cmd|' /C calc'!A0", "12"]
    assert rows[2] == ["Évry", "Très bien, merci", "7"]


def test_csv_response_streams_rows_only_as_they_are_read():
    consumed = []

    def rows():
        for index in range(10_000):
            consumed.append(index)
            yield ("Lille", f"commentaire {index}", index)

    response = csv_response(ExportTable(name="Écoute des équipes", columns=COLUMNS, rows=rows()))
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"] == 'attachment; filename="ecoute-des-equipes.csv"'
    assert response["Content-Type"].startswith("text/csv")
    assert consumed == []  # nothing is read before the response is sent
    chunks = iter(response.streaming_content)
    next(chunks)  # the header
    next(chunks)  # the first chunk of rows
    assert 0 < len(consumed) < 10_000
    rest = b"".join(chunks)
    assert len(consumed) == 10_000
    assert rest.count(b"\r\n") > 9_000


def test_csv_refuses_a_row_of_the_wrong_width():
    table = ExportTable(name="t", columns=COLUMNS, rows=[("Lille", "x")])
    with pytest.raises(ExportError, match="2 cells for 3 columns"):
        list(csv_chunks(table))


def test_xlsx_writes_formulas_as_inert_text_and_numbers_as_numbers(tmp_path):
    path = tmp_path / "out.xlsx"
    table = ExportTable(
        name="Scores: [réseau]",
        columns=COLUMNS,
        rows=[("Lille", "=1+1", 12), ("Arras", "@SUM(A1)", -4.5), ("Lens", None, None)],
    )
    assert write_xlsx(table, str(path)) == 3
    workbook = openpyxl.load_workbook(path)
    sheet = workbook.active
    assert sheet.title == "Scores   réseau"
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("Unité", "Commentaire", "n")
    assert values[1] == ("Lille", "'=1+1", 12)
    assert values[2] == ("Arras", "'@SUM(A1)", -4.5)
    assert values[3] == ("Lens", None, None)
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"


@pytest.mark.django_db  # closing a response signals the end of a request to the database layer
def test_xlsx_response_is_a_file_stream_not_bytes_in_memory():
    table = ExportTable(name="scores", columns=COLUMNS, rows=[("Lille", "ok", 1)])
    response = xlsx_response(table)
    assert isinstance(response, FileResponse)
    assert response["Content-Disposition"] == 'attachment; filename="scores.xlsx"'
    content = b"".join(response.streaming_content)
    response.close()
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert list(workbook.active.iter_rows(values_only=True))[1] == ("Lille", "ok", 1)


def test_xlsx_memory_does_not_grow_with_the_rows(tmp_path):
    def rows(count):
        for index in range(count):
            yield (f"Unité {index}", "un commentaire assez long " * 4, index)

    peaks = []
    for count in (5_000, 40_000):
        tracemalloc.start()
        write_xlsx(ExportTable(name="t", columns=COLUMNS, rows=rows(count)), str(tmp_path / "a"))
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    # Eight times the rows (about 4 MB of text more) for barely more memory.
    assert peaks[1] < peaks[0] * 1.5 + 512 * 1024


def test_an_unknown_format_is_refused_by_name():
    table = ExportTable(name="t", columns=COLUMNS, rows=[])
    with pytest.raises(ExportError, match="'pdf'"):
        export_response(table, "pdf")


@pytest.mark.django_db
def test_an_empty_table_still_has_its_header():
    table = ExportTable(name="t", columns=COLUMNS, rows=[])
    assert _csv_rows(table) == [["Unité", "Commentaire", "n"]]
    response = xlsx_response(table)
    content = b"".join(response.streaming_content)
    response.close()
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert list(sheet.iter_rows(values_only=True)) == [("Unité", "Commentaire", "n")]
