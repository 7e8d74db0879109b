"""Numbers as printed -> plain numbers; nothing invented."""

from __future__ import annotations

import pytest

from openness.numbers import NotANumber, parse_number


@pytest.mark.parametrize(
    "printed,value",
    [
        ("0", "0"),
        ("21", "21"),
        ("7730.28", "7730.28"),
        ("1760.1263", "1760.1263"),
        ("１２", "12"),
        ("3,402", "3402"),
        ("1,234,567", "1234567"),
        ("251000元", "251000"),
        ("-15", "-15"),
        ("+3", "3"),
        (" 4 ", "4"),
        ("12.50", "12.5"),
        ("1760.1263万元", "1760.1263"),
        ("", ""),
        ("—", ""),
        ("-", ""),
        ("/", ""),
        ("无", ""),
        ("——", ""),
    ],
)
def test_printed_numbers(printed, value):
    assert parse_number(printed) == value


@pytest.mark.parametrize("printed", ["见附件", "12件（含2件）", "1.2.3", "约30"])
def test_text_is_not_a_number(printed):
    with pytest.raises(NotANumber):
        parse_number(printed)
