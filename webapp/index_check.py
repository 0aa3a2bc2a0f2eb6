"""Does the search index match the database? ``flask check`` and its ``--repair``.

The index matches when it holds exactly one entry for every unit of the library (the same set of
unit ids), each carrying its document's current status, and exactly the published FAQ entries
(``indexer.faq_index_entries``), and when every indexed article has its sentence vector beside the index
(``indexer.vectors``: a build or an update stopped while encoding leaves them to search by words alone; an
import still encoding shows the same for a moment), and when the table of candidates by meaning
(``indexer.nearest``) holds exactly those entries (a repair writes it again from the vector files). A
repair re-indexes only the documents that differ, through ``webapp.search_index.index_documents``
(entries of deleted documents are removed the same way); an FAQ difference rebuilds the whole index.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from flask import Flask

from indexer import nearest
from kb.search.index_contents import expected_index
from webapp import search_index


@dataclass
class IndexReport:
    units: int = 0  # in the database
    entries: int = 0  # in the index
    missing_units: set[int] = field(default_factory=set)  # in the database, not in the index
    extra_units: set[int] = field(default_factory=set)  # in the index, not in the database
    duplicate_units: set[int] = field(default_factory=set)
    stale_status: dict[int, tuple[str, str]] = field(default_factory=dict)  # document → (database, index)
    missing_faq: set[int] = field(default_factory=set)
    extra_faq: set[int] = field(default_factory=set)
    missing_vectors: set[int] = field(default_factory=set)  # documents some of whose entries have no vector
    stale_nearest: set[int] = field(default_factory=set)  # documents whose rows in the table by meaning differ
    documents_to_refresh: set[int] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not (self.missing_units or self.extra_units or self.duplicate_units or self.stale_status
                    or self.missing_faq or self.extra_faq or self.missing_vectors or self.stale_nearest)

    def lines(self) -> list[str]:
        """The differences, in Chinese, for the command's output."""
        found = []
        if self.missing_units:
            found.append(f"索引缺少 {len(self.missing_units)} 个条文单元（如 {_sample(self.missing_units)}）")
        if self.extra_units:
            found.append(f"索引多出 {len(self.extra_units)} 个已不在数据库中的条文单元（如 {_sample(self.extra_units)}）")
        if self.duplicate_units:
            found.append(f"索引中 {len(self.duplicate_units)} 个条文单元重复（如 {_sample(self.duplicate_units)}）")
        for document_id, (stored, indexed) in sorted(self.stale_status.items()):
            found.append(f"文件 {document_id} 的状态在数据库中为“{stored}”，索引中为“{indexed}”")
        if self.missing_faq:
            found.append(f"索引缺少 {len(self.missing_faq)} 条已发布问答（如 {_sample(self.missing_faq)}）")
        if self.extra_faq:
            found.append(f"索引多出 {len(self.extra_faq)} 条未发布或已删除的问答（如 {_sample(self.extra_faq)}）")
        if self.missing_vectors:
            found.append(f"{len(self.missing_vectors)} 部文件的条文缺少语义向量，只能按字词检索"
                         f"（如文件 {_sample(self.missing_vectors)}）")
        if self.stale_nearest:
            found.append(f"按含义补充候选的向量表与索引不一致：{len(self.stale_nearest)} 部文件"
                         f"（如文件 {_sample(self.stale_nearest)}）")
        return found


def _sample(ids: set[int]) -> str:
    return "、".join(str(i) for i in sorted(ids)[:5])


def _key_id(key: str) -> int | None:
    try:
        return int(key.split(":", 1)[1])
    except (IndexError, ValueError):
        return None


def inspect_index(app: Flask) -> IndexReport:
    report = IndexReport()
    unit_keys: Counter[int] = Counter()
    unit_document: dict[int, int] = {}
    index_status: dict[int, set[str]] = {}
    faq_ids: set[int] = set()
    document_keys: dict[int, set[str]] = {}
    index = search_index.get_index(app)
    searcher = index.searcher()
    for fields in searcher.all_stored_fields():
        report.entries += 1
        key = fields.get("key") or ""
        number = _key_id(key)
        if number is None:
            continue
        if key.startswith("faq:"):
            faq_ids.add(number)
            continue
        unit_keys[number] += 1
        document_id = _key_id(f"x:{fields.get('document_id')}")
        if document_id is not None:
            unit_document[number] = document_id
            index_status.setdefault(document_id, set()).add(fields.get("status"))
            document_keys.setdefault(document_id, set()).add(key)

    with app.extensions["kb_storage"].session_factory() as session:
        expected = expected_index(session)
    units, statuses, published = expected.unit_documents, expected.document_statuses, expected.published_faq

    report.units = len(units)
    report.missing_units = set(units) - set(unit_keys)
    report.extra_units = set(unit_keys) - set(units)
    report.duplicate_units = {unit_id for unit_id, count in unit_keys.items() if count > 1}
    for document_id, seen in index_status.items():
        stored = statuses.get(document_id)
        if stored is not None and seen != {stored}:
            report.stale_status[document_id] = (stored, "、".join(sorted(s or "" for s in seen)))
    report.missing_faq = published - faq_ids
    report.extra_faq = faq_ids - published
    report.missing_vectors = index.vectors.lacking({d: keys for d, keys in document_keys.items() if d in statuses})
    # A document without its vectors is re-indexed anyway, which writes its rows of the table.
    report.stale_nearest = nearest.differing(index.vectors.folder, document_keys) - report.missing_vectors
    report.documents_to_refresh = (
        {units[u] for u in report.missing_units}
        | {unit_document[u] for u in report.extra_units | report.duplicate_units if u in unit_document}
        | set(report.stale_status) | report.missing_vectors
    )
    return report


def repair_index(app: Flask, report: IndexReport) -> int:
    """Bring the index in line with the database; return the number of entries written."""
    if report.missing_faq or report.extra_faq:
        return search_index.rebuild(app)
    written = search_index.index_documents(app, report.documents_to_refresh)
    if report.stale_nearest:
        search_index.get_index(app).vectors.rewrite_table()
    return written
