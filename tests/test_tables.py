"""Grids -> official cells, at the level of extracted grids (as Camelot or HTML hand them over)."""

from __future__ import annotations

import pytest

from gridmaker import make_grid
from openness import labels
from openness.model import stamp
from openness.tables import classify, grids_to_extraction

# A 2019-template table 1, as 平潭 2019 and many 2019/2020 reports print it.
T1_2019 = [
    ["第二十条第（一）项", "<", "<", "<"],
    ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
    ["规章", "0", "0", "0"],
    ["规范性文件", "12", "12", "86"],
    ["第二十条第（五）项", "<", "<", "<"],
    ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
    ["行政许可", "120", "-15", "3,402"],
    ["其他对外管理服务事项", "33", "0", "２１"],
    ["第二十条第（六）项", "<", "<", "<"],
    ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
    ["行政处罚", "57", "+3", "1210"],
    ["行政强制", "4", "—", "9"],
    ["第二十条第（八）项", "<", "<", "<"],
    ["信息内容", "上一年项目数量", "本年增/减", "<"],
    ["行政事业性收费", "6", "-1", "<"],
    ["第二十条第（九）项", "<", "<", "<"],
    ["信息内容", "采购项目数量", "采购总金额", "<"],
    ["政府集中采购", "15", "251000元", "<"],
]

_COLS = ["自然人", "法人或其他组织", "<", "<", "<", "<", "总计"]
_SUB = ["^", "商业\n企业", "科研\n机构", "社会\n公益\n组织", "法律\n服务\n机构", "其他", "^"]
T2_HEAD = [
    [
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
        "<",
        "<",
        "申请人情况",
        "<",
        "<",
        "<",
        "<",
        "<",
        "<",
    ],
    ["^", "^", "^"] + _COLS,
    ["^", "^", "^"] + _SUB,
]


def _row(label_cells: list[str], values: list[str]) -> list[str]:
    return label_cells + values


def _t2_rows_2019() -> list[list[str]]:
    v = lambda n: [str(n), "0", "0", "0", "0", "0", str(n)]  # noqa: E731
    return [
        _row(["一、本年新收政府信息公开申请数量", "<", "<"], v(30)),
        _row(["二、上年结转政府信息公开申请数量", "<", "<"], v(2)),
        _row(["三、本年度办理结果", "（一）予以公开", "<"], v(10)),
        _row(["^", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "<"], v(3)),
        _row(["^", "（三）不予公开", "1.属于国家秘密"], v(0)),
        _row(["^", "^", "2.其他法律行政法规禁止公开"], v(0)),
        _row(["^", "^", "3.危及“三安全一稳定”"], v(0)),
        _row(["^", "^", "4.保护第三方合法权益"], v(1)),
        _row(["^", "^", "5.属于三类内部事务信息"], v(0)),
        _row(["^", "^", "6.属于四类过程性信息"], v(2)),
        _row(["^", "^", "7.属于行政执法案卷"], v(0)),
        _row(["^", "^", "8.属于行政查询事项"], v(0)),
        _row(["^", "（四）无法提供", "1.本机关不掌握相关政府信息"], v(9)),
        _row(["^", "^", "2.没有现成信息需要另行制作"], v(1)),
        _row(["^", "^", "3.补正后申请内容仍不明确"], v(0)),
        _row(["^", "（五）不予处理", "1.信访举报投诉类申请"], v(2)),
        _row(["^", "^", "2.重复申请"], v(1)),
        _row(["^", "^", "3.要求提供公开出版物"], v(0)),
        _row(["^", "^", "4.无正当理由大量反复申请"], v(0)),
        _row(["^", "^", "5.要求行政机关确认或重新出具已获取信息"], v(0)),
        _row(["^", "（六）其他处理", "<"], v(1)),
        _row(["^", "（七）总计", "<"], v(29)),
        _row(["四、结转下年度继续办理", "<", "<"], v(3)),
    ]


T3 = [
    ["行政复议", "<", "<", "<", "<", "行政诉讼", "<", "<", "<", "<", "<", "<", "<", "<", "<"],
    [
        "结果\n维持",
        "结果\n纠正",
        "其他\n结果",
        "尚未\n审结",
        "总\n计",
        "未经复议直接起诉",
        "<",
        "<",
        "<",
        "<",
        "复议后起诉",
        "<",
        "<",
        "<",
        "<",
    ],
    [
        "^",
        "^",
        "^",
        "^",
        "^",
        "结果\n维持",
        "结果\n纠正",
        "其他\n结果",
        "尚未\n审结",
        "总计",
        "结果\n维持",
        "结果\n纠正",
        "其他\n结果",
        "尚未\n审结",
        "总计",
    ],
    ["1", "3", "1", "0", "5", "0", "0", "0", "0", "0", "1", "0", "0", "0", "1"],
]


def _cells(ex):
    return {(c.table, c.row_code, c.column_code): c for c in ex.cells}


def test_2019_template_end_to_end():
    grids = [
        make_grid(T1_2019, page=2, index=0),
        make_grid(T2_HEAD + _t2_rows_2019(), page=3, index=1),
        make_grid(T3, page=4, index=2),
    ]
    assert [classify(g) for g in grids] == ["proactive", "requests", "appeals"]
    ex = stamp(grids_to_extraction(grids), "specimen-2019", "test.pdf")
    assert ex.template == "2019"
    assert ex.problems == []
    assert ex.status == "ok"
    assert len(ex.cells) == len(labels.official_cells("2019"))
    c = _cells(ex)
    assert c[("proactive", "normative_docs", "total_published")].value == "86"
    assert c[("proactive", "licensing", "items_change")].value == "-15"
    assert c[("proactive", "licensing", "decision_count")].value == "3402"
    assert c[("proactive", "other_services", "decision_count")].value == "21"  # full-width digits
    assert c[("proactive", "penalties", "items_change")].value == "3"
    nil = c[("proactive", "coercion", "items_change")]
    assert (nil.value, nil.text) == ("", "—")  # a dash is kept as printed, never turned into 0
    assert c[("proactive", "fees", "items_change")].value == "-1"
    amount = c[("proactive", "procurement", "procurement_amount")]
    assert (amount.value, amount.text, amount.column) == ("251000", "251000元", "采购总金额")
    assert c[("proactive", "procurement", "procurement_items")].row == "第二十条第（九）项 / 政府集中采购"
    assert c[("requests", "other_handling", "total")].row == "三、本年度办理结果 / （六）其他处理"
    assert c[("requests", "total_handled", "natural_person")].value == "29"
    assert c[("appeals", "", "review_corrected")].value == "3"
    assert c[("appeals", "", "suit_after_review_total")].value == "1"
    assert c[("requests", "new", "business")].page == 3


@pytest.mark.parametrize(
    "before,after",
    [
        # the break cuts the label; the figures stay with the first half
        ((["^", "^", "3.要求提供公开"], ["2", "0", "0", "0", "0", "0", "2"]), (["", "", "出版物"], [""] * 7)),
        # the break cuts the label; the figures go with the second half
        ((["^", "^", "3.要求提供"], [""] * 7), (["", "", "公开出版物"], ["2", "0", "0", "0", "0", "0", "2"])),
        # the whole label stays; the figures go over the break on a row of their own
        ((["^", "^", "3.要求提供公开出版物"], [""] * 7), (["", "", ""], ["2", "0", "0", "0", "0", "0", "2"])),
        # a head too short to place, a tail that places on its own only loosely
        ((["^", "^", "3.要"], [""] * 7), (["", "", "求提供公开出版物"], ["2", "0", "0", "0", "0", "0", "2"])),
    ],
)
def test_table2_over_a_page_break_with_a_cut_row(before, after):
    """Rows after the break have no header; the break cuts one row in two."""
    rows = _t2_rows_2019()
    cut = 17  # 3.要求提供公开出版物
    first = T2_HEAD + rows[:cut] + [_row(*before)]
    second = [_row(*after)] + rows[cut + 1 :]
    grids = [make_grid(first, page=3, index=0), make_grid(second, page=4, index=0), make_grid(T3, page=4, index=1)]
    ex = stamp(grids_to_extraction(grids), "split", "test.pdf")
    c = _cells(ex)
    assert [p for p in ex.problems if p.table == "requests"] == []
    assert c[("requests", "not_processed_publication", "total")].value == "2"
    assert c[("requests", "not_processed_publication", "business")].value == "0"
    assert c[("requests", "not_processed_mass", "total")].value == "0"  # the row after is its own
    assert c[("requests", "carried_out", "total")].value == "3"
    assert c[("requests", "carried_out", "total")].page == 4
    assert ex.complete["requests"] is True


def test_a_stray_fragment_is_reported_not_merged_into_the_next_row():
    rows = _t2_rows_2019()
    rows.insert(18, _row(["^", "^", "出版物"], [""] * 7))  # after a complete 3.要求提供公开出版物 row
    ex = stamp(grids_to_extraction([make_grid(T2_HEAD + rows, page=3)]), "stray", "stray.pdf")
    assert [(p.kind, p.label) for p in ex.problems if p.table == "requests"] == [("unplaced_label", "出版物")]
    assert _cells(ex)[("requests", "not_processed_mass", "total")].value == "0"


def test_missing_table_and_row_are_reported_not_filled():
    rows = [r for r in _t2_rows_2019() if not r[2].startswith("2.重复申请")]
    ex = stamp(grids_to_extraction([make_grid(T2_HEAD + rows, page=1), make_grid(T3, page=2)]), "partial", "test.pdf")
    assert ex.status == "partial"
    assert ex.complete == {"proactive": False, "requests": False, "appeals": True}
    kinds = {(p.kind, p.table, p.label) for p in ex.problems}
    assert ("missing_table", "proactive", None) in kinds
    assert ("missing_row", "requests", "三、本年度办理结果 / （五）不予处理 / 2.重复申请") in kinds
    assert ("requests", "not_processed_repeat", "total") not in _cells(ex)


def test_last_row_dropped_is_reported():
    """Camelot can drop a table's last row: the schema's row count catches it."""
    rows = _t2_rows_2019()[:-1]
    ex = stamp(
        grids_to_extraction([make_grid(T1_2019), make_grid(T2_HEAD + rows, page=2), make_grid(T3, page=3)]), "dropped", "t.pdf"
    )
    assert ex.complete["requests"] is False
    assert any(p.kind == "missing_row" and p.label == "四、结转下年度继续办理" for p in ex.problems)


def test_unplaced_label_is_reported_with_page():
    rows = _t2_rows_2019()
    rows.insert(5, _row(["^", "（三）补充说明", "<"], ["1"] * 7))
    ex = stamp(grids_to_extraction([make_grid(T2_HEAD + rows, page=7)]), "odd", "odd.pdf")
    problem = [p for p in ex.problems if p.kind == "unplaced_label"]
    assert len(problem) == 1
    assert problem[0].page == 7 and "补充说明" in problem[0].message and problem[0].file == "odd.pdf"


def test_html_grids_without_boxes():
    grids = [make_grid(T2_HEAD + _t2_rows_2019(), page=None, index=3)]
    ex = stamp(grids_to_extraction(grids), "web", "web.html")
    cell = _cells(ex)[("requests", "granted", "natural_person")]
    assert (cell.page, cell.bbox, cell.locator) == (None, None, "table 4, row 6, column 4")


def test_2021_table1_printing_the_short_row_label_and_no_rules_row():
    """平潭 departments print 规范性文件 under 2021 columns and leave out 规章: the row means
    行政规范性文件, and the missing 规章 row is reported, not filled."""
    t1 = [
        ["第二十条第（一）项", "<", "<", "<"],
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规范性文件", "2", "12", "0"],
        ["第二十条第（五）项", "<", "<", "<"],
        ["信息内容", "本年处理决定数量", "<", "<"],
        ["行政许可", "1396", "<", "<"],
    ]
    ex = stamp(grids_to_extraction([make_grid(t1)]), "dept", "dept.html")
    c = _cells(ex)
    assert c[("proactive", "admin_normative_docs", "repealed")].value == "12"
    assert c[("proactive", "licensing", "decisions")].value == "1396"
    assert ("proactive", "normative_docs", "issued") not in c
    assert any(p.kind == "missing_row" and p.label == "第二十条第（一）项 / 规章" for p in ex.problems)


@pytest.mark.parametrize(
    "row,head,tail",
    [
        (18, "4.无正当理由大量反", "复申请"),  # the tail alone looks like 2.重复申请
        (5, "2.其他法", "律行政止公开"),  # the misprinted label, cut
        (9, "6．属于四", "类过程性信息"),  # the tail alone places loosely as the same row
    ],
)
def test_cut_rows_whose_halves_mislead(row, head, tail):
    """Cut labels found by the specimen round trip, with the header repeated on the next page."""
    rows = _t2_rows_2019()
    first = T2_HEAD + rows[:row] + [_row(["^", "^", head], [""] * 7)]
    second = T2_HEAD + [_row(["", "", tail], ["5", "0", "0", "0", "0", "0", "5"])] + rows[row + 1 :]
    ex = stamp(
        grids_to_extraction([make_grid(first, page=2), make_grid(second, page=3), make_grid(T3, page=3, index=1)]),
        "cut",
        "cut.pdf",
    )
    assert [p for p in ex.problems if p.table == "requests"] == []
    code = labels.match_row("requests", rows[row][2]).code
    c = _cells(ex)
    assert c[("requests", code, "total")].value == "5"
    assert c[("requests", code, "total")].page == 3
    assert ex.complete["requests"]


@pytest.mark.parametrize(
    "heading", ["二、主动公开政府信息情况", "三、收到和处理政府信息\n公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"]
)
def test_a_section_heading_ruled_into_a_grid_is_no_row(heading):
    """A spreadsheet's title row inside the table (Calc, Excel): dropped, every table still complete."""

    def titled(rows: list[list[str]]) -> list[list[str]]:
        return [[heading] + ["<"] * (len(rows[0]) - 1)] + rows

    grids = [
        make_grid(titled(T1_2019), page=2, index=0),
        make_grid(titled(T2_HEAD + _t2_rows_2019()), page=3, index=1),
        make_grid(titled(T3), page=4, index=2),
    ]
    ex = stamp(grids_to_extraction(grids), "titled", "t.pdf")
    assert ex.status == "ok" and ex.problems == []
    c = _cells(ex)
    assert c[("requests", "new", "natural_person")].value == "30"
    assert c[("appeals", "", "review_total")].value == "5"
    assert c[("proactive", "licensing", "items_change")].value == "-15"


_REVIEW = [["行政复议", "<", "<", "<", "<"], ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]]
_SUITS = [
    ["行政诉讼", "<", "<", "<", "<", "<", "<", "<", "<", "<"],
    ["未经复议直接起诉", "<", "<", "<", "<", "复议后起诉", "<", "<", "<", "<"],
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2,
]
_SUIT_FIGURES = ["0", "1", "4", "0", "5", "239", "5", "0", "0", "244"]


def _appeals(grids) -> dict[str, str]:
    ex = stamp(grids_to_extraction(grids), "bands", "t.pdf")
    return {c.column_code: c.value for c in ex.cells if c.table == "appeals"}


def _pad(rows: list[list[str]], width: int = 10) -> list[list[str]]:
    return [row + [""] * (width - len(row)) for row in rows]


def test_table_3_in_two_bands_in_one_grid():
    """Calc: the review band (five columns) stacked on the litigation band in one ruled grid."""
    grid = make_grid(_pad(_REVIEW + [["1", "4", "2", "3", "10"]]) + _SUITS + [_SUIT_FIGURES], page=4)
    got = _appeals([grid])
    assert len(got) == 15
    assert (got["review_upheld"], got["review_total"], got["suit_after_review_total"]) == ("1", "10", "244")


def test_table_3_band_header_at_the_foot_of_a_page():
    """The review band's header ends page 3; its figures open page 4's grid, above the litigation band."""
    head = make_grid(_REVIEW, page=3, x0=50)
    rest = make_grid(_pad([["1", "4", "2", "3", "10"]]) + _SUITS + [_SUIT_FIGURES], page=4, x0=50)
    got = _appeals([head, rest])
    assert len(got) == 15 and got["review_total"] == "10" and got["suit_direct_total"] == "5"


def test_table_3_review_band_whose_group_label_was_lost():
    """Writer: the one-cell row 行政复议 is left on the page before, too small to be a grid; said in a problem."""
    band = make_grid([_REVIEW[1], ["1", "4", "2", "3", "10"]], page=4, index=0)
    suits = make_grid(_SUITS + [_SUIT_FIGURES], page=4, index=1)
    ex = stamp(grids_to_extraction([band, suits]), "lost", "t.pdf")
    got = {c.column_code: c.value for c in ex.cells if c.table == "appeals"}
    assert len(got) == 15 and got["review_pending"] == "3"
    assert [p.kind for p in ex.problems if p.table == "appeals"] == ["inferred_label"]
    # a band of ten bare results could be either litigation group: it is not guessed
    bare = make_grid([_SUITS[2], _SUIT_FIGURES], page=4)
    assert _appeals([make_grid(_REVIEW + [["1", "4", "2", "3", "10"]], page=4), bare]).keys() == {
        "review_upheld",
        "review_corrected",
        "review_other",
        "review_pending",
        "review_total",
    }


# ------------------------------------------------ rows and headers cut by a page break (producer prints)


def _cut_at(before: tuple, after: tuple, cut: int = 17) -> list:
    """Table 2 over pages 3 and 4, the row `cut` printed as `before` at the foot of page 3 and `after` on page 4."""
    rows = _t2_rows_2019()
    first = T2_HEAD + rows[:cut] + [_row(*before)]
    second = [_row(*after)] + rows[cut + 1 :]
    return [make_grid(first, page=3, index=0), make_grid(second, page=4, index=0), make_grid(T3, page=4, index=1)]


FIGURES_HEAD = ["1234", "0", "0", "0", "0", "0", "123"]  # 12345 and 1235 wrapped in narrow cells, cut after a line


@pytest.mark.parametrize(
    "after",
    [
        (["", "", "出版物"], ["5", "", "", "", "", "", "5"]),  # the label's rest with the figures' rest
        (["", "", ""], ["5", "", "", "", "", "", "5"]),  # the label done, only the figures run on
        (["果", "", ""], ["5", "", "", "", "", "", "5"]),  # and the rest of 三、本年度办理结果, printed vertically
    ],
)
def test_a_row_cut_by_a_page_break_joins_its_figures(after):
    """Writer cuts a row's cells at the break: a figure wrapped in its cell prints 1234 above it and 5 below."""
    label = "3.要求提供公开" if after[0][2] else "3.要求提供公开出版物"
    ex = stamp(grids_to_extraction(_cut_at((["^", "^", label], FIGURES_HEAD), after)), "cut", "t.pdf")
    c = _cells(ex)
    assert [p for p in ex.problems if p.table == "requests"] == []
    assert c[("requests", "not_processed_publication", "natural_person")].value == "12345"
    assert c[("requests", "not_processed_publication", "total")].value == "1235"
    assert c[("requests", "not_processed_publication", "business")].value == "0"
    assert c[("requests", "not_processed_mass", "total")].value == "0"  # the row after is its own


def test_a_figure_the_break_may_cut_is_reported_when_the_rest_cannot_be_joined_surely():
    """The row after the break places nowhere and its label does not finish the one above: never 1234 for 12345."""
    grids = _cut_at((["^", "^", "3.要求提供公开出版物"], FIGURES_HEAD), (["", "", "某某"], ["5", "", "", "", "", "", "5"]))
    ex = stamp(grids_to_extraction(grids), "unsure", "t.pdf")
    c = _cells(ex)
    assert c[("requests", "not_processed_publication", "natural_person")].value == ""
    assert c[("requests", "not_processed_publication", "total")].value == ""
    assert c[("requests", "not_processed_publication", "business")].value == "0"  # nothing printed after it
    cut = [p for p in ex.problems if p.kind == "bad_number"]
    assert len(cut) == 2 and all("page break" in p.message and p.page == 3 for p in cut)
    # a row after the break that is a row of its own leaves the figures above as printed
    rows = _t2_rows_2019()
    rows[17] = _row(["^", "^", "3.要求提供公开出版物"], FIGURES_HEAD)
    grids = [make_grid(T2_HEAD + rows[:18], page=3), make_grid([["", "", rows[18][2]] + rows[18][3:]] + rows[19:], page=4)]
    ex = stamp(grids_to_extraction(grids), "own", "t.pdf")
    assert [p for p in ex.problems if p.table == "requests"] == []
    assert _cells(ex)[("requests", "not_processed_publication", "natural_person")].value == "1234"


def test_table_2_header_cut_by_a_page_break():
    """The header's top two rows end page 3 (自然 | 人 cut in its cell); the third and the figures open page 4."""
    top = [T2_HEAD[0], ["^", "^", "^", "自然", "法人或其他组织", "<", "<", "<", "<", "总计"]]
    rest = [["", "<", "<", "人"] + _SUB[1:6] + [""]] + _t2_rows_2019()
    head, body = make_grid(top, page=3, index=1), make_grid(rest, page=4, index=0)
    assert classify(head) is None  # two table words are not printed: it is table 2 as a header alone
    ex = stamp(grids_to_extraction([make_grid(T1_2019, page=3, index=0), head, body, make_grid(T3, page=4, index=1)]), "", "")
    assert ex.status == "ok" and ex.problems == []
    c = _cells(ex)
    assert c[("requests", "new", "natural_person")].value == "30"
    assert c[("requests", "new", "business")].value == "0"
    assert c[("requests", "new", "total")].value == "30"


def test_table_2_header_repeated_under_the_sliver_of_a_cut_row():
    """Chromium repeats table 2's header (<thead>) on the next page under an empty sliver of the row the break cut."""
    rows = _t2_rows_2019()
    first = make_grid(T2_HEAD + rows[:12], page=3, index=1)
    second = make_grid([[""] * 10] + T2_HEAD + [["", "", rows[12][2]] + rows[12][3:]] + rows[13:], page=4)
    grids = [make_grid(T1_2019, page=3), first, second, make_grid(T3, page=4, index=1)]
    ex = stamp(grids_to_extraction(grids), "sliver", "t.pdf")
    assert ex.status == "ok" and ex.problems == []
    assert _cells(ex)[("requests", "unable_not_held", "total")].value == "9"


@pytest.mark.parametrize("band_header_on_page_4", [True, False])
def test_calc_print_titles_over_table_3_are_not_table_2(band_header_on_page_4):
    """Calc repeats table 2's header rows (print titles) at the top of page 4, touching table 3's litigation band."""
    review = make_grid(_REVIEW + [["1", "4", "2", "3", "10"]], page=3, index=2)
    suits = _SUITS if band_header_on_page_4 else []
    page3 = [make_grid(T1_2019, page=2), make_grid(T2_HEAD + _t2_rows_2019(), page=3, index=1), review]
    if not band_header_on_page_4:
        page3.append(make_grid(_SUITS, page=3, index=3))  # the whole band header at the foot of page 3
    titled = make_grid(T2_HEAD + suits + [_SUIT_FIGURES], page=4)
    ex = stamp(grids_to_extraction(page3 + [titled]), "titles", "t.pdf")
    assert ex.status == "ok" and ex.problems == []
    got = {c.column_code: c.value for c in ex.cells if c.table == "appeals"}
    assert len(got) == 15 and got["suit_after_review_total"] == "244" and got["review_total"] == "10"


@pytest.mark.parametrize("tail", [["处罚", "", "", ""], ["处罚", "7", "", ""]])
def test_table_1_row_cut_by_a_page_break(tail):
    """Writer cuts 行政处罚 at the break: 行政 and its figures end page 2, 处罚 opens page 3 (a figure's rest with it)."""
    cut = T1_2019.index(["行政处罚", "57", "+3", "1210"])
    first = T1_2019[:cut] + [["行政", "5", "+3", "1210"]]
    second = [tail] + T1_2019[cut + 1 :]
    grids = [make_grid(first, page=2), make_grid(second, page=3), make_grid(T2_HEAD + _t2_rows_2019(), page=3, index=1)]
    ex = stamp(grids_to_extraction(grids + [make_grid(T3, page=4)]), "cut", "t.pdf")
    assert ex.status == "ok" and ex.problems == []
    c = _cells(ex)
    want = "57" if tail[1] else "5"
    assert (c[("proactive", "penalties", "items_prev_year")].value, c[("proactive", "penalties", "decision_count")].value) == (
        want,
        "1210",
    )
    assert c[("proactive", "coercion", "decision_count")].value == "9"


def test_table_3_figures_cut_by_a_page_break():
    """Writer cuts table 3's row of figures: 22 and 27 end page 4, their last digits 7 and 2 open page 5."""
    figures = ["5", "40", "22", "0", "27", "0", "0", "0", "3", "3", "14", "0", "0", "85", "99"]
    rest = ["", "", "7", "", "2"] + [""] * 10
    before, after = make_grid(T3[:3] + [figures], page=4), make_grid([rest], page=5)
    assert _appeals([before, after])["review_other"] == "227"
    assert _appeals([before, after])["review_total"] == "272"
    # a rest whose cells stand under no single figure is not guessed: the figures before the break are not read
    odd = make_grid([["", "", "7", "<", "2"] + [""] * 10], page=5)
    ex = stamp(
        grids_to_extraction([make_grid(T1_2019, page=2), make_grid(T2_HEAD + _t2_rows_2019(), page=3), before, odd]), "", ""
    )
    got = {c.column_code: c.value for c in ex.cells if c.table == "appeals"}
    assert got["review_other"] == "" and got["review_total"] == ""
    assert any(p.kind == "bad_number" and "page break" in p.message for p in ex.problems)


def test_calc_band_header_cut_by_a_page_break_under_print_titles():
    """Calc: 行政复议 and the top line of 结果维持 end page 3; the print titles, 持 and the other results open page 4."""
    top = make_grid([["行政复议", "<", "<", "<", "<"], ["结果维", "", "", "", ""]], page=3, index=2)
    rest = _pad([["持", "结果纠正", "其他结果", "尚未审结", "总计"], ["1", "4", "2", "3", "10"]]) + _SUITS + [_SUIT_FIGURES]
    grids = [make_grid(T1_2019, page=2), make_grid(T2_HEAD + _t2_rows_2019(), page=3, index=1), top]
    ex = stamp(grids_to_extraction(grids + [make_grid(T2_HEAD + rest, page=4)]), "cut band", "t.pdf")
    assert ex.status == "ok" and ex.problems == []
    got = {c.column_code: c.value for c in ex.cells if c.table == "appeals"}
    assert (got["review_upheld"], got["review_total"], got["suit_after_review_total"]) == ("1", "10", "244")
