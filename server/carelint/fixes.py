"""Fixes: ranged edits that read well in place.

A rule says which kinds of fix it offers (data: `fix` in the rule packs and in
phi/data/identifiers.toml); this module turns each kind into an edit of the paragraph — a range
and its new text — that keeps the seams intact: capitals at a sentence start, the article before
a replaced noun ("an addict" -> "a person with…"), one space between words, no space before
punctuation, no empty line left behind.

The kinds:
  replace          the flagged words -> each of the rule's replacement phrases (its `suggestions`)
  remove           delete the flagged words (with a label word just before them: "MRN 12345")
  remove-name      a patient's name: delete it after "our patient", else say "our patient"
  remove-sentence  delete the whole sentence (a claim or advice that cannot be made honest)
  rewrite          replace the whole sentence with the rule's safe sentence (`rewrite`)
  sentence-case    the flagged words in sentence case (shouting)

Edits are computed per paragraph (where spaCy's sentences are) and shifted with their finding;
engine.py converts their offsets to the unit asked for, with the finding's own.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal, get_args

FixKind = Literal["replace", "remove", "remove-name", "remove-sentence", "rewrite", "sentence-case"]
FIX_KINDS: tuple[FixKind, ...] = get_args(FixKind)


@dataclass(frozen=True)
class Edit:
    """Replace text[start:end] with `text` (code points into the text the finding is in)."""

    label: str
    start: int
    end: int
    text: str

    def shifted(self, delta: int) -> Edit:
        return replace(self, start=self.start + delta, end=self.end + delta)


@dataclass(frozen=True)
class FixSpec:
    """What a rule offers: kinds in order, the replacement phrases and the safe sentence."""

    kinds: tuple[FixKind, ...] = ()
    replacements: tuple[str, ...] = ()
    plural_replacements: tuple[str, ...] = ()
    rewrite: str | None = None
    rewrite_label: str = "Rewrite the sentence"
    # Replacements only after these words (a regex): "in Springfield" -> "in our community",
    # never "suffers from MS" -> "suffers from our community".
    replace_after: str | None = None


def check_kinds(kinds: Sequence[str], replacements: Sequence[str], rewrite: str | None,
                where: str) -> tuple[FixKind, ...]:
    """Validate a `fix` list read from data; the message names where it came from."""
    for kind in kinds:
        if kind not in FIX_KINDS:
            raise ValueError(f"{where}: unknown fix kind {kind!r} (known: {', '.join(FIX_KINDS)})")
    if "replace" in kinds and not replacements:
        raise ValueError(f"{where}: fix 'replace' needs suggestions")
    if "rewrite" in kinds and not rewrite:
        raise ValueError(f"{where}: fix 'rewrite' needs a `rewrite` sentence")
    return tuple(kinds)  # type: ignore[return-value]


def default_kinds(explicit: Sequence[str] | None, replacements: Sequence[str], rewrite: str | None,
                  fallback: Sequence[str] = ()) -> list[str]:
    """A rule's kinds: its own `fix` list, else replace (if it has phrases), rewrite (if it has
    a safe sentence), then the pack's fallback."""
    if explicit is not None:
        return list(explicit)
    kinds = (["rewrite"] if rewrite else []) + (["replace"] if replacements else [])
    return kinds + [k for k in fallback if k not in kinds]


# -- the edits --------------------------------------------------------------------------------

_PATIENT_BEFORE = re.compile(
    r"(?i)\b(?:patients?|clients?|residents?|members?|survivors?|mom|mum|dad|baby|babies|grads?|graduates?)"
    r"[ \t]*[,:]?[ \t]*$")
# Words that label an identifier ("MRN 12345", "room 5D", "on March 3"): removed with it.
_LEAD_IN = re.compile(
    r"(?i)(?:\b(?:name|patient name|mrn|mr|chart|record|acct|account|member|policy|plan|id|rx|room|rm|bed|unit|"
    r"phone|tel|cell|mobile|fax|e-?mail|ssn|dob|born|no|nos|number|on|since|at|from|in|to|until|by)\b\.?|[#@])"
    r"[ \t]*[:#.]?[ \t]*$")
_ARTICLE_BEFORE = re.compile(r"(?i)\b(an?)([ \t]+)$")
_DETERMINER_BEFORE = re.compile(r"(?i)\b(?:the|your|our|their|his|her|my|this|that)[ \t]+$")
_STARTS_WITH_DETERMINER = re.compile(r"(?i)^(?:a|an|the|our|your|their|his|her|my|this|these|those|some)\b")
_AN_SOUND = re.compile(
    r"(?i)^(?:[aeio]|u(?!ni|s[eu]|ti|ro|re)|hour|honest|honou?r|heir|"
    r"(?:fda|mri|npi|mrn|x-?ray|hiv|std|sti|ms|er|icu|ot|rn)\b)")
_WORD = re.compile(r"\w+")


def edits_for(text: str, start: int, end: int, spec: FixSpec, sentences: Sequence[tuple[int, int]],
              fits: Callable[[str, tuple[int, int]], bool] = lambda phrase, sentence: True) -> tuple[Edit, ...]:
    """The edits `spec` offers for the finding text[start:end]; `sentences` are the paragraph's
    sentence bounds (code points); `fits(phrase, sentence)` says whether a replacement phrase can stand
    where the flagged words stand (Grammar.fits). Kinds that do not apply here give no edit."""
    sent = _sentence_around(sentences, start, end, len(text))
    out: list[Edit] = []
    for kind in spec.kinds:
        if kind == "replace":
            plural = spec.plural_replacements and _looks_plural_word(text[start:end])
            phrases = spec.plural_replacements if plural else spec.replacements
            if spec.replace_after and not re.search(rf"(?i)\b(?:{spec.replace_after})\s+$", text[sent[0]:start]):
                phrases = ()
            out.extend(replace_phrase(text, start, end, p, sent[0]) for p in phrases if fits(p, sent))
        elif kind == "remove":
            out.append(remove_phrase(text, *_with_lead_in(text, start, end), sent[0], f"Remove “{text[start:end]}”"))
        elif kind == "remove-name":
            if _PATIENT_BEFORE.search(text[sent[0]:start]):
                out.append(remove_phrase(text, start, end, sent[0], "Remove the name"))
            else:
                out.append(replace_phrase(text, start, end, "our patient", sent[0], label="Remove the name"))
        elif kind == "remove-sentence":
            out.append(remove_sentence(text, *sent))
        elif kind == "rewrite" and spec.rewrite:
            out.append(rewrite_sentence(text, *sent, spec.rewrite, spec.rewrite_label))
        elif kind == "sentence-case":
            cased = sentence_case(text[start:end], at_sentence_start=start == sent[0])
            if cased != text[start:end]:
                out.append(Edit("Use sentence case", start, end, cased))
    # The same result twice (two phrases that collapse to one) is offered once.
    unique: dict[tuple[int, int, str], Edit] = {}
    for e in out:
        unique.setdefault((e.start, e.end, e.text), e)
    return tuple(unique.values())


def is_removal(edit: Edit, text: str) -> bool:
    """The edit only takes words out (with the next word capitalised at the seam), adding none."""
    if edit.text == "":
        return True
    return len(edit.text) == 1 and edit.end > edit.start and text[edit.end - 1].upper() == edit.text


def replace_phrase(text: str, start: int, end: int, phrase: str, sent_start: int, label: str | None = None) -> Edit:
    """text[start:end] -> phrase, with its case, the article before it, and a capital at a
    sentence start."""
    original = text[start:end]
    new = _match_case(phrase, original, at_sentence_start=start == sent_start)
    article = _ARTICLE_BEFORE.search(text[sent_start:start])
    determiner = _DETERMINER_BEFORE.search(text[sent_start:start])
    if determiner and re.match(r"(?i)^(?:a|an|the)\b", phrase):
        # "the scourge" -> "a serious health challenge", not "the a serious…"
        d_start = sent_start + determiner.start()
        new = _match_case(phrase, text[d_start:start], at_sentence_start=d_start == sent_start)
        start = d_start
    elif article:
        a_start = sent_start + article.start(1)
        if _STARTS_WITH_DETERMINER.match(phrase) or _looks_plural_phrase(phrase):
            # "an addict" -> "people with…" / "a the…": the old article goes.
            new = _match_case(new, text[a_start:start], at_sentence_start=a_start == sent_start)
            start = a_start
        else:
            fitting = "an" if _AN_SOUND.match(phrase) else "a"
            old = article.group(1)
            if fitting != old.lower():
                fitting = fitting.capitalize() if old[0].isupper() else fitting
                new = fitting + article.group(2) + new
                start = a_start
    return Edit(label or f"Replace with “{phrase}”", start, end, new)


def remove_phrase(text: str, start: int, end: int, sent_start: int, label: str) -> Edit:
    """Delete text[start:end] and one space beside it; a sentence start keeps its capital, and
    no space is left before punctuation."""
    before, after = text[:start], text[end:]
    if start == sent_start or not before.strip():
        # Removing the sentence's first words: drop the spaces and punctuation that followed
        # them and capitalise the next word.
        skip = len(after) - len(after.lstrip(" \t,;:–—-"))
        nxt = end + skip
        if nxt < len(text) and text[nxt].isalpha():
            return Edit(label, start, nxt + 1, text[nxt].upper())
        return Edit(label, start, nxt, "")
    spaces_before = len(before) - len(before.rstrip(" \t"))
    if before.rstrip(" \t").endswith(",") and after[:1] == ",":
        # A parenthetical between commas: "Maria, fax 555…, is" -> "Maria is".
        return Edit(label, len(before.rstrip(" \t")) - 1, end + 1, "")
    if not after or after[0] in " \t":
        # "a b c" -> "a c"; at the end of a line, "a b" -> "a".
        return Edit(label, start - spaces_before, end, "")
    if after[0] in ",.;:!?)…" and spaces_before:
        return Edit(label, start - spaces_before, end, "")  # "thanks @dan, glad" -> "thanks, glad"
    return Edit(label, start, end, "")


def remove_sentence(text: str, s_start: int, s_end: int) -> Edit:
    """Delete the sentence and the spaces after it; a paragraph left empty goes with its line break."""
    line_start = text.rfind("\n", 0, s_start) + 1
    line_end = text.find("\n", s_end)
    line_end = len(text) if line_end < 0 else line_end
    end = s_end + (len(text[s_end:line_end]) - len(text[s_end:line_end].lstrip(" \t")))
    start = s_start
    if not text[line_start:s_start].strip() and text[end:line_end].strip() and text[end].islower():
        # The line's first sentence goes: the next one starts with a capital.
        return Edit("Remove the sentence", s_start, end + 1, text[end].upper())
    if not text[line_start:s_start].strip() and not text[end:line_end].strip():
        # The whole line goes, with the line breaks after it (or before it, on the last line).
        after = len(text) - len(text[line_end:].lstrip("\n")) if line_end < len(text) else line_end
        if after < len(text):
            return Edit("Remove the sentence", line_start, after, "")
        before = len(text[:line_start].rstrip("\n"))
        return Edit("Remove the sentence", before, len(text), "")
    if end == line_end:
        # The last sentence of its line: the spaces before it go instead.
        start = line_start + len(text[line_start:s_start].rstrip(" \t"))
    return Edit("Remove the sentence", start, end, "")


def rewrite_sentence(text: str, s_start: int, s_end: int, sentence: str, label: str) -> Edit:
    """Replace the sentence (not the spaces after it) with `sentence`."""
    body = text[s_start:s_end].rstrip()
    return Edit(label, s_start, s_start + len(body), sentence)


def sentence_case(words: str, at_sentence_start: bool) -> str:
    lowered = words.lower()
    lowered = re.sub(r"\bi\b", "I", lowered)
    if at_sentence_start:
        return lowered[:1].upper() + lowered[1:]
    return lowered


# -- helpers ----------------------------------------------------------------------------------


def _sentence_around(sentences: Sequence[tuple[int, int]], start: int, end: int, length: int) -> tuple[int, int]:
    """The bounds of the sentence(s) holding [start, end), else the whole paragraph."""
    first = next((s for s, e in sentences if s <= start < max(e, s + 1)), None)
    last = next((e for s, e in sentences if s < end <= e), None)
    return (0 if first is None else first, length if last is None else last)


def _with_lead_in(text: str, start: int, end: int) -> tuple[int, int]:
    lead = _LEAD_IN.search(text[max(0, start - 24):start])
    if lead:
        start = max(0, start - 24) + lead.start()
    return start, end


def _looks_plural_word(words: str) -> bool:
    last = words.split()[-1].lower() if words.split() else ""
    return last.endswith("s") and not last.endswith("ss")


def _looks_plural_phrase(phrase: str) -> bool:
    first = phrase.split()[0].lower() if phrase.split() else ""
    return first in {"people", "children", "babies", "groups", "adults", "patients", "families"}


def _match_case(phrase: str, original: str, at_sentence_start: bool) -> str:
    """ADDICT -> PERSON WITH…; a sentence start (or an original with a capital) gets one."""
    letters = [c for c in original if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters) and len(original) > 3:
        return phrase.upper()
    if at_sentence_start:
        return phrase[:1].upper() + phrase[1:]
    if len(phrase) > 1 and phrase[0].isupper() and phrase[1].islower():
        # "Call or text 988" mid-sentence reads "call or text 988".
        return phrase[0].lower() + phrase[1:]
    return phrase


def sentence_bounds(doc) -> list[tuple[int, int]]:
    """(start, end) code points of each sentence of a spaCy Doc (the paragraph if it has none)."""
    spans = [(0, len(doc.text))]
    if doc.has_annotation("SENT_START"):
        spans = [(s.start_char, s.end_char) for s in doc.sents]
    out = []
    for start, end in spans:  # a line break ends a sentence in a post, whatever the parser thinks
        for line in re.finditer(r"[^\n]+", doc.text[start:end]):
            if line.group().strip():
                out.append((start + line.start(), start + line.start() + len(line.group().rstrip())))
    return out




class Grammar:
    """Whether a replacement phrase can stand where the flagged words stand, judged by spaCy's
    tagger and parser: a noun phrase for a noun of the same number with no modifier in front of
    it ("an opioid addict" cannot become "an opioid person with…"), an adjective or a
    prepositional phrase for an adjective said of someone ("he's been clean" -> "in recovery"),
    only an adjective for one in front of a noun, a verb in the same form ("suffers from" ->
    "lives with", not "suffer from" -> "lives with").

    The check pipeline runs without tagger and parser (speed); they are loaded from the same
    model on the first replacement judged, and parse only the sentence that needs them. They
    share the check pipeline's vocabulary and bounded tokenizer (one copy of the strings in
    memory; a run of emoji costs no more here than in a check), and parse inside a memory zone
    that keeps only the verdicts: words of users' posts do not pile up in the vocabulary."""

    def __init__(self, model_path, nlp=None):
        self.model_path = model_path
        self._nlp = nlp  # the check pipeline, whose vocabulary and tokenizer are shared
        self._parser = None
        self._lock = threading.Lock()
        self._roles: dict[str, tuple[str, str, bool]] = {}
        self._verdicts: dict[tuple[str, int, int, str], bool] = {}

    @property
    def loaded(self) -> bool:
        return self._parser is not None

    def _load(self):
        if self._parser is None:
            import spacy  # here, not at import: fixes.py is data-only for everything else

            if self._nlp is None:
                self._parser = spacy.load(self.model_path, exclude=["ner", "lemmatizer"])
            else:
                # "vocab" excluded: loading it into the shared vocabulary would replace its
                # lexeme and string tables under the check pipeline (inside a check's memory
                # zone, whose exit then clears keys the new tables never had, until their
                # lookups loop for ever). It is the same model's vocabulary, already loaded.
                self._parser = spacy.load(self.model_path, exclude=["ner", "lemmatizer", "vocab"],
                                          vocab=self._nlp.vocab)
                self._parser.tokenizer = self._nlp.tokenizer
        return self._parser

    @contextlib.contextmanager
    def _zone(self):
        """The parser, inside a memory zone unless the check pipeline already holds one over the
        shared vocabulary (zones do not nest; that one frees these words too)."""
        parser = self._load()
        if parser.vocab.in_memory_zone:
            yield parser
        else:
            with parser.memory_zone():
                yield parser

    def phrase_role(self, phrase: str) -> tuple[str, str, bool]:
        """(role, tag, bare) of a replacement phrase: a verb phrase if it starts with a verb ("has
        a…", "lives with"), a prepositional phrase if with a preposition, an adjective if it is
        one word of that kind, else a noun phrase whose number is its head noun's (the last noun
        before any "with"/"who"). `bare`: nouns and adjectives only ("substance use"), so it
        can stand in front of another noun."""
        with self._lock:
            if phrase not in self._roles:
                with self._zone() as parser:
                    self._roles[phrase] = self._role(parser(phrase))
            return self._roles[phrase]

    @staticmethod
    def _role(doc) -> tuple[str, str, bool]:
        first = doc[0]
        bare = all(t.pos_ in ("NOUN", "PROPN", "ADJ", "NUM") or t.text == "-" for t in doc)
        if first.pos_ in ("VERB", "AUX") and not (len(doc) == 1 and first.tag_ == "VBN"):
            return (first.pos_, first.tag_, False)
        elif first.pos_ == "ADP":
            return ("ADP", first.tag_, False)
        elif len(doc) == 1 and (first.pos_ == "ADJ" or first.tag_ == "VBN"):
            return ("ADJ", first.tag_, True)
        else:
            lead = []
            for t in doc:
                if t.pos_ not in ("DET", "ADJ", "NOUN", "PROPN", "NUM") and t.text != "-":
                    break
                lead.append(t)
            nouns = [t for t in lead if t.pos_ in ("NOUN", "PROPN")]
            return ("NOUN", nouns[-1].tag_ if nouns else first.tag_, bare)

    def fits(self, text: str, sentence: tuple[int, int], start: int, end: int, phrase: str) -> bool:
        role = self.phrase_role(phrase)
        key = (text[sentence[0]:sentence[1]], start - sentence[0], end - sentence[0], phrase)
        with self._lock:
            if key not in self._verdicts:
                if len(self._verdicts) > 4096:
                    self._verdicts.clear()
                with self._zone() as parser:
                    self._verdicts[key] = self._fits(parser(key[0]), key[1], key[2], role)
            return self._verdicts[key]

    @staticmethod
    def _fits(doc, start: int, end: int, role: tuple[str, str, bool]) -> bool:
        span = doc.char_span(start, end, alignment_mode="expand")
        if span is None or not len(span):
            return True
        head = span.root
        pos, tag, bare = role
        if head.dep_ in ("compound", "amod", "nmod", "npadvmod") and head.head.i >= span.end:
            return bare  # a modifier in front of a noun: "substance use screening"
        if head.pos_ in ("NOUN", "PROPN", "PRON"):
            if any(t.dep_ in ("amod", "compound", "nummod", "nmod") and t.i < span.start for t in head.children):
                return False
            plural = head.tag_ in ("NNS", "NNPS")
            return pos in ("NOUN", "PROPN") and (tag in ("NNS", "NNPS")) == plural
        if head.pos_ == "ADJ" or head.tag_ == "VBN" and head.dep_ in ("acomp", "amod", "oprd"):
            return pos == "ADJ" or (pos == "ADP" and head.dep_ != "amod")
        if head.pos_ in ("VERB", "AUX"):
            same = {head.tag_} | ({"VBD", "VBN"} if head.tag_ in ("VBD", "VBN") else set())
            return pos in ("VERB", "AUX") and tag in same
        return pos == head.pos_
