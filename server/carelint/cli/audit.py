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
from carelint.cli.common import SEVERITY_STYLE, err, load_checker, load_policy, load_settings, usage_error
from carelint.platforms import PLATFORMS

SHOWN_ERRORS = 5  # parse errors listed on the terminal; the report has them all


class RateColumn(ProgressColumn):
    """Posts per second: rich's recent-window speed when it has one, else the average since the
    start (posts arrive in batches, so the window is often empty: never a bare "…")."""

    def render(self, task: Task) -> Text:
        speed = task.speed or (task.completed / task.elapsed if task.elapsed and task.completed else None)
        return Text(f"{speed:,.0f} posts/s" if speed else "starting…", style="progress.data.speed")


def audit(
    paths: Annotated[list[Path], typer.Argument(
        help="Exported post history: X tweets.js, Facebook/Instagram JSON, LinkedIn Shares.csv, CSV, "
             "JSON, JSONL or text files, or folders of them (pictures inside are checked too).",
        show_default=False)],
    output_format: Annotated[str, typer.Option("--format", help=f"Report format: {', '.join(FORMATS)}.")] = "html",
    out: Annotated[Path | None, typer.Option(
        "--out", help="Report file (default: carelint-audit.<format> in the current directory).")] = None,
    min_severity: Annotated[str, typer.Option(
        help=f"Report findings of this severity and above: {', '.join(SEVERITIES)}.")] = "low",
    column: Annotated[str | None, typer.Option(
        help="The CSV column (or JSON field) that holds the post text; guessed when not given.")] = None,
    jobs: Annotated[int, typer.Option(min=1, help="Worker processes (each loads the model once).")] = 1,
    platform: Annotated[str, typer.Option(
        help=f"Platform of posts whose file does not say: {', '.join(PLATFORMS)}.")] = "generic",
) -> None:
    """Audit published posts (platform exports) for PHI and risky health content; write a report.

    Exit code 1 when a high-severity finding was found, 0 otherwise."""
    if output_format not in FORMATS:
        raise usage_error(f"--format must be one of {', '.join(FORMATS)}.")
    if min_severity not in SEVERITIES:
        raise usage_error(f"--min-severity must be one of {', '.join(SEVERITIES)}.")
    if platform not in PLATFORMS:
        raise usage_error(f"Unknown platform {platform!r}; choose one of {', '.join(PLATFORMS)}.")
    for path in paths:
        if not path.exists():
            raise usage_error(f"Cannot read {path}: no such file or folder.")
        if not os.access(path, os.R_OK):
            raise usage_error(f"Cannot read {path}: permission denied.")
    report = _report_path(out, output_format)
    if any(report.resolve() == p.resolve() for p in paths):
        raise usage_error(f"The report {report} would overwrite an input file.")

    settings = load_settings()
    policy = load_policy(settings)
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
        write_report(result, output_format, report)
    finally:
        result.close()
    _print_summary(result, report)
    raise typer.Exit(1 if result.has_high else 0)


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


def _print_summary(result: AuditResult, report: Path) -> None:
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
    err.print(f"Report: {report}")
    err.print(f"[bold yellow]The report contains PHI (the audited posts' text). It was written with "
              f"permissions {REPORT_MODE:04o} (readable by you only); keep it private and delete it when "
              f"done.[/bold yellow]")
