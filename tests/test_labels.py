"""The normaliser: label strings as real reports print them -> official codebook entries."""

from __future__ import annotations

import pytest

from openness import labels


def test_codebook_codes_are_unique_ascii_and_complete():
    book = labels.codebook()
    keys = [(e.table, e.kind, e.code) for e in book]
    assert len(keys) == len(set(keys))
    assert all(e.code.isascii() and e.code.replace("_", "").isalnum() for e in book)
    # cell counts of the three templates: table 1 + table 2 + table 3
    assert len(labels.official_cells("2021")) == 10 + 25 * 7 + 15
    assert len(labels.official_cells("mixed")) == 10 + 23 * 7 + 15
    assert len(labels.official_cells("2019")) == (2 * 3 + 2 * 3 + 2 * 3 + 2 + 2) + 23 * 7 + 15


def test_official_paths_are_the_spec_wording():
    rows = {e.code: e.label for e in labels.entries("row", "requests", "2021")}
    assert rows["refused_security_stability"] == "三、本年度办理结果 / （三）不予公开 / 3.危及“三安全一稳定”"
    assert rows["partly_granted"] == "三、本年度办理结果 / （二）部分公开（区分处理的，只计这一情形，不计其他情形）"


# Printed label -> official row code. The left column is how real PDFs and pages print it.
ROWS = [
    # hongze-2023 (WPS): misprint, spaces, a line break inside the cell
    ("2.其他法律行政止公开", "refused_prohibited_by_law"),
    ("（二）部分公开（区分处理的，只计这一情 形，不\n计其他情形）", "partly_granted"),
    ("4.无正当理由大量反复 申请", "not_processed_mass"),
    ("5.要求行政机关确认或重 新出具\n已获取信息", "not_processed_confirm"),
    ("（六）其他处理", "other_handling"),
    # numbering printed 1、 or 1． or with full-width digits
    ("1、属于国家秘密", "refused_state_secret"),
    ("１．本机关不掌握相关政府信息", "unable_not_held"),
    ('3．危及"三安全一稳定"', "refused_security_stability"),
    # half-width brackets, a vertical label one character a line
    ("(七)总计", "total_handled"),
    ("四\n、\n结\n转\n下\n年\n度\n继\n续\n办\n理", "carried_out"),
    # abbreviations of the long 2021 labels
    ("1.逾期不补正", "other_no_correction"),
    ("2.逾期未缴纳费用", "other_no_fee"),
    ("3.其他", "other_other"),
    # a missing character, an extra one
    ("一、本年新收政府信息公开申请数", "new"),
    ("8.属于行政查询事项的", "refused_query_matter"),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形。）", "partly_granted"),
]


@pytest.mark.parametrize("printed,code", ROWS)
def test_row_variants(printed, code):
    found = labels.match_row("requests", printed)
    assert found is not None and found.code == code, (printed, found)


@pytest.mark.parametrize("printed", ["", "合计说明", "备注：本表数据截至12月31日", "5.重复申请"])
def test_unplaceable_rows_are_not_guessed(printed):
    assert labels.match_row("requests", printed) is None


@pytest.mark.parametrize(
    "path,code",
    [
        (["自\n然\n人"], "natural_person"),
        (["法人或其他组织", "商业\n企业"], "business"),
        (["法人或其他组织", "社会\n公益\n组织"], "social_welfare"),
        (["法人或其他组织", "法律\n服务\n机构"], "legal_services"),
        (["法人或其他组织", "其他"], "other_org"),
        (["总计"], "total"),
    ],
)
def test_request_columns(path, code):
    assert labels.match_column("requests", path).code == code


@pytest.mark.parametrize(
    "path,code",
    [
        (["行政复议", "结果\n维持"], "review_upheld"),
        (["行政复议", "总 计"], "review_total"),
        (["行政诉讼", "未经复议直接起诉", "尚未\n审结"], "suit_direct_pending"),
        (["行政诉讼", "复议后起诉", "结果\n纠正"], "suit_after_review_corrected"),
    ],
)
def test_appeal_columns(path, code):
    assert labels.match_column("appeals", path).code == code


@pytest.mark.parametrize(
    "printed,section",
    [
        ("第二十条第（一）项", "第二十条第（一）项"),
        ("第二十条 第（五）项", "第二十条第（五）项"),
        ("第二十条第(六)项", "第二十条第（六）项"),
        ("第二十条第（九）项", "第二十条第（九）项"),
    ],
)
def test_sections(printed, section):
    assert labels.match_section(printed) == section


def test_proactive_rows_by_section():
    assert labels.match_row("proactive", "行政规范性文件", "第二十条第（一）项").code == "admin_normative_docs"
    assert labels.match_row("proactive", "规范性文件", "第二十条第（一）项").code == "normative_docs"
    assert labels.match_row("proactive", "其他对外管理服务事项", "第二十条第（五）项").code == "other_services"
    assert labels.match_column("proactive", ["本年增/减"]).code == "items_change"
    assert labels.match_column("proactive", ["本年收费金额（单位：万元）"]).code == "fee_amount"
    assert labels.match_column("proactive", ["处理决定数量"]).code == "decision_count"
    assert labels.match_column("proactive", ["本年处理决定数量"]).code == "decisions"
