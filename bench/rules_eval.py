#!/usr/bin/env python3
"""Tone recall and false alarms of the RuleDetector alone on a labelled case file.

usage: .venv/bin/python bench/rules_eval.py [CASES.jsonl] [--verbose]

Metrics follow /work/shared/eval/score.py, restricted to the rules:
  tone_recall       labelled tone spans overlapped by a rule finding of any severity
  tone_false_alarm  tone-clean posts with any rule finding of severity medium/high
Paragraphs are the post's lines, as the engine checks one Doc per paragraph.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from carelint.detector import CheckContext
from carelint.nlp import load_pipeline
from carelint.rules import RuleDetector
from carelint.settings import DEFAULT_MODEL, Policy

DEFAULT_CASES = Path(__file__).resolve().parents[2] / "shared" / "eval" / "cases.jsonl"  # beside the repository


def paragraphs(text: str) -> list[tuple[int, str]]:
    """(offset, line) for every non-empty line."""
    out, offset = [], 0
    for line in text.split("\n"):
        if line.strip():
            out.append((offset, line))
        offset += len(line) + 1
    return out


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    verbose = "--verbose" in sys.argv
    lines = Path(args[0] if args else DEFAULT_CASES).read_text().splitlines()
    cases = [json.loads(line) for line in lines if line.strip()]
    nlp = load_pipeline(DEFAULT_MODEL)
    detector = RuleDetector(nlp)
    ctx = CheckContext(policy=Policy())

    hit = total = alarms = clean = 0
    elapsed = 0.0
    for case in cases:
        findings = []
        for offset, line in paragraphs(case["text"]):
            doc = nlp(line)
            start = time.perf_counter()
            findings += [f.shifted(offset) for f in detector.detect(doc, ctx)]
            elapsed += time.perf_counter() - start
        for span in case["tone"]:
            s = case["text"].index(span)
            e = s + len(span)
            total += 1
            if any(f.start < e and s < f.end for f in findings):
                hit += 1
            else:
                print("miss ", case["id"], repr(span))
        if case["tone_clean"]:
            clean += 1
            bad = [(case["text"][f.start : f.end], f.rule, f.severity) for f in findings if f.severity != "low"]
            if bad:
                alarms += 1
                print("alarm", case["id"], bad)
        if verbose:
            for f in findings:
                print("   ", case["id"], f.rule, f.severity, repr(case["text"][f.start : f.end]))
    print(
        json.dumps(
            {
                "rules": len(detector.rules),
                "tone_recall": round(hit / max(1, total), 3),
                "tone_false_alarm": round(alarms / max(1, clean), 3),
                "tone_spans": total,
                "tone_clean_posts": clean,
                "detect_ms_per_case": round(elapsed * 1000 / max(1, len(cases)), 2),
            }
        )
    )


if __name__ == "__main__":
    main()
