"""Plain text in UTF-8 or GB18030/GBK: the title is the first line, history lines follow it."""
from __future__ import annotations

import re

from kb.parsing.blocks import TEXT, Block, RawDocument

HISTORY_RE = re.compile(r"^[（(]?\s*(\d{4}年\d{1,2}月\d{1,2}日|[一二三四五六七八九〇零O○]{4}年).{0,80}(通过|修正|修订|公布|发布|施行|批准)")


class UndecodableText(ValueError):
    pass


def decode_text(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 (a superset of GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as error:
        raise UndecodableText(str(error)) from error


def split_title_and_history(lines: list[str]) -> tuple[str, list[str], list[str]]:
    """First non-empty line is the title; adoption/revision lines right after it are history."""
    lines = [line.strip() for line in lines]
    lines = [line for line in lines if line]
    if not lines:
        return "", [], []
    title, rest = lines[0], lines[1:]
    history: list[str] = []
    while rest and HISTORY_RE.match(rest[0]) and len(rest[0]) < 160:
        history.append(rest.pop(0))
    return title, history, rest


def read_text(data: bytes) -> RawDocument:
    text = decode_text(data)
    title, history, body = split_title_and_history(text.splitlines())
    return RawDocument(format="text", title=title, history=history,
                       blocks=[Block(kind=TEXT, text="\n".join(body))])
