"""The spaCy pipeline Carelint loads: only what it reads, and the same entities as the full model."""

import spacy
from spacy.symbols import ORTH

from carelint.language import abbreviations as language_abbreviations
from carelint.nlp import load_pipeline, unheard_embedders
from carelint.settings import DEFAULT_MODEL

POSTS = [
    "Congrats to our patient Maria Gonzalez on her recovery! Dr. Alan Park says she went home Tuesday.",
    "Join us at St. Mary's Hospital in Springfield, Ohio on March 3rd for a free flu shot clinic.",
    "Thank you John Smith for the kind review. We hope to see you and Linda at the Boston office soon.",
]


def test_components_nobody_reads_are_left_out(nlp):
    assert nlp.pipe_names == ["sentencizer", "ner"]
    assert unheard_embedders(nlp) == []


def test_entities_are_those_of_the_full_model(nlp):
    full = spacy.load(DEFAULT_MODEL)
    for post in POSTS:
        expected = [(e.start_char, e.end_char, e.label_) for e in full(post).ents]
        assert [(e.start_char, e.end_char, e.label_) for e in nlp(post).ents] == expected
        assert expected  # the posts do have entities, so the comparison says something


def test_an_embedder_someone_listens_to_is_kept():
    # With the tagger kept, the shared tok2vec feeds it and must stay.
    full = spacy.load(DEFAULT_MODEL, exclude=["parser", "lemmatizer", "attribute_ruler", "senter"])
    assert unheard_embedders(full) == []
    assert "tok2vec" in full.pipe_names
    alone = spacy.load(DEFAULT_MODEL, exclude=["parser", "lemmatizer", "attribute_ruler", "senter", "tagger"])
    assert unheard_embedders(alone) == ["tok2vec"]
    assert load_pipeline(DEFAULT_MODEL).pipe_names == ["sentencizer", "ner"]


def test_the_unfilled_tokenizer_ends_up_as_the_models_own(nlp):
    """load_pipeline starts from an empty tokenizer and fills it from the model's files; the
    only additions are the languages' abbreviations kept whole ("Sra. Gómez", data/languages.toml)."""
    own = spacy.load(DEFAULT_MODEL).tokenizer
    for abbreviation in language_abbreviations():
        own.add_special_case(abbreviation, [{ORTH: abbreviation}])
    assert nlp.tokenizer.to_bytes(exclude=["vocab"]) == own.to_bytes(exclude=["vocab"])
    assert [t.text for t in nlp("Sra. Gómez vino.")] == ["Sra.", "Gómez", "vino", "."]
    assert nlp.config["nlp"]["tokenizer"]["@tokenizers"] == "carelint.UnfilledTokenizer.v1"


def test_a_model_with_another_tokenizer_is_built_as_it_says(tmp_path):
    from carelint.nlp import _load_overrides

    standard = tmp_path / "standard"
    spacy.blank("en").to_disk(standard)
    assert _load_overrides(str(standard), is_path=True)
    assert load_pipeline(str(standard))("Dr. Smith's visit, e.g. today.")[1].text == "Smith"

    other = tmp_path / "other"
    spacy.blank("en").to_disk(other)
    config = (other / "config.cfg").read_text()
    (other / "config.cfg").write_text(config.replace('"spacy.Tokenizer.v1"', '"spacy.ChineseTokenizer"'))
    assert _load_overrides(str(other), is_path=True) == {}
    assert _load_overrides(str(tmp_path / "missing"), is_path=True) == {}
