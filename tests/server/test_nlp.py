"""The spaCy pipeline Carelint loads: only what it reads, and the same entities as the full model."""

import spacy

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
