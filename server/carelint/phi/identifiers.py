"""What each PHI entity type means for a finding (data/identifiers.toml)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

IDENTIFIERS_FILE = Path(__file__).parent / "data" / "identifiers.toml"
# How phi/context.py judges an entity; "code" has no hand-written context (the learned decision
# alone keeps or drops it).
KINDS = frozenset({"always", "person", "contact", "date", "place", "age", "url", "license", "code", "disclosure"})


@dataclass(frozen=True)
class IdentifierSpec:
    entity: str
    kind: str
    rule: str
    message: str
    source: str
    suggestions: tuple[str, ...]


def load_identifier_specs(path: Path = IDENTIFIERS_FILE) -> dict[str, IdentifierSpec]:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    specs = {}
    for entity, entry in data["entity"].items():
        if entry["kind"] not in KINDS:
            raise ValueError(f"{path.name}: entity.{entity}.kind: unknown kind {entry['kind']!r}")
        specs[entity] = IdentifierSpec(
            entity=entity,
            kind=entry["kind"],
            rule=entry["rule"],
            message=entry["message"],
            source=entry["source"],
            suggestions=tuple(entry.get("suggestions", ())),
        )
    return specs
