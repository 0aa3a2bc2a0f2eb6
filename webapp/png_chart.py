"""A bar chart as a PNG, in pure Python (zlib + struct): the .docx 信息专报's 每日来电.

Word cannot show the page's SVG charts and the product ships no imaging library, so the bars are
drawn as pixels: one bar a day, rest days lighter (as on the page), light grid lines at quarters
of the highest count. The numbers stay readable in the caption and the figures beside it.
"""
from __future__ import annotations

import struct
import zlib

WIDTH, HEIGHT, MARGIN = 1240, 420, 20
BAR, REST, GRID, BACKGROUND = (0x2F, 0x6F, 0xB3), (0x9D, 0xBB, 0xDC), (0xE3, 0xE8, 0xEE), (0xFF, 0xFF, 0xFF)


def _png(pixels: list[bytearray], width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(row) for row in pixels)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def bar_chart_png(values: list[int], rest: list[bool] | None = None) -> bytes:
    """One bar per value (left to right), scaled to the highest; ``rest[i]`` draws bar i lighter."""
    rest = rest or [False] * len(values)
    pixels = [bytearray(BACKGROUND * WIDTH) for _ in range(HEIGHT)]
    top, bottom = MARGIN, HEIGHT - MARGIN
    highest = max(values, default=0) or 1
    for quarter in range(5):
        y = bottom - (bottom - top) * quarter // 4
        pixels[y][MARGIN * 3:(WIDTH - MARGIN) * 3] = bytearray(GRID * (WIDTH - 2 * MARGIN))
    if values:
        slot = (WIDTH - 2 * MARGIN) / len(values)
        width = max(1, int(slot * 0.7))
        for i, value in enumerate(values):
            left = MARGIN + int(i * slot + (slot - width) / 2)
            height = round((bottom - top) * value / highest)
            colour = REST if rest[i] else BAR
            for y in range(bottom - height, bottom):
                pixels[y][left * 3:(left + width) * 3] = bytearray(colour * width)
    return _png(pixels, WIDTH, HEIGHT)
