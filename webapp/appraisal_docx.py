"""The 半年小结 / 年终总结 of the appraisal as a Word document (python-docx), one section per agent."""
from __future__ import annotations

import io

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH

from kb.reports.appraisal_history import Summary
from webapp.bulletin_docx import _font, _table


def summaries_docx(title: str, summaries: list[Summary]) -> bytes:
    document = docx.Document()
    _font(document)
    heading = document.add_heading(f"“12366”咨询服务员考核{title}", level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if not summaries:
        document.add_paragraph("本期没有已结束的月份或没有咨询服务员。")
    for s in summaries:
        document.add_heading(f"{s.agent.display_name or s.agent.username}（工号 {s.agent.staff_no or '—'}）", level=1)
        average = "—" if s.average_total is None else f"{s.average_total:g}"
        document.add_paragraph(
            f"目标责任制考核平均 {average} 分；较差 {len(s.poor_months)} 次"
            f"{'（' + '、'.join(s.poor_months) + '）' if s.poor_months else ''}；绩效工资合计 {s.pay_yuan:+g} 元"
            f"{'；' + '、'.join(s.flags) if s.flags else ''}。")
        _table(document, ["月份", "目标考核得分", "评定", "提示", "绩效得分", "绩效工资（元）", "状态"],
               [[m.label, f"{m.total:g}", m.rating, "、".join(m.flags + m.pay_flags) or "—", f"{m.pay_points:g}",
                 f"{m.pay_yuan:+g}", "已公布" if m.published else "未公布"] for m in s.months], empty="本期没有已结束的月份。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
