"""What the learned decisions see, computed the same way at training and at run time.

A sentence is described by its vector (the encoder's), its paragraph's mean vector, a few
hand-read signals (what the detectors found in it, by category, kept or only a candidate; who
it addresses; its punctuation; the post-level cues), and its words: lower-cased words and word
pairs hashed into a fixed number of buckets. The words carry what a three-layer encoder blurs
("your" + "crown", "kills 99.9%"); out-of-author validation chose them (train/build.py).
An identifier candidate is described by its kind, the hand-written context's verdict, titles
around it, and how likely its sentence and paragraph are to disclose care.
"""

from __future__ import annotations

import functools
import re
import tomllib
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from spacy.tokens import Doc

from carelint import disclaimer
from carelint.detector import CheckContext
from carelint.findings import CATEGORIES, SEVERITY_RANK, Finding
from carelint.learned.encoder import DIMENSIONS
from carelint.nlp import text_of
from carelint.phi.cues import cues_for
from carelint.phi.identifiers import KINDS

DISCLOSURE_TYPES = frozenset({"CARE_DISCLOSURE", "HEALTH_DETAIL"})

_HAS_WORD = re.compile(r"[^\W_]")
SIGNALS_DIR = Path(__file__).parent / "data" / "signals"


@dataclass(frozen=True)
class Signals:
    """One language's sentence signals (data/signals/<lang>.toml)."""

    you: re.Pattern[str]
    we: re.Pattern[str]
    i: re.Pattern[str]
    conditional_start: re.Pattern[str]  # "If you missed your appointment…": advice to anyone
    care_time: re.Pattern[str]  # "last week", "on Tuesday", "see you Friday"
    someone: re.Pattern[str]  # a third person care could be about: he, her, a patient, my son
    person_first: re.Pattern[str]  # "people with epilepsy", "living with HIV", "in recovery"


def names_someone(sentence: str, lang: str) -> bool:
    """Does the sentence speak of a person (the reader, the writer or someone else)?"""
    sig = signals_for(lang)
    return any(p.search(sentence) for p in (sig.you, sig.we, sig.i, sig.someone))


def _words(words: list[str]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b", re.IGNORECASE)


@functools.cache
def signals_for(lang: str) -> Signals:
    with (SIGNALS_DIR / f"{lang}.toml").open("rb") as fh:
        data = tomllib.load(fh)
    return Signals(_words(data["you"]), _words(data["we"]), _words(data["i"]),
                   re.compile(data["conditional_start"], re.IGNORECASE), re.compile(data["care_time"], re.IGNORECASE),
                   _words(data["someone"]), re.compile(data["person_first"], re.IGNORECASE))


HAND_FEATURES = (
    *(f"{c}_max" for c in CATEGORIES), *(f"{c}_count" for c in CATEGORIES),
    "phi_candidates", "phi_person_candidates", "phi_disclosure",
    "health_terms", "health_yours", "health_theirs", "health_facts", "care_time", "conditional",
    "you", "we", "i", "question", "exclaim", "digits", "at", "hashtag", "quote", "caps_words", "length",
    "post_strong", "post_reply", "post_health",
)
DENSE_FEATURES = (*(f"enc{i}" for i in range(DIMENSIONS)), *(f"ctx{i}" for i in range(DIMENSIONS)),
                  *HAND_FEATURES)
# Words and adjacent word pairs, hashed (crc32, stable across runs and machines) into buckets.
# Out-of-author average precision rose with the bucket count up to 16,384 (fewer collisions).
LEXICAL_BUCKETS = 16384
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
SENTENCE_FEATURES = (*DENSE_FEATURES, *(f"w{i}" for i in range(LEXICAL_BUCKETS)))
DISCLAIMER_FEATURES = (
    *(f"post{i}" for i in range(DIMENSIONS)), *(f"max_{c}" for c in CATEGORIES),
    "cues_say_information", "cues_topic", "cues_advice", "cues_strong", "cues_context", "sentences",
)
SPAN_FEATURES = (
    "judge_high", "judge_medium", "judge_low", "judge_none", *(f"kind_{k}" for k in sorted(KINDS)),
    "title_staff", "title_public", "name_like", "sentence_phi", "paragraph_phi",
    "post_strong", "post_reply", "post_health", "sentence_initial", "one_word", "has_digit", "handle",
    "capitalised", "chars", "specific_date", "patient_cue", "care_inferred",
)


@dataclass(frozen=True)
class Sentence:
    start: int  # code points in the paragraph
    end: int


def sentences(doc: Doc) -> list[Sentence]:
    """The paragraph's sentences that hold a word or number, trimmed of surrounding space."""
    text = text_of(doc)
    out = []
    for sent in doc.sents:
        a, b = sent.start_char, sent.end_char
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if _HAS_WORD.search(text, a, b):
            out.append(Sentence(a, b))
    return out


def inside(f: Finding, s: Sentence) -> bool:
    return f.start < s.end and s.start < f.end


def _hand(text: str, s: Sentence, found: list[Finding], ctx: CheckContext) -> list[float]:
    chunk = text[s.start : s.end]
    sig = signals_for(ctx.lang)
    mine = [f for f in found if inside(f, s)]
    v: list[float] = []
    for c in CATEGORIES:
        ranks = [SEVERITY_RANK[f.severity] for f in mine if f.category == c]
        v.append(max(ranks, default=0) / 3)
    for c in CATEGORIES:
        v.append(min(sum(1 for f in mine if f.category == c and f.severity), 3) / 3)
    idents = [f for f in mine if f.category == "phi" and f.type not in DISCLOSURE_TYPES]
    v.append(min(len(idents), 3) / 3)
    v.append(min(sum(1 for f in idents if "kind:person" in f.drivers), 3) / 3)
    v.append(float(any(f.type in DISCLOSURE_TYPES and f.severity for f in mine)))
    terms = [f for f in mine if f.type == "HEALTH_DETAIL"]
    v += [min(len(terms), 3) / 3, float(any("owner:second" in f.drivers for f in terms)),
          float(any("owner:third" in f.drivers for f in terms)),
          float(any(d in f.drivers for f in terms for d in ("term:procedure", "term:condition", "term:medication"))),
          float(bool(sig.care_time.search(chunk))), float(bool(sig.conditional_start.search(chunk)))]
    words = max(1, len(chunk.split()))
    v += [min(len(sig.you.findall(chunk)), 3) / 3, min(len(sig.we.findall(chunk)), 3) / 3,
          min(len(sig.i.findall(chunk)), 3) / 3]
    v += [float("?" in chunk), float("!" in chunk), float(any(ch.isdigit() for ch in chunk)), float("@" in chunk),
          float("#" in chunk), float(any(q in chunk for q in "\"“”")),
          sum(1 for w in chunk.split() if len(w) > 2 and w.isupper()) / words, min(len(chunk), 400) / 400]
    post = ctx.post
    v += [float(bool(post and post.strong)), float(bool(post and post.reply)), float(bool(post and post.health))]
    return v


def lexical_indices(chunk: str) -> list[int]:
    """The buckets of a sentence's words and word pairs (each counted once)."""
    words = _WORD.findall(chunk.lower())
    grams = [*words, *(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))]
    return sorted({zlib.crc32(g.encode("utf-8")) % LEXICAL_BUCKETS for g in grams})


def sentence_matrix(doc: Doc, ctx: CheckContext, found: list[Finding], sents: list[Sentence],
                    vectors: np.ndarray) -> np.ndarray:
    """One row per sentence, in SENTENCE_FEATURES order (the lexical block 0/1)."""
    out = np.zeros((len(sents), len(SENTENCE_FEATURES)), dtype=np.float32)
    if not sents:
        return out
    text = text_of(doc)
    dense = len(DENSE_FEATURES)
    out[:, :DIMENSIONS] = vectors
    out[:, DIMENSIONS : 2 * DIMENSIONS] = vectors.mean(axis=0)
    out[:, 2 * DIMENSIONS : dense] = [_hand(text, s, found, ctx) for s in sents]
    for row, s in enumerate(sents):
        out[row, [dense + i for i in lexical_indices(text[s.start : s.end])]] = 1.0
    return out


def span_row(f: Finding, text: str, sentence_p: float, paragraph_p: float, ctx: CheckContext,
             sentence_start: int) -> list[float]:
    """An identifier candidate, in SPAN_FEATURES order."""
    chunk = text[f.start : f.end]
    kinds = {d.removeprefix("kind:") for d in f.drivers if d.startswith("kind:")}
    post = ctx.post
    return [
        *(float(f.severity == level) for level in ("high", "medium", "low", None)),
        *(float(k in kinds) for k in sorted(KINDS)),
        float("title:staff" in f.drivers), float("title:public" in f.drivers), float("name-like" in f.drivers),
        sentence_p, paragraph_p,
        float(bool(post and post.strong)), float(bool(post and post.reply)), float(bool(post and post.health)),
        float(f.start <= sentence_start), float(" " not in chunk.strip()), float(any(ch.isdigit() for ch in chunk)),
        float(chunk.startswith("@")), float(chunk[:1].isupper()), min(len(chunk), 40) / 40,
        float("kind:date" in f.drivers and bool(cues_for(ctx.lang).specific_date.search(chunk))),
        float("patient-cue" in f.drivers),
        float("care-inferred" in f.drivers),
    ]


def disclaimer_cues(text: str, lang: str = "en") -> np.ndarray:
    """A paragraph's hand-written disclaimer cues: does it give health information by the cues,
    and how many of its sentences hold a topic, advice, strong or context cue. Kept with the
    paragraph, so a post's are summed without reading the post again on every keystroke."""
    counts = disclaimer.cue_counts(text, lang)
    return np.array([float(disclaimer.gives_health_information(text, lang)),
                     *(counts[k] for k in ("topic", "advice", "strong", "context"))], dtype=np.float32)


def disclaimer_row(mean_vector: np.ndarray, max_probs: np.ndarray, cues: np.ndarray, sentences: int) -> np.ndarray:
    """A whole post, in DISCLAIMER_FEATURES order: what its sentences say on average, its most
    claim-, advice-... like sentence, and its paragraphs' disclaimer cues (summed)."""
    hand = [min(float(cues[0]), 1.0), *(min(float(c), 3) / 3 for c in cues[1:]), min(sentences, 20) / 20]
    return np.concatenate([mean_vector, max_probs, np.array(hand, dtype=np.float32)]).astype(np.float32)
