"""Spanish checks against English ones, in process: `make bench` (target: Spanish ≤ 1.25× English).

usage: python bench/language_bench.py [--json PATH] [--model NAME] [--repeat N]

Texts: the labelled training posts in train/data/ (their authors' own words), Spanish ones
("lang": "es") and English ones (no "lang"), each checked once on a cold paragraph cache, in
alternation so that machine noise falls on both alike. Per-character time is compared too,
since the two sets' lengths differ.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "train" / "data"
DEFAULT_JSON = Path(__file__).resolve().parent / "language_results.json"
TARGET = 1.25


def posts() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"en": [], "es": []}
    for path in sorted(DATA.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                post = json.loads(line)
                lang = post.get("lang", "en")
                if lang in out:
                    out[lang].append(post["text"])
    return out


def main() -> None:
    from carelint.engine import Checker
    from carelint.settings import DEFAULT_MODEL

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", default=str(DEFAULT_JSON))
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--count", type=int, default=400, help="posts per language")
    args = ap.parse_args()
    texts = posts()
    n = min(args.count, len(texts["en"]), len(texts["es"]))
    checker = Checker.from_model(args.model, cache_size=0)
    for t in texts["en"][:5] + texts["es"][:5]:  # warm-up: the encoder, the grammar, the lazily built tables
        checker.check(t)
    ms: dict[str, list[float]] = {"en": [], "es": []}
    chars = {"en": 0, "es": 0}
    for i in range(n):
        for lang in ("en", "es"):
            text = texts[lang][-(i + 1)]  # from the end: not the warm-up texts
            started = time.perf_counter()
            checker.check(text)
            ms[lang].append((time.perf_counter() - started) * 1000)
            chars[lang] += len(text)
    result = {lang: dict(posts=n, p50_ms=round(statistics.median(v), 2), mean_ms=round(statistics.fmean(v), 2),
                         ms_per_1000_chars=round(sum(v) / chars[lang] * 1000, 2)) for lang, v in ms.items()}
    result["ratio_p50"] = round(result["es"]["p50_ms"] / result["en"]["p50_ms"], 3)
    result["ratio_per_char"] = round(result["es"]["ms_per_1000_chars"] / result["en"]["ms_per_1000_chars"], 3)
    result["target"] = TARGET
    Path(args.json).write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"{'':<10}{'posts':>7}{'p50 ms':>9}{'mean ms':>9}{'ms/1k chars':>13}")
    for lang in ("en", "es"):
        r = result[lang]
        print(f"{lang:<10}{r['posts']:>7}{r['p50_ms']:>9}{r['mean_ms']:>9}{r['ms_per_1000_chars']:>13}")
    met = "met" if result["ratio_p50"] <= TARGET else "NOT MET"
    print(f"Spanish / English: p50 {result['ratio_p50']}×, per character {result['ratio_per_char']}×"
          f" (target ≤ {TARGET}× on p50: {met})")


if __name__ == "__main__":
    main()
