"""The post text: paragraphs, and the one place code-point and UTF-16 offsets are converted."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

OffsetUnit = Literal["codepoint", "utf16"]

# A blank line (with any whitespace in it, CRLF included) separates paragraphs.
_PARAGRAPH_BREAK = re.compile(r"(?:\r?\n|\r)[ \t\f\v\u00a0\u200b]*(?:\r?\n|\r)\s*")
# Where a long paragraph may be cut, best first: after a sentence end, at a line break, at a space.
_CUT_POINTS = (re.compile(r"[.!?…][\"')\]]*\s+"), re.compile(r"\n+"), re.compile(r"\s+"))
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")  # outside the BMP: two UTF-16 units each


@dataclass(frozen=True)
class Paragraph:
    start: int  # code-point offset of the paragraph in the post
    text: str


class Text:
    """A post's text. Owns the conversion between code-point and UTF-16 offsets."""

    # The unit of analysis and of the cache. Longer paragraphs are cut (at a sentence end if one
    # is near), which bounds the work any one unit can cost, whatever was pasted.
    MAX_PARAGRAPH_CHARS = 2000

    def __init__(self, value: str):
        self.value = value

    def paragraphs(self) -> list[Paragraph]:
        out: list[Paragraph] = []
        pos = 0
        for m in _PARAGRAPH_BREAK.finditer(self.value):
            if m.start() > pos:
                out.extend(_cut(pos, self.value[pos : m.start()], self.MAX_PARAGRAPH_CHARS))
            pos = m.end()
        if pos < len(self.value):
            out.extend(_cut(pos, self.value[pos:], self.MAX_PARAGRAPH_CHARS))
        return out

    @cached_property
    def _astral_positions(self) -> list[int]:
        """Code-point indices of characters outside the BMP (two UTF-16 units each)."""
        return [m.start() for m in _ASTRAL.finditer(self.value)]  # a scan in C, not a loop per character

    def to_unit(self, offset: int, unit: OffsetUnit) -> int:
        """A code-point offset expressed in `unit`."""
        if unit == "codepoint" or not self._astral_positions:
            return offset
        return offset + bisect_right(self._astral_positions, offset - 1)

    def utf16_length(self) -> int:
        return len(self.value) + len(self._astral_positions)


def _cut(start: int, text: str, limit: int) -> list[Paragraph]:
    """`text` (at `start` in the post) as pieces of at most `limit` code points, each cut after
    the last sentence end, else line break, else space, in the second half of the window."""
    out: list[Paragraph] = []
    pos = 0
    while len(text) - pos > limit:
        window = text[pos : pos + limit]
        cut = limit
        for pattern in _CUT_POINTS:
            ends = [m.end() for m in pattern.finditer(window, limit // 2)]
            if ends and ends[-1] < limit:
                cut = ends[-1]
                break
        out.append(Paragraph(start + pos, text[pos : pos + cut]))
        pos += cut
    out.append(Paragraph(start + pos, text[pos:]))
    return out
