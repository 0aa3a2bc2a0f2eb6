"""Load and save the FAQ as CSV or JSON, so an existing FAQ spreadsheet can be brought in.

Columns: question, phrasings ("|" between them), answer (Markdown), citations ("|", "；" or a new line
between them; see ``kb.faq.citations`` for the forms), tax_types, status (draft/in_review/published/
retired or 草稿/待审核/已发布/已停用; empty means draft), and optionally review_by (YYYY-MM-DD) and
evidence (phrases, "|" between them, each of which must occur verbatim in a cited unit). Each bad row is reported with its row
number and the reason in Chinese; the good rows load.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from kb.core.errors import KbError
from kb.faq.operations import FaqData, FaqError, list_entries, load_entry
from kb.faq.citations import CitationError, resolve_citation, split_citations
from kb.faq.models import DRAFT, IN_REVIEW, PUBLISHED, RETIRED, STATUS_LABELS

COLUMNS = ("question", "phrasings", "answer", "citations", "tax_types", "status", "review_by")
FORMATS = ("csv", "json")
STATUS_NAMES = {DRAFT: DRAFT, IN_REVIEW: IN_REVIEW, PUBLISHED: PUBLISHED, RETIRED: RETIRED, "": DRAFT}
STATUS_NAMES.update({label: code for code, label in STATUS_LABELS.items()})
_LIST_SEPARATORS = re.compile(r"[|\n]+")
_TAX_SEPARATORS = re.compile(r"[|\n、，,；;]+")


class FaqFileError(KbError):
    pass


@dataclass
class RowProblem:
    row: int  # CSV: the spreadsheet row (the header is row 1); JSON: the 1-based record
    question: str
    reason: str

    def __str__(self) -> str:
        return f"第 {self.row} 行：{self.reason}" + (f"（{self.question[:30]}）" if self.question else "")


@dataclass
class FaqImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    entry_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        return (f"问答导入完成：新增 {self.created} 条，更新 {self.updated} 条，未变 {self.unchanged} 条，"
                f"有误 {len(self.problems)} 行")


# -- reading ------------------------------------------------------------------------------------

def format_of(name: str) -> str:
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise FaqFileError(f"{name}：只能导入 .csv 或 .json 文件")
    return suffix


def read_rows(text: str, fmt: str) -> list[tuple[int, dict]]:
    """The rows of a CSV or JSON file, each with the number it is reported under."""
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        fields = [f.strip() for f in reader.fieldnames or []]
        if "question" not in fields:
            raise FaqFileError("CSV 文件缺少 question 列（首行应为列名：" + ",".join(COLUMNS) + "）")
        return [(number, {(k or "").strip(): v for k, v in row.items()})
                for number, row in enumerate(reader, start=2)]
    if fmt == "json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise FaqFileError(f"JSON 文件格式有误（第 {error.lineno} 行）") from None
        if isinstance(data, dict):
            data = data.get("entries", data.get("faq"))
        if not isinstance(data, list):
            raise FaqFileError("JSON 文件应为问答记录的数组")
        return [(number, item if isinstance(item, dict) else {}) for number, item in enumerate(data, start=1)]
    raise FaqFileError(f"不支持的格式“{fmt}”，应为 csv 或 json")


def read_faq_file(path: str | Path) -> list[tuple[int, dict]]:
    path = Path(path)
    fmt = format_of(path.name)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as error:
        raise FaqFileError(f"{path}：无法读取（{error.strerror}）") from None
    except UnicodeDecodeError:
        raise FaqFileError(f"{path}：文件不是 UTF-8 编码") from None
    return read_rows(text, fmt)


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _list(value, separators=_LIST_SEPARATORS) -> list[str]:
    items = value if isinstance(value, list) else separators.split(_text(value))
    return [_text(item) for item in items if _text(item)]


# -- importing ----------------------------------------------------------------------------------

def check_row(session: Session, row: dict) -> tuple[FaqData | None, str, list[str]]:
    """A row as entry data with its status, and the reasons it cannot load (empty when it can)."""
    problems: list[str] = []
    question = _text(row.get("question"))
    if not question:
        problems.append("问题为空")
    status_name = _text(row.get("status"))
    status = STATUS_NAMES.get(status_name.lower(), STATUS_NAMES.get(status_name))
    if status is None:
        problems.append(f"状态“{status_name}”无效，应为 草稿/待审核/已发布/已停用")
    answer = _text(row.get("answer"))
    if status == PUBLISHED and not answer:
        problems.append("答案为空")
    review_by = None
    if _text(row.get("review_by")):
        try:
            review_by = dt.date.fromisoformat(_text(row.get("review_by")))
        except ValueError:
            problems.append(f"复核日期“{_text(row.get('review_by'))}”格式不对，应为 YYYY-MM-DD")
    citations = split_citations(row.get("citations"))
    units = []
    for text in citations:
        try:
            resolved = resolve_citation(session, text)
        except CitationError as error:
            problems.append(f"引用无法识别：{error}")
            continue
        units.append(resolved.unit)
        if status == PUBLISHED and not resolved.unit.document.is_current:
            problems.append(f"已发布的问答引用了{resolved.unit.document.status}的条文“{text}”")
    if status == PUBLISHED and not citations:
        problems.append("已发布的问答至少需要引用一条现行有效的条文")
    for evidence in _list(row.get("evidence")):
        if units and not any(_squash(evidence) in _squash(u.text) for u in units):
            problems.append(f"依据摘录“{evidence[:40]}”在所引条文中找不到")
    if problems:
        return None, status or DRAFT, problems
    data = FaqData(question=question, phrasings=_list(row.get("phrasings")), answer=answer,
                   citations=citations, tax_types=_list(row.get("tax_types"), _TAX_SEPARATORS),
                   review_by=review_by)
    return data, status, []


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text or "")


def import_faq(session: Session, actor, rows: list[tuple[int, dict]]) -> FaqImportReport:
    """Load the good rows (an entry with the same question is updated in place); report the bad ones."""
    report = FaqImportReport()
    seen: dict[str, int] = {}
    for number, row in rows:
        data, status, problems = check_row(session, row)
        question = _text(row.get("question"))
        if question and question in seen:
            problems = problems + [f"与第 {seen[question]} 行的问题重复"]
        if problems:
            report.problems.append(RowProblem(number, question, "；".join(problems)))
            continue
        seen[question] = number
        try:
            entry, action = load_entry(session, actor, data, status)
        except FaqError as error:
            report.problems.append(RowProblem(number, question, str(error)))
            continue
        setattr(report, action, getattr(report, action) + 1)
        report.entry_ids.append(entry.id)
    return report


# -- exporting ----------------------------------------------------------------------------------

def export_records(session: Session) -> list[dict]:
    """Every entry as plain data; ``citations`` hold stable references that import again as they are."""
    records = []
    for entry in list_entries(session):
        records.append({
            "question": entry.question,
            "phrasings": list(entry.phrasings or []),
            "answer": entry.answer,
            "citations": [c.reference for c in entry.citations],
            "tax_types": list(entry.tax_types or []),
            "status": entry.status,
            "review_by": entry.review_by.isoformat() if entry.review_by else "",
            "citation_titles": [c.citation_text for c in entry.citations],
            "needs_review": bool(entry.needs_review),
            "review_reason": entry.review_reason or "",
            "shown": entry.shown_count,
            "copied": entry.copied_count,
            "helpful": entry.helpful_count,
            "not_helpful": entry.not_helpful_count,
            "version": entry.version,
        })
    return records


def export_text(session: Session, fmt: str = "csv") -> str:
    records = export_records(session)
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    if fmt != "csv":
        raise FaqFileError(f"不支持的格式“{fmt}”，应为 csv 或 json")
    out = io.StringIO()
    fields = list(records[0]) if records else list(COLUMNS)
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: "|".join(v) if isinstance(v, list) else v for k, v in record.items()})
    return out.getvalue()
