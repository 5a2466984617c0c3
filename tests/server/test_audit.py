"""`carelint audit`: the runner's totals, the HTML/CSV/JSON reports, 0600, exit codes, --jobs."""

import csv
import json
import re
import stat
from dataclasses import replace
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from carelint.audit.readers import AuditPost, ParseError, read_paths
from carelint.audit.report import CSV_COLUMNS, write_report
from carelint.audit.runner import PostResult, Spool, count_entries, run_audit
from carelint.cli.audit import audit
from carelint.engine import Checker
from carelint.settings import DEFAULT_MODEL, Policy

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures/audit"
ALL_FIXTURES = sorted(FIXTURES.iterdir())


def audit_app() -> typer.Typer:
    """The command as carelint.cli registers it (a second command keeps `audit` a subcommand)."""
    app = typer.Typer()
    app.command()(audit)
    app.command("noop")(lambda: None)
    return app


@pytest.fixture()
def runner(monkeypatch, tmp_path, nlp):
    monkeypatch.setenv("CARELINT_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.chdir(tmp_path)
    # Reuse the session's pipeline instead of loading the model again for every invocation.
    monkeypatch.setattr(Checker, "from_model", classmethod(lambda cls, model, **kw: cls(nlp, **kw)))
    return CliRunner()


@pytest.fixture(scope="module")
def fixture_audit(checker):
    return run_audit(read_paths(ALL_FIXTURES), policy=Policy(), checker=checker,
                     sources=[str(p) for p in ALL_FIXTURES], batch_size=5)


def findings_by_location(result) -> dict[tuple[str, str], list[tuple[str, str]]]:
    return {(Path(r.post.source).name, r.post.location): [(f.rule, f.text) for f in r.findings] for r in result.posts}


def test_runner_checks_every_format_and_counts(fixture_audit):
    t = fixture_audit.totals
    assert (t.posts, t.errors) == (20, 4)
    assert t.flagged == len(fixture_audit.posts) and t.findings == sum(len(p.findings) for p in fixture_audit.posts)
    assert t.findings == sum(t.by_severity.values()) == sum(t.by_category.values())
    assert sum(r["count"] for r in t.by_rule.values()) == t.findings
    found = findings_by_location(fixture_audit)
    assert ("phi.patient-name", "Maria Gonzalez") in found[("tweets.js", "tweet 1700000000000000001")]
    assert ("phi.patient-name", "José García") in found[("your_posts_1.json", "item 1")]
    assert ("advice.stop-medication", "Stop taking your insulin") in found[("posts_1.json", "item 1")]
    assert ("phi.patient-phone", "617.555.0142") in found[("Shares.csv", "row 2")]
    assert ("tone.insult", "idiots") in found[("calendar.csv", "row 3")]
    assert ("claims.guarantee", "guaranteed") in found[("drafts.csv", "row 2")]
    assert ("phi.patient-name", "Maria Gonzalez") in found[("posts.jsonl", "line 1")]
    assert ("claims.cure", "cures") in found[("posts.txt", "line 8")]
    assert ("tweets.js", "tweet 1700000000000000002") not in found  # clean posts are counted, not kept
    assert fixture_audit.has_high
    # Parse errors keep their place and reason; the audit went on past each of them.
    assert {(Path(e.source).name, e.location) for e in fixture_audit.errors} == {
        ("calendar.csv", "row 4"), ("posts.jsonl", "line 2"),
        ("tweets.js", "tweet 1700000000000000003"), ("your_posts_1.json", "item 4")}


def test_progress_total_and_advances_match(checker):
    """The progress bar's total (a parse-only pass) equals what the run reports as done."""
    advanced: list[int] = []
    result = run_audit(read_paths(ALL_FIXTURES), policy=Policy(), checker=checker, on_progress=advanced.append)
    assert count_entries(ALL_FIXTURES) == sum(advanced) == result.totals.posts + result.totals.errors == 24


def test_min_severity_filters_findings(checker):
    high = run_audit(read_paths(ALL_FIXTURES), policy=Policy(), checker=checker, min_severity="high")
    assert high.totals.posts == 20 and set(high.totals.by_severity) == {"high"}
    assert all(f.severity == "high" for p in high.posts for f in p.findings)


def test_policy_is_applied(checker):
    policy = Policy(disabled_rules=["phi.patient-name"])
    result = run_audit(read_paths([FIXTURES / "tweets.js"]), policy=policy, checker=checker)
    assert "phi.patient-name" not in result.totals.by_rule


def report_text(audit_result, fmt, tmp_path) -> str:
    path = tmp_path / f"report.{fmt}"
    write_report(audit_result, fmt, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    return path.read_text(encoding="utf-8-sig")


def test_html_report_is_self_contained_escaped_and_filterable(fixture_audit, tmp_path):
    hostile = AuditPost("evil.csv", "row 2", None, "generic", "javascript:alert(1)",
                        'Call <script>alert("x")</script> Aisha at 617.555.0142 about her MRI results.')
    start = hostile.text.index("Aisha")
    finding = replace(fixture_audit.posts[0].findings[0], start=start, end=start + 5, text="Aisha")
    page = report_text(replace(fixture_audit, posts=Spool([*fixture_audit.posts, PostResult(hostile, [finding])])),
                       "html", tmp_path)
    # No remote (or any) asset: no external script, stylesheet, image, frame, font or import.
    assert not re.search(r"<(script|link|img|iframe|object|embed|source|audio|video)\b[^>]*\b(src|href)=", page, re.I)
    assert "@import" not in page and "url(" not in page
    assert "default-src 'none'" in page  # and the CSP forbids fetching anything
    # Post text is escaped; only http(s) links become links.
    assert "<script>alert" not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert 'href="javascript:' not in page
    assert '<a href="https://x.com/i/status/1700000000000000001"' in page
    # Findings are highlighted spans with severity classes; filters by severity and category.
    assert '<mark class="sev-high" data-f="0"' in page and ">Maria Gonzalez</mark>" in page
    for value in ("high", "medium", "low"):
        assert f'data-filter="severity" value="{value}"' in page
    for value in ("phi", "claim", "advice", "tone"):
        assert f'data-filter="category" value="{value}"' in page
    assert page.count('<article class="post">') == len(fixture_audit.posts) + 1
    # Totals by category and rule, the parse errors, the PHI note.
    assert "<td>phi.patient-name</td>" in page and "<td>Unsupported claim</td>" in page
    assert "the row has 2 fields, the header has 5" in page
    assert "contains the text of the audited posts" in page


def test_csv_report_rows(fixture_audit, tmp_path):
    rows = list(csv.DictReader(report_text(fixture_audit, "csv", tmp_path).splitlines()))
    assert tuple(rows[0]) == CSV_COLUMNS
    finding_rows = [r for r in rows if not r["reason"]]
    assert len(finding_rows) == fixture_audit.totals.findings
    tweet = next(r for r in finding_rows if r["location"] == "tweet 1700000000000000001")
    assert tweet["platform"] == "x" and tweet["date"] == "2023-10-11T14:05:00+00:00"
    assert tweet["link"] == "https://x.com/i/status/1700000000000000001" and tweet["severity"] == "high"
    assert {(r["location"], r["reason"]) for r in rows if r["reason"]} >= {
        ("row 4", "the row has 2 fields, the header has 5")}


def test_csv_cells_cannot_become_formulas(checker, tmp_path):
    path = tmp_path / "posts.csv"
    path.write_text('text\n"=HYPERLINK(""http://evil"") Congrats to our patient Maria Gonzalez on finishing chemo!"\n',
                    encoding="utf-8")
    result = run_audit(read_paths([path]), policy=Policy(), checker=checker)
    write_report(result, "csv", tmp_path / "out.csv")
    text = (tmp_path / "out.csv").read_text(encoding="utf-8-sig")
    assert "Maria Gonzalez" in text and "\n=" not in text and ",=" not in text


def test_json_report(fixture_audit, tmp_path):
    data = json.loads(report_text(fixture_audit, "json", tmp_path))
    assert set(data) == {"tool", "generated", "sources", "min_severity", "totals", "posts", "errors"}
    assert data["totals"]["posts"] == 20 and data["totals"]["parse_errors"] == 4
    assert data["totals"]["by_rule"]["phi.patient-name"]["category"] == "phi"
    post = data["posts"][0]
    assert set(post) == {"source", "location", "date", "platform", "link", "text", "part", "offset", "findings"}
    assert {"start", "end", "text", "rule", "severity", "category", "message"} <= set(post["findings"][0])
    assert {"source", "location", "reason"} == set(data["errors"][0])


def test_report_replacing_an_open_file_is_private(fixture_audit, tmp_path):
    path = tmp_path / "old.html"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o644)
    write_report(fixture_audit, "html", path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and list(tmp_path.iterdir()) == [path]


def test_cli_writes_html_by_default_exits_1_and_warns_about_phi(runner, tmp_path):
    r = runner.invoke(audit_app(), ["audit", *map(str, ALL_FIXTURES)])
    assert r.exit_code == 1, r.output
    report = tmp_path / "carelint-audit.html"
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert "Checked 20 posts" in r.output and "4 entries could not be parsed" in r.output
    assert "contains PHI" in r.output and "0600" in r.output


def test_cli_clean_posts_exit_0_and_column_option(runner, tmp_path):
    path = tmp_path / "calendar.csv"
    path.write_text("when,caption,notes\n2024-01-01,Lobby cafe now serves oat milk lattes.,"
                    "Congrats to our patient Maria Gonzalez on finishing chemo!\n", encoding="utf-8")
    out = tmp_path / "r.json"
    r = runner.invoke(audit_app(), ["audit", str(path), "--format", "json", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert json.loads(out.read_text(encoding="utf-8"))["totals"]["findings"] == 0
    r = runner.invoke(audit_app(), ["audit", str(path), "--format", "json", "--out", str(out), "--column", "notes"])
    assert r.exit_code == 1, r.output
    assert "Maria Gonzalez" in [f["text"] for f in json.loads(out.read_text(encoding="utf-8"))["posts"][0]["findings"]]


def test_a_folder_audits_every_export_file_in_it(runner, tmp_path):
    out = tmp_path / "report.json"
    r = runner.invoke(audit_app(), ["audit", str(FIXTURES), "--format", "json", "--out", str(out)])
    assert r.exit_code == 1, r.output
    sources = {p["source"] for p in json.loads(out.read_text(encoding="utf-8"))["posts"]}
    assert {str(FIXTURES / "tweets.js"), str(FIXTURES / "Shares.csv")} <= sources


@pytest.mark.parametrize("args", [
    ["audit"],
    ["audit", "/nonexistent/tweets.js"],
    ["audit", "{tweets}", "--format", "xml"],
    ["audit", "{tweets}", "--min-severity", "urgent"],
    ["audit", "{tweets}", "--platform", "myspace"],
    ["audit", "{tweets}", "--jobs", "0"],
    ["audit", "{tweets}", "--out", "/nonexistent/dir/report.html"],
    ["audit", "{tweets}", "--out", "{tweets}"],
])
def test_usage_errors_exit_2(runner, args):
    args = [a.format(fixtures=FIXTURES, tweets=FIXTURES / "tweets.js") for a in args]
    r = runner.invoke(audit_app(), args)
    assert r.exit_code == 2, r.output


def test_jobs_2_gives_the_same_findings_as_jobs_1(fixture_audit):
    """Two spawned workers, each loading the real model: same posts, findings and order."""
    parallel = run_audit(read_paths(ALL_FIXTURES), policy=Policy(), model=DEFAULT_MODEL, jobs=2, batch_size=3)
    assert findings_by_location(parallel) == findings_by_location(fixture_audit)
    assert [(p.post.source, p.post.location) for p in parallel.posts] == [
        (p.post.source, p.post.location) for p in fixture_audit.posts]
    assert parallel.totals == fixture_audit.totals
    assert parallel.errors == fixture_audit.errors and all(isinstance(e, ParseError) for e in parallel.errors)


def test_html_report_puts_flagged_posts_first_highest_severity_first(fixture_audit, tmp_path):
    page = report_text(fixture_audit, "html", tmp_path)
    assert page.index('<section id="posts">') < page.index('<section id="summary">')
    tops = []
    for result in fixture_audit.posts:
        top = max((f.severity for f in result.findings), key={"low": 1, "medium": 2, "high": 3}.get)
        tops.append(top)
    assert set(tops) >= {"high"} and len(set(tops)) > 1, "the fixture needs posts of several severities"
    # The articles' order: every high post before any medium, every medium before any low.
    shown = re.findall(r'<article class="post">.*?</article>', page, re.S)
    ranks = [max(({"sev-high": 3, "sev-medium": 2, "sev-low": 1}[m] for m in re.findall(r'class="(sev-\w+)"', a)),
                 default=0) for a in shown]
    assert ranks == sorted(ranks, reverse=True)


def test_the_progress_rate_is_a_number_from_the_first_batch():
    import time

    from rich.progress import Progress

    from carelint.cli.audit import RateColumn

    progress = Progress()
    task = progress.add_task("posts", total=200)
    progress.start_task(task)
    time.sleep(0.05)
    progress.update(task, completed=64)  # one batch: rich has no recent-window speed yet
    shown = RateColumn().render(progress.tasks[0]).plain
    assert re.fullmatch(r"[\d,]+ posts/s", shown), shown
