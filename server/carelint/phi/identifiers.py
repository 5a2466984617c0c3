"""What each PHI entity type means for a finding (data/identifiers.toml)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from carelint.fixes import FixSpec, check_kinds, default_kinds
from carelint.sources import cite

IDENTIFIERS_FILE = Path(__file__).parent / "data" / "identifiers.toml"
# How phi/context.py judges an entity (data/identifiers.toml describes each); "code" has no
# hand-written context (the learned decision alone keeps or drops it).
Kind = Literal["always", "person", "contact", "date", "place", "age", "url", "license", "code", "disclosure"]
KINDS: frozenset[Kind] = frozenset(get_args(Kind))


@dataclass(frozen=True)
class IdentifierSpec:
    entity: str
    kind: Kind
    rule: str
    message: str
    source: str
    suggestions: tuple[str, ...]
    fix: FixSpec = FixSpec()
    source_url: str | None = None
    # What a candidate's own text must hold to be this identifier at all (a date needs a date
    # element: "Big day" is spaCy's DATE, not a date); None: anything.
    must_contain: re.Pattern | None = None


@dataclass(frozen=True)
class Registry:
    """Every PHI entity in one place: what it means (specs), which wins an overlap (priority),
    and which place a person in care."""

    specs: dict[str, IdentifierSpec]
    priority: dict[str, int]  # entity -> rank, lower wins
    care_identifiers: frozenset[str]


def load_registry(path: Path = IDENTIFIERS_FILE) -> Registry:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    specs = _specs(data, path)
    for name in (*data["priority"], *data["care_identifiers"]):
        if name not in specs:
            raise ValueError(f"{path.name}: {name!r} is listed but has no [entity.{name}]")
    return Registry(specs, {e: i for i, e in enumerate(data["priority"])}, frozenset(data["care_identifiers"]))


def load_identifier_specs(path: Path = IDENTIFIERS_FILE) -> dict[str, IdentifierSpec]:
    with path.open("rb") as fh:
        return _specs(tomllib.load(fh), path)


def _specs(data: dict, path: Path) -> dict[str, IdentifierSpec]:
    specs = {}
    for entity, entry in data["entity"].items():
        if entry["kind"] not in KINDS:
            raise ValueError(f"{path.name}: entity.{entity}.kind: unknown kind {entry['kind']!r}")
        citation = cite(entry.get("sources"), f"{path.name}: entity.{entity}")
        suggestions = tuple(entry.get("suggestions", ()))
        rewrite = entry.get("rewrite")
        kinds = check_kinds(default_kinds(entry.get("fix"), suggestions, rewrite), suggestions, rewrite,
                            f"{path.name}: entity.{entity}.fix")
        specs[entity] = IdentifierSpec(
            entity=entity,
            kind=entry["kind"],
            rule=entry["rule"],
            message=entry["message"],
            source=citation.text,
            source_url=citation.url,
            suggestions=suggestions,
            must_contain=re.compile(entry["must_contain"]) if entry.get("must_contain") else None,
            fix=FixSpec(kinds, suggestions, (), rewrite, entry.get("rewrite_label", "Rewrite the sentence"),
                        entry.get("replace_after")),
        )
    return specs
