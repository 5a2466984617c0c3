"""Turns patterns.toml into presidio PatternRecognizers, keeping each one's examples for tests."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import regex
from presidio_analyzer import Pattern, PatternRecognizer

PATTERNS_FILE = Path(__file__).with_name("patterns.toml")
_MATCH_FLAGS = regex.DOTALL | regex.MULTILINE
# No `context` words: Presidio's context boost is not run (phi/analyzer.py, NoContextBoost); the
# hand-written context is phi/context.py's, over data/<lang>/context.toml.
FIELDS = frozenset({"entity", "safe_harbor", "requires", "case_sensitive", "patterns", "examples"})


class PatternDataError(ValueError):
    pass


@dataclass(frozen=True)
class PatternSpec:
    entity: str
    safe_harbor: str
    recognizer: PatternRecognizer
    requires: re.Pattern[str] | None  # cheap pre-check; None: always run
    examples_match: tuple[str, ...]
    examples_no_match: tuple[str, ...]


def _build(entry: dict, index: int, path: Path) -> PatternSpec:
    where = f"{path.name}: recognizer #{index + 1} ({entry.get('entity', '?')})"
    unknown = sorted(set(entry) - FIELDS)
    if unknown:
        raise PatternDataError(f"{where}: unknown field {unknown[0]!r} (allowed: {', '.join(sorted(FIELDS))})")
    flags = _MATCH_FLAGS if entry.get("case_sensitive") else _MATCH_FLAGS | regex.IGNORECASE
    try:
        entity = entry["entity"]
        raw_patterns = [(p["name"], p["regex"], float(p["score"])) for p in entry["patterns"]]
    except (KeyError, TypeError, ValueError) as exc:
        raise PatternDataError(f"{where}: missing or invalid field {exc}") from exc
    for name, pattern, _ in raw_patterns:
        try:
            regex.compile(pattern, flags)
        except regex.error as exc:
            raise PatternDataError(f"{where}: pattern {name!r} does not compile: {exc}") from exc
    patterns = [Pattern(name, pattern, score) for name, pattern, score in raw_patterns]
    recognizer = PatternRecognizer(
        supported_entity=entity,
        name=f"carelint.{entity.lower()}",
        patterns=patterns,
        global_regex_flags=flags,
    )
    examples = entry.get("examples", {})
    try:
        requires = re.compile(entry["requires"], re.IGNORECASE) if "requires" in entry else None
    except re.error as exc:
        raise PatternDataError(f"{where}: requires does not compile: {exc}") from exc
    return PatternSpec(
        entity=entity,
        safe_harbor=entry.get("safe_harbor", ""),
        recognizer=recognizer,
        requires=requires,
        examples_match=tuple(examples.get("match", ())),
        examples_no_match=tuple(examples.get("no_match", ())),
    )


def load_pattern_specs(path: Path = PATTERNS_FILE) -> list[PatternSpec]:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return [_build(entry, i, path) for i, entry in enumerate(data.get("recognizer", []))]


EXAMPLE_SPAN = re.compile(r"\[([^\]]+)\]")


def split_example(example: str) -> tuple[str, tuple[int, int] | None]:
    """'the pt in [bed 12] swears' -> ('the pt in bed 12 swears', (10, 16))."""
    m = EXAMPLE_SPAN.search(example)
    if not m:
        return example, None
    text = example[: m.start()] + m.group(1) + example[m.end() :]
    return text, (m.start(), m.start() + len(m.group(1)))
