"""The words that recognise the three tables, in one place (compared as label keys, see labels.label_key).

Readers use them to find the pages or <table>s that hold the tables; the
mapper (tables.py) uses them to tell which table a grid is and where a header
ends. Official labels themselves live in codebook.csv; these are the words
that *recognise* a table, chosen because prose seldom prints them.
"""

from __future__ import annotations

# Printed in the three tables and seldom in prose. A PDF page with two of them holds a table.
TABLE_WORDS = (
    "信息内容",
    "本年制发件数",
    "本年废止件数",
    "现行有效件数",
    "本年处理决定数量",
    "本年收费金额",
    "本年新制作数量",
    "本年新公开数量",
    "对外公开总数量",
    "上一年项目数量",
    "采购项目数量",
    "采购总金额",
    "申请人情况",
    "商业企业",
    "科研机构",
    "社会公益组织",
    "法律服务机构",
    "本年新收政府信息公开申请数量",
    "上年结转政府信息公开申请数量",
    "本年度办理结果",
    "属于国家秘密",
    "三安全一稳定",
    "保护第三方合法权益",
    "三类内部事务信息",
    "四类过程性信息",
    "属于行政执法案卷",
    "属于行政查询事项",
    "本机关不掌握相关政府信息",
    "没有现成信息需要另行制作",
    "补正后申请内容仍不明确",
    "信访举报投诉类申请",
    "要求提供公开出版物",
    "无正当理由大量反复申请",
    "重新出具已获取信息",
    "逾期不补正",
    "结转下年度继续办理",
    "结果维持",
    "结果纠正",
    "其他结果",
    "尚未审结",
    "未经复议直接起诉",
    "复议后起诉",
)
# The last rows of table 1 alone on a page print only row labels.
TABLE1_ROW_WORDS = ("行政许可", "其他对外管理服务事项", "行政处罚", "行政强制", "行政事业性收费", "政府集中采购")
# Table 3's header as a PDF's text layer prints it, line by line: the figures follow these.
APPEALS_HEADER = ("行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉", "结果维持", "结果纠正", "其他结果", "尚未审结")
# The report's headings of the sections that hold the tables (as label keys): a row of a grid that
# is one cell printing one of these is a title caught in the table, not a row of it.
SECTION_HEADINGS = ("主动公开政府信息情况", "收到和处理政府信息公开申请情况", "政府信息公开行政复议行政诉讼情况")
# A report says what it is in its text; a document with none of these is not one.
REPORT_WORDS = ("政府信息公开", "申请人情况", "行政复议")

# Words whose presence in a grid says which table it is (two are needed).
TABLE_KEYWORDS = {
    "proactive": (
        "第二十条",
        "信息内容",
        "行政许可",
        "行政处罚",
        "行政强制",
        "行政事业性收费",
        "规范性文件",
        "政府集中采购",
        "本年制发件数",
        "现行有效件数",
    ),
    "requests": (
        "申请人情况",
        "自然人",
        "本年新收",
        "上年结转",
        "本年度办理结果",
        "予以公开",
        "不予公开",
        "无法提供",
        "不予处理",
        "其他处理",
        "结转下年度",
        "商业企业",
        "补正后申请内容",
        "信访举报投诉",
        "重复申请",
    ),
    "appeals": ("行政复议", "行政诉讼", "未经复议直接起诉", "复议后起诉", "尚未审结", "结果纠正", "结果维持"),
}
# One of these in an HTML <table> marks it as a candidate for that table.
TABLE_MARKERS = {
    "proactive": ("第二十条",),
    "requests": ("申请人情况", "本年新收", "本年度办理结果", "结转下年度", "上年结转"),
    "appeals": ("行政复议", "行政诉讼"),
}
# What starts each table (its header): a piece without one continues the table before it.
TABLE_HEADERS = {
    "proactive": ("信息内容",),
    "requests": ("申请人情况", "自然人"),
    "appeals": ("结果维持",),
}
# Table 2's header rows print these (the applicant columns).
REQUEST_HEADER_WORDS = ("申请人情况", "自然人", "法人或其他组织", "商业企业", "科研机构", "社会公益组织", "法律服务机构")
# Table 3's header rows print these.
APPEAL_HEADER_WORDS = ("行政复议", "行政诉讼", "结果", "维持", "纠正", "其他", "审结", "总计", "复议", "起诉")
