"""The engine: paragraph cache, policy filters, and the settings store."""

import pytest
from pydantic import ValidationError

from carelint.engine import Checker
from carelint.settings import Policy, PolicyStore


class CountingDetector:
    name = "counting"

    def __init__(self):
        self.seen: list[str] = []

    def prepare(self, paragraphs, langs):
        return None

    def detect(self, doc, ctx):
        self.seen.append(doc.text)
        return []


def test_only_the_edited_paragraph_is_analysed_again(nlp):
    checker = Checker(nlp, with_rules=False)
    counter = CountingDetector()
    checker.detectors.append(counter)
    first = "Flu shots are here.\n\nOur patient Maria Gonzalez went home today."
    checker.check(first)
    assert counter.seen == ["Flu shots are here.", "Our patient Maria Gonzalez went home today."]
    counter.seen.clear()
    edited = "Flu shots are here!\n\nOur patient Maria Gonzalez went home today."
    result = checker.check(edited)
    assert counter.seen == ["Flu shots are here!"]
    [name] = [f for f in result.findings if f.text == "Maria Gonzalez"]
    assert (name.start, name.end) == (edited.index("Maria"), edited.index("Maria") + 14)


def test_cached_findings_are_rebased_when_paragraphs_move(phi_checker):
    tail = "Our patient Maria Gonzalez went home today."
    for head in ("Hi.", "A much longer first paragraph than before 🎉."):
        text = f"{head}\n\n{tail}"
        for unit in ("codepoint", "utf16"):
            [f] = [f for f in phi_checker.check(text, offset_unit=unit).findings if f.type == "PERSON"]
            start = text.index("Maria")
            expected = start if unit == "codepoint" else len(text[:start].encode("utf-16-le")) // 2
            assert f.start == expected and f.text == "Maria Gonzalez"


def test_policy_change_invalidates_the_cache(phi_checker):
    text = "Thanks to Dana Whitfield for the cookies after her surgery in our ICU!"
    assert any(f.text == "Dana Whitfield" for f in phi_checker.check(text).findings)
    policy = Policy(staff_names=["Dana Whitfield"])
    assert not any(f.text == "Dana Whitfield" for f in phi_checker.check(text, policy=policy).findings)


def test_disabled_rules_are_not_reported(checker):
    text = "Our supplement is a guaranteed cure for arthritis."
    rules = {f.rule for f in checker.check(text).findings}
    assert rules, "expected a claim finding"
    disabled = checker.check(text, policy=Policy(disabled_rules=sorted(rules))).findings
    assert disabled == []


def test_long_posts_are_checked(phi_checker):
    text = ("Flu season tips for families. " * 300 + "\n\n") * 3 + "Our patient Maria Gonzalez is home."
    result = phi_checker.check(text, "facebook")
    assert any(f.text == "Maria Gonzalez" for f in result.findings)


def test_policy_validation_and_store(tmp_path):
    with pytest.raises(ValidationError, match="staff_names"):
        Policy(staff_names=["x" * 201])
    with pytest.raises(ValidationError, match="unknown"):
        Policy.model_validate({"unknown": 1})
    store = PolicyStore(tmp_path / "settings.toml")
    assert store.load() == Policy()
    policy = Policy(staff_names=[" Ana ", "Ana", ""], disclaimer_long="  ", org_phones=["555-0100"])
    assert policy.staff_names == ["Ana"] and policy.disclaimer_long is None
    store.save(policy)
    assert store.load() == policy


def test_invalid_settings_file_reports_the_field(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('staff_names = "not a list"\n')
    with pytest.raises(ValidationError, match="staff_names"):
        PolicyStore(path).load()
