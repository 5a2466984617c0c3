"""The one check: paragraphs, a per-paragraph cache, detectors, merge, offsets, disclaimer.

Runs without the web layer; the API, the CLI and the benchmarks all call `Checker.check`.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from spacy.language import Language

from carelint import disclaimer, platforms
from carelint.detector import CheckContext, Detector
from carelint.findings import SEVERITY_RANK, Finding
from carelint.nlp import load_pipeline
from carelint.phi.detector import PhiDetector
from carelint.rules import RuleDetector
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


@dataclass(frozen=True)
class CheckRequest:
    text: str
    platform: str = "generic"
    offset_unit: OffsetUnit = "codepoint"
    policy: Policy = field(default_factory=Policy)


@dataclass(frozen=True)
class CheckResult:
    findings: list[ReportedFinding]
    disclaimer: disclaimer.DisclaimerResult
    platform: platforms.PlatformLength
    elapsed_ms: float


class ParagraphCache:
    """LRU of detector output per paragraph, so typing re-analyses only the edited paragraph."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[tuple, list[Finding]] = OrderedDict()

    def get(self, key: tuple) -> list[Finding] | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: tuple, findings: list[Finding]) -> None:
        self._items[key] = findings
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)


class Checker:
    def __init__(self, nlp: Language, cache_size: int = 2048, with_rules: bool = True):
        self.nlp = nlp
        self.phi = PhiDetector(nlp)
        self.rules = RuleDetector(nlp) if with_rules else None
        self.detectors: list[Detector] = [self.phi] + ([self.rules] if self.rules else [])
        self.cache = ParagraphCache(cache_size)
        # spaCy and Presidio objects are shared; one check at a time keeps them consistent.
        self._lock = threading.Lock()

    @classmethod
    def from_model(cls, model: str, cache_size: int = 2048, with_rules: bool = True) -> Checker:
        return cls(load_pipeline(model), cache_size=cache_size, with_rules=with_rules)

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
                                            message=spec.message, source=spec.source))
        for rule in self.rules.rules if self.rules else []:
            seen.setdefault(rule.id, dict(id=rule.id, category=rule.category, severity=rule.severity,
                                          message=rule.message, source=rule.source))
        return list(seen.values())

    def check(self, text: str, platform: str = "generic", offset_unit: OffsetUnit = "codepoint",
              policy: Policy | None = None) -> CheckResult:
        return self.check_many([CheckRequest(text, platform, offset_unit, policy or Policy())])[0]

    def check_many(self, requests: list[CheckRequest]) -> list[CheckResult]:
        """Several posts at once: their unseen paragraphs go through spaCy in one batch, which
        costs much less per paragraph than one call each (the server batches waiting requests)."""
        started = time.perf_counter()
        with self._lock:
            found = self._detect(requests)
        elapsed = round((time.perf_counter() - started) * 1000, 2)
        results = []
        for req, findings in zip(requests, found, strict=True):
            post = Text(req.text)
            results.append(CheckResult(
                findings=[self._report(f, post, req.offset_unit) for f in findings],
                disclaimer=disclaimer.assess(req.text, req.platform, req.policy),
                platform=platforms.measure(req.text, req.platform),
                elapsed_ms=elapsed,
            ))
        return results

    def _detect(self, requests: list[CheckRequest]) -> list[list[Finding]]:
        # Plan: which paragraphs of which posts are already known (cached) and which are not.
        plans = []
        known: dict[tuple, list[Finding]] = {}
        todo: dict[tuple, CheckContext] = {}  # cache key -> context to analyse it in
        for req in requests:
            paragraphs = Text(req.text).paragraphs()
            post = self.phi.post_cues([p.text for p in paragraphs])
            ctx = CheckContext(policy=req.policy, platform=req.platform, post=post)
            version = (req.policy.version(), post.key(), req.platform)
            keys = [(p.text, version) for p in paragraphs]
            for key in keys:
                if key not in known and key not in todo:
                    cached = self.cache.get(key)
                    if cached is None:
                        todo[key] = ctx
                    else:
                        known[key] = cached
            plans.append((paragraphs, keys, set(req.policy.disabled_rules)))
        # Analyse what is missing, in one spaCy call.
        texts = [key[0] for key in todo]
        # nlp.pipe batches well but costs more than a plain call for the usual single paragraph.
        docs = [self.nlp(texts[0])] if len(texts) == 1 else self.nlp.pipe(texts)
        for (key, ctx), doc in zip(todo.items(), docs, strict=True):
            known[key] = [f for d in self.detectors for f in d.detect(doc, ctx)]
            self.cache.put(key, known[key])
        # Assemble each post from its paragraphs' findings, shifted to post offsets.
        return [
            _dedupe([
                f.shifted(para.start)
                for para, key in zip(paragraphs, keys, strict=True)
                for f in known[key]
                if f.rule not in disabled
            ])
            for paragraphs, keys, disabled in plans
        ]

    @staticmethod
    def _report(f: Finding, text: Text, unit: OffsetUnit) -> ReportedFinding:
        start, end = text.to_unit(f.start, unit), text.to_unit(f.end, unit)
        return ReportedFinding(
            id=f"{f.category}-{f.type.lower().replace('_', '-')}-{start}-{end}",
            start=start, end=end, text=text.value[f.start : f.end], category=f.category,
            type=f.type, rule=f.rule, severity=f.severity, message=f.message,
            suggestions=list(f.suggestions), source=f.source,
        )


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """One finding per (span, category): the most severe wins. Sorted by position."""
    best: dict[tuple[int, int, str], Finding] = {}
    for f in findings:
        key = (f.start, f.end, f.category)
        if key not in best or SEVERITY_RANK[f.severity] > SEVERITY_RANK[best[key].severity]:
            best[key] = f
    return sorted(best.values(), key=lambda f: (f.start, f.end, f.category))
