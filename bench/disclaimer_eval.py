#!/usr/bin/env python3
"""Disclaimer accuracy on a labelled case file (default: the shared dev set), with the misses.

usage: disclaimer_eval.py [CASES.jsonl]
Scores disclaimer.assess(...).needed against each case's `disclaimer` label (null = not scored).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from carelint.disclaimer import assess
from carelint.settings import Policy

DEFAULT_CASES = Path(__file__).resolve().parents[2] / "shared" / "eval" / "cases.jsonl"  # beside the repository


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_CASES
    cases = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    scored = [c for c in cases if c.get("disclaimer") is not None]
    policy = Policy()
    misses = []
    started = time.perf_counter()
    for case in scored:
        result = assess(case["text"], case["platform"], policy)
        if result.needed != case["disclaimer"]:
            misses.append((case, result))
    elapsed_ms = (time.perf_counter() - started) * 1000
    for case, result in misses:
        print(f"miss {case['id']} expected needed={case['disclaimer']} got {result.needed} "
              f"(present={result.present}) [{case['platform']}]: {case['text']!r}")
    ok = len(scored) - len(misses)
    print(f"disclaimer_acc {ok / max(1, len(scored)):.3f} ({ok}/{len(scored)}), "
          f"{elapsed_ms / max(1, len(scored)):.2f} ms/case")
    return 0


if __name__ == "__main__":
    sys.exit(main())
