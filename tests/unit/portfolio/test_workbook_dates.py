"""Dates go into the workbook as the day numbers a spreadsheet reads back as those dates."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from openpyxl.utils.datetime import from_excel, to_excel

from services.portfolio.exports.workbook import excel_serial


@pytest.mark.parametrize("day", [date(1900, 3, 1), date(1999, 12, 31), date(2000, 2, 29), date(2026, 9, 30)])
def test_a_day_number_reads_back_as_its_date(day: date) -> None:
    serial = excel_serial(day)
    assert serial == to_excel(datetime.combine(day, datetime.min.time()))
    assert from_excel(serial) == datetime.combine(day, datetime.min.time())


def test_days_where_the_1900_system_is_off_by_one_are_refused() -> None:
    with pytest.raises(ValueError, match="1900-03-01"):
        excel_serial(date(1900, 2, 28))
