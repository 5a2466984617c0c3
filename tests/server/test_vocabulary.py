"""One vocabulary: categories, severities and identifier kinds are defined once (findings.py,
phi/identifiers.py) and the schema, the rule packs, the learned decisions and the data files
agree with it."""

import re
import tomllib

import pytest

from carelint.cli.common import SEVERITY_STYLE
from carelint.findings import CATEGORIES, RULE_CATEGORIES, SEVERITIES, SEVERITY_RANK, Category, Severity
from carelint.learned import features
from carelint.phi.identifiers import IDENTIFIERS_FILE, KINDS, load_identifier_specs
from carelint.phi.recognizers.pattern_data import PATTERNS_FILE, PatternDataError, load_pattern_specs
from carelint.rules.loader import CONTEXT_EFFECTS
from carelint.schemas import FindingOut, RuleOut


def test_the_tuples_are_the_literals():
    assert CATEGORIES == ("phi", "claim", "advice", "tone", "language")
    assert tuple(c for c in CATEGORIES if c != "phi") == RULE_CATEGORIES
    assert SEVERITIES == ("high", "medium", "low")
    assert [SEVERITY_RANK[s] for s in (None, *reversed(SEVERITIES))] == [0, 1, 2, 3]
    assert set(SEVERITIES) <= set(CONTEXT_EFFECTS)
    assert tuple(SEVERITY_STYLE) == SEVERITIES


@pytest.mark.parametrize("model", [FindingOut, RuleOut])
def test_the_api_schema_uses_the_vocabulary(model):
    assert model.model_fields["category"].annotation is Category
    assert model.model_fields["severity"].annotation is Severity
    schema = model.model_json_schema()["properties"]
    assert tuple(schema["category"]["enum"]) == CATEGORIES and tuple(schema["severity"]["enum"]) == SEVERITIES


def test_the_learned_decisions_read_the_same_categories():
    assert features.CATEGORIES is CATEGORIES


def test_identifiers_toml_documents_exactly_the_kinds_of_the_code():
    text = IDENTIFIERS_FILE.read_text(encoding="utf-8")
    header = text[: text.index("version =")]
    documented = set(re.findall(r"^#\s{3}([a-z]+)\s+- ", header, re.MULTILINE))
    assert documented == set(KINDS)
    assert {spec.kind for spec in load_identifier_specs().values()} == set(KINDS)  # each kind is used


def test_recognizers_carry_no_unread_fields(tmp_path):
    data = tomllib.loads(PATTERNS_FILE.read_text(encoding="utf-8"))
    assert all("context" not in entry for entry in data["recognizer"])
    entry = PATTERNS_FILE.read_text(encoding="utf-8").split("[[recognizer]]")[1]
    bad = tmp_path / "patterns.toml"
    bad.write_text('[[recognizer]]\ncontext = ["mrn"]' + entry, encoding="utf-8")
    with pytest.raises(PatternDataError, match="unknown field 'context'"):
        load_pattern_specs(bad)
