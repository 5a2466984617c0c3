"""Every rule cites a source the registry holds, with a title and an https URL on the
publisher's own domain (data/sources.toml), and the API hands the URL on."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

import carelint
from carelint.sources import SourceError, cite, registry


def test_every_registry_entry_has_title_publisher_and_an_https_url_on_its_domain():
    sources = registry()
    assert len(sources) >= 50
    for s in sources.values():
        host = urlsplit(s.url).hostname or ""
        assert s.url.startswith("https://") and (host == s.domain or host.endswith("." + s.domain)), s.key
        assert s.title and s.publisher and s.checked and s.how_checked and s.supports, s.key


def test_every_rule_a_finding_can_carry_has_a_source_url_from_the_registry(checker):
    urls = {s.url for s in registry().values()}
    catalogue = checker.rule_catalogue()
    assert len(catalogue) > 200
    for rule in catalogue:
        assert rule["source"] and rule["source_url"] in urls, rule["id"]


def test_every_registry_source_is_cited_by_some_rule():
    root = Path(carelint.__file__).parent
    files = [*root.glob("rules/packs/*/*.toml"), root / "phi/data/identifiers.toml",
             root / "learned/data/sentence_rules.toml", *root.glob("images/*.py")]
    text = "".join(p.read_text(encoding="utf-8") for p in files)
    unused = [key for key in registry() if f'"{key}"' not in text]
    assert not unused, unused


def test_a_reference_the_registry_does_not_hold_is_refused():
    with pytest.raises(SourceError, match="not in data/sources.toml"):
        cite(["hhs-ocr-guidance-on-social-media"], "test rule")
    with pytest.raises(SourceError, match="non-empty list"):
        cite([], "test rule")


def test_pinpoints_follow_the_regulation():
    assert cite([{"key": "ecfr-45-cfr-164-514", "at": "(b)(2)(i)(E) fax numbers"}], "x").text == (
        "45 CFR 164.514(b)(2)(i)(E) fax numbers")
