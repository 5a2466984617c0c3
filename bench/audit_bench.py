"""Throughput of `carelint audit`: short posts per second with --jobs 1 and --jobs 2.

usage: python bench/audit_bench.py [--posts N] [--jobs 1,2] [--seed N] [--model NAME] [--json PATH]

Writes N short posts (≤ 280 chars, `posts.PostGenerator.short`, no paragraph repeated) to a CSV
content calendar in a temporary directory, then audits it as `carelint audit calendar.csv
--format html --jobs J` does: read, check, write the report. Each run starts with a fresh
paragraph cache, so every post is analysed. Two rates per run:
- end to end: posts / wall time from the start of the run to the report written, including
  the worker processes' start-up (each loads the model) for --jobs 2;
- steady: posts / time after each worker's first batch came back, i.e. without start-up.
Target: ≥ 150 short posts/s with --jobs 2 on 2 cores (steady). Prints a table and JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from posts import PostGenerator

TARGET_JOBS2 = 150.0  # short posts/s with --jobs 2 on 2 cores
PLATFORMS = ("x", "linkedin", "facebook", "instagram")


def write_calendar(path: Path, n: int, seed: int) -> None:
    gen = PostGenerator(seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(("Publish Date", "Network", "Caption"))
        for i in range(n):
            out.writerow((f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", PLATFORMS[i % len(PLATFORMS)], gen.short()))


def run(path: Path, report: Path, jobs: int, model: str) -> dict:
    from carelint.audit.readers import read_paths
    from carelint.audit.report import write_report
    from carelint.audit.runner import run_audit
    from carelint.engine import Checker
    from carelint.settings import Policy

    checker = Checker.from_model(model) if jobs == 1 else None  # loaded before the clock starts
    done: list[tuple[float, int]] = []  # (time, posts so far) after each batch

    def progress(n: int) -> None:
        done.append((time.perf_counter(), (done[-1][1] if done else 0) + n))

    started = time.perf_counter()
    result = run_audit(read_paths([path]), policy=Policy(), checker=checker, model=model, jobs=jobs,
                       on_progress=progress)
    write_report(result, "html", report)
    elapsed = time.perf_counter() - started
    # Steady state starts once every worker has returned its first batch (they start together).
    (first_t, first_n), (last_t, last_n) = done[min(jobs, len(done)) - 1], done[-1]
    return dict(
        jobs=jobs, posts=result.totals.posts, flagged=result.totals.flagged, findings=result.totals.findings,
        seconds=round(elapsed, 2),
        end_to_end_posts_per_s=round(result.totals.posts / elapsed, 1),
        steady_posts_per_s=round((last_n - first_n) / (last_t - first_t), 1) if last_t > first_t else None,
        first_batch_s=round(done[0][0] - started, 2),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--jobs", default="1,2", help="comma-separated --jobs values to run (default 1,2)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--model", default=None, help="spaCy model (default: Carelint's pinned model)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args()
    from carelint.settings import DEFAULT_MODEL

    model = args.model or DEFAULT_MODEL
    with tempfile.TemporaryDirectory(prefix="carelint-audit-bench-") as tmp:
        calendar = Path(tmp) / "calendar.csv"
        write_calendar(calendar, args.posts, args.seed)
        runs = [run(calendar, Path(tmp) / f"report-{jobs}.html", jobs, model)
                for jobs in sorted({int(j) for j in args.jobs.split(",")})]
    two = next((r for r in runs if r["jobs"] == 2), None)
    jobs2 = (two["steady_posts_per_s"] or two["end_to_end_posts_per_s"]) if two else None
    results = dict(
        benchmark="audit", cpus=os.cpu_count(), posts=args.posts, post_kind="short (100-280 chars), CSV",
        runs=runs, target_jobs2_posts_per_s=TARGET_JOBS2, meets_target=jobs2 is not None and jobs2 >= TARGET_JOBS2,
        load_average_1min=round(os.getloadavg()[0], 2),  # other work on the machine skews both runs
    )
    print(f"carelint audit throughput: {args.posts} short posts from a CSV, {os.cpu_count()} CPUs")
    print(f"{'jobs':>4} {'seconds':>8} {'end-to-end posts/s':>19} {'steady posts/s':>15} {'first batch s':>14}")
    for r in runs:
        print(f"{r['jobs']:>4} {r['seconds']:>8} {r['end_to_end_posts_per_s']:>19} {r['steady_posts_per_s']!s:>15} "
              f"{r['first_batch_s']:>14}")
    if jobs2 is not None:
        print(f"target: ≥ {TARGET_JOBS2:.0f} short posts/s with --jobs 2 (steady): "
              f"{'met' if results['meets_target'] else 'NOT met'} ({jobs2})")
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
