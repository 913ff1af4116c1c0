"""The export as one XLSX workbook (xlsxwriter): a summary with the charts, then one sheet per table.

Headers are bold and frozen, money has a thousands format, dates are real dates and counts are
numbers, so the workbook can be filtered and summed as it is.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

import xlsxwriter

from services.portfolio.exports.charts import Chart
from services.portfolio.exports.tables import Kind, Table


def _value(kind: Kind, text: str) -> object:
    if text == "":
        return None
    if kind in (Kind.MONEY, Kind.NUMBER, Kind.RATE):
        return Decimal(text)  # xlsxwriter writes a Decimal as a number cell
    if kind is Kind.COUNT:
        return int(text)
    if kind is Kind.DATE:
        return datetime.combine(date.fromisoformat(text), datetime.min.time())
    return text


def workbook(quarter: str, as_of: str, fixed_at: datetime, tables: Sequence[Table], charts: Sequence[Chart]) -> bytes:
    """The workbook's document date is the cut-off's, so the same export gives the same bytes."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
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
    book.close()
    return buffer.getvalue()


def _write_table(
    sheet: xlsxwriter.worksheet.Worksheet, table: Table, first_row: int, bold: object, formats: dict[Kind, object]
) -> None:
    for index, column in enumerate(table.columns):
        sheet.write(first_row, index, column.name, bold)
    for offset, values in enumerate(table.rows, start=1):
        for index, (column, text) in enumerate(zip(table.columns, values, strict=True)):
            value = _value(column.kind, text)
            if value is None:
                continue
            sheet.write(first_row + offset, index, value, formats.get(column.kind))
