"""What an uploaded document's metadata probably is, from its own text, for the policy office to confirm.

The issuing form names the level and the issuer (国务院令 or a 国务院 decision revising it → 行政法规, 国务院; 主席令 or
an NPC session → 法律, 全国人民代表大会(常务委员会); 国家税务总局令 → 部门规章; 总局公告, 财税〔〕 → 规范性文件; 法释〔〕 →
司法解释); without one, the title's own form (…法, …条例, …实施细则, …办法). The tax types are those
the title names, else those the text names most often. A new document is in force (有效) unless the
office says otherwise. Everything inferred is shown in the form to be confirmed, never stored unseen.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from kb.hotline.departments import TAX_TYPES
from kb.library.models import IN_FORCE
from kb.library.parsing.blocks import ParsedDocument

# (pattern in the head of the text, level, issuer), the first that matches wins
ISSUING_FORMS = (
    (re.compile(r"主席令"), "法律", "全国人民代表大会常务委员会"),
    (re.compile(r"全国人民代表大会常务委员会"), "法律", "全国人民代表大会常务委员会"),
    (re.compile(r"全国人民代表大会第"), "法律", "全国人民代表大会"),
    (re.compile(r"国务院令|国务院批准|《国务院关于修改"), "行政法规", "国务院"),
    (re.compile(r"法释〔"), "司法解释", "最高人民法院"),
    (re.compile(r"(?:国家税务总局|税务总局)令"), "部门规章", "国家税务总局"),
    (re.compile(r"财政部令"), "部门规章", "财政部"),
    (re.compile(r"财政部\s*(?:国家)?税务总局公告|财税〔"), "规范性文件", "财政部、国家税务总局"),
    (re.compile(r"国家税务总局公告|税务总局公告|税总发〔|税总函〔"), "规范性文件", "国家税务总局"),
)
_TITLE_FORMS = (
    (re.compile(r"^最高人民(?:法院|检察院).*解释$"), "司法解释"),
    (re.compile(r"^中华人民共和国.+法$|^.+法$"), "法律"),
    (re.compile(r"(?:暂行)?条例$|实施细则$"), "行政法规"),
    (re.compile(r"公告$|通知$|规定$|办法$"), "规范性文件"),
)
HEAD_CHARS = 1500
MAX_TAX_TYPES = 3


@dataclass
class InferredMeta:
    level: str | None = None
    issuer: str | None = None
    status: str = IN_FORCE
    tax_types: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)  # field → why, shown beside it


def _head(parsed: ParsedDocument) -> str:
    text = "\n".join([parsed.title or "", *parsed.history, *(u.text for u in parsed.units[:3])])
    return text[:HEAD_CHARS]


def infer_metadata(parsed: ParsedDocument) -> InferredMeta:
    inferred = InferredMeta()
    head = _head(parsed)
    for pattern, level, issuer in ISSUING_FORMS:
        match = pattern.search(head)
        if match:
            inferred.level, inferred.issuer = level, issuer
            inferred.reasons["level"] = inferred.reasons["issuer"] = f"文中有“{match.group(0).strip('〔《')}”"
            break
    else:
        title = (parsed.title or "").strip()
        for pattern, level in _TITLE_FORMS:
            if pattern.search(title):
                inferred.level = level
                inferred.reasons["level"] = "按标题的形式"
                break
    title_taxes = [t for t in TAX_TYPES if t in (parsed.title or "")]
    if title_taxes:
        inferred.tax_types = title_taxes[:MAX_TAX_TYPES]
        inferred.reasons["tax_types"] = "标题中的税种"
    else:
        body = "\n".join(u.text for u in parsed.units)
        counts = Counter({t: body.count(t) for t in TAX_TYPES})
        inferred.tax_types = [t for t, n in counts.most_common(MAX_TAX_TYPES) if n >= 3]
        if inferred.tax_types:
            inferred.reasons["tax_types"] = "正文中出现最多的税种"
    return inferred
