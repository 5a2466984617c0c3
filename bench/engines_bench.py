"""Audit engines side by side: posts/s of `carelint audit --format parquet` with --jobs 1, --jobs 2,
Ray local with 1 and 2 workers and Spark local[1] and local[2], on the same generated archive.

usage: python bench/engines_bench.py [--posts 20000] [--seed 11] [--runs jobs1,jobs2,ray1,ray2,spark1,spark2]
                                     [--json PATH]

The archive is a content calendar of distinct short posts (40–140 characters, bench/posts.py),
written once. Each run is a fresh `carelint audit` process (as a user runs it: reading, model
loading in every worker, checking, the Parquet written), timed from start to exit, so start-up
(Ray's or Spark's, and each worker's model) is included. Every run's findings must equal the
`--jobs 1` run's (checked here: a benchmark of wrong answers is no benchmark).
Target (issue 19): Ray and Spark on 2 workers reach ≥ 80% of --jobs 2's posts/s.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq
from posts import PostGenerator

NETWORKS = ("Twitter", "LinkedIn", "Facebook", "Instagram", "Threads")
RUNS = {
    "jobs1": ["--jobs", "1"],
    "jobs2": ["--jobs", "2"],
    "ray1": ["--engine", "ray", "--jobs", "1"],
    "ray2": ["--engine", "ray", "--jobs", "2"],
    "spark1": ["--engine", "spark", "--jobs", "1"],
    "spark2": ["--engine", "spark", "--jobs", "2"],
}
TARGET_SHARE = 0.8  # of --jobs 2, for ray2 and spark2


def write_archive(path: Path, n: int, seed: int = 11) -> None:
    """A scheduler's content calendar of n distinct short posts (the tests audit the same one)."""
    gen = PostGenerator(seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(("Publish Date", "Network", "Caption"))
        for i in range(n):
            out.writerow((f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}", NETWORKS[i % len(NETWORKS)], gen.short(40, 140)))


def rows(path: Path) -> list[tuple]:
    table = pq.read_table(path, columns=["post_id", "part", "finding", "rule", "start", "end", "text_hash"])
    return sorted(zip(*table.to_pydict().values(), strict=True))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--posts", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--runs", default=",".join(RUNS))
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    carelint = Path(sys.executable).with_name("carelint")
    results = []
    with tempfile.TemporaryDirectory(prefix="carelint-engines-") as tmp:
        folder = Path(tmp)
        archive = folder / "calendar.csv"
        write_archive(archive, args.posts, args.seed)
        env = {**os.environ, "CARELINT_CONFIG_DIR": str(folder / "cfg")}  # one salt for every run
        reference = None
        for name in args.runs.split(","):
            out = folder / f"{name}.parquet"
            started = time.perf_counter()
            done = subprocess.run([str(carelint), "audit", str(archive), "--out", str(out), *RUNS[name]],
                                  env=env, capture_output=True, text=True)
            elapsed = time.perf_counter() - started
            if done.returncode not in (0, 1):
                sys.exit(f"{name} failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
            found = rows(out)
            reference = reference if reference is not None else found
            results.append(dict(run=name, posts=args.posts, seconds=round(elapsed, 1),
                                posts_per_s=round(args.posts / elapsed, 1), findings=len(found),
                                same_findings_as_first=found == reference))
            print(f"{name:>7}: {elapsed:7.1f} s  {args.posts / elapsed:7.1f} posts/s  {len(found):,} findings"
                  f"{'' if found == reference else '  (DIFFERENT FINDINGS)'}", flush=True)
    by = {r["run"]: r for r in results}
    targets = {}
    if "jobs2" in by:
        for name in ("ray2", "spark2"):
            if name in by:
                share = by[name]["posts_per_s"] / by["jobs2"]["posts_per_s"]
                targets[name] = dict(share_of_jobs2=round(share, 3), met=share >= TARGET_SHARE)
                print(f"{name}: {share:.0%} of --jobs 2 (target ≥ {TARGET_SHARE:.0%}): "
                      f"{'met' if share >= TARGET_SHARE else 'NOT MET'}")
    report = dict(results=results, targets=targets)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    if not all(r["same_findings_as_first"] for r in results):
        sys.exit("an engine's findings differ from the first run's")


if __name__ == "__main__":
    main()
