"""`carelint audit PATH…`: check exported post history and write a report (carelint.audit does the work).

Exit codes as `carelint check`: 1 when any high-severity finding was found, 0 otherwise, 2 on a
usage error (a missing file, a bad option, an invalid settings file, a missing model).
"""

from __future__ import annotations

import os
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from carelint.audit.readers import MAX_POST_CHARS, read_paths
from carelint.audit.report import FORMATS, REPORT_MODE, write_report
from carelint.audit.runner import SEVERITIES, AuditResult, count_entries, run_audit
from carelint.audit.table import SALT_FILE, TextHasher, load_salt
from carelint.cli.common import SEVERITY_STYLE, err, load_checker, load_policy, load_settings, usage_error
from carelint.platforms import PLATFORMS

SHOWN_ERRORS = 5  # parse errors listed on the terminal; the report has them all


class RateColumn(ProgressColumn):
    """Posts per second: rich's recent-window speed when it has one, else the average since the
    start (posts arrive in batches, so the window is often empty: never a bare "…")."""

    def render(self, task: Task) -> Text:
        speed = task.speed or (task.completed / task.elapsed if task.elapsed and task.completed else None)
        return Text(f"{speed:,.0f} posts/s" if speed else "starting…", style="progress.data.speed")


ENGINES = ("local", "ray", "spark")
ALL_FORMATS = (*FORMATS, "parquet")
EXTRAS = {"ray": "ray", "spark": "spark", "parquet": "parquet"}


def audit(
    paths: Annotated[list[Path], typer.Argument(
        help="Exported post history: X tweets.js, Facebook/Instagram JSON, LinkedIn Shares.csv, CSV, "
             "JSON, JSONL, Parquet or text files, or folders of them (pictures inside are checked too).",
        show_default=False)],
    output_format: Annotated[str | None, typer.Option(
        "--format", help=f"Report format: {', '.join(ALL_FORMATS)} (parquet: findings without the post text). "
                         "Default: from --out's extension, else parquet for Ray and Spark, else html.",
        show_default=False)] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Report file (default: carelint-audit.<format> in the current directory).")] = None,
    min_severity: Annotated[str, typer.Option(
        help=f"Report findings of this severity and above: {', '.join(SEVERITIES)}.")] = "low",
    column: Annotated[str | None, typer.Option(
        help="The CSV column (or JSON field) that holds the post text; guessed when not given.")] = None,
    jobs: Annotated[int, typer.Option(
        min=1, help="Worker processes, Ray actors or Spark cores (each loads the model once).")] = 1,
    platform: Annotated[str, typer.Option(
        help=f"Platform of posts whose file does not say: {', '.join(PLATFORMS)}.")] = "generic",
    engine: Annotated[str, typer.Option(
        help="Where the posts are checked: local (this machine, --jobs processes), ray (Ray Data) or spark "
             "(a Spark session). Ray and Spark write Parquet.")] = "local",
    address: Annotated[str, typer.Option(
        help="Ray: 'local' starts a private Ray with --jobs CPUs; 'auto' or ray://HOST:10001 joins a "
             "cluster.")] = "local",
    master: Annotated[str | None, typer.Option(
        help="Spark master (default: local[JOBS]).", show_default=False)] = None,
    findings: Annotated[Path | None, typer.Option(
        help="Do not check: render the report (html, csv or json) from this findings Parquet and the same "
             "inputs it was made from.", show_default=False)] = None,
    salt_file: Annotated[Path | None, typer.Option(
        help="The secret key of the Parquet's text hashes (default: audit-salt in Carelint's configuration "
             "folder, made on first use).", show_default=False)] = None,
) -> None:
    """Audit published posts (platform exports) for PHI and risky health content; write a report.

    Exit code 1 when a high-severity finding was found, 0 otherwise."""
    if engine not in ENGINES:
        raise usage_error(f"--engine must be one of {', '.join(ENGINES)}.")
    fmt = _format(output_format, out, engine, findings)
    if min_severity not in SEVERITIES:
        raise usage_error(f"--min-severity must be one of {', '.join(SEVERITIES)}.")
    if platform not in PLATFORMS:
        raise usage_error(f"Unknown platform {platform!r}; choose one of {', '.join(PLATFORMS)}.")
    for path in [*paths, *([findings] if findings else [])]:
        if not path.exists():
            raise usage_error(f"Cannot read {path}: no such file or folder.")
        if not os.access(path, os.R_OK):
            raise usage_error(f"Cannot read {path}: permission denied.")
    report = _report_path(out, fmt)
    if any(report.resolve() == p.resolve() for p in [*paths, *([findings] if findings else [])]):
        raise usage_error(f"The report {report} would overwrite an input file.")

    settings = load_settings()
    hasher = _hasher(salt_file or settings.config_dir / SALT_FILE) if fmt == "parquet" or findings else None
    if findings is not None:
        _render(paths, findings, fmt, report, column, platform, hasher)
        return
    policy = load_policy(settings)
    if engine != "local":
        _distributed(engine, paths, report, policy, settings.model, column, platform, jobs, min_severity,
                     address, master, hasher)
        return
    # Here, not at the top: spaCy (which nlp imports) would slow every other command.
    from carelint.nlp import ModelNotFound

    checker = load_checker(settings.model) if jobs == 1 else None
    total = count_entries(paths, column, platform)
    try:
        with _progress() as progress:
            task = progress.add_task("Auditing", total=total)
            result = run_audit(
                read_paths(paths, column, platform), policy=policy, checker=checker, model=settings.model,
                jobs=jobs, min_severity=min_severity, sources=[str(p) for p in paths],
                on_progress=lambda n: progress.advance(task, n),
            )
    except BrokenProcessPool as exc:
        raise usage_error(f"A worker process stopped: {exc}. Try fewer --jobs.") from None
    except ModelNotFound as exc:  # raised in a worker
        raise usage_error(str(exc)) from None

    try:
        if fmt == "parquet":
            from carelint.audit.parquet import write_audit

            write_audit(result, report, hasher, engine="local", model=settings.model)
        else:
            write_report(result, fmt, report)
    finally:
        result.close()
    _print_summary(result, report, fmt)
    raise typer.Exit(1 if result.has_high else 0)


def _format(given: str | None, out: Path | None, engine: str, findings: Path | None) -> str:
    """The report format: as given, else from --out's extension, else Parquet for Ray and Spark."""
    fmt = given
    if fmt is None and out is not None and out.suffix.lower().lstrip(".") in ALL_FORMATS and not out.is_dir():
        fmt = out.suffix.lower().lstrip(".")
    fmt = fmt or ("parquet" if engine != "local" and findings is None else "html")
    if fmt not in ALL_FORMATS:
        raise usage_error(f"--format must be one of {', '.join(ALL_FORMATS)}.")
    if findings is not None and fmt == "parquet":
        raise usage_error("--findings renders a report from a findings file: use --format html, csv or json.")
    if findings is not None and engine != "local":
        raise usage_error("--findings checks nothing, so it takes no --engine.")
    if engine != "local" and fmt != "parquet":
        raise usage_error(f"--engine {engine} writes findings as Parquet (--format parquet); then render "
                          f"the {fmt} report with: carelint audit INPUTS --findings FINDINGS.parquet --format {fmt}")
    if fmt == "parquet" or findings is not None:
        _need("pyarrow", "parquet")
    return fmt


def _need(module: str, extra: str) -> None:
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise usage_error(f"This needs {module}, which is not installed: pip install 'carelint[{extra}]' (or "
                          f"pipx inject carelint with the packages of that extra).")


def _hasher(path: Path):
    try:
        return TextHasher(load_salt(path))
    except (OSError, ValueError) as exc:
        raise usage_error(f"Cannot use the audit salt {path}: {exc}") from None


def _render(paths: list[Path], findings: Path, fmt: str, report: Path, column: str | None, platform: str,
            hasher) -> None:
    from carelint.audit.parquet import InputsDiffer, NotAFindingsFile, audit_from_findings

    try:
        result = audit_from_findings(read_paths(paths, column, platform), findings, hasher)
    except (InputsDiffer, NotAFindingsFile) as exc:
        raise usage_error(str(exc)) from None
    try:
        write_report(result, fmt, report)
    finally:
        result.close()
    _print_summary(result, report, fmt)
    raise typer.Exit(1 if result.has_high else 0)


def _distributed(engine: str, paths: list[Path], report: Path, policy, model: str, column: str | None,
                 platform: str, jobs: int, min_severity: str, address: str, master: str | None, hasher) -> None:
    """--engine ray or spark: the posts checked there, the findings written here as Parquet."""
    from carelint.audit.parquet import FindingsWriter
    from carelint.nlp import ModelNotFound

    _need("ray" if engine == "ray" else "pyspark", EXTRAS[engine])
    total = count_entries(paths, column, platform)
    items = read_paths(paths, column, platform)
    sources = [str(p) for p in paths]
    try:
        with FindingsWriter(report) as out, _progress() as progress:
            task = progress.add_task(f"Auditing on {engine.capitalize()}", total=total)
            advance = lambda n: progress.advance(task, n)  # noqa: E731
            if engine == "ray":
                from carelint.audit.ray_engine import run_ray

                info = run_ray(items, out, policy=policy, model=model, address=address, workers=jobs,
                               min_severity=min_severity, salt=hasher.key, sources=sources, on_progress=advance)
            else:
                from carelint.audit.spark_engine import SparkUnavailable, run_spark

                try:
                    info = run_spark(items, out, policy=policy, model=model, master=master, workers=jobs,
                                     min_severity=min_severity, salt=hasher.key, sources=sources,
                                     on_progress=advance)
                except SparkUnavailable as exc:
                    raise usage_error(str(exc)) from None
    except ModelNotFound as exc:
        raise usage_error(str(exc)) from None
    except ConnectionError as exc:  # Ray could not reach --address
        raise usage_error(f"Ray: {exc}") from None
    t = info["totals"]
    sev = t["by_severity"]
    err.print(f"Checked {t['posts']:,} posts on {engine.capitalize()} ({jobs} workers) in {info['elapsed_s']:.1f} s "
              f"({info['posts_per_second'] or 0:,.0f} posts/s): {t['flagged_posts']:,} flagged, {t['findings']:,} "
              f"findings ({sev.get('high', 0)} high, {sev.get('medium', 0)} medium, {sev.get('low', 0)} low).")
    if t["parse_errors"]:
        err.print(f"[yellow]{t['parse_errors']:,} entries could not be parsed or were skipped (listed in the "
                  f"findings file's summary).[/yellow]")
    _print_parquet_note(report)
    raise typer.Exit(1 if sev.get("high", 0) else 0)


def _print_parquet_note(report: Path) -> None:
    err.print(f"Findings: {report}")
    err.print("It holds no post text (a salted hash of each flagged span instead; the salt stays in Carelint's "
              "configuration folder). For the readable report: carelint audit INPUTS --findings "
              f"{report} --format html")


def _report_path(out: Path | None, fmt: str) -> Path:
    name = f"carelint-audit.{fmt}"
    if out is None:
        return Path.cwd() / name
    if out.is_dir():
        return out / name
    if not out.parent.is_dir():
        raise usage_error(f"Cannot write {out}: the folder {out.parent} does not exist.")
    return out


def _progress() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TaskProgressColumn(), RateColumn(), TimeElapsedColumn(), TextColumn("ETA"),
                    TimeRemainingColumn(), console=err, transient=False)


def _print_summary(result: AuditResult, report: Path, fmt: str = "html") -> None:
    t = result.totals
    by_severity = ", ".join(f"[{SEVERITY_STYLE[s]}]{t.by_severity[s]} {s}[/{SEVERITY_STYLE[s]}]"
                            for s in reversed(SEVERITIES))
    err.print(f"Checked {t.posts:,} posts in {result.elapsed_s:.1f} s ({result.posts_per_second:,.0f} posts/s): "
              f"{t.flagged:,} flagged, {t.findings:,} findings ({by_severity}).")
    if t.split:
        err.print(f"[yellow]{t.split:,} posts longer than {MAX_POST_CHARS:,} characters were checked in parts "
                  f"(the report gives each finding's offset in the whole post):[/yellow]")
        for source, location in result.split_posts:
            err.print(f"  {source} {location}", highlight=False, markup=False, soft_wrap=True)
    if t.errors:
        err.print(f"[yellow]{t.errors:,} entries could not be parsed or were skipped (all listed in the "
                  f"report):[/yellow]")
        for e in islice(result.errors, SHOWN_ERRORS):
            err.print(f"  {e.source} {e.location}: {e.reason}", highlight=False, markup=False, soft_wrap=True)
    if fmt == "parquet":
        _print_parquet_note(report)
        return
    err.print(f"Report: {report}")
    err.print(f"[bold yellow]The report contains PHI (the audited posts' text). It was written with "
              f"permissions {REPORT_MODE:04o} (readable by you only); keep it private and delete it when "
              f"done.[/bold yellow]")
