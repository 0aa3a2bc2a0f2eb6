"""Turning search results and units into what templates and the JSON endpoint show.

Snippets come from the index with <b>/<mark> highlights: they are cleaned with nh3 so only those
tags survive. Unit text is escaped and its cross-references become links.
"""
from __future__ import annotations

import re

import nh3
from flask import Flask, url_for
from markupsafe import Markup, escape

from kb.library.articles import copy_text, text_with_references
from kb.library.excerpts import answer_excerpt
from kb.library.models import IN_FORCE, PARTLY_REPEALED, REPEALED, REVISED
from kb.core.timestamps import to_beijing

STATUS_CLASSES = {IN_FORCE: "ok", PARTLY_REPEALED: "partly", REVISED: "revised", REPEALED: "repealed"}
_MARKED = re.compile(r"<(b|mark)>(.*?)</\1>", re.S)


def clean_snippet(snippet: str | None) -> Markup:
    return Markup(nh3.clean(snippet or "", tags={"b", "mark"}, attributes={}))


def present_result(result: dict, unit=None) -> dict:
    """One search result as the page and the JSON endpoint show it."""
    unit_id = result.get("unit_id")
    document_id = result.get("document_id")
    superseded_by = result.get("superseded_by")
    if isinstance(superseded_by, dict):
        superseded_by = superseded_by.get("title") or superseded_by.get("doc_title")
    citation = result.get("citation") or f"《{result.get('doc_title', '')}》{result.get('unit', '')}"
    plain_snippet = nh3.clean(result.get("snippet") or "", tags=set())
    return {
        "type": result.get("type", "article"),
        "citation": citation,
        "doc_title": result.get("doc_title"),
        "unit": result.get("unit"),
        "chapter": result.get("chapter"),
        "status": result.get("status"),
        "status_class": STATUS_CLASSES.get(result.get("status"), "other"),
        "snippet_html": str(clean_snippet(result.get("snippet"))),
        "tax_types": list(result.get("tax_types") or []),
        "outdated": bool(result.get("outdated")),
        "superseded_by": superseded_by if isinstance(superseded_by, str) else None,
        "url": url_for("library.unit", unit_id=unit_id) if unit_id else
        (url_for("library.document", document_id=document_id) if document_id else None),
        "copy_text": copy_text(unit) if unit is not None else
        f"{result.get('citation', '')}\n{plain_snippet}",
        # the call record's 答复内容: the matching 款/项, not the whole article
        "answer_text": answer_excerpt(unit, matched_terms(result.get("snippet"))) if unit is not None else
        f"根据{citation}：{plain_snippet.strip('…')[:160]}",
        "unit_id": unit_id,
        "document_id": document_id,
    }


def matched_terms(snippet: str | None) -> list[str]:
    """The words the index highlighted in a snippet (what the question matched)."""
    return [nh3.clean(m.group(2), tags=set()) for m in _MARKED.finditer(snippet or "")]


def linked_text(unit) -> Markup:
    """The unit's text, escaped, one <p> a line, with cross-references as links."""
    html = []
    for piece, reference in text_with_references(unit):
        if reference is None:
            html.append(str(escape(piece)))
            continue
        target = url_for("library.document", document_id=reference.target_document_id)
        if reference.target_label:
            target += f"#{reference.target_label}"
        html.append(f'<a class="xref" href="{escape(target)}">{escape(piece)}</a>')
    lines = "".join(html).split("\n")
    return Markup("".join(f"<p>{line}</p>" for line in lines if line.strip()))


def init_app(app: Flask) -> None:
    app.jinja_env.filters["linked_text"] = linked_text
    app.jinja_env.filters["copy_text"] = copy_text
    app.jinja_env.filters["beijing"] = to_beijing  # every page shows Beijing time
    app.jinja_env.globals["STATUS_CLASSES"] = STATUS_CLASSES


def present_faq(result: dict) -> dict:
    """The answer card (a ``"type": "faq"`` search result) as the page and the JSON endpoint show it.

    ``answer_html`` was sanitised when the entry was indexed (``kb.faq.operations.render_answer``)."""
    citations = [{
        "citation": c.get("citation"), "status": c.get("status"),
        "status_class": STATUS_CLASSES.get(c.get("status"), "other"),
        "url": url_for("library.unit", unit_id=c["unit_id"]) if c.get("unit_id") else None,
    } for c in result.get("citations") or []]
    answer_text = nh3.clean(result.get("answer_html") or "", tags=set()).strip()
    basis = "\n".join(c["citation"] for c in citations if c["citation"])
    return {
        "type": "faq",
        "faq_id": result["faq_id"],
        "question": result.get("question"),
        "answer_html": result.get("answer_html") or "",
        "citations": citations,
        "needs_review": bool(result.get("needs_review")),
        "warning": result.get("warning"),
        "tax_types": list(result.get("tax_types") or []),
        "copy_text": f"{result.get('question')}\n{answer_text}" + (f"\n法律依据：\n{basis}" if basis else ""),
        "answer_text": answer_text,  # the call record's 答复内容 and 答复依据 (one citation a line)
        "basis": basis,
        "usage_url": url_for("faq.count_usage", entry_id=result["faq_id"]),
    }
