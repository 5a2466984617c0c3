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
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")  # outside the BMP: two UTF-16 units each


@dataclass(frozen=True)
class Paragraph:
    start: int  # code-point offset of the paragraph in the post
    text: str


class Text:
    """A post's text. Owns the conversion between code-point and UTF-16 offsets."""

    def __init__(self, value: str):
        self.value = value

    def paragraphs(self) -> list[Paragraph]:
        out: list[Paragraph] = []
        pos = 0
        for m in _PARAGRAPH_BREAK.finditer(self.value):
            if m.start() > pos:
                out.append(Paragraph(pos, self.value[pos : m.start()]))
            pos = m.end()
        if pos < len(self.value):
            out.append(Paragraph(pos, self.value[pos:]))
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
