"""Findings in the language of their paragraph: messages and fix labels from data/messages/<lang>.toml.

English is the language the rules are written in; another language's table maps rule ids to
messages and English fix labels to its own. Replacements written in English ("our patient", a
rewritten sentence) do not belong in a Spanish sentence: there only the fixes that remove words
stay (fixes.is_removal).
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from carelint.findings import Finding
from carelint.fixes import Edit, is_removal

DATA = Path(__file__).parent / "data" / "messages"
SOURCE_LANGUAGE = "en"


@dataclass(frozen=True)
class Messages:
    rules: dict[str, str]
    labels: dict[str, str]
    label_prefixes: dict[str, str]

    def label(self, english: str) -> str:
        if english in self.labels:
            return self.labels[english]
        for prefix, own in self.label_prefixes.items():
            if english.startswith(prefix):
                return own + english[len(prefix):]
        return english


@functools.cache
def messages_for(lang: str) -> Messages | None:
    path = DATA / f"{lang}.toml"
    if lang == SOURCE_LANGUAGE or not path.exists():
        return None
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return Messages(data.get("rules", {}), data.get("labels", {}), data.get("label_prefixes", {}))


def localised(findings: list[Finding], text: str, lang: str) -> list[Finding]:
    """The paragraph's findings with their messages and fix labels in `lang`."""
    table = messages_for(lang)
    if table is None:
        return [replace(f, lang=lang) if f.lang != lang else f for f in findings]
    out = []
    for f in findings:
        fixes = tuple(Edit(table.label(e.label), e.start, e.end, e.text) for e in f.fixes if is_removal(e, text))
        out.append(replace(f, message=table.rules.get(f.rule, f.message), fixes=fixes,
                           suggestions=tuple(s for s in f.suggestions if not s), lang=lang))
    return out
