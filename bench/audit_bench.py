"""Throughput of `carelint audit`: short posts per second with --jobs 1 and --jobs 2; and the peak
memory of an audit of hostile inputs.

usage: python bench/audit_bench.py [--posts N] [--jobs 1,2] [--seed N] [--model NAME] [--json PATH]
                                   [--hostile on|off|only] [--hostile-scale F] [--rss-cap-mb N]

Writes N short posts (≤ 280 chars, `posts.PostGenerator.short`, no paragraph repeated) to a CSV
content calendar in a temporary directory, then audits it as `carelint audit calendar.csv
--format html --jobs J` does: read, check, write the report. Each run starts with a fresh
paragraph cache, so every post is analysed. Two rates per run:
- end to end: posts / wall time from the start of the run to the report written, including
  the worker processes' start-up (each loads the model) for --jobs 2;
- steady: posts / time after each worker's first batch came back, i.e. without start-up.
Target: ≥ 150 short posts/s with --jobs 2 on 2 cores (steady). Prints a table and JSON.

Hostile inputs: peak RSS. Each input is audited by a fresh `carelint audit FILE --format csv`
process (--jobs 1, as a user runs it) that writes its own peak RSS (VmHWM) when it exits. (The
rusage of a waited child is no use here: a child started with vfork inherits, through exec, the
peak of this process, which has loaded the model for the throughput runs.) A watchdog kills a run
over --rss-cap-mb or the timeout, so a regression cannot take the machine down. The inputs: the
model alone (one short post, the floor), 2 MB of random bytes as a .txt, 2 MB of random printable
text as a .txt (not binary, so it is checked), 1 MB of prose in one post, a 50 MB CSV of ordinary
posts, JSON nested 100,000 deep and a 20 MB single-line JSON array. --hostile-scale shrinks the
large ones for a quick look. Per run: peak RSS, seconds, exit code, posts, parse errors or skips
(with the first one's location and reason) and whether a traceback was printed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
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

    # As `carelint audit` loads it; before the clock starts.
    checker = Checker.from_model(model) if jobs == 1 else None  # no time budget, as the CLI
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


# --- hostile inputs: peak RSS ------------------------------------------------------------------

MB = 1 << 20
RSS_CAP_MB = 4096  # a run above this is killed (and reported as such)
HOSTILE_TIMEOUT_S = 1200.0

# Runs `carelint audit` and, at exit, writes the process's peak RSS in KiB to $CARELINT_BENCH_PEAK.
_LAUNCHER = """
import atexit, os, sys
def _peak():
    try:
        with open("/proc/self/status") as fh:
            kib = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        import resource
        kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // (1024 if sys.platform == "darwin" else 1)
    with open(os.environ["CARELINT_BENCH_PEAK"], "w") as fh:
        fh.write(str(kib))
atexit.register(_peak)
sys.argv[0] = "carelint"
from carelint.cli import main
main()
"""


def write_hostile(folder: Path, seed: int, scale: float) -> list[tuple[str, Path]]:
    """The hostile inputs, written in `folder` (streamed: this process stays small)."""
    rng = random.Random(seed)
    gen = PostGenerator(seed)
    pool = [gen.short() for _ in range(500)]  # ordinary posts, repeated to size
    size = {"random": 2 * MB, "prose": MB, "csv": int(50 * MB * scale), "array": int(20 * MB * scale)}
    out: list[tuple[str, Path]] = []

    def add(name: str, filename: str) -> Path:
        out.append((name, folder / filename))
        return folder / filename

    add("the model alone (one short post)", "one.txt").write_text(pool[0] + "\n", encoding="utf-8")
    add("2 MB of random bytes (.txt)", "random.txt").write_bytes(rng.randbytes(size["random"]))
    printable = "".join(chr(c) for c in range(32, 127)) + "\n" * 2 + "éü—😀"
    add("2 MB of random printable text (.txt)", "random-text.txt").write_text(
        "".join(rng.choices(printable, k=size["random"])), encoding="utf-8")
    with add("1 MB of prose, one post (.txt)", "prose.txt").open("w", encoding="utf-8") as fh:
        written = 0
        while written < size["prose"]:
            sentence = rng.choice(gen.sentences) + " "
            written += fh.write(sentence)
    with add(f"{size['csv'] // MB} MB CSV of ordinary posts", "calendar.csv").open("w", encoding="utf-8",
                                                                                   newline="") as fh:
        out_csv, written, i = csv.writer(fh), 0, 0
        out_csv.writerow(("Publish Date", "Network", "Caption"))
        while written < size["csv"]:
            row = (f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}", PLATFORMS[i % len(PLATFORMS)], pool[i % len(pool)])
            out_csv.writerow(row)
            written += sum(map(len, row)) + 6
            i += 1
    add("JSON nested 100,000 deep", "deep.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with add(f"{size['array'] // MB} MB single-line JSON array", "array.json").open("w", encoding="utf-8") as fh:
        fh.write("[")
        written, i = 0, 0
        while written < size["array"]:
            written += fh.write(("," if i else "") + json.dumps({"date": "2024-01-01", "text": pool[i % len(pool)]}))
            i += 1
        fh.write("]")
    return out


def _summary_counts(stderr: str) -> tuple[int | None, int]:
    posts = re.search(r"Checked ([\d,]+) posts", stderr)
    errors = re.search(r"([\d,]+) entries could not be parsed", stderr)
    return (int(posts.group(1).replace(",", "")) if posts else None,
            int(errors.group(1).replace(",", "")) if errors else 0)


def _first_error(report: Path) -> str | None:
    """The first parse error or skip of a CSV report, read row by row (the report can be large)."""
    if not report.exists():
        return None
    with report.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["reason"]:
                return f"{row['location']}: {row['reason']}"
    return None


def measure_audit(path: Path, tmp: Path, cap_mb: int, timeout_s: float) -> dict:
    """One `carelint audit` in its own process: its peak RSS, time, exit code and summary."""
    report, peak_file = tmp / "report.csv", tmp / "peak"
    peak_file.unlink(missing_ok=True)
    env = dict(os.environ, CARELINT_CONFIG_DIR=str(tmp / "config"), CARELINT_BENCH_PEAK=str(peak_file))
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", _LAUNCHER, "audit", str(path), "--format", "csv",
                             "--out", str(report)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    killed: list[str] = []
    sampled = [0]  # the largest VmRSS seen, in KiB (the peak of a killed run)

    def watch() -> None:
        while proc.poll() is None:
            try:
                status = Path(f"/proc/{proc.pid}/status").read_text()
            except OSError:
                return
            rss = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
            sampled[0] = max(sampled[0], rss)
            over = (f"killed above {cap_mb} MB" if rss > cap_mb * 1024 else
                    f"killed after {timeout_s:.0f} s" if time.perf_counter() - started > timeout_s else None)
            if over:
                killed.append(over)
                proc.kill()
                return
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    stderr = proc.communicate()[1].decode("utf-8", "replace")
    watcher.join()
    seconds = time.perf_counter() - started
    peak_kib = int(peak_file.read_text()) if peak_file.exists() else sampled[0]
    posts, errors = _summary_counts(stderr)
    first_error = _first_error(report)
    report.unlink(missing_ok=True)
    return dict(peak_rss_mb=round(peak_kib / 1024), seconds=round(seconds, 1), exit_code=proc.returncode,
                killed=killed[0] if killed else None, traceback="Traceback" in stderr, posts=posts,
                parse_errors=errors, first_error=first_error)


def hostile_section(seed: int, scale: float, cap_mb: int, timeout_s: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="carelint-audit-hostile-") as tmp:
        inputs = write_hostile(Path(tmp), seed, scale)
        runs = []
        for name, path in inputs:
            result = dict(input=name, file_mb=round(path.stat().st_size / MB, 1),
                          **measure_audit(path, Path(tmp), cap_mb, timeout_s))
            runs.append(result)
            print(f"  {name}: {result['peak_rss_mb']} MB peak RSS, {result['seconds']} s", file=sys.stderr)
    finished = [r for r in runs if not r["killed"]]
    worst = max((r["peak_rss_mb"] for r in runs), default=0)
    return dict(runs=runs, max_peak_rss_mb=worst, rss_cap_mb=cap_mb, scale=scale,
                all_finished_without_traceback=len(finished) == len(runs) and not any(r["traceback"] for r in runs))


def print_hostile(section: dict) -> None:
    print(f"\nhostile inputs: peak RSS (one `carelint audit FILE` process each, --jobs 1; runs over "
          f"{section['rss_cap_mb']} MB are killed)")
    print(f"{'input':<40} {'file MB':>8} {'peak RSS MB':>12} {'seconds':>8} {'exit':>5} {'posts':>9} {'errors':>7}  "
          "first error or skip")
    for r in section["runs"]:
        exit_code = "tb!" if r["traceback"] else r["exit_code"]
        note = r["killed"] or (r["first_error"] or "")[:70]
        print(f"{r['input']:<40} {r['file_mb']:>8} {r['peak_rss_mb']:>12} {r['seconds']:>8} {exit_code!s:>5} "
              f"{r['posts']!s:>9} {r['parse_errors']:>7}  {note}")
    ok = section["all_finished_without_traceback"]
    print(f"largest peak: {section['max_peak_rss_mb']} MB; "
          f"{'every run finished with a report and no traceback' if ok else 'SOME RUN FAILED'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--jobs", default="1,2", help="comma-separated --jobs values to run (default 1,2)")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--model", default=None, help="spaCy model (default: Carelint's pinned model)")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    parser.add_argument("--hostile", choices=("on", "off", "only"), default="on",
                        help="the hostile-input memory runs: after the throughput runs (on), not at all, or alone")
    parser.add_argument("--hostile-scale", type=float, default=1.0,
                        help="size factor of the 50 MB CSV and the 20 MB JSON array (default 1)")
    parser.add_argument("--rss-cap-mb", type=int, default=RSS_CAP_MB, help="kill a hostile run above this RSS")
    parser.add_argument("--hostile-timeout", type=float, default=HOSTILE_TIMEOUT_S, help="seconds per hostile run")
    args = parser.parse_args()
    from carelint.settings import DEFAULT_MODEL

    model = args.model or DEFAULT_MODEL
    if args.hostile == "only":
        hostile = hostile_section(args.seed, args.hostile_scale, args.rss_cap_mb, args.hostile_timeout)
        print_hostile(hostile)
        results = dict(benchmark="audit", cpus=os.cpu_count(), hostile=hostile)
        print(json.dumps(results, indent=2))
        if args.json:
            args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        return 0
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
    if args.hostile == "on":
        results["hostile"] = hostile_section(args.seed, args.hostile_scale, args.rss_cap_mb, args.hostile_timeout)
        print_hostile(results["hostile"])
    print(json.dumps(results, indent=2))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
