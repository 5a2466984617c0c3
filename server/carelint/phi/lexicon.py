"""Health terms (procedures, conditions, medications, measures, care events and places).

Matched on lowercase tokens with simple plurals, so "surgery"/"surgeries" both match.
Two-letter abbreviations (ER, ED, MI, MS) must be written in capitals to count, since in
lowercase they are ordinary words.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

TERMS_FILE = Path(__file__).parent / "data" / "en" / "health_terms.toml"
CATEGORIES = ("procedure", "condition", "medication", "measure", "care_event", "care_place")
# Categories that are facts about a person's health (as opposed to where or how care happened).
HEALTH_FACTS = frozenset({"procedure", "condition", "medication", "measure"})


@dataclass(frozen=True)
class TermHit:
    start: int  # token index
    end: int
    category: str

    def span(self, doc: Doc) -> Span:
        return doc[self.start : self.end]


def _plural(word: str) -> str:
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    return word + "s"


class HealthLexicon:
    def __init__(self, nlp: Language, path: Path = TERMS_FILE):
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for category in CATEGORIES:
            terms = data.get(category, {}).get("terms", [])
            variants = set(terms)
            variants.update(f"{t.rsplit(' ', 1)[0]} {_plural(t.rsplit(' ', 1)[-1])}".strip()
                            if " " in t else _plural(t) for t in terms if len(t) > 3)
            variants.update({_unaccented(v) for v in variants})  # "cirugia" as often as "cirugía"
            self.matcher.add(category, list(nlp.tokenizer.pipe(sorted(variants))))
        self._label = {nlp.vocab.strings[c]: c for c in CATEGORIES}

    def hits(self, doc: Doc) -> list[TermHit]:
        out = []
        for match_id, start, end in self.matcher(doc):
            text = doc[start:end].text
            if len(text) <= 2 and not text.isupper():
                continue  # "er", "or", "mi" in lowercase are words, not abbreviations
            out.append(TermHit(start, end, self._label[match_id]))
        return _longest_first(out)


def _unaccented(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if unicodedata.category(ch) != "Mn")


def _longest_first(hits: list[TermHit]) -> list[TermHit]:
    """Drop hits inside a longer hit ("knee" inside "knee replacement")."""
    kept: list[TermHit] = []
    for h in sorted(hits, key=lambda h: (h.start, -(h.end - h.start))):
        if kept and h.start < kept[-1].end:
            continue
        kept.append(h)
    return kept
