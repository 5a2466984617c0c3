"""Audits at scale: `check_batch`, findings as Parquet (no post text), the report rendered from
Parquet plus the inputs, Parquet inputs, and the Ray and Spark engines, whose findings on a
generated archive of 20,000 posts must equal the single-process audit's."""

import csv
import hashlib
import hmac
import json
import stat
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from test_audit import audit_app
from typer.testing import CliRunner

from carelint.audit.parquet import FINDINGS_SCHEMA, EngineRun, FindingsWriter, read_summary, write_audit
from carelint.audit.readers import AuditPost, ParseError, read_paths
from carelint.audit.runner import run_audit
from carelint.audit.table import FINDING_COLUMNS, PostChecker, TextHasher, load_salt
from carelint.batch import check_batch
from carelint.engine import Checker
from carelint.settings import DEFAULT_MODEL, Policy

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from engines_bench import write_archive  # noqa: E402  (the benchmark's archive: distinct posts)

ARCHIVE_POSTS = 20_000
SALT = bytes(range(32))


def said(result) -> str:
    """The command's output with the terminal's line wrapping undone."""
    return " ".join(result.output.split())


def sorted_rows(path: Path) -> list[dict]:
    rows = pq.read_table(path).to_pylist()
    return sorted(rows, key=lambda r: (r["post_id"], r["part"], r["finding"]))


# --- check_batch --------------------------------------------------------------------------------------


def test_check_batch_gives_each_text_the_engines_result(checker):
    texts = ["Congrats to our patient Maria Gonzalez on finishing chemo!", "Flu shots are in. Walk in any time.",
             "This tea cures diabetes, guaranteed."]
    results = check_batch(texts, platform=["x", "linkedin", "Pinterest"], checker=checker)
    assert [r.platform.name for r in results] == ["x", "linkedin", "generic"]
    for text, result in zip(texts, results, strict=True):
        assert result.findings == checker.check(text).findings
    assert {f.rule for f in results[0].findings} >= {"phi.patient-name"}
    assert not [f for f in results[1].findings if f.category == "phi"]


@pytest.mark.parametrize("kwargs, message", [
    (dict(texts="one string"), "not one string"),
    (dict(texts=["a"], lang="fr"), "not supported"),
    (dict(texts=["a"], platform="myspace"), "unknown platform"),
    (dict(texts=["a", "b"], platform=["x"]), "1 platforms for 2 texts"),
    (dict(texts=["a", 3]), r"texts\[1\] is a int"),
    (dict(texts=["a"], context="tweet"), "context must be"),
])
def test_check_batch_refuses_what_it_cannot_check(checker, kwargs, message):
    with pytest.raises(ValueError, match=message):
        check_batch(kwargs.pop("texts"), checker=checker, **kwargs)


def test_check_batch_loads_the_model_once_per_process(monkeypatch, nlp):
    import carelint.batch as batch

    loads = []
    monkeypatch.setattr(batch, "_loaded", {})
    monkeypatch.setattr(Checker, "from_model", classmethod(lambda cls, model, **kw: loads.append(model) or cls(nlp)))
    check_batch(["Our patient Ana Ruiz is home."])
    check_batch(["Walk-in flu shots today."], platform="x")
    assert loads == [DEFAULT_MODEL]


# --- the findings table -----------------------------------------------------------------------------


def test_salt_is_made_once_and_private(tmp_path):
    path = tmp_path / "cfg" / "audit-salt"
    key = load_salt(path)
    assert len(key) == 32 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_salt(path) == key
    path.write_bytes(b"short")
    with pytest.raises(ValueError, match="at least 16"):
        load_salt(path)


def test_post_checker_shifts_parts_and_hashes_the_words(nlp, monkeypatch):
    monkeypatch.setattr(Checker, "from_model", classmethod(lambda cls, model, **kw: cls(nlp)))
    import carelint.batch as batch

    monkeypatch.setattr(batch, "_loaded", {})
    text = "Congrats to our patient Maria Gonzalez on finishing chemo!"
    posts = dict(post_id=[7], source_file=["a.txt"], location=["line 3, part 2"], platform=["x"], date=[None],
                 part=[2], offset=[1000], text=[text])
    rows = PostChecker(DEFAULT_MODEL, Policy().model_dump(), "high", SALT)(posts)
    assert set(rows) == set(FINDING_COLUMNS)
    name = rows["rule"].index("phi.patient-name")
    start, end = rows["start"][name], rows["end"][name]
    assert text[start - 1000:end - 1000] == "Maria Gonzalez"
    assert rows["text_hash"][name] == hmac.new(SALT, b"Maria Gonzalez", hashlib.sha256).hexdigest()[:32]
    assert set(rows["severity"]) == {"high"} and rows["post_id"] == [7] * len(rows["rule"])


def test_findings_writer_leaves_nothing_when_the_run_fails(tmp_path):
    target = tmp_path / "f.parquet"
    with pytest.raises(RuntimeError), FindingsWriter(target) as out:
        out.write({name: [] for name in FINDING_COLUMNS})
        raise RuntimeError("an engine failed")
    assert list(tmp_path.iterdir()) == []


# --- the command line: Parquet out, the report from Parquet, Parquet in ------------------------------


@pytest.fixture()
def cli(monkeypatch, tmp_path, nlp):
    """As test_audit's: a private configuration folder, and the session's pipeline for every run."""
    monkeypatch.setenv("CARELINT_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(Checker, "from_model", classmethod(lambda cls, model, **kw: cls(nlp, **kw)))
    return CliRunner()


@pytest.fixture()
def calendar(tmp_path) -> Path:
    path = tmp_path / "calendar.csv"
    write_archive(path, 60, seed=5)
    return path


def test_parquet_holds_findings_without_post_text(cli, calendar, tmp_path):
    app = audit_app()
    done = cli.invoke(app, ["audit", str(calendar), "--out", "findings.parquet"])
    assert done.exit_code in (0, 1), done.output
    assert "holds no post text" in said(done)
    path = tmp_path / "findings.parquet"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert pq.read_schema(path).names == FINDINGS_SCHEMA.names
    key = (tmp_path / "cfg" / "audit-salt").read_bytes()
    hasher = TextHasher(key)
    posts = [p for p in read_paths([calendar])]
    rows = pq.read_table(path).to_pylist()
    assert rows, "the calendar has PHI and claims"
    strings = {v for r in rows for k, v in r.items() if isinstance(v, str) and k != "source_file"}
    names = 0
    for row in rows:
        words = posts[row["post_id"]].text[row["start"]:row["end"]]
        assert row["text_hash"] == hasher(words)
        if row["rule"] == "phi.patient-name":
            names += 1
            assert not any(words in s for s in strings), f"the name {words!r} is in the table"
    assert names > 5

    json_done = cli.invoke(app, ["audit", str(calendar), "--out", "report.json"])
    report = json.loads((tmp_path / "report.json").read_text())
    info = read_summary(path)
    assert json_done.exit_code == done.exit_code
    assert info["totals"] == report["totals"]
    assert info["engine"] == "local" and info["salt_fingerprint"] == hasher.fingerprint
    assert [(r["location"], r["rule"], r["start"], r["end"]) for r in rows] == [
        (p["location"], f["rule"], f["start"], f["end"]) for p in report["posts"] for f in p["findings"]]


def test_the_report_rendered_from_parquet_matches_the_direct_one(cli, calendar, tmp_path):
    app = audit_app()
    cli.invoke(app, ["audit", str(calendar), "--out", "findings.parquet"])
    direct = cli.invoke(app, ["audit", str(calendar), "--out", "direct.json"])
    rendered = cli.invoke(app, ["audit", str(calendar), "--findings", "findings.parquet", "--out", "from.json"])
    assert rendered.exit_code == direct.exit_code, rendered.output
    a = json.loads((tmp_path / "direct.json").read_text())
    b = json.loads((tmp_path / "from.json").read_text())
    assert a["totals"] == b["totals"]
    keep = ("start", "end", "text", "rule", "severity", "category", "message", "source")
    assert [(p["location"], [{k: f[k] for k in keep} for f in p["findings"]]) for p in a["posts"]] == \
           [(p["location"], [{k: f[k] for k in keep} for f in p["findings"]]) for p in b["posts"]]
    html = cli.invoke(app, ["audit", str(calendar), "--findings", "findings.parquet", "--out", "from.html"])
    assert html.exit_code == direct.exit_code and (tmp_path / "from.html").stat().st_size > 1000


def test_rendering_refuses_other_inputs_or_another_salt(cli, calendar, tmp_path):
    app = audit_app()
    cli.invoke(app, ["audit", str(calendar), "--out", "findings.parquet"])
    changed = tmp_path / "changed.csv"
    rows = list(csv.reader(calendar.open(encoding="utf-8")))
    rows[1:] = [[d, n, "X" + t[1:]] for d, n, t in rows[1:]]  # the same lengths, other words
    with changed.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    done = cli.invoke(app, ["audit", str(changed), "--findings", "findings.parquet", "--out", "r.html"])
    assert done.exit_code == 2 and "not the ones audited" in said(done)
    other = tmp_path / "other-salt"
    other.write_bytes(b"k" * 32)
    done = cli.invoke(app, ["audit", str(calendar), "--findings", "findings.parquet", "--out", "r.html",
                               "--salt-file", str(other)])
    assert done.exit_code == 2 and "another audit salt" in said(done)
    done = cli.invoke(app, ["audit", str(calendar), "--findings", str(calendar), "--out", "r.html"])
    assert done.exit_code == 2 and "not a Parquet file" in said(done)
    assert not (tmp_path / "r.html").exists()


@pytest.mark.parametrize("args, message", [
    (["--engine", "ray", "--format", "html"], "writes findings as Parquet"),
    (["--engine", "hadoop"], "--engine must be one of"),
    (["--findings", "x.parquet", "--format", "parquet"], "use --format html, csv or json"),
    (["--format", "xlsx"], "--format must be one of"),
])
def test_engine_and_format_usage_errors(cli, calendar, args, message):
    done = cli.invoke(audit_app(), ["audit", str(calendar), *args])
    assert done.exit_code == 2 and message in said(done)


def test_parquet_input_is_read_like_a_csv(cli, calendar, tmp_path):
    rows = list(csv.DictReader(calendar.open(encoding="utf-8")))
    table = pa.table({"id": list(range(len(rows))), "network": [r["Network"] for r in rows],
                      "message": [r["Caption"] for r in rows]})
    pq.write_table(table, tmp_path / "posts.parquet")
    posts = list(read_paths([tmp_path / "posts.parquet"]))
    assert [p.text for p in posts] == [r["Caption"] for r in rows]
    assert posts[0].location == "row 1" and posts[0].platform == "x"
    app = audit_app()
    cli.invoke(app, ["audit", str(calendar), "--out", "csv.json"])
    cli.invoke(app, ["audit", str(tmp_path / "posts.parquet"), "--out", "parquet.json"])
    a = json.loads((tmp_path / "csv.json").read_text())
    b = json.loads((tmp_path / "parquet.json").read_text())
    assert a["totals"] == b["totals"]


def test_an_engine_run_numbers_counts_and_summarises_as_the_local_audit(nlp, monkeypatch, tmp_path):
    """The driver's side every engine shares: posts numbered into tables (a long post's parts
    share an id), parse errors kept aside, findings rows written with totals and progress; the
    file then equals the single-process audit's. The engine here is PostChecker in this process."""
    monkeypatch.setattr(Checker, "from_model", classmethod(lambda cls, model, **kw: cls(nlp)))
    import carelint.batch as batch

    monkeypatch.setattr(batch, "_loaded", {})
    items = [AuditPost("a.csv", "row 1", None, "x", None, "Congrats to our patient Maria Gonzalez on finishing chemo!"),
             ParseError("a.csv", "row 2", "not a post"),
             AuditPost("a.csv", "row 3", None, "generic", None, "Flu shots are in. Walk in any weekday."),
             AuditPost("b.txt", "line 1", None, "generic", None, "Our tea cures arthritis. ", part=1),
             AuditPost("b.txt", "line 1", None, "generic", None, "Stop your insulin and try it!", part=2, offset=25)]
    progress: list[int] = []
    with FindingsWriter(tmp_path / "engine.parquet") as out:
        run = EngineRun(out, engine="test", policy=Policy(), model=DEFAULT_MODEL, workers=1, min_severity="low",
                        salt=SALT, sources=["a.csv", "b.txt"], on_progress=progress.append)
        engine = PostChecker(DEFAULT_MODEL, Policy().model_dump(), "low", SALT)
        for table in run.tables(items, rows=2):
            run.write(pa.Table.from_pydict(engine(table.to_pydict()), schema=FINDINGS_SCHEMA))
        info = run.finish()
    local = run_audit(items, policy=Policy(), checker=Checker(nlp), jobs=1, sources=["a.csv", "b.txt"])
    expected = write_audit(local, tmp_path / "local.parquet", TextHasher(SALT), engine="local", model=DEFAULT_MODEL)
    local.close()
    assert sorted_rows(tmp_path / "engine.parquet") == sorted_rows(tmp_path / "local.parquet")
    assert info["totals"] == expected["totals"]
    assert info["totals"]["posts"] == 3 and info["totals"]["parse_errors"] == 1
    assert info["parse_errors"] == [dict(source="a.csv", location="row 2", reason="not a post")]
    assert sum(progress) == 3 + 1  # every post and the parse error moved the bar once
    assert info["engine"] == "test" and read_summary(tmp_path / "engine.parquet") == info


# --- Ray and Spark on 20,000 posts ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> tuple[Path, Path, dict]:
    """The generated archive and the single-process audit's findings file (and its summary).
    The audit loads its own pipeline, as `carelint audit` does."""
    folder = tmp_path_factory.mktemp("archive")
    path = folder / "calendar.csv"
    write_archive(path, ARCHIVE_POSTS)
    audit = run_audit(read_paths([path]), policy=Policy(), checker=Checker.from_model(DEFAULT_MODEL), jobs=1,
                      sources=[str(path)])
    reference = folder / "local.parquet"
    info = write_audit(audit, reference, TextHasher(SALT), engine="local", model=DEFAULT_MODEL)
    audit.close()
    assert info["totals"]["posts"] == ARCHIVE_POSTS and info["totals"]["findings"] > 5000
    return path, reference, info


def test_ray_finds_what_the_single_process_audit_finds(archive, tmp_path):
    from carelint.audit.ray_engine import run_ray

    path, reference, expected = archive
    progress = []
    with FindingsWriter(tmp_path / "ray.parquet") as out:
        info = run_ray(read_paths([path]), out, policy=Policy(), model=DEFAULT_MODEL, address="local", workers=2,
                       min_severity="low", salt=SALT, sources=[str(path)], on_progress=progress.append)
    assert sorted_rows(tmp_path / "ray.parquet") == sorted_rows(reference)
    assert info["totals"] == expected["totals"] and info["engine"] == "ray" and info["workers"] == 2
    assert sum(progress) == ARCHIVE_POSTS and len(progress) > 10  # the bar moves while Ray works


def test_spark_finds_what_the_single_process_audit_finds(archive, tmp_path):
    from carelint.audit.spark_engine import run_spark

    path, reference, expected = archive
    with FindingsWriter(tmp_path / "spark.parquet") as out:
        info = run_spark(read_paths([path]), out, policy=Policy(), model=DEFAULT_MODEL, master="local[2]",
                         workers=2, min_severity="low", salt=SALT, sources=[str(path)])
    assert sorted_rows(tmp_path / "spark.parquet") == sorted_rows(reference)
    assert info["totals"] == expected["totals"] and info["engine"] == "spark"


def test_spark_recipe_checks_a_column(checker):
    """carelint.spark.check_column on a DataFrame of our own: ids kept, the same findings as check_batch."""
    from carelint.audit.spark_engine import local_session
    from carelint.spark import check_column

    texts = ["Congrats to our patient Maria Gonzalez on finishing chemo!", "Flu shots are in.",
             None, "Our tea cures arthritis. Stop your insulin and try it!"]
    session = local_session("local[2]")
    df = session.createDataFrame([(100 + i, t) for i, t in enumerate(texts)], "id long, body string")
    found = check_column(df, "body", id_column="id", min_severity="medium", salt=SALT).toPandas()
    hasher = TextHasher(SALT)
    expected = []
    for i, text in enumerate(texts):
        if text is None:
            continue
        for f in check_batch([text], checker=checker)[0].findings:
            if f.severity in ("medium", "high"):
                expected.append((100 + i, f.rule, f.start, f.end, hasher(f.text)))
    got = sorted(zip(found.post_id, found.rule, found.start, found.end, found.text_hash, strict=True))
    assert got == sorted(expected) and expected
    assert set(found.location) == {str(i) for i, _, _, _, _ in expected}
