"""Deterministic benchmark posts built from bench/corpus.jsonl.

The corpus is 220 original posts written for the benchmark (patient disclosures, claims and
tone problems, ordinary clinic posts), kept in the repository so that `make bench` needs nothing
outside it. Their sentences are recombined into posts of a given length; names and digits are
varied so that no paragraph repeats within one `PostGenerator`, which keeps Carelint's
per-paragraph cache from answering a timed check. Long posts have paragraphs separated by
blank lines, as LinkedIn posts do.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

CASES_PATH = Path(__file__).resolve().parent / "corpus.jsonl"

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_FULL_NAME = re.compile(r"^[A-Z][a-z]+ [A-Z][a-z]+$")
_ABBREVIATION_END = re.compile(r"\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|vs|etc|No|[A-Z])\.$")
_ID_DIGITS = re.compile(r"\d{3,}")  # identifiers and phone parts; short numbers (ages, times, dates) stay
_YEAR = re.compile(r"(?:19|20)\d\d")
_EDITABLE_WORD = re.compile(r"\b[a-z]{4,}\b")
# Replacement words for the one-word edit: plain prose, no health or identifier meaning.
EDIT_WORDS = ("really", "truly", "simply", "quite", "wonderful", "lovely", "certainly", "honestly")


def load_cases(path: Path = CASES_PATH) -> list[dict]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _sentences(text: str) -> list[str]:
    """Sentences of a case; a split after an abbreviation ("Mr.", "Priya R.") is undone."""
    out: list[str] = []
    for piece in _SENTENCE_END.split(text):
        piece = piece.strip()
        if out and _ABBREVIATION_END.search(out[-1]):
            out[-1] += " " + piece
        elif piece:
            out.append(piece)
    return out


class PostGenerator:
    """Seeded source of distinct posts: short (≤ 280 chars), LinkedIn-length and long."""

    def __init__(self, seed: int = 2024, cases: list[dict] | None = None):
        cases = cases if cases is not None else load_cases()
        self.rng = random.Random(seed)
        sentences = {s for c in cases for s in _sentences(c["text"])}
        self.sentences = sorted(s for s in sentences if len(s) >= 20)
        names = sorted({span for c in cases for span in c["phi"] if _FULL_NAME.match(span)})
        self.firsts = sorted({n.split()[0] for n in names})
        self.lasts = sorted({n.split()[1] for n in names})
        self._name_pattern = re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))
        self._seen: set[str] = set()  # every paragraph handed out, so none repeats

    def _vary(self, sentence: str) -> str:
        """The sentence with other full names and other identifier digits (same shape)."""
        sentence = self._name_pattern.sub(
            lambda _: f"{self.rng.choice(self.firsts)} {self.rng.choice(self.lasts)}", sentence)

        def digits(m: re.Match) -> str:
            if _YEAR.fullmatch(m.group()):
                return m.group()
            first = self.rng.choice("123456789" if m.group()[0] != "0" else "0")
            return first + "".join(self.rng.choice("0123456789") for _ in m.group()[1:])

        return _ID_DIGITS.sub(digits, sentence)

    def _paragraph(self, min_sentences: int, max_sentences: int, max_chars: int) -> str:
        """A new paragraph of min..max varied sentences (fewer if max_chars is reached)."""
        for _ in range(1000):
            parts: list[str] = []
            for s in self.rng.sample(self.sentences, self.rng.randint(min_sentences, max_sentences)):
                s = self._vary(s)
                if len(" ".join(parts + [s])) > max_chars:
                    break
                parts.append(s)
            para = " ".join(parts)
            if para and para not in self._seen:
                self._seen.add(para)
                return para
        raise RuntimeError("could not build a new paragraph; the sentence pool is too small")

    def short(self, min_chars: int = 100, max_chars: int = 280) -> str:
        """A one-paragraph post of min_chars..max_chars (as close to the range as sentences allow)."""
        for _ in range(1000):
            para = self._paragraph(1, 4, max_chars)
            if len(para) >= min_chars:
                return para
        raise RuntimeError(f"could not build a post of {min_chars}..{max_chars} characters")

    def long(self, target_chars: int) -> str:
        """A post of about target_chars (+ one paragraph at most): paragraphs of 2-4 sentences."""
        paragraphs: list[str] = []
        while sum(len(p) + 2 for p in paragraphs) < target_chars:
            paragraphs.append(self._paragraph(2, 4, 600))
        return "\n\n".join(paragraphs)

    def linkedin(self) -> str:
        return self.long(self.rng.randint(2700, 2900))

    def edit_one_word(self, post: str) -> tuple[str, int]:
        """The post with one word replaced in one middle paragraph, and that paragraph's index."""
        paragraphs = post.split("\n\n")
        order = list(range(len(paragraphs)))
        middle = len(paragraphs) // 2
        order.sort(key=lambda i: abs(i - middle))  # prefer the middle paragraph
        for i in order:
            words = list(_EDITABLE_WORD.finditer(paragraphs[i]))
            if words:
                m = self.rng.choice(words)
                new = self.rng.choice([w for w in EDIT_WORDS if w != m.group()])
                paragraphs[i] = paragraphs[i][: m.start()] + new + paragraphs[i][m.end():]
                self._seen.add(paragraphs[i])
                return "\n\n".join(paragraphs), i
        raise ValueError("no word to edit in the post")


if __name__ == "__main__":
    gen = PostGenerator()
    print(f"{len(gen.sentences)} sentences, {len(gen.firsts)} first and {len(gen.lasts)} last names\n")
    print(gen.short(), "\n")
    print(gen.linkedin())
