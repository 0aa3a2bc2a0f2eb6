"""Article-by-article comparison of two versions, on 发票管理办法 2019 and 2023 (no Flask)."""
from __future__ import annotations

from sqlalchemy import select

from kb.library.compare import ADDED, CHANGED, REMOVED, RENUMBERED, UNCHANGED, compare_documents
from kb.library.models import Document


def _invoice_versions(import_tax, session):
    import_tax("发票管理办法(2019-03-02).md", "发票管理办法(2023-07-20).md")
    old, new = sorted(session.scalars(select(Document)).all(), key=lambda d: d.version_date)
    return old, new


def test_the_2023_revision_deletes_two_articles_and_renumbers_the_rest(import_tax, session):
    old, new = _invoice_versions(import_tax, session)
    comparison = compare_documents(old, new)
    removed = [c.old.label for c in comparison.changes if c.kind == REMOVED]
    assert removed == ["第十八条", "第三十四条"]  # the 保证金 article and the 核对卡 article
    assert comparison.count(ADDED) == 0
    moved = {c.old.label: c.new.label for c in comparison.changes if c.kind == RENUMBERED}
    assert moved["第十九条"] == "第十八条"
    assert moved["第三十五条"] == "第三十三条"
    assert moved["第四十五条"] == "第四十三条"
    # every article of both versions appears exactly once
    assert sorted(c.new.label for c in comparison.changes if c.new) == sorted(u.label for u in new.units if u.kind == "article")
    assert sorted(c.old.label for c in comparison.changes if c.old) == sorted(u.label for u in old.units if u.kind == "article")


def test_edited_articles_carry_a_character_diff(import_tax, session):
    old, new = _invoice_versions(import_tax, session)
    changes = {c.new.label: c for c in compare_documents(old, new).changes if c.new}
    third = changes["第三条"]
    assert third.kind == CHANGED
    inserted = "".join(text for op, text in third.diff if op == "insert")
    assert "电子发票" in inserted
    assert changes["第一条"].kind == UNCHANGED and changes["第一条"].diff == []


def test_results_follow_the_new_order_with_removed_articles_in_place(import_tax, session):
    old, new = _invoice_versions(import_tax, session)
    labels = [(c.old.label if c.old else None, c.new.label if c.new else None) for c in compare_documents(old, new).changes]
    assert labels.index(("第十八条", None)) == labels.index(("第十七条", "第十七条")) + 1


def test_comparing_a_version_with_itself_changes_nothing(import_tax, session):
    _old, new = _invoice_versions(import_tax, session)
    comparison = compare_documents(new, new)
    assert comparison.summary[UNCHANGED] == len([u for u in new.units if u.kind == "article"])
