"""Single first names ("Ruth", "Tom", "Karen") that the small spaCy model often misses.

Names come from the US Census 1990 first-name lists shipped in the `names` package (MIT).
A token counts only when it is capitalised inside a sentence (not merely its first word) or
is followed by a comma, as in "Ruth, you…", so "Grace under pressure" stays out; context
(phi/context.py) then decides whether it is a patient.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from presidio_analyzer import EntityRecognizer, RecognizerResult

# Census first names that are far more often something else in health posts.
NOT_NAMES = frozenset({
    "january", "march", "april", "may", "june", "august", "monday", "tuesday", "wednesday",
    "thursday", "friday", "saturday", "sunday", "christmas", "easter", "summer", "autumn", "winter",
    "king", "queen", "major", "sunny", "dean", "art", "chance", "page", "guy", "else", "care",
})


@cache
def census_first_names() -> frozenset[str]:
    pkg = resources.files("names")
    out: set[str] = set()
    for name in ("dist.male.first", "dist.female.first"):
        for line in pkg.joinpath(name).read_text(encoding="ascii").splitlines():
            if line.strip():
                out.add(line.split()[0].lower())
    return frozenset(out - NOT_NAMES)


class FirstNameRecognizer(EntityRecognizer):
    ENTITY = "PERSON"

    def __init__(self) -> None:
        super().__init__(supported_entities=[self.ENTITY], name="carelint.first_name")

    def load(self) -> None:
        census_first_names()

    def analyze(self, text, entities, nlp_artifacts):  # noqa: D102 (presidio signature)
        doc = nlp_artifacts.tokens
        known = census_first_names()
        results = []
        for tok in doc:
            if not (tok.is_title and len(tok) > 1 and tok.lower_ in known):
                continue
            vocative = tok.i + 1 < len(doc) and doc[tok.i + 1].text in {",", "!", "?", "'s", "’s"}
            if not tok.is_sent_start or vocative:
                results.append(
                    RecognizerResult(self.ENTITY, tok.idx, tok.idx + len(tok.text), 0.5)
                )
        return results
