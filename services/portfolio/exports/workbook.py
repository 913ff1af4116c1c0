"""The export as one XLSX workbook (xlsxwriter): a summary with the charts, then one sheet per table.

Headers are bold and frozen, money has a thousands format, dates are real dates and counts are
numbers, so the workbook can be filtered and summed as it is.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from services.portfolio.exports.charts import Chart
from services.portfolio.exports.tables import Kind, Table


def workbook(quarter: str, as_of: str, fixed_at: datetime, tables: Sequence[Table], charts: Sequence[Chart]) -> bytes:
    """The workbook's document date is the cut-off's, so the same export gives the same bytes.

    Written in xlsxwriter's constant-memory mode: each row goes to a temporary file as soon as the
    next one starts, so a national book's million cells are never all held at once.
    """
    with tempfile.TemporaryDirectory(prefix="sef-workbook-") as directory:
        path = Path(directory) / "book.xlsx"
        book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": directory})
        _fill(book, quarter, as_of, fixed_at, tables, charts)
        book.close()
        return path.read_bytes()


def _fill(
    book: xlsxwriter.Workbook,
    quarter: str,
    as_of: str,
    fixed_at: datetime,
    tables: Sequence[Table],
    charts: Sequence[Chart],
) -> None:
    book.set_properties(
        {
            "title": f"Portfolio {quarter}",
            "subject": f"Consolidated book as of {as_of}",
            "created": fixed_at.astimezone(UTC).replace(tzinfo=None),
        }
    )
    bold = book.add_format({"bold": True, "bottom": 1})
    formats = {
        Kind.MONEY: book.add_format({"num_format": "#,##0.00"}),
        Kind.NUMBER: book.add_format({"num_format": "#,##0.00"}),
        Kind.RATE: book.add_format({"num_format": "0.0000"}),
        Kind.COUNT: book.add_format({"num_format": "0"}),
        Kind.DATE: book.add_format({"num_format": "yyyy-mm-dd"}),
    }
    summary = book.add_worksheet("Summary")
    summary.write(0, 0, f"Portfolio {quarter}", book.add_format({"bold": True, "font_size": 14}))
    summary.write(1, 0, "As of")
    summary.write(1, 1, as_of)
    summary.write(2, 0, "Events read by")
    summary.write(2, 1, fixed_at.astimezone(UTC).isoformat())
    totals = next(table for table in tables if table.name == "totals")
    _write_table(summary, totals, 4, bold, formats)
    row = 6 + len(totals.rows)
    summary.write(row, 0, "Tables", bold)
    for index, table in enumerate(tables, start=1):
        summary.write(row + index, 0, table.title)
        summary.write(row + index, 1, len(table.rows))
    chart_row = row + len(tables) + 3
    for chart in charts:
        summary.insert_image(
            chart_row, 0, f"{chart.name}.png", {"image_data": io.BytesIO(chart.png), "x_scale": 0.8, "y_scale": 0.8}
        )
        chart_row += 18
    summary.set_column(0, 0, 28)
    summary.set_column(1, 20, 16)
    for table in tables:
        sheet = book.add_worksheet(table.name[:31])
        _write_table(sheet, table, 0, bold, formats)
        sheet.freeze_panes(1, 0)
        sheet.set_column(0, len(table.columns) - 1, 18)


def _write_table(
    sheet: xlsxwriter.worksheet.Worksheet, table: Table, first_row: int, bold: object, formats: dict[Kind, object]
) -> None:
    for index, column in enumerate(table.columns):
        sheet.write(first_row, index, column.name, bold)
    # One writer per column, chosen once: the generic `write` guesses each cell's type, which
    # costs more than writing it when a table has millions of cells.
    writers = [_writer(sheet, column.kind) for column in table.columns]
    column_formats = [formats.get(column.kind) for column in table.columns]
    for offset, values in enumerate(table.rows, start=1):
        row = first_row + offset
        for index, text in enumerate(values):
            if text != "":
                writers[index](row, index, text, column_formats[index])


def _writer(sheet: xlsxwriter.worksheet.Worksheet, kind: Kind) -> Callable[[int, int, str, object], object]:
    """How a column's text goes into a cell: a number, a whole number, a date or the text itself.

    Amounts go in as `Decimal`s (xlsxwriter writes their digits); a date goes in as its day number,
    as `write_datetime` would store it, worked out once per date.
    """
    if kind in (Kind.MONEY, Kind.NUMBER, Kind.RATE):
        return lambda row, column, text, cell_format: sheet.write_number(row, column, Decimal(text), cell_format)
    if kind is Kind.COUNT:
        return lambda row, column, text, cell_format: sheet.write_number(row, column, int(text), cell_format)
    if kind is Kind.DATE:
        serials: dict[str, int] = {}

        def write_date(row: int, column: int, text: str, cell_format: object) -> object:
            serial = serials.get(text)
            if serial is None:
                serial = serials[text] = excel_serial(date.fromisoformat(text))
            return sheet.write_number(row, column, serial, cell_format)

        return write_date
    return lambda row, column, text, cell_format: sheet.write_string(row, column, text, cell_format)


EXCEL_EPOCH = date(1899, 12, 30)
FIRST_SERIAL_DAY = date(1900, 3, 1)


def excel_serial(day: date) -> int:
    """A date's day number in a workbook of the 1900 date system (day 61 is 1 March 1900).

    The system counts a 29 February 1900 that never was (as Lotus 1-2-3 did), so from March 1900
    on the number is the days since 30 December 1899; the platform's dates all lie after that.
    """
    if day < FIRST_SERIAL_DAY:
        raise ValueError(f"{day} is before 1900-03-01, where the 1900 date system's numbers are off by one")
    return (day - EXCEL_EPOCH).days
