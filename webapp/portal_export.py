"""``flask portal-export -o DIR``: the public portal as a static site the bureau can publish on its own
web server, or open from ``file://``.

The same templates and the same ``kb.channels.portal_content`` data as ``/portal/``; links are relative file
names in one folder (``index.html``, ``doc-3.html``, ``faq.html``, ``faq-7.html``, ``search.html``).
The search page searches offline: ``search-data.js`` holds the exported FAQ and articles and
``portal-search.js`` ranks them by the question's words and character pairs (plain script, no
server, works from ``file://``; the live portal uses the full search engine).
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import click
import nh3
from flask import Flask, current_app, render_template
from flask.cli import with_appcontext

from kb.channels.portal_content import public_document, public_documents, public_faq_entries
from kb.library.statuses import CURRENT_STATUSES
from webapp.present import clean_snippet

STATIC = Path(__file__).resolve().parent / "static"
ASSETS = ("portal.css", "portal-search.js")


def file_href(name: str, **values) -> str:
    if name == "document":
        return f"doc-{values['document_id']}.html"
    if name == "faq":
        return f"faq-{values['entry_id']}.html"
    return {"home": "index.html", "search": "search.html", "faq_list": "faq.html"}[name]


def export_portal(app: Flask, session, out: Path) -> int:
    """Write every public page into ``out``; return the number of files written."""
    out.mkdir(parents=True, exist_ok=True)
    context = {"href": file_href, "asset": lambda name: name, "exported": True, "CURRENT_STATUSES": CURRENT_STATUSES}
    pages: dict[str, str] = {}
    records: list[dict] = []
    with app.test_request_context("/portal/"):
        documents = public_documents(session)
        entries = public_faq_entries(session)
        pages["index.html"] = render_template("portal/home.html", documents=documents, faq_count=len(entries), **context)
        pages["faq.html"] = render_template("portal/faq_list.html", entries=entries, **context)
        pages["search.html"] = render_template("portal/search.html", query="", results=[],
                                               clean_snippet=clean_snippet, **context)
        for entry in entries:
            pages[file_href("faq", entry_id=entry.id)] = render_template("portal/faq.html", entry=entry, **context)
            records.append({"t": entry.question, "x": nh3.clean(entry.answer_html, tags=set())[:300],
                            "u": file_href("faq", entry_id=entry.id), "k": "问答"})
        for document in documents:
            item = public_document(session, document.id)
            href = file_href("document", document_id=document.id)
            pages[href] = render_template("portal/document.html", item=item, **context)
            for unit in item.units:
                records.append({"t": f"《{document.title}》{unit.label}", "x": unit.text[:300],
                                "u": f"{href}#{unit.label}", "k": document.status})
    for name, html in pages.items():
        (out / name).write_text(html, encoding="utf-8")
    (out / "search-data.js").write_text(
        "window.PORTAL_DATA = " + json.dumps(records, ensure_ascii=False, separators=(",", ":")) + ";\n", encoding="utf-8")
    for asset in ASSETS:
        shutil.copyfile(STATIC / asset, out / asset)
    return len(pages) + 1 + len(ASSETS)


@click.command("portal-export")
@click.option("-o", "--output", "output", required=True, type=click.Path(file_okay=False), help="输出文件夹")
@with_appcontext
def portal_export_command(output):
    """Write the public portal as a static site into OUTPUT."""
    from webapp.storage import storage

    with storage().session_factory() as session:
        count = export_portal(current_app._get_current_object(), session, Path(output))
    click.echo(f"已导出法规库静态网站：{count} 个文件，位于 {output}")


def register(app: Flask) -> None:
    app.cli.add_command(portal_export_command)
