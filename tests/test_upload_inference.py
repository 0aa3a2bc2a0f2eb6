"""Metadata inferred from an uploaded document's own text (shipped library files; no Flask)."""
from __future__ import annotations

from kb.library.importing import load_catalog
from kb.library.parsing import parse_file
from kb.library.upload_inference import infer_metadata
from tests.conftest import TAX


def _inferred(name: str):
    return infer_metadata(parse_file(name, (TAX / name).read_bytes()))


def test_the_issuing_form_gives_level_and_issuer():
    regulation = _inferred("增值税暂行条例(2017-11-19).md")  # 国务院令第134号
    assert (regulation.level, regulation.issuer, regulation.status) == ("行政法规", "国务院", "有效")
    assert regulation.tax_types == ["增值税"]
    invoices = _inferred("发票管理办法(2023-07-20).md")  # 财政部令 first, but approved and revised by the State Council
    assert (invoices.level, invoices.issuer) == ("行政法规", "国务院")
    law = _inferred("印花税法(2021-06-10).md")
    assert (law.level, law.issuer, law.tax_types) == ("法律", "全国人民代表大会常务委员会", ["印花税"])
    interpretation = _inferred("最高人民法院关于审理偷税抗税刑事案件具体应用法律若干问题的解释(2002-11-05).md")
    assert interpretation.level == "司法解释"


def test_the_inferred_level_agrees_with_the_catalog_for_most_of_the_library():
    catalog = load_catalog(TAX / "catalog.csv")
    judged = [(name, meta.level, _inferred(name).level) for name, meta in catalog.items()
              if meta.level and (TAX / name).exists()]
    wrong = [(name, want, got) for name, want, got in judged if got != want]
    assert len(judged) >= 40 and len(wrong) <= len(judged) // 10, wrong
