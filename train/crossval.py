"""How the decisions generalise to writing they were not trained on: for each author of the
training posts, heads (and thresholds) are fitted on the other authors only, put into the real
checker, and that author's posts are scored as bench/evaluate.py scores the dev set. Also scores
any extra case files (e.g. the dev set) with heads fitted on every author.

    python train/crossval.py [EXTRA_CASES.jsonl ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))
import json  # noqa: E402

from build import collect, fit_heads  # noqa: E402
from cases import as_case, load_posts  # noqa: E402
from evaluate import score  # noqa: E402

from carelint.engine import Checker  # noqa: E402
from carelint.learned.decide import DecisionStage  # noqa: E402
from carelint.settings import DEFAULT_MODEL  # noqa: E402


def main() -> None:
    posts = load_posts()
    collector = Checker.from_model(DEFAULT_MODEL, with_decisions=False)
    stage = DecisionStage(collector.phi.specs["CARE_DISCLOSURE"], heads={})
    rows, contexts = collect(posts, collector, stage)
    checker = Checker(collector.nlp)  # with decisions; its heads are swapped per fold
    authors = sorted({p["author"] for p in posts})
    check = _check(checker)
    totals = []
    for author in authors:
        keep = np.array([p["author"] != author for p in posts])
        checker.decisions.heads, _ = fit_heads(posts, rows, contexts, stage, keep)
        checker.cache = type(checker.cache)(checker.cache.size)
        held = [as_case(p) for p in posts if p["author"] == author]
        result, notes = score(held, check)
        totals.append(result)
        if "--misses" in sys.argv:
            for note in notes:
                print("  ", *note)
        print(author, json.dumps(result))
    keys = [k for k in totals[0] if k != "p50_ms"]
    print("mean", json.dumps({k: round(float(np.mean([t[k] for t in totals])), 3) for k in keys}))
    checker.decisions.heads, _ = fit_heads(posts, rows, contexts, stage)
    for extra in [a for a in sys.argv[1:] if not a.startswith("--")]:
        cases = [json.loads(line) for line in Path(extra).read_text().splitlines() if line.strip()]
        checker.cache = type(checker.cache)(checker.cache.size)
        result, notes = score(cases, check)
        print(extra, json.dumps(result))


def _check(checker: Checker):
    def check(text, platform):
        r = checker.check(text, platform)
        return [f.__dict__ for f in r.findings], r.disclaimer.needed
    return check


if __name__ == "__main__":
    main()
