"""Short names of documents derived by rule from their titles (kb.library.titles), on the shipped library."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from kb.library.titles import short_names_for

CATALOG = Path(__file__).resolve().parent.parent / "policies" / "tax" / "catalog.csv"


@pytest.mark.parametrize("title, name", [
    ("中华人民共和国税收征收管理法", "征管法"),
    ("中华人民共和国税收征收管理法实施细则", "征管法细则"),
    ("中华人民共和国个人所得税法实施条例", "个税法实施条例"),
    ("中华人民共和国个人所得税法实施条例", "个税条例"),
    ("中华人民共和国发票管理办法", "发票办法"),
    ("中华人民共和国增值税暂行条例", "增值税条例"),
    ("中华人民共和国车辆购置税法", "车购税法"),
    ("中华人民共和国环境保护税法实施条例", "环保税法实施条例"),
    ("中华人民共和国城市维护建设税法", "城建税法"),
    ("中华人民共和国土地增值税暂行条例", "土增税条例"),
    # a title nobody listed gets its names by the same rules
    ("中华人民共和国车辆购置税法实施细则", "车购税法细则"),
])
def test_short_names_come_from_rules(title, name):
    assert name in short_names_for(title)


def test_every_title_of_the_library_gets_its_comparable_name_and_no_bare_kind():
    titles = {row["title"] for row in csv.DictReader(CATALOG.read_text(encoding="utf-8").splitlines())}
    for title in titles:
        names = short_names_for(title)
        assert title.removeprefix("中华人民共和国") in names + [title]
        assert not {"法", "条例", "细则", "办法", "实施条例"} & set(names)
