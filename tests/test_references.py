"""Cross-references on real laws: 《…》 to other documents (whatever the import order), 本法第X条
to articles, 前款/本条第X款/前两款 to paragraphs, 《…税目税率表》 to the document's own table."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from kb.library.models import Document, Reference, Unit
from kb.library.references import find_references, target_unit

STAMP = "印花税法(2021-06-10).md"
COLLECTION = "税收征收管理法(2015-04-24).md"
IIT = "个人所得税法(2018-08-31).md"


def _document(session, name) -> Document:
    return session.scalars(select(Document).where(Document.source_name == name)).one()


def _references(session, name, label) -> list[Reference]:
    return session.scalars(
        select(Reference).join(Unit).join(Document)
        .where(Document.source_name == name, Unit.label == label).order_by(Reference.start)
    ).all()


@pytest.mark.parametrize("order", [(STAMP, COLLECTION), (COLLECTION, STAMP)])
def test_mentions_of_the_collection_law_link_to_it_in_any_order(import_tax, session, order):
    for name in order:
        import_tax(name)
    collection = _document(session, COLLECTION)
    for label in ("第十八条", "第十九条"):
        (mention,) = [r for r in _references(session, STAMP, label) if r.kind == "document"]
        assert mention.mention == "《中华人民共和国税收征收管理法》"
        assert mention.target_document_id == collection.id
        unit = mention.unit
        assert unit.text[mention.start:mention.end] == mention.mention


def test_mention_of_a_document_not_in_the_library_waits_for_it(import_tax, session):
    import_tax(STAMP)
    (pending,) = [r for r in _references(session, STAMP, "第二十条") if r.kind == "document"]
    assert pending.target_title == "中华人民共和国印花税暂行条例" and pending.target_document_id is None
    import_tax("印花税暂行条例(2011-01-08).md")
    session.expire_all()
    assert pending.target_document_id == _document(session, "印花税暂行条例(2011-01-08).md").id


def test_own_rate_table_mention_links_to_the_table(import_tax, session):
    import_tax(STAMP)
    (mention,) = _references(session, STAMP, "第二条")
    assert mention.kind == "attachment" and mention.target_label == "印花税税目税率表"
    assert mention.target_document_id == _document(session, STAMP).id
    row = target_unit(session, mention)
    assert row.kind == "table_row" and "借款合同" in row.text


def test_rate_table_notes_citing_this_law_link_to_article_six(import_tax, session):
    import_tax(IIT)
    document = _document(session, IIT)
    notes = [r for r in session.scalars(select(Reference).join(Unit).where(Unit.kind == "attachment")).all()
             if r.mention == "本法第六条"]
    assert len(notes) == 2
    for reference in notes:
        assert reference.unit.label.startswith("个人所得税税率表")
        assert reference.target_document_id == document.id and reference.target_label == "第六条"
        article = target_unit(session, reference)
        assert article.document_id == document.id and article.label == "第六条"
        assert article.text.startswith("应纳税所得额的计算")


def test_this_law_article_references_in_the_collection_law(import_tax, session):
    import_tax(COLLECTION)
    (reference,) = [r for r in _references(session, COLLECTION, "第八十八条") if r.kind == "article"]
    assert reference.mention == "本法第四十条"
    target = target_unit(session, reference)
    assert target.label == "第四十条" and "强制执行措施" in target.text


@pytest.mark.parametrize("label, paragraph, target", [
    ("第二十二条", 2, 1),   # 未经前款规定的税务机关指定，不得印制发票。
    ("第五十二条", 3, 2),   # ……不受前款规定期限的限制。
    ("第十五条", 3, 1),     # 本条第一款规定以外的纳税人
])
def test_previous_paragraph_links_to_the_right_paragraph(import_tax, session, label, paragraph, target):
    import_tax(COLLECTION)
    (reference,) = [r for r in _references(session, COLLECTION, label) if r.kind == "paragraph"]
    unit = reference.unit
    assert reference.target_paragraph == target and reference.target_label == label
    assert reference.target_document_id == unit.document_id
    assert target_unit(session, reference) == unit
    # The mention sits in the paragraph after the target one.
    starts = [0]
    for p in unit.paragraphs:
        starts.append(starts[-1] + len(p["text"]) + 1 + sum(len(i["label"]) + len(i["text"]) + 1 for i in p["items"]))
    assert starts[paragraph - 1] <= reference.start < starts[paragraph]
    assert unit.text[reference.start:reference.end] == reference.mention


def test_previous_two_paragraphs_link_to_both(import_tax, session):
    import_tax("增值税法(2024-12-25).md")
    found = [r for r in session.scalars(select(Reference)).all() if r.mention == "前两款"]
    assert found
    unit = found[0].unit
    assert sorted(r.target_paragraph for r in found if r.unit_id == unit.id) == [1, 2]
    assert len(unit.paragraphs) >= 3


def test_find_references_on_plain_paragraphs():
    paragraphs = [
        {"text": "纳税人应当依照《中华人民共和国税收征收管理法》第二十五条的规定办理申报。", "items": []},
        {"text": "前款规定的期限，依照本法第三十二条第二款执行。", "items": [{"label": "（一）", "text": "本条第一款所称的纳税人"}]},
    ]
    found = find_references(paragraphs)
    kinds = [(r.kind, r.target_title, r.target_label, r.target_paragraph) for r in found]
    assert ("article", "中华人民共和国税收征收管理法", "第二十五条", None) in kinds
    assert ("article", None, "第三十二条", 2) in kinds
    assert ("paragraph", None, None, 1) in kinds
    text = "\n".join([paragraphs[0]["text"], paragraphs[1]["text"], "（一）本条第一款所称的纳税人"])
    assert all(text[r.start:r.end] == r.mention for r in found)
