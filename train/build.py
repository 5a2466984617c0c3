"""Train the decision heads (server/carelint/learned/data/decisions.*) from the labelled posts in
train/data/ (LABELLING.md). Deterministic; about four minutes on 2 cores.

    python train/build.py                    # train on every post, write the model, print the report
    python train/build.py --sample 120 --out /tmp/m   # a small run (the CI test does this)

How: every post goes through the real detectors with the decisions switched off
(Checker.paragraph_candidates), so the heads learn from exactly what they will see at run time.
Sentence heads (phi, claim, advice, tone, language) are logistic regressions on the sentence
vector, its paragraph's mean vector, hand-read signals and its hashed words (learned/features.py;
the words enter as a sparse matrix, scaled by LEXICAL_WEIGHT instead of standardised); the span head
decides identifier candidates from their kind, the hand-written verdict and their sentence's
probability. Thresholds are chosen on out-of-fold predictions where each author's posts are
predicted by heads trained on the other authors only (leave-one-author-out), so they are set
for writing the heads have not seen. The report gives those out-of-fold figures.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).parent))
from cases import DATA, load_posts  # noqa: E402

from carelint.engine import Checker  # noqa: E402
from carelint.learned.decide import DISCLAIMER_HEAD, SPAN_HEAD, DecisionStage, is_identifier  # noqa: E402
from carelint.learned.features import (  # noqa: E402
    CATEGORIES,
    DENSE_FEATURES,
    DISCLAIMER_FEATURES,
    LEXICAL_BUCKETS,
    SENTENCE_FEATURES,
    SPAN_FEATURES,
    disclaimer_row,
    inside,
)
from carelint.learned.model import META_FILE, WEIGHTS_FILE, Head, save_heads  # noqa: E402
from carelint.settings import DEFAULT_MODEL  # noqa: E402

SEED = 13
# Inverse regularisation. The sentence heads read ~800 features (mostly the two vectors) from a few
# thousand sentences: strong regularisation generalises best across authors (out-of-fold average
# precision peaks near 0.01). The span head reads ~30 hand-read features.
C_SENTENCE = 0.01
C_SPAN = 1.0
# A word's presence enters the sentence heads as this value (the other features are standardised).
# Under the same regularisation this lets word weights grow larger than vector weights; 10 beat
# 1, 3, 6 and 15 on out-of-author average precision for every category.
LEXICAL_WEIGHT = 10.0

# What the thresholds aim for, on out-of-fold predictions (posts by authors the heads did not see).
TARGETS = {
    # A sentence marked high must rarely be in a post with no patient information.
    "phi_high_clean_posts": 0.01,
    "phi_medium_precision": 0.60,  # sentence level
    "span_high_precision": 0.85,
    "span_medium_precision": 0.55,
    # A rule match or PHI phrase (medium/high) is lowered (rules to low, phrases to medium) where
    # its sentence's probability shows such matches are right at most this often.
    "verdict_demote_precision": 0.3,
    # Each category head may add a medium finding to at most this share of clean posts.
    "category_medium_clean_posts": 0.004,
    "category_low_precision": 0.45,  # sentence level
}


@dataclass
class Rows:
    """What the heads learn from: sentence rows and identifier-candidate rows, with their posts."""

    x: list[np.ndarray] = field(default_factory=list)  # the dense features (DENSE_FEATURES)
    words: list[np.ndarray] = field(default_factory=list)  # the lexical buckets present
    labels: dict[str, list[bool]] = field(default_factory=lambda: {c: [] for c in CATEGORIES})
    post: list[int] = field(default_factory=list)
    author: list[str] = field(default_factory=list)
    # identifier candidates: (post index, sentence row index or -1, paragraph row range, label, finding)
    spans: list[tuple] = field(default_factory=list)


def spans_of(text: str, subs: list[str]) -> list[tuple[int, int]]:
    out = []
    for sub in subs:
        i = text.find(sub)
        if i >= 0:
            out.append((i, i + len(sub)))
    return out


def collect(posts: list[dict], checker: Checker, stage: DecisionStage) -> tuple[Rows, list]:
    rows = Rows()
    contexts = []  # per paragraph: (doc, ctx, view, first sentence row, candidates, paragraph start)
    for n, post in enumerate(posts):
        text = post["text"]
        phi = spans_of(text, post["phi"])
        flags = {c: spans_of(text, [f["text"] for f in post["flags"] if f["kind"] == c]) for c in CATEGORIES[1:]}
        for start, doc, ctx, found in checker.paragraph_candidates(text, _platform(post["platform"])):
            view = stage.view(doc, ctx, found)
            first = len(rows.post)
            for s, row in zip(view.sentences, view.matrix, strict=True):
                a, b = start + s.start, start + s.end
                rows.x.append(row[: len(DENSE_FEATURES)])
                rows.words.append(np.flatnonzero(row[len(DENSE_FEATURES) :]))
                rows.labels["phi"].append(any(x < b and a < y for x, y in phi))
                for c in CATEGORIES[1:]:
                    rows.labels[c].append(any(x < b and a < y for x, y in flags[c]))
                rows.post.append(n)
                rows.author.append(post["author"])
            for f in found:
                if is_identifier(f):
                    k = next((i for i, s in enumerate(view.sentences) if inside(f, s)), -1)
                    label = any(x < start + f.end and start + f.start < y for x, y in phi)
                    rows.spans.append((n, first + k if k >= 0 else -1, len(contexts), label, f))
            contexts.append((doc, ctx, view, first, found, start, n))
    return rows, contexts


def _platform(name: str) -> str:
    return "generic" if name in ("google", "yelp") else name


@dataclass
class SentenceDesign:
    """Sentence rows for training: dense features plus a sparse 0/1 word matrix (a dense copy of
    16,384 word columns for ten thousand sentences would need gigabytes)."""

    dense: np.ndarray
    words: sp.csr_matrix

    @classmethod
    def of(cls, dense: np.ndarray, words: list[np.ndarray]) -> SentenceDesign:
        indptr = np.cumsum([0, *map(len, words)])
        indices = np.concatenate(words) if words else np.zeros(0, int)
        matrix = sp.csr_matrix((np.ones(len(indices), np.float32), indices, indptr),
                               shape=(len(words), LEXICAL_BUCKETS))
        return cls(dense, matrix)

    def __getitem__(self, mask: np.ndarray) -> SentenceDesign:
        return SentenceDesign(self.dense[mask], self.words[np.flatnonzero(mask)])

    def __len__(self) -> int:
        return len(self.dense)


def fit(x, y: np.ndarray, name: str, features: tuple[str, ...]) -> Head:
    if isinstance(x, SentenceDesign):
        return _fit_sentence(x, y, name, features)
    c = C_SPAN if name == SPAN_HEAD else C_SENTENCE
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    if y.min() == y.max():  # a tiny sample without one class: a constant head
        return Head(name, features, mean, scale, np.zeros(x.shape[1]), 8.0 if y[0] else -8.0, {})
    model = LogisticRegression(C=c, max_iter=3000, random_state=SEED)
    model.fit((x - mean) / scale, y)
    return Head(name, features, mean, scale, model.coef_[0].astype(np.float64), float(model.intercept_[0]), {})


def _fit_sentence(x: SentenceDesign, y: np.ndarray, name: str, features: tuple[str, ...]) -> Head:
    mean = x.dense.mean(axis=0)
    scale = x.dense.std(axis=0)
    scale[scale < 1e-6] = 1.0
    # As a Head applies them at run time: the words' "mean" 0 and "scale" 1/LEXICAL_WEIGHT.
    full_mean = np.concatenate([mean, np.zeros(LEXICAL_BUCKETS)])
    full_scale = np.concatenate([scale, np.full(LEXICAL_BUCKETS, 1.0 / LEXICAL_WEIGHT)])
    if y.min() == y.max():
        return Head(name, features, full_mean, full_scale, np.zeros(len(features)), 8.0 if y[0] else -8.0, {})
    model = LogisticRegression(C=C_SENTENCE, max_iter=3000, random_state=SEED)
    model.fit(_standardised(x, mean, scale), y)
    return Head(name, features, full_mean, full_scale, model.coef_[0].astype(np.float64),
                float(model.intercept_[0]), {})


def _standardised(x: SentenceDesign, mean: np.ndarray, scale: np.ndarray) -> sp.csr_matrix:
    return sp.hstack([sp.csr_matrix((x.dense - mean) / scale), x.words * LEXICAL_WEIGHT], format="csr")


def predict(head: Head, x) -> np.ndarray:
    if not isinstance(x, SentenceDesign):
        return head.proba(x)
    dense = len(DENSE_FEATURES)
    z = _standardised(x, head.mean[:dense], head.scale[:dense]) @ head.weights + head.bias
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def out_of_fold(x, y: np.ndarray, authors: np.ndarray, name: str, features) -> np.ndarray:
    probs = np.zeros(len(y))
    for a in sorted(set(authors)):
        held = authors == a
        if held.all():
            return predict(fit(x, y, name, features), x)
        probs[held] = predict(fit(x[~held], y[~held], name, features), x[held])
    return probs


def lowest_threshold(probs: np.ndarray, ok) -> float | None:
    """The lowest threshold (on a 0.01 grid) for which `ok(mask)` holds, None when none does."""
    for t in np.arange(0.05, 1.0, 0.01):
        if ok(probs >= t):
            return round(float(t), 2)
    return None


def highest_demotion(probs: np.ndarray, labels: np.ndarray, judged: np.ndarray, target: float) -> float:
    """Below this probability a hand-written verdict (`judged` marks them) is lowered, never
    dropped: the highest threshold under which such verdicts are right at most `target` of the time."""
    best = 0.0
    for t in np.arange(0.02, 0.6, 0.01):
        below = judged & (probs < t)
        if below.sum() >= 5 and labels[below].mean() <= target:
            best = round(float(t), 2)
    return best


def hand_written_verdicts(posts: list[dict], contexts: list, oof: dict[str, np.ndarray],
                          keep_post: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per category, the hand-written findings of medium or high severity that the decision stage
    may lower (rule matches; PHI phrases such as "your chart"): their sentence's out-of-fold
    probability for that category, and whether a labelled span of the post overlaps them."""
    out: dict[str, tuple[list, list]] = {c: ([], []) for c in CATEGORIES}
    for _doc, _ctx, view, first, found, start, n in contexts:
        if not keep_post[n]:
            continue
        post = posts[n]
        for f in found:
            if f.severity not in ("medium", "high") or is_identifier(f) or "cue-here" in f.drivers:
                continue  # never lowered at run time (decide.py)
            k = next((i for i, s in enumerate(view.sentences) if inside(f, s)), None)
            if k is None:
                continue
            subs = post["phi"] if f.category == "phi" else [g["text"] for g in post["flags"]]
            a, b = start + f.start, start + f.end
            out[f.category][0].append(oof[f.category][first + k])
            out[f.category][1].append(any(x < b and a < y for x, y in spans_of(post["text"], subs)))
    return {c: (np.array(p), np.array(y, dtype=bool)) for c, (p, y) in out.items()}


def precision_at(labels: np.ndarray, target: float):
    def ok(mask):
        return mask.sum() >= 5 and labels[mask].mean() >= target
    return ok


def clean_posts_at(posts_of_rows: np.ndarray, clean_posts: set[int], target: float):
    def ok(mask):
        hit = {int(p) for p in posts_of_rows[mask]} & clean_posts
        return len(hit) <= target * max(1, len(clean_posts))
    return ok


def train(posts: list[dict], model: str = DEFAULT_MODEL, log=print) -> tuple[dict[str, Head], dict]:
    started = time.perf_counter()
    checker = Checker.from_model(model, with_decisions=False)
    stage = DecisionStage(checker.phi.specs["CARE_DISCLOSURE"], heads={})
    rows, contexts = collect(posts, checker, stage)
    log(f"{len(posts)} posts, {len(rows.x)} sentences, {len(rows.spans)} identifier candidates "
        f"({time.perf_counter() - started:.0f} s to read)")
    heads, report = fit_heads(posts, rows, contexts, stage)
    report["seconds"] = round(time.perf_counter() - started, 1)
    return heads, report


def fit_heads(posts: list[dict], rows: Rows, contexts: list, stage: DecisionStage,
              keep: np.ndarray | None = None) -> tuple[dict[str, Head], dict]:
    """Heads and thresholds from the posts whose index `keep` marks (all by default)."""
    keep_post = np.ones(len(posts), bool) if keep is None else keep
    post_of = np.array(rows.post)
    sel = keep_post[post_of]
    x = SentenceDesign.of(np.array(rows.x, dtype=np.float32), rows.words)[sel]
    authors = np.array(rows.author)[sel]
    posts_sel = post_of[sel]
    phi_clean = {i for i, p in enumerate(posts) if not p["phi"] and keep_post[i]}
    flag_clean = {i for i, p in enumerate(posts) if not p["flags"] and keep_post[i]}
    heads: dict[str, Head] = {}
    oof_all: dict[str, np.ndarray] = {}
    for c in CATEGORIES:
        y = np.array(rows.labels[c])[sel]
        oof = out_of_fold(x, y, authors, c, SENTENCE_FEATURES)
        full = np.zeros(len(post_of))
        full[sel] = oof
        oof_all[c] = full
        head = fit(x, y, c, SENTENCE_FEATURES)
        if c == "phi":
            high = lowest_threshold(oof, clean_posts_at(posts_sel, phi_clean, TARGETS["phi_high_clean_posts"]))
            medium = lowest_threshold(oof, precision_at(y, TARGETS["phi_medium_precision"]))
            thresholds = {"high": high, "medium": min(medium or 1.0, high or 1.0)}
        else:
            medium = lowest_threshold(oof, clean_posts_at(posts_sel, flag_clean,
                                                          TARGETS["category_medium_clean_posts"]))
            low = lowest_threshold(oof, precision_at(y, TARGETS["category_low_precision"]))
            thresholds = {"medium": medium, "low": min(low or 1.0, medium or 1.0)}
        heads[c] = Head(c, head.features, head.mean, head.scale, head.weights, head.bias,
                        {k: v for k, v in thresholds.items() if v is not None})
    # Span head: its sentence and paragraph probabilities are the out-of-fold ones, as unseen
    # writing would give them.
    span_x, span_y, span_authors = [], [], []
    for n, _row, para, label, f in rows.spans:
        if not keep_post[n]:
            continue
        doc, ctx, view, first, _, _, _ = contexts[para]
        view.probs = {"phi": oof_all["phi"][first : first + len(view.sentences)]}
        span_x.append(stage.span_features(doc, ctx, view, [f])[0])
        span_y.append(label)
        span_authors.append(posts[n]["author"])
    sx, sy = np.array(span_x, dtype=np.float32).reshape(-1, len(SPAN_FEATURES)), np.array(span_y)
    if len(sy):
        span_oof = out_of_fold(sx, sy, np.array(span_authors), SPAN_HEAD, SPAN_FEATURES)
        head = fit(sx, sy, SPAN_HEAD, SPAN_FEATURES)
        high = lowest_threshold(span_oof, precision_at(sy, TARGETS["span_high_precision"]))
        medium = lowest_threshold(span_oof, precision_at(sy, TARGETS["span_medium_precision"]))
        thresholds = {"high": high, "medium": min(medium or 1.0, high or 1.0)}
        heads[SPAN_HEAD] = Head(SPAN_HEAD, head.features, head.mean, head.scale, head.weights, head.bias,
                                {k: v for k, v in thresholds.items() if v is not None})
    for c, (probs, labels) in hand_written_verdicts(posts, contexts, oof_all, keep_post).items():
        if len(labels):
            heads[c].thresholds["demote"] = highest_demotion(probs, labels, np.ones(len(labels), bool),
                                                             TARGETS["verdict_demote_precision"])
    disclaimer = fit_disclaimer(posts, contexts, oof_all, keep_post, stage)
    if disclaimer:
        heads[DISCLAIMER_HEAD] = disclaimer
    report = {
        "thresholds": {name: h.thresholds for name, h in heads.items()},
        "sentence_positives": {c: int(np.sum(np.array(rows.labels[c])[sel])) for c in CATEGORIES},
        "identifier_candidates": int(len(sy)),
    }
    return heads, report


def fit_disclaimer(posts: list[dict], contexts: list, oof: dict[str, np.ndarray], keep_post: np.ndarray,
                   stage: DecisionStage) -> Head | None:
    """The post-level head: does the post give health information? From its paragraphs'
    summaries (with out-of-fold sentence probabilities) and the hand-written disclaimer cues."""
    by_post: dict[int, list] = {}
    for doc, ctx, view, first, _found, _start, n in contexts:
        view.probs = {c: oof[c][first : first + len(view.sentences)] for c in CATEGORIES}
        by_post.setdefault(n, []).append(stage.summary(view, doc.text, ctx.lang))
    x, y, authors = [], [], []
    for n, post in enumerate(posts):
        if not keep_post[n] or post.get("disclaimer") is None or n not in by_post:
            continue
        summaries = by_post[n]
        count = sum(s.sentences for s in summaries)
        mean = sum(s.vector_sum for s in summaries) / max(count, 1)
        top = np.max([s.max_probs for s in summaries], axis=0)
        x.append(disclaimer_row(mean, top, sum(s.cues for s in summaries), count))
        y.append(bool(post["disclaimer"]))
        authors.append(post["author"])
    if len(set(y)) < 2:
        return None
    x, y = np.array(x), np.array(y)
    probs = out_of_fold(x, y, np.array(authors), DISCLAIMER_HEAD, DISCLAIMER_FEATURES)
    best = max(np.arange(0.2, 0.8, 0.01), key=lambda t: ((probs >= t) == y).mean())
    head = fit(x, y, DISCLAIMER_HEAD, DISCLAIMER_FEATURES)
    return Head(DISCLAIMER_HEAD, head.features, head.mean, head.scale, head.weights, head.bias,
                {"needed": round(float(best), 2)})


def data_digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sample", type=int, help="train on this many posts (seeded), for a quick run")
    ap.add_argument("--out", type=Path, help="write the model here instead of the package's data folder")
    ap.add_argument("--model", default=DEFAULT_MODEL)
    args = ap.parse_args()
    files = sorted(DATA.glob("*.jsonl"))
    posts = load_posts(files)
    if args.sample:
        posts = random.Random(SEED).sample(posts, min(args.sample, len(posts)))
    heads, report = train(posts, args.model)
    about = {"posts": len(posts), "authors": sorted({p["author"] for p in posts}), "data": data_digest(files),
             "seed": SEED, "targets": TARGETS, **report}
    weights, meta = WEIGHTS_FILE, META_FILE
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        weights, meta = args.out / WEIGHTS_FILE.name, args.out / META_FILE.name
    save_heads(heads, about, weights, meta)
    print(json.dumps(report, indent=1))
    print(f"wrote {weights} and {meta}")


if __name__ == "__main__":
    main()
