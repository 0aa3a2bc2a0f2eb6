"""Plain text in UTF-8 or GB18030/GBK.

The title is the first line (a ``（试行）`` line under it belongs to it), adoption/revision lines
follow it, and a closing signature (issuer and date, as internal rules end) is kept apart from the
body. Runs of tab-separated lines are tables (a table copied out of Word arrives that way).
"""
from __future__ import annotations

import re

from kb.library.parsing.blocks import TABLE, TEXT, Block, RawDocument

HISTORY_RE = re.compile(r"^[（(]?\s*(\d{4}年\d{1,2}月\d{1,2}日|[一二三四五六七八九〇零O○]{4}年).{0,80}(通过|修正|修订|公布|发布|施行|批准)")
TITLE_NOTE_RE = re.compile(r"^[（(](试行|暂行|草案|修订稿|征求意见稿|修订)[)）]$")
YEAR_DIGITS = "0-9０-９一二三四五六七八九〇零○OＯ"
SIGNATURE_DATE_RE = re.compile(
    rf"^[{YEAR_DIGITS}]{{4}}\s*年\s*[0-9一二三四五六七八九十]{{1,3}}\s*月\s*[0-9一二三四五六七八九十]{{1,3}}\s*日$"
)
_SENTENCE_END = "。；;：:，,！!？?"
_CONTROL_BYTES = frozenset(set(range(1, 32)) - {9, 10, 11, 12, 13} | {127})
_BINARY_CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r", "\f", "\x0b"}


class UndecodableText(ValueError):
    pass


class BinaryContent(ValueError):
    pass


def decode_text(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 (a superset of GBK).

    Raise ``BinaryContent`` when the bytes are not text at all (an image, random bytes).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        text = data[3:].decode("utf-8", errors="strict")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
    else:
        head = data[:8192]
        if b"\x00" in head or sum(b in _CONTROL_BYTES for b in head) > len(head) / 100:
            raise BinaryContent("NUL or control bytes")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError as error:
                raise UndecodableText(str(error)) from error
    if _looks_binary(text):
        raise BinaryContent("control characters")
    return text


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    if not sample:
        return False
    control = sum(ch in _BINARY_CONTROL or "\ue000" <= ch <= "\uf8ff" for ch in sample)
    return control / len(sample) > 0.01


def split_title_and_history(lines: list[str]) -> tuple[str, list[str], list[str]]:
    """First non-empty line is the title; adoption/revision lines right after it are history."""
    lines = [line.strip() for line in lines]
    lines = [line for line in lines if line]
    if not lines:
        return "", [], []
    title, rest = lines[0], lines[1:]
    if rest and TITLE_NOTE_RE.match(rest[0]):
        title += rest.pop(0)
    history: list[str] = []
    while rest and HISTORY_RE.match(rest[0]) and len(rest[0]) < 160:
        history.append(rest.pop(0))
    return title, history, rest


def split_signature(lines: list[str]) -> tuple[list[str], list[str]]:
    """Split a closing signature (``成都市国家税务局`` / ``二OO五年六月三日``) off the last lines."""
    body = list(lines)
    while body and not body[-1].strip():
        body.pop()
    if not body or not SIGNATURE_DATE_RE.match(body[-1].strip()):
        return lines, []
    signature = [body.pop().strip()]
    if body and _looks_like_issuer(body[-1].strip()):
        signature.insert(0, body.pop().strip())
    return body, signature


def _looks_like_issuer(line: str) -> bool:
    return 2 <= len(line) <= 40 and line[-1] not in _SENTENCE_END + "）)" and not re.match(
        r"^(第.{1,8}条|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|\d+[、.．])", line
    )


def read_text(text: str) -> RawDocument:
    title, history, body = split_title_and_history(text.splitlines())
    body, signature = split_signature(body)
    return RawDocument(format="text", title=title, history=history + signature, blocks=lines_to_blocks(body))


def lines_to_blocks(lines: list[str]) -> list[Block]:
    """Text blocks, with runs of two or more tab-separated lines as tables."""
    blocks: list[Block] = []
    pending: list[str] = []
    index = 0
    while index < len(lines):
        end = index
        while end < len(lines) and _is_table_line(lines[end]):
            end += 1
        if end - index >= 2:
            if pending:
                blocks.append(Block(kind=TEXT, text="\n".join(pending)))
                pending = []
            rows = [[cell.strip() for cell in line.strip("\r\n").split("\t")] for line in lines[index:end]]
            width = max(len(row) for row in rows)
            blocks.append(Block(kind=TABLE, rows=[row + [""] * (width - len(row)) for row in rows]))
            index = end
        else:
            pending.append(lines[index])
            index += 1
    if pending:
        blocks.append(Block(kind=TEXT, text="\n".join(pending)))
    return blocks


def _is_table_line(line: str) -> bool:
    cells = [cell.strip() for cell in line.strip(" \r\n\u3000").split("\t")]
    return len(cells) >= 2 and sum(bool(c) for c in cells) >= 2 and not re.match(r"^第.{1,10}[条章节编]", cells[0])
