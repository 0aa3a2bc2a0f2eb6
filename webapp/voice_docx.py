"""The whole voice menu as a printable script (.docx, python-docx): for the agents who record it and
for the director's sign-off. Key by key: the topic, each announcement with when it plays, its text,
the FAQ entries it rests on and its status (需复核 marked); then the 语音信箱 greetings.
"""
from __future__ import annotations

import datetime as dt
import io

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH

from kb.channels.voice_menu import NEEDS_REVIEW, MenuLine, period_label
from kb.channels.voice_recordings import current_recording
from kb.channels.models import VoiceAnnouncement
from webapp.bulletin_docx import _font, _page
from kb.core.timestamps import to_beijing

TITLE = "12366语音服务播报稿"


def _announcement(document, announcement: VoiceAnnouncement, status: str | None = None,
                  plays_today: bool = False) -> None:
    head = document.add_paragraph()
    head.add_run(announcement.title).bold = True
    facts = [f"第 {announcement.version} 版", f"播放时段：{period_label(announcement)}"]
    if plays_today:
        facts.append("今日播放")
    if announcement.faq_ids:
        facts.append("依据问答：" + "、".join(str(i) for i in announcement.faq_ids))
    recording = current_recording(announcement)
    facts.append(f"录音：{recording.recorded_by_name} {to_beijing(recording.recorded_at):%Y-%m-%d}" if recording else "录音：未录制")
    head.add_run("（" + "；".join(facts) + "）")
    if status == NEEDS_REVIEW:
        warning = head.add_run(" 【需复核】")
        warning.bold = True
    document.add_paragraph(announcement.text)


def voice_menu_docx(lines: list[MenuLine], greetings: list[VoiceAnnouncement], day: dt.date) -> bytes:
    document = docx.Document()
    _page(document)
    _font(document)
    heading = document.add_heading(TITLE, level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    meta = document.add_paragraph(f"{day:%Y-%m-%d} 生成　共 {len(lines)} 条菜单播报")
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    document.add_heading("一、自助语音菜单", level=1)
    if not lines:
        document.add_paragraph("尚无菜单播报。")
    topic = None
    for line in lines:
        if (line.keys, line.topic) != topic:
            topic = (line.keys, line.topic)
            document.add_heading(f"按键 {line.keys}　{line.topic}", level=2)
        _announcement(document, line.announcement, line.status, line.plays_today)
    document.add_heading("二、语音信箱提示", level=1)
    active = [g for g in greetings if g.active]
    if not active:
        document.add_paragraph("尚无语音信箱提示。")
    for greeting in active:
        _announcement(document, greeting)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
