"""Work per token, per paragraph and per request is bounded, whatever is pasted."""

from hypothesis import given, settings
from hypothesis import strategies as st

from carelint.engine import Analysed, Checker, ParagraphCache
from carelint.nlp import BoundedTokenizer
from carelint.settings import Policy
from carelint.text import Text

RUNS = {
    "emoji": "😀" * 5000,
    "punctuation": "!?" * 3000,
    "hash": "a1b2c3d4" * 800,
    "url": "https://example.com/" + "a/b" * 1500,
    "zwj": "👩‍👩‍👧" * 1000,
}


def test_long_runs_keep_their_text_and_lose_their_cost(nlp):
    for name, run in RUNS.items():
        text = f"Our patient Maria Gonzalez {run} went home."
        doc = nlp.tokenizer(text)
        assert doc.text == text, name
        # No token is built from more than one piece of a long run, and a run of symbols is a
        # handful of tokens instead of one per emoji.
        assert max(len(t.text) for t in doc) <= BoundedTokenizer.MAX_RUN, name
        if name in ("emoji", "punctuation", "zwj"):
            assert len(doc) < len(run) / 20, name


def test_ordinary_text_is_tokenized_as_before(nlp):
    text = "Congrats to our patient Maria Gonzalez 🎉 (call 555-201-3344) #NICUgrad"
    assert [t.text for t in nlp.tokenizer(text)] == [t.text for t in nlp.tokenizer.inner(text)]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab.,!? \n😀@#-/1")), min_size=0, max_size=600))
def test_bounded_tokenizer_never_changes_the_text(nlp, text):
    assert nlp.tokenizer(text).text == text


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab. \n😀!")), min_size=0, max_size=9000))
def test_paragraphs_are_bounded_and_cover_the_post(text):
    pieces = Text(text).paragraphs()
    assert all(len(p.text) <= Text.MAX_PARAGRAPH_CHARS for p in pieces)
    assert all(text[p.start : p.start + len(p.text)] == p.text for p in pieces)
    assert all(a.start + len(a.text) <= b.start for a, b in zip(pieces, pieces[1:], strict=False))


def test_long_paragraphs_are_cut_after_a_sentence():
    sentence = "Flu shots are available at every clinic this week. "
    pieces = Text(sentence * 100).paragraphs()
    assert len(pieces) > 1
    assert all(p.text.endswith(". ") for p in pieces[:-1])


def test_a_spent_budget_answers_with_what_it_has_and_says_so(nlp):
    checker = Checker(nlp, budget_s=1e-9)  # the clock has run out before the first step
    text = "Our patient Maria Gonzalez went home.\n\n" + "Flu shots today. " * 300
    result = checker.check(text, offset_unit="utf16")
    assert result.complete is False
    assert result.findings == []
    assert [(r.start, r.end) for r in result.unchecked][0][0] == 0
    assert result.unchecked[-1].end == len(text)


def test_checking_again_continues_where_the_budget_stopped(nlp):
    checker = Checker(nlp, budget_s=1e-9)
    text = "Our patient Maria Gonzalez went home today."
    assert not checker.check(text).complete
    checker.budget_s = None  # e.g. the next request, with time to spare
    assert checker.check(text).complete
    checker.budget_s = 1e-9  # now everything is cached: complete even with no time at all
    result = checker.check(text)
    assert result.complete and any(f.text == "Maria Gonzalez" for f in result.findings)


def test_a_short_post_batched_with_a_huge_one_is_checked_first(nlp):
    from carelint.engine import CheckRequest

    checker = Checker(nlp, with_rules=False)
    checker.BUDGET_STEP_CHARS = 1  # one paragraph per step
    order = []

    class Spy:
        name = "spy"

        def prepare(self, paragraphs, langs):
            return None

        def detect(self, doc, ctx):
            order.append(doc.text)
            return []

    checker.detectors.append(Spy())
    huge = "\n\n".join(f"Paragraph {i} about flu shots." for i in range(20))
    short = "Our patient Maria Gonzalez went home."
    checker.budget_s = 60.0
    checker.check_many([CheckRequest(huge), CheckRequest(short)])
    assert order.index(short) < order.index("Paragraph 1 about flu shots.")


def test_the_cache_keys_a_large_policy_by_a_short_hash():
    policy = Policy(staff_names=[f"Staff Member {i}" for i in range(2000)])
    assert len(policy.version()) == 32
    assert policy.version() == Policy(**policy.model_dump()).version()
    assert policy.version() != Policy().version()


def test_the_cache_is_bounded_by_bytes():
    cache = ParagraphCache(size=10_000, max_bytes=200_000)
    for i in range(1000):
        cache.put((f"{i} " + "x" * 1000, "v"), Analysed([]))
    assert cache.bytes <= 200_000
    assert 0 < len(cache) < 1000
    assert cache.get(("999 " + "x" * 1000, "v")) == Analysed([])  # the newest stays
