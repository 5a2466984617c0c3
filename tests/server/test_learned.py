"""The learned decisions: the encoder, the decision policy, the trained heads' behaviour on
fixed examples of each class of miss, and the training script on a small sample."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from carelint.engine import Checker
from carelint.learned.decide import DecisionStage
from carelint.learned.features import LEXICAL_BUCKETS, lexical_indices
from carelint.learned.model import compact, expand, load_heads
from carelint.learned.wordpiece import WordPiece
from carelint.settings import Policy

ROOT = Path(__file__).parents[2]


@pytest.fixture(scope="module")
def learned(checker):
    return checker


def phi(checker, text, policy=None):
    return {f.text: f.severity for f in checker.check(text, policy=policy).findings if f.category == "phi"}


def categories(checker, text):
    return {f.category for f in checker.check(text).findings if f.severity}


# --- the encoder ----------------------------------------------------------------------------

def test_wordpiece_matches_berts_uncased_tokenizer():
    # Ids as Hugging Face's BertWordPieceTokenizer(lowercase=True) gives them for this vocab
    # (checked against it on 5,000 training sentences when the tokenizer was written).
    wp = WordPiece()
    assert wp.encode("Our patient Maria went home after her knee surgery!") == [
        101, 2256, 5776, 3814, 2253, 2188, 2044, 2014, 6181, 5970, 999, 102]
    assert wp.encode("Café naïve — “quotes” 😀 @dan_the_man_77 $1,000") == [
        101, 7668, 15743, 1517, 1523, 16614, 1524, 100, 1030, 4907, 1035, 1996, 1035, 2158, 1035, 6255,
        1002, 1015, 1010, 2199, 102]
    assert len(wp.encode("word " * 500, max_length=128)) == 128


def test_the_encoder_puts_paraphrases_closer_than_unrelated_sentences(learned):
    v = learned.decisions.encoder.encode([
        "Our tonic cures gout.", "This drink heals arthritis completely.", "The parking garage opens at seven.",
        "Sorry the night guard we made still hurts.", "We apologize that your retainer is still painful."])
    sims = v @ v.T
    assert sims[0, 1] > sims[0, 2] and sims[3, 4] > sims[3, 2]
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)


# --- the trained heads on fixed examples of each class of miss --------------------------------

@pytest.mark.parametrize("text", [
    "Sorry the night guard we made still hurts.",
    "Your bloodwork was normal, as we explained.",
    "Glad the sprain is healing, see you in two weeks for the recheck!",
])
def test_a_reply_that_reveals_care_without_a_name_is_phi(learned, text):
    assert set(phi(learned, text).values()) & {"medium", "high"}, text


@pytest.mark.parametrize(("text", "identifier"), [
    ("Thanks @dan_the_man_77, glad the new hip has you golfing!", "@dan_the_man_77"),
    ("#AB-55102 is ready for discharge.", "AB-55102"),
])
def test_identifiers_next_to_care_without_a_keyword_are_phi(learned, text, identifier):
    assert phi(learned, text).get(identifier) in ("medium", "high")


@pytest.mark.parametrize(("text", "category"), [
    ("Our serum undoes ten years of wrinkles.", "claim"),
    ("Our spray kills 99.9% of germs and viruses.", "claim"),
    ("No need to finish the antibiotics once you feel fine.", "advice"),
])
def test_claims_and_advice_in_new_words_are_found(learned, text, category):
    assert category in categories(learned, text)


@pytest.mark.parametrize("text", [
    "Mayor Jane Smith toured our new wing today.",
    "General info only, not medical advice.",
    "If you missed your appointment, call us to reschedule.",
    "Flu shots are available at every clinic this week.",
])
def test_ordinary_posts_get_no_high_phi(learned, text):
    assert "high" not in phi(learned, text).values()


@pytest.mark.parametrize(("text", "name", "care"), [
    ("Thanks Priya, so glad the new hearing aids are finally comfortable for you!", "Priya", "hearing aids"),
    ("Hi Tom, sorry the stitches from your knee scope are still sore; call us any time.", "Tom", "knee scope"),
])
def test_a_sentence_that_tells_of_care_is_marked_besides_the_name_in_it(learned, text, name, care):
    """The name's fix alone would leave the care in place: the sentence is marked too."""
    found = learned.check(text).findings
    assert any(f.text == name and f.severity in ("medium", "high") for f in found)
    assert any(f.category == "phi" and f.type == "CARE_DISCLOSURE" and care in f.text
               and f.severity in ("medium", "high") for f in found), [(f.text, f.severity) for f in found]


# --- the decision policy ----------------------------------------------------------------------

def test_a_hand_written_high_next_to_a_patient_cue_is_never_lowered(learned):
    assert phi(learned, "Congrats to our patient Maria Gonzalez 🎉")["Maria Gonzalez"] == "high"


def test_the_allowlist_wins_over_every_decision(learned):
    policy = Policy(staff_names=["Maria Gonzalez"])
    assert "Maria Gonzalez" not in phi(learned, "Congrats to our patient Maria Gonzalez 🎉", policy)


def test_a_rule_match_stands_in_for_the_sentence_finding_of_its_category(learned):
    findings = learned.check("Our tonic cures gout.").findings
    claims = [f for f in findings if f.category == "claim"]
    assert claims and all(not f.rule.startswith("claims.unsupported") for f in claims)


def test_sentence_findings_say_what_drove_them(learned):
    [f] = [f for f in learned.check("Your bloodwork was normal, as we explained.").findings if f.category == "phi"]
    assert any(d.startswith("learned:") for d in f.drivers)


def test_candidates_are_never_reported_without_a_decision(nlp):
    plain = Checker(nlp, with_decisions=False)
    assert all(f.severity for f in plain.check("Thanks @dan_the_man_77, glad the new hip has you golfing!").findings)


def test_identifier_severity_policy():
    head = load_heads()["span"]
    sure = head.thresholds["high"]
    assert DecisionStage._identifier_severity(head, "high", 0.0, cued=True) == "high"
    assert DecisionStage._identifier_severity(head, "high", 0.0, cued=False) == "medium"  # lowered, never dropped
    assert DecisionStage._identifier_severity(head, "high", sure, cued=False) == "high"
    assert DecisionStage._identifier_severity(head, None, 0.0, cued=False) is None
    assert DecisionStage._identifier_severity(head, None, sure, cued=False) == "high"
    assert DecisionStage._identifier_severity(head, "medium", 0.0, cued=False) == "medium"


def test_a_rule_match_is_lowered_not_dropped_where_its_sentence_reads_otherwise(learned):
    text = "There is no cure for the common cold, whatever the ads say."
    claims = [f for f in learned.check(text).findings if f.category == "claim"]
    assert all(f.severity in ("low", "medium") for f in claims)


def test_a_head_refuses_features_it_was_not_trained_on():
    head = load_heads()["phi"]
    with pytest.raises(ValueError, match="features"):
        head.proba(np.zeros((1, len(head.features) - 1)))


def test_word_buckets_are_stable_case_blind_and_count_pairs():
    a = lexical_indices("Your CROWN came loose")
    assert a == lexical_indices("your crown came loose")
    assert all(0 <= i < LEXICAL_BUCKETS for i in a)
    # four words and three pairs; the same words in another order make other pairs
    assert len(a) == 7
    assert set(a) != set(lexical_indices("loose came crown your"))
    # crc32, not Python's salted hash(): training and every server process agree
    assert lexical_indices("bloodwork") == [2302472170 % LEXICAL_BUCKETS]


def test_feature_names_are_stored_compactly_and_read_back_exactly():
    names = ("enc0", "enc1", "enc2", "you", "w0", "w1", "w5", "question")
    assert compact(names) == ["enc[0:3]", "you", "w[0:2]", "w[5:6]", "question"]
    assert expand(compact(names)) == names


def test_conditional_phrasing_is_advice_to_anyone(learned):
    assert phi(learned, "If your crown comes loose, call us.") == {}


@pytest.mark.parametrize("asked, told", [
    ("Chest pain after dinner?", "Still sore after your root canal?"),
    ("¿Dolor de pecho después de cenar?", "¿Sigue con dolor después de su endodoncia?"),
])
def test_a_question_about_no_one_is_asked_of_everyone(checker, asked, told):
    """A question that names no one (no you, no he or she, no patient, no identifier) is no
    disclosure; the same question put to the reader about their care is."""
    def disclosures(text):
        return [f for f in checker.check(text).findings if f.rule == "phi.care-disclosure"]

    assert disclosures(asked) == []
    assert disclosures(told)


@pytest.mark.parametrize("text", [
    "People with schizophrenia aren't dangerous!",
    "The people with epilepsy in our support group organized a bake sale!",
    "Las personas con epilepsia de nuestro grupo organizaron una venta de pasteles.",
])
def test_person_first_wording_gets_no_learned_stigma_mark(checker, text):
    """The wording the language rules recommend is not itself flagged as stigmatising."""
    assert not [f for f in checker.check(text).findings if f.category == "language"]


# --- the training script ----------------------------------------------------------------------

def test_training_runs_on_a_small_sample_and_gives_usable_heads(tmp_path, nlp):
    out = tmp_path / "model"
    r = subprocess.run([sys.executable, str(ROOT / "train" / "build.py"), "--sample", "160", "--out", str(out)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    heads = load_heads(out / "decisions.npz", out / "decisions.json")
    assert {"phi", "claim", "advice", "tone", "language"} <= set(heads)
    checker = Checker(nlp, with_rules=False)
    checker.decisions.heads = heads
    result = checker.check("Your bloodwork was normal, as we explained. Call 555-201-3344.")
    assert all(f.severity in ("high", "medium", "low") for f in result.findings)
