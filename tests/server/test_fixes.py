"""Fixes are ranged edits that remove the problem and read well in place (carelint/fixes.py).

The round trip runs every rule's own examples through the whole check: each fix offered is
applied, the text is checked again, and the finding must be gone with nothing new of medium or
high severity, no doubled phrase and intact seams."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from carelint import disclaimer
from carelint.engine import Checker
from carelint.fixes import FixSpec, edits_for, remove_phrase, remove_sentence, replace_phrase
from carelint.nlp import load_pipeline
from carelint.platforms import PLATFORMS
from carelint.rules.loader import load_packs
from carelint.settings import DEFAULT_MODEL, Policy

PACKS = load_packs()
EXAMPLES = [(rule.id, ex.replace("[", "").replace("]", "")) for rule in PACKS.rules for ex in rule.examples_match]

# Where the fix is right but the checker then misjudges the fixed text: the learned heads' false
# alarms (issue 13), not the fixes'. Strict: each must start passing once detection improves,
# and then leave this list. Keyed by rule and the example's first words.
DETECTOR_FALSE_ALARMS = {
    ("advice.cold-turkey", "Off your antidepressants?"): "learned advice head flags the question left behind",
    ("claims.natural-safe", "Our 100% natural"): "absolute-percent (high) wins the overlap",
    ("claims.erase-signs", "Clinically proven"): "reverses-disease (high) wins the overlap",
    ("claims.erase-signs", "Eliminate cellulite"): "reverses-disease (high) wins the overlap",
    ("language.former-addict", "Meet an ex-addict"): "learned PHI head: person-first wording read as a disclosure",
    ("language.drunk", "Saturday nights"): "a weekday becomes a care date once the sentence reads as care",
    ("language.clean-person", "18 months clean"): "a month becomes a care date once the sentence reads as care",
    ("language.drug-habit", "He kicked"): "PHI health term: 'substance use disorder' read as a diagnosis",
    ("language.suicide-note", "Police found"): "learned PHI head reads the sentence as a disclosure",
    ("tone.shouting", "FINAL WARNING"): "lower case reveals 'Measles' as a name guess and a fear phrase",
    # Since the heads were refitted with the Spanish authors (2026-12-01):
    ("tone.blame-illness", "Mental illness is a choice"): "learned language head flags the sentence left behind",
}


def _param(rule: str, text: str, index: int):
    known = DETECTOR_FALSE_ALARMS.items()
    reason = next((why for (r, start), why in known if r == rule and text.startswith(start)), None)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(rule, text, marks=marks, id=f"{rule}:{index}")

# Sentences a PHI finding comes with, one per kind of fix (names, identifiers, dates, places, replies).
PHI_EXAMPLES = [
    ("phi.patient-name", "Congrats to our patient Maria Gonzalez on finishing chemo!"),
    ("phi.patient-name", "Maria Gonzalez finished chemo today and we could not be prouder."),
    ("phi.patient-handle", "Great to see @dan_the_man_77 back on the course after his hip replacement!"),
    ("phi.medical-record-number", "Patient MRN 0012345 is ready for discharge after her hip surgery."),
    ("phi.care-disclosure", "Our records show you missed two appointments. Please call us."),
    ("phi.patient-phone", "Our patient Maria Gonzalez (555-201-3344) asked us to share her chemo story."),
]


def apply(text: str, fix) -> str:
    return text[: fix.start] + fix.text + text[fix.end :]


def serious(result) -> Counter:
    return Counter((f.rule, f.text) for f in result.findings if f.severity in ("high", "medium"))


def balance(text: str) -> int:
    return text.count("(") - text.count(")")


def reshaped_away(new: Counter, before, after, fix) -> Counter:
    """`new` without the findings the edit only reshaped: one that spans the edit, of a rule that
    had a finding spanning the edited words before, is that finding (a flagged sentence that lost
    a name is still the flagged sentence), not a new one."""
    edited = fix.start + len(fix.text)
    spanning = {f.rule for f in before.findings if f.start <= fix.start and fix.end <= f.end}
    for f in after.findings:
        if (f.rule, f.text) in new and f.rule in spanning and f.start <= fix.start and edited <= f.end:
            del new[(f.rule, f.text)]
    return new


DOUBLED = re.compile(r"(?i)\b(\w+(?:\s+\w+){0,3})\s+\1\b")
SEAMS = {
    "two spaces": re.compile(r"(?<=\S)  +(?=\S)"),
    "space before punctuation": re.compile(r"\s+[,.;:!?](?!\w)"),
    "lower-case sentence start": re.compile(r"(?:^|[.!?]\s+)[a-z]"),
    "empty punctuation": re.compile(r"[,;:]\s*[,.;:!?]"),
}


def assert_round_trip(checker, rule: str, text: str) -> int:
    """Apply every fix of every finding of `rule` in `text`; returns how many fixes were tried."""
    before = checker.check(text)
    found = [f for f in before.findings if f.rule == rule]
    assert found, f"{rule} does not fire on its own example {text!r}"
    tried = 0
    for finding in found:
        for fix in finding.fixes:
            tried += 1
            fixed = apply(text, fix)
            where = f"{rule} / {fix.label!r}: {text!r} -> {fixed!r}"
            after = checker.check(fixed)
            same = [f for f in after.findings if f.rule == rule and f.text == finding.text]
            assert len(same) < sum(1 for f in found if f.text == finding.text), f"finding still there: {where}"
            new = reshaped_away(serious(after) - serious(before), before, after, fix)
            assert not new, f"new findings {dict(new)}: {where}"
            if not DOUBLED.search(text):
                assert not DOUBLED.search(fixed), f"doubled phrase: {where}"
            for seam, pattern in SEAMS.items():
                assert len(pattern.findall(fixed)) <= len(pattern.findall(text)), f"{seam}: {where}"
            assert balance(fixed) == balance(text), f"unbalanced brackets: {where}"
    return tried


@pytest.mark.parametrize(("rule", "text"), [_param(r, t, i) for i, (r, t) in enumerate(EXAMPLES)])
def test_every_fix_of_every_rule_example_removes_the_finding_and_reads_well(checker, rule, text):
    assert_round_trip(checker, rule, text)


@pytest.mark.parametrize(("rule", "text"), [_param(r, t, i) for i, (r, t) in enumerate(PHI_EXAMPLES)])
def test_phi_fixes_round_trip(checker, rule, text):
    assert assert_round_trip(checker, rule, text) >= 1


def test_claims_and_advice_never_get_a_softer_claim(checker):
    """A claim is removed (or advice replaced by its source's safe instruction), never reworded
    into a weaker claim such as 'may help with' or 'FDA cleared'."""
    softer = re.compile(r"(?i)\b(?:may help|can help|generally safe|fda cleared|plant-based|supports? overall)\b")
    for rule in PACKS.rules:
        if rule.category not in ("claim", "advice"):
            continue
        assert not any(softer.search(s) for s in rule.suggestions), rule.id
        assert rule.fix.kinds, f"{rule.id} offers no fix"
        assert set(rule.fix.kinds) <= {"rewrite", "remove-sentence", "replace"}, rule.id
    text = "Kitchen burn? Rub some butter on it."
    [f] = [f for f in checker.check(text).findings if f.rule == "advice.burn-remedy"]
    assert f.fixes[0].label == "Use the safe instruction"
    assert apply(text, f.fixes[0]) == "Kitchen burn? " + f.fixes[0].text and f.fixes[0].text.startswith("Cool the burn")


def test_a_name_after_our_patient_goes_and_a_bare_name_becomes_our_patient(checker):
    text = "Congrats to our patient Maria Gonzalez on finishing chemo!"
    [f] = [f for f in checker.check(text).findings if f.rule == "phi.patient-name"]
    assert apply(text, f.fixes[0]) == "Congrats to our patient on finishing chemo!"
    text = "Maria Gonzalez finished chemo today."
    [f] = [f for f in checker.check(text).findings if f.rule == "phi.patient-name"]
    assert apply(text, f.fixes[0]) == "Our patient finished chemo today."


def test_a_review_reply_fix_replaces_the_whole_sentence(checker):
    text = "Our records show you missed two appointments. Please call us."
    fixes = [x for f in checker.check(text).findings if f.rule == "phi.care-disclosure" for x in f.fixes]
    safe = [x for x in fixes if x.label == "Use the safe reply"]
    assert safe and all(apply(text, x).startswith("We take every concern seriously") for x in safe)
    assert all(apply(text, x).endswith(" Please call us.") for x in safe)


def test_carelint_disclaimers_never_produce_a_finding(checker):
    texts = {disclaimer.DEFAULT_LONG, disclaimer.DEFAULT_SHORT, disclaimer.SHORTEST}
    tip = "Flu season is here: wash your hands often and stay home when you are sick."
    texts |= {disclaimer.suggest(tip, platform, Policy()) for platform in PLATFORMS}
    for text in texts:
        assert checker.check(text).findings == [], text
        assert checker.check(f"{tip}\n\n{text}").findings == [], text


# -- the seams, one behaviour each ------------------------------------------------------------


def test_the_article_follows_the_replacement():
    text = "Help an addict find care."
    e = replace_phrase(text, 8, 14, "person with a substance use disorder", 0)
    assert apply(text, e) == "Help a person with a substance use disorder find care."
    e = replace_phrase("Meet a user.", 7, 11, "older adult", 0)
    assert apply("Meet a user.", e) == "Meet an older adult."
    e = replace_phrase("Enjoy your cheat day!", 11, 20, "a break from your plan", 0)
    assert apply("Enjoy your cheat day!", e) == "Enjoy a break from your plan!"


def test_removing_words_keeps_one_space_and_the_capital():
    text = "Thanks @dan, glad you are well."
    assert apply(text, remove_phrase(text, 7, 11, 0, "x")) == "Thanks, glad you are well."
    text = "Maria and her team say hi."
    assert apply(text, remove_phrase(text, 0, 10, 0, "x")) == "Her team say hi."
    text = "Maria Gonzalez, fax 555-201-3344, is home."
    assert apply(text, remove_phrase(text, 16, 32, 0, "x")) == "Maria Gonzalez is home."
    text = "See you on Monday at noon."
    assert apply(text, remove_phrase(text, 11, 17, 0, "x")) == "See you on at noon."


def test_removing_a_sentence_leaves_no_gap_or_empty_line():
    text = "First one. Second one. Third one."
    assert apply(text, remove_sentence(text, 11, 22)) == "First one. Third one."
    assert apply(text, remove_sentence(text, 23, 33)) == "First one. Second one."
    text = "Intro line\n\nBad line.\n\nOutro line"
    assert apply(text, remove_sentence(text, 12, 21)) == "Intro line\n\nOutro line"
    text = "Intro line\nBad line."
    assert apply(text, remove_sentence(text, 11, 20)) == "Intro line"
    text = "Unpopular opinion: obese people should pay more."
    assert apply(text, remove_sentence(text, 0, 18)) == "Obese people should pay more."


def test_a_phrase_that_does_not_fit_the_grammar_is_not_offered(checker):
    """The replacement must fit where the words stand: a noun phrase for a noun of the same number
    without a modifier, a verb in the same form."""
    spec = FixSpec(("replace",), ("person with a substance use disorder",))

    def offered(text: str, start: int, end: int) -> list[str]:
        sentences = [(0, len(text))]
        fits = lambda phrase, sentence: checker.grammar.fits(text, sentence, start, end, phrase)  # noqa: E731
        return [apply(text, e) for e in edits_for(text, start, end, spec, sentences, fits)]
    assert offered("Help an addict find care.", 8, 14) == ["Help a person with a substance use disorder find care."]
    assert offered("He is an opioid addict.", 16, 22) == []
    spec = FixSpec(("replace",), ("lives with",))
    assert offered("Marcus suffers from MS.", 7, 19) == ["Marcus lives with MS."]
    assert offered("Children suffer from asthma.", 9, 20) == []


def test_judging_replacements_leaves_the_vocabulary_as_it_was(checker):
    """The grammar's parser shares the check pipeline's vocabulary; words of users' posts that it
    parses must not stay there (a server checks posts for weeks)."""
    checker.check("Warm up: he suffers from asthma.")  # the parser and the phrases' roles load here
    before = len(checker.nlp.vocab.strings)
    for i in range(5):
        result = checker.check(f"Zorblax{i} suffers from quixotrania{i} and Mrvq{i} is an addict.")
        assert any(f.fixes for f in result.findings)
    assert len(checker.nlp.vocab.strings) == before


def test_loading_the_grammar_keeps_the_shared_vocabulary():
    """The grammar's parser loads on the first fix judged, inside a check's memory zone. It
    must not load the model's vocabulary again into the shared one: that replaced the tables
    the check pipeline's words live in, the zone's exit then emptied them and cleared keys they
    never had, and after enough checks a lookup never found a free cell (a frozen server)."""
    nlp = load_pipeline(DEFAULT_MODEL)  # its own: another checker's grammar may have loaded
    words = {lexeme.orth for lexeme in nlp.vocab}
    checker = Checker(nlp)
    result = checker.check("He suffers from asthma.")
    assert any(e.text for f in result.findings for e in f.fixes)  # a replacement was judged
    assert checker.grammar.loaded
    assert words <= {lexeme.orth for lexeme in nlp.vocab}
