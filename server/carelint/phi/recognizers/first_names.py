"""Single first names ("Ruth", "Tom", "Karen") that the small spaCy model often misses.

Names come from the US Census 1990 first-name lists shipped in the `names` package (MIT).
A token counts when it is capitalised, except for names that are also words opening ordinary
sentences ("Will you join us?"); context (phi/context.py) then decides whether it is a patient.
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
# Census names that open ordinary sentences ("Will you…", "Hope to see you"): not taken as a
# name when they are the first word of a sentence.
SENTENCE_WORDS = frozenset({
    "will", "mark", "hope", "grace", "joy", "faith", "rose", "dawn", "bill", "pat", "sue", "rob",
    "chase", "don", "drew", "jack", "gene", "ray", "rich", "sandy", "penny", "holly", "miles",
    "lane", "carol", "christian", "max", "ward", "young", "long", "price", "cash", "love", "star",
    "an", "in", "so", "al", "ed", "son", "my", "do", "lou", "sol", "kit", "bo", "sky", "iris",
    # Spanish words that are also census first names ("Dolores de cabeza…", "Paz y salud")
    "dolores", "esperanza", "socorro", "consuelo", "amparo", "gloria", "milagros", "paz", "luz",
    "cruz", "rosa", "alma", "angel", "reyes", "santos", "jesus", "dios", "mar", "nieves", "pura",
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
            if not tok.is_sent_start or tok.lower_ not in SENTENCE_WORDS:
                results.append(
                    RecognizerResult(self.ENTITY, tok.idx, tok.idx + len(tok.text), 0.5)
                )
        return results
