"""Versions and idempotency: re-importing changes nothing, a later revision marks the older one
已修订 with a link to it (in either order, with or without the catalog), a corrected file replaces
the text, and catalog successor names resolve whatever the import order."""
from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest
from sqlalchemy import select

from kb.library.catalog import DocumentMeta
from kb.library.importing import import_one, import_paths
from kb.library.operations import find_document_by_name
from kb.library.models import Document, Unit
from tests.conftest import TAX

PAIRS = [
    ("发票管理办法(2019-03-02).md", "发票管理办法(2023-07-20).md"),
    ("会计法(2017-11-04).md", "会计法(2024-06-28).md"),
    ("行政复议法(2017-09-01).md", "行政复议法(2023-09-01).md"),
]


def _import(factory, *names, catalog=None, folder=TAX, as_names=None):
    for index, name in enumerate(names):
        stored = as_names[index] if as_names else name
        result, _ = import_one(factory, stored, (folder / name).read_bytes(), (catalog or {}).get(name))
        assert result.error is None, result.error
    return result


def _last_history_date(name) -> dt.date:
    header = (TAX / name).read_text(encoding="utf-8").split("<!-- INFO END -->")[0]
    year, month, day = re.findall(r"(\d{4})年(\d{1,2})月(\d{1,2})日", header)[-1]
    return dt.date(int(year), int(month), int(day))


def _by_source(session, name) -> Document:
    return session.scalars(select(Document).where(Document.source_name == name)).one()


def _snapshot(session):
    return sorted(session.execute(select(Unit.id, Unit.document_id, Unit.label, Unit.text)).all())


@pytest.mark.parametrize("older, newer", PAIRS)
@pytest.mark.parametrize("order", ["older first", "newer first"])
def test_later_revision_marks_the_older_one_revised_without_catalog(session_factory, session, older, newer, order):
    _import(session_factory, *((older, newer) if order == "older first" else (newer, older)))
    old, new = _by_source(session, older), _by_source(session, newer)
    assert old.title == new.title
    assert old.status == "已修订" and old.superseded_by_id == new.id
    assert new.status == "有效" and new.superseded_by_id is None
    assert find_document_by_name(session, newer.removesuffix(".md")) == new


@pytest.mark.parametrize("older, newer", PAIRS)
def test_dates_come_from_the_history_lines_when_the_file_name_has_none(session_factory, session, older, newer):
    _import(session_factory, newer, older, as_names=["新版.md", "旧版.md"])
    old, new = _by_source(session, "旧版.md"), _by_source(session, "新版.md")
    # The date of the last adoption/revision line (the 2019 发票管理办法 lists 2010 as its last).
    assert old.published_on == _last_history_date(older)
    assert new.published_on.isoformat() == newer[-14:-4]
    assert old.published_on < new.published_on
    assert old.status == "已修订" and old.superseded_by == new


@pytest.mark.parametrize("order", ["older first", "newer first"])
def test_catalog_versions_in_either_order(session_factory, session, tax_catalog, order):
    older, newer = PAIRS[0]
    _import(session_factory, *((older, newer) if order == "older first" else (newer, older)), catalog=tax_catalog)
    old, new = _by_source(session, older), _by_source(session, newer)
    assert (old.status, old.superseded_by_id) == ("已修订", new.id)
    assert new.status == "有效" and new.effective_on == dt.date(2023, 7, 20)


def test_reimporting_the_same_file_changes_nothing(session_factory, session, import_tax):
    import_tax()
    before = _snapshot(session)
    documents = sorted(session.execute(select(Document.id, Document.status, Document.superseded_by_id)).all())
    report = import_tax()
    assert {f.action for f in report.files} == {"unchanged"}
    assert report.changed_document_ids == set()
    session.expire_all()
    assert _snapshot(session) == before
    assert sorted(session.execute(select(Document.id, Document.status, Document.superseded_by_id)).all()) == documents


def test_reimport_without_catalog_then_with_it_updates_metadata_only(session_factory, session, tax_catalog):
    name = "增值税法(2024-12-25).md"
    first = _import(session_factory, name)
    units = _snapshot(session)
    second = _import(session_factory, name, catalog=tax_catalog)
    assert second.action == "updated" and second.document_id == first.document_id
    assert _by_source(session, name).effective_on == dt.date(2026, 1, 1)
    assert _snapshot(session) == units
    assert _import(session_factory, name, catalog=tax_catalog).action == "unchanged"


def test_a_corrected_file_with_the_same_title_and_date_replaces_the_text(tmp_path, session_factory, session):
    name = "发票管理办法(2023-07-20).md"
    first = _import(session_factory, name)
    corrected = (TAX / name).read_text(encoding="utf-8").replace("第一条 为了", "第一条　（更正稿）为了")
    (tmp_path / name).write_text(corrected, encoding="utf-8")
    second = _import(session_factory, name, folder=tmp_path)
    assert second.action == "replaced" and second.document_id == first.document_id
    assert session.scalar(select(Document.id).where(Document.title == "中华人民共和国发票管理办法")) == first.document_id
    article = session.scalars(select(Unit).where(Unit.label == "第一条")).one()
    assert article.text.startswith("（更正稿）为了")
    assert session.scalar(select(Unit.id).where(Unit.label == "第二条")) is not None
    assert len(session.scalars(select(Unit).where(Unit.label == "第一条")).all()) == 1


@pytest.mark.parametrize("successor_name", ["增值税法", "中华人民共和国增值税法", "增值税法(2024-12-25)",
                                            "《中华人民共和国增值税法》", "增值税法(2024-12-25).md"])
@pytest.mark.parametrize("order", ["old first", "new first"])
def test_catalog_successor_names_resolve_in_any_order(session_factory, session, tax_catalog, successor_name, order):
    old_name, new_name = "增值税暂行条例(2017-11-19).md", "增值税法(2024-12-25).md"
    catalog = dict(tax_catalog)
    meta = catalog[old_name]
    catalog[old_name] = DocumentMeta(**{**meta.__dict__, "superseded_by": successor_name})
    _import(session_factory, *((old_name, new_name) if order == "old first" else (new_name, old_name)), catalog=catalog)
    old, new = _by_source(session, old_name), _by_source(session, new_name)
    assert old.superseded_by_id == new.id and old.status == "失效"
    assert new.superseded_by_id is None and new.status == "有效"


def test_successor_version_named_with_date_links_to_that_version(session_factory, session, tax_catalog, tmp_path):
    # The 2019 发票管理办法 names "发票管理办法(2023-07-20)"; it must not link to a later copy.
    for name in ("发票管理办法(2019-03-02).md", "发票管理办法(2023-07-20).md"):
        shutil.copy(TAX / name, tmp_path / name)
    catalog = {k: v for k, v in tax_catalog.items() if k.startswith("发票管理办法")}
    report = import_paths(session_factory, [tmp_path], catalog)
    assert report.ok
    old = _by_source(session, "发票管理办法(2019-03-02).md")
    assert old.superseded_by.source_name == "发票管理办法(2023-07-20).md"
    assert old.superseded_by_name == "发票管理办法(2023-07-20)"
