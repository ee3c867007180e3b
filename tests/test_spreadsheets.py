"""Reading cells of uploaded workbooks: what a number in a text column reads as."""

from __future__ import annotations

from datetime import datetime

import pytest

from incubator.spreadsheets import (
    LostDigits,
    NotAWorkbook,
    cell_text,
    workbook_sheets,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (" 王秀英 ", " 王秀英 "),
        (13700000003, "13700000003"),
        (13700000003.0, "13700000003"),
        (1962.0, "1962"),
        (3.5, "3.5"),
        (1e-05, "0.00001"),
        (-12.0, "-12"),
        (999_999_999_999_999, "999999999999999"),
        (999_999_999_999_999.0, "999999999999999"),
        (True, "TRUE"),
        # Excel's dates carry no time zone, and openpyxl reads them naive
        (datetime(2024, 3, 1), "2024-03-01"),  # noqa: DTZ001
        (datetime(2024, 3, 1, 8, 30), "2024-03-01 08:30:00"),  # noqa: DTZ001
    ],
)
def test_cell_text(value, text):
    assert cell_text(value) == text


@pytest.mark.parametrize(
    "value",
    [
        110105194912310020,  # an ID number as an exact integer: 18 digits
        1.1010519491231e17,  # the same as Excel keeps it: 15 digits, then zeros
        1_000_000_000_000_000,  # 16 digits
        1370000001300000.0,
        1234567890.1234567,  # 17 significant digits
    ],
)
def test_numbers_longer_than_excel_keeps_are_refused(value):
    with pytest.raises(LostDigits):
        cell_text(value)


def test_not_a_workbook():
    with pytest.raises(NotAWorkbook), workbook_sheets(b"name,phone\n"):
        pass
