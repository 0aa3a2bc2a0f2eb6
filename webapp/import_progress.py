"""The progress line of a long import on the command line: files done of the total, articles,
files refused, time spent and the time still expected (from the rate so far)."""
from __future__ import annotations

import sys
import time
from typing import TextIO

from kb.library.importing import FileResult


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes}分{seconds:02d}秒" if minutes else f"{seconds}秒"


class ImportProgress:
    """``update`` after each file; on a terminal the line is rewritten in place, elsewhere (a log)
    a line is written every ``every`` seconds. ``finish`` writes the last line."""

    def __init__(self, total: int, stream: TextIO | None = None, every: float = 5.0) -> None:
        self.total = total
        self.stream = stream or sys.stderr
        self.every = every if not self.stream.isatty() else 0.2
        self.started = time.monotonic()
        self.shown_at = float("-inf")
        self.done = self.articles = self.refused = 0

    def update(self, result: FileResult) -> None:
        self.done += 1
        self.articles += result.articles
        self.refused += bool(result.error)
        now = time.monotonic()
        if now - self.shown_at >= self.every:
            self.shown_at = now
            self._show(now)

    def line(self, now: float | None = None) -> str:
        elapsed = (now or time.monotonic()) - self.started
        text = f"导入中：{self.done}/{self.total} 个文件，条文 {self.articles:,} 条"
        if self.refused:
            text += f"，未导入 {self.refused} 个"
        text += f"，已用 {_duration(elapsed)}"
        if 0 < self.done < self.total:
            text += f"，预计还需 {_duration(elapsed / self.done * (self.total - self.done))}"
        return text

    def _show(self, now: float) -> None:
        if self.stream.isatty():
            self.stream.write("\r" + self.line(now) + "\033[K")
        else:
            self.stream.write(self.line(now) + "\n")
        self.stream.flush()

    def finish(self) -> None:
        self._show(time.monotonic())
        if self.stream.isatty():
            self.stream.write("\n")
