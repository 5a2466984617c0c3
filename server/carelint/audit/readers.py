"""Export files -> posts, lazily: one small reader per format, every one a generator.

A reader yields an `AuditPost` per post and a `ParseError` for an entry it cannot use, then goes
on with the next entry. Nothing holds a whole file: CSV goes through the csv module row by row,
JSONL and text line by line, JSON arrays (and the X archive's `tweets.js`) through `_JsonStream`,
which decodes one array element at a time from a buffered read.

Formats, by content first and extension second (`detect_format`):
- X archive `tweets.js`: `window.YTD.tweets.part0 = [{"tweet": {...}}, ...]`.
- Facebook `your_posts_1.json` and Instagram `posts_1.json`: recognised by the shape of their
  first entry; their strings are UTF-8 bytes escaped as Latin-1 code points ("mojibake").
- CSV (LinkedIn `Shares.csv`, a scheduler's content calendar): the text column is `--column`, else
  guessed from the header names, else the column with the longest text.
- JSON (an array of objects, or objects holding arrays) and JSONL: objects as CSV rows are.
- Plain text: posts are separated by a line of `---` (three or more dashes) or by two or more
  blank lines. A single blank line stays inside the post, since it separates paragraphs.

Locations are what a person needs to find the post again: the spreadsheet row of a CSV record
(the header is row 1), the line of a JSONL or text post, the 1-based item of a JSON array, the
tweet id of an X post.
"""

from __future__ import annotations

import csv
import html
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path
from typing import IO, Any

from carelint.platforms import PLATFORMS

# Export files are mostly UTF-8; a stray byte in one post must not end the audit of the rest.
ENCODING_ERRORS = "replace"
GUESS_SAMPLE = 50  # records read ahead to guess the text, date, link and platform columns
BARE_TEXT = "\0text"  # the key of a JSON entry that is a bare string: the post itself, not a column


@dataclass(frozen=True)
class AuditPost:
    source: str  # the file, as given on the command line
    location: str  # "row 12", "line 40", "item 3", "tweet 1234567890"
    date: str | None
    platform: str  # one of carelint.platforms.PLATFORMS
    link: str | None
    text: str


@dataclass(frozen=True)
class ParseError:
    source: str
    location: str
    reason: str


@dataclass(frozen=True)
class AuditImage:
    """A picture found in an audited folder: checked for PHI in its text, faces and metadata."""

    source: str
    location: str  # "image"
    path: Path


Item = AuditPost | AuditImage | ParseError

IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".webp", ".heic", ".heif"})
# Files in an audited folder that hold posts; anything else there (videos, HTML pages) is skipped.
POST_EXTENSIONS = frozenset({".js", ".json", ".jsonl", ".ndjson", ".csv", ".tsv", ".txt"})


def expand(paths: Iterable[Path]) -> Iterator[Path]:
    """Files as given, and the post and image files inside folders (a platform export unpacked)."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file()
                              and p.suffix.lower() in POST_EXTENSIONS | IMAGE_EXTENSIONS)
        else:
            yield path


def read_paths(paths: Iterable[Path], column: str | None = None, platform: str = "generic") -> Iterator[Item]:
    """Every post of every file (and every picture of every folder), in order."""
    for path in expand(paths):
        if path.suffix.lower() in IMAGE_EXTENSIONS:
            yield AuditImage(str(path), "image", path)
        else:
            yield from read_posts(path, column, platform)


def read_posts(path: Path, column: str | None = None, platform: str = "generic") -> Iterator[Item]:
    """The posts of one file. `platform` is used where the file does not say."""
    source = str(path)
    try:
        fmt = detect_format(path)
        yield from READERS[fmt](path, source, column, platform)
    except OSError as exc:
        yield ParseError(source, "file", f"cannot read the file: {exc.strerror or exc}")


def detect_format(path: Path) -> str:
    """One of READERS' keys: the content decides where it can (an X archive saved as .json is
    still an X archive), the extension otherwise."""
    with path.open("rb") as fh:
        head = fh.read(4096).decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    ext = path.suffix.lower()
    if head.startswith("window.YTD"):
        return "x"
    if ext in (".jsonl", ".ndjson"):
        return "jsonl"
    if ext == ".json" or (ext not in (".csv", ".tsv", ".txt") and head[:1] in ("[", "{")):
        return "jsonl" if _looks_like_jsonl(head) else "json"
    if ext in (".csv", ".tsv"):
        return "csv"
    return "text"


def _looks_like_jsonl(head: str) -> bool:
    """A first line that is a whole JSON object, followed by another line that starts one."""
    first, _, rest = head.partition("\n")
    if not first.strip().startswith("{") or not rest.lstrip().startswith("{"):
        return False
    try:
        return isinstance(json.loads(first), dict)
    except ValueError:
        return False


# --- shared helpers ---------------------------------------------------------------------------


def fix_mojibake(value: str) -> str:
    """Facebook and Instagram export UTF-8 text as one code point per byte ("CafÃ©" for "Café").
    Undo that when the round trip works; text that was not mangled is returned unchanged."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def _iso_from_epoch(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value, UTC).isoformat()
    except (OverflowError, OSError, ValueError):
        return None


def _date_value(value: Any) -> str | None:
    """A date cell or field as text: epoch seconds become ISO 8601, text is kept as written."""
    if value is None or value == "":
        return None
    return _iso_from_epoch(value) or str(value)


_PLATFORM_ALIASES = {"twitter": "x", "x (twitter)": "x", "fb": "facebook", "ig": "instagram",
                     "insta": "instagram", "yt": "youtube", "bsky": "bluesky"}


def platform_name(value: Any, default: str) -> str:
    """A scheduler's network name ("Twitter", "LinkedIn Page") as a Carelint platform."""
    name = str(value or "").strip().lower()
    if name in PLATFORMS:
        return name
    if name in _PLATFORM_ALIASES:
        return _PLATFORM_ALIASES[name]
    for known in PLATFORMS:
        if len(known) > 1 and known != "generic" and known in name:
            return known
    return "x" if "twitter" in name else default


# --- column guessing (CSV rows and JSON objects) -------------------------------------------


_TEXT_NAMES = ("text", "full_text", "post", "content", "message", "caption", "body", "sharecommentary",
               "post_text", "description", "copy", "status", "title")
_DATE_NAMES = ("date", "created_at", "timestamp", "creation_timestamp", "published_at", "publish_date",
               "posted_at", "scheduled_at", "scheduled_date", "created", "time", "datetime", "published")
_LINK_NAMES = ("link", "url", "permalink", "sharelink", "post_url", "post_link", "share_link")
_PLATFORM_NAMES = ("platform", "network", "social_network", "channel", "service", "profile_type")


def _normal(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def _pick(columns: list[str], names: tuple[str, ...], taken: set[str]) -> str | None:
    """The first column whose name is one of `names` (in their order), else one containing one."""
    free = [c for c in columns if c not in taken]
    for name in names:
        for c in free:
            if _normal(c) == name:
                return c
    for name in names:
        for c in free:
            if name in _normal(c).split("_"):
                return c
    return None


@dataclass(frozen=True)
class Columns:
    text: str
    date: str | None = None
    link: str | None = None
    platform: str | None = None


def guess_columns(columns: list[str], sample: list[dict[str, Any]], text_column: str | None = None) -> Columns:
    """Which column holds the post: `text_column` when given, a telling name, else the longest
    text on average in the sample. Date, link and platform columns by name only."""
    taken: set[str] = set()
    text = text_column or _pick(columns, _TEXT_NAMES, taken)
    taken.add(text or "")
    date = _pick(columns, _DATE_NAMES, taken)
    link = _pick(columns, _LINK_NAMES, taken | {date or ""})
    plat = _pick(columns, _PLATFORM_NAMES, taken | {date or "", link or ""})
    if text is None:
        others = [c for c in columns if c not in (date, link, plat)] or list(columns)

        def mean_length(c: str) -> float:
            values = [v for row in sample if isinstance(v := row.get(c), str)]
            return sum(map(len, values)) / len(values) if values else -1.0

        text = max(others, key=mean_length)
    return Columns(text, date, link, plat)


def _records(source: str, rows: Iterator[tuple[str, dict[str, Any] | str]], columns: list[str],
             text_column: str | None, platform: str, fixed_platform: str | None = None) -> Iterator[Item]:
    """Posts from (location, record) pairs; a record that is an error message is reported."""
    # Read ahead GUESS_SAMPLE records to guess the columns from (errors on the way wait in order).
    sample: list[tuple[str, dict[str, Any] | str]] = []
    records: list[dict[str, Any]] = []
    for entry in rows:
        sample.append(entry)
        if isinstance(entry[1], dict):
            records.append(entry[1])
            if len(records) == GUESS_SAMPLE:
                break
    if not columns:
        columns = list(dict.fromkeys(k for r in records for k in r if k != BARE_TEXT)) or [BARE_TEXT]
    if text_column is not None and text_column not in columns:
        yield ParseError(source, "file", f"no column {text_column!r}; the columns are: {', '.join(columns)}")
        return
    cols = guess_columns(columns, records, text_column)
    for location, record in chain(sample, rows):
        if isinstance(record, str):
            yield ParseError(source, location, record)
            continue
        text = record[BARE_TEXT] if BARE_TEXT in record else record.get(cols.text)
        if not isinstance(text, str):
            what = "missing" if text is None else f"a {type(text).__name__}, not text"
            name = "" if cols.text == BARE_TEXT else f" {cols.text!r}"
            yield ParseError(source, location, f"the text field{name} is {what}")
            continue
        link = record.get(cols.link) if cols.link else None
        if fixed_platform is None and cols.platform:
            post_platform = platform_name(record.get(cols.platform), platform)
        else:
            post_platform = fixed_platform or platform
        yield AuditPost(
            source=source, location=location,
            date=_date_value(record.get(cols.date)) if cols.date else None,
            platform=post_platform,
            link=str(link) if link else None,
            text=text,
        )


# --- CSV --------------------------------------------------------------------------------------


def read_csv(path: Path, source: str, column: str | None, platform: str) -> Iterator[Item]:
    with path.open(encoding="utf-8-sig", errors=ENCODING_ERRORS, newline="") as fh:
        first_line = fh.readline()
        fh.seek(0)
        # The header decides the delimiter: the sniffer is easily fooled by commas in post text.
        delimiter = "\t" if path.suffix.lower() == ".tsv" else max(",;\t|", key=first_line.count)
        reader = csv.reader(fh, delimiter=delimiter)
        try:
            header = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield ParseError(source, "row 1", f"unreadable header: {exc}")
            return
        header = [h.strip() for h in header]
        linkedin = "sharecommentary" in {_normal(h) for h in header}
        rows = _csv_rows(reader, header)
        yield from _records(source, rows, header, column, platform, "linkedin" if linkedin else None)


def _csv_rows(reader: Iterator[list[str]], header: list[str]) -> Iterator[tuple[str, dict[str, Any] | str]]:
    """(row, record or error) per data row. Row numbers are a spreadsheet's: the header is row 1."""
    row = 1
    while True:
        row += 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield f"row {row}", f"unreadable CSV row: {exc}"
            continue
        if not fields:
            continue  # a blank line
        extra = fields[len(header):]
        if len(fields) < len(header) or any(f.strip() for f in extra):
            yield f"row {row}", f"the row has {len(fields)} fields, the header has {len(header)}"
            continue
        yield f"row {row}", dict(zip(header, fields, strict=False))


# --- JSONL ------------------------------------------------------------------------------------


def read_jsonl(path: Path, source: str, column: str | None, platform: str) -> Iterator[Item]:
    with path.open(encoding="utf-8-sig", errors=ENCODING_ERRORS) as fh:
        yield from _records(source, _jsonl_rows(fh), [], column, platform)


def _jsonl_rows(lines: Iterable[str]) -> Iterator[tuple[str, dict[str, Any] | str]]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as exc:
            yield f"line {number}", f"invalid JSON: {getattr(exc, 'msg', exc)}"
            continue
        if isinstance(value, str):
            value = {BARE_TEXT: value}
        yield f"line {number}", value if isinstance(value, dict) else f"a JSON {type(value).__name__}, not an object"


# --- JSON arrays, streamed ----------------------------------------------------------------------


class JsonSyntaxError(ValueError):
    pass


class _JsonStream:
    """JSON values one at a time from a text file: `raw_decode` over a buffer that is refilled
    (and grown, for a large value) whenever a value runs past its end."""

    CHUNK = 1 << 16
    MAX_VALUE = 64 << 20  # one post entry larger than this is malformed, not a reason to read on

    _NON_SPACE = re.compile(r"\S")

    def __init__(self, fh: IO[str]):
        self.fh = fh
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.decoder = json.JSONDecoder()
        self.top_level = ""  # the first character of the document, once entries() has begun

    def _fill(self) -> bool:
        if self.eof:
            return False
        pending = len(self.buf) - self.pos
        if pending > self.MAX_VALUE:
            raise JsonSyntaxError(f"an entry larger than {self.MAX_VALUE >> 20} MB")
        chunk = self.fh.read(max(self.CHUNK, pending))
        if not chunk:
            self.eof = True
            return False
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        return True

    def peek(self) -> str:
        """The next character that is not white space ('' at the end), without consuming it."""
        while True:
            m = self._NON_SPACE.search(self.buf, self.pos)
            if m:
                self.pos = m.start()
                return self.buf[self.pos]
            self.pos = len(self.buf)
            if not self._fill():
                return ""

    def skip_past(self, char: str) -> bool:
        """Consume everything up to and including `char` (used for the tweets.js prefix)."""
        while (i := self.buf.find(char, self.pos)) < 0:
            self.pos = len(self.buf)
            if not self._fill():
                return False
        self.pos = i + 1
        return True

    def expect(self, char: str) -> None:
        found = self.peek()
        if found != char:
            raise JsonSyntaxError(f"expected {char!r}, found {found or 'the end of the file'!r}")
        self.pos += 1

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self._fill():
                    continue
                raise JsonSyntaxError(exc.msg) from None
            # A number that ends exactly at the buffer's end may go on in the next chunk.
            if end == len(self.buf) and self._fill():
                continue
            self.pos = end
            return value

    def array_items(self) -> Iterator[Any]:
        """The elements of the array that starts here."""
        self.expect("[")
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            yield self.value()
            if self.peek() == ",":
                self.pos += 1
                continue
            self.expect("]")
            return

    def entries(self) -> Iterator[tuple[str | None, Any]]:
        """(key, element) for a top-level array (key None) or for the arrays inside a top-level
        object ({"media": [...]}). The object's other values are export metadata and skipped."""
        first = self.top_level = self.peek()
        if first == "[":
            for item in self.array_items():
                yield None, item
        elif first == "{":
            self.pos += 1
            while self.peek() != "}":
                key = self.value()
                if not isinstance(key, str):
                    raise JsonSyntaxError("expected an object key")
                self.expect(":")
                if self.peek() == "[":
                    for item in self.array_items():
                        yield key, item
                else:
                    self.value()
                if self.peek() == ",":
                    self.pos += 1
                elif self.peek() != "}":
                    raise JsonSyntaxError(f"expected ',' or '}}', found {self.peek() or 'the end of the file'!r}")
            self.pos += 1
        elif first:
            raise JsonSyntaxError("expected an array or an object")


def _stream_entries(stream: _JsonStream, source: str) -> Iterator[tuple[str, str | None, Any] | ParseError]:
    """(location, key, element) per entry; a syntax error ends the file with one ParseError, since
    nothing after it can be trusted."""
    index = 0
    try:
        for key, item in stream.entries():
            index += 1
            yield f"item {index}", key, item
    except JsonSyntaxError as exc:
        yield ParseError(source, f"item {index + 1}", f"invalid JSON: {exc}; the rest of the file was skipped")


def read_json(path: Path, source: str, column: str | None, platform: str) -> Iterator[Item]:
    with path.open(encoding="utf-8-sig", errors=ENCODING_ERRORS) as fh:
        stream = _JsonStream(fh)
        entries = _stream_entries(stream, source)
        first = next(entries, None)
        if first is None:
            if stream.top_level == "{":
                yield ParseError(source, "file", "no posts found: the top-level object has no non-empty array")
            return
        if isinstance(first, ParseError):
            yield first
            return
        entries = chain([first], entries)
        convert = _export_kind(first[1], first[2])
        if convert is None:
            yield from _records(source, _generic_rows(entries), [], column, platform)
            return
        for entry in entries:
            if isinstance(entry, ParseError):
                yield entry
                continue
            location, _key, item = entry
            yield _convert(convert, source, location, item)


def _generic_rows(entries: Iterator[Any]) -> Iterator[tuple[str, dict[str, Any] | str]]:
    for entry in entries:
        if isinstance(entry, ParseError):
            yield entry.location, entry.reason
            continue
        location, _key, item = entry
        if isinstance(item, str):
            item = {BARE_TEXT: item}
        yield location, item if isinstance(item, dict) else f"a JSON {type(item).__name__}, not an object"


Converter = Callable[[str, str, Any], AuditPost]


class EntryError(ValueError):
    """An export entry that is valid JSON but not a usable post; `location` when it knows better."""

    def __init__(self, reason: str, location: str | None = None):
        super().__init__(reason)
        self.location = location


def _convert(convert: Converter, source: str, location: str, item: Any) -> Item:
    try:
        return convert(source, location, item)
    except EntryError as exc:
        return ParseError(source, exc.location or location, f"not a usable post: {exc}")
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        return ParseError(source, location, f"not a usable post: unexpected shape ({type(exc).__name__}: {exc})")


def _export_kind(key: str | None, item: Any) -> Converter | None:
    """A platform export's converter, recognised by its first entry; None for generic JSON."""
    if not isinstance(item, dict):
        return None
    if isinstance(item.get("tweet"), dict):
        return _tweet
    if isinstance(item.get("data"), list) and ("timestamp" in item or "attachments" in item):
        return _facebook_post
    if isinstance(item.get("media"), list) or (key == "media" and "creation_timestamp" in item):
        return _instagram_post
    return None


def _facebook_post(source: str, location: str, item: dict[str, Any]) -> AuditPost:
    if not isinstance(item.get("data"), list):
        raise EntryError("its 'data' is not a list")
    parts = [d["post"] for d in item["data"] if isinstance(d, dict) and isinstance(d.get("post"), str)]
    return AuditPost(source, location, _iso_from_epoch(item.get("timestamp")), "facebook", None,
                     fix_mojibake("\n\n".join(parts)))


def _instagram_post(source: str, location: str, item: dict[str, Any]) -> AuditPost:
    """A post ({"media": [...], "title": caption}) or one media item ({"title": caption})."""
    media = [m for m in item.get("media") or [] if isinstance(m, dict)]
    caption = item.get("title") or next((m["title"] for m in media if m.get("title")), "")
    when = item.get("creation_timestamp") or next((m["creation_timestamp"] for m in media
                                                   if "creation_timestamp" in m), None)
    if not isinstance(caption, str):
        raise EntryError("its caption ('title') is not text")
    return AuditPost(source, location, _iso_from_epoch(when), "instagram", None, fix_mojibake(caption))


# --- X archive (tweets.js) ----------------------------------------------------------------------


def _tweet_date(value: Any) -> str | None:
    if not value:
        return None
    try:
        return datetime.strptime(str(value), "%a %b %d %H:%M:%S %z %Y").isoformat()
    except ValueError:
        return str(value)


def _tweet(source: str, location: str, item: dict[str, Any]) -> AuditPost:
    tweet = item.get("tweet", item)
    tweet_id = tweet.get("id_str") or tweet.get("id")
    text = tweet.get("full_text", tweet.get("text"))
    if not isinstance(text, str):
        raise EntryError("it has no full_text", f"tweet {tweet_id}" if tweet_id else None)
    return AuditPost(
        source=source,
        location=f"tweet {tweet_id}" if tweet_id else location,
        date=_tweet_date(tweet.get("created_at")),
        platform="x",
        link=f"https://x.com/i/status/{tweet_id}" if tweet_id else None,
        text=html.unescape(text),  # the archive keeps the &amp; &lt; &gt; escapes of the API
    )


def read_x_archive(path: Path, source: str, column: str | None, platform: str) -> Iterator[Item]:
    with path.open(encoding="utf-8-sig", errors=ENCODING_ERRORS) as fh:
        stream = _JsonStream(fh)
        if not stream.skip_past("="):  # window.YTD.tweets.part0 = [ ... ]
            yield ParseError(source, "file", "no 'window.YTD... =' assignment found")
            return
        for entry in _stream_entries(stream, source):
            if isinstance(entry, ParseError):
                yield entry
                continue
            location, _key, item = entry
            yield _convert(_tweet, source, location, item)


# --- plain text ---------------------------------------------------------------------------------

_SEPARATOR = re.compile(r"^\s*-{3,}\s*$")


def read_text(path: Path, source: str, column: str | None, platform: str) -> Iterator[Item]:
    with path.open(encoding="utf-8-sig", errors=ENCODING_ERRORS) as fh:
        lines: list[str] = []
        start = blank = 0
        for number, line in enumerate(fh, 1):
            line = line.rstrip("\r\n")
            if _SEPARATOR.match(line) or (not line.strip() and blank >= 1):
                if lines:
                    yield AuditPost(source, f"line {start}", None, platform, None, "\n".join(lines).strip())
                lines, blank = [], 0
                continue
            if not line.strip():
                blank += 1
                continue
            if not lines:
                start = number
            elif blank:
                lines.append("")  # the paragraph break inside the post
            lines.append(line)
            blank = 0
        if lines:
            yield AuditPost(source, f"line {start}", None, platform, None, "\n".join(lines).strip())


READERS: dict[str, Callable[[Path, str, str | None, str], Iterator[Item]]] = {
    "x": read_x_archive,
    "csv": read_csv,
    "jsonl": read_jsonl,
    "json": read_json,
    "text": read_text,
}
