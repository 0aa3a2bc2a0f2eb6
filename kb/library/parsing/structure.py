"""Split a document's blocks into 编/章/节 headings, 条 with their 款 and 项, tables and attachments.

The rules follow Chinese legislative drafting: an article line begins ``第X条`` (or ``第X条之一``);
following lines are its 款 (paragraphs) unless they begin ``（一）``, which makes them 项 (items)
of the paragraph before. Headings ``第X编/章/节`` set the context of the articles after them.
``附：``, ``附件``, ``附表`` and tables after the articles start attachments; each table row becomes
a unit of its own. Internal rules that have no 条 are split at their ``一、二、`` sections (or, when
they have none, at ``（一）`` or ``1、``); each line under a section stays a paragraph of its own,
so that a list of service phrases keeps every phrase distinct.
"""
from __future__ import annotations

import re

from kb.core.numerals import ARTICLE_NUMBER, NUMBER, article_label, parse_number
from kb.library.parsing.blocks import HEADING, TABLE, Block, ParsedUnit, RawDocument

SPACE = "\\s\u3000"
ARTICLE_RE = re.compile(rf"^{ARTICLE_NUMBER}(?P<label_end>)(?:[{SPACE}]+|(?=\S)|$)(?P<body>.*)$")
HEADING_RE = re.compile(rf"^第({NUMBER})(分编|编|章|节)(?:[{SPACE}]+(.*)|$)")
FIRST_NUMBER_WARNING = "条文编号不从第一条开始"
# Numbered sections of internal rules without 条, by rank: the highest rank the text uses wins.
SECTION_LEVELS = (
    re.compile(r"^([一二三四五六七八九十]+)、(.*)$"),
    re.compile(r"^[（(]([一二三四五六七八九十]+)[）)](.*)$"),
    re.compile(r"^([0-9０-９]{1,2})[、．](.*)$"),
)
ITEM_RE = re.compile(r"^[（(]([一二三四五六七八九十]+)[）)]")
ATTACHMENT_RE = re.compile(r"^(附[:：]?|附件[一二三四五六七八九十0-9]*[:：]?.{0,40}|附表[一二三四五六七八九十0-9]*[:：]?.{0,40})$")
CONTINUED_TABLE = "续表"
_SENTENCE_END = "。；;：:，,"
_BLANKS = " \t\u3000\ufeff\u200b\u200c\u200d\u2060\xa0"


def split_units(raw: RawDocument) -> tuple[list[ParsedUnit], list[str]]:
    """Return the units of ``raw`` and warnings about its numbering."""
    has_articles = _has_articles(raw.blocks)
    builder = _Builder(has_articles=has_articles,
                       section_re=None if has_articles else _section_level(raw.blocks),
                       default_table_title=raw.title.strip() or None)
    for index, block in enumerate(raw.blocks):
        if block.kind == TABLE:
            builder.table(block.rows)
            continue
        lines = [line.strip(_BLANKS) for line in block.text.splitlines()]
        lines = [line for line in lines if line]
        next_is_table = index + 1 < len(raw.blocks) and raw.blocks[index + 1].kind == TABLE
        for position, line in enumerate(lines):
            if next_is_table and position == len(lines) - 1 and _looks_like_title(line):
                # A table's title right after the last article, with no 附： before it.
                builder.table_title_line(line)
            else:
                builder.line(line, is_heading=block.kind == HEADING)
    builder.close()
    return builder.units, numbering_warnings(builder.units)


def _has_articles(blocks: list[Block]) -> bool:
    for block in blocks:
        if block.kind != TABLE:
            for line in block.text.splitlines():
                match = ARTICLE_RE.match(line.strip(_BLANKS))
                # 第一条, or any 第X条 followed by a space (a part of a code such as 民法典's 编
                # starts at 第九百八十九条; amendments number their own articles).
                if match and (parse_number(match.group(1)) == 1 or _is_spaced(line.strip(_BLANKS), match)):
                    return True
    return False


def _is_spaced(line: str, match: re.Match) -> bool:
    label_end = match.end("label_end")
    return line[label_end:label_end + 1] in ("", " ", "\u3000", "\t")


def _section_level(blocks: list[Block]) -> re.Pattern | None:
    """The highest-ranked section numbering whose number one appears at the start of a line."""
    lines = [line.strip() for block in blocks if block.kind != TABLE for line in block.text.splitlines()]
    for pattern in SECTION_LEVELS:
        if any((m := pattern.match(line)) and parse_number(m.group(1)) == 1 for line in lines):
            return pattern
    return None


class _Builder:
    def __init__(self, has_articles: bool, section_re: re.Pattern | None = None,
                 default_table_title: str | None = None):
        self.has_articles = has_articles
        self.section_re = section_re
        self.default_table_title = default_table_title
        self.units: list[ParsedUnit] = []
        self.book = self.chapter = self.section = None
        self.current: ParsedUnit | None = None
        self.preamble: list[str] = []
        self.in_attachment = False
        self.attachment_title: str | None = None
        self.table_title: str | None = None
        self.last_number = 0
        self.title_used = True

    # -- lines ---------------------------------------------------------------------------
    def line(self, line: str, is_heading: bool) -> None:
        if not self.in_attachment:
            if self._heading(line):
                return
            if self.has_articles and self._article(line):
                return
            if self.section_re is not None and self._section(line, is_heading):
                return
            if ATTACHMENT_RE.match(line) and (self.current or self.preamble):
                self._start_attachment(line)
                return
            if self.current is None:
                self.preamble.append(line)
            else:
                self._paragraph(line)
            return
        # Inside attachments: short title-like lines name the next table or attachment part.
        if line == CONTINUED_TABLE:
            return
        if ATTACHMENT_RE.match(line):
            self._start_attachment(line)
            return
        if _looks_like_title(line):
            self.table_title_line(line)
            return
        if self.current is None or self.current.kind != "attachment":
            self._close_current()
            label = self.table_title or self.attachment_title or "附件"
            self.title_used = True
            self.current = ParsedUnit(kind="attachment", label=label, text="", **self._context())
        self._paragraph(line)

    def table_title_line(self, line: str) -> None:
        self._close_current()
        self._emit_unused_title()
        self.in_attachment = True
        self.table_title = line
        self.title_used = False

    def _heading(self, line: str) -> bool:
        match = HEADING_RE.match(line)
        if not match or len(line) > 40 or (match.group(3) or "")[-1:] in _SENTENCE_END:
            return False
        self._close_current()
        kind = match.group(2)
        if kind == "编":
            self.book, self.chapter, self.section = line, None, None
        elif kind == "分编":  # 合同编 第一分编 通则: the 分编 belongs to the 编 before it
            book = (self.book or "").split(" 第")[0] if self.book and "分编" in self.book else self.book
            self.book, self.chapter, self.section = f"{book} {line}" if book else line, None, None
        elif kind == "章":
            self.chapter, self.section = line, None
        else:
            self.section = line
        return True

    def _article(self, line: str) -> bool:
        match = ARTICLE_RE.match(line)
        if not match:
            return False
        number = parse_number(match.group(1))
        sub = parse_number(match.group(2)) if match.group(2) else None
        spaced = _is_spaced(line, match)
        # Without a space after the label, accept only the expected next number: this keeps
        # sentences such as "第一百二十条规定的..." inside the article they belong to.
        if number is None or (not spaced and number != self.last_number + 1 and not sub):
            return False
        self._close_current()
        label = article_label(number, sub)
        self.current = ParsedUnit(
            kind="article", label=label, text="", number=number, sub_number=sub, **self._context()
        )
        self.last_number = number
        body = match.group("body").strip(" \u3000")
        if body:
            self._paragraph(body)
        return True

    def _section(self, line: str, is_heading: bool) -> bool:
        match = self.section_re.match(line)
        if not match:
            return False
        number = parse_number(match.group(1))
        if number is None:
            return False
        self._close_current()
        rest = match.group(2).strip()
        numbering = line[: match.start(2)]
        # "一、业务范围" and "一、服务目的：" are section titles; "一、负责……；" is a section
        # whose text is the line.
        short = rest and len(rest) <= 20 and not any(mark in rest for mark in "。；;，,")
        if short and rest[-1:] not in _SENTENCE_END:
            label, body = line, ""
        elif short and rest[-1:] in "：:" and len(rest) > 1:
            label, body = line[:-1], ""
        else:
            label, body = numbering, rest
        self.current = ParsedUnit(kind="section", label=label, text="", number=number, **self._context())
        if body:
            self._paragraph(body)
        return True

    def _paragraph(self, line: str) -> None:
        unit = self.current
        assert unit is not None
        item = ITEM_RE.match(line)
        if item and unit.paragraphs:
            unit.paragraphs[-1]["items"].append({"label": item.group(0), "text": line[item.end():].strip()})
        else:
            unit.paragraphs.append({"text": line, "items": []})

    def _start_attachment(self, line: str) -> None:
        self._close_current()
        self.in_attachment = True
        rest = re.sub(r"^附[件表]?[一二三四五六七八九十0-9]*[:：]?", "", line).strip()
        bare = line.rstrip(":：")
        title = rest or (None if bare in ("附", "附件", "附表") else bare)
        self._emit_unused_title()
        self.attachment_title = title or None
        self.table_title = title or None
        self.title_used = not title

    # -- tables --------------------------------------------------------------------------
    def table(self, rows: list[list[str]]) -> None:
        self._close_current()
        at_top = not self.units and not self.preamble and not self.in_attachment
        if not self.in_attachment and self.has_articles:
            # After the articles, a table is an attachment; in rules without 条 (a 考核表) the
            # numbered notes under the table are still sections.
            self.in_attachment = True
        rows = [[cell.strip() for cell in row] for row in rows if any(c.strip() for c in row)]
        if not rows:
            return
        header, body = rows[0], rows[1:]
        title = self.table_title or self.attachment_title or (
            self.default_table_title if at_top or not self.has_articles else None) or "附表"
        self.title_used = True
        previous: list[str] = []
        for index, row in enumerate(body, start=1):
            # Merged cells arrive empty: carry the value down from the row above, for the
            # leading columns only (a blank 备注 stays blank).
            filled = list(row)
            for col, cell in enumerate(filled):
                if cell or col >= len(previous):
                    break
                if col + 1 < len(filled) and not any(filled[col + 1:col + 2]):
                    break
                filled[col] = previous[col]
            previous = filled
            self.units.append(
                ParsedUnit(
                    kind="table_row", label=title, number=index, text=_row_text(header, filled),
                    paragraphs=[{"text": _row_text(header, filled), "items": []}], **self._context(),
                )
            )

    # -- bookkeeping ---------------------------------------------------------------------
    def _context(self) -> dict:
        return {"book": self.book, "chapter": self.chapter, "section": self.section}

    def _close_current(self) -> None:
        if self.preamble and not self.units and self.current is None:
            text = "\n".join(self.preamble)
            self.units.append(
                ParsedUnit(kind="preamble", label="序言", text=text,
                           paragraphs=[{"text": p, "items": []} for p in self.preamble])
            )
            self.preamble = []
        if self.current is not None:
            self.current.text = paragraphs_text(self.current.paragraphs)
            self.units.append(self.current)
            self.current = None

    def _emit_unused_title(self) -> None:
        # A table or attachment title with nothing under it (资源税税目税率表 without rows) is
        # still a unit: agents must see that the table exists.
        if self.table_title and not self.title_used:
            self.units.append(ParsedUnit(kind="attachment", label=self.table_title, text=self.table_title,
                                         paragraphs=[{"text": self.table_title, "items": []}], **self._context()))
        self.title_used = True

    def close(self) -> None:
        self._close_current()
        self._emit_unused_title()


def _looks_like_title(line: str) -> bool:
    return (
        len(line) <= 40
        and line[-1:] not in _SENTENCE_END + "。"
        and not ITEM_RE.match(line)
        and not line.startswith(("（注", "(注", "注"))
        and "表" in line
    )


def _row_text(header: list[str], row: list[str]) -> str:
    parts: list[str] = []
    name = ""
    for col, cell in enumerate(row):
        name = header[col] if col < len(header) and header[col] else name
        if not cell:
            continue
        parts.append(f"{name}：{cell}" if name and (col == 0 or header[col]) else cell)
    return "；".join(parts)


def paragraphs_text(paragraphs: list[dict]) -> str:
    lines: list[str] = []
    for paragraph in paragraphs:
        lines.append(paragraph["text"])
        lines.extend(f"{item['label']}{item['text']}" for item in paragraph["items"])
    return "\n".join(lines)


def numbering_warnings(units: list[ParsedUnit]) -> list[str]:
    """Chinese warnings for 条 numbering that skips or repeats, each saying where."""
    warnings: list[str] = []
    previous: ParsedUnit | None = None
    seen: set[tuple[int, int | None]] = set()
    for unit in units:
        if unit.kind != "article" or unit.number is None:
            continue
        key = (unit.number, unit.sub_number)
        where = f"（{unit.chapter}）" if unit.chapter else ""
        if key in seen:
            warnings.append(f"条文编号重复：{unit.label}出现不止一次{where}")
        elif previous is None and unit.number != 1 and not unit.sub_number:
            warnings.append(f"{FIRST_NUMBER_WARNING}：首条为{unit.label}{where}")
        elif previous is not None and not unit.sub_number and unit.number > previous.number + 1:
            missing = article_label(previous.number + 1)
            if unit.number > previous.number + 2:
                missing += f"至{article_label(unit.number - 1)}"
            warnings.append(f"条文编号跳号：{previous.label}之后是{unit.label}，缺{missing}{where}")
        elif previous is not None and not unit.sub_number and unit.number <= previous.number:
            warnings.append(f"条文编号倒序：{previous.label}之后是{unit.label}{where}")
        seen.add(key)
        previous = unit
    return warnings
