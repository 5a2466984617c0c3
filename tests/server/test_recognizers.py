"""Every PHI recognizer's own examples (patterns.toml), plus the class recognizers."""

import pytest

from carelint.phi.analyzer import PhiAnalyzer
from carelint.phi.recognizers import FirstNameRecognizer, OfflineEmailRecognizer, load_pattern_specs
from carelint.phi.recognizers.pattern_data import PatternDataError, split_example

SPECS = load_pattern_specs()
POSITIVE = [(s.entity, s.recognizer.name, e) for s in SPECS for e in s.examples_match]
NEGATIVE = [(s.entity, s.recognizer.name, e) for s in SPECS for e in s.examples_no_match]


@pytest.fixture(scope="module")
def analyzer(nlp):
    return PhiAnalyzer(nlp)


def _found(nlp, analyzer, recognizer_name: str, text: str):
    spec = next(s for s in SPECS if s.recognizer.name == recognizer_name)
    artifacts = analyzer.nlp_engine.artifacts(nlp(text))
    return spec.recognizer.analyze(text, [spec.entity], artifacts) or []


def test_every_recognizer_has_positive_and_negative_examples():
    for spec in SPECS:
        assert spec.examples_match, f"{spec.entity} has no positive example"
        assert spec.examples_no_match, f"{spec.entity} has no negative example"
        assert spec.safe_harbor, f"{spec.entity} does not say which identifier it covers"


@pytest.mark.parametrize(("entity", "name", "example"), POSITIVE)
def test_recognizer_finds_its_examples(nlp, analyzer, entity, name, example):
    text, span = split_example(example)
    assert span, f"example without [brackets]: {example}"
    spans = {(r.start, r.end) for r in _found(nlp, analyzer, name, text)}
    assert span in spans, f"{entity}: wanted {text[span[0]:span[1]]!r}, got {[text[a:b] for a, b in spans]}"


@pytest.mark.parametrize(("entity", "name", "example"), POSITIVE)
def test_pre_check_lets_every_example_through(entity, name, example):
    # A `requires` pre-check that missed a real example would switch its recognizer off silently.
    spec = next(s for s in SPECS if s.recognizer.name == name)
    text, _ = split_example(example)
    assert spec.requires is None or spec.requires.search(text), f"{entity}: requires blocks {text!r}"


def test_gated_analyzer_still_finds_every_example(nlp, analyzer):
    for spec in SPECS:
        for example in spec.examples_match:
            text, span = split_example(example)
            found = {(r.start, r.end) for r in analyzer.analyze(nlp(text)) if r.entity_type == spec.entity}
            assert found, f"{spec.entity} lost {text!r} behind the gates"


@pytest.mark.parametrize(("entity", "name", "example"), NEGATIVE)
def test_recognizer_ignores_its_counter_examples(nlp, analyzer, entity, name, example):
    found = _found(nlp, analyzer, name, example)
    assert not found, f"{entity} matched {[example[r.start:r.end] for r in found]} in {example!r}"


def test_malformed_pattern_data_names_the_recognizer(tmp_path):
    bad = tmp_path / "patterns.toml"
    bad.write_text('[[recognizer]]\nentity = "X"\npatterns = [{ name = "p", score = 0.5, regex = "(" }]\n')
    with pytest.raises(PatternDataError, match=r"recognizer #1 \(X\).*pattern 'p' does not compile"):
        load_pattern_specs(bad)


def test_first_name_recognizer_needs_a_proper_noun(nlp, analyzer):
    recognizer = FirstNameRecognizer()
    for text, expected in [("Happy birthday to our patient, Ruth!", ["Ruth"]),
                           ("Grace under pressure is what we teach.", []),
                           ("We will see you in May.", [])]:
        results = recognizer.analyze(text, ["PERSON"], analyzer.nlp_engine.artifacts(nlp(text)))
        assert [text[r.start:r.end] for r in results] == expected


def test_email_recognizer_validates_offline():
    recognizer = OfflineEmailRecognizer()
    assert recognizer.validate_result("p.obrien@example.com")
    assert not recognizer.validate_result("someone@localhost")


def test_uk_nhs_recognizer_is_not_loaded(nlp, analyzer):
    # Presidio's default set calls 555-201-3344 a UK NHS number with score 1.0.
    results = analyzer.analyze(nlp("Call 555-201-3344 about the results."))
    assert {r.entity_type for r in results} == {"PHONE_NUMBER"}


def test_skipping_presidios_context_boost_changes_no_result(nlp, analyzer):
    """Presidio's boost reads lemmas, which our pipeline does not make; skipping it (and the
    lemmas) must give exactly what the stock enhancer gives on Presidio's full artifacts."""
    from presidio_analyzer import AnalyzerEngine

    from carelint.phi.analyzer import build_registry

    stock = AnalyzerEngine(registry=build_registry(SPECS), nlp_engine=analyzer.nlp_engine, supported_languages=["en"])
    texts = [split_example(e)[0] for _, _, e in POSITIVE + NEGATIVE] + [
        "My phone number is 212-555-0143 and my SSN is 078-05-1120.",
        "Driver license D1234567, credit card 4111 1111 1111 1111, email jo@example.com",
        "Call our patient line at (617) 555-0199. Medical license MD123456.",
    ]
    for doc in nlp.pipe(texts):
        ours = sorted((r.start, r.end, r.entity_type, r.score) for r in analyzer.analyze(doc))
        gated = [e for e, gate in analyzer.gates.items() if gate is None or gate.search(doc.text)]
        theirs = stock.analyze(text=doc.text, language="en", entities=gated,
                               nlp_artifacts=analyzer.nlp_engine._doc_to_nlp_artifact(doc, "en"))
        assert ours == sorted((r.start, r.end, r.entity_type, r.score) for r in theirs
                              if r.score >= analyzer.MIN_SCORE), doc.text


@pytest.mark.parametrize("text", [
    "SMITH, JOHN  DOB 03/14/1951  MRN 4471203",  # a wristband label
    "SMITH,JOHN DOB 03/14/1951 MRN 4471203",  # as OCR reads it: no space after the comma
    "Patient: SMITH, JOHN",  # the model finds JOHN alone; the fuller name stands
])
def test_a_surname_in_capitals_before_a_comma_is_part_of_the_name(checker, text):
    names = [f.text for f in checker.check(text).findings if f.category == "phi" and f.type in ("NAME_CAPS", "PERSON")]
    assert len(names) == 1 and names[0].startswith("SMITH") and names[0].endswith("JOHN"), names


@pytest.mark.parametrize(("text", "dated"), [
    ("Big day at the clinic! Congrats to our patient Maria Gonzalez on her recovery.", None),
    ("These days our patient Ana is thriving.", None),
    ("Our patient Ana was discharged on Tuesday.", "Tuesday"),
    ("Our patient Ana had her surgery in March.", "March"),
])
def test_a_date_needs_a_date_element(checker, text, dated):
    """Safe Harbor (C) is about elements of dates: "Big day" (spaCy's DATE) dates nothing."""
    dates = [f.text for f in checker.check(text).findings if f.rule == "phi.care-date"]
    assert dates == ([dated] if dated else [])
