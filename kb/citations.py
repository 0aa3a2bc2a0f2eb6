"""Citation text: 《中华人民共和国税收征收管理法》第三十二条第二款."""
from __future__ import annotations

from kb.models import ARTICLE, SECTION, TABLE_ROW, Document, Unit
from kb.numerals import to_chinese_number


def document_citation(document: Document) -> str:
    citation = f"《{document.title}》"
    if not document.is_current and document.version_date:
        citation += f"（{document.version_date.year}年版，{document.status}）"
    return citation


def unit_citation(unit: Unit, paragraph: int | None = None, document: Document | None = None) -> str:
    """Cite ``unit``; ``paragraph`` is the 1-based 款 where known."""
    document = document or unit.document
    citation = document_citation(document)
    if unit.kind == ARTICLE:
        citation += unit.label
        if paragraph and len(unit.paragraphs or []) > 1:
            citation += f"第{to_chinese_number(paragraph)}款"
    elif unit.kind == SECTION:
        citation += unit.label
    elif unit.kind == TABLE_ROW:
        key = (unit.text.split("；")[0].split("：")[-1]) if unit.text else ""
        citation += f"附《{unit.label}》" + (f"（{key}）" if key else "")
    else:
        citation += unit.label
    return citation
