"""The 《12366信息专报》 as a Word document (python-docx): the format the leadership receives.

Every section of ``kb.reports.bulletin.SECTIONS`` is present, in order, with its figures as tables, and
每日来电 as a bar chart (``webapp.png_chart``); the page's other charts stay on the web page.
"""
from __future__ import annotations

import io

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from kb.reports.bulletin import SECTIONS, TITLE, Bulletin
from kb.core.workdays import is_working_day
from kb.core.timestamps import to_beijing
from webapp.png_chart import bar_chart_png


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _table(document, header: list[str], rows: list[list], empty: str = "无") -> None:
    if not rows:
        document.add_paragraph(empty)
        return
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row):
            cell.text = str(value)


# GB/T 9704 (党政机关公文格式) where it applies: A4; margins 37 / 35 / 28 / 26 mm; body in 仿宋,
# headings in 黑体, the title in 小标宋 (宋体 where it is missing); page numbers "— 1 —" at the foot.
BODY_FONT, HEADING_FONT, TITLE_FONT = "仿宋", "黑体", "方正小标宋简体"


def _set_east_asian(style_or_run, name: str) -> None:
    element = style_or_run.element
    r_pr = element.get_or_add_rPr()
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is None:
        r_fonts = OxmlElement("w:rFonts")
        r_pr.append(r_fonts)
    for attribute in ("w:eastAsia", "w:ascii", "w:hAnsi"):
        r_fonts.set(qn(attribute), name)


def _page(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("— ")
    run = footer.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
        else:
            field = OxmlElement("w:instrText")
            field.set(qn("xml:space"), "preserve")
            field.text = text
        run._r.append(field)
    footer.add_run(" —")
    for piece in footer.runs:
        piece.font.size = Pt(14)
        _set_east_asian(piece, "宋体")


def _font(document) -> None:
    style = document.styles["Normal"]
    style.font.name = BODY_FONT
    style.font.size = Pt(12)
    _set_east_asian(style, BODY_FONT)
    for name in ("Heading 1", "Heading 2"):
        heading = document.styles[name]
        heading.font.name = HEADING_FONT
        heading.font.color.rgb = RGBColor(0, 0, 0)
        heading.font.size = Pt(16 if name == "Heading 1" else 14)
        _set_east_asian(heading, HEADING_FONT)
    title = document.styles["Title"]
    title.font.name = TITLE_FONT
    title.font.size = Pt(22)
    _set_east_asian(title, TITLE_FONT)
    table = document.styles["Table Grid"]
    table.font.size = Pt(10.5)


def _comment(document, b: Bulletin, section: int) -> None:
    text = b.editorial.comment(section) if b.editorial else None
    if text:
        paragraph = document.add_paragraph()
        run = paragraph.add_run(f"【点评】{text}")
        run.italic = True


def bulletin_docx(b: Bulletin) -> bytes:
    document = docx.Document()
    _page(document)
    _font(document)
    heading = document.add_heading(TITLE, level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for run in heading.runs:
        run.font.color.rgb = RGBColor(0xB3, 0x26, 0x1E)
    meta = document.add_paragraph(f"{b.period.label}　12366服务中心编　{to_beijing(b.now):%Y-%m-%d %H:%M} 生成")
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER

    document.add_heading(SECTIONS[0], level=1)
    _comment(document, b, 1)
    document.add_paragraph(
        f"本期来电 {b.total_calls} 个（上期 {b.previous_calls} 个）；转办 {b.referrals_sent} 件，按期答复率 "
        f"{_pct(b.on_time_rate)}；检索 {b.searches} 次，无结果 {_pct(b.zero_rate)}；热点问题有FAQ答案的占 {_pct(b.faq_coverage)}。")
    document.add_heading("每日来电", level=2)
    if b.by_day:  # a chart, not a table of 31 rows
        counts = [n for _d, n in b.by_day]
        document.add_picture(io.BytesIO(bar_chart_png(counts, [not is_working_day(d) for d, _n in b.by_day])),
                             width=Mm(150))
        busiest = max(b.by_day, key=lambda pair: pair[1])
        first, last = b.by_day[0][0], b.by_day[-1][0]
        caption = document.add_paragraph(
            f"图：{first.month}月{first.day}日至{last.month}月{last.day}日每日来电（浅色为休息日，网格线为最高值的四分之一）；"
            f"最多 {busiest[0].month}月{busiest[0].day}日 {busiest[1]} 个，日均 {sum(counts) / len(counts):.1f} 个。")
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    else:
        document.add_paragraph("本期没有来电。")
    document.add_heading("按来电类别", level=2)
    _table(document, ["类别", "来电"], [[c, n] for c, n in b.by_category])
    document.add_heading("按税种", level=2)
    _table(document, ["税种", "来电", "占比"],
           [[t, n, _pct(n / b.total_calls if b.total_calls else None)] for t, n in b.by_tax_type])
    document.add_heading("按处理方式", level=2)
    _table(document, ["处理方式", "来电"], [[d, n] for d, n in b.by_disposition])

    document.add_heading(SECTIONS[1], level=1)
    _comment(document, b, 2)
    _table(document, ["序号", "问题（其他问法）", "次数", "答复的FAQ"],
           [[i, q.wording + (f"（{'；'.join(q.variants)}）" if q.variants else ""), q.count,
             f"FAQ #{q.faq_id} {q.faq_question}" if q.faq_id else "无（建议编写FAQ）"]
            for i, q in enumerate(b.top_questions, 1)], "本期没有来电。")

    document.add_heading(SECTIONS[2], level=1)
    _comment(document, b, 3)
    _table(document, ["类型", "话题", "本期", "上期", "增加"],
           [[t.kind, t.label, t.count, t.previous, f"+{t.change}"] for t in b.rising], b.rising_note)

    document.add_heading(SECTIONS[3], level=1)
    _comment(document, b, 4)
    document.add_paragraph(f"本期检索 {b.searches} 次，其中 {b.zero_searches} 次没有找到结果（{_pct(b.zero_rate)}）。")
    _table(document, ["序号", "检索词（其他写法）", "次数"],
           [[i, z.wording + (f"（{'；'.join(z.variants)}）" if z.variants else ""), z.count]
            for i, z in enumerate(b.zero_groups, 1)], "本期没有无结果的检索。")

    document.add_heading(SECTIONS[4], level=1)
    _comment(document, b, 5)
    _table(document, ["承办部门", "转办", "已答复", "按期", "超期", "在办", "按期率", "平均办理时间"],
           [[d.department, d.sent, d.answered, d.on_time, d.late, d.pending, _pct(d.on_time_rate),
             f"{d.average_hours:.1f} 小时" if d.average_hours is not None else "—"] for d in b.departments],
           "本期没有转办件。")
    document.add_heading(f"超期转办件（{len(b.overdue)} 件）", level=2)
    _table(document, ["转办单", "承办部门", "问题", "答复期限", "答复时间", "超期", "催办"],
           [[f"#{o.id}", o.department, o.question, f"{to_beijing(o.due_at):%m-%d %H:%M}",
             f"{to_beijing(o.answered_at):%m-%d %H:%M}" if o.answered_at else "未答复", o.late_label, o.reminders]
            for o in b.overdue], "没有超期的转办件。")

    document.add_heading(SECTIONS[5], level=1)
    _comment(document, b, 6)
    _table(document, ["承诺", "计算方法", "核查", "在办", "未做到", "达成率"],
           [[p.name, p.rule, p.checked, p.pending, len(p.breaches), _pct(p.rate)] for p in b.promises])
    for p in b.promises:
        if p.breaches:
            document.add_heading(f"未做到“{p.name}”的记录（{len(p.breaches)}）", level=2)
            _table(document, ["记录", "时间", "工号", "内容", "问题"],
                   [[f"{x.kind} #{x.record_id}", f"{to_beijing(x.at):%m-%d %H:%M}", x.staff_no or "（无）", x.summary, x.reason]
                    for x in p.breaches])
    if b.editorial is not None:
        document.add_heading(SECTIONS[6], level=1)
        _comment(document, b, 7)
        _table(document, ["来电", "时间", "意见建议", "办理情况（记录）", "结果"],
               [[f"#{x.call_id}", f"{to_beijing(x.at):%m-%d %H:%M}", x.question, x.handling, x.outcome or "—"]
                for x in b.editorial.suggestions], "本期没有纳税人意见建议。")
    if len(b.period.key) == 7:  # monthly
        document.add_heading(SECTIONS[7], level=1)
        _comment(document, b, 8)
        if not b.campaigns:
            document.add_paragraph("本月没有结束的专题答疑活动。")
        for c in b.campaigns:
            document.add_heading(f"{c.campaign.title}（{c.campaign.starts_on} 至 {c.campaign.ends_on}，{c.campaign.hours}）",
                                 level=2)
            document.add_paragraph(f"负责部门：{'、'.join(c.campaign.departments or [])}；活动期间来电 {c.calls} 个。")
            _table(document, ["序号", "问题", "次数"], [[i, w, n] for i, (w, n) in enumerate(c.top_questions, 1)],
                   "活动期间没有相关来电。")
            document.add_paragraph("新增问答：" + ("；".join(f"{q}（#{i}）" for i, q in c.new_faq) or "无"))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
