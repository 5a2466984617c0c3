"""The phrase language of the rule packs, compiled into spaCy Matcher token patterns.

- words are separated by spaces and matched case-insensitively;
- ``a|b|c`` alternatives for one word (a multi-word alternative needs a phrase of its own);
  ``word~`` any inflection (cure~: cures, cured, curing; see inflect.py);
- ``word?`` makes a word optional; ``*`` is any one token, ``*{0,3}`` up to three;
- ``@name`` any entry of a lexicon (entries may be several words and use ``~``);
- ``#NUM`` any number-like token (30, thirty).
"""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING, Any

from carelint.rules.inflect import inflections
from carelint.rules.loader import RulePackError

if TYPE_CHECKING:
    from spacy.language import Language

MAX_PATTERNS_PER_PHRASE = 2000
WILDCARD = re.compile(r"^\*(\{\d*,\d*\})?$")

TokenPattern = list[dict[str, Any]]  # one spaCy Matcher pattern


def is_optional(token: dict[str, Any]) -> bool:
    """Whether a Matcher token may match nothing (?, *, or a {0,n} repeat)."""
    op = token.get("OP", "")
    return op in ("?", "*") or op.startswith(("{0", "{,"))


def _with_curly_apostrophes(forms: set[str]) -> set[str]:
    return forms | {f.replace("'", "’") for f in forms if "'" in f}


class PhraseCompiler:
    """Turns the phrase syntax into spaCy Matcher patterns, tokenizing words like the pipeline."""

    def __init__(self, nlp: Language, lexicons: dict[str, tuple[str, ...]]):
        self.tokenizer = nlp.tokenizer
        self.lexicons = lexicons
        self._words: dict[str, list[str]] = {}  # the same words recur across thousands of phrases

    def compile_all(self, phrases: list[str] | tuple[str, ...], label: str) -> list[TokenPattern]:
        """The patterns of a rule's or cue's phrases; an error names `label` and the field."""
        patterns: list[TokenPattern] = []
        for phrase in phrases:
            try:
                patterns.extend(self.compile(phrase))
            except ValueError as exc:
                raise RulePackError(f"{label}: field 'phrases': {exc}") from exc
        return patterns

    def compile(self, phrase: str) -> list[TokenPattern]:
        patterns: list[TokenPattern] = [[]]
        for word in phrase.split():
            choices = self._word(word)
            patterns = [p + c for p, c in itertools.product(patterns, choices)]
            if len(patterns) > MAX_PATTERNS_PER_PHRASE:
                raise ValueError(f"phrase {phrase!r} expands to too many patterns")
        if any(all(is_optional(t) for t in p) for p in patterns):
            raise ValueError(f"phrase {phrase!r} could match an empty span (every word optional)")
        return patterns

    def _word(self, word: str) -> list[TokenPattern]:
        """The alternative token sequences one phrase word stands for."""
        optional = len(word) > 1 and word.endswith("?")
        if optional:
            word = word[:-1]
        wildcard = WILDCARD.match(word)
        if wildcard:
            token: dict[str, Any] = {"IS_SENT_START": False}
            if wildcard.group(1) or optional:
                token["OP"] = wildcard.group(1) or "?"
            return [[token]]
        if word == "#NUM":
            return [[{"LIKE_NUM": True, "OP": "?"} if optional else {"LIKE_NUM": True}]]
        sequences: list[list[set[str]]] = []
        for alternative in word.split("|"):
            if alternative.startswith("@"):
                sequences.extend(self._entry(entry) for entry in self.lexicons[alternative[1:]])
            else:
                sequences.append(self._literal(alternative))
        # Alternatives of equal length are merged position by position: far fewer patterns, and the
        # few extra combinations this allows ("heart thinners") are harmless.
        by_length: dict[int, list[set[str]]] = {}
        for seq in sequences:
            merged = by_length.setdefault(len(seq), [set() for _ in seq])
            for position, forms in enumerate(seq):
                merged[position] |= forms
        choices: list[TokenPattern] = [[{"LOWER": {"IN": sorted(forms)}} for forms in seq]
                                       for seq in by_length.values()]
        if optional and len(choices) == 1 and len(choices[0]) == 1:
            choices[0][0]["OP"] = "?"
            return choices
        return choices + [[]] if optional else choices

    def _entry(self, entry: str) -> list[set[str]]:
        """A lexicon entry: one or more words, each may carry ~ (no other operators)."""
        return [forms for word in entry.split() for forms in self._literal(word)]

    def _literal(self, text: str) -> list[set[str]]:
        inflect = text.endswith("~")
        if inflect:
            text = text[:-1]
        if not text:
            raise ValueError("empty word")
        words = self._words.get(text)
        if words is None:
            words = self._words[text] = [t.text.lower() for t in self.tokenizer(text)]
        sequence = [{w} for w in words]
        if inflect:
            sequence[-1] = inflections(words[-1])
        return [_with_curly_apostrophes(forms) for forms in sequence]
