"""Accuracy on a labelled case file, Carelint and stock Presidio side by side.

usage: python bench/evaluate.py [CASES.jsonl] [--misses] [--json OUT]
Metrics are those of shared/eval/score.py (same definitions), computed in-process so stock
Presidio can be scored on the same posts. Stock Presidio has no severity: every result counts
as a high PHI finding, which is how a user would see it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

DEFAULT_CASES = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "cases.jsonl"


def score(cases: list[dict], check) -> tuple[dict, list]:
    m = dict(phi_hit=0, phi_total=0, tone_hit=0, tone_total=0, phi_fa=0, phi_clean=0,
             tone_fa=0, tone_clean=0, disc_ok=0, disc_total=0)
    notes, lat = [], []
    for c in cases:
        t = time.perf_counter()
        findings, needed = check(c["text"], c["platform"])
        lat.append((time.perf_counter() - t) * 1000)
        phi = [f for f in findings if f["category"] == "phi"]
        other = [f for f in findings if f["category"] != "phi"]
        for kind, spans, pool, need in (("phi", c["phi"], phi, ("medium", "high")),
                                        ("tone", c["tone"], other, ("low", "medium", "high"))):
            for span in spans:
                s = c["text"].index(span)
                e = s + len(span)
                m[f"{kind}_total"] += 1
                if any(f["start"] < e and s < f["end"] and f["severity"] in need for f in pool):
                    m[f"{kind}_hit"] += 1
                else:
                    notes.append((c["id"], f"miss-{kind}", span))
        if c["phi_clean"]:
            m["phi_clean"] += 1
            bad = [f["text"] for f in phi if f["severity"] == "high"]
            if bad:
                m["phi_fa"] += 1
                notes.append((c["id"], "alarm-phi", bad))
        if c["tone_clean"]:
            m["tone_clean"] += 1
            bad = [f"{f['text']} ({f['rule']})" for f in other if f["severity"] in ("medium", "high")]
            if bad:
                m["tone_fa"] += 1
                notes.append((c["id"], "alarm-tone", bad))
        if c["disclaimer"] is not None and needed is not None:
            m["disc_total"] += 1
            if needed == c["disclaimer"]:
                m["disc_ok"] += 1
            else:
                notes.append((c["id"], "miss-disclaimer", c["disclaimer"]))
    result = dict(
        phi_recall=round(m["phi_hit"] / max(1, m["phi_total"]), 3),
        phi_false_alarm=round(m["phi_fa"] / max(1, m["phi_clean"]), 3),
        tone_recall=round(m["tone_hit"] / max(1, m["tone_total"]), 3),
        tone_false_alarm=round(m["tone_fa"] / max(1, m["tone_clean"]), 3),
        disclaimer_acc=round(m["disc_ok"] / max(1, m["disc_total"]), 3) if m["disc_total"] else None,
        p50_ms=round(statistics.median(lat), 1),
    )
    return result, notes


def carelint_check(model: str, with_rules: bool = True):
    from carelint.engine import Checker

    checker = Checker.from_model(model, with_rules=with_rules)

    def check(text, platform):
        r = checker.check(text, platform)
        return [f.__dict__ for f in r.findings], r.disclaimer.needed

    return check


def stock_presidio_check(model: str):
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    from carelint.phi.recognizers.offline_email import make_tldextract_offline

    make_tldextract_offline()  # stock Presidio's email recognizer would fetch the suffix list
    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model}]})
    engine = AnalyzerEngine(nlp_engine=provider.create_engine())

    def check(text, platform):
        results = engine.analyze(text=text, language="en")
        return [dict(start=r.start, end=r.end, text=text[r.start:r.end], category="phi",
                     severity="high", rule=r.entity_type) for r in results], None

    return check


def main() -> None:
    from carelint.settings import DEFAULT_MODEL

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cases", nargs="?", default=str(DEFAULT_CASES))
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--misses", action="store_true", help="print Carelint's misses and false alarms")
    ap.add_argument("--no-presidio", action="store_true", help="skip the stock Presidio baseline")
    ap.add_argument("--phi-only", action="store_true", help="run Carelint without the rule packs")
    ap.add_argument("--json", help="write the results to this file")
    args = ap.parse_args()
    if not Path(args.cases).is_file():
        ap.exit(2, f"evaluate.py: no dev set at {args.cases}. The labelled cases live in shared/eval next to the "
                   "repository; pass their path: python bench/evaluate.py PATH/cases.jsonl\n")
    lines = Path(args.cases).read_text(encoding="utf-8").splitlines()
    cases = [json.loads(line) for line in lines if line.strip()]
    rows = {"carelint": score(cases, carelint_check(args.model, not args.phi_only))}
    if not args.no_presidio:
        rows["stock presidio"] = score(cases, stock_presidio_check(args.model))
    if args.misses:
        for note in rows["carelint"][1]:
            print(*note)
    keys = list(rows["carelint"][0])
    print(f"{len(cases)} cases from {args.cases}")
    print(f"{'metric':<18}" + "".join(f"{name:>16}" for name in rows))
    for k in keys:
        print(f"{k:<18}" + "".join(f"{str(r[0][k]):>16}" for r in rows.values()))
    if args.json:
        Path(args.json).write_text(json.dumps({n: r[0] for n, r in rows.items()}, indent=2))


if __name__ == "__main__":
    main()
