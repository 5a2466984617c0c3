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
- Parquet (recognised by its `PAR1` magic; needs pyarrow): rows as CSV rows are, a batch of
  rows decoded at a time.
- Plain text: posts are separated by a line of `---` (three or more dashes) or by two or more
  blank lines. A single blank line stays inside the post, since it separates paragraphs.

Locations are what a person needs to find the post again: the spreadsheet row of a CSV record
(the header is row 1), the line of a JSONL or text post, the 1-based item of a JSON array, the
tweet id of an X post.

Limits, so that no input can make the audit hold more than a few megabytes at a time or crash:
- A post longer than MAX_POST_CHARS (the API's limit) is split into parts of at most that size,
  cut after a paragraph, else a sentence, else a line, else a space (`_Splitter`). Each part is an
  `AuditPost` with its `part` number and its `offset` in the whole post; the runner shifts the
  part's findings by that offset. Text files are split as they are read, whatever their size.
- A CSV record, a JSON array element and a JSONL line are read whole, so each is limited to
  MAX_ENTRY_CHARS; a larger one is read past and reported as skipped, and reading goes on.
- JSON nested deeper than MAX_DEPTH is read past without being decoded (skipped, reported).
- Binary files (over 1% NUL bytes or mostly invalid UTF-8 in their first 8 KB, archives), pipes
  and devices are reported and skipped; folders are walked without recursion and without
  following symbolic links to folders (no loops).
"""

from __future__ import annotations

import contextlib
import csv
import html
import json
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import chain
from pathlib import Path
from typing import IO, Any

from carelint.platforms import PLATFORMS
from carelint.schemas import MAX_TEXT_CHARS

# Export files are mostly UTF-8; a stray byte in one post must not end the audit of the rest.
ENCODING_ERRORS = "replace"
GUESS_SAMPLE = 50  # records read ahead to guess the text, date, link and platform columns
BARE_TEXT = "\0text"  # the key of a JSON entry that is a bare string: the post itself, not a column

MAX_POST_CHARS = MAX_TEXT_CHARS  # longer posts are checked in parts of at most this size
MAX_ENTRY_CHARS = 20 * MAX_TEXT_CHARS  # a CSV record, JSON entry or JSONL line read whole: at most this
MAX_DEPTH = 64  # JSON nesting; export entries use four or five levels
MAX_COLUMNS = 1000  # a CSV header with more columns is not a post export
SAMPLE_CHARS = 2 * MAX_ENTRY_CHARS  # the records read ahead for column guessing hold at most this much
LINE_CHUNK = 1 << 16  # text files are read in pieces of at most this many characters
BINARY_SAMPLE = 8192  # bytes looked at to tell a binary file from text (as git does)


@dataclass(frozen=True)
class AuditPost:
    source: str  # the file, as given on the command line
    location: str  # "row 12", "line 40", "item 3", "tweet 1234567890"
    date: str | None
    platform: str  # one of carelint.platforms.PLATFORMS
    link: str | None
    text: str
    # A post longer than MAX_POST_CHARS is checked in parts: `part` is 1, 2, … (0 for a whole
    # post) and `offset` where `text` starts in the whole post, in code points.
    part: int = 0
    offset: int = 0

    @property
    def where(self) -> str:
        """The location, and for a part of a long post which part and where it starts."""
        if not self.part:
            return self.location
        return f"{self.location}, part {self.part} (from character {self.offset + 1:,} of the post)"


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
Row = tuple[str, dict[str, Any] | str, int]  # (location, record or error message, characters read)

IMAGE_EXTENSIONS = frozenset({".png", ".jpg", ".jpeg", ".webp", ".heic", ".heif"})
# Files in an audited folder that hold posts; anything else there (videos, HTML pages) is skipped.
POST_EXTENSIONS = frozenset({".js", ".json", ".jsonl", ".ndjson", ".csv", ".tsv", ".txt", ".parquet"})


def expand(paths: Iterable[Path]) -> Iterator[Path | ParseError]:
    """Files as given, and the post and image files inside folders (a platform export unpacked).
    An entry of a folder that cannot be read (a symbolic link loop, no permission) is a ParseError."""
    for path in paths:
        if path.is_dir():
            found = list(_files_under(path))
            yield from sorted(p for p in found if isinstance(p, Path))
            yield from (e for e in found if isinstance(e, ParseError))
        else:
            yield path


def _files_under(root: Path) -> Iterator[Path | ParseError]:
    """Post and image files in `root` and its subfolders, walked with a stack (no recursion, so
    no depth limit) without following symbolic links to folders (so no loops)."""
    wanted = POST_EXTENSIONS | IMAGE_EXTENSIONS
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as entries:
                listed = list(entries)
        except OSError as exc:
            yield ParseError(str(folder), "folder", f"skipped: cannot read the folder: {exc.strerror or exc}")
            continue
        for entry in listed:
            path = folder / entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    folders.append(path)
                elif path.suffix.lower() in wanted and entry.is_file():
                    yield path
            except OSError as exc:  # a symbolic link loop, a file that went away
                yield ParseError(str(path), "file", f"skipped: cannot read it: {exc.strerror or exc}")


def read_paths(paths: Iterable[Path], column: str | None = None, platform: str = "generic") -> Iterator[Item]:
    """Every post of every file (and every picture of every folder), in order."""
    for path in expand(paths):
        if isinstance(path, ParseError):
            yield path
        elif path.suffix.lower() in IMAGE_EXTENSIONS:
            yield AuditImage(str(path), "image", path)
        else:
            yield from read_posts(path, column, platform)


def read_posts(path: Path, column: str | None = None, platform: str = "generic") -> Iterator[Item]:
    """The posts of one file, each at most MAX_POST_CHARS long (longer ones come in parts).
    `platform` is used where the file does not say. Never raises: whatever goes wrong with the
    file ends it with a ParseError, and the audit goes on with the next one."""
    source = str(path)
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            yield ParseError(source, "file", "skipped: not a regular file (a pipe, device or socket)")
            return
        fmt = detect_format(path)
        for item in READERS[fmt](path, source, column, platform):
            if isinstance(item, AuditPost):
                yield from split_post(item)
            else:
                yield item
    except OSError as exc:
        yield ParseError(source, "file", f"cannot read the file: {exc.strerror or exc}")
    except Exception as exc:  # a hostile file must not end the audit of the other files
        yield ParseError(source, "file", f"could not be read ({type(exc).__name__}: {str(exc)[:200]}); "
                                         "the rest of the file was skipped")


def detect_format(path: Path) -> str:
    """One of READERS' keys: the content decides where it can (an X archive saved as .json is
    still an X archive), the extension otherwise. "binary" for what is not text."""
    with path.open("rb") as fh:
        raw = fh.read(max(4096, BINARY_SAMPLE))
    if raw.startswith(PARQUET_MAGIC):
        return "parquet"
    encoding = _bom_encoding(raw)
    if encoding is None and _binary_kind(raw):
        return "binary"
    head = raw[:4096].decode(encoding or "utf-8", errors="replace").lstrip("\ufeff \t\r\n")
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
    if _nested_deeper_than(first, MAX_DEPTH):
        return False
    try:
        return isinstance(json.loads(first), dict)
    except (ValueError, RecursionError):
        return False


_ARCHIVES = {b"PK\x03\x04": "a zip archive", b"\x1f\x8b": "a gzip archive", b"7z\xbc\xaf": "a 7-Zip archive",
             b"Rar!": "a RAR archive", b"BZh": "a bzip2 archive", b"\xfd7zXZ": "an xz archive"}


def _bom_encoding(raw: bytes) -> str | None:
    """"utf-16" for a file that starts with a UTF-16 byte order mark (Excel's "Unicode Text"),
    None for everything else (read as UTF-8, with or without its BOM)."""
    return "utf-16" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else None


def _binary_kind(raw: bytes) -> str | None:
    """What a file that is not text is, judged by its first bytes; None for text. A stray NUL or
    a few bytes of another encoding do not make a file binary (their posts are still read)."""
    for magic, kind in _ARCHIVES.items():
        if raw.startswith(magic):
            return f"{kind}; archives are not read: unpack it and audit the folder"
    sample = raw[:BINARY_SAMPLE]
    if len(sample) < 16:
        return None
    if sample.count(0) > max(1, len(sample) // 100):
        return "a binary file, not text (it has NUL bytes)"
    text = sample.decode("utf-8", errors="replace")
    if text.count("\ufffd") > len(text) // 4:
        return "a binary file, not text (mostly invalid UTF-8)"
    return None


def _open_text(path: Path, newline: str | None = None) -> IO[str]:
    """The file as text: UTF-16 when it says so with a BOM, else UTF-8 (BOM dropped); bytes that do
    not decode become U+FFFD instead of ending the file."""
    with path.open("rb") as fh:
        encoding = _bom_encoding(fh.read(2)) or "utf-8-sig"
    return path.open(encoding=encoding, errors=ENCODING_ERRORS, newline=newline)


def read_binary(path: Path, source: str, column: str | None, platform: str) -> Iterator[Item]:
    with path.open("rb") as fh:
        kind = _binary_kind(fh.read(BINARY_SAMPLE)) or "a binary file, not text"
    yield ParseError(source, "file", f"skipped: {kind}")


# --- long posts -------------------------------------------------------------------------------

# Where a long post may be cut, best first: after a blank line (a paragraph), after a sentence
# end, at a line break, at a space.
_CUTS = (re.compile(r"\n[ \t\f\v]*\n\s*"), re.compile(r"[.!?…][\"'”’)\]]*\s+"), re.compile(r"\n+"),
         re.compile(r"\s+"))
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _cut_at(text: str, limit: int) -> int:
    """Where the first part of `text` (longer than `limit`) ends: after the last paragraph break,
    else sentence end, else line break, else space in the second half of its first `limit`
    characters; at `limit` exactly when there is none (a run without spaces)."""
    for pattern in _CUTS:
        end = 0
        for m in pattern.finditer(text, limit // 2, limit):
            end = m.end()
        if end:
            return end
    return limit


class _Splitter:
    """A post's text, fed piece by piece as it is read, given back in parts of at most `limit`
    code points: (part number, offset in the post, text). The part number is 0 when the post
    turned out to fit in one part."""

    def __init__(self, limit: int = MAX_POST_CHARS):
        self.limit = limit
        self.pieces: list[str] = []
        self.size = 0  # characters in `pieces`
        self.offset = 0  # where `pieces` start in the post
        self.parts = 0  # parts given back so far

    def feed(self, piece: str) -> list[tuple[int, int, str]]:
        self.pieces.append(piece)
        self.size += len(piece)
        if self.size <= self.limit:
            return []
        text, out = "".join(self.pieces), []
        while len(text) > self.limit:
            cut = _cut_at(text, self.limit)
            self.parts += 1
            out.append((self.parts, self.offset, text[:cut]))
            self.offset += cut
            text = text[cut:]
        self.pieces, self.size = [text], len(text)
        return out

    def finish(self, strip_end: bool = False) -> list[tuple[int, int, str]]:
        text = "".join(self.pieces)
        if strip_end:
            text = text.rstrip()
        if not self.parts:
            return [(0, 0, text)]
        return [(self.parts + 1, self.offset, text)] if text else []


def split_post(post: AuditPost) -> Iterator[AuditPost]:
    """The post, or its parts when it is longer than MAX_POST_CHARS. A lone surrogate (half an
    emoji escaped in JSON) becomes U+FFFD: same length, so offsets do not move."""
    if _LONE_SURROGATE.search(post.text):
        post = replace(post, text=_LONE_SURROGATE.sub("\ufffd", post.text))
    if len(post.text) <= MAX_POST_CHARS:
        yield post
        return
    splitter = _Splitter()
    for part, offset, text in splitter.feed(post.text) + splitter.finish():
        yield replace(post, text=text, part=part, offset=post.offset + offset)


def _clip(value: str, limit: int = 200) -> str:
    """A location or reason built from file content, kept to a readable length."""
    return value if len(value) <= limit else value[:limit] + "…"


def _nested_deeper_than(text: str, limit: int) -> bool:
    """Whether the JSON in `text` has arrays or objects nested more than `limit` deep (a
    string's brackets do not count). Checked before json.loads, which recurses per level."""
    depth = 0
    for m in _JSON_TOKEN.finditer(text):
        c = text[m.start()]
        if c in "[{":
            depth += 1
            if depth > limit:
                return True
        elif c in "]}":
            depth -= 1
    return False


_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.S)


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
    return _iso_from_epoch(value) or _clip(str(value))


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


def _records(source: str, rows: Iterator[Row], columns: list[str],
             text_column: str | None, platform: str, fixed_platform: str | None = None) -> Iterator[Item]:
    """Posts from (location, record, size) rows; a record that is an error message is reported."""
    # Read ahead GUESS_SAMPLE records (and at most SAMPLE_CHARS) to guess the columns from
    # (errors on the way wait in order).
    sample: list[Row] = []
    records: list[dict[str, Any]] = []
    held = 0
    for entry in rows:
        sample.append(entry)
        held += entry[2]
        if isinstance(entry[1], dict):
            records.append(entry[1])
            if len(records) == GUESS_SAMPLE or held > SAMPLE_CHARS:
                break
    if not columns:
        columns = list(dict.fromkeys(k for r in records for k in r if k != BARE_TEXT)) or [BARE_TEXT]
    if text_column is not None and text_column not in columns:
        names = _clip(", ".join(map(str, columns)), 2000)
        yield ParseError(source, "file", f"no column {text_column!r}; the columns are: {names}")
        return
    cols = guess_columns(columns, records, text_column)
    del records
    for location, record, _size in chain(sample, rows):
        if isinstance(record, str):
            yield ParseError(source, location, record)
            continue
        text = record[BARE_TEXT] if BARE_TEXT in record else record.get(cols.text)
        if not isinstance(text, str):
            what = "missing" if text is None else f"a {type(text).__name__}, not text"
            name = "" if cols.text == BARE_TEXT else f" {_clip(repr(cols.text))}"
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
            link=_clip(str(link), 2048) if link else None,
            text=text,
        )
    sample.clear()


# --- CSV --------------------------------------------------------------------------------------


class _RecordTooLarge(Exception):
    pass


class _CsvLines:
    """The file's lines for csv.reader, within a budget of `limit` characters per record (a
    quoted cell may span lines). A record over the budget is read past, to the end of the quoted
    cell it is in (an even count of quotes at a line end), and _RecordTooLarge raised; csv.reader
    starts afresh at the next line."""

    def __init__(self, fh: IO[str], limit: int = MAX_ENTRY_CHARS):
        self.fh = fh
        self.limit = limit
        self.used = 0  # characters of the current record so far
        self.quotes = 0  # quote characters in it

    def new_record(self) -> None:
        self.used = self.quotes = 0

    def __iter__(self) -> _CsvLines:
        return self

    def __next__(self) -> str:
        line = self.fh.readline(self.limit - self.used + 1)
        if not line:
            raise StopIteration
        self.used += len(line)
        self.quotes += line.count('"')
        if self.used <= self.limit:
            return line
        while not (line.endswith(("\n", "\r")) and self.quotes % 2 == 0):
            line = self.fh.readline(LINE_CHUNK)
            if not line:
                break
            self.quotes += line.count('"')
        self.new_record()
        raise _RecordTooLarge


def _next_record(reader: Iterator[list[str]]) -> list[str]:
    # csv's own limit on a cell (131,072 characters by default) would cut a long post short;
    # _CsvLines bounds the whole record instead. The limit is process-wide: set it per call.
    old = csv.field_size_limit(MAX_ENTRY_CHARS + 1)
    try:
        return next(reader)
    finally:
        csv.field_size_limit(old)


def read_csv(path: Path, source: str, column: str | None, platform: str) -> Iterator[Item]:
    with _open_text(path, newline="") as fh:
        first_line = fh.readline(LINE_CHUNK)
        fh.seek(0)
        # The header decides the delimiter: the sniffer is easily fooled by commas in post text.
        delimiter = "\t" if path.suffix.lower() == ".tsv" else max(",;\t|", key=first_line.count)
        lines = _CsvLines(fh)
        reader = csv.reader(lines, delimiter=delimiter)
        try:
            header = _next_record(reader)
        except StopIteration:
            return
        except _RecordTooLarge:
            yield ParseError(source, "row 1", f"skipped: a header longer than {MAX_ENTRY_CHARS:,} characters; "
                                              "not a post export")
            return
        except csv.Error as exc:
            yield ParseError(source, "row 1", f"unreadable header: {exc}")
            return
        if len(header) > MAX_COLUMNS:
            yield ParseError(source, "row 1", f"skipped: the header has {len(header):,} columns (more than "
                                              f"{MAX_COLUMNS:,}); not a post export")
            return
        header = [h.strip() for h in header]
        linkedin = "sharecommentary" in {_normal(h) for h in header}
        rows = _csv_rows(reader, lines, header)
        yield from _records(source, rows, list(dict.fromkeys(header)), column, platform,
                            "linkedin" if linkedin else None)


def _csv_rows(reader: Iterator[list[str]], lines: _CsvLines, header: list[str]) -> Iterator[Row]:
    """(row, record or error, size) per data row. Row numbers are a spreadsheet's: the header is row 1."""
    row = 1
    while True:
        row += 1
        lines.new_record()
        try:
            fields = _next_record(reader)
        except StopIteration:
            return
        except _RecordTooLarge:
            yield f"row {row}", f"skipped: the row is longer than {MAX_ENTRY_CHARS:,} characters", 0
            continue
        except csv.Error as exc:
            yield f"row {row}", f"unreadable CSV row: {exc}", 0
            continue
        if not fields:
            continue  # a blank line
        extra = fields[len(header):]
        if len(fields) < len(header) or any(f.strip() for f in extra):
            yield f"row {row}", f"the row has {len(fields)} fields, the header has {len(header)}", 0
            continue
        yield f"row {row}", dict(zip(header, fields, strict=False)), lines.used


# --- JSONL ------------------------------------------------------------------------------------


def read_jsonl(path: Path, source: str, column: str | None, platform: str) -> Iterator[Item]:
    with _open_text(path) as fh:
        yield from _records(source, _jsonl_rows(fh), [], column, platform)


def _bounded_lines(fh: IO[str], limit: int = MAX_ENTRY_CHARS) -> Iterator[tuple[int, str | None]]:
    """(number, line) per line of the file; the line is None when it is longer than `limit`
    (it was read past in pieces, never held whole)."""
    number = 0
    while line := fh.readline(limit + 1):
        number += 1
        if len(line) > limit and not line.endswith("\n"):
            while (rest := fh.readline(LINE_CHUNK)) and not rest.endswith("\n"):
                pass
            yield number, None
        else:
            yield number, line


def _jsonl_rows(fh: IO[str]) -> Iterator[Row]:
    for number, line in _bounded_lines(fh):
        location = f"line {number}"
        if line is None:
            yield location, f"skipped: the line is longer than {MAX_ENTRY_CHARS:,} characters", 0
            continue
        if not line.strip():
            continue
        if _nested_deeper_than(line, MAX_DEPTH):
            yield location, f"skipped: JSON nested deeper than {MAX_DEPTH} levels", 0
            continue
        try:
            value = json.loads(line)
        except ValueError as exc:
            yield location, f"invalid JSON: {_clip(getattr(exc, 'msg', str(exc)))}", 0
            continue
        if isinstance(value, str):
            value = {BARE_TEXT: value}
        yield (location, value if isinstance(value, dict) else f"a JSON {type(value).__name__}, not an object",
               len(line))


# --- JSON arrays, streamed ----------------------------------------------------------------------


class JsonSyntaxError(ValueError):
    pass


class EntrySkipped(Exception):
    """A JSON value that was read past without being decoded: too deep, too large or unusable.
    The stream is positioned after it, so reading goes on with the next one."""


@dataclass(frozen=True)
class _Skipped:
    reason: str


class _JsonStream:
    """JSON values one at a time from a text file. An array, object or string is first scanned to
    its end (`_extent`: brackets and quotes only), so its nesting depth and size are known before
    `raw_decode` (which recurses per level) sees it; the buffer is refilled, and grown for a large
    value, whenever a value runs past its end. A value too deep or too large is scanned past
    while its text is dropped, so it never has to be held."""

    CHUNK = 1 << 16

    _NON_SPACE = re.compile(r"\S")
    _OUTSIDE = re.compile(r'[\[\]{}"]')  # what matters outside a string
    _INSIDE = re.compile(r'["\\]')  # what matters inside one

    def __init__(self, fh: IO[str], max_entry: int = MAX_ENTRY_CHARS, max_depth: int = MAX_DEPTH):
        self.fh = fh
        self.max_entry = max_entry
        self.max_depth = max_depth
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.decoder = json.JSONDecoder()
        self.top_level = ""  # the first character of the document, once entries() has begun
        self.last_size = 0  # characters of the last value decoded

    def _fill(self) -> bool:
        """Keep buf[pos:] and read more after it (at least as much again: a large value costs
        a number of reads logarithmic in its size)."""
        if self.eof:
            return False
        pending = len(self.buf) - self.pos
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

    def _extent(self) -> int:
        """The end of the array, object or string that starts at `pos`, reading on as needed.
        Raises EntrySkipped (positioned after the value) when it is nested deeper than
        max_depth or longer than max_entry."""
        i, depth, in_string, escape, problem = self.pos, 0, False, False, None
        while True:
            buf, n = self.buf, len(self.buf)
            while i < n:
                if escape:
                    i, escape = i + 1, False
                elif in_string:
                    m = self._INSIDE.search(buf, i)
                    if m is None:
                        i = n
                        break
                    i = m.end()
                    if buf[m.start()] == "\\":
                        escape = True
                    else:
                        in_string = False
                        if depth == 0:
                            return self._end(i, problem)
                else:
                    m = self._OUTSIDE.search(buf, i)
                    if m is None:
                        i = n
                        break
                    i = m.end()
                    c = buf[m.start()]
                    if c == '"':
                        in_string = True
                    elif c in "[{":
                        depth += 1
                        if depth > self.max_depth and problem is None:
                            problem = f"JSON nested deeper than {self.max_depth} levels"
                    else:
                        depth -= 1
                        if depth <= 0:
                            return self._end(i, problem)
            if problem is None and i - self.pos > self.max_entry:
                problem = f"an entry larger than {self.max_entry:,} characters"
            if problem is not None:
                self.pos = i  # what was scanned is dropped: a skipped value is never held
            start = self.pos
            if not self._fill():
                raise JsonSyntaxError("the file ends inside an entry" + (f" ({problem})" if problem else ""))
            i -= start

    def _end(self, end: int, problem: str | None) -> int:
        if problem is None and end - self.pos > self.max_entry:
            problem = f"an entry larger than {self.max_entry:,} characters"
        if problem is not None:
            self.pos = end
            raise EntrySkipped(problem)
        return end

    def value(self) -> Any:
        first = self.peek()
        if first in ("[", "{", '"'):
            end = self._extent()
            try:
                value, stop = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                raise JsonSyntaxError(exc.msg) from None
            except (ValueError, RecursionError) as exc:  # valid JSON, unusable (a 5,000-digit number)
                self.pos = end
                raise EntrySkipped(f"an unusable value: {_clip(str(exc), 120)}") from None
            if stop != end:
                raise JsonSyntaxError("unbalanced brackets")
            self.last_size = stop - self.pos
            self.pos = stop
            return value
        while True:  # a number, true, false or null
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if len(self.buf) - self.pos <= self.max_entry and self._fill():
                    continue
                raise JsonSyntaxError(exc.msg) from None
            except ValueError as exc:
                raise JsonSyntaxError(_clip(str(exc), 120)) from None
            # A number that ends exactly at the buffer's end may go on in the next chunk.
            if end == len(self.buf) and end - self.pos <= self.max_entry and self._fill():
                continue
            self.last_size = end - self.pos
            self.pos = end
            return value

    def array_items(self) -> Iterator[Any]:
        """The elements of the array that starts here; a skipped one is a `_Skipped`."""
        self.expect("[")
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            try:
                item = self.value()
            except EntrySkipped as exc:
                item = _Skipped(str(exc))
            yield item
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
                try:
                    key = self.value()
                except EntrySkipped as exc:
                    raise JsonSyntaxError(f"an object key that is {exc}") from None
                if not isinstance(key, str):
                    raise JsonSyntaxError("expected an object key")
                self.expect(":")
                if self.peek() == "[":
                    for item in self.array_items():
                        yield key, item
                else:
                    with contextlib.suppress(EntrySkipped):  # metadata, not read anyway
                        self.value()
                if self.peek() == ",":
                    self.pos += 1
                elif self.peek() != "}":
                    raise JsonSyntaxError(f"expected ',' or '}}', found {self.peek() or 'the end of the file'!r}")
            self.pos += 1
        elif first:
            raise JsonSyntaxError("expected an array or an object")


Entry = tuple[str, str | None, Any, int]  # (location, key, element, characters)


def _stream_entries(stream: _JsonStream, source: str) -> Iterator[Entry | ParseError]:
    """(location, key, element, size) per entry; an entry read past (too deep, too large) is a
    ParseError and reading goes on; a syntax error ends the file with one ParseError, since
    nothing after it can be trusted."""
    index = 0
    try:
        for key, item in stream.entries():
            index += 1
            if isinstance(item, _Skipped):
                yield ParseError(source, f"item {index}", f"skipped: {item.reason}")
            else:
                yield f"item {index}", key, item, stream.last_size
    except JsonSyntaxError as exc:
        yield ParseError(source, f"item {index + 1}", f"invalid JSON: {exc}; the rest of the file was skipped")


def read_json(path: Path, source: str, column: str | None, platform: str) -> Iterator[Item]:
    with _open_text(path) as fh:
        stream = _JsonStream(fh)
        entries = _stream_entries(stream, source)
        first, errors = None, False
        for entry in entries:  # the first usable entry tells the export's kind; errors before it go first
            if isinstance(entry, ParseError):
                errors = True
                yield entry
                continue
            first = entry
            break
        if first is None:
            if stream.top_level == "{" and not errors:
                yield ParseError(source, "file", "no posts found: the top-level object has no non-empty array")
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
            location, _key, item, _size = entry
            yield _convert(convert, source, location, item)


def _generic_rows(entries: Iterator[Entry | ParseError]) -> Iterator[Row]:
    for entry in entries:
        if isinstance(entry, ParseError):
            yield entry.location, entry.reason, 0
            continue
        location, _key, item, size = entry
        if isinstance(item, str):
            item = {BARE_TEXT: item}
        yield location, item if isinstance(item, dict) else f"a JSON {type(item).__name__}, not an object", size


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
        return _clip(str(value))


def _tweet(source: str, location: str, item: dict[str, Any]) -> AuditPost:
    tweet = item.get("tweet", item)
    tweet_id = tweet.get("id_str") or tweet.get("id")
    tweet_id = _clip(str(tweet_id), 40) if tweet_id else None
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
    with _open_text(path) as fh:
        stream = _JsonStream(fh)
        if not stream.skip_past("="):  # window.YTD.tweets.part0 = [ ... ]
            yield ParseError(source, "file", "no 'window.YTD... =' assignment found")
            return
        for entry in _stream_entries(stream, source):
            if isinstance(entry, ParseError):
                yield entry
                continue
            location, _key, item, _size = entry
            yield _convert(_tweet, source, location, item)


# --- plain text ---------------------------------------------------------------------------------

_SEPARATOR = re.compile(r"^\s*-{3,}\s*$")


def read_text(path: Path, source: str, column: str | None, platform: str) -> Iterator[Item]:
    """Posts separated by a `---` line or two blank lines. The file is read in pieces of at most
    LINE_CHUNK characters and each post goes through a _Splitter as it is read, so neither a
    huge line nor a huge post is ever held whole: a long post comes out in parts."""
    with _open_text(path) as fh:
        number = 0  # the line being read
        start = blank = 0  # the post's first line; blank lines seen since its last text
        post: _Splitter | None = None
        line_start = True  # the next piece starts a line

        def parts(found: list[tuple[int, int, str]]) -> Iterator[AuditPost]:
            for part, offset, text in found:
                if text:
                        yield AuditPost(source, f"line {start}", None, platform, None, text, part, offset)

        while raw := fh.readline(LINE_CHUNK):
            ends = raw.endswith("\n")
            piece = raw[:-1] if ends else raw
            starts, line_start = line_start, ends
            if starts:
                number += 1
            whole = starts and (ends or len(raw) < LINE_CHUNK)  # a complete line, not a piece of a long one
            if whole and (_SEPARATOR.match(piece) or (not piece.strip() and blank >= 1)):
                if post is not None:
                    yield from parts(post.finish(strip_end=True))
                post, blank = None, 0
                continue
            if whole and not piece.strip():
                blank += 1
                continue
            if post is None:
                post, start = _Splitter(), number
            elif starts:
                piece = ("\n\n" if blank else "\n") + piece  # a blank line is a paragraph break in the post
            if not post.size and not post.parts:
                piece = piece.lstrip()
            blank = 0
            yield from parts(post.feed(piece))
        if post is not None:
            yield from parts(post.finish(strip_end=True))


# --- Parquet ----------------------------------------------------------------------------------

PARQUET_MAGIC = b"PAR1"
PARQUET_BATCH = 1000  # rows decoded at a time


def read_parquet(path: Path, source: str, column: str | None, platform: str) -> Iterator[Item]:
    """A table of posts (a data warehouse's export, a Ray or Spark job's output): columns as a
    CSV's, guessed the same way; rows numbered from 1. Needs pyarrow (the `parquet` extra)."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        yield ParseError(source, "file", "skipped: reading Parquet needs pyarrow "
                                         "(pip install 'carelint[parquet]')")
        return
    file = pq.ParquetFile(path)
    if len(file.schema_arrow.names) > MAX_COLUMNS:
        yield ParseError(source, "file", f"skipped: the table has {len(file.schema_arrow.names):,} columns "
                                         f"(more than {MAX_COLUMNS:,}); not a post export")
        return
    yield from _records(source, _parquet_rows(file), list(file.schema_arrow.names), column, platform)


def _parquet_rows(file: Any) -> Iterator[Row]:
    row = 0
    for batch in file.iter_batches(batch_size=PARQUET_BATCH):
        for record in batch.to_pylist():
            row += 1
            size = sum(len(v) for v in record.values() if isinstance(v, str))
            if size > MAX_ENTRY_CHARS:
                yield f"row {row}", f"skipped: the row is longer than {MAX_ENTRY_CHARS:,} characters", 0
                continue
            yield f"row {row}", record, size


READERS: dict[str, Callable[[Path, str, str | None, str], Iterator[Item]]] = {
    "x": read_x_archive,
    "parquet": read_parquet,
    "csv": read_csv,
    "jsonl": read_jsonl,
    "json": read_json,
    "text": read_text,
    "binary": read_binary,
}
