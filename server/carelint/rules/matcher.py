"""RuleDetector: every rule of every pack compiled once, at start-up, into spaCy Matchers and
regexes (phrases through phrases.py), then run on each paragraph with the rules' context checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from spacy.matcher import Matcher

from carelint.findings import Finding, Severity
from carelint.language import supported as supported_languages
from carelint.nlp import text_of
from carelint.rules.loader import Cue, Rule, RulePackError, load_packs, packs_dir
from carelint.rules.phrases import PhraseCompiler, TokenPattern, is_optional

if TYPE_CHECKING:
    from collections.abc import Callable

    from spacy.language import Language
    from spacy.tokens import Doc

    from carelint.detector import CheckContext

# Opening quote must not follow a letter (so apostrophes in "don't" are not quotes); an
# apostrophe followed by a letter inside the quote does not close it. Quotes are bounded in
# length so that text full of stray quote marks cannot make the search quadratic.
QUOTED = re.compile(
    r"\"[^\"\n]{1,300}\"|“[^”\n]{1,300}”|‘[^’\n]{1,300}’|(?<![\w'])'(?=\S)(?:[^'\n]|'(?=\w)){1,300}'(?!\w)"
)


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


class LanguageRules:
    """The rules detector of the pipeline: one RuleDetector per language that has packs
    (rules/packs/<lang>/); a paragraph is matched against its own language's rules. A rule keeps
    its id across languages ("claims.cure" in English and Spanish), so a rule the organisation
    disabled is disabled in every language."""

    name = "rules"

    def __init__(self, nlp: Language):
        self.by_lang = {lang: RuleDetector(nlp, packs_dir(lang)) for lang in supported_languages()
                        if packs_dir(lang).is_dir()}

    @property
    def rules(self) -> list[Rule]:
        """Every language's rules, the default language's first."""
        return [rule for detector in self.by_lang.values() for rule in detector.rules]

    def prepare(self, paragraphs: list[str], langs: list[str]) -> None:
        return None

    def detect(self, doc: Doc, ctx: CheckContext) -> list[Finding]:
        detector = self.by_lang.get(ctx.lang)
        return detector.detect(doc, ctx) if detector else []


class RuleDetector:
    """Claims, advice, tone and language findings from one language's data packs.

    Each rule has its own Matcher, run only when the paragraph holds the words one of its patterns
    needs: most paragraphs run one or two Matchers out of some two hundred.
    """

    name = "rules"

    def prepare(self, paragraphs: list[str], langs: list[str]) -> None:
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

    def _compile(self, patterns: list[TokenPattern], validate: bool = False) -> _Compiled:
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

    def _required_words(self, pattern: TokenPattern) -> tuple[frozenset[str], ...]:
        """The word sets of the pattern's required LOWER tokens, rarest first (so a check fails fast)."""
        sets = {
            frozenset(token["LOWER"]["IN"]) for token in pattern
            if not is_optional(token) and set(token) == {"LOWER"} and isinstance(token["LOWER"], dict)
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

    def _finding(self, rule: Rule, text: str, cand: _Candidate, severity: Severity) -> Finding:
        # Its fixes (and the `suggestions` derived from them) are added by engine.py (fixes.py).
        return Finding(
            start=cand.char_start,
            end=cand.char_end,
            category=rule.category,
            type=rule.type,
            rule=rule.id,
            severity=severity,
            message=rule.message,
            source=rule.source,
            source_url=rule.url,
        )


# -- helpers ----------------------------------------------------------------------------------


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
) -> Severity | None:
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
        if check.effect == "skip":
            if present:
                return None
        elif check.effect == "require":
            if not present:
                return None
        elif present:
            severity = check.effect  # a severity
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
