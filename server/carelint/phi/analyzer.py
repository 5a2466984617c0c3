"""Presidio set up offline on Carelint's shared spaCy pipeline, with the recognizers we use."""

from __future__ import annotations

import re

from presidio_analyzer import AnalyzerEngine, RecognizerRegistry, RecognizerResult
from presidio_analyzer.context_aware_enhancers import ContextAwareEnhancer
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    DateRecognizer,
    IpRecognizer,
    MedicalLicenseRecognizer,
    PhoneRecognizer,
    SpacyRecognizer,
    UrlRecognizer,
    UsLicenseRecognizer,
    UsSsnRecognizer,
)
from spacy.language import Language
from spacy.tokens import Doc

from carelint.nlp import text_of
from carelint.phi.recognizers import FirstNameRecognizer, OfflineEmailRecognizer, PatternSpec, load_pattern_specs

# spaCy labels kept, and what Presidio calls them. ORG and NORP are left out: the small
# model's ORG has many false positives (phi-notes.md) and neither is a Safe Harbor identifier.
SPACY_ENTITY_MAPPING = {
    "PERSON": "PERSON",
    "PER": "PERSON",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "FAC": "LOCATION",
    "DATE": "DATE_TIME",
}
SPACY_LABELS_IGNORED = ["ORG", "NORP", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT",
                        "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE", "TIME"]


class SharedSpacyNlpEngine(SpacyNlpEngine):
    """A Presidio NLP engine over a pipeline we already loaded, so each paragraph is parsed once.

    `load()` is a no-op on purpose: Presidio's own load() calls spacy.cli.download() for
    names that are not installed packages, which is a network call.
    """

    def __init__(self, nlp: Language):
        super().__init__(
            models=[{"lang_code": "en", "model_name": nlp.meta.get("name", "shared")}],
            ner_model_configuration=NerModelConfiguration(
                model_to_presidio_entity_mapping=SPACY_ENTITY_MAPPING,
                labels_to_ignore=SPACY_LABELS_IGNORED,
                low_score_entity_names=[],
            ),
        )
        self.nlp = {"en": nlp}

    def load(self) -> None:
        pass

    def artifacts(self, doc: Doc) -> NlpArtifacts:
        """What our recognizers read: entities with scores, and the tokens. No lemmas: the
        lemmatizer is not loaded, and only Presidio's context boost read them (see below)."""
        entities, scores = self._get_updated_entities(self._get_entities(doc), self._get_scores_for_entities(doc))
        return NlpArtifacts(entities=entities, tokens=doc, tokens_indices=[], lemmas=[], nlp_engine=self,
                            language="en", scores=scores)


class NoContextBoost(ContextAwareEnhancer):
    """Presidio's context boost compares lemmas near a match with each recognizer's context
    words. Without a lemmatizer it can never fire, yet it deep-copied every result on every check.
    Carelint weighs context itself (phi/context.py), so the step is skipped."""

    def __init__(self):
        super().__init__(context_similarity_factor=0, min_score_with_context_similarity=0,
                         context_prefix_count=0, context_suffix_count=0)

    def enhance_using_context(self, text, raw_results, nlp_artifacts, recognizers, context=None):
        return raw_results


# Cheap pre-checks for Presidio's own pattern recognizers: a post without a digit cannot hold
# an SSN, so those recognizers are not run on it (a check runs on every pause in typing).
PRESIDIO_REQUIRES = {
    "EMAIL_ADDRESS": r"@",
    # Presidio's URL pattern is costly; a post names a link with a scheme, "www." or a common
    # suffix ("e.g.", "Dr.Lee", "2.5 mg" do not wake it). Patient portal links have their own
    # recognizer (PATIENT_URL).
    "URL": r"https?://|www\.|\w\.(?:com|org|net|edu|gov|io|co|us|ly|me|app|health|care|clinic|info|biz|link)\b",
    "IP_ADDRESS": r"\d\.\d|:",
    "US_SSN": r"\d{3}",
    "CREDIT_CARD": r"\d{4}",
    "PHONE_NUMBER": r"\d{3}",
    "US_DRIVER_LICENSE": r"licen[cs]e|\bDL\b|driver",
    "MEDICAL_LICENSE": r"\bdea\b|licen[cs]e",
}


def entity_gates(specs: list[PatternSpec]) -> dict[str, re.Pattern[str] | None]:
    """Per entity, a pre-check that must match for any of its recognizers to find something;
    None when some recognizer of the entity (spaCy's NER, say) has no such pre-check."""
    gates: dict[str, list[str] | None] = {"PERSON": None, "LOCATION": None, "DATE_TIME": None}
    sources = [(entity, rx) for entity, rx in PRESIDIO_REQUIRES.items()]
    sources += [(spec.entity, spec.requires.pattern if spec.requires else None) for spec in specs]
    for entity, rx in sources:
        if entity in gates and gates[entity] is None:
            continue
        gates[entity] = None if rx is None else [*gates.get(entity, []), rx]
    return {e: None if rxs is None else re.compile("|".join(rxs), re.IGNORECASE) for e, rxs in gates.items()}


def build_registry(specs: list[PatternSpec]) -> RecognizerRegistry:
    registry = RecognizerRegistry(supported_languages=["en"])
    for recognizer in (
        SpacyRecognizer(supported_entities=["PERSON", "LOCATION", "DATE_TIME"]),
        OfflineEmailRecognizer(),
        # Only North American numbers: with the default regions "555-201-3344" comes back as
        # a UK NHS number (phi-notes.md), and posts here are written for US audiences.
        PhoneRecognizer(supported_regions=("US", "CA")),
        UrlRecognizer(),
        IpRecognizer(),
        UsSsnRecognizer(),
        CreditCardRecognizer(),
        UsLicenseRecognizer(),
        MedicalLicenseRecognizer(),
        DateRecognizer(),
        FirstNameRecognizer(),
        *(spec.recognizer for spec in specs),
    ):
        registry.add_recognizer(recognizer)
    return registry


class PhiAnalyzer:
    """Runs Presidio's recognizers over an already-parsed paragraph."""

    # Weak pattern hits (e.g. Presidio's driver-licence "weak" regex at 0.01) are noise.
    MIN_SCORE = 0.3

    def __init__(self, nlp: Language):
        self.nlp_engine = SharedSpacyNlpEngine(nlp)
        specs = load_pattern_specs()  # once: the recognizers and their pre-checks come from it
        self.engine = AnalyzerEngine(
            registry=build_registry(specs), nlp_engine=self.nlp_engine, supported_languages=["en"],
            context_aware_enhancer=NoContextBoost(),
        )
        self.gates = entity_gates(specs)

    def analyze(self, doc: Doc) -> list[RecognizerResult]:
        text = text_of(doc)
        entities = [e for e, gate in self.gates.items() if gate is None or gate.search(text)]
        results = self.engine.analyze(
            text=text, language="en", entities=entities, nlp_artifacts=self.nlp_engine.artifacts(doc)
        )
        return [r for r in results if r.score >= self.MIN_SCORE]
