"""Loading the spaCy pipeline once, offline, with only the components Carelint uses."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

# Carelint reads entities (Presidio, names) and sentences (context); rules match on lowercase
# forms with generated inflections. Nothing reads the parse, tags or lemmas, so the parser,
# tagger, attribute ruler and lemmatizer are left out (a check per keystroke pays for each),
# and a rule-based sentencizer gives sentences. The shared tok2vec fed only those components:
# the sm/md/lg NER embeds its own, so with nobody listening the shared one is dropped too
# (it cost about 40% of a check). A model whose NER listens to it (trf) keeps it.
EXCLUDED_COMPONENTS = ("parser", "senter", "tagger", "attribute_ruler", "lemmatizer")


STANDARD_TOKENIZER = "spacy.Tokenizer.v1"


class ModelNotFound(RuntimeError):
    pass


@spacy.registry.tokenizers("carelint.UnfilledTokenizer.v1")
def unfilled_tokenizer():
    """A tokenizer without rules, for a model that stores its own. spaCy first builds the
    language's default tokenizer (some 2,700 special cases) and then replaces all of it with the
    model's saved one; starting empty skips that first build (0.1-0.2 s of every start)."""
    return lambda nlp: Tokenizer(nlp.vocab)


def _config_path(model: str, is_path: bool) -> Path:
    if is_path:
        return Path(model) / "config.cfg"
    package = spacy.util.get_package_path(model)
    meta = spacy.util.load_meta(package / "meta.json")
    return package / f"{meta['lang']}_{meta['name']}-{meta['version']}" / "config.cfg"


def _load_overrides(model: str, is_path: bool) -> dict:
    """Start from an unfilled tokenizer when the model saved spaCy's standard one (any other
    tokenizer is built as the model says)."""
    try:
        config = spacy.util.load_config(_config_path(model, is_path))
        standard = config["nlp"]["tokenizer"].get("@tokenizers") == STANDARD_TOKENIZER
    except (OSError, KeyError, ValueError):
        return {}
    return {"nlp": {"tokenizer": {"@tokenizers": "carelint.UnfilledTokenizer.v1"}}} if standard else {}


def load_pipeline(model: str) -> Language:
    """Load an installed spaCy package or a model directory. Never downloads anything."""
    is_path = Path(model).exists()
    if not is_path and importlib.util.find_spec(model.replace("-", "_")) is None:
        raise ModelNotFound(
            f"spaCy model {model!r} is not installed. Install the pinned model with `make install` "
            "or set CARELINT_MODEL to an installed spaCy package or a model directory."
        )
    nlp = spacy.load(model, exclude=list(EXCLUDED_COMPONENTS), config=_load_overrides(model, is_path))
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
