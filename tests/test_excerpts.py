"""The call record's 答复内容 from a copied article: the matching 款/项 with its citation, never the
whole article (real articles of the shipped library; no Flask)."""
from __future__ import annotations

from sqlalchemy import select

from kb.library.excerpts import EXCERPT_LIMIT, answer_excerpt, matching_paragraph
from kb.library.models import Document, Unit

INVOICES = "发票管理办法(2023-07-20).md"


def _article(session, label: str) -> Unit:
    return session.scalars(select(Unit).join(Document).where(Unit.label == label)).one()


def test_the_paragraph_that_matches_the_question_is_quoted(import_tax, session_factory):
    import_tax(INVOICES)
    with session_factory() as session:
        article = _article(session, "第三十四条")  # first 款 about 空白发票, second about 丢失发票
        excerpt = answer_excerpt(article, ["发票", "丢失发票"])
        assert excerpt == "根据《中华人民共和国发票管理办法》第三十四条第二款：丢失发票或者擅自损毁发票的，依照前款规定处罚。"
        assert "空白发票" not in excerpt
        assert matching_paragraph(article, ["空白发票", "发票"])[0] == 1


def test_the_matching_items_come_with_their_lead_in(import_tax, session_factory):
    import_tax(INVOICES)
    with session_factory() as session:
        article = _article(session, "第二十三条")
        number, text = matching_paragraph(article, ["拆本使用"])
        assert number == 1
        assert text.startswith("任何单位和个人应当按照发票管理规定使用发票，不得有下列行为：")
        assert "（三）拆本使用发票" in text and "（一）" not in text


def test_without_matched_terms_a_short_excerpt_of_the_first_paragraph(import_tax, session_factory):
    import_tax(INVOICES)
    with session_factory() as session:
        article = _article(session, "第二十三条")
        excerpt = answer_excerpt(article, [])
        body = excerpt.split("：", 1)[1]
        assert excerpt.startswith("根据《中华人民共和国发票管理办法》第二十三条第一款：任何单位和个人")
        assert len(body) <= EXCERPT_LIMIT + 2 and body.endswith("……")
        assert len(excerpt) < len(article.text)
