"""Which language a paragraph is written in, from its function words (data/languages.toml).

Language is a parameter of the whole pipeline: a request may name it (`lang`), otherwise each
paragraph gets its own, so a bilingual post is checked in both. A paragraph with no telling word
("¡Gracias!" has one, "👍 10/10" none) takes the post's language, else the default.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).parent / "data" / "languages.toml"
# Whole words only: the letters inside "a1b2c3" or a pasted hash are no word of any language.
_WORD = re.compile(r"(?<!\w)[^\W\d_]+(?:['’][^\W\d_]+)?(?!\w)")


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    words: frozenset[str]
    marks: frozenset[str]
    abbreviations: tuple[str, ...] = ()  # kept whole by the tokenizer (nlp.py)


@dataclass(frozen=True)
class Languages:
    default: str
    table: dict[str, Language]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.table)

    def scores(self, text: str) -> dict[str, float]:
        words = [w.lower().replace("’", "'") for w in _WORD.findall(text)]
        out = {}
        for code, lang in self.table.items():
            out[code] = sum(1.0 for w in words if w in lang.words) + 0.5 * sum(1 for ch in text if ch in lang.marks)
        return out

    def detect(self, text: str, fallback: str | None = None) -> str:
        """The paragraph's language; `fallback` (the post's) when no word tells, then the default."""
        scores = self.scores(text)
        best = max(scores.values(), default=0.0)
        if best <= 0:
            return fallback or self.default
        leaders = [code for code, s in scores.items() if s == best]
        if len(leaders) > 1:
            return fallback if fallback in leaders else (self.default if self.default in leaders else leaders[0])
        return leaders[0]

    def of_paragraphs(self, paragraphs: list[str], requested: str | None = None, post: str | None = None) -> list[str]:
        """One language per paragraph: the requested one for all, or each paragraph's own with
        the whole post's (`post`, detected here when not given) as the fallback for paragraphs
        too short to tell."""
        if requested:
            return [requested] * len(paragraphs)
        post = post or self.detect(" ".join(paragraphs))
        return [self.detect(p, post) for p in paragraphs]


@functools.cache
def languages() -> Languages:
    with DATA.open("rb") as fh:
        data = tomllib.load(fh)
    default = data.pop("default")
    table = {code: Language(code, t["name"], frozenset(t["words"]), frozenset(t.get("marks", "")),
                            tuple(t.get("abbreviations", ())))
             for code, t in data.items()}
    if default not in table:
        raise ValueError(f"{DATA.name}: default language {default!r} has no table")
    return Languages(default, table)


def supported() -> tuple[str, ...]:
    return languages().codes


def abbreviations() -> list[str]:
    """Every language's abbreviations that end in a period (for the shared tokenizer)."""
    return sorted({a for lang in languages().table.values() for a in lang.abbreviations})
