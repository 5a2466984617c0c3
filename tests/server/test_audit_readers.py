"""Audit readers: every export format from a small fixture, malformed entries, streaming."""

import inspect
import json
import tracemalloc
from itertools import islice
from pathlib import Path

import pytest

from carelint.audit import readers
from carelint.audit.readers import AuditPost, ParseError, detect_format, fix_mojibake, read_posts

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures/audit"


def items(name: str, **kw) -> list:
    return list(read_posts(FIXTURES / name, **kw))


def posts(name: str, **kw) -> list[AuditPost]:
    return [i for i in items(name, **kw) if isinstance(i, AuditPost)]


def errors(name: str, **kw) -> list[ParseError]:
    return [i for i in items(name, **kw) if isinstance(i, ParseError)]


@pytest.mark.parametrize(("name", "fmt"), [
    ("tweets.js", "x"), ("your_posts_1.json", "json"), ("posts_1.json", "json"), ("Shares.csv", "csv"),
    ("calendar.csv", "csv"), ("posts.jsonl", "jsonl"), ("posts.txt", "text"),
])
def test_format_detection(name, fmt):
    assert detect_format(FIXTURES / name) == fmt


def test_x_archive_tweets_js():
    found = items("tweets.js")
    first = found[0]
    assert first == AuditPost(
        source=str(FIXTURES / "tweets.js"), location="tweet 1700000000000000001", date="2023-10-11T14:05:00+00:00",
        platform="x", link="https://x.com/i/status/1700000000000000001",
        text="Congrats to our patient Maria Gonzalez on finishing chemo!")
    assert found[1].text.startswith("Flu shots & COVID")  # the archive's &amp; is undone
    # The entry without full_text is reported with its tweet id, and the tweet after it still read.
    assert found[2] == ParseError(str(FIXTURES / "tweets.js"), "tweet 1700000000000000003",
                                  "not a usable post: it has no full_text")
    assert found[3].location == "tweet 1700000000000000004"


def test_x_archive_is_recognised_by_content_whatever_its_name(tmp_path):
    path = tmp_path / "tweets-part1.txt"
    path.write_text('window.YTD.tweets.part1 = [{"tweet": {"id_str": "9", "full_text": "hi"}}]', encoding="utf-8")
    assert [(p.location, p.text) for p in read_posts(path)] == [("tweet 9", "hi")]


def test_facebook_export_mojibake_is_fixed():
    found = items("your_posts_1.json")
    assert [p.platform for p in found if isinstance(p, AuditPost)] == ["facebook"] * 3
    assert found[0].text == "Happy birthday to José García, discharged from room 412 today 🎉"
    assert found[0].date == "2023-09-29T15:06:40+00:00" and found[0].location == "item 1"
    assert found[1].text == "Our café now serves oat milk lattes ☕"
    assert found[2].text == ""  # a photo without text is a post with nothing to check
    assert found[3] == ParseError(str(FIXTURES / "your_posts_1.json"), "item 4",
                                  "not a usable post: its 'data' is not a list")


def test_instagram_posts_list_and_media_object(tmp_path):
    assert [(p.platform, p.text) for p in posts("posts_1.json")] == [
        ("instagram", "Stop taking your insulin and try our detox tea instead 🍵"),
        ("instagram", "Our nurses ❤️ their new break room."),
    ]
    # The older layout: {"media": [{"title": caption, "creation_timestamp": ...}]}
    older = tmp_path / "posts_1.json"
    older.write_text(json.dumps({"media": [{"uri": "a.jpg", "creation_timestamp": 1600000000,
                                            "title": "Caf\u00c3\u00a9 opening"}]}), encoding="utf-8")
    [post] = read_posts(older)
    assert (post.platform, post.text, post.date) == ("instagram", "Café opening", "2020-09-13T12:26:40+00:00")


def test_mojibake_fix_leaves_real_text_alone():
    assert fix_mojibake("CafÃ©") == "Café"
    assert fix_mojibake("Café ☕") == "Café ☕"  # not Latin-1 encodable: unchanged
    assert fix_mojibake("naïve") == "naïve"  # Latin-1 but not valid UTF-8 bytes: unchanged


def test_linkedin_shares_csv():
    found = posts("Shares.csv")
    assert [p.location for p in found] == ["row 2", "row 3"]
    assert found[0].platform == "linkedin" and found[0].date == "2023-09-01 10:00:00"
    assert found[0].link.endswith("urn:li:share:7100000000000000001")
    assert found[0].text == "Proud of our team!\n\nCall Aisha at 617.555.0142 about her MRI results."
    assert 'a "sign-on" bonus' in found[1].text


def test_generic_csv_guesses_columns_and_reports_a_short_row():
    found = items("calendar.csv")
    assert [(i.location, i.platform, i.date, i.text[:12]) for i in found if isinstance(i, AuditPost)] == [
        ("row 2", "x", "2023-11-01", "Lobby cafe n"),  # Network "Twitter" -> x; Caption is the text
        ("row 3", "linkedin", "2023-11-02", "These idiots"),
        ("row 5", "facebook", "2023-11-04", "Act now, onl"),
    ]
    assert errors("calendar.csv") == [
        ParseError(str(FIXTURES / "calendar.csv"), "row 4", "the row has 2 fields, the header has 5")]


def test_generic_csv_column_option_and_longest_text_guess():
    notes = posts("calendar.csv", column="Internal Notes")
    assert notes[0].text == "Approved by comms; patient Maria Gonzalez agreed to the photo"
    # No telling header name: the column with the longest text wins.
    assert [p.text[:8] for p in posts("drafts.csv")] == ["Our new ", "Lobby ca"]
    [missing] = errors("drafts.csv", column="Body")
    assert missing.location == "file" and "no column 'Body'" in missing.reason and "wording" in missing.reason


def test_semicolon_csv_and_default_platform(tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("date;message\n2024-01-02;Hello; world\n", encoding="utf-8")
    found = list(read_posts(path, platform="mastodon"))
    assert found == [ParseError(str(path), "row 2", "the row has 3 fields, the header has 2")]
    path.write_text("date;message\n2024-01-02;\"Hello; world\"\n", encoding="utf-8")
    [post] = read_posts(path, platform="mastodon")
    assert (post.text, post.platform, post.date) == ("Hello; world", "mastodon", "2024-01-02")


def test_jsonl_bad_line_is_reported_and_the_rest_read():
    found = items("posts.jsonl")
    assert [type(i).__name__ for i in found] == ["AuditPost", "ParseError", "AuditPost"]
    assert found[1].location == "line 2" and found[1].reason.startswith("invalid JSON")
    assert found[2].link == "https://example.org/posts/3" and found[2].date == "2023-12-03T09:00:00Z"


def test_text_posts_are_separated_by_dashes_or_two_blank_lines():
    found = posts("posts.txt")
    assert [p.location for p in found] == ["line 1", "line 5", "line 8"]
    # One blank line is a paragraph break inside the post.
    assert found[0].text == ("Congrats to our patient Maria Gonzalez on finishing chemo!\n\n"
                             "Second paragraph of the same post.")


def test_generic_json_array_and_object_of_arrays(tmp_path):
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"exported": "2024-01-01", "posts": [
        {"content": "first", "published_at": 1700000000, "permalink": "https://example.org/1"},
        "second",
        42,
    ]}), encoding="utf-8")
    found = list(read_posts(path))
    assert (found[0].text, found[0].date, found[0].link) == ("first", "2023-11-14T22:13:20+00:00",
                                                              "https://example.org/1")
    assert found[1].text == "second"
    assert found[2] == ParseError(str(path), "item 3", "a JSON int, not an object")


def test_json_syntax_error_ends_the_file_with_one_error(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[{"text": "one"}, {"text": "two"}, {"text": oops}, {"text": "four"}]', encoding="utf-8")
    found = list(read_posts(path))
    assert [p.text for p in found[:2]] == ["one", "two"]
    assert found[2].location == "item 3" and found[2].reason.startswith("invalid JSON")
    assert len(found) == 3


def test_json_stream_across_buffer_refills(tmp_path, monkeypatch):
    """Values (numbers included) that straddle the buffer's end are read whole."""
    monkeypatch.setattr(readers._JsonStream, "CHUNK", 7)
    data = [{"text": f"post number {i} " + "é" * i, "id": 10**i} for i in range(30)]
    path = tmp_path / "many.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    found = list(read_posts(path))
    assert [p.text for p in found] == [d["text"] for d in data]


def test_unreadable_file_is_reported(tmp_path):
    path = tmp_path / "gone.csv"
    assert list(read_posts(path)) == [ParseError(str(path), "file", "cannot read the file: No such file or directory")]


@pytest.mark.parametrize("kind", ["csv", "json"])
def test_large_exports_stream_without_holding_the_file(tmp_path, kind):
    """20,000 posts (about 4 MB) are read one at a time: memory stays far below the file's size."""
    n = 20_000
    text = "Our clinic opens a new wing for pediatric care next spring, with more parking and a cafe. " * 2
    path = tmp_path / f"big.{kind}"
    with path.open("w", encoding="utf-8", newline="") as fh:
        if kind == "csv":
            fh.write("date,text\n")
            for i in range(n):
                fh.write(f'2024-01-01,"{i} {text}"\n')
        else:
            fh.write("[" + ",".join(json.dumps({"date": "2024-01-01", "text": f"{i} {text}"}) for i in range(n)) + "]")
    assert path.stat().st_size > 3_500_000
    stream = read_posts(path)
    assert inspect.isgenerator(stream)
    tracemalloc.start()
    try:
        first = next(stream)
        count = 1 + sum(1 for _ in stream)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert first.location == ("row 2" if kind == "csv" else "item 1") and count == n
    assert peak < 1_000_000, peak


def test_readers_are_lazy(tmp_path):
    """Taking the first post of a file does not read the rest of it."""
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(json.dumps({"text": f"post {i}"}) for i in range(5000)), encoding="utf-8")
    assert [p.text for p in islice(read_posts(path), 2)] == ["post 0", "post 1"]
