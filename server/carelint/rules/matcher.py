"""RuleDetector: every rule of every pack compiled once, at start-up, into spaCy Matchers and regexes.

Phrase syntax (compiled here into Matcher token patterns):

- words are separated by spaces and matched case-insensitively;
- ``a|b|c`` alternatives for one word (a multi-word alternative needs a phrase of its own);
  ``word~`` any inflection (cure~: cures, cured, curing);
- ``word?`` makes a word optional; ``*`` is any one token, ``*{0,3}`` up to three;
- ``@name`` any entry of a lexicon (entries may be several words and use ``~``);
- ``#NUM`` any number-like token (30, thirty).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from spacy.matcher import Matcher

from carelint.findings import Finding
from carelint.nlp import text_of
from carelint.rules.loader import Cue, Rule, RulePackError, load_packs

if TYPE_CHECKING:
    from collections.abc import Callable

    from spacy.language import Language
    from spacy.tokens import Doc

    from carelint.detector import CheckContext

MAX_PATTERNS_PER_PHRASE = 2000
WILDCARD = re.compile(r"^\*(\{\d*,\d*\})?$")

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

# Opening quote must not follow a letter (so apostrophes in "don't" are not quotes); an
# apostrophe followed by a letter inside the quote does not close it. Quotes are bounded in
# length so that text full of stray quote marks cannot make the search quadratic.
QUOTED = re.compile(
    r"\"[^\"\n]{1,300}\"|“[^”\n]{1,300}”|‘[^’\n]{1,300}’|(?<![\w'])'(?=\S)(?:[^'\n]|'(?=\w)){1,300}'(?!\w)"
)


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


def _with_curly_apostrophes(forms: set[str]) -> set[str]:
    return forms | {f.replace("'", "’") for f in forms if "'" in f}


class PhraseCompiler:
    """Turns the phrase syntax into spaCy Matcher patterns, tokenizing words like the pipeline."""

    def __init__(self, nlp: Language, lexicons: dict[str, tuple[str, ...]]):
        self.tokenizer = nlp.tokenizer
        self.lexicons = lexicons
        self._words: dict[str, list[str]] = {}  # the same words recur across thousands of phrases

    def compile_all(self, phrases: list[str] | tuple[str, ...], label: str) -> list[list[dict[str, Any]]]:
        """The patterns of a rule's or cue's phrases; an error names `label` and the field."""
        patterns: list[list[dict[str, Any]]] = []
        for phrase in phrases:
            try:
                patterns.extend(self.compile(phrase))
            except ValueError as exc:
                raise RulePackError(f"{label}: field 'phrases': {exc}") from exc
        return patterns

    def compile(self, phrase: str) -> list[list[dict[str, Any]]]:
        patterns: list[list[dict[str, Any]]] = [[]]
        for word in phrase.split():
            choices = self._word(word)
            patterns = [p + c for p, c in itertools.product(patterns, choices)]
            if len(patterns) > MAX_PATTERNS_PER_PHRASE:
                raise ValueError(f"phrase {phrase!r} expands to too many patterns")
        if any(all(_is_optional(t) for t in p) for p in patterns):
            raise ValueError(f"phrase {phrase!r} could match an empty span (every word optional)")
        return patterns

    def _word(self, word: str) -> list[list[dict[str, Any]]]:
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
        choices = [[{"LOWER": {"IN": sorted(forms)}} for forms in seq] for seq in by_length.values()]
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


@dataclass(frozen=True)
class _Candidate:
    rule_index: int
    start: int  # token offsets
    end: int
    char_start: int
    char_end: int


@dataclass
class _Compiled:
    """One rule's or cue's matchers, and the words its token patterns need.

    `needs` lists, per distinct token pattern, the word sets it requires: one word of each set
    must be in the paragraph for that pattern to match. The Matcher runs only when some pattern's
    needs are all met (most paragraphs meet none), so a rule costs a few set look-ups.
    None: no such knowledge (hand-written token patterns), always run.
    """

    matcher: Matcher | None = None
    needs: tuple[tuple[frozenset[str], ...], ...] | None = None
    regexes: list[re.Pattern[str]] = field(default_factory=list)

    def could_match(self, words: set[str]) -> bool:
        return self.needs is None or any(all(not s.isdisjoint(words) for s in need) for need in self.needs)


class RuleDetector:
    """Claims, advice, tone and language findings from the data packs.

    Each rule has its own Matcher, run only when the paragraph holds the words one of its patterns
    needs: most paragraphs run one or two Matchers out of some two hundred.
    """

    name = "rules"

    def prepare(self, paragraphs: list[str]) -> None:
        return None  # every rule reads its own paragraph only

    def __init__(self, nlp: Language, packs_dir: Path | None = None):
        packs = load_packs(packs_dir)
        self.rules: list[Rule] = packs.rules
        self._vocab = nlp.vocab
        self._stop_words = nlp.Defaults.stop_words
        compiler = PhraseCompiler(nlp, packs.lexicons)
        self._compiled_rules = [self._compile_rule(rule, compiler) for rule in self.rules]
        self._compiled_cues = {name: self._compile_cue(cue, compiler) for name, cue in packs.cues.items()}
        # Which rules a paragraph's words can wake: each pattern needs a word of its first
        # (rarest) set, so only rules indexed under some word of the paragraph are looked at.
        self._rules_by_word: dict[str, set[int]] = {}
        self._always_looked_at: set[int] = set()
        for index, compiled in enumerate(self._compiled_rules):
            if compiled.regexes or (compiled.matcher is not None and compiled.needs is None):
                self._always_looked_at.add(index)
            for need in compiled.needs or ():
                for word in need[0]:
                    self._rules_by_word.setdefault(word, set()).add(index)

    def _compile_rule(self, rule: Rule, compiler: PhraseCompiler) -> _Compiled:
        label = f"{rule.pack}: rule {rule.id!r}"
        patterns = compiler.compile_all(rule.phrases, label)
        raw = [[dict(t) for t in p] for p in rule.tokens]
        try:
            compiled = self._compile(patterns + raw, validate=bool(raw))
        except ValueError as exc:
            field_name = "tokens" if rule.tokens else "phrases"
            raise RulePackError(f"{label}: field {field_name!r}: invalid Matcher pattern: {exc}") from exc
        if raw:
            compiled.needs = None  # hand-written token patterns may match on any attribute
        flags = 0 if rule.case_sensitive else re.IGNORECASE
        compiled.regexes = [re.compile(p, flags) for p in rule.regex]
        return compiled

    def _compile_cue(self, cue: Cue, compiler: PhraseCompiler) -> _Compiled:
        compiled = self._compile(compiler.compile_all(cue.phrases, f"{cue.pack}: cues.{cue.name}"))
        flags = 0 if cue.case_sensitive else re.IGNORECASE
        compiled.regexes = [re.compile(p, flags) for p in cue.regex]
        return compiled

    def _compile(self, patterns: list[list[dict[str, Any]]], validate: bool = False) -> _Compiled:
        """`validate`: check the patterns against spaCy's schema (hand-written ones; those the
        PhraseCompiler makes are valid by construction, and checking them slowed start-up)."""
        if not patterns:
            return _Compiled()
        matcher = Matcher(self._vocab, validate=validate)
        matcher.add("match", patterns)
        needs: set[tuple[frozenset[str], ...]] = set()
        for pattern in patterns:
            required = self._required_words(pattern)
            if not required:
                return _Compiled(matcher, None)  # this pattern could match without any known word
            needs.add(required)
        return _Compiled(matcher, tuple(needs))

    def _required_words(self, pattern: list[dict[str, Any]]) -> tuple[frozenset[str], ...]:
        """The word sets of the pattern's required LOWER tokens, rarest first (so a check fails fast)."""
        sets = {
            frozenset(token["LOWER"]["IN"]) for token in pattern
            if not _is_optional(token) and set(token) == {"LOWER"} and isinstance(token["LOWER"], dict)
        }
        return tuple(sorted(sets, key=lambda ws: (sum(w in self._stop_words or len(w) < 3 for w in ws), len(ws))))

    # -- detection ----------------------------------------------------------------------------

    def detect(self, doc: Doc, ctx: CheckContext) -> list[Finding]:
        text = text_of(doc)
        if not text.strip():
            return []
        candidates = self._candidates(doc, text)
        if not candidates:
            return []
        sentence_of = _sentence_bounds(doc)
        cue_spans: dict[str, list[tuple[int, int]]] = {}

        def cues(name: str) -> list[tuple[int, int]]:
            if name not in cue_spans:
                cue_spans[name] = _spans(doc, text, self._compiled_cues[name])
            return cue_spans[name]

        quotes = [(m.start(), m.end(), _is_question(m.group())) for m in QUOTED.finditer(text)]
        kept: dict[int, list[Finding]] = {}
        # Longest match first at each position, so one rule keeps its widest non-overlapping spans.
        for cand in sorted(candidates, key=lambda c: (c.char_start, c.char_start - c.char_end)):
            rule = self.rules[cand.rule_index]
            if _quoted_and_skipped(rule.in_quotes, cand, quotes):
                continue
            severity = _apply_context(rule, cand, sentence_of, cues)
            if severity is None:
                continue
            previous = kept.setdefault(cand.rule_index, [])
            if previous and previous[-1].end > cand.char_start:
                continue
            previous.append(self._finding(rule, text, cand, severity))
        return sorted((f for fs in kept.values() for f in fs), key=lambda f: (f.start, f.end, f.rule))

    def rules_woken_by(self, words: set[str]) -> list[int]:
        """Indexes of the rules worth running on a paragraph with these (lowercase) words."""
        woken = set(self._always_looked_at)
        for word in words:
            woken.update(self._rules_by_word.get(word, ()))
        return sorted(woken)

    def _candidates(self, doc: Doc, text: str) -> list[_Candidate]:
        words = {t.lower_ for t in doc}
        found = []
        for index in self.rules_woken_by(words):
            compiled = self._compiled_rules[index]
            for start, end in _spans(doc, text, compiled, words):
                found.append(_Candidate(index, start, end, doc[start].idx, doc[end - 1].idx + len(doc[end - 1])))
        return found

    def _finding(self, rule: Rule, text: str, cand: _Candidate, severity: str) -> Finding:
        matched = text[cand.char_start : cand.char_end]
        suggestions = rule.suggestions
        if rule.plural_suggestions and _looks_plural(matched):
            suggestions = rule.plural_suggestions
        return Finding(
            start=cand.char_start,
            end=cand.char_end,
            category=rule.category,  # type: ignore[arg-type]  # validated by the loader
            type=rule.type,
            rule=rule.id,
            severity=severity,  # type: ignore[arg-type]
            message=rule.message,
            source=rule.source,
            suggestions=tuple(_match_case(s, matched) for s in suggestions),
        )


# -- helpers ----------------------------------------------------------------------------------


def _is_optional(token: dict[str, Any]) -> bool:
    op = token.get("OP", "")
    return op in ("?", "*") or op.startswith(("{0", "{,"))


def _spans(doc: Doc, text: str, compiled: _Compiled, words: set[str] | None = None) -> list[tuple[int, int]]:
    """Token spans matched by a compiled rule or cue (regex matches expanded to whole tokens)."""
    spans: list[tuple[int, int]] = []
    if compiled.matcher is not None and (words is None or compiled.could_match(words)):
        spans.extend((start, end) for _, start, end in compiled.matcher(doc))
    for pattern in compiled.regexes:
        for m in pattern.finditer(text):
            span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
            if span is not None and len(span):
                spans.append((span.start, span.end))
    return spans


def _sentence_bounds(doc: Doc) -> list[tuple[int, int]]:
    """(start, end) token offsets of the sentence each token is in."""
    if not doc.has_annotation("SENT_START"):
        return [(0, len(doc))] * len(doc)
    bounds: list[tuple[int, int]] = []
    for sent in doc.sents:
        bounds.extend([(sent.start, sent.end)] * len(sent))
    return bounds


def _apply_context(
    rule: Rule, cand: _Candidate, sentence_of: list[tuple[int, int]], cues: Callable[[str], list[tuple[int, int]]]
) -> str | None:
    """The rule's severity after its context checks, or None if the match is dropped."""
    severity = rule.severity
    sent_start, sent_end = sentence_of[cand.start][0], sentence_of[cand.end - 1][1]
    for check in rule.context:
        spans = cues(check.cue)
        if check.where == "before":
            low = max(sent_start, cand.start - check.window) if check.window else sent_start
            present = any(s >= low and e <= cand.start for s, e in spans)
        elif check.where == "after":
            high = min(sent_end, cand.end + check.window) if check.window else sent_end
            present = any(s >= cand.end and e <= high for s, e in spans)
        elif check.where == "sentence":
            present = any(s < sent_end and e > sent_start for s, e in spans)
        else:
            present = bool(spans)
        if check.effect == "skip" and present:
            return None
        if check.effect == "require" and not present:
            return None
        if check.effect not in ("skip", "require") and present:
            severity = check.effect
    return severity


def _is_question(quoted: str) -> bool:
    return quoted[1:-1].rstrip(" .,!").endswith("?")


def _quoted_and_skipped(policy: str, cand: _Candidate, quotes: list[tuple[int, int, bool]]) -> bool:
    if policy == "keep":
        return False
    for start, end, question in quotes:
        if start <= cand.char_start and cand.char_end <= end:
            return policy == "skip" or question
    return False


def _looks_plural(text: str) -> bool:
    last = text.split()[-1].lower() if text.split() else ""
    return last.endswith("s") and not last.endswith("ss")


def _match_case(suggestion: str, original: str) -> str:
    """Keep the original's case: ADDICT -> PERSON WITH…, Addict -> Person with…"""
    letters = [c for c in original if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return suggestion.upper()
    if original[:1].isupper():
        return suggestion[:1].upper() + suggestion[1:]
    return suggestion
