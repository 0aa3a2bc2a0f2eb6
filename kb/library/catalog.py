"""The catalog CSV: metadata for a folder of files in one go.

Columns: file,title,level,issuer,published,effective,status,superseded_by,tax_types
(tax types separated by ``;``, ``；``, ``、`` or ``|``).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

from kb.core.errors import CatalogError
from kb.library.models import LEVELS, STATUSES

COLUMNS = ("file", "title", "level", "issuer", "published", "effective", "status", "superseded_by", "tax_types",
           "doc_number")  # doc_number (optional): the 文号 of this version, e.g. the revising decision's
REQUIRED = ("file",)


@dataclass
class DocumentMeta:
    """Metadata an operator gives for a document; None means "keep what the file says"."""

    title: str | None = None
    level: str | None = None
    issuer: str | None = None
    published_on: dt.date | None = None
    effective_on: dt.date | None = None
    expires_on: dt.date | None = None
    status: str | None = None
    superseded_by: str | None = None
    tax_types: list[str] | None = None
    doc_number: str | None = None
    short_names: list[str] | None = None
    extra: dict = field(default_factory=dict)


def parse_date(value: str | None, what: str = "日期") -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", value)
    if not match:
        raise CatalogError(f"{what}“{value}”格式不正确，应为 YYYY-MM-DD")
    try:
        return dt.date(*map(int, match.groups()))
    except ValueError:
        raise CatalogError(f"{what}“{value}”不是有效日期") from None


def split_list(value: str | None) -> list[str]:
    return [part.strip() for part in re.split(r"[;；、|,，]", value or "") if part.strip()]


def read_catalog(text: str) -> dict[str, DocumentMeta]:
    """Parse catalog CSV text into {file name: metadata}; raise CatalogError naming the row."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise CatalogError(f"目录文件缺少列：{', '.join(missing)}（应有 {','.join(COLUMNS)}）")
    catalog: dict[str, DocumentMeta] = {}
    for line_number, row in enumerate(reader, start=2):
        name = (row.get("file") or "").strip()
        if not name:
            continue
        try:
            catalog[name] = _row_meta(row)
        except CatalogError as error:
            raise CatalogError(f"目录第 {line_number} 行（{name}）：{error}") from None
    return catalog


def _row_meta(row: dict) -> DocumentMeta:
    status = (row.get("status") or "").strip() or None
    if status and status not in STATUSES:
        raise CatalogError(f"状态“{status}”无效，应为 {'/'.join(STATUSES)}")
    level = (row.get("level") or "").strip() or None
    if level and not any(known in level for known in LEVELS) and level != "党内法规":
        raise CatalogError(f"层级“{level}”无效，应为 {'/'.join(LEVELS)}")
    return DocumentMeta(
        title=(row.get("title") or "").strip() or None,
        level=level,
        issuer=(row.get("issuer") or "").strip() or None,
        published_on=parse_date(row.get("published"), "发布日期"),
        effective_on=parse_date(row.get("effective"), "施行日期"),
        status=status,
        superseded_by=(row.get("superseded_by") or "").strip() or None,
        tax_types=split_list(row.get("tax_types")) or None,
        doc_number=(row.get("doc_number") or "").strip() or None,
    )
