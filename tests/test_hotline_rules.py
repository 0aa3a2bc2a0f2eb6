"""The hotline's own rules (policies/hotline, split from the seed file that came from a .docx)
import as structured 内部制度 documents with the rest of the shipped library."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from kb.library.importing import import_library_folder, load_catalog
from kb.library.models import Document
from tests.conftest import POLICIES, ROOT

HOTLINE = POLICIES / "hotline"
SEED = ROOT / "tests" / "data" / "12366-hotline-rules.txt"  # ../shared/seed/, as delivered


@pytest.fixture
def library(session_factory, session):
    report = import_library_folder(session_factory, POLICIES)
    assert report.ok, (report.failed, report.errors)
    return report


def _hotline_document(session, title) -> Document:
    return session.scalars(select(Document).where(Document.title == title)).one()


def test_split_files_keep_the_seed_wording_verbatim():
    seed = SEED.read_text(encoding="utf-8").splitlines()
    assert "由会员分享" in seed[1]
    files = sorted(HOTLINE.glob("*.txt"))
    assert len(files) == 10
    texts = [path.read_bytes().decode("utf-8") for path in files]
    assert not any("由会员分享" in text or "冰豆网" in text or ".docx" in text for text in texts)
    # Only line breaks (and the table's cell breaks) changed: the characters are the seed's,
    # from the real title on (line 4), in the same order when the files are read in seed order.
    squeeze = lambda text: re.sub(r"\s", "", text)
    order = [name for name, *_ in (row.split(",") for row in (HOTLINE / "catalog.csv").read_text(encoding="utf-8").splitlines()[1:])]
    joined = "".join(squeeze((HOTLINE / name).read_text(encoding="utf-8")) for name in order)
    assert joined == squeeze("\n".join(seed[3:]))


def test_broken_lines_are_rejoined():
    promise = (HOTLINE / "12366咨询服务员服务承诺.txt").read_text(encoding="utf-8")
    assert "周一至周五上午8:30-12:00;下午2:00-6:00;中午12:00-2:00实行轮流值班。" in promise.splitlines()
    phrases = (HOTLINE / "文明服务用语.txt").read_text(encoding="utf-8").splitlines()
    assert "——您好,这里是12366税收服务热线,请您查证后再拨。再见!" in phrases
    assert ")" not in phrases


def test_catalog_describes_every_file():
    catalog = load_catalog(HOTLINE / "catalog.csv")
    assert set(catalog) == {path.name for path in HOTLINE.glob("*.txt")}
    for meta in catalog.values():
        assert (meta.level, meta.issuer, meta.status, meta.tax_types) == ("内部制度", "成都市国家税务局", "有效", ["热线管理"])


def test_management_measures_have_articles_one_to_ten(library, session):
    document = _hotline_document(session, "成都市国家税务局12366税收服务热线管理办法")
    assert document.level == "内部制度" and document.published_on == dt.date(2005, 6, 3)
    articles = [u for u in document.units if u.kind == "article"]
    assert [u.label for u in articles] == ["第一条", "第二条", "第三条", "第四条", "第五条",
                                          "第六条", "第七条", "第八条", "第九条", "第十条"]
    assert articles[0].text.startswith("为加强成都市国家税务局12366")
    assert [i["label"] for i in articles[1].paragraphs[1]["items"]] == ["(一)", "(二)", "(三)"]
    # The closing signature is not part of the last article.
    assert articles[-1].text == "本办法由成都市国家税务局负责解释。"
    assert document.history == ["成都市国家税务局", "二OO五年六月三日"]
    assert document.warnings == []


def test_director_duties_are_numbered_sections_dated_from_the_text(library, session):
    document = _hotline_document(session, "“12366”服务中心主任工作职责")
    assert [u.number for u in document.units if u.kind == "section"] == list(range(1, 10))
    assert document.published_on == dt.date(2005, 6, 10)


def test_work_rules_have_their_titled_sections(library, session):
    document = _hotline_document(session, "“12366”咨询服务员工作细则（试行）")
    sections = [u.label for u in document.units if u.kind == "section"]
    assert sections == ["一、业务范围", "二、工作职责", "三、工作原则", "四、基本工作程序", "五、考核与奖惩"]
    assert document.units[0].kind == "preamble" and "特制定本细则" in document.units[0].text
    duties = next(u for u in document.units if u.label == "二、工作职责")
    assert len(duties.paragraphs) == 6 and duties.paragraphs[-1]["text"] == "6、完成领导交办的其他工作。"


def test_service_phrases_stay_distinct(library, session):
    document = _hotline_document(session, "文明服务用语")
    sections = [u for u in document.units if u.kind == "section"]
    assert [u.label for u in sections] == [
        "(一)接听电话", "(二)取消“保持”与纳税人重新对话时", "(三)解答完毕后确认", "(四)需转接处理",
        "(五)需回复电话", "(六)回复电话时", "(七)电话结束前", "(八)特殊情况的处理",
    ]
    phrases = {u.label: [p["text"] for p in u.paragraphs if p["text"].startswith("——")] for u in sections}
    assert phrases["(一)接听电话"] == ["——您好,国税“12366”,请讲。"]
    assert phrases["(七)电话结束前"] == ["——我们会尽快回复您,再见。", "——如果您有什么需要帮忙,欢迎随时拨打我们的电话,再见!"]
    assert len(phrases["(八)特殊情况的处理"]) == 6
    assert sum(map(len, phrases.values())) == 15


def test_other_rules_are_sectioned(library, session):
    expected = {
        "“12366”咨询服务员职业道德规范": 6, "“12366”咨询服务员服务承诺": 5, "安全制度": 5, "卫生管理制度": 6,
        "绩效工资考核制度": 6,
    }
    for title, count in expected.items():
        document = _hotline_document(session, title)
        assert [u.number for u in document.units if u.kind == "section"] == list(range(1, count + 1)), title
    promise = _hotline_document(session, "“12366”咨询服务员服务承诺")
    assert [u.label for u in promise.units][:2] == ["一、服务目的", "二、服务时间"]


def test_assessment_form_rows_are_units(library, session):
    document = _hotline_document(session, "“12366”咨询服务员目标责任制考核表")
    rows = [u for u in document.units if u.kind == "table_row"]
    assert len(rows) == 7 and {r.label for r in rows} == {document.title}
    assert rows[3].text.startswith("序号：4；项目：工作态度；具体要求与评分标准：受话时态度生硬")
    assert rows[3].text.endswith("分值：25")
    notes = [u for u in document.units if u.kind == "section"]
    assert [u.label for u in notes] == ["1、", "2、", "3、"]


def test_shipped_library_loads_tax_and_hotline_documents(library, session):
    levels = session.scalars(select(Document.level)).all()
    assert len(levels) == 57 and levels.count("内部制度") == 10


def test_the_fallback_phrases_are_the_rules_word_for_word(session):
    from kb.hotline.phrases import SHIPPED, service_phrases

    lines = (HOTLINE / "文明服务用语.txt").read_text(encoding="utf-8").splitlines()
    written = [line[2:] for line in lines if line.startswith("——")] + [
        line[1:-1] for line in lines if line.startswith("(") and line.endswith(")")]
    shipped = [phrase for group in SHIPPED for phrase in group.phrases]
    assert len(SHIPPED) == 8 and len(shipped) == 16
    assert sorted(shipped) == sorted(written)
    situations = [re.sub(r"^\([一二三四五六七八]\)", "", line) for line in lines if re.match(r"^\([一二三四五六七八]\)", line)]
    assert [group.situation for group in SHIPPED] == situations
    cases = [re.sub(r"^\d、", "", line) for line in lines if re.match(r"^\d、", line)]
    assert list(SHIPPED[-1].cases.values()) == cases
    assert service_phrases(session) == list(SHIPPED)          # an empty library: the rules' own list
