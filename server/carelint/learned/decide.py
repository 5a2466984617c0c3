"""The decision stage: the detectors propose (identifiers kept or only candidates, rule matches),
the trained heads decide. One call per paragraph, after the detectors, before the cache.

- Each sentence gets a probability per category. A sentence that discloses someone's care (the
  nameless review reply: "your bloodwork was normal, as we explained") becomes a PHI finding; a
  claim, advice, tone or language sentence that no hand-written rule matched becomes a finding of
  that category's default rule (data/sentence_rules.toml).
- Each identifier candidate gets its severity from the span head, which reads the hand-written
  context's verdict as one feature among others (kind, titles, its sentence's probability).
- Rule matches and phrase-level disclosures keep their own severity; the organisation's
  allowlists were applied before (the detectors never propose those).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from spacy.tokens import Doc

from carelint.detector import CheckContext
from carelint.findings import SEVERITY_RANK, Finding
from carelint.learned.encoder import DIMENSIONS, SentenceEncoder
from carelint.learned.features import (
    CATEGORIES,
    DISCLOSURE_TYPES,
    HAND_FEATURES,
    SENTENCE_FEATURES,
    Sentence,
    disclaimer_cues,
    disclaimer_row,
    inside,
    names_someone,
    sentence_matrix,
    sentences,
    signals_for,
    span_row,
)
from carelint.learned.model import Head, load_heads
from carelint.nlp import text_of
from carelint.phi.context import OWN_CONTACT, STAFF_NAME
from carelint.phi.identifiers import IdentifierSpec
from carelint.phi.review_reply import REVIEW_REPLY, review_reply
from carelint.sources import cite

RULES_FILE = Path(__file__).parent / "data" / "sentence_rules.toml"
CONDITIONAL = SENTENCE_FEATURES.index("conditional")
QUESTION = SENTENCE_FEATURES.index("question")
# Hand-written verdicts (drivers) the span head does not overturn, besides a title next to a name.
SETTLED = (OWN_CONTACT, STAFF_NAME)
HAND_START = SENTENCE_FEATURES.index(HAND_FEATURES[0])
# A health term in the sentence, the reader's or another's (a refusal that names one still tells it).
HEALTH_TERMS = [SENTENCE_FEATURES.index(k) for k in ("health_terms", "health_yours", "health_theirs")]
# A sentence's own evidence of care, apart from the identifiers in it (health terms, a
# disclosure cue; not a time word: "tomorrow" is not care).
CARE_EVIDENCE = [SENTENCE_FEATURES.index(k)
                 for k in ("health_terms", "health_yours", "health_theirs", "phi_disclosure")]
SPAN_HEAD = "span"
DISCLAIMER_HEAD = "disclaimer"
# Hand-read signals worth naming on a card when they are present in a flagged sentence.
DRIVER_NAMES = {"you": "addressed to the reader (you/your)", "phi_candidates": "a name or identifier",
                "phi_disclosure": "a care detail", "post_reply": "a reply about a visit or record",
                "post_strong": "the post is about a patient", "post_health": "health words"}


@dataclass(frozen=True)
class ParagraphSummary:
    """What a post-level decision (the disclaimer) needs of a paragraph, kept with its findings."""

    sentences: int
    vector_sum: np.ndarray  # of its sentence vectors
    max_probs: np.ndarray  # per category (features.CATEGORIES)
    cues: np.ndarray  # the hand-written disclaimer cues of its text (features.disclaimer_cues)


@dataclass
class ParagraphView:
    """A paragraph as the heads see it."""

    sentences: list[Sentence]
    matrix: np.ndarray  # sentence rows (features.SENTENCE_FEATURES)
    probs: dict[str, np.ndarray]  # category -> one probability per sentence
    about_someone: list[bool]  # per sentence: does it speak of a person at all (features.names_someone)?
    person_first: list[bool]  # per sentence: does it use person-first wording ("people with epilepsy")?
    declines: list[bool]  # per sentence: does it decline to discuss care, naming no health term?


def hand_part(row: np.ndarray) -> np.ndarray:
    """A sentence row's hand-read signals, in HAND_FEATURES order (the hashed words come after)."""
    return row[HAND_START : HAND_START + len(HAND_FEATURES)]


def is_identifier(f: Finding) -> bool:
    return f.category == "phi" and f.type not in DISCLOSURE_TYPES


class DecisionStage:
    def __init__(self, disclosure: IdentifierSpec, heads: dict[str, Head] | None = None,
                 encoder: SentenceEncoder | None = None):
        self.heads = heads if heads is not None else load_heads()
        self.encoder = encoder or SentenceEncoder()
        self.disclosure = disclosure
        self.rules = tomllib.loads(RULES_FILE.read_text(encoding="utf-8"))
        for category, rule in self.rules.items():  # the readable source line and URL, from the registry
            citation = cite(rule["sources"], f"{RULES_FILE.name}: [{category}]")
            rule.update(source=citation.text, source_url=citation.url)

    # -- what the heads see ---------------------------------------------------------------------
    def encode(self, docs: list[Doc]) -> None:
        """Encode the sentences of several paragraphs at once (they are then cached): one batched
        call is cheaper than one per paragraph, and a long post's batches share both cores."""
        texts = [text_of(doc)[s.start : s.end] for doc in docs for s in sentences(doc)]
        if texts:
            self.encoder.encode(texts)

    def view(self, doc: Doc, ctx: CheckContext, found: list[Finding]) -> ParagraphView:
        sents = sentences(doc)
        text = text_of(doc)
        vectors = self.encoder.encode([text[s.start : s.end] for s in sents]) if sents else np.zeros((0, 0))
        matrix = sentence_matrix(doc, ctx, found, sents, vectors)
        probs = {c: self.heads[c].proba(matrix) if len(sents) else np.zeros(0)
                 for c in CATEGORIES if c in self.heads}
        chunks = [text[s.start : s.end] for s in sents]
        person_first = signals_for(ctx.lang).person_first
        reply = review_reply(ctx.lang)
        declines = [reply.declines(c) and not matrix[k][HEALTH_TERMS].any() for k, c in enumerate(chunks)]
        return ParagraphView(sents, matrix, probs, [names_someone(c, ctx.lang) for c in chunks],
                             [bool(person_first.search(c)) for c in chunks], declines)

    def span_features(self, doc: Doc, ctx: CheckContext, view: ParagraphView,
                      candidates: list[Finding]) -> np.ndarray:
        text = text_of(doc)
        phi = view.probs.get("phi", np.zeros(len(view.sentences)))
        paragraph_p = float(phi.max()) if len(phi) else 0.0
        rows = []
        for f in candidates:
            k = next((i for i, s in enumerate(view.sentences) if inside(f, s)), None)
            rows.append(span_row(f, text, float(phi[k]) if k is not None else 0.0, paragraph_p, ctx,
                                 view.sentences[k].start if k is not None else f.start))
        return np.array(rows, dtype=np.float32).reshape(len(rows), -1)

    # -- the decision ---------------------------------------------------------------------------
    def summary(self, view: ParagraphView, text: str, lang: str = "en") -> ParagraphSummary:
        n = len(view.sentences)
        vectors = view.matrix[:, :DIMENSIONS] if n else np.zeros((0, DIMENSIONS), dtype=np.float32)
        return ParagraphSummary(n, vectors.sum(axis=0),
                                np.array([float(view.probs[c].max()) if n and c in view.probs else 0.0
                                          for c in CATEGORIES], dtype=np.float32),
                                disclaimer_cues(text, lang))

    def gives_information(self, summaries: list[ParagraphSummary]) -> bool | None:
        """Does the post give health information (so it needs a disclaimer unless it has one)?
        None when no disclaimer head is trained (the hand-written cues decide then)."""
        head = self.heads.get(DISCLAIMER_HEAD)
        if head is None:
            return None
        n = sum(s.sentences for s in summaries)
        mean = sum((s.vector_sum for s in summaries), np.zeros(DIMENSIONS, dtype=np.float32)) / max(n, 1)
        top = np.max([s.max_probs for s in summaries], axis=0) if summaries else np.zeros(len(CATEGORIES))
        cues = sum((s.cues for s in summaries), np.zeros(5, dtype=np.float32))
        p = float(head.proba(disclaimer_row(mean, top, cues, n)[None, :])[0])
        return p >= head.thresholds.get("needed", 0.5)

    def decide(self, doc: Doc, ctx: CheckContext, found: list[Finding]) -> tuple[list[Finding], ParagraphSummary]:
        view = self.view(doc, ctx, found)
        identifiers = [f for f in found if is_identifier(f)]
        # Health terms not kept are evidence only; kept phrases and rule matches may be lowered.
        out = [self._reviewed(f, view) for f in found if not is_identifier(f) and f.severity]
        if identifiers and SPAN_HEAD in self.heads:
            head = self.heads[SPAN_HEAD]
            for f, p in zip(identifiers, head.proba(self.span_features(doc, ctx, view, identifiers)), strict=True):
                if f.severity is None and any(d.startswith("title:") or d in SETTLED for d in f.drivers):
                    continue  # settled by hand: a staff or public title ("Officer Ramirez"), our own phone
                cued = "patient-cue" in f.drivers or "care-inferred" in f.drivers
                severity = self._identifier_severity(head, f.severity, float(p), cued)
                if severity:
                    out.append(replace(f, severity=severity, drivers=(*f.drivers, f"learned:{p:.2f}")))
        else:
            out += [f for f in identifiers if f.severity]  # no span head (a tiny training sample)
        out += self._sentence_findings(view, out)
        if ctx.context == REVIEW_REPLY:
            out = self._in_reply(view, text_of(doc), out, ctx.lang)
        return out, self.summary(view, text_of(doc), ctx.lang)

    def _about_reviewer(self, view: ParagraphView, text: str, lang: str) -> list[bool]:
        """Per sentence of a review reply: does it say something about the reviewer's care? The
        PHI head gives it at least the reply threshold, or it is addressed to the reader and names care (a health term,
        a care moment, a care word); never a conditional ("If you have questions, call us")."""
        reply = review_reply(lang)
        you, terms, moment = (HAND_FEATURES.index(k) for k in ("you", "health_terms", "care_time"))
        out = []
        for k, s in enumerate(view.sentences):
            row = hand_part(view.matrix[k])
            if view.matrix[k][CONDITIONAL] or view.declines[k]:
                out.append(False)
                continue
            p = float(view.probs["phi"][k]) if "phi" in view.probs else 0.0
            care = row[terms] > 0 or row[moment] > 0 or reply.names_care(text[s.start : s.end])
            out.append(p >= reply.sentence_threshold or bool(row[you] > 0 and care))
        return out

    def _in_reply(self, view: ParagraphView, text: str, found: list[Finding], lang: str) -> list[Finding]:
        """Review-reply mode (phi/data/<lang>/review_reply.toml): the reply is shown under the reviewer's
        name, so what it says about their care is a disclosure about a named person: high."""
        reply = review_reply(lang)
        about = self._about_reviewer(view, text, lang)
        out = []
        for f in found:
            in_about = any(a and inside(f, s) for a, s in zip(about, view.sentences, strict=True))
            if f.category == "phi" and f.severity != "high" and in_about:
                f = replace(f, severity="high", drivers=(reply.driver, *f.drivers))
            out.append(f)
        for k, s in enumerate(view.sentences):
            if about[k] and not any(f.category == "phi" and f.severity == "high" and inside(f, s) for f in out):
                p = float(view.probs["phi"][k]) if "phi" in view.probs else 0.0
                sentence = self._sentence_finding("phi", s, "high", p, view.matrix[k])
                out.append(replace(sentence, drivers=(reply.driver, *sentence.drivers)))
        return out

    def _reviewed(self, f: Finding, view: ParagraphView) -> Finding:
        """A hand-written phrase or rule match, lowered where its sentence's probability for its
        category shows such matches are mostly wrong ("cure" in "there is no cure", "their
        metformin" in general advice): PHI phrases to medium, rule matches to low. Never dropped;
        never a phrase whose own sentence says "our patient" or "your chart"."""
        head = self.heads.get(f.category)
        demote = head.thresholds.get("demote", 0.0) if head else 0.0
        k = next((i for i, s in enumerate(view.sentences) if inside(f, s)), None)
        if k is None or f.severity not in ("high", "medium") or "cue-here" in f.drivers:
            return f  # a phrase with "our patient" or "your chart" in its own sentence stands
        p = float(view.probs[f.category][k])
        if p >= demote:
            return f
        lowered = "medium" if f.category == "phi" else "low"
        if SEVERITY_RANK[lowered] >= SEVERITY_RANK[f.severity]:
            return f
        return replace(f, severity=lowered, drivers=(*f.drivers, f"lowered:{p:.2f}"))

    @staticmethod
    def _identifier_severity(head: Head, judged: str | None, p: float, cued: bool) -> str | None:
        """The learned severity, except that a hand-written "high" with a patient cue ("our
        patient", "your chart", a record number) in the same sentence stays high, and one without
        (context carried over from elsewhere in the post) is lowered no further than medium."""
        learned = head.severity(p)
        if judged == "high":
            if cued:
                return "high"
            # Context carried over from elsewhere in the post: the head decides, never below medium.
            return "high" if learned == "high" else "medium"
        if judged and SEVERITY_RANK[judged] > SEVERITY_RANK[learned]:
            return judged
        return learned

    def _sentence_findings(self, view: ParagraphView, kept: list[Finding]) -> list[Finding]:
        new = []
        for category, probs in view.probs.items():
            head = self.heads[category]
            for k, (s, p) in enumerate(zip(view.sentences, probs, strict=True)):
                severity = head.severity(float(p))
                if not severity:
                    continue
                if category == "phi":
                    identified = any(is_identifier(f) and inside(f, s) for f in kept)
                    if view.matrix[k][CONDITIONAL] and not identified:
                        continue  # "If you missed your appointment, call us": said to anyone
                    if view.matrix[k][QUESTION] and not view.about_someone[k] and not identified:
                        continue  # "Chest pain after dinner?": a question about no one is asked of everyone
                    if view.declines[k]:
                        continue  # "Privacy rules keep us from discussing your visit": the advised refusal
                    # Already flagged at least as strongly in this sentence: no second, wider
                    # mark, unless the sentence tells of care by itself (a name flagged inside
                    # does not say that this person had a biopsy; the head reads the name too,
                    # so without care words of its own the mark would only echo the name).
                    inner = [f for f in kept if f.category == "phi" and inside(f, s)
                             and SEVERITY_RANK[f.severity] >= SEVERITY_RANK[severity]]
                    covered = any(not is_identifier(f) and f.start <= s.start and s.end <= f.end for f in inner)
                    if inner and (covered or not view.matrix[k][CARE_EVIDENCE].any()):
                        continue
                elif any(f.category == category and inside(f, s) for f in kept):
                    continue  # a hand-written rule of this category already says it, more precisely
                elif category == "language" and view.person_first[k]:
                    continue  # it already words people as the language rules recommend; a slur is a rule match
                new.append(self._sentence_finding(category, s, severity, float(p), view.matrix[k]))
        return new

    def _sentence_finding(self, category: str, s: Sentence, severity: str, p: float, row: np.ndarray) -> Finding:
        hand = dict(zip(HAND_FEATURES, hand_part(row), strict=True))
        drivers = tuple(name for key, name in DRIVER_NAMES.items() if hand.get(key, 0) > 0) + (f"learned:{p:.2f}",)
        if category == "phi":
            spec = self.disclosure
            return Finding(start=s.start, end=s.end, category="phi", type=spec.entity, rule=spec.rule,
                           severity=severity, message=spec.message, source=spec.source, source_url=spec.source_url,
                           suggestions=spec.suggestions, drivers=drivers)
        rule = self.rules[category]
        return Finding(start=s.start, end=s.end, category=category, type=rule["type"], rule=rule["rule"],
                       severity=severity, message=rule["message"], source=rule["source"], source_url=rule["source_url"],
                       suggestions=tuple(rule.get("suggestions", ())), drivers=drivers)
