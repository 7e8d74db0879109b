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


def test_two_figures_apart_on_one_line_are_refused_a_figure_wrapped_over_two_lines_is_one():
    """The PDF reader puts a space where a gap wider than a character stands: "12 5" is two figures, never 125."""
    with pytest.raises(NotANumber):
        parse_number("12 5")
    with pytest.raises(NotANumber):
        parse_number("3 893\u3000")
    assert parse_number("56\n69") == "5669"  # wrapped in a narrow cell
    assert parse_number(" 12 ") == "12"
