"""Loading the spaCy pipeline once, offline, with only the components Carelint uses."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

# Carelint reads entities (Presidio, names) and sentences (context); rules match on lowercase
# forms with generated inflections. Nothing reads the parse, tags or lemmas, so the parser,
# tagger, attribute ruler and lemmatizer are left out (a check per keystroke pays for each),
# and a rule-based sentencizer gives sentences. The shared tok2vec fed only those components:
# the sm/md/lg NER embeds its own, so with nobody listening the shared one is dropped too
# (it cost about 40% of a check). A model whose NER listens to it (trf) keeps it.
EXCLUDED_COMPONENTS = ("parser", "senter", "tagger", "attribute_ruler", "lemmatizer")


class ModelNotFound(RuntimeError):
    pass


def load_pipeline(model: str) -> Language:
    """Load an installed spaCy package or a model directory. Never downloads anything."""
    is_path = Path(model).exists()
    if not is_path and importlib.util.find_spec(model.replace("-", "_")) is None:
        raise ModelNotFound(
            f"spaCy model {model!r} is not installed. Install the pinned model with `make install` "
            "or set CARELINT_MODEL to an installed spaCy package or a model directory."
        )
    nlp = spacy.load(model, exclude=list(EXCLUDED_COMPONENTS))
    for name in unheard_embedders(nlp):
        nlp.remove_pipe(name)
    if "sentencizer" not in nlp.pipe_names:
        nlp.add_pipe("sentencizer", first=True)
    return nlp


def unheard_embedders(nlp: Language) -> list[str]:
    """Shared embedding components (tok2vec, transformer) that no remaining component listens to."""
    return [
        name for name, component in nlp.pipeline
        if hasattr(component, "listening_components") and not component.listening_components
    ]


_TEXT_KEY = ("carelint", "text")


def text_of(doc: Doc) -> str:
    """`doc.text`, built once: spaCy rebuilds the string from the tokens on every access, and each
    detector needs it (about 0.15 ms a paragraph each time)."""
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.user_data[_TEXT_KEY] = doc.text
    return text
