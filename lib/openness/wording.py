"""The words of a report's prose, in one place: section headings, stated figures, numerals, scope.

`sections.py`, `statements.py` and `copying.py` read a report's text with
these; what a report prints is knowledge kept here as data, the code that
applies it is elsewhere. Patterns are compared with the text as printed
(full- and half-width brackets alike); keywords with whitespace removed.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SectionWords:
    """One of the six numbered sections: its number, code, official title and the words that recognise its heading."""

    number: int
    code: str
    title: str
    keywords: tuple[str, ...]


# The six sections of the template (references/template.md), with the words a printed heading
# carries in the 2019 and 2021 templates and their common variants.
SECTIONS = (
    SectionWords(1, "overview", "总体情况", ("总体情况", "基本情况", "概述")),
    SectionWords(2, "proactive", "主动公开政府信息情况", ("主动公开",)),
    SectionWords(3, "requests", "收到和处理政府信息公开申请情况", ("收到和处理", "依申请公开", "申请情况")),
    SectionWords(4, "appeals", "政府信息公开行政复议、行政诉讼情况", ("行政复议", "行政诉讼")),
    SectionWords(
        5,
        "problems",
        "政府信息公开工作存在的主要问题及改进情况",
        ("存在的主要问题", "存在的问题", "主要问题", "问题及改进", "改进情况"),
    ),
    SectionWords(6, "other", "其他需要报告的事项", ("其他需要报告", "其他事项")),
)
# What precedes the first heading: the title and the foreword (who wrote it, the period, contacts).
PREAMBLE = "preamble"
# Sections whose body is the statistical tables: their text is what remains around them.
TABLE_SECTIONS = ("proactive", "requests", "appeals")

CHINESE_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CHINESE_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}

# How headings are numbered: name -> regex of the marker at the start of a line; group "n" is the numeral.
# A report numbers its six sections one way; the way that finds the most sections is taken.
HEADING_MARKERS = {
    "一、": r"(?P<n>[一二三四五六])\s*[、，,．.]",
    "第一部分": r"第\s*(?P<n>[一二三四五六])\s*(?:部分|章|节)\s*[、，,：:．.]?",
    "（一）": r"[（(]\s*(?P<n>[一二三四五六])\s*[）)]",
    "1.": r"(?P<n>[1-6１-６])\s*[、．.](?!\d)",
}
# A heading ends with one of these words (its title); a title cut over two lines is joined up to it.
HEADING_ENDS = ("情况", "事项", "问题")
MAX_HEADING_CHARS = 40  # a heading's title is shorter than this; a longer line is prose

# Lines that are a page's running header or footer, not the report's text; the last is the notice
# this project's specimens print at the top of every page (openness.tooling.typeset.PAGE_HEADER).
PAGE_FURNITURE = (
    r"[-—–]\s*\d+\s*[-—–]",
    r"第\s*\d+\s*页(?:\s*[，,/]?\s*共\s*\d+\s*页)?",
    r"\d+\s*/\s*\d+",
    r"样本，非原件：.{0,80}依原报告重新排版",
)

# Plain text (no page layout to tell tables from prose): a line with this many figures in it is a table row.
TABLE_ROW_FIGURES = 3


@dataclass(frozen=True)
class StatementWords:
    """One kind of figure a report states in prose, the ways a sentence states it, and its table cells.

    Each of `patterns` is a regex over a sentence with whitespace removed; group "n" is the figure
    (Arabic or Chinese numerals, with an approximate word before or after it). `cells` are
    (table, row_code, column_code) in the codebook, added up when there are several (lawsuits of both kinds).
    """

    code: str
    label: str
    patterns: tuple[str, ...]
    cells: tuple[tuple[str, str, str], ...]


# A figure as prose prints it: Arabic digits (with thousands separators) or Chinese numerals.
NUMBER = r"(?P<n>[0-9０-９][0-9０-９,，]*(?:\.[0-9]+)?|[零〇一二两三四五六七八九十百千万]+)"
# Words before or after a figure that make it approximate: "at least" words (30余件: 30 or more) and
# "near" words (近20件, 约20件, 20件左右: about 20).
AT_LEAST_BEFORE, AT_LEAST_AFTER = ("逾", "超过"), ("余", "多", "以上")
NEAR_BEFORE, NEAR_AFTER = ("大约", "将近", "接近", "近", "约"), ("左右",)
AT_LEAST = AT_LEAST_BEFORE + AT_LEAST_AFTER
_APPROX = r"(?P<approx_before>" + "|".join(AT_LEAST_BEFORE + NEAR_BEFORE) + r")?"
_AFTER = r"(?P<approx_after>" + "|".join(AT_LEAST_AFTER + NEAR_AFTER) + r")?"
_N = _APPROX + NUMBER + _AFTER
_TAIL = r"(?P<approx_tail>左右|以上)?"  # after the unit: 20件左右

# The figures a report states in prose that the tables also print (sentence with whitespace removed).
# Several patterns may state one figure: the verb before the noun ("收到…申请 N 件") or the count
# before the noun ("收到 N 件申请"); a figure matched by an earlier pattern is not matched again.
_RECEIVE = r"(?:收到|受理|接收|新收)"
_REQUEST = r"(?:政府信息公开申请|依申请公开申请|信息公开申请|申请)"
_UNIT = r"(?:件|条|个|份|宗)" + _TAIL
_CASES = r"(?:件|起|宗|个)" + _TAIL
_TOTAL = r"(?:共计|共|总计|合计|累计)?"
_GAP = r"[^，,；;。]{0,12}?"  # a few words between the verb and the noun (通过邮寄、网络提交的各类)
_NEXT_YEAR = r"结转(?:至)?(?:下年度|下一年度|下年|\d{4}年)"
STATEMENTS = (
    StatementWords(
        "requests_new",
        "requests received (本年新收)",
        (
            _RECEIVE + _GAP + _REQUEST + _TOTAL + _N + _UNIT,
            _RECEIVE + _TOTAL + _N + _UNIT + r"(?:各类)?" + _REQUEST,
        ),
        (("requests", "new", "total"),),
    ),
    StatementWords(
        "requests_handled",
        "requests handled (办理结果总计)",
        (
            r"(?:办结|办理完毕|处理完毕|答复完毕|全年办理)(?:依申请公开|" + _REQUEST + r")?" + _TOTAL + _N + _UNIT,
            r"办理" + _GAP + _REQUEST + _TOTAL + _N + _UNIT,
        ),
        (("requests", "total_handled", "total"),),
    ),
    StatementWords(
        "requests_carried",
        "requests carried over (结转下年度)",
        (
            _NEXT_YEAR + r"(?:继续)?(?:办理)?(?:的)?(?:申请)?" + _TOTAL + _N + r"(?:件|条|个)" + _TAIL,
            _N + r"(?:件|条|个)(?:申请)?" + _NEXT_YEAR,
        ),
        (("requests", "carried_out", "total"),),
    ),
    StatementWords(
        "documents_issued",
        "normative documents issued (本年制发件数, 2021 template)",
        (r"(?:制发|印发|出台)(?:的)?(?:行政)?规范性文件" + _TOTAL + _N + r"(?:件|份|个)" + _TAIL,),
        (("proactive", "admin_normative_docs", "issued"),),
    ),
    StatementWords(
        "documents_in_force",
        "normative documents in force (现行有效件数, 2021 template)",
        (r"现行有效(?:的)?(?:行政)?规范性文件" + _TOTAL + _N + r"(?:件|份|个)" + _TAIL,),
        (("proactive", "admin_normative_docs", "in_force"),),
    ),
    StatementWords(
        "reviews",
        "administrative reviews (行政复议)",
        (r"行政复议(?:案件|申请)?" + _TOTAL + _N + _CASES,),
        (("appeals", "", "review_total"),),
    ),
    StatementWords(
        "lawsuits",
        "lawsuits (行政诉讼)",
        (r"行政诉讼(?:案件)?" + _TOTAL + _N + _CASES,),
        (("appeals", "", "suit_direct_total"), ("appeals", "", "suit_after_review_total")),
    ),
)
# A sentence that says its figure counts less than the whole report (one office, part of the year):
# compared, but a difference is reported as scope, not as a contradiction.
# Looked for in the clause that states the figure (from the last ，；：、 before it).
SCOPE_WORDS = (
    "办公室",
    "政府办",
    "本机关",
    "本级",
    "本部门",
    "代表区政府",
    "代表市政府",
    "代表县政府",
    "上半年",
    "下半年",
    "季度",
    "月份",
    "其中",
)
# Not compared: a processing fee stated in prose (信息处理费) has no cell in the 2021 tables
# (table 1's 行政事业性收费 is every fee the body charges, not the disclosure fee).
