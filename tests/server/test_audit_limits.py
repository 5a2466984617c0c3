"""`carelint audit` on hostile input: every case ends with a report (never a traceback), exit code
0 or 1 as the findings say, and the skipped entry listed with its file and location; a post
longer than the limit is checked in parts, its findings at offsets in the whole post.

Memory is not asserted here (bench/audit_bench.py measures it: "hostile inputs: peak RSS"); what
is asserted is the structure that bounds it (parts, batches, the spool, the vocabulary)."""

import csv
import inspect
import json
import os
import random
import sys
import zipfile
from pathlib import Path

import pytest
import typer
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from carelint.audit import readers
from carelint.audit.readers import (
    MAX_DEPTH,
    MAX_ENTRY_CHARS,
    MAX_POST_CHARS,
    AuditPost,
    ParseError,
    _Splitter,
    read_paths,
    read_posts,
    split_post,
)
from carelint.audit.report import write_report
from carelint.audit.runner import AuditResult, PostResult, Spool, _batches, check_posts, run_audit
from carelint.cli.audit import audit
from carelint.engine import Checker
from carelint.schemas import MAX_TEXT_CHARS
from carelint.settings import Policy

FILLER_SENTENCE = "Flu shots are available at every clinic this week. "
PHI = "Our patient Maria Gonzalez went home after her knee replacement."


def filler(chars: int) -> str:
    return (FILLER_SENTENCE * (chars // len(FILLER_SENTENCE) + 1))[:chars]


def audit_app() -> typer.Typer:
    app = typer.Typer()
    app.command()(audit)
    app.command("noop")(lambda: None)
    return app


@pytest.fixture()
def run_cli(monkeypatch, tmp_path, nlp):
    """`carelint audit PATH… --format json`: (exit code, terminal output, the report as JSON)."""
    monkeypatch.setenv("CARELINT_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(Checker, "from_model", classmethod(lambda cls, model, **kw: cls(nlp, **kw)))

    def run(*paths: Path, fmt: str = "json"):
        out = tmp_path / f"report.{fmt}"
        r = CliRunner().invoke(audit_app(), ["audit", *map(str, paths), "--format", fmt, "--out", str(out)])
        assert r.exception is None or isinstance(r.exception, SystemExit), r.output
        assert "Traceback" not in r.output
        assert out.exists(), r.output
        text = out.read_text(encoding="utf-8-sig")
        return r.exit_code, " ".join(r.output.split()), json.loads(text) if fmt == "json" else text

    return run


def errors_of(report: dict) -> dict[tuple[str, str], str]:
    return {(Path(e["source"]).name, e["location"]): e["reason"] for e in report["errors"]}


# --- hostile files: a report, the exit code the findings give, the skip listed ---------------


def test_random_bytes_as_text_are_skipped_as_binary(run_cli, tmp_path):
    path = tmp_path / "random.txt"
    path.write_bytes(random.Random(1).randbytes(2 << 20))
    code, output, report = run_cli(path)
    assert code == 0
    assert "binary" in errors_of(report)[("random.txt", "file")]
    assert f"{path} file: skipped: a binary file" in output


def test_json_nested_100000_deep_is_a_parse_error_and_the_audit_goes_on(run_cli, tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    other = tmp_path / "posts.csv"
    other.write_text(f"text\n{PHI}\n", encoding="utf-8")
    code, output, report = run_cli(deep, other)
    assert code == 1  # the other file's finding
    assert errors_of(report)[("deep.json", "item 1")] == f"skipped: JSON nested deeper than {MAX_DEPTH} levels"
    assert f"{deep} item 1: skipped: JSON nested deeper than 64 levels" in output
    assert any(f["text"] == "Maria Gonzalez" for p in report["posts"] for f in p["findings"])


def test_deep_entries_are_skipped_one_by_one_in_json_jsonl_and_the_x_archive(run_cli, tmp_path):
    deep = "[" * 5000 + "]" * 5000
    (tmp_path / "items.json").write_text(f'[{{"text": "first"}}, {deep}, {{"text": "{PHI}"}}]', encoding="utf-8")
    (tmp_path / "lines.jsonl").write_text(f'{{"text": "first"}}\n{{"a": {deep}}}\n{{"text": "{PHI}"}}\n',
                                          encoding="utf-8")
    (tmp_path / "tweets.js").write_text(
        f'window.YTD.tweets.part0 = [{deep}, {{"tweet": {{"id_str": "7", "full_text": "{PHI}"}}}}]', encoding="utf-8")
    code, _output, report = run_cli(tmp_path / "items.json", tmp_path / "lines.jsonl", tmp_path / "tweets.js")
    assert code == 1
    assert set(errors_of(report)) == {("items.json", "item 2"), ("lines.jsonl", "line 2"), ("tweets.js", "item 1")}
    assert all("nested deeper than 64" in reason for reason in errors_of(report).values())
    flagged = {(Path(p["source"]).name, p["location"]) for p in report["posts"]}
    assert flagged >= {("items.json", "item 3"), ("lines.jsonl", "line 3"), ("tweets.js", "tweet 7")}


def test_entries_larger_than_the_entry_limit_are_skipped_and_reading_goes_on(run_cli, tmp_path):
    big = "x" * (MAX_ENTRY_CHARS + 10)
    (tmp_path / "cells.csv").write_text(f'text\n"{big}"\n"{PHI}"\n', encoding="utf-8")
    (tmp_path / "lines.jsonl").write_text(f'{{"text": "{big}"}}\n{{"text": "{PHI}"}}\n', encoding="utf-8")
    (tmp_path / "array.json").write_text(f'["{big}", "{PHI}"]', encoding="utf-8")
    code, _output, report = run_cli(*(tmp_path / n for n in ("cells.csv", "lines.jsonl", "array.json")))
    assert code == 1
    errors = errors_of(report)
    assert "longer than 2,000,000 characters" in errors[("cells.csv", "row 2")]
    assert "longer than 2,000,000 characters" in errors[("lines.jsonl", "line 1")]
    assert "larger than 2,000,000 characters" in errors[("array.json", "item 1")]
    flagged = {(Path(p["source"]).name, p["location"]) for p in report["posts"]}
    assert flagged >= {("cells.csv", "row 3"), ("lines.jsonl", "line 2"), ("array.json", "item 2")}


def test_a_quoted_cell_over_the_limit_spanning_lines_resyncs_at_its_end(tmp_path):
    path = tmp_path / "multiline.csv"
    cell = ("line of a huge cell, with a comma\n" * (MAX_ENTRY_CHARS // 30))
    path.write_text(f'date,text\n2024-01-01,"{cell}"\n2024-01-02,"{PHI}"\n', encoding="utf-8")
    found = list(read_posts(path))
    assert [type(i) for i in found] == [ParseError, AuditPost]
    assert found[0].location == "row 2" and found[1].text == PHI and found[1].date == "2024-01-02"


def test_a_cell_longer_than_csvs_default_field_limit_is_read(tmp_path):
    """csv's default limit (131,072 characters) would have made this row an error."""
    path = tmp_path / "long.csv"
    path.write_text(f'text\n"{filler(140_000)}{PHI}"\n', encoding="utf-8")
    parts = list(read_posts(path))
    assert [(p.location, p.part) for p in parts] == [("row 2", 1), ("row 2", 2)]
    assert parts[1].text.endswith(PHI)


def test_invalid_utf8_and_stray_nul_bytes_are_read_as_text(run_cli, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"text\nCaf\xe9 opening \x00today. " + PHI.encode() + b"\n")
    code, _output, report = run_cli(path)
    assert code == 1 and report["errors"] == []
    [post] = report["posts"]
    assert post["text"].startswith("Caf\ufffd opening \x00today.")


def test_utf16_exports_with_a_bom_are_read(tmp_path):
    path = tmp_path / "excel.tsv"
    path.write_bytes(f"date\ttext\n2024-01-01\t{PHI}\n".encode("utf-16"))
    [post] = read_posts(path)
    assert post.text == PHI


def test_archives_pipes_and_symlink_loops_are_listed_and_skipped(run_cli, tmp_path):
    folder = tmp_path / "export"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "posts.csv").write_text(f"text\n{PHI}\n", encoding="utf-8")
    os.symlink("..", folder / "data" / "up")  # a folder loop: not followed
    os.symlink("self.txt", folder / "data" / "self.txt")  # a link to itself
    with zipfile.ZipFile(folder / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("zeros.txt", "0" * 10_000_000)
    zipped = tmp_path / "export.zip"
    zipped.write_bytes((folder / "bomb.zip").read_bytes())
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    code, output, report = run_cli(folder, zipped, fifo)
    assert code == 1
    errors = errors_of(report)
    assert "Too many levels of symbolic links" in errors[("self.txt", "file")]
    assert "zip archive" in errors[("export.zip", "file")]
    assert "not a regular file" in errors[("pipe.txt", "file")]
    assert ("bomb.zip", "file") not in errors  # in a folder, files that hold no posts are passed over
    assert [Path(p["source"]).name for p in report["posts"]] == ["posts.csv"]
    assert f"{fifo} file: skipped: not a regular file" in output


def test_a_very_deep_folder_tree_is_walked_without_recursion(tmp_path):
    folder = tmp_path / "deep"
    path = folder
    for _ in range(300):
        path = path / "d"
    path.mkdir(parents=True)
    (path / "post.txt").write_text(PHI, encoding="utf-8")
    # 300 levels are more than the stack may grow here: a walk that recursed per level would fail.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack(0)) + 150)
    try:
        found = list(read_paths([folder]))
    finally:
        sys.setrecursionlimit(limit)
    assert [p.text for p in found] == [PHI]


@pytest.mark.parametrize("fmt", ["json", "csv", "html"])
def test_lone_surrogates_and_undecodable_file_names_do_not_break_the_report(run_cli, tmp_path, fmt):
    name = b"posts-\xff.json".decode("utf-8", "surrogateescape")  # a file name that is not UTF-8
    path = tmp_path / name
    path.write_text('[{"text": "' + PHI + ' \\ud83d", "link": "https://example.org/\\udc00"}]', encoding="utf-8")
    code, _output, report = run_cli(path, fmt=fmt)
    assert code == 1
    text = json.dumps(report) if fmt == "json" else report
    assert "Maria Gonzalez" in text


def test_unusable_numbers_and_huge_headers_are_reported(tmp_path):
    numbers = tmp_path / "numbers.json"
    numbers.write_text('[{"text": "a", "id": ' + "9" * 5000 + '}, {"text": "b"}]', encoding="utf-8")
    found = list(read_posts(numbers))
    assert found[0].location == "item 1" and "unusable value" in found[0].reason
    assert found[1].text == "b"
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"c{i}" for i in range(5000)) + "\n" + ",".join("x" * 5000) + "\n", encoding="utf-8")
    [error] = read_posts(wide)
    assert error.location == "row 1" and "5,000 columns" in error.reason


def test_usage_errors_stay_exit_2_and_hostile_files_do_not(run_cli, tmp_path):
    r = CliRunner().invoke(audit_app(), ["audit", str(tmp_path / "missing.json")])
    assert r.exit_code == 2
    path = tmp_path / "deep.json"
    path.write_text("{" * 10_000, encoding="utf-8")  # unclosed too: the file ends inside the entry
    code, _output, report = run_cli(path)
    assert code == 0
    [(location, reason)] = [(e["location"], e["reason"]) for e in report["errors"]]
    assert location == "item 1" and "the file ends inside an entry" in reason


# --- long posts: split into parts, PHI found in a later part, offsets in the whole post -------


def test_the_audit_limit_is_the_apis():
    assert MAX_POST_CHARS == MAX_TEXT_CHARS == 100_000


@pytest.mark.parametrize("kind", ["txt", "csv", "json"])
def test_phi_after_150000_characters_is_found_in_a_later_part(run_cli, tmp_path, kind):
    text = filler(150_000) + PHI
    path = tmp_path / f"long.{kind}"
    if kind == "txt":
        path.write_text(text + "\n", encoding="utf-8")
    elif kind == "csv":
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([("date", "text"), ("2024-01-01", text)])
    else:
        path.write_text(json.dumps([{"text": text}]), encoding="utf-8")
    code, output, report = run_cli(path)
    assert code == 1
    assert report["totals"]["posts"] == 1 and report["totals"]["split_posts"] == 1
    assert report["totals"]["flagged_posts"] == 1
    [part] = [p for p in report["posts"] if any(f["text"] == "Maria Gonzalez" for f in p["findings"])]
    assert part["part"] == 2 and 0 < part["offset"] <= 150_000 and len(part["text"]) <= MAX_POST_CHARS
    finding = next(f for f in part["findings"] if f["text"] == "Maria Gonzalez")
    assert text[finding["start"] : finding["end"]] == "Maria Gonzalez"  # offsets in the whole post
    assert finding["start"] == 150_000 + len("Our patient ")
    assert part["text"][finding["start"] - part["offset"] : finding["end"] - part["offset"]] == "Maria Gonzalez"
    assert finding["id"].endswith(f"-{finding['start']}-{finding['end']}")
    assert "1 posts longer than 100,000 characters were checked in parts" in output


def test_html_and_csv_reports_of_a_part(run_cli, tmp_path):
    path = tmp_path / "long.txt"
    path.write_text(filler(150_000) + PHI, encoding="utf-8")
    _code, _output, page = run_cli(path, fmt="html")
    assert ">Maria Gonzalez</mark>" in page and "line 1, part 2 (from character" in page
    _code, _output, table = run_cli(path, fmt="csv")
    rows = [r for r in csv.DictReader(table.splitlines()) if r["text"] == "Maria Gonzalez"]
    assert rows and rows[0]["location"].startswith("line 1, part 2") and rows[0]["start"] == str(150_012)


def test_parts_are_cut_after_a_paragraph_else_a_sentence_else_a_space():
    para = "A paragraph about flu shots and parking. " * 50 + "\n\n"
    post = AuditPost("f", "row 2", None, "generic", None, para * 100)
    parts = list(split_post(post))
    assert len(parts) > 1 and all(p.text.endswith("\n\n") for p in parts[:-1])
    sentences = AuditPost("f", "row 2", None, "generic", None, FILLER_SENTENCE * 5000)
    assert all(p.text.endswith(". ") for p in list(split_post(sentences))[:-1])
    words = AuditPost("f", "row 2", None, "generic", None, "word " * 50_000)
    assert all(p.text.endswith(" ") for p in list(split_post(words))[:-1])
    run = AuditPost("f", "row 2", None, "generic", None, "😀" * 250_000)  # no space at all
    assert [len(p.text) for p in split_post(run)] == [MAX_POST_CHARS, MAX_POST_CHARS, 50_000]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("ab. \n😀!")), max_size=300), max_size=12),
       st.integers(min_value=4, max_value=120))
def test_splitter_parts_are_bounded_and_cover_the_text(pieces, limit):
    splitter = _Splitter(limit)
    parts = [p for piece in pieces for p in splitter.feed(piece)] + splitter.finish()
    text = "".join(pieces)
    assert "".join(t for _n, _o, t in parts) == text
    assert all(len(t) <= limit for _n, _o, t in parts)
    assert all(text[o : o + len(t)] == t for _n, o, t in parts)
    assert [n for n, _o, _t in parts] == ([0] if len(parts) == 1 else list(range(1, len(parts) + 1)))


def test_a_text_file_with_one_huge_line_comes_out_in_parts_as_it_is_read(tmp_path):
    path = tmp_path / "one-line.txt"
    path.write_text(filler(1_000_000) + PHI, encoding="utf-8")
    stream = read_posts(path)
    first = next(stream)
    assert (first.part, first.offset, first.location) == (1, 0, "line 1")
    rest = list(stream)
    assert len(rest) == 10 and all(len(p.text) <= MAX_POST_CHARS for p in rest)
    assert rest[-1].text.endswith(PHI) and rest[-1].offset + len(rest[-1].text) == 1_000_000 + len(PHI)


def test_text_posts_keep_their_separators_and_paragraphs_when_long(tmp_path):
    path = tmp_path / "posts.txt"
    path.write_text(f"{filler(120_000)}\n\nSecond paragraph. {PHI}\n---\nA short post.\n", encoding="utf-8")
    found = list(read_posts(path))
    assert [(p.location, p.part) for p in found] == [("line 1", 1), ("line 1", 2), ("line 5", 0)]
    assert found[1].text.endswith(f"Second paragraph. {PHI}") and found[2].text == "A short post."


# --- what bounds the memory -------------------------------------------------------------------


def test_batches_are_bounded_by_characters_too():
    posts = [AuditPost("f", f"row {i}", None, "generic", None, "x" * n)
             for i, n in enumerate([100_000, 100_000, 100_000, 10, 10, 90_000, 100_000])]
    audit = AuditResult(sources=[], min_severity="low", jobs=1)
    batches = list(_batches(posts, 64, 200_000, audit, lambda n: None))
    assert [len(b) for b in batches] == [2, 5]
    assert all(sum(len(p.text) for p in b[:-1]) < 200_000 for b in batches)


def test_a_split_post_counts_once(checker):
    text = filler(150_000) + PHI + " " + filler(100_000) + " Call Aisha Khan about her MRI results."
    post = AuditPost("f.txt", "line 1", None, "generic", None, text)
    result = run_audit(split_post(post), policy=Policy(), checker=checker)
    t = result.totals
    assert (t.posts, t.flagged, t.split) == (1, 1, 1)  # however many of its parts were flagged
    assert result.split_posts == [("f.txt", "line 1")]
    assert [p.post.part for p in result.posts] == sorted({p.post.part for p in result.posts})
    found = [(f.text, f.start) for p in result.posts for f in p.findings]
    assert ("Maria Gonzalez", 150_012) in found
    aisha = text.index("Aisha Khan")
    assert ("Aisha Khan", aisha) in found and len(result.posts) >= 2
    assert all(text[start : start + len(words)] == words for words, start in found)


def test_the_spool_keeps_flagged_posts_on_disk_past_its_budget(fixture_result, tmp_path):
    spooled = Spool(fixture_result.posts, max_bytes=1000)
    assert spooled.on_disk and len(spooled) == len(fixture_result.posts)
    assert list(spooled) == list(fixture_result.posts) and spooled == fixture_result.posts
    assert spooled[-1] == fixture_result.posts[-1]
    spooled.append(fixture_result.posts[0])  # appending after reading
    assert list(spooled)[-1] == fixture_result.posts[0] and len(spooled) == len(fixture_result.posts) + 1
    # The report is the same whether the posts came from memory or from the file.
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    write_report(fixture_result, "json", a)
    on_disk = AuditResult(**{**fixture_result.__dict__, "posts": Spool(fixture_result.posts, max_bytes=1000),
                             "errors": Spool(fixture_result.errors, max_bytes=10)})
    write_report(on_disk, "json", b)
    assert json.loads(a.read_text()) == json.loads(b.read_text())
    on_disk.close()
    spooled.close()


@pytest.fixture()
def fixture_result(checker):
    fixtures = sorted((Path(__file__).resolve().parents[1] / "fixtures/audit").iterdir())
    return run_audit(read_paths(fixtures), policy=Policy(), checker=checker)


def test_the_json_report_is_what_json_dump_would_write(fixture_result, tmp_path):
    path = tmp_path / "r.json"
    write_report(fixture_result, "json", path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert path.read_text(encoding="utf-8") == json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    empty = AuditResult(sources=[], min_severity="low", jobs=1)
    write_report(empty, "json", path)
    assert json.loads(path.read_text(encoding="utf-8"))["posts"] == []


def test_checking_random_text_leaves_the_vocabulary_as_it_was(checker):
    rng = random.Random(3)
    garbage = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789@#._- ", k=20_000))
    before = len(checker.nlp.vocab.strings)
    [found] = check_posts(checker, Policy(), [(garbage, "generic")])
    assert len(checker.nlp.vocab.strings) == before
    # and the findings are those of a check outside the memory zone
    assert [(f.start, f.rule) for f in found] == [(f.start, f.rule) for f in checker.check(garbage).findings]


def test_json_stream_with_tiny_reads_skips_deep_and_large_entries(tmp_path, monkeypatch):
    monkeypatch.setattr(readers._JsonStream, "CHUNK", 7)
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps([{"text": "one \\\" \\\\"}]).rstrip("]") + ", " + "[" * 100 + "]" * 100
                    + ', {"text": "three"}, "' + "s" * (MAX_ENTRY_CHARS + 5) + '", {"text": "five"}]',
                    encoding="utf-8")
    found = list(read_posts(path))
    assert [getattr(i, "text", None) or i.location for i in found] == [
        'one \\" \\\\', "item 2", "three", "item 4", "five"]
    assert isinstance(found[1], ParseError) and isinstance(found[3], ParseError)


def test_a_post_result_of_a_part_round_trips_the_spool():
    post = AuditPost("f", "line 1", None, "generic", None, "text", part=2, offset=100_000)
    spool = Spool([PostResult(post, [])], max_bytes=0)
    assert spool.on_disk and spool[0].post == post
    spool.close()
