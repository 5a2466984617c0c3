"""Offsets in both units, property-tested: text[start:end] == finding.text, always."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carelint.text import Text

# Characters that break naive offset code: astral emoji, ZWJ sequences, skin tones, flags,
# combining marks, CRLF and zero-width characters.
TRICKY = ["🎉", "👩‍⚕️", "👍🏽", "🇺🇸", "é", "e\u0301", "\r\n", "\n\n", "\u200b", "\u200d", "\ufeff", "𝔸", "中"]
PHRASES = ["our patient Maria Gonzalez", "MRN: 4471-220", "call 617-555-0142", "Room 218",
           "guaranteed cure", "turned 93", " ", "Dr. Lee", "@kate_runs", "."]
pieces = st.lists(st.sampled_from(TRICKY + PHRASES) | st.text(max_size=4), max_size=14)


def utf16_slice(text: str, start: int, end: int) -> str:
    return text.encode("utf-16-le")[start * 2 : end * 2].decode("utf-16-le")


@given(st.text(), st.data())
def test_to_unit_matches_javascript_indices(text, data):
    t = Text(text)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    assert utf16_slice(text, t.to_unit(start, "utf16"), t.to_unit(end, "utf16")) == text[start:end]
    assert t.to_unit(len(text), "utf16") == t.utf16_length() == len(text.encode("utf-16-le")) // 2
    assert t.to_unit(start, "codepoint") == start


@given(st.text())
def test_paragraphs_cover_every_non_blank_character(text):
    paragraphs = Text(text).paragraphs()
    for p in paragraphs:
        assert text[p.start : p.start + len(p.text)] == p.text
    covered = {i for p in paragraphs for i in range(p.start, p.start + len(p.text))}
    assert all(i in covered or text[i].isspace() or text[i] in "\u200b" for i in range(len(text)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces)
def test_engine_findings_match_their_text_in_both_units(checker, parts):
    text = "".join(parts)
    for unit in ("codepoint", "utf16"):
        result = checker.check(text, "x", unit)
        for f in result.findings:
            got = text[f.start : f.end] if unit == "codepoint" else utf16_slice(text, f.start, f.end)
            assert got == f.text, (unit, f)


def test_known_emoji_shift():
    text = "👩‍⚕️ our patient Maria Gonzalez"
    t = Text(text)
    start = text.index("Maria")
    assert t.to_unit(start, "utf16") == start + 1  # 👩 is astral (2 units); ZWJ, ⚕ and VS16 are not
