"""The citation registry (data/sources.toml): every source once, rules refer to it by key.

A reference is a key (`"fda-health-scams"`) or a key with a pinpoint (`{ key = "...", at =
"(b)(2)(i)(A) names" }`). `cite` turns a rule's references into what a finding carries: a
readable `source` line and the first source's URL (`source_url`)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SOURCES_FILE = Path(__file__).parent / "data" / "sources.toml"
FIELDS = ("title", "publisher", "domain", "url", "checked", "how_checked", "supports")


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    publisher: str
    domain: str
    url: str
    checked: str
    how_checked: str
    supports: str
    date: str | None = None


@dataclass(frozen=True)
class Citation:
    text: str  # "Title (pinpoint); Title"
    url: str | None  # the first source's
    keys: tuple[str, ...]


class SourceError(ValueError):
    """A reference to a source the registry does not hold, or a malformed entry."""


@lru_cache(maxsize=1)
def registry(path: Path = SOURCES_FILE) -> dict[str, Source]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out = {}
    for key, entry in data.get("source", {}).items():
        missing = [f for f in FIELDS if not isinstance(entry.get(f), str) or not entry[f].strip()]
        if missing:
            raise SourceError(f"{path.name}: source.{key}: missing {', '.join(missing)}")
        host = urlsplit(entry["url"]).hostname or ""
        on_domain = host == entry["domain"] or host.endswith("." + entry["domain"])
        if not entry["url"].startswith("https://") or not on_domain:
            raise SourceError(f"{path.name}: source.{key}: url must be https on {entry['domain']}")
        out[key] = Source(key=key, date=entry.get("date"), **{f: entry[f] for f in FIELDS})
    return out


def cite(refs: Any, where: str) -> Citation:
    """A rule's `sources` list -> its Citation; `where` names the rule in errors."""
    if not isinstance(refs, list) or not refs:
        raise SourceError(f"{where}: field 'sources' must be a non-empty list of source keys")
    known = registry()
    parts, keys = [], []
    for ref in refs:
        key, at = (ref, None) if isinstance(ref, str) else (None, None)
        if isinstance(ref, dict):
            key, at = ref.get("key"), ref.get("at")
        if key not in known:
            raise SourceError(f"{where}: field 'sources': {key!r} is not in data/sources.toml")
        keys.append(key)
        parts.append(_cited(known[key].title, at))
    return Citation("; ".join(parts), known[keys[0]].url, tuple(keys))


def _cited(title: str, at: str | None) -> str:
    """ "45 CFR 164.514 - Other requirements…" + "(b)(2)(i)(Q) faces" -> "45 CFR 164.514(b)(2)(i)(Q) faces";
    any other title keeps its name and gets the pinpoint in brackets."""
    short = title.split(" - ", 1)[0] if title[:1].isdigit() else title
    if not at:
        return short
    return f"{short}{at}" if at.startswith("(") and short[-1:].isdigit() else f"{short} ({at})"
