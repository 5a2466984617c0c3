"""The one check: paragraphs, a per-paragraph cache, detectors, merge, offsets, disclaimer.

Runs without the web layer; the API, the CLI and the benchmarks all call `Checker.check`.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace

from spacy.language import Language

from carelint import disclaimer, platforms
from carelint.detector import CheckContext, Detector
from carelint.findings import SEVERITY_RANK, Finding
from carelint.fixes import Edit, FixSpec, Grammar, check_kinds, default_kinds, edits_for, sentence_bounds
from carelint.language import languages
from carelint.learned.decide import DecisionStage, ParagraphSummary
from carelint.messages import localised
from carelint.nlp import load_pipeline
from carelint.phi.detector import PhiDetector
from carelint.phi.review_reply import REVIEW_REPLY, review_reply
from carelint.rules import LanguageRules
from carelint.settings import Policy
from carelint.text import OffsetUnit, Text


@dataclass(frozen=True)
class ReportedFinding:
    """A finding as the caller sees it: offsets in the unit asked for, with its text."""

    id: str
    start: int
    end: int
    text: str
    category: str
    type: str
    rule: str
    severity: str
    message: str
    suggestions: list[str]
    source: str
    source_url: str | None = None
    # What drove the decision ("addressed to the reader (you/your)", "learned:0.93"), for the card.
    drivers: list[str] = field(default_factory=list)
    fixes: list[Edit] = field(default_factory=list)  # ranged edits, offsets in the unit asked for
    lang: str = "en"  # the language of the finding's paragraph (its message is in it)


@dataclass(frozen=True)
class CheckRequest:
    text: str
    platform: str = "generic"
    offset_unit: OffsetUnit = "codepoint"
    policy: Policy = field(default_factory=Policy)
    context: str = "post"  # "review_reply": a reply to an online review (phi/review_reply.py)
    lang: str | None = None  # "en", "es"; None: each paragraph's own (language.py)


@dataclass(frozen=True)
class TextRange:
    start: int
    end: int


@dataclass(frozen=True)
class CheckResult:
    findings: list[ReportedFinding]
    disclaimer: disclaimer.DisclaimerResult
    platform: platforms.PlatformLength
    elapsed_ms: float
    # False when the time budget ran out first: `unchecked` lists what was not analysed (in the
    # unit asked for); the findings cover the rest. Checking again continues from the cache.
    complete: bool = True
    unchecked: list[TextRange] = field(default_factory=list)
    lang: str = "en"  # the post's language (its disclaimer is in it)


@dataclass(frozen=True)
class Analysed:
    """One paragraph's findings (paragraph offsets), and what post-level decisions need of it."""

    findings: list[Finding]
    summary: ParagraphSummary | None = None


class ParagraphCache:
    """LRU of detector output per paragraph, so typing re-analyses only the edited paragraph.
    Bounded by entries and by (approximate) bytes, so a few huge posts cannot fill memory."""

    # Roughly, as measured: an entry's key and bookkeeping, and each Finding with its tuples.
    ENTRY_BYTES = 1500
    FINDING_BYTES = 1000

    def __init__(self, size: int, max_bytes: int = 64 * 2**20):
        self.size = size
        self.max_bytes = max_bytes
        self.bytes = 0
        self._items: OrderedDict[tuple, tuple[Analysed, int]] = OrderedDict()

    def get(self, key: tuple) -> Analysed | None:
        found = self._items.get(key)
        if found is None:
            return None
        self._items.move_to_end(key)
        return found[0]

    def put(self, key: tuple, analysed: Analysed) -> None:
        old = self._items.pop(key, None)
        if old is not None:
            self.bytes -= old[1]
        cost = sys.getsizeof(key[0]) + self.ENTRY_BYTES + self.FINDING_BYTES * len(analysed.findings)
        cost += analysed.summary.vector_sum.nbytes if analysed.summary else 0
        self._items[key] = (analysed, cost)
        self.bytes += cost
        while len(self._items) > self.size or (self.bytes > self.max_bytes and len(self._items) > 1):
            self.bytes -= self._items.popitem(last=False)[1][1]

    def __len__(self) -> int:
        return len(self._items)


class Checker:
    # Characters analysed per spaCy call: a check overruns its time budget by at most one such
    # step (~0.2 s in the worst case), and one step's Docs are all a check holds at once.
    BUDGET_STEP_CHARS = 2000

    def __init__(self, nlp: Language, cache_size: int = 2048, with_rules: bool = True,
                 budget_s: float | None = None, with_decisions: bool = True):
        self.nlp = nlp
        self.budget_s = budget_s  # None: analyse everything (CLI, audit); the server sets one
        self.phi = PhiDetector(nlp)
        self.rules = LanguageRules(nlp) if with_rules else None
        self.detectors: list[Detector] = [self.phi] + ([self.rules] if self.rules else [])
        # The detectors propose, the trained heads decide (learned/decide.py). Without them
        # (training, some tests) the detectors' own verdicts stand and candidates are dropped.
        self.decisions = DecisionStage(self.phi.specs["CARE_DISCLOSURE"]) if with_decisions else None
        self.fix_specs = self._fix_specs()
        self.grammar = Grammar(nlp.path, nlp)
        # Carelint's own words (safe instructions and replies, disclaimers) are never flagged:
        # a fix or a disclaimer the user accepted must not raise a finding of its own.
        self.own_sentences = self._own_sentences()
        self.cache = ParagraphCache(cache_size)
        # spaCy and Presidio objects are shared; one check at a time keeps them consistent.
        self._lock = threading.Lock()

    @classmethod
    def from_model(cls, model: str, cache_size: int = 2048, with_rules: bool = True,
                   budget_s: float | None = None, with_decisions: bool = True) -> Checker:
        return cls(load_pipeline(model), cache_size=cache_size, with_rules=with_rules, budget_s=budget_s,
                   with_decisions=with_decisions)

    def reset_lock(self) -> None:
        """A fresh lock, for a copy of this checker in a forked process (workers.py)."""
        self._lock = threading.Lock()

    @property
    def model_name(self) -> str:
        meta = self.nlp.meta
        return f"{meta.get('lang', 'en')}_{meta.get('name', '?')}-{meta.get('version', '?')}"

    def rule_catalogue(self) -> list[dict[str, str]]:
        """Every rule a finding can carry, PHI rules first, each with its source."""
        seen: dict[str, dict[str, str]] = {}
        for spec in self.phi.specs.values():
            seen.setdefault(spec.rule, dict(id=spec.rule, category="phi", severity="high",
                                            message=spec.message, source=spec.source, source_url=spec.source_url))
        for rule in self.rules.rules if self.rules else []:
            seen.setdefault(rule.id, dict(id=rule.id, category=rule.category, severity=rule.severity,
                                          message=rule.message, source=rule.source, source_url=rule.url))
        for category, rule in (self.decisions.rules.items() if self.decisions else ()):
            seen.setdefault(rule["rule"], dict(id=rule["rule"], category=category, severity="medium",
                                               message=rule["message"], source=rule["source"],
                                               source_url=rule["source_url"]))
        return list(seen.values())

    def _fix_specs(self) -> dict[tuple[str, str], FixSpec]:
        """What each (rule, type) offers as fixes: the PHI entities', the packs' and the learned
        sentence rules' data."""
        specs = {(spec.rule, spec.entity): spec.fix for spec in self.phi.specs.values()}
        for rule in self.rules.rules if self.rules else []:  # the same rule in another language: one spec
            specs.setdefault((rule.id, rule.type), rule.fix)
        for rule in (self.decisions.rules.values() if self.decisions else ()):
            kinds = check_kinds(default_kinds(rule.get("fix"), (), rule.get("rewrite")), (), rule.get("rewrite"),
                                f"sentence_rules.toml: {rule['rule']}.fix")
            specs[(rule["rule"], rule["type"])] = FixSpec(kinds, (), (), rule.get("rewrite"))
        return specs

    def _own_sentences(self) -> re.Pattern | None:
        texts = {spec.rewrite for spec in self.fix_specs.values() if spec.rewrite}
        texts |= disclaimer.all_texts()
        texts |= {s for t in list(texts) for s in re.split(r"(?<=[.!?])\s+", t)}  # and each of their sentences
        patterns = [re.escape(t) for t in sorted(texts, key=len, reverse=True)]
        patterns += [p for lang in languages().codes for p in review_reply(lang).own_patterns()]
        return re.compile("|".join(patterns), re.IGNORECASE)

    def _not_own_words(self, findings: list[Finding], text: str) -> list[Finding]:
        own = [m.span() for m in self.own_sentences.finditer(text)] if self.own_sentences else []
        if not own:
            return findings
        return [f for f in findings if not any(a <= f.start and f.end <= b for a, b in own)]

    def _with_fixes(self, findings: list[Finding], doc) -> list[Finding]:
        out = []
        sentences = sentence_bounds(doc)
        for f in findings:
            spec = self.fix_specs.get((f.rule, f.type))
            fits = lambda phrase, sentence, f=f: self.grammar.fits(doc.text, sentence, f.start, f.end, phrase)  # noqa: E731
            edits = edits_for(doc.text, f.start, f.end, spec, sentences, fits) if spec else ()
            # `suggestions` (for clients before v1.2) are the edits that replace exactly the span.
            phrases = tuple(e.text for e in edits if (e.start, e.end) == (f.start, f.end) and e.text)
            out.append(replace(f, fixes=edits, suggestions=phrases))
        return out

    def check(self, text: str, platform: str = "generic", offset_unit: OffsetUnit = "codepoint",
              policy: Policy | None = None, context: str = "post", lang: str | None = None) -> CheckResult:
        return self.check_many([CheckRequest(text, platform, offset_unit, policy or Policy(), context, lang)])[0]

    def check_many(self, requests: list[CheckRequest]) -> list[CheckResult]:
        """Several posts at once: their unseen paragraphs go through spaCy in one batch, which
        costs much less per paragraph than one call each (the server batches waiting requests)."""
        started = time.perf_counter()
        deadline = started + self.budget_s if self.budget_s else None
        with self._lock:
            found = self._detect(requests, deadline)
        elapsed = round((time.perf_counter() - started) * 1000, 2)
        results = []
        for req, (findings, unchecked, summaries, lang) in zip(requests, found, strict=True):
            post = Text(req.text)
            reply = req.context == REVIEW_REPLY
            informs = self.decisions.gives_information(summaries) if self.decisions and not reply else None
            if reply:
                findings = self._with_safe_reply(findings, req.text, req.policy, lang)
            results.append(CheckResult(
                findings=[self._report(f, post, req.offset_unit) for f in findings],
                disclaimer=disclaimer.assess(req.text, req.platform, req.policy, informs, reply=reply, lang=lang),
                platform=platforms.measure(req.text, req.platform),
                elapsed_ms=elapsed,
                complete=not unchecked,
                unchecked=[TextRange(post.to_unit(a, req.offset_unit), post.to_unit(b, req.offset_unit))
                           for a, b in unchecked],
                lang=lang,
            ))
        return results

    @staticmethod
    def _with_safe_reply(findings: list[Finding], text: str, policy: Policy, lang: str = "en") -> list[Finding]:
        """In a reply to a review, each PHI finding's first fix replaces the whole reply with the
        safe one (phi/data/<lang>/review_reply.toml): what is left of a reply that discussed the
        reviewer's care rarely reads well, and one undoable edit is what the user wants."""
        reply = review_reply(lang)
        safe = Edit(reply.label, 0, len(text), reply.safe_reply(policy.org_phones))
        if text.strip() == safe.text:
            return findings
        return [replace(f, fixes=(safe, *(e for e in f.fixes if e.text != safe.text))) if f.category == "phi" else f
                for f in findings]

    def _detect(self, requests: list[CheckRequest], deadline: float | None,
                ) -> list[tuple[list[Finding], list[tuple[int, int]], list[ParagraphSummary], str]]:
        """Per request: its findings, the code-point ranges left unanalysed (deadline passed), its
        analysed paragraphs' summaries, and its language."""
        # Plan: which paragraphs of which posts are already known (cached) and which are not.
        plans = []
        known: dict[tuple, Analysed] = {}
        todo: dict[tuple, tuple[int, CheckContext]] = {}  # cache key -> (turn, context to analyse it in)
        for req in requests:
            paragraphs = Text(req.text).paragraphs()
            texts = [p.text for p in paragraphs]
            # The post's language (its disclaimer's, and the fallback of its short paragraphs), once.
            post_lang = req.lang or languages().detect(req.text)
            langs = languages().of_paragraphs(texts, req.lang, post_lang)
            with self.nlp.memory_zone():  # post-level facts tokenize every paragraph; they keep no Doc
                ctx = self._context(texts, langs, req.platform, req.policy, req.context)
            version = (req.policy.version(), ctx.key(), req.platform, req.context)
            keys = [(p.text, lang, version) for p, lang in zip(paragraphs, langs, strict=True)]
            for turn, key in enumerate(keys):
                if key not in known and key not in todo:
                    cached = self.cache.get(key)
                    if cached is None:
                        todo[key] = (turn, replace(ctx, lang=key[1]))
                    else:
                        known[key] = cached
            plans.append((paragraphs, keys, set(req.policy.disabled_rules), post_lang))
        # Analyse what is missing: each post's first paragraphs first, so that under a deadline
        # a short post batched with a huge one is still checked whole.
        # A few thousand characters per spaCy call: the clock is read between calls, and memory
        # holds one step's Docs, not a whole audit batch's. Each step runs in a spaCy memory zone
        # (nothing keeps a Doc: results are findings), so words never seen before (pasted hashes,
        # random text) do not pile up in the vocabulary of a long-running server.
        order = sorted(todo, key=lambda k: todo[k][0])
        for step in _steps(order, self.BUDGET_STEP_CHARS):
            if deadline is not None and time.perf_counter() > deadline:
                break
            texts = [key[0] for key in step]
            with self.nlp.memory_zone():
                # nlp.pipe batches well but costs more than a plain call for the usual single paragraph.
                docs = [self.nlp(texts[0])] if len(texts) == 1 else list(self.nlp.pipe(texts))
                if self.decisions is not None:
                    self.decisions.encode(docs)  # every sentence of the step in one encoder call
                for key, doc in zip(step, docs, strict=True):
                    known[key] = self._analyse(doc, todo[key][1])
                    self.cache.put(key, known[key])
        # Assemble each post from its paragraphs' findings, shifted to post offsets.
        out = []
        for paragraphs, keys, disabled, post_lang in plans:
            findings, unchecked, summaries = [], [], []
            for para, key in zip(paragraphs, keys, strict=True):
                if key not in known:
                    unchecked.append((para.start, para.start + len(para.text)))
                    continue
                findings.extend(f.shifted(para.start) for f in known[key].findings if f.rule not in disabled)
                if known[key].summary is not None:
                    summaries.append(known[key].summary)
            out.append((_dedupe(findings), unchecked, summaries, post_lang))
        return out

    def _context(self, paragraphs: list[str], langs: list[str], platform: str, policy: Policy,
                 context: str = "post") -> CheckContext:
        facts = {d.name: d.prepare(paragraphs, langs) for d in self.detectors}
        return CheckContext(policy=policy, platform=platform, facts={k: v for k, v in facts.items() if v is not None},
                            context=context)

    def _analyse(self, doc, ctx: CheckContext) -> Analysed:
        """One paragraph: the detectors' candidates, then the decisions."""
        found = [f for d in self.detectors for f in d.detect(doc, ctx)]
        if self.decisions is None:
            kept, summary = [f for f in found if f.severity], None
        else:
            kept, summary = self.decisions.decide(doc, ctx, found)
        findings = self._with_fixes(self._not_own_words(kept, doc.text), doc)
        return Analysed(localised(findings, doc.text, ctx.lang), summary)

    def paragraph_candidates(self, text: str, platform: str = "generic", policy: Policy | None = None,
                             lang: str | None = None):
        """(paragraph start, Doc, context, the detectors' candidates) for each paragraph, before any
        decision: what the training script (train/build.py) learns the decisions from."""
        paragraphs = Text(text).paragraphs()
        texts = [p.text for p in paragraphs]
        langs = languages().of_paragraphs(texts, lang)
        post_ctx = self._context(texts, langs, platform, policy or Policy())
        for para, doc, para_lang in zip(paragraphs, self.nlp.pipe(texts), langs, strict=True):
            ctx = replace(post_ctx, lang=para_lang)
            yield para.start, doc, ctx, [f for d in self.detectors for f in d.detect(doc, ctx)]

    @staticmethod
    def _report(f: Finding, text: Text, unit: OffsetUnit) -> ReportedFinding:
        start, end = text.to_unit(f.start, unit), text.to_unit(f.end, unit)
        return ReportedFinding(
            id=f"{f.category}-{f.type.lower().replace('_', '-')}-{start}-{end}",
            start=start, end=end, text=text.value[f.start : f.end], category=f.category,
            type=f.type, rule=f.rule, severity=f.severity, message=f.message,
            suggestions=list(f.suggestions), source=f.source, source_url=f.source_url, drivers=list(f.drivers),
            fixes=[Edit(e.label, text.to_unit(e.start, unit), text.to_unit(e.end, unit), e.text) for e in f.fixes],
            lang=f.lang,
        )


def _steps(keys: list[tuple], max_chars: int):
    """Cache keys grouped into runs of about `max_chars` characters of paragraph text."""
    step: list[tuple] = []
    size = 0
    for key in keys:
        if step and size + len(key[0]) > max_chars:
            yield step
            step, size = [], 0
        step.append(key)
        size += len(key[0])
    if step:
        yield step


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per (span, category): the most severe wins. Sorted by position."""
    best: dict[tuple[int, int, str], Finding] = {}
    for f in findings:
        key = (f.start, f.end, f.category)
        if key not in best or SEVERITY_RANK[f.severity] > SEVERITY_RANK[best[key].severity]:
            best[key] = f
    return sorted(best.values(), key=lambda f: (f.start, f.end, f.category))
