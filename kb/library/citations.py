"""Citation text: 《中华人民共和国税收征收管理法》第三十二条第二款."""
from __future__ import annotations

from kb.library.models import ARTICLE, SECTION, TABLE_ROW, Document, Unit
from kb.core.numerals import to_chinese_number


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
        key = table_row_key(unit.text)
        citation += f"附《{unit.label}》" + (f"（{key}）" if key else "")
    else:
        citation += unit.label
    return citation


def table_row_key(row_text: str) -> str:
    """The most specific leading cell of a table row: 借款合同 rather than 合同（指书面合同）."""
    parts = [p for p in (row_text or "").split("；") if p]
    if not parts:
        return ""
    if len(parts) > 1 and "：" not in parts[1]:
        return parts[1]
    return parts[0].split("：", 1)[-1]
