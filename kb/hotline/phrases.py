"""The hotline's standard service phrases (文明服务用语), grouped by situation.

Read from the library (the 内部制度 document, or unit, titled 文明服务用语): each line starting
with a dash "——" is a phrase, the line before a run of phrases names the situation. When the
library has no such rules, the rules' own list (``SHIPPED``, word for word) is used.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kb.library.models import Document, Unit

TITLE_KEY = "文明服务用语"
_DASH = re.compile(r"^[—\-－]{1,3}\s*")
_ALTERNATIVE = re.compile(r"^[（(](.+[?？。!！])[)）]$")
_NUMBER = re.compile(r"^[（(]?[一二三四五六七八九十\d]+[)）、.．]\s*")


@dataclass
class PhraseGroup:
    situation: str
    phrases: list[str] = field(default_factory=list)
    cases: dict[str, str] = field(default_factory=dict)   # phrase -> the case it is for (特殊情况的处理)


# The rules' own list (“12366”咨询服务员服务承诺·文明服务用语), word for word: 8 situations, 16 phrases
# (15 dash lines and the bracketed alternative of one; four cases under 特殊情况的处理).
SHIPPED: tuple[PhraseGroup, ...] = (
    PhraseGroup("接听电话", ["您好,国税“12366”,请讲。"]),
    PhraseGroup("取消“保持”与纳税人重新对话时", ["对不起,让您久等了。"]),
    PhraseGroup("解答完毕后确认", ["请问您还有其他问题吗?", "请问还有什么可以帮您吗?", "请问您清楚了吗?"]),
    PhraseGroup("需转接处理", ["请稍候,我们请***(部门)的专家为您解答这个问题。"]),
    PhraseGroup("需回复电话", ["为了方便与您联系,请留下您姓名、联系电话等信息,好吗?"]),
    PhraseGroup("回复电话时", ["您好,这里是12366服务热线,您昨天咨询的问题现在给您答复……."]),
    PhraseGroup("电话结束前", ["我们会尽快回复您,再见。", "如果您有什么需要帮忙,欢迎随时拨打我们的电话,再见!"]),
    PhraseGroup("特殊情况的处理", [
        "您好,这里是12366税收服务热线,请您查证后再拨。再见!", "我们的工作还需要改进,希望得到您的支持。",
        "请您讲普通话,好吗?", "请您大声一点,好吗?", "对不起,您能讲慢一些吗。", "请您再重复一遍,好吗?"],
        cases={"您好,这里是12366税收服务热线,请您查证后再拨。再见!": "对方打错电话",
               "我们的工作还需要改进,希望得到您的支持。": "对方不友好", "请您讲普通话,好吗?": "对方用方言听不懂时",
               "请您大声一点,好吗?": "听不清问题"}),
)


def parse_phrases(lines: list[str]) -> list[PhraseGroup]:
    groups: list[PhraseGroup] = []
    situation = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if _DASH.match(line):
            phrase = _DASH.sub("", line)
            if not groups or groups[-1].situation != situation:
                groups.append(PhraseGroup(situation or "常用"))
            groups[-1].phrases.append(phrase)
        elif groups and groups[-1].situation == situation and _ALTERNATIVE.match(line):
            groups[-1].phrases.append(_ALTERNATIVE.match(line).group(1))  # "(请问还有什么可以帮您吗?)"
        elif groups and groups[-1].situation == situation and len(line) <= 4 and line[-1] in "!！。?？":
            groups[-1].phrases[-1] += line  # a phrase broken over two lines ("再见！")
        else:
            situation = _NUMBER.sub("", line).strip("：:") or situation
    return [g for g in groups if g.phrases]


def _unit_lines(unit: Unit) -> list[str]:
    lines = []
    for paragraph in unit.paragraphs or []:
        lines.extend((paragraph.get("text") or "").splitlines())
        for item in paragraph.get("items") or []:
            lines.extend(f"{item.get('label', '')}{item.get('text', '')}".splitlines())
    if not lines:
        lines = (unit.text or "").splitlines()
    if unit.label and TITLE_KEY not in unit.label and not _DASH.match(unit.label):
        lines.insert(0, unit.label)
    return lines


def service_phrases(session: Session) -> list[PhraseGroup]:
    """The phrases from the library's rules, or the shipped list."""
    documents = session.scalars(select(Document).where(Document.title.contains(TITLE_KEY))).all()
    units: list[Unit] = [u for d in documents for u in d.units]
    if not units:
        units = list(session.scalars(
            select(Unit).where(or_(Unit.label.contains(TITLE_KEY), Unit.chapter.contains(TITLE_KEY))).order_by(Unit.document_id, Unit.seq)))
    lines = [line for unit in units for line in _unit_lines(unit)]
    return parse_phrases(lines) or list(SHIPPED)
