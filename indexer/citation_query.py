"""Citation lookup: 征管法第32条, 征管法三十二条, 增值税法 9条, 《个人所得税法》第六条, 刑法第205条之一.

A query naming a document (its title or a short name, as indexed in ``doc_names``: the names
``kb.library.titles.short_names_for`` derives from every title) followed by an article number (Arabic or
Chinese numerals, with or without 第 and 条, with 之N) goes straight to that article. The names come
from the index itself, so every imported document is citable. A cited article that the document
does not have gets a notice (征管法第999条: 《…》没有第九百九十九条) instead of silence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from whoosh.query import And, Term

from kb.core.numerals import GAP, NUMBER, SUB_NUMBER, article_label, parse_number
from indexer.analysis import article_token, normalise_text

# 第N条 / N条 / 第N (not followed by 款/项/章/节/编) with an optional 之N: ``kb.core.numerals.ARTICLE_NUMBER``
# with 第 and 条 optional.
ARTICLE_REF_RE = re.compile(rf"(第{GAP})?({NUMBER}){GAP}(条)?{SUB_NUMBER}(?![款项章节编年月日号])")
_QUOTES = re.compile(r"[《》〈〉<>“”\"'‘’\s\u3000]")


@dataclass(frozen=True)
class CitationRef:
    name: str  # the document name as indexed (normalised)
    article: str  # article token, 第32条
    start: int
    end: int  # span in the normalised query
    label: str = ""  # the article as statutes write it: 第三十二条, 第二百零五条之一
    explicit: bool = True  # written with 第 or 条 (a bare number, 车船税法 2019, may mean something else)


class DocumentNames:
    """Names of the indexed documents, longest first, grouped by last character."""

    def __init__(self, names):
        self.by_last: dict[str, list[str]] = {}
        for name in sorted(set(names), key=len, reverse=True):
            if len(name) >= 2:
                self.by_last.setdefault(name[-1], []).append(name)

    def ending(self, text: str) -> str | None:
        text = _QUOTES.sub("", text)
        if not text:
            return None
        for name in self.by_last.get(text[-1], []):
            if text.endswith(name):
                return name
        return None


def find_citations(query: str, names: DocumentNames) -> list[CitationRef]:
    """Every 'document name + article number' in ``query`` (normalised with ``normalise_text``)."""
    text = normalise_text(query)
    found: list[CitationRef] = []
    for match in ARTICLE_REF_RE.finditer(text):
        has_di, has_tiao = bool(match.group(1)), bool(match.group(3))
        before = text[:match.start()]
        name = names.ending(before[-40:])
        if name is None:
            continue
        rest = text[match.end():].strip()
        if not (has_di or has_tiao) and rest:
            continue  # a bare number after a name counts only at the end of the query: 增值税法 9
        number = parse_number(match.group(2))
        if not number:
            continue
        sub = parse_number(match.group(4)) if match.group(4) else None
        start = before.rfind(name[0]) if name[0] in before else match.start()
        found.append(CitationRef(name=name, article=article_token(number, sub), start=start, end=match.end(),
                                 label=article_label(number, sub), explicit=has_di or has_tiao))
    return found


def missing_article_notice(searcher, ref: CitationRef) -> str:
    """The message for a cited article the named document does not have (in any version)."""
    hits = searcher.search(Term("doc_names", ref.name), limit=1)
    title = hits[0]["meta"]["doc_title"] if len(hits) else ref.name
    return f"《{title}》没有{ref.label}，请核对条号"


def look_up(searcher, text: str, names: DocumentNames, filters, convert) -> tuple[list[list], list[str]]:
    """For each citation in ``text``: the converted hits of its article (``convert(hit)``), and the
    notices for cited articles that do not exist (looked up without ``filters``, which may only hide them)."""
    groups: list[list] = []
    notices: list[str] = []
    for ref in find_citations(text, names):
        lookup = And([Term("doc_names", ref.name), Term("article_no", ref.article)])
        hits = [convert(h) for h in searcher.search(lookup, limit=20, filter=filters)]
        if not hits and ref.explicit and not len(searcher.search(lookup, limit=1)):
            notices.append(missing_article_notice(searcher, ref))
        groups.append(hits)
    return groups, list(dict.fromkeys(notices))
