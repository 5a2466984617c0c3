"""Reading and validating the rule packs (TOML) once, at start-up.

A pack file holds:

- ``[pack]``: ``category`` (the default for its rules) and ``in_quotes`` (what to do with a match
  inside quotation marks: ``skip``, ``skip_question`` or ``keep``).
- ``[lexicons]``: named word lists, used in phrases as ``@name``.
- ``[cues.NAME]``: ``phrases`` and/or ``regex`` (optionally ``case_sensitive``) whose presence near a
  match changes it (negation, citation, hedging…), referenced from a rule's ``context``.
- ``[[rule]]``: id, severity, message, sources (keys of data/sources.toml), suggestions, patterns (``phrases``,
  spaCy Matcher ``tokens`` and/or ``regex``), ``context`` and ``examples`` (``match``/``no_match``).
  Fixes (fixes.py): ``fix``, the kinds offered in order (default: ``rewrite`` if the rule has a
  ``rewrite`` sentence, ``replace`` if it has suggestions, then the pack's ``fix``), ``rewrite``
  (a safe sentence from the rule's source) and ``rewrite_label``.

Lexicon and cue names are shared by all packs. Every problem is reported as a RulePackError that
names the file, the rule id (or table) and the field.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

from carelint.findings import RULE_CATEGORIES, SEVERITIES, RuleCategory, Severity
from carelint.fixes import FixSpec, check_kinds, default_kinds
from carelint.sources import SourceError, cite

PACKS_ROOT = Path(__file__).parent / "packs"  # one folder of packs per language: packs/<lang>/


def packs_dir(lang: str) -> Path:
    return PACKS_ROOT / lang


DEFAULT_PACKS_DIR = packs_dir("en")

InQuotes = Literal["skip", "skip_question", "keep"]
ContextWhere = Literal["before", "after", "sentence", "paragraph"]
ContextEffect = Literal["skip", "require", Severity]  # a severity: the match gets that severity
IN_QUOTES: tuple[InQuotes, ...] = get_args(InQuotes)
CONTEXT_WHERE: tuple[ContextWhere, ...] = get_args(ContextWhere)
CONTEXT_EFFECTS: tuple[ContextEffect, ...] = get_args(ContextEffect)
RULE_ID = re.compile(r"^[a-z]+\.[a-z0-9]+(?:-[a-z0-9]+)*$")
NAME = re.compile(r"^[a-z][a-z0-9_]*$")

RULE_KEYS = {
    "id",
    "category",
    "severity",
    "message",
    "sources",
    "suggestions",
    "plural_suggestions",
    "phrases",
    "tokens",
    "regex",
    "case_sensitive",
    "context",
    "in_quotes",
    "examples",
    "type",
    "fix",
    "rewrite",
    "rewrite_label",
}
# What a whole-sentence rewrite is called on the card, by category (a rule may say otherwise).
REWRITE_LABELS = {"advice": "Use the safe instruction", "tone": "Use the safe reply"}
PACK_KEYS = {"pack", "lexicons", "cues", "rule"}


class RulePackError(ValueError):
    """A pack that cannot be used; the message names file, rule and field."""


@dataclass(frozen=True)
class ContextCheck:
    """If `cue` occurs `where` relative to a match, apply `effect` (skip, require, or a severity)."""

    cue: str
    where: ContextWhere
    effect: ContextEffect
    window: int | None = None  # tokens; None = to the sentence boundary


@dataclass(frozen=True)
class Cue:
    name: str
    pack: str
    phrases: tuple[str, ...] = ()
    regex: tuple[str, ...] = ()
    case_sensitive: bool = False  # regex only


@dataclass(frozen=True)
class Rule:
    id: str
    category: RuleCategory
    severity: Severity
    message: str
    source: str
    pack: str
    type: str
    url: str | None = None
    suggestions: tuple[str, ...] = ()
    plural_suggestions: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    tokens: tuple[tuple[dict[str, Any], ...], ...] = ()
    regex: tuple[str, ...] = ()
    case_sensitive: bool = False
    context: tuple[ContextCheck, ...] = ()
    in_quotes: InQuotes = "keep"
    examples_match: tuple[str, ...] = ()
    examples_no_match: tuple[str, ...] = ()
    fix: FixSpec = field(default_factory=FixSpec)


@dataclass
class RulePacks:
    rules: list[Rule] = field(default_factory=list)
    cues: dict[str, Cue] = field(default_factory=dict)
    lexicons: dict[str, tuple[str, ...]] = field(default_factory=dict)


def load_packs(packs_dir: Path | None = None) -> RulePacks:
    """Load every ``*.toml`` in `packs_dir` (default: the packaged packs) and cross-check them."""
    packs_dir = packs_dir or DEFAULT_PACKS_DIR
    files = sorted(packs_dir.glob("*.toml"))
    if not files:
        raise RulePackError(f"{packs_dir}: no rule packs (*.toml) found")
    packs = RulePacks()
    for path in files:
        _load_file(path, packs)
    _check_references(packs)
    return packs


def _load_file(path: Path, packs: RulePacks) -> None:
    name = path.name
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RulePackError(f"{name}: not valid TOML: {exc}") from exc
    _no_unknown_keys(data, PACK_KEYS, f"{name}")

    pack = _table(data.get("pack", {}), f"{name}: [pack]")
    _no_unknown_keys(pack, {"category", "in_quotes", "fix"}, f"{name}: [pack]")
    default_fix = _strings(pack.get("fix", []), f"{name}: [pack]: field 'fix'")
    default_category = _choice(pack.get("category"), RULE_CATEGORIES, f"{name}: [pack]: field 'category'", True)
    default_in_quotes = _choice(pack.get("in_quotes", "keep"), IN_QUOTES, f"{name}: [pack]: field 'in_quotes'")

    for lex_name, words in _table(data.get("lexicons", {}), f"{name}: [lexicons]").items():
        where = f"{name}: lexicons.{lex_name}"
        if not NAME.match(lex_name):
            raise RulePackError(f"{where}: name must be lowercase letters, digits and _")
        if lex_name in packs.lexicons:
            raise RulePackError(f"{where}: lexicon defined twice")
        packs.lexicons[lex_name] = _strings(words, f"{where}: field 'words'", required=True)

    for cue_name, cue in _table(data.get("cues", {}), f"{name}: [cues]").items():
        where = f"{name}: cues.{cue_name}"
        if not NAME.match(cue_name):
            raise RulePackError(f"{where}: name must be lowercase letters, digits and _")
        if cue_name in packs.cues:
            raise RulePackError(f"{where}: cue defined twice")
        cue = _table(cue, where)
        _no_unknown_keys(cue, {"phrases", "regex", "case_sensitive"}, where)
        phrases = _strings(cue.get("phrases", []), f"{where}: field 'phrases'")
        regexes = _regexes(cue.get("regex", []), f"{where}: field 'regex'")
        if not phrases and not regexes:
            raise RulePackError(f"{where}: field 'phrases': a cue needs phrases or regex")
        case_sensitive = cue.get("case_sensitive", False)
        if not isinstance(case_sensitive, bool):
            raise RulePackError(f"{where}: field 'case_sensitive': must be true or false")
        packs.cues[cue_name] = Cue(cue_name, name, phrases, regexes, case_sensitive)

    rules = data.get("rule", [])
    if not isinstance(rules, list):
        raise RulePackError(f"{name}: [[rule]] must be an array of tables")
    for index, raw in enumerate(rules):
        packs.rules.append(_parse_rule(raw, name, index, default_category, default_in_quotes, default_fix))


def _parse_rule(raw: Any, pack: str, index: int, category: RuleCategory | None, in_quotes: InQuotes,
                default_fix: tuple[str, ...] = ()) -> Rule:
    rule_id = raw.get("id") if isinstance(raw, dict) else None
    label = f"{pack}: rule {rule_id!r}" if isinstance(rule_id, str) else f"{pack}: rule #{index + 1}"
    raw = _table(raw, label)

    def where(key: str) -> str:
        return f"{label}: field {key!r}"

    _no_unknown_keys(raw, RULE_KEYS, label)
    if not isinstance(rule_id, str) or not RULE_ID.match(rule_id):
        raise RulePackError(f"{where('id')}: must look like 'claims.cure' (pack.name, lowercase, hyphens)")
    category = _choice(raw.get("category", category), RULE_CATEGORIES, where("category"))
    severity = _choice(raw.get("severity"), SEVERITIES, where("severity"))
    message = _text(raw.get("message"), where("message"))
    try:
        citation = cite(raw.get("sources"), label)
    except SourceError as exc:
        raise RulePackError(str(exc)) from exc

    phrases = _strings(raw.get("phrases", []), where("phrases"))
    regexes = _regexes(raw.get("regex", []), where("regex"))
    tokens = _token_patterns(raw.get("tokens", []), where("tokens"))
    if not (phrases or regexes or tokens):
        raise RulePackError(f"{where('phrases')}: a rule needs phrases, tokens or regex")
    case_sensitive = raw.get("case_sensitive", False)
    if not isinstance(case_sensitive, bool):
        raise RulePackError(f"{where('case_sensitive')}: must be true or false")

    examples = _table(raw.get("examples"), where("examples"))
    _no_unknown_keys(examples, {"match", "no_match"}, where("examples"))
    match = _strings(examples.get("match", []), where("examples.match"), required=True)
    no_match = _strings(examples.get("no_match", []), where("examples.no_match"), required=True)

    suggestions = _strings(raw.get("suggestions", []), where("suggestions"))
    plural_suggestions = _strings(raw.get("plural_suggestions", []), where("plural_suggestions"))
    rewrite = raw.get("rewrite")
    if rewrite is not None:
        rewrite = _text(rewrite, where("rewrite"))
    explicit = _strings(raw["fix"], where("fix")) if "fix" in raw else None
    try:
        kinds = check_kinds(default_kinds(explicit, suggestions, rewrite, default_fix), suggestions, rewrite,
                            where("fix"))
    except ValueError as exc:
        raise RulePackError(str(exc)) from exc
    label = REWRITE_LABELS.get(category or "", "Rewrite the sentence")
    fix = FixSpec(kinds, suggestions, plural_suggestions, rewrite,
                  _text(raw.get("rewrite_label", label), where("rewrite_label")))

    name_part = rule_id.split(".", 1)[1]
    return Rule(
        id=rule_id,
        category=category,
        severity=severity,
        message=message,
        source=citation.text,
        pack=pack,
        type=raw.get("type") or f"{category}_{name_part}".upper().replace("-", "_"),
        url=citation.url,
        suggestions=suggestions,
        plural_suggestions=plural_suggestions,
        phrases=phrases,
        tokens=tokens,
        regex=regexes,
        case_sensitive=case_sensitive,
        context=_context(raw.get("context", []), where("context")),
        in_quotes=_choice(raw.get("in_quotes", in_quotes), IN_QUOTES, where("in_quotes")),
        examples_match=match,
        examples_no_match=no_match,
        fix=fix,
    )


def _context(value: Any, where: str) -> tuple[ContextCheck, ...]:
    if not isinstance(value, list):
        raise RulePackError(f"{where}: must be a list of tables")
    checks = []
    for item in value:
        item = _table(item, where)
        _no_unknown_keys(item, {"cue", "where", "effect", "window"}, where)
        cue = _text(item.get("cue"), f"{where}.cue")
        position = _choice(item.get("where"), CONTEXT_WHERE, f"{where}.where")
        effect = _choice(item.get("effect"), CONTEXT_EFFECTS, f"{where}.effect")
        window = item.get("window")
        if window is not None and (not isinstance(window, int) or window < 1 or position not in ("before", "after")):
            raise RulePackError(f"{where}.window: a positive integer, only with where = before/after")
        checks.append(ContextCheck(cue, position, effect, window))
    return tuple(checks)


def _check_references(packs: RulePacks) -> None:
    """Unique ids; every @lexicon and context cue a rule or cue uses exists."""
    seen: set[str] = set()
    lexicon_ref = re.compile(r"@([a-z][a-z0-9_]*)")
    for cue in packs.cues.values():
        for phrase in cue.phrases:
            for ref in lexicon_ref.findall(phrase):
                if ref not in packs.lexicons:
                    raise RulePackError(f"{cue.pack}: cues.{cue.name}: field 'phrases': unknown lexicon @{ref}")
    for rule in packs.rules:
        label = f"{rule.pack}: rule {rule.id!r}"
        if rule.id in seen:
            raise RulePackError(f"{label}: field 'id': duplicate rule id")
        seen.add(rule.id)
        for phrase in rule.phrases:
            for ref in lexicon_ref.findall(phrase):
                if ref not in packs.lexicons:
                    raise RulePackError(f"{label}: field 'phrases': unknown lexicon @{ref}")
        for check in rule.context:
            if check.cue not in packs.cues:
                raise RulePackError(f"{label}: field 'context.cue': unknown cue {check.cue!r}")


# -- small validators -------------------------------------------------------------------------


def _no_unknown_keys(table: dict[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise RulePackError(f"{where}: field {unknown[0]!r}: unknown field (allowed: {', '.join(sorted(allowed))})")


def _table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise RulePackError(f"{where}: must be a table")
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise RulePackError(f"{where}: required, a non-empty string")
    return value.strip()


def _choice(value: Any, allowed: tuple[str, ...], where: str, optional: bool = False) -> Any:
    if value is None and optional:
        return None
    if value not in allowed:
        raise RulePackError(f"{where}: must be one of {', '.join(allowed)} (got {value!r})")
    return value


def _strings(value: Any, where: str, required: bool = False) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RulePackError(f"{where}: must be a list of non-empty strings")
    if required and not value:
        raise RulePackError(f"{where}: must not be empty")
    return tuple(value)


def _regexes(value: Any, where: str) -> tuple[str, ...]:
    patterns = _strings(value, where)
    for pattern in patterns:
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise RulePackError(f"{where}: invalid regex {pattern!r}: {exc}") from exc
        if compiled.match(""):
            raise RulePackError(f"{where}: regex {pattern!r} matches the empty string")
    return patterns


def _token_patterns(value: Any, where: str) -> tuple[tuple[dict[str, Any], ...], ...]:
    if not isinstance(value, list) or not all(
        isinstance(p, list) and p and all(isinstance(t, dict) for t in p) for p in value
    ):
        raise RulePackError(f"{where}: must be a list of spaCy Matcher patterns (lists of tables)")
    return tuple(tuple(p) for p in value)
