"""Loading the spaCy pipeline once, offline, with only the components Carelint uses."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import spacy
from spacy.language import Language

# Presidio needs entities and lemmas; rules need lemmas, tags and sentences. The dependency
# parser is the slowest component and nothing reads it, so a rule-based sentencizer replaces it.
EXCLUDED_COMPONENTS = ("parser", "senter")


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
    if "sentencizer" not in nlp.pipe_names:
        nlp.add_pipe("sentencizer", first=True)
    return nlp
