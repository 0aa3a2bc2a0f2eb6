"""FAQ citations: read the ways people write them, resolve them to library units, re-link them.

Accepted forms (one citation each):

- ``《中华人民共和国税收征收管理法》第三十二条`` (short titles too; ``第二款`` is kept as the 款);
- ``征管法第二十一条``: a title or short name the search knows, without the 《》;
- ``《中华人民共和国会计法》（2017年版）第二十三条`` picks that year's version;
- ``税收征收管理法(2015-04-24).md#第三十二条``: the file name and the unit label;
- table rows: ``…附《印花税税目税率表》（借款合同）`` or ``印花税法(2021-06-10).md#印花税税目税率表（借款合同）``,
  or by position among the units sharing the label: ``…#印花税税目税率表[3]``.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from kb.library.citations import document_citation, unit_citation
from kb.core.errors import KbError
from kb.faq.models import FaqCitation
from kb.library.operations import find_document_by_name, versions_of
from kb.library.models import TABLE_ROW, Document, Unit
from kb.core.numerals import ARTICLE_NUMBER, canonical_articles, parse_chinese_number

_TITLE_FORM = re.compile(r"^《(?P<title>[^》]+)》(?:[（(](?P<year>\d{4})年版[^）)]*[）)])?(?P<rest>.*)$")
_ATTACHED = re.compile(r"^附?《(?P<label>[^》]+)》(?P<rest>.*)$")
_BARE_FORM = re.compile(rf"^(?P<title>[^《》#]+?)(?P<rest>{ARTICLE_NUMBER}.*)$")
_ORDINAL = re.compile(r"^\[(\d+)\]$")
_KEY = re.compile(r"^[（(](.+)[）)]$")
_PARAGRAPH = re.compile(r"^(?P<article>第[零〇一二三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?)"
                        r"(?:第(?P<paragraph>[一二三四五六七八九十]+)款)?(?:第[一二三四五六七八九十]+项)?$")
SEPARATORS = re.compile(r"[|\n；;]+")


class CitationError(KbError):
    pass


@dataclass
class ResolvedCitation:
    unit: Unit
    ordinal: int = 1
    paragraph: int | None = None


def split_citations(value) -> list[str]:
    """A cell or a JSON value holding several citations → the citations, stripped."""
    if value is None:
        return []
    items = value if isinstance(value, list) else SEPARATORS.split(str(value))
    return [str(item).strip() for item in items if str(item).strip()]


def resolve_citation(session: Session, text: str) -> ResolvedCitation:
    """The unit ``text`` cites; raise CitationError (in Chinese) when it names nothing in the library."""
    text = re.sub(r"\s+", "", text or "")
    if not text:
        raise CitationError("引用为空")
    match = _TITLE_FORM.match(text)
    if match:
        document = _document_by_title(session, match["title"], match["year"])
        if document is None:
            raise CitationError(f"政策库中没有《{match['title']}》")
        rest = match["rest"]
        attached = _ATTACHED.match(rest)
        if attached and rest.startswith("附"):
            rest = attached["label"] + attached["rest"]
    elif "#" in text:
        source, rest = text.split("#", 1)
        document = _document_by_source(session, source)
        if document is None:
            raise CitationError(f"政策库中没有文件“{source}”")
    elif _BARE_FORM.match(text):  # 征管法第二十一条: a short name the search knows, without 《》
        match = _BARE_FORM.match(text)
        document = _document_by_title(session, match["title"], None)
        if document is None:
            raise CitationError(f"政策库中没有《{match['title']}》")
        rest = match["rest"]
    else:
        raise CitationError(f"无法识别的引用“{text}”，应写作《法规名称》第X条 或 文件名.md#第X条")
    if not rest:
        raise CitationError(f"引用“{text}”没有写明条文")
    return _resolve_in_document(session, document, rest, text)


def library_citation_problem(session: Session, text: str) -> str | None:
    """Why ``text`` is a wrong citation of a document the library holds (an article it does not
    have, an ambiguous row), or None. A document the library does not hold (a 财税〔2018〕64号
    notice) is not judged: department replies may cite it."""
    try:
        resolve_citation(session, text)
    except CitationError as problem:
        compact = re.sub(r"\s+", "", text or "")
        match = _TITLE_FORM.match(compact)
        if match and _document_by_title(session, match["title"], match["year"]) is not None:
            return str(problem)
        bare = _BARE_FORM.match(compact)
        if not match and bare and _document_by_title(session, bare["title"], None) is not None:
            return str(problem)
        if "#" in compact and _document_by_source(session, compact.split("#", 1)[0]) is not None:
            return str(problem)
    return None


def reply_citation_problems(session: Session, citations: list[str]) -> list[str]:
    """A department's answer cites ``citations``: each wrong citation of a document the library holds,
    named with its problem (``library_citation_problem``); empty when all stand."""
    return [f"“{c}”：{problem}" for c in citations if (problem := library_citation_problem(session, c))]


def split_resolvable(session: Session, citations) -> tuple[list[str], list[str]]:
    """``citations`` → (those naming a unit of the library, the others): what an FAQ draft made from a
    department's answer may cite, and what the editor must fix first."""
    kept, left_out = [], []
    for citation in citations or ():
        try:
            resolve_citation(session, citation)
        except CitationError:
            left_out.append(citation)
        else:
            kept.append(citation)
    return kept, left_out


def _document_by_title(session: Session, title: str, year: str | None) -> Document | None:
    document = find_document_by_name(session, title)
    if document is None or not year:
        return document
    return next((d for d in versions_of(session, document)
                 if d.version_date and d.version_date.year == int(year)), None)


def _document_by_source(session: Session, source: str) -> Document | None:
    return session.scalars(
        select(Document).where(Document.source_name == source).order_by(Document.id.desc())
    ).first()


def _resolve_in_document(session: Session, document: Document, rest: str, text: str) -> ResolvedCitation:
    rest = canonical_articles(rest)  # 第32条之1 → 第三十二条之一
    units = _units_of(session, document)
    by_label: dict[str, list[Unit]] = {}
    for unit in units:
        by_label.setdefault(re.sub(r"\s+", "", unit.label), []).append(unit)
    if rest in by_label:
        matches = by_label[rest]
        if len(matches) > 1:
            raise CitationError(f"引用“{text}”不明确：{rest}有 {len(matches)} 行，请写明是哪一行")
        return ResolvedCitation(unit=matches[0])
    article = _PARAGRAPH.match(rest)
    if article and article["article"] in by_label:
        paragraph = parse_chinese_number(article["paragraph"]) if article["paragraph"] else None
        return ResolvedCitation(unit=by_label[article["article"]][0], paragraph=paragraph)
    for label, matches in by_label.items():
        if not rest.startswith(label) or rest == label:
            continue
        selector = rest[len(label):]
        ordinal = _ORDINAL.match(selector)
        if ordinal:
            n = int(ordinal.group(1))
            if 1 <= n <= len(matches):
                return ResolvedCitation(unit=matches[n - 1], ordinal=n)
            raise CitationError(f"引用“{text}”：{label}只有 {len(matches)} 行")
        key = _KEY.match(selector)
        if key:
            found = _rows_matching(matches, key.group(1))
            if len(found) == 1:
                return ResolvedCitation(unit=found[0], ordinal=matches.index(found[0]) + 1)
            if len(found) > 1:
                raise CitationError(f"引用“{text}”不明确：{label}中有 {len(found)} 行含“{key.group(1)}”")
    raise CitationError(f"《{document.title}》中没有“{rest}”")


def _units_of(session: Session, document: Document) -> list[Unit]:
    return list(session.scalars(select(Unit).where(Unit.document_id == document.id).order_by(Unit.seq)))


def _row_values(unit: Unit) -> list[str]:
    return [re.sub(r"\s+", "", part.split("：", 1)[-1]) for part in (unit.text or "").split("；")]


def _rows_matching(rows: list[Unit], key: str) -> list[Unit]:
    """Rows whose first value is ``key``, else rows with ``key`` as any value, else containing it."""
    for tier in (
        [row for row in rows if _row_values(row)[:1] == [key]],
        [row for row in rows if key in _row_values(row)],
        [row for row in rows if key in re.sub(r"\s+", "", row.text or "")],
    ):
        if tier:
            return tier
    return []


def row_key(unit: Unit, siblings: list[Unit]) -> str | None:
    """What tells a table row from the others: its first value when no other row starts with it (a
    level number, 营业账簿), else its first value found in no other row (借款合同)."""
    values = _row_values(unit)
    others = [s for s in siblings if s.id != unit.id]
    if values and values[0] and values[0] not in {(_row_values(s) or [""])[0] for s in others}:
        return values[0]
    taken = {v for s in others for v in _row_values(s)}
    return next((v for v in values if v and v not in taken), None)


def text_hash(unit: Unit) -> str:
    return hashlib.sha256((unit.text or "").encode("utf-8")).hexdigest()


def describe(session: Session, unit: Unit, paragraph: int | None = None) -> str:
    """The citation agents read: 《…》第X条, or 《…》附《表》（row key） for a table row."""
    if unit.kind == TABLE_ROW:
        siblings = [u for u in _units_of(session, unit.document) if u.label == unit.label]
        key = row_key(unit, siblings)
        return document_citation(unit.document) + f"附《{unit.label}》" + (f"（{key}）" if key else "")
    return unit_citation(unit, paragraph=paragraph)


def build_citation(session: Session, resolved: ResolvedCitation, position: int) -> FaqCitation:
    unit = resolved.unit
    return FaqCitation(
        position=position, unit=unit, unit_id=unit.id, document=unit.document, document_id=unit.document_id,
        source_name=unit.document.source_name, unit_label=unit.label, label_ordinal=resolved.ordinal,
        paragraph=resolved.paragraph, citation_text=describe(session, unit, resolved.paragraph)[:600],
        text_hash=text_hash(unit),
    )


def relink_citation(session: Session, citation: FaqCitation) -> bool:
    """Point a citation whose unit went away (the file was imported again) back at the unit with the
    same file name, label and ordinal; return whether it is linked now."""
    if citation.unit_id is not None and citation.unit is not None:
        return True
    document = _document_by_source(session, citation.source_name)
    if document is None:
        return False
    matches = [u for u in _units_of(session, document) if u.label == citation.unit_label]
    if len(matches) < citation.label_ordinal:
        return False
    unit = matches[citation.label_ordinal - 1]
    citation.unit = unit
    citation.unit_id = unit.id
    citation.document = document
    citation.document_id = document.id
    return True
