"""Documents that look like a loss: what ``flask check`` tells an operator about the library itself.

Versions of one title are expected (a revision has a later date and repeats most article numbers).
Two kinds of same-titled documents are not:
- the same date with different text: two copies where there should be one (an accidental
  duplicate, e.g. two imports at once before the import lock);
- article numbers that do not overlap at all: parts of one code stored as if each were a version,
  all but one of them then marked 已修订 or replaced (how an older version lost the Civil Code).
Each finding names the documents by id, title, date, status and their articles' range.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kb.library.models import ARTICLE, Document, Unit


@dataclass
class Finding:
    kind: str  # duplicate | parts
    document_ids: list[int]
    message: str


def _describe(document: Document, numbers: list[int]) -> str:
    span = f"第{min(numbers)}–{max(numbers)}条" if numbers else "无条文"
    return f"{document.id}《{document.title}》（{document.version_date or '无日期'}，{document.status}，{span}）"


def suspected_losses(session: Session) -> list[Finding]:
    titles = session.scalars(
        select(Document.title_key).group_by(Document.title_key).having(func.count(Document.id) > 1)
    ).all()
    findings: list[Finding] = []
    for key in titles:
        documents = session.scalars(select(Document).where(Document.title_key == key).order_by(Document.id)).all()
        numbers: dict[int, list[int]] = defaultdict(list)
        rows = session.execute(select(Unit.document_id, Unit.number).where(
            Unit.document_id.in_([d.id for d in documents]), Unit.kind == ARTICLE, Unit.number.is_not(None)))
        for document_id, number in rows:
            numbers[document_id].append(number)
        for i, first in enumerate(documents):
            for second in documents[i + 1:]:
                pair = [first.id, second.id]
                described = f"{_describe(first, numbers[first.id])} 与 {_describe(second, numbers[second.id])}"
                if first.version_date == second.version_date and first.source_hash != second.source_hash \
                        and not (first.parts or second.parts):
                    findings.append(Finding("duplicate", pair, f"疑似重复：{described} 标题与日期相同而正文不同"))
                elif numbers[first.id] and numbers[second.id] and not set(numbers[first.id]) & set(numbers[second.id]):
                    findings.append(Finding("parts", pair, f"疑似法典分编被当作不同版本：{described} 条文编号互不重叠；"
                                                           "请重新导入该法典的全部分编文件"))
    return findings
