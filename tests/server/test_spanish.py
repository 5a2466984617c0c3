"""Spanish and bilingual posts (issue 17): language is a parameter of the whole pipeline.
Each paragraph is checked with its own language's data (phi/data/<lang>/, learned/data/signals/,
data/disclaimer/<lang>.toml, data/messages/<lang>.toml); a request may name the language."""

import re

import pytest

from carelint import disclaimer
from carelint.language import languages
from carelint.messages import messages_for
from carelint.settings import Policy

TOKEN = "test-token-es"
MARKED = re.compile(r"\[([^\[\]]+)\]")


def unmark(example):
    """'Estas gotas [curan la artritis].' -> the text, and the spans a finding must cover."""
    text, spans = MARKED.sub(lambda m: m.group(1), example), []
    removed = 0
    for m in MARKED.finditer(example):
        start = m.start() - removed
        spans.append((start, start + len(m.group(1))))
        removed += 2
    return text, spans
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def phi(result, severities=("high", "medium")):
    return [f for f in result.findings if f.category == "phi" and f.severity in severities]


# -- which language --------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "lang"), [
    ("Felicitamos a nuestro paciente, que ya volvió a casa.", "es"),
    ("Congrats to our patient, who went home today.", "en"),
    ("¡Gracias!", "es"),  # a mark only Spanish writes
    ("Gracias por su reseña, Sr. López.", "es"),
    ("Thanks for the review!", "en"),
])
def test_a_paragraph_is_read_in_its_language(text, lang):
    assert languages().detect(text) == lang


def test_a_paragraph_with_no_telling_word_takes_the_posts_language():
    paragraphs = ["Recuerde que la vacuna de la gripe ya está disponible en todas nuestras clínicas.", "👍 10/10"]
    assert languages().of_paragraphs(paragraphs) == ["es", "es"]
    assert languages().of_paragraphs(["👍 10/10"]) == ["en"]  # nothing tells: the default


def test_a_bilingual_post_gets_both_languages_and_a_requested_one_wins():
    paragraphs = ["Flu shots are here for the whole family.",
                  "Las vacunas contra la gripe ya llegaron para toda la familia."]
    assert languages().of_paragraphs(paragraphs) == ["en", "es"]
    assert languages().of_paragraphs(paragraphs, "es") == ["es", "es"]


# -- PHI in Spanish --------------------------------------------------------------------------------

def test_a_patients_name_next_to_their_care_is_high_in_spanish(checker):
    text = "Felicitamos a nuestro paciente Julio Ramírez, que ya volvió a casa tras su cirugía de cadera."
    result = checker.check(text)
    names = [f for f in phi(result, ("high",)) if f.type == "PERSON"]
    assert [f.text for f in names] == ["Julio Ramírez"]
    assert names[0].message == messages_for("es").rules["phi.patient-name"]


@pytest.mark.parametrize("fragment", ["que ya volvió", "de cadera", "La Dra"])
def test_the_english_ner_models_fragments_of_spanish_are_not_names(checker, fragment):
    # The English model tags lowercase Spanish phrases as people; a Spanish name is its capitalised words.
    text = ("Felicitamos a nuestro paciente Julio Ramírez, que ya volvió a casa tras su cirugía de cadera. "
            "La Dra. Ruiz le manda saludos.")
    candidates = [doc.text[f.start:f.end] for _, doc, _, found in checker.paragraph_candidates(text)
                  for f in found if "kind:person" in f.drivers]
    assert fragment not in candidates


@pytest.mark.parametrize("text", [
    "¡Celebramos 1.000 bebés nacidos este año en nuestra clínica!",
    "Abrimos nueva unidad de fisioterapia. Cita previa: 91 555 23 40.",
    "Estamos contratando enfermeras para el turno de noche.",
])
def test_a_spanish_word_opening_a_sentence_is_no_name_or_place(checker, text):
    # The English model calls "Celebramos" a person and "Médica" a place; one word opening a
    # sentence that no name list knows is neither.
    kinds = [f.drivers for _, _, _, found in checker.paragraph_candidates(text) for f in found]
    assert not [d for d in kinds if "kind:person" in d or "kind:place" in d]


def test_a_courtesy_title_is_part_of_a_spanish_name(checker):
    text = "Sra. Gómez, lamentamos que su limpieza del martes le haya dolido."
    candidates = [doc.text[f.start:f.end] for _, doc, _, found in checker.paragraph_candidates(text)
                  for f in found if "kind:person" in f.drivers]
    assert candidates == ["Sra. Gómez"]


def test_a_spanish_reply_citing_the_record_is_high_without_a_name(checker):
    result = checker.check("Según su expediente, usted no asistió a sus dos citas de seguimiento.")
    assert phi(result, ("high",))


def test_a_bilingual_post_gets_findings_in_both_paragraphs_each_in_its_language(checker):
    english = "Congrats to our patient Maria Gonzalez on finishing chemo today!"
    spanish = "¡Felicidades a nuestra paciente Rosa Elena Pérez, que terminó su quimioterapia hoy!"
    text = f"{english}\n\n{spanish}"
    result = checker.check(text)
    names = {f.text: f for f in phi(result, ("high",)) if f.type == "PERSON"}
    assert set(names) == {"Maria Gonzalez", "Rosa Elena Pérez"}
    assert names["Rosa Elena Pérez"].message == messages_for("es").rules["phi.patient-name"]
    assert names["Maria Gonzalez"].message != names["Rosa Elena Pérez"].message


def test_fixes_in_a_spanish_sentence_add_no_english_words(checker):
    text = "Felicitamos a nuestro paciente Julio Ramírez, que ya volvió a casa tras su cirugía de cadera."
    result = checker.check(text)
    fixes = [e for f in result.findings for e in f.fixes]
    assert fixes, "a finding without any fix"
    for e in fixes:
        assert e.text in ("", text[e.end - 1:e.end].upper()), e  # only removals
        assert e.label in set(messages_for("es").labels.values()) or e.label.startswith("Quitar")


# -- review replies in Spanish ---------------------------------------------------------------------

def test_a_spanish_reply_gets_the_spanish_safe_reply(checker):
    text = "Lamentamos que la guarda nocturna que le hicimos todavía le moleste."
    result = checker.check(text, policy=Policy(org_phones=["(555) 201-4400"]), context="review_reply")
    first = [f.fixes[0] for f in result.findings if f.category == "phi"]
    assert first and first[0].text.startswith("Tomamos en serio") and "(555) 201-4400" in first[0].text
    assert result.disclaimer.needed is False


# -- disclaimer in Spanish -------------------------------------------------------------------------

def test_a_spanish_post_is_offered_the_spanish_disclaimer(checker):
    result = checker.check("La presión alta no da síntomas. Mídase la presión una vez al año.", platform="facebook")
    assert result.disclaimer.suggested == disclaimer.texts("es")["long"]


def test_a_spanish_disclaimer_counts_as_present():
    assert disclaimer.has_disclaimer("Tome agua. Información general, no es consejo médico.")
    assert disclaimer.has_disclaimer("Esto no sustituye la consulta con su médico.")


@pytest.mark.parametrize("form", ["long", "short", "shortest"])
def test_carelints_own_spanish_disclaimers_are_never_flagged(checker, form):
    text = disclaimer.texts("es")[form]
    result = checker.check(f"Beba agua en días de calor.\n\n{text}")
    assert not [f for f in result.findings if f.start >= len("Beba agua en días de calor.\n\n")]


# -- the contract ----------------------------------------------------------------------------------

def test_the_api_takes_a_language_and_refuses_an_unknown_one(app_client):
    client = app_client(TOKEN)
    text = "Thanks to our patient Julio for the review."
    ok = client.post("/v1/check", json={"text": text, "lang": "es"}, headers=AUTH)
    assert ok.status_code == 200
    assert ok.json()["disclaimer"]["suggested"] in disclaimer.texts("es").values()
    bad = client.post("/v1/check", json={"text": text, "lang": "fr"}, headers=AUTH)
    assert bad.status_code == 422 and "lang" in bad.text


def test_check_batch_refuses_an_unknown_language(checker):
    from carelint.batch import check_batch

    with pytest.raises(ValueError, match="lang 'fr'"):
        check_batch(["hola"], lang="fr", checker=checker)
    assert check_batch(["Gracias por venir."], lang="es", checker=checker)[0].disclaimer.needed is False


# -- the Spanish rule packs (rules/packs/es/) --------------------------------------------------------

@pytest.fixture(scope="module")
def spanish_rules(nlp):
    from carelint.rules import RuleDetector, packs_dir

    return RuleDetector(nlp, packs_dir("es"))


def test_spanish_rules_match_their_examples_and_not_their_counter_examples(spanish_rules, nlp):
    from carelint.detector import CheckContext

    ctx = CheckContext(policy=Policy(), lang="es")
    assert {r.category for r in spanish_rules.rules} == {"claim", "advice", "language", "tone"}
    failures = []
    for rule in spanish_rules.rules:
        assert rule.examples_match and rule.examples_no_match and rule.source, rule.id
        for example in rule.examples_match:
            text, spans = unmark(example)
            own = [f for f in spanish_rules.detect(nlp(text), ctx) if f.rule == rule.id]
            if not own or not all(any(f.start <= a and b <= f.end for f in own) for a, b in spans):
                failures.append(f"{rule.id}: misses {example!r}")
        for text in rule.examples_no_match:
            if any(f.rule == rule.id for f in spanish_rules.detect(nlp(text), ctx)):
                failures.append(f"{rule.id}: matches {text!r}")
    assert not failures, "\n".join(failures)


def test_a_rule_keeps_its_id_across_languages_and_english_text_meets_only_english_rules(checker):
    english_ids = {r.id for r in checker.rules.by_lang["en"].rules}
    spanish_ids = {r.id for r in checker.rules.by_lang["es"].rules}
    assert spanish_ids <= english_ids  # a disabled rule is disabled in every language
    found = checker.check("Estas gotas curan la artritis, resultados garantizados.").findings
    assert {"claims.cure", "claims.guarantee"} <= {f.rule for f in found}
    assert all(f.message == next(r.message for r in checker.rules.by_lang["es"].rules if r.id == f.rule)
               for f in found if f.rule in ("claims.cure", "claims.guarantee"))
    disabled = checker.check("Estas gotas curan la artritis.", policy=Policy(disabled_rules=["claims.cure"])).findings
    assert "claims.cure" not in {f.rule for f in disabled}
