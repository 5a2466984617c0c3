"""Rule packs: every rule's own examples, the loader's errors, inflection/case and context."""

from __future__ import annotations

import itertools
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carelint.detector import CheckContext
from carelint.rules import RuleDetector, RulePackError, load_packs
from carelint.rules.loader import DEFAULT_PACKS_DIR
from carelint.settings import Policy

CTX = CheckContext(policy=Policy())
MARKED = re.compile(r"\[([^\[\]]+)\]")


@pytest.fixture(scope="module")
def detector(nlp):
    return RuleDetector(nlp)


def unmark(example: str) -> tuple[str, list[tuple[int, int]]]:
    """'It [cures] x' -> ('It cures x', [(3, 8)]): brackets mark spans a finding must cover."""
    spans, parts, last, removed = [], [], 0, 0
    for m in MARKED.finditer(example):
        parts.append(example[last : m.start()])
        start = m.start() - removed
        spans.append((start, start + len(m.group(1))))
        parts.append(m.group(1))
        removed += 2
        last = m.end()
    parts.append(example[last:])
    return "".join(parts), spans


def findings_for(detector, nlp, texts):
    return [detector.detect(doc, CTX) for doc in nlp.pipe(texts)]


def test_packs_are_large_cited_and_categorised(detector):
    rules = detector.rules
    assert len(rules) >= 150
    assert {r.category for r in rules} == {"claim", "advice", "tone", "language"}
    for rule in rules:
        assert rule.source and rule.message and rule.examples_match and rule.examples_no_match, rule.id


def test_every_rule_matches_its_positive_examples(detector, nlp):
    cases = [(rule, *unmark(ex)) for rule in detector.rules for ex in rule.examples_match]
    results = findings_for(detector, nlp, [text for _, text, _ in cases])
    failures = []
    for (rule, text, spans), found in zip(cases, results, strict=True):
        own = [f for f in found if f.rule == rule.id]
        if not own:
            failures.append(f"{rule.id}: no finding in {text!r}")
        for start, end in spans:
            if not any(f.start <= start and f.end >= end for f in own):
                failures.append(f"{rule.id}: {text[start:end]!r} not covered in {text!r}: {own}")
    assert not failures, "\n".join(failures)


def test_no_rule_matches_its_negative_examples(detector, nlp):
    cases = [(rule, ex) for rule in detector.rules for ex in rule.examples_no_match]
    results = findings_for(detector, nlp, [text for _, text in cases])
    failures = [
        f"{rule.id}: {text!r} -> {[(f.start, f.end, f.severity) for f in found if f.rule == rule.id]}"
        for (rule, text), found in zip(cases, results, strict=True)
        if any(f.rule == rule.id for f in found)
    ]
    assert not failures, "\n".join(failures)


def test_findings_are_well_formed_and_one_rule_never_overlaps_itself(detector, nlp):
    texts = [unmark(ex)[0] for rule in detector.rules for ex in rule.examples_match]
    for text, found in zip(texts, findings_for(detector, nlp, texts), strict=True):
        by_rule: dict[str, list] = {}
        for f in found:
            assert 0 <= f.start < f.end <= len(text)
            assert f.category in ("claim", "advice", "tone", "language")
            assert isinstance(f.suggestions, tuple)
            by_rule.setdefault(f.rule, []).append(f)
        for fs in by_rule.values():
            fs.sort(key=lambda f: f.start)
            assert all(a.end <= b.start for a, b in itertools.pairwise(fs)), fs


def test_word_prefilter_never_hides_a_match(detector, nlp):
    """A rule's Matcher is skipped when the paragraph lacks the words its patterns need; running
    every Matcher on every example must find nothing more."""
    texts = [unmark(ex)[0] for rule in detector.rules for ex in rule.examples_match + rule.examples_no_match]
    texts += [f"{a} {b}" for a, b in itertools.pairwise(texts)]  # words of two rules side by side
    skipped = 0
    for doc in nlp.pipe(texts):
        words = {t.lower_ for t in doc}
        woken = set(detector.rules_woken_by(words))
        for index, (rule, compiled) in enumerate(zip(detector.rules, detector._compiled_rules, strict=True)):
            if compiled.matcher is None or (index in woken and compiled.could_match(words)):
                continue
            skipped += 1
            assert not compiled.matcher(doc), f"{rule.id} skipped but matches {doc.text!r}"
    assert skipped > len(texts) * 100  # the filter does skip most rules on most texts


# -- inflection, case, suggestions ------------------------------------------------------------


@pytest.mark.parametrize("word", ["cure", "cures", "cured", "curing", "CURES", "Cured"])
def test_cure_is_found_in_any_inflection_and_case(detector, nlp, word):
    found = detector.detect(nlp(f"This tea {word} arthritis."), CTX)
    assert any(f.rule == "claims.cure" for f in found)


def test_suggestions_keep_the_case_and_number_of_the_original(checker):
    # Replacements are fixes (carelint/fixes.py), made by the engine once a rule has matched.
    found = checker.check("Addicts need support. ADDICT is a harmful word. An addict can recover.").findings
    suggestions = [f.fixes[0].text for f in found if f.rule == "language.addict"]
    assert suggestions[0].startswith("People with")
    assert suggestions[1].startswith("PERSON WITH")
    assert suggestions[2].startswith("A person with")  # "An addict" -> "A person with…", article and all


# -- context ----------------------------------------------------------------------------------


def rules_hit(detector, nlp, text):
    return {f.rule: f.severity for f in detector.detect(nlp(text), CTX)}


def test_negated_cure_is_not_a_claim(detector, nlp):
    assert "claims.cure" not in rules_hit(detector, nlp, "There is no cure yet, but treatment helps.")
    assert "claims.cure" not in rules_hit(detector, nlp, "Sadly there isn't a cure for this.")
    assert "claims.cure" in rules_hit(detector, nlp, "Our drops cure pink eye overnight.")


def test_quoted_question_is_not_a_claim(detector, nlp):
    assert "claims.cure" not in rules_hit(detector, nlp, 'A reader asked: "Does garlic cure colds?" Short answer: no.')
    assert "claims.cure" in rules_hit(detector, nlp, '"This tea cured my arthritis!" says one customer.')


def test_citation_after_clinically_proven_lowers_severity(detector, nlp):
    bare = rules_hit(detector, nlp, "Our sunscreen is clinically proven to prevent burns.")
    cited = rules_hit(detector, nlp, "Clinically proven to prevent burns (Lee et al., 2021, doi:10.1000/xyz).")
    assert bare["claims.clinically-proven"] == "medium"
    assert cited["claims.clinically-proven"] == "low"


def test_quoted_terms_mentioned_literally_are_skipped(detector, nlp):
    text = "Say 'person with diabetes,' not 'diabetic.' Say 'died by suicide,' not 'committed suicide.'"
    assert not [f for f in detector.detect(nlp(text), CTX) if f.category == "language"]


def test_negated_advice_is_not_flagged(detector, nlp):
    text = "Do not stop or change medications without talking to your doctor."
    assert not [f for f in detector.detect(nlp(text), CTX) if f.category == "advice" and f.severity != "low"]


def test_ordinary_health_posts_get_no_medium_or_high_findings(detector, nlp):
    posts = [
        "Flu shots are available now at all our clinics.",
        "Heat stroke signs: confusion, hot dry skin, fast pulse. Cool the person down and call 911.",
        "Seasonal allergies? A daily antihistamine like loratadine 10 mg can help.",
        "Take levothyroxine on an empty stomach, 30-60 minutes before breakfast.",
        "Thank you for the kind words! We're grateful for your review.",
        "Our 5K Run for Recovery supports our addiction recovery services.",
    ]
    for text, found in zip(posts, findings_for(detector, nlp, posts), strict=True):
        assert not [f for f in found if f.severity in ("medium", "high")], (text, found)


def test_empty_and_odd_input_does_not_crash(detector, nlp):
    for text in ["", "   ", "!!!", "🙄", "'", '"unterminated', "A" * 500, "[x](y) {z} \\ ^$"]:
        detector.detect(nlp(text), CTX)


# -- loader errors ----------------------------------------------------------------------------


GOOD_RULE = """
[pack]
category = "claim"

[[rule]]
id = "claims.test"
severity = "high"
message = "Why."
sources = ["ftc-health-products-guidance"]
phrases = ["miracle~"]
[rule.examples]
match = ["a miracle"]
no_match = ["nothing"]
"""


def write_pack(tmp_path: Path, text: str) -> Path:
    (tmp_path / "test.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_a_valid_minimal_pack_loads(tmp_path, nlp):
    detector = RuleDetector(nlp, write_pack(tmp_path, GOOD_RULE))
    assert [r.id for r in detector.rules] == ["claims.test"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (('severity = "high"', 'severity = "urgent"'), "severity"),
        (('sources = ["ftc-health-products-guidance"]\n', ""), "sources"),
        (('sources = ["ftc-health-products-guidance"]', 'sources = ["ftc-2022"]'), "sources"),
        (('severity = "high"', 'severity = "high"\nfix = ["shrug"]'), "fix"),
        (('severity = "high"', 'severity = "high"\nfix = ["rewrite"]'), "fix"),
        (('message = "Why."\n', ""), "message"),
        (('id = "claims.test"', 'id = "Claims Test"'), "id"),
        (('phrases = ["miracle~"]', "phrases = []"), "phrases"),
        (('phrases = ["miracle~"]', 'regex = ["(unclosed"]'), "regex"),
        (('phrases = ["miracle~"]', 'phrases = ["@nolexicon"]'), "phrases"),
        (('phrases = ["miracle~"]', 'phrases = ["miracle?"]'), "phrases"),
        (('phrases = ["miracle~"]', 'tokens = [[{NOTANATTR = "x"}]]'), "tokens"),
        (('no_match = ["nothing"]', "no_match = []"), "examples.no_match"),
        (
            ('severity = "high"', 'severity = "high"\ncontext = [{cue = "nope", where = "before", effect = "skip"}]'),
            "context.cue",
        ),
        (('severity = "high"', 'severity = "high"\nsevirity = "low"'), "sevirity"),
    ],
)
def test_malformed_pack_names_file_rule_and_field(tmp_path, nlp, change, field):
    old, new = change
    assert old in GOOD_RULE
    with pytest.raises(RulePackError) as err:
        RuleDetector(nlp, write_pack(tmp_path, GOOD_RULE.replace(old, new)))
    message = str(err.value)
    assert "test.toml" in message and field in message
    if "id =" not in old:
        assert "claims.test" in message


def test_bad_cue_names_the_cue_and_field(tmp_path):
    pack = GOOD_RULE.replace("[[rule]]", '[cues.citation]\nregex = ["(unclosed"]\n\n[[rule]]')
    with pytest.raises(RulePackError, match=r"test.toml: cues.citation: field 'regex'"):
        load_packs(write_pack(tmp_path, pack))


def test_invalid_toml_and_duplicate_ids_are_reported(tmp_path):
    with pytest.raises(RulePackError, match="test.toml"):
        load_packs(write_pack(tmp_path, "[[rule]\n"))
    (tmp_path / "test.toml").write_text(GOOD_RULE + GOOD_RULE.split("[pack]")[1].split('category = "claim"')[1])
    with pytest.raises(RulePackError, match="duplicate"):
        load_packs(tmp_path)


def test_shipped_packs_load_from_a_copy(tmp_path):
    copy = tmp_path / "packs"
    shutil.copytree(DEFAULT_PACKS_DIR, copy)
    assert len(load_packs(copy).rules) == len(load_packs().rules)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.text(
        alphabet=st.sampled_from(list("aA '\"!?.,-:#@%0123456789“”‘’🙄😂\n"))
        | st.characters(blacklist_categories=["Cs"]),
        max_size=300,
    )
)
def test_any_text_gives_valid_spans(detector, nlp, text):
    for f in detector.detect(nlp(text), CTX):
        assert 0 <= f.start < f.end <= len(text)
