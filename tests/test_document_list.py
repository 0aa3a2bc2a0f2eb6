"""The 政策库 list: laws before regulations before internal rules, and filters by title, short name,
文号, level, status and tax type (the shipped library; no Flask)."""
from __future__ import annotations

import pytest

from kb.library.articles import all_documents
from kb.library.importing import import_paths, load_catalog
from tests.conftest import POLICIES, TAX

HOTLINE = POLICIES / "hotline"


@pytest.fixture
def library(session_factory, tax_catalog):
    names = ["税收征收管理法(2015-04-24).md", "发票管理办法(2019-03-02).md", "发票管理办法(2023-07-20).md"]
    report = import_paths(session_factory, [TAX / n for n in names], {k: v for k, v in tax_catalog.items() if k in names})
    assert report.ok
    rules = "12366咨询服务员工作细则.txt"
    catalog = load_catalog(HOTLINE / "catalog.csv")
    report = import_paths(session_factory, [HOTLINE / rules], {k: v for k, v in catalog.items() if k == rules})
    assert report.ok


def test_laws_come_first_and_internal_rules_last(library, session):
    documents = all_documents(session)
    assert [d.level for d in documents] == ["法律", "行政法规", "行政法规", "内部制度"]
    assert [d.version_date.year for d in documents[1:3]] == [2023, 2019]  # the latest version first


def test_the_list_is_filtered(library, session):
    assert [d.title for d in all_documents(session, {"q": "征管法"})] == ["中华人民共和国税收征收管理法"]
    invoices = all_documents(session, {"q": "发票", "status": "有效"})
    assert [(d.title, d.version_date.year) for d in invoices] == [("中华人民共和国发票管理办法", 2023)]
    assert [d.level for d in all_documents(session, {"level": "内部制度"})] == ["内部制度"]
    assert all_documents(session, {"q": "不存在的办法"}) == []


def test_each_version_carries_the_number_of_the_decision_that_revised_it(library, session):
    numbers = {d.version_date.year: d.doc_number for d in all_documents(session, {"q": "发票管理办法"})}
    assert numbers == {2019: "国务院令第709号", 2023: "国务院令第764号"}  # not 1993's 财政部令第6号
