"""The plain baseline the benchmarks compare against: Whoosh + jieba's stock ChineseAnalyzer.

Same units as our index, no tax dictionary, no synonyms, no citation lookup and no validity
ranking: the document title and the unit text in two fields, the OR of the query's tokens.
"""
from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from whoosh import index as whoosh_index
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.qparser import MultifieldParser, OrGroup

from kb.library.models import Document


def make_schema() -> Schema:
    from jieba.analyse import ChineseAnalyzer

    analyzer = ChineseAnalyzer()
    return Schema(key=ID(stored=True, unique=True), document_id=ID(stored=True), title=TEXT(analyzer=analyzer),
                  text=TEXT(analyzer=analyzer), meta=STORED())


def _entry(unit, document) -> dict:
    return {"key": str(unit.id), "document_id": str(document.id), "title": document.title, "text": unit.text or "",
            "meta": {"source": document.source_name, "unit": unit.label, "unit_id": unit.id}}


class BaselineIndex:
    def __init__(self, index_dir: str | Path):
        self.index_dir = Path(index_dir)
        self.index_dir.mkdir(parents=True, exist_ok=True)
        if whoosh_index.exists_in(str(self.index_dir)):
            self.ix = whoosh_index.open_dir(str(self.index_dir))
        else:
            self.ix = whoosh_index.create_in(str(self.index_dir), make_schema())
        self._searcher = None
        self.parser = MultifieldParser(["title", "text"], self.ix.schema, group=OrGroup)

    def rebuild(self, session: Session) -> int:
        self.ix = whoosh_index.create_in(str(self.index_dir), make_schema())
        writer = self.ix.writer(limitmb=256)
        count = 0
        ids = session.scalars(select(Document.id).order_by(Document.id)).all()
        for i in range(0, len(ids), 500):
            documents = session.scalars(select(Document).options(selectinload(Document.units))
                                        .where(Document.id.in_(ids[i:i + 500]))).all()
            for document in documents:
                for unit in document.units:
                    writer.add_document(**_entry(unit, document))
                    count += 1
            session.expunge_all()
        writer.commit()
        self._searcher = None
        return count

    def update_documents(self, session: Session, document_ids) -> None:
        writer = self.ix.writer()
        for document_id in document_ids:
            writer.delete_by_term("document_id", str(document_id))
            document = session.get(Document, document_id)
            if document is not None:
                for unit in document.units:
                    writer.add_document(**_entry(unit, document))
        writer.commit()

    def search(self, text: str, limit: int = 10) -> tuple[list[dict], float]:
        started = time.perf_counter()
        if self._searcher is None:
            self._searcher = self.ix.searcher()
        elif not self._searcher.up_to_date():
            self._searcher = self._searcher.refresh()
        query = self.parser.parse(text)
        results = [dict(hit["meta"], score=hit.score) for hit in self._searcher.search(query, limit=limit)]
        return results, (time.perf_counter() - started) * 1000
