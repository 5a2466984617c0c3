"""Shape and hygiene checks for the PHI engine's health-term lexicon (phi/data/health_terms.toml)."""

from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path

import pytest

import carelint

LEXICON = Path(carelint.__file__).parent / "phi/data/en/health_terms.toml"

# Rough target sizes from the design brief; each category must reach at least 80% of its target.
TARGETS = {
    "procedure": 250,
    "condition": 350,
    "medication": 250,
    "measure": 60,
    "care_event": 80,
    "care_place": 60,
}

# Ordinary words in posts that must never be a term on their own (they may sit inside a phrase,
# e.g. "common cold", "eye patch", "crown prep").
# fmt: off
FORBIDDEN = {
    "or", "cold", "fall", "cast", "pt", "patch", "crown", "well", "back", "home", "case", "care",
    "health", "doctor", "nurse", "patient", "hospital", "clinic", "team", "staff",
    # further clashes kept out on purpose
    "dm", "hr", "mg", "pe", "od", "shot", "drip", "prep", "labor", "therapy", "unit", "wing",
    "pill", "born", "birthday", "operation", "admission", "stitches", "versed", "plan b",
}
# fmt: on

# Two-letter abbreviations the engine only matches in uppercase; these are the ones that may stay
# ambiguous in lowercase, so they must be confined to the categories they are listed for.
TWO_LETTER_ONLY_IN = {"er": "care_place", "ed": "care_place"}


@pytest.fixture(scope="module")
def lexicon() -> dict:
    with LEXICON.open("rb") as fh:
        return tomllib.load(fh)


@pytest.fixture(scope="module")
def categories(lexicon: dict) -> dict[str, list[str]]:
    return {name: table["terms"] for name, table in lexicon.items() if isinstance(table, dict)}


def test_version(lexicon: dict) -> None:
    assert lexicon["version"] == 1


def test_exactly_the_six_categories(categories: dict[str, list[str]]) -> None:
    assert set(categories) == set(TARGETS)


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_category_size(categories: dict[str, list[str]], name: str) -> None:
    terms = categories[name]
    assert isinstance(terms, list)
    assert len(terms) >= int(TARGETS[name] * 0.8), f"{name}: only {len(terms)} terms"


def test_terms_are_lowercase_stripped_short_strings(categories: dict[str, list[str]]) -> None:
    bad = [
        (name, term)
        for name, terms in categories.items()
        for term in terms
        if not isinstance(term, str)
        or not term
        or term != term.strip()
        or term != term.lower()
        or "  " in term
        or not 1 <= len(term.split()) <= 4
    ]
    assert not bad


def test_no_duplicates_within_a_category(categories: dict[str, list[str]]) -> None:
    dupes = {name: [t for t, n in Counter(terms).items() if n > 1] for name, terms in categories.items()}
    assert not {name: d for name, d in dupes.items() if d}


def test_no_duplicates_across_categories(categories: dict[str, list[str]]) -> None:
    owners: dict[str, set[str]] = {}
    for name, terms in categories.items():
        for term in terms:
            owners.setdefault(term, set()).add(name)
    shared = {term: sorted(names) for term, names in owners.items() if len(names) > 1}
    assert not shared


def test_no_forbidden_ambiguous_terms(categories: dict[str, list[str]]) -> None:
    found = {(name, term) for name, terms in categories.items() for term in terms if term in FORBIDDEN}
    assert not found


def test_ambiguous_two_letter_terms_only_where_allowed(categories: dict[str, list[str]]) -> None:
    for term, allowed in TWO_LETTER_ONLY_IN.items():
        holders = [name for name, terms in categories.items() if term in terms]
        assert holders in ([], [allowed]), f"{term!r} in {holders}"


@pytest.mark.parametrize(
    ("name", "term"),
    [
        ("procedure", "knee replacement"),
        ("procedure", "root canal"),
        ("procedure", "crown prep"),
        ("procedure", "physical therapy"),
        ("procedure", "mri"),
        ("condition", "stroke"),
        ("condition", "sepsis"),
        ("condition", "hip fracture"),
        ("condition", "nstemi"),
        ("condition", "common cold"),
        ("medication", "amoxicillin"),
        ("medication", "warfarin"),
        ("medication", "z-pack"),
        ("measure", "a1c"),
        ("measure", "bal"),
        ("care_event", "discharged"),
        ("care_event", "no-showed"),
        ("care_place", "icu"),
        ("care_place", "step-down"),
    ],
)
def test_known_terms_present(categories: dict[str, list[str]], name: str, term: str) -> None:
    assert term in categories[name]
