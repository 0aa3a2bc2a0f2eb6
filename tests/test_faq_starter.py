"""The starter FAQ shipped in policies/faq: it loads, every citation is in force, and the figures and
evidence phrases of each answer are found verbatim in the articles it cites."""
from __future__ import annotations

import json
import re

from kb.core.actors import SYSTEM
from kb.faq.operations import list_entries
from kb.faq.citations import resolve_citation
from kb.faq.import_export import import_faq, read_faq_file
from kb.faq.models import PUBLISHED
from tests.conftest import POLICIES

STARTER = POLICIES / "faq" / "starter.json"
# Rates, amounts, days, years as written in answers: 25％, 1.2%, 36000, 万分之五, 十五日, 六万元.
FIGURE = re.compile(r"\d+(?:\.\d+)?(?:%|％|‰)?|(?:百分之|千分之|万分之)[零一二三四五六七八九十点]+"
                    r"|[零一二三四五六七八九十百千万两]+(?:日|个月|年|元|万元|倍|天|人)")
TOPICS = ("申报期限", "逾期申报", "滞纳金", "发票丢", "小规模纳税人", "综合所得的税率", "专项附加扣除", "汇算清缴",
          "车船税", "契税", "印花税", "房产税", "土地增值税", "延期缴纳", "纳税担保", "行政复议", "税务登记",
          "保存多少年", "多缴", "减税、免税")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def test_starter_set_loads_and_is_published(import_tax, session):
    import_tax()
    rows = read_faq_file(STARTER)
    report = import_faq(session, SYSTEM, rows)
    assert report.problems == []
    assert report.created == len(rows) >= 40
    entries = list_entries(session)
    assert all(e.status == PUBLISHED and e.citations and e.answer and e.phrasings for e in entries)
    assert all(c.in_force for e in entries for c in e.citations)
    questions = " ".join(e.question + " " + " ".join(e.phrasings) + " " + e.answer for e in entries)
    assert [t for t in TOPICS if t not in questions] == []


def test_every_answer_rests_on_the_text_it_cites(import_tax, session):
    import_tax()
    for entry in json.loads(STARTER.read_text(encoding="utf-8")):
        units = [resolve_citation(session, citation).unit for citation in entry["citations"]]
        assert all(u.document.is_current for u in units), entry["question"]
        cited = "".join(_squash(u.text) for u in units)
        assert entry["evidence"], entry["question"]
        for phrase in entry["evidence"]:
            assert _squash(phrase) in cited, (entry["question"], phrase)
        for figure in set(FIGURE.findall(entry["answer"])):
            assert figure in cited, (entry["question"], figure)
