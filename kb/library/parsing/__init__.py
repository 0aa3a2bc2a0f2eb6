"""From a received file to a ``ParsedDocument``.

``parse_file(name, data)`` picks the reader by file type (Markdown, HTML, .docx, text), then
``structure.split_units`` splits the blocks into units. Every failure is an ``ImportFailed``
with a Chinese message naming the file and the problem.
"""
from __future__ import annotations

import datetime as dt
import re
import zipfile

from kb.library.doc_numbers import normalise_doc_number
from kb.core.errors import ImportFailed
from kb.core.numerals import parse_number
from kb.library.parsing.blocks import ParsedDocument, RawDocument
from kb.library.parsing.structure import FIRST_NUMBER_WARNING, split_units

SUPPORTED_SUFFIXES = (".md", ".markdown", ".html", ".htm", ".docx", ".txt")
FILE_DATE_RE = re.compile(r"[（(](\d{4})-(\d{2})-(\d{2})[)）]")
HISTORY_DATE_RE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
CHINESE_DATE_RE = re.compile(r"([一二三四五六七八九〇零○OＯ]{4})\s*年\s*([一二三四五六七八九十]{1,3})\s*月\s*([一二三四五六七八九十]{1,3})\s*日")
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# Longest line of a text or Markdown file: the longest in the 3,475 laws of the full corpus has
# 2,762 characters. A longer line is a file without line breaks, refused before it is parsed.
MAX_LINE_CHARS = 20_000
# Longest unit (an article, a table row): an article ten times the longest real one is a file whose
# structure was not recognised; stored, it would be one huge entry in the index.
MAX_UNIT_CHARS = 30_000


def suffix_of(name: str) -> str:
    return "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""


def parse_file(name: str, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedDocument:
    suffix = suffix_of(name)
    if suffix not in SUPPORTED_SUFFIXES:
        raise ImportFailed(name, f"不支持的文件类型“{suffix or '无扩展名'}”，请上传 .md、.html、.docx 或 .txt 文件")
    if len(data) > max_bytes:
        raise ImportFailed(name, too_large_message(len(data), max_bytes))
    if not data.strip(b" \t\r\n\x00") or data.strip() in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        raise ImportFailed(name, "文件为空")
    raw = _read(name, suffix, data, max_bytes)
    units, warnings = split_units(raw)
    _check_unit_sizes(name, units)
    if not any(u.kind in ("article", "section", "table_row") for u in units):
        raise ImportFailed(name, "未识别出任何条文（第X条或“一、”编号的条目），请检查文件内容")
    title = raw.title.strip() or FILE_DATE_RE.sub("", name.rsplit(".", 1)[0])
    if raw.part:
        warnings = [w for w in warnings if not w.startswith(FIRST_NUMBER_WARNING)]  # a part starts mid-code
        for unit in units:
            unit.book = f"{raw.part} {unit.book}" if unit.book else raw.part
    head = "\n".join([raw.title, *raw.history])
    return ParsedDocument(
        format=raw.format,
        title=title,
        history=raw.history,
        units=units,
        warnings=raw.warnings + warnings,
        doc_number=normalise_doc_number(head),
        published_on=_date_from_name(name) or _date_from_history(raw.history),
        part=raw.part,
    )


def too_large_message(size: int, max_bytes: int) -> str:
    return f"文件过大（{size / 1024 / 1024:.1f} MB），上限为 {max_bytes / 1024 / 1024:g} MB"


def _check_unit_sizes(name: str, units) -> None:
    for unit in units:
        if len(unit.text) > MAX_UNIT_CHARS:
            where = unit.label if unit.kind == "article" else f"“{unit.label[:30]}”"
            raise ImportFailed(name, f"{where}过长（{len(unit.text):,} 字），单个条文上限为 {MAX_UNIT_CHARS:,} 字；"
                                     "请检查文件的条文是否分行、编号是否规范")


def _check_line_lengths(name: str, text: str) -> None:
    """Refuse a text with a line longer than ``MAX_LINE_CHARS`` before anything else reads it."""
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise ImportFailed(name, f"第 {number} 行过长（{len(line):,} 字），单行上限为 {MAX_LINE_CHARS:,} 字；"
                                     "文件可能缺少换行，请每条单独成行后再导入")


def _read(name: str, suffix: str, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> RawDocument:
    from kb.library.parsing.text_format import BinaryContent, UndecodableText, decode_text

    try:
        if suffix == ".docx":
            return _read_docx(name, data, max_bytes)
        if data.startswith(b"PK\x03\x04"):
            raise ImportFailed(name, "文件是压缩包或 Word 文档等二进制内容，不是文本文件（Word 文档请使用 .docx 扩展名）")
        text = decode_text(data)
        if suffix not in (".html", ".htm"):  # an HTML page may well be one line
            _check_line_lengths(name, text)
        if suffix in (".md", ".markdown"):
            from kb.library.parsing.markdown_format import read_markdown

            return read_markdown(text)
        if suffix in (".html", ".htm"):
            from kb.library.parsing.html_format import read_html

            return read_html(text)
        from kb.library.parsing.text_format import read_text

        return read_text(text)
    except ImportFailed:
        raise
    except BinaryContent:
        raise ImportFailed(name, "文件是二进制内容（如图片或程序文件），不是文本文件") from None
    except UndecodableText:
        raise ImportFailed(name, "无法识别文件编码（支持 UTF-8 与 GB18030/GBK）") from None
    except Exception as error:  # a reader library failing on a damaged file
        raise ImportFailed(name, f"文件无法解析（{type(error).__name__}），可能已损坏") from error


def _read_docx(name: str, data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> RawDocument:
    """Judge the archive from what it declares before anything is decompressed: its parts' total
    uncompressed size is at most ``max_bytes``; then each part is read in chunks, no further than it
    declared (a part that inflates past its declared size is refused, as is a bad checksum)."""
    if not zipfile.is_zipfile(_bytes_io(data)):
        raise ImportFailed(name, "不是有效的 Word (.docx) 文件：文件已损坏、不完整，或是改了扩展名的其他文件")
    try:
        with zipfile.ZipFile(_bytes_io(data)) as archive:
            members = archive.infolist()
            names = {member.filename for member in members}
            if "word/document.xml" not in names or "[Content_Types].xml" not in names:
                raise ImportFailed(name, "是 ZIP 压缩包而不是 Word (.docx) 文档（可能只是改了扩展名）")
            declared = sum(member.file_size for member in members)
            if declared > max_bytes:
                raise ImportFailed(name, f"Word 文档解压后过大（{declared / 1024 / 1024:.1f} MB），"
                                         f"上限为 {max_bytes / 1024 / 1024:g} MB")
            damaged = next((m.filename for m in members if not _reads_as_declared(archive, m)), None)
    except ImportFailed:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
        raise ImportFailed(name, "Word (.docx) 文件已损坏，无法打开") from None
    if damaged is not None:
        raise ImportFailed(name, f"Word (.docx) 文件已损坏（{damaged} 无法读取）")
    from kb.library.parsing.docx_format import read_docx

    return read_docx(data)


def _reads_as_declared(archive: zipfile.ZipFile, member: zipfile.ZipInfo, chunk: int = 1 << 20) -> bool:
    """Whether ``member`` decompresses to its declared size with a good checksum, reading at most
    one chunk past that size."""
    read = 0
    try:
        with archive.open(member) as stream:
            while block := stream.read(chunk):
                read += len(block)
                if read > member.file_size:
                    return False
    except zipfile.BadZipFile:  # bad CRC-32
        return False
    return read == member.file_size


def _bytes_io(data: bytes):
    import io

    return io.BytesIO(data)


def _date_from_name(name: str) -> dt.date | None:
    match = FILE_DATE_RE.search(name)
    if not match:
        return None
    try:
        return dt.date(*map(int, match.groups()))
    except ValueError:
        return None


def _date_from_history(history: list[str]) -> dt.date | None:
    for line in reversed(history):
        for match in reversed(list(HISTORY_DATE_RE.finditer(line))):
            try:
                return dt.date(*map(int, match.groups()))
            except ValueError:
                continue
        for match in reversed(list(CHINESE_DATE_RE.finditer(line))):
            if day := _chinese_date(*match.groups()):
                return day
    return None


def _chinese_date(year: str, month: str, day: str) -> dt.date | None:
    year = year.translate(str.maketrans("OＯ○零", "〇〇〇〇"))
    parts = [parse_number(year), parse_number(month), parse_number(day)]
    if None in parts:
        return None
    try:
        return dt.date(*parts)
    except ValueError:
        return None
