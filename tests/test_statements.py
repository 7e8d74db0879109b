"""openness.statements: figures stated in the prose of the real reports, compared with their own tables."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from conftest import CORPUS, need
from openness.extract import extract_report
from openness.figures import Figures
from openness.model import Section
from openness.outputs import cells_frame
from openness.statements import chinese_number, find_statements, number, prose_checks


def checks_of(path):
    ex = extract_report(path)
    return prose_checks(ex.report, ex.sections, Figures(cells_frame([ex])))


def test_hongze_2024_seventeen_against_ninety_five_is_a_scope_difference():
    """The prose says 区政府办 received 17; table 2 counts 95 new requests for the whole district."""
    [check] = checks_of(need(CORPUS / "hongze-2024.pdf"))
    s = check.statement
    assert (s.code, s.section, s.printed, s.value) == ("requests_new", "overview", "17", Decimal(17))
    assert "区政府办代表区政府受理政府信息公开申请17件" in s.sentence
    assert s.cells == (("requests", "new", "total"),)
    assert check.table_value == Decimal(95)
    assert check.result == "different_scope"
    assert "代表区政府" in check.reason and "95" in check.reason


def test_hongze_2023_statement_agrees():
    [check] = checks_of(need(CORPUS / "hongze-2023.pdf"))
    assert (check.statement.value, check.table_value, check.result) == (Decimal(21), Decimal(21), "agree")


def test_pingtan_2022_prose_counts_75_where_table_2_counts_74_new():
    """平潭 2022 writes 收到…申请75件; its table 2 prints 74 new (75 handled): a real disagreement."""
    path = need(CORPUS / "html" / "pingtan-2022.html")
    ex = extract_report(path)
    checks = {c.statement.code: c for c in prose_checks(ex.report, ex.sections, Figures(cells_frame([ex])))}
    new = checks["requests_new"]
    assert (new.statement.value, new.table_value, new.result) == (Decimal(75), Decimal(74), "disagree")
    assert checks["reviews"].result == "agree" and checks["lawsuits"].result == "agree"


def test_pingtan_2025_received_handled_carried_and_appeals():
    ex = extract_report(need(CORPUS / "html" / "pingtan-2025.html"))
    found = {
        (c.statement.code, c.statement.value, c.table_value, c.result)
        for c in prose_checks(ex.report, ex.sections, Figures(cells_frame([ex])))
    }
    assert found == {
        ("requests_new", Decimal(154), Decimal(154), "agree"),
        ("requests_handled", Decimal(148), Decimal(148), "agree"),
        ("requests_carried", Decimal(6), Decimal(6), "agree"),
        ("reviews", Decimal(36), Decimal(36), "agree"),
        ("lawsuits", Decimal(9), Decimal(9), "agree"),
    }


# ------------------------------------------------------------------ units


@pytest.mark.parametrize(
    "text, value",
    [
        ("十七", 17),
        ("十", 10),
        ("二十一", 21),
        ("一百零五", 105),
        ("两千三百", 2300),
        ("三万", 30000),
        ("一万二千", 12000),
        ("零", 0),
        ("九十九", 99),
    ],
)
def test_chinese_numerals(text, value):
    assert chinese_number(text) == value


def test_numbers_arabic_and_full_width():
    assert number("１７") == Decimal(17) and number("1,200") == Decimal(1200) and number("十七") == Decimal(17)
    assert number("abc") is None


def _checks(text: str, new: str = "20", reviews: str = "3") -> list:
    cells = pd.DataFrame(
        [
            {"report": "r", "table": "requests", "row_code": "new", "column_code": "total", "value": new},
            {"report": "r", "table": "appeals", "row_code": "", "column_code": "review_total", "value": reviews},
        ]
    )
    return prose_checks("r", [Section("overview", 1, "一、总体情况", text)], Figures(cells))


def test_chinese_numeral_statement():
    [c] = _checks("全年共受理政府信息公开申请二十件。")
    assert (c.statement.printed, c.result) == ("二十", "agree")


@pytest.mark.parametrize(
    "text, result",
    [
        ("共收到政府信息公开申请近20件。", "approximate"),
        ("共收到政府信息公开申请约22件。", "approximate"),
        ("共收到政府信息公开申请10余件。", "approximate"),
        ("共收到政府信息公开申请30余件。", "disagree"),  # 30余 cannot be 20
        ("共收到政府信息公开申请近50件。", "disagree"),
    ],
)
def test_approximate_words(text, result):
    [c] = _checks(text)
    assert c.result == result and c.statement.approximate


def test_scope_words_make_a_difference_a_scope_not_a_contradiction():
    [c] = _checks("2024年，本机关受理政府信息公开申请5件。")
    assert c.result == "different_scope" and c.statement.scope == "本机关"
    [c] = _checks("2024年，全区受理政府信息公开申请5件。")
    assert c.result == "disagree"


def test_count_before_noun_and_appeals():
    statements = find_statements(
        [Section("overview", 1, "", "本年度共收到70件申请，办结69件，1件结转下年度继续办理。\n行政复议3起。")]
    )
    assert [(s.code, int(s.value)) for s in statements] == [
        ("requests_new", 70),
        ("requests_handled", 69),
        ("requests_carried", 1),
        ("reviews", 3),
    ]


def test_blank_table_figure_is_not_checked():
    [c] = _checks("共收到政府信息公开申请20件。", new="")
    assert c.result == "not_checked" and "blank" in c.reason


@pytest.mark.parametrize(
    "text, printed, result",
    [
        ("共收到政府信息公开申请逾15件。", "逾15", "approximate"),
        ("共收到政府信息公开申请20件左右。", "20件左右", "approximate"),
        ("共收到政府信息公开申请大约26件。", "大约26", "disagree"),  # 20 is more than 20% from 26
    ],
)
def test_approximate_words_before_and_after(text, printed, result):
    [c] = _checks(text)
    assert (c.statement.printed, c.result) == (printed, result)


def test_pingtan_normative_documents_in_prose_and_table_1():
    """平潭 2023 publishes 393 documents in force in its library; table 1 counts 470 in force; 77 issued agrees."""
    ex = extract_report(need(CORPUS / "html" / "pingtan-2023.html"))
    found = {c.statement.code: c for c in prose_checks(ex.report, ex.sections, Figures(cells_frame([ex])))}
    assert (
        found["documents_in_force"].statement.value,
        found["documents_in_force"].table_value,
        found["documents_in_force"].result,
    ) == (Decimal(393), Decimal(470), "disagree")
    assert (
        found["documents_issued"].statement.value,
        found["documents_issued"].table_value,
        found["documents_issued"].result,
    ) == (Decimal(77), Decimal(77), "agree")
