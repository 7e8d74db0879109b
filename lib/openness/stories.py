"""The charts of the notebooks, each drawn from data/clean in Chinese or English, with its finding as headline.

Each chart function takes the `Data` of data/clean and a language ("zh" or "en") and returns a
figure in the house style (openness.charts): the headline states the finding, computed from the
figures; the subtitle says what is measured; the notes give the basis of a rate (always the
printed （七）总计 or 总计, the one basis of every rate in the project), small counts and the
tables that do not add up (from checks.csv, marked where drawn); the source line names the
reports. English labels come from the codebook's `english` column and bodies.csv.
The notebooks' key findings are these headlines, in sentences (`findings`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from openness import charts, labels, metrics, paths
from openness.charts import Words

WITHIN = {"1", "2", "3", "4"}  # the identities of one report (references/template.md)


def t(lang: str, zh: str, en: str) -> str:
    """The Chinese or the English text."""
    return en if lang == "en" else zh


@dataclass(frozen=True)
class Data:
    """data/clean as the charts read it: cells, reports, checks and the indicators with each report's body and year."""

    cells: pd.DataFrame
    reports: pd.DataFrame
    checks: pd.DataFrame
    indicators: pd.DataFrame
    overview: pd.DataFrame


def load(folder: str | Path | None = None) -> Data:
    """Read data/clean (default: the project's) once for every chart."""
    folder = Path(folder) if folder is not None else paths.clean()
    cells = metrics.load_cells(folder / "cells.csv")
    reports = metrics.load_reports(folder / "reports.csv")
    checks = pd.read_csv(folder / "checks.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for column in ("left", "right", "difference"):
        checks[column] = pd.to_numeric(checks[column], errors="coerce")
    ind = metrics.indicators(cells).join(reports.set_index("report")[["body", "level", "year"]], on="report")
    return Data(cells, reports, checks, ind, metrics.overview(cells, reports))


def breaks(data: Data) -> pd.DataFrame:
    """The failed checks within one report (identities 1-4): report, identity, table, scope, left, right."""
    fails = data.checks[(data.checks.status == "fail") & data.checks.number.isin(WITHIN)]
    return fails[["report", "identity", "table", "scope", "scope_label", "left", "right"]].reset_index(drop=True)


def broken(data: Data, table: str, scopes: tuple[str, ...] | None = None) -> set[str]:
    """Reports whose table (or, for table 3, one of these groups) does not add up as printed."""
    b = breaks(data)
    b = b[b.table == table]
    if scopes is not None:
        b = b[b.scope.isin(scopes)]
    return set(b.report)


def names(data: Data, lang: str) -> pd.Series:
    """A short label per report ('公安局 2024' / 'Public Security Bureau 2024')."""
    return charts.report_labels(data.reports, lang)


def group_english(group: str) -> str:
    """An outcome group's English name, from the codebook's English labels of its rows."""
    rows = [e.english for e in labels.entries("row", "requests") if group in e.groups]
    if len(rows) == 1:
        name = rows[0].removeprefix("Handled: ")
        return name[0].upper() + name[1:]
    prefix = rows[-1].split(":")[0]
    shared = any(prefix in e.english and group not in e.groups for e in labels.entries("row", "requests") if e.groups)
    return f"{prefix}: other" if shared else prefix


def outcome_label(group: str, lang: str) -> str:
    """An outcome group's name in the language of the chart."""
    return group_english(group) if lang == "en" else group


def source(data: Data, reports: list[str] | pd.Series, lang: str) -> str:
    """The source line: the bodies and years of the reports a chart is drawn from, and whether they are specimens."""
    sel = data.reports[data.reports.report.isin(list(reports))]
    bodies = list(dict.fromkeys(b for b in sel.body if b))  # a body or year not known is not named
    years = sorted(set(sel.year.dropna()))
    span = f"{years[0]}" if len(years) == 1 else f"{years[0]}–{years[-1]}"
    umbrella = "平潭综合实验区"
    if len(bodies) > 3 and all(b.startswith(umbrella) for b in bodies):
        who = t(
            lang,
            f"{umbrella}{len(bodies)} 个部门与片区",
            f"{len(bodies)} departments and area bureaus of {charts.english(umbrella)}",
        )
    elif len(bodies) > 3:
        who = t(lang, f"{len(bodies)} 个机关", f"{len(bodies)} bodies")
    else:
        who = t(lang, "、".join(bodies), "; ".join(charts.english(b) for b in bodies))
    specimen = sel.provenance.str.contains("specimen").any() if "provenance" in sel else False
    note = t(lang, "；样本依公布数字重排", "; specimens re-typeset from the published figures") if specimen else ""
    return t(
        lang,
        f"来源：{who} {span} 年政府信息公开工作年度报告{note}；openness 项目整理",
        f"Source: government information disclosure annual reports of {who}, {span}{note}; compiled by the openness project",
    )


RATE_BASIS = (
    "比率的分母均为报告印制的（七）总计（总计列）；分母小于 {n} 为小样本，仅作线索",
    "Every rate is over the printed （七）总计 (total handled) as its basis; a denominator under {n} is a small count: a lead, not a ranking",
)
BROKEN_NOTE = (
    "虚线空心条：该报告的表格自相矛盾（印制的总计与各项之和不符，见 checks.csv），照印制数字画出",
    "dashed hollow bar: the report's table does not add up (printed total differs from its parts, see checks.csv); drawn as printed",
)


def _basis(lang: str) -> str:
    return t(lang, *RATE_BASIS).format(n=metrics.SMALL_COUNT)


def _handled_break(data: Data, report: str, lang: str) -> str:
    """'2020 年印制的（七）总计为 21，各项相加为 27' for a report whose handled total breaks identity 2."""
    b = breaks(data)
    row = b[(b.report == report) & (b.identity == "requests_handled_total") & (b.scope == "total")]
    if row.empty:
        return ""
    r = row.iloc[0]
    year = int(data.reports.set_index("report").at[report, "year"])
    return t(
        lang,
        f"{year} 年印制的（七）总计为 {r.left:g}，各项相加为 {r.right:g}",
        f"in {year} the printed total handled is {r.left:g}, its rows add up to {r.right:g}",
    )


# ---------------------------------------------------------------- notebook 01


def proof(data: Data, lang: str = "zh", report: str = "fenyang-2023") -> Figure:
    """Notebook 01: the page of one report with the box of its 行政复议 / 结果纠正 figure, and a close-up."""
    meta = data.reports.set_index("report").loc[report]
    cell = data.cells.query("report == @report and table == 'appeals' and column_code == 'review_corrected'").iloc[0]
    page, box = int(cell.page), [float(v) for v in cell.bbox.split()]
    body = charts.short_name(meta.body, lang=lang)
    words = Words(
        t(
            lang,
            f"{meta.body} {meta.year} 年：{cell.value:g} 件行政复议被纠正，数字印在第 {page} 页这一格",
            f"{body} {meta.year}: {cell.value:g} reviews corrected, traced to the cell of page {page} that prints them",
        ),
        t(
            lang,
            "报告的表格页，红框为 cells.csv 记录的单元格边框（PDF 坐标，单位：点）；下为该行前后的整行特写",
            "The report's table page; the red box is the cell's box recorded in cells.csv (PDF points); below, the whole lines around it",
        ),
        t(
            lang,
            "该 PDF 是依公布数字重排的样本（原件不可转载），数字与表格布局为原报告的，页面几何为样本的",
            "This PDF is a specimen re-typeset from the published figures (the original may not be redistributed): figures and table layout are the report's, page geometry the specimen's",
        ),
        source(data, [report], lang),
        lang,
    )
    return charts.page_proof(
        paths.raw() / meta.file,
        page,
        box,
        words,
        captions=(t(lang, f"第 {page} 页", f"page {page}"), t(lang, "特写", "close-up")),
    )


# ---------------------------------------------------------------- notebook 02


KINDS = {
    "requests_balance": ("①新收+结转≠办结+结转下年", "① new + carried in ≠ handled + carried out"),
    "requests_handled_total": ("②（七）总计≠各项之和", "② total handled ≠ its rows"),
    "requests_applicant_total": ("③总计≠各类申请人之和", "③ total ≠ the applicant columns"),
    "appeals_group_total": ("④复议/诉讼总计≠四项之和", "④ review/lawsuit total ≠ its four parts"),
}


def identity_breaks(data: Data, lang: str = "zh") -> Figure:
    """Notebook 02: failed identity checks per report, by identity."""
    b = breaks(data)
    label = names(data, lang)
    within = data.checks[data.checks.number.isin(WITHIN)]
    per = pd.crosstab(b.report.map(label), b.identity.map(lambda i: KINDS[i][lang == "en"]))
    per = per.loc[per.sum(axis=1).sort_values(ascending=False, kind="mergesort").index]
    top = per.sum(axis=1).idxmax()
    words = Words(
        t(
            lang,
            f"{within.report.nunique()} 份报告中有 {b.report.nunique()} 份的表格自相矛盾，{top}最多（{per.sum(axis=1).max()} 项）",
            f"{b.report.nunique()} of {within.report.nunique()} reports break their own arithmetic; the most breaks: {top} ({per.sum(axis=1).max()} checks)",
        ),
        t(
            lang,
            "每份报告未通过的勾稽关系检查（项；每列、每行或每组一项）",
            "Failed identity checks per report (one per column, row or group checked)",
        ),
        t(
            lang,
            "印制的数字照录，不作更正；空白不视为 0，含空白的检查记为“未检查”而非通过",
            "Figures are kept as printed, never corrected; a blank is never read as 0, and a check needing one is 'not checked', not a pass",
        ),
        source(data, within.report.unique(), lang),
        lang,
    )
    return charts.stacked(per, words, xlabel=t(lang, "未通过的检查（项）", "failed checks"))


# ---------------------------------------------------------------- notebook 03


GOVERNMENTS = ["county-level city", "district", "zone"]


def disclosure_governments(data: Data, lang: str = "zh") -> Figure:
    """Notebook 03: the disclosure rate of the three local governments in 2023 and 2024."""
    label = names(data, lang)
    gov = data.reports.query("level in @GOVERNMENTS and year in [2023, 2024]").report
    rate = data.indicators.query("indicator == 'disclosure_rate' and report in @gov").assign(
        label=lambda x: x.report.map(label), broken=lambda x: x.report.isin(broken(data, "requests"))
    )
    hi, lo = rate.loc[rate.rate.idxmax()], rate.loc[rate.rate.idxmin()]
    words = Words(
        t(
            lang,
            f"三地公开率从 {charts.percent(lo.rate)}（{lo.label}）到 {charts.percent(hi.rate)}（{hi.label}）",
            f"Disclosure rates run from {charts.percent(lo.rate)} ({lo.label}) to {charts.percent(hi.rate)} ({hi.label})",
        ),
        t(
            lang,
            "公开率：予以公开与部分公开占办结申请的比例，括号内为分子/分母（件）",
            "Disclosure rate: requests granted in full or in part, as a share of requests handled (numerator/denominator)",
        ),
        _basis(lang) + (t(lang, "；", "; ") + t(lang, *BROKEN_NOTE) if rate.broken.any() else ""),
        source(data, gov, lang),
        lang,
    )
    return charts.rate_bars(rate, words)


def _pingtan(data: Data) -> pd.DataFrame:
    return data.overview[data.overview.body == "平潭综合实验区"].reset_index().set_index("year")


def pingtan_requests(data: Data, lang: str = "zh") -> Figure:
    """Notebook 03: 平潭's requests received and handled, 2019 on."""
    pt = _pingtan(data)
    frame = pt[["new", "handled"]].rename(
        columns={"new": t(lang, "新收申请", "new requests"), "handled": t(lang, "办结申请", "requests handled")}
    )
    peak = pt.new.idxmax()
    words = Words(
        t(
            lang,
            f"平潭综合实验区的信息公开申请：{pt.index[0]} 年 {pt.new.iloc[0]:g} 件，{peak} 年最多 {pt.new.max():g} 件，{pt.index[-1]} 年 {pt.new.iloc[-1]:g} 件",
            f"Pingtan's disclosure requests: {pt.new.iloc[0]:g} in {pt.index[0]}, a peak of {pt.new.max():g} in {peak}, {pt.new.iloc[-1]:g} in {pt.index[-1]}",
        ),
        t(lang, "每年新收与办结的政府信息公开申请（件，总计列）", "Requests received and handled each year (total column)"),
        t(
            lang,
            "办结数含上年结转的申请；2021 年起换用新模板，申请表的行在两版中相同（（六）其他处理除外）",
            "Requests handled include those carried in from the year before; the 2021 template kept the request rows (except （六）其他处理)",
        ),
        source(data, pt.report, lang),
        lang,
    )
    return charts.series(frame, words, annotate=[frame.columns[0]], ylabel=t(lang, "件", "requests"))


def pingtan_rates(data: Data, lang: str = "zh") -> Figure:
    """Notebook 03: 平潭's disclosure, not-held and refusal rates by year; a year that does not add up drawn hollow."""
    pt = _pingtan(data)
    shares = pt[["disclosure_rate", "not_held_rate", "refusal_rate"]].rename(
        columns={
            "disclosure_rate": t(lang, "公开率", "disclosed"),
            "not_held_rate": t(lang, "不掌握率", "not held"),
            "refusal_rate": t(lang, "不予公开率", "refused"),
        }
    )
    bad = [int(y) for y, r in zip(pt.index, pt.report) if r in broken(data, "requests")]
    d = pt.disclosure_rate.drop(bad)  # the headline rests on the years whose table adds up
    gaps = "；".join(filter(None, (_handled_break(data, pt.report[y], lang) for y in bad)))
    words = Words(
        t(
            lang,
            f"平潭综合实验区的公开率在 {charts.percent(d.min())}（{d.idxmin()}）与 {charts.percent(d.max())}（{d.idxmax()}）之间"
            + ("（表格相符的年份）" if bad else ""),
            f"Pingtan disclosed {charts.percent(d.min())} ({d.idxmin()}) to {charts.percent(d.max())} ({d.idxmax()}) of requests"
            + (", in years whose table adds up" if bad else ""),
        ),
        t(lang, "申请的办理结果，占办结申请的比例", "How requests ended, as a share of requests handled"),
        _basis(lang)
        + t(lang, "；空心点：该年表格自相矛盾", "; hollow point: that year's table does not add up")
        + (t(lang, "（", " (") + gaps + t(lang, "）", ")") if gaps else ""),
        source(data, pt.report, lang),
        lang,
    )
    return charts.series(shares, words, as_percent=True, broken=bad)


def pingtan_decisions(data: Data, lang: str = "zh") -> Figure:
    """Notebook 03: 平潭's permit and penalty decisions by year, across the 2021 template change."""
    vol = metrics.proactive_volumes(data.cells).join(data.reports.set_index("report")[["body", "year"]])
    pt = vol[vol.body == "平潭综合实验区"].set_index("year")
    frame = pt[["permits", "penalties"]].rename(
        columns={"permits": t(lang, "行政许可", "permits"), "penalties": t(lang, "行政处罚", "penalties")}
    )
    words = Words(
        t(
            lang,
            f"换用 2021 年模板后，平潭综合实验区的行政处罚决定数从 {pt.penalties[2020]:g} 件变为 {pt.penalties[2021]:g} 件",
            f"With the 2021 template, Pingtan's penalty decisions went from {pt.penalties[2020]:g} to {pt.penalties[2021]:g}",
        ),
        t(
            lang,
            "主动公开的处理决定数量（件，表一第二十条第（五）、（六）项）",
            "Decisions disclosed proactively (table 1, Article 20 (5) and (6))",
        ),
        t(
            lang,
            "2019 年模板为“处理决定数量”，2021 年模板为“本年处理决定数量”：模板更替处的跳变不能直接读作工作量的变化",
            "The 2019 template asks for 处理决定数量, the 2021 one for 本年处理决定数量: a jump at the change is not by itself a change in the work",
        ),
        source(data, data.reports[data.reports.body == "平潭综合实验区"].report, lang),
        lang,
    )
    return charts.series(frame, words, ylabel=t(lang, "件", "decisions"))


def departments(data: Data, lang: str = "zh") -> pd.DataFrame:
    """The overview rows of 平潭's departments and area bureaus, with a short name."""
    dept = data.overview[data.overview.level.isin(["department", "area bureau"])]
    return dept.assign(name=dept.body.map(lambda b: charts.short_name(b, lang=lang)))


def departments_requests(data: Data, lang: str = "zh") -> Figure:
    """Notebook 03: requests received by each department, 2023 and 2024."""
    dept = departments(data, lang)
    received = dept.pivot_table(index="name", columns="year", values="new").sort_values(2024, ascending=False)
    top = received[2024].head(3)
    words = Words(
        t(
            lang,
            f"2024 年三个部门收到了各部门全部申请的 {top.sum() / received[2024].sum():.0%}",
            f"In 2024 three departments received {top.sum() / received[2024].sum():.0%} of all departments' requests",
        ),
        t(
            lang,
            "平潭各部门与片区新收的政府信息公开申请（件，总计列）",
            "Disclosure requests received by Pingtan's departments and area bureaus (total column)",
        ),
        t(
            lang,
            "—：该年的报告不在数据中；多数部门每年收到的申请为个位数",
            "—: that year's report is not in the data; most departments receive a handful of requests a year",
        ),
        source(data, dept.index, lang),
        lang,
    )
    return charts.grouped(received, words, xlabel=t(lang, "新收申请（件）", "new requests"))


def departments_outcomes(data: Data, lang: str = "zh") -> Figure:
    """Notebook 03: how each department's requests ended, one panel per year; a table that does not add up hatched."""
    dept = departments(data, lang)
    label = names(data, lang)
    mix = metrics.outcome_mix(data.cells).loc[dept.index]
    mix = mix[mix.sum(axis=1) > 0]
    most = mix["不予公开"].idxmax()
    bad, by_year = set(), {}
    for year in sorted(dept.year.unique()):
        part = mix[mix.index.isin(dept[dept.year == year].index)]
        part = part.loc[part.sum(axis=1).sort_values(ascending=False, kind="mergesort").index]
        title = t(lang, f"{year} 年", str(year))
        bad |= {(title, dept.name[r]) for r in part.index if r in broken(data, "requests")}
        by_year[title] = part.rename(index=dept.name, columns=lambda g: outcome_label(g, lang))
    words = Words(
        t(
            lang,
            f"{label[most]}不予公开最多：{mix.loc[most, '不予公开']:g} 件，占其办结 {mix.loc[most].sum():g} 件的 {mix.loc[most, '不予公开'] / mix.loc[most].sum():.0%}",
            f"{label[most]} refused the most requests: {mix.loc[most, '不予公开']:g} of {mix.loc[most].sum():g} handled",
        ),
        t(
            lang,
            "平潭各部门与片区：办结申请按办理结果分（件，总计列）",
            "Requests handled by Pingtan's departments and area bureaus, by outcome (total column)",
        ),
        t(
            lang,
            "带斜线：该报告的申请表自相矛盾（见 checks.csv），照印制数字画出；只列办结过申请的报告",
            "Hatched: the report's request table does not add up (see checks.csv), drawn as printed; only reports that handled any request",
        ),
        source(data, mix.index, lang),
        lang,
    )
    return charts.stacked(by_year, words, xlabel=t(lang, "办结申请（件）", "requests handled"), broken=bad)


def departments_appeals(data: Data, lang: str = "zh") -> Figure:
    """Notebook 03: reviews and lawsuits of each department that had any; a total that does not add up hatched."""
    dept = departments(data, lang)
    label = names(data, lang)
    appeals = dept[(dept.reviews + dept.suits) > 0]
    busiest = (appeals.reviews + appeals.suits).idxmax()
    review, suit = t(lang, "行政复议", "reviews"), t(lang, "行政诉讼", "lawsuits")
    frame = appeals[["reviews", "suits"]].rename(index=label, columns={"reviews": review, "suits": suit})
    marks = {(label[r], review) for r in broken(data, "appeals", ("review",))}
    marks |= {(label[r], suit) for r in broken(data, "appeals", ("suit_direct", "suit_after_review"))}
    b = breaks(data)
    gaps = b[b.report.isin(appeals.index) & (b.table == "appeals")]
    gap_text = "；".join(
        f"{label[r.report]} {r.scope_label}：{t(lang, '印制总计', 'printed total')} {r.left:g}，"
        f"{t(lang, '各项相加', 'parts add up to')} {r.right:g}"
        for r in gaps.itertuples()
    )
    words = Words(
        t(
            lang,
            f"{label[busiest]}的复议与诉讼最多：行政复议 {appeals.reviews[busiest]:g} 件，行政诉讼 {appeals.suits[busiest]:g} 件",
            f"{label[busiest]} had the most appeals: {appeals.reviews[busiest]:g} reviews and {appeals.suits[busiest]:g} lawsuits",
        ),
        t(
            lang,
            "平潭各部门与片区的政府信息公开行政复议与行政诉讼（件，印制的总计）",
            "Administrative reviews and lawsuits over disclosure, Pingtan's departments and area bureaus (printed totals)",
        ),
        t(
            lang,
            "复议与诉讼可源于往年的申请；带斜线：印制的总计与其四项之和不符",
            "Appeals may stem from earlier years' requests; hatched: the printed total differs from its four parts",
        )
        + (t(lang, "（", " (") + gap_text + t(lang, "）", ")") if gap_text else ""),
        source(data, appeals.index, lang),
        lang,
    )
    return charts.grouped(frame, words, broken=marks)


def review_correction_table(data: Data, lang: str = "zh") -> pd.DataFrame:
    """Notebook 03: the review correction rates as a table (most rest on a handful of cases: a chart would rank them)."""
    ind = data.indicators
    corr = ind[(ind.indicator == "review_correction_rate") & ind.numerator.notna() & (ind.denominator != 0)]
    corr = corr.sort_values(["year", "report"])
    label = names(data, lang)
    return pd.DataFrame(
        {
            t(lang, "报告", "report"): corr.report.map(label).to_numpy(),
            t(lang, "结果纠正", "corrected"): corr.numerator.to_numpy(),
            t(lang, "已审结复议", "decided reviews"): corr.denominator.to_numpy(),
            t(lang, "纠错率", "correction rate"): [charts.percent(r) for r in corr.rate],
            t(lang, "小样本", "small count"): [t(lang, "是", "yes") if s else "" for s in corr.small_count],
        }
    )


# ---------------------------------------------------------------- every chart, and the findings

CHARTS: dict[str, Callable[[Data, str], Figure]] = {
    "01-fenyang-2023-proof": proof,
    "02-identity-breaks": identity_breaks,
    "03-disclosure-rate-governments": disclosure_governments,
    "03-pingtan-requests": pingtan_requests,
    "03-pingtan-rates": pingtan_rates,
    "03-pingtan-decisions": pingtan_decisions,
    "03-departments-requests": departments_requests,
    "03-departments-outcomes": departments_outcomes,
    "03-departments-appeals": departments_appeals,
}


def save_both(make: Callable[[str], Figure], name: str, folder: str | Path | None = None) -> Figure:
    """Draw a chart in English and in Chinese, save both (figures/<name>-en.* and <name>.*), return the Chinese one."""
    import matplotlib.pyplot as plt

    english = make("en")
    charts.save(english, f"{name}-en", folder)
    plt.close(english)
    fig = make("zh")
    charts.save(fig, name, folder)
    return fig


def draw(name: str, data: Data, folder: str | Path | None = None) -> Figure:
    """Draw one of the notebooks' charts from data/clean in both languages and save them (see save_both)."""
    return save_both(lambda lang: CHARTS[name](data, lang), name, folder)


def headline(name: str, data: Data, lang: str = "en") -> str:
    """A chart's headline: its finding in one sentence."""
    import matplotlib.pyplot as plt

    fig = CHARTS[name](data, lang)
    plt.close(fig)
    return fig.words.headline


def _extra_01(data: Data) -> list[str]:
    rep = data.reports.set_index("report").loc["fenyang-2023"]
    return [
        f"{charts.english(rep.body)}'s {rep.year} report gives {rep.figures} figures in its three tables, "
        f"and {rep.checks_pass} of {int(rep.checks_pass) + int(rep.checks_fail) + int(rep.checks_not_checked)} identity checks pass."
    ]


def _extra_02(data: Data) -> list[str]:
    out = []
    for report in sorted(broken(data, "requests")):
        row = data.indicators.query("report == @report and indicator == 'disclosure_rate'")
        b = breaks(data)
        total = b[(b.report == report) & (b.identity == "requests_handled_total") & (b.scope == "total")]
        if row.empty or total.empty or pd.isna(row.rate.iloc[0]):
            continue
        r, s = row.iloc[0], total.right.iloc[0]
        out.append(
            f"{names(data, 'en')[report]}: the disclosure rate is {charts.percent(r.rate)} on the printed total "
            f"of {r.denominator:g}, but {charts.percent(r.numerator / s)} on the sum of its rows ({s:g})."
        )
    return out


def _extra_03(data: Data) -> list[str]:
    corr = review_correction_table(data, "en")
    return [
        f"{(corr['small count'] == 'yes').sum()} of the {len(corr)} review correction rates that can be computed rest on "
        f"fewer than {metrics.SMALL_COUNT} decided reviews: leads, not a ranking."
    ]


EXTRA: dict[str, Callable[[Data], list[str]]] = {"01": _extra_01, "02": _extra_02, "03": _extra_03}


def findings(notebook: str, data: Data, lang: str = "en") -> list[str]:
    """A notebook's key findings, in sentences: the headlines of its charts and its other computed facts."""
    return [headline(name, data, lang) + "." for name in CHARTS if name.startswith(notebook)] + EXTRA[notebook](data)


def pingtan_repeated(shares: pd.DataFrame, lang: str = "zh") -> Figure:
    """Notebook 04: the share of 平潭's prose (whole, overview, problems) printed the year before, by year.

    `shares` has one row per year and the columns all, overview and problems (copying.csv's
    share_repeated) from data/clean, built from specimens carrying the reports' own text.
    """
    whole = shares["all"].dropna()
    names = {
        "all": t(lang, "全文", "whole text"),
        "overview": t(lang, "一、总体情况", "1. overview"),
        "problems": t(lang, "五、存在的主要问题及改进情况", "5. problems and improvements"),
    }
    words = Words(
        t(
            lang,
            f"平潭综合实验区的年报每年有 {whole.min():.0%}–{whole.max():.0%} 的文字与上一年相同",
            f"Each year {whole.min():.0%}–{whole.max():.0%} of Pingtan's report repeats the year before's text",
        ),
        t(
            lang,
            "各节与上一年报告重复的比例（连续 10 字相同即计，数字不计）",
            "Share of each section printed in the year before's report (runs of 10 characters, digits masked)",
        ),
        t(
            lang,
            "文字照录平潭综合实验区官网发布的年度报告网页原文（样本重排，逐字与原文相同）；重复本身不是错误，逐年照抄的段落才值得追问",
            "The reports' text as published on their web pages (re-typeset in specimens, word for word); repetition is not an error in itself: passages copied year on year are what to ask about",
        ),
        t(
            lang,
            f"来源：平潭综合实验区 {shares.index.min() - 1}–{shares.index.max()} 年政府信息公开工作年度报告原文（网页）；openness 项目计算",
            f"Source: Pingtan Comprehensive Experimental Zone's annual reports {shares.index.min() - 1}–{shares.index.max()}, original web pages; computed by the openness project",
        ),
        lang,
    )
    return charts.series(
        shares[["all", "overview", "problems"]].rename(columns=names), words, as_percent=True, template_change=None
    )
