"""Loading the spaCy pipeline once, offline, with only the components Carelint uses."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.symbols import ORTH
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from carelint.language import abbreviations as language_abbreviations

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


_ALNUM = re.compile(r"[^\W_]")


class BoundedTokenizer:
    """spaCy's tokenizer with its work per token bounded.

    spaCy peels prefixes and suffixes off a whitespace-free run one at a time and searches the
    rest again each time, so a long run of emoji or punctuation costs time quadratic in its
    length (5,000 emoji: 4.7 s, holding the GIL, so the server stops answering). Runs longer
    than MAX_RUN are cut in MAX_RUN pieces and the pieces joined: the Doc's text is the input,
    unchanged; only a token boundary may appear inside such a run. A piece with no letter or
    digit (emoji, punctuation) is one token, so 20,000 emoji do not become 20,000 tokens for the
    NER to read. Text without such a run goes to the tokenizer as it is.
    """

    MAX_RUN = 100
    _LONG_RUN = re.compile(rf"\S{{{MAX_RUN + 1},}}")

    def __init__(self, tokenizer):
        self.inner = tokenizer
        self.vocab = tokenizer.vocab

    def __call__(self, text: str) -> Doc:
        if not self._LONG_RUN.search(text):
            return self.inner(text)
        docs = [self.inner(piece) if piece.isspace() or _ALNUM.search(piece) else Doc(self.vocab, [piece], [False])
                for piece in self.pieces(text)]
        return Doc.from_docs(docs, ensure_whitespace=False)

    def pipe(self, texts, batch_size: int = 1000):
        for text in texts:
            yield self(text)

    @classmethod
    def pieces(cls, text: str) -> list[str]:
        """`text` cut so that no piece holds more than MAX_RUN non-space characters in a row."""
        out, pos = [], 0
        for m in cls._LONG_RUN.finditer(text):
            if m.start() > pos:
                out.append(text[pos : m.start()])
            out.extend(text[i : min(i + cls.MAX_RUN, m.end())] for i in range(m.start(), m.end(), cls.MAX_RUN))
            pos = m.end()
        if pos < len(text):
            out.append(text[pos:])
        return out

    def __getattr__(self, name):  # rules, special cases and the rest stay the inner tokenizer's
        return getattr(self.inner, name)


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
    for abbreviation in language_abbreviations():  # "Sra. Gómez" is one sentence
        nlp.tokenizer.add_special_case(abbreviation, [{ORTH: abbreviation}])
    nlp.tokenizer = BoundedTokenizer(nlp.tokenizer)
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
