"""English inflection for the phrase language's ``word~``: the forms a word takes as a verb or noun."""

from __future__ import annotations

# Irregular forms the suffix rules below cannot produce.
IRREGULAR = {
    "be": {"is", "are", "was", "were", "been", "being", "am"},
    "do": {"does", "did", "done", "doing"},
    "go": {"goes", "went", "gone", "going"},
    "take": {"took", "taken", "taking"},
    "give": {"gave", "given"},
    "make": {"made"},
    "tell": {"told"},
    "feel": {"felt"},
    "swear": {"swore", "sworn"},
    "know": {"knew", "known"},
    "see": {"saw", "seen"},
    "lose": {"lost"},
    "quit": {"quitting"},
    "get": {"got", "gotten", "getting"},
    "prove": {"proven"},
    "have": {"has", "had"},
    "baby": {"babies"},
    "child": {"children"},
    "man": {"men"},
    "woman": {"women"},
    "person": {"people"},
}


def inflections(word: str) -> set[str]:
    """Regular English inflections of `word` (over-generation is harmless for matching)."""
    w = word.lower()
    forms = {w, w + "s", w + "es", w + "ed", w + "d", w + "ing"}
    if w.endswith("e"):
        forms.add(w[:-1] + "ing")
    if len(w) > 2 and w.endswith("y") and w[-2] not in "aeiou":
        forms |= {w[:-1] + "ies", w[:-1] + "ied"}
    if len(w) > 2 and w[-1] not in "aeiouwxy" and w[-2] in "aeiou" and w[-3] not in "aeiou":
        forms |= {w + w[-1] + "ed", w + w[-1] + "ing"}
    return forms | IRREGULAR.get(w, set())
