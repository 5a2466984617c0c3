"""PHI detection for one paragraph: Presidio and our recognizers find identifiers, context
decides which belong to a patient, and disclosures of care are found even without a name."""

from __future__ import annotations

import functools
import re
from dataclasses import replace

from spacy.language import Language
from spacy.tokens import Doc

from carelint.detector import CheckContext
from carelint.findings import Finding
from carelint.language import supported as supported_languages
from carelint.nlp import text_of
from carelint.phi.analyzer import PhiAnalyzer
from carelint.phi.context import (
    Candidate,
    Judge,
    ParagraphFacts,
    PolicyIndex,
    PostCues,
    person_received_care,
)
from carelint.phi.cues import ContextCues, all_honorifics, data_dir
from carelint.phi.identifiers import IdentifierSpec, load_registry
from carelint.phi.lexicon import HealthLexicon
from carelint.phi.recognizers.first_names import census_first_names
from carelint.settings import Policy

# Words of shouted sentences that are also census first names ("WILL", "MAY", "JOY").
# A post this short is read as one context: a patient cue anywhere in it is evidence for every
# identifier in it (a wristband's name and MRN; "Thanks, Sarah! Glad your extraction went well").
SHORT_POST_CHARS = 300
SHOUTING_WORDS = frozenset({"is", "are", "the", "and", "you", "your", "will", "may", "can", "not", "now", "new",
                            "free", "stop", "get", "all", "our", "for", "with", "this", "that", "joy", "hope"})

FAX_LABEL = re.compile(r"(?i)\bfax\b\W{0,4}$")


def _trimmed(c: Candidate, text: str) -> Candidate:
    """Drop punctuation, spaces and emoji that recognizers leave at a span's edges."""
    while c.end > c.start and not (text[c.end - 1].isalnum() or text[c.end - 1] in ".)"):
        c.end -= 1
    while c.start < c.end and not (text[c.start].isalnum() or text[c.start] in "@("):
        c.start += 1
    # A bracket the span opens, it closes: "(555-201-3344" takes its ")" along, so removing the
    # number leaves no stray bracket; a ")" it never opened is not part of it.
    span = text[c.start:c.end]
    if span.startswith("(") and ")" not in span:
        if text[c.end:c.end + 1] == ")":
            c.end += 1
        else:
            c.start += 1
    elif span.endswith(")") and "(" not in span:
        c.end -= 1
    return c


def _has_census_name(caps: str) -> bool:
    """'MARIA GONZALEZ' or 'SMITH, JOHN' is a name; 'MEASLES IS BACK' is shouting."""
    words = [w.lower() for w in re.split(r"[\s,]+", caps) if w]
    return any(w in census_first_names() for w in words) and not any(w in SHOUTING_WORDS for w in words)


_WORDS = re.compile(r"\S+")


def _capitalised_name(c: Candidate, doc: Doc, cues: ContextCues) -> Candidate | None:
    """A person or place candidate cut to its capitalised words ('de cadera' is none; 'Gracias
    Julio Ramírez' is 'Julio Ramírez'); particles stay inside a name. None when no name is left,
    only titles ('La Dra'), or one word opening a sentence that no name list knows ('Abrimos',
    'Celebramos': the English model's guess at a Spanish verb)."""
    if c.kind not in ("person", "place") or c.entity not in _NER_ENTITIES:
        return c
    text = text_of(doc)
    words = [(m.start(), m.end(), m.group().strip(".,;:!?¡¿()\"'").lower())
             for m in _WORDS.finditer(text, c.start, c.end)]

    def capitalised(i: int) -> bool:
        first = text[words[i][0]:words[i][1]].lstrip("¡¿(\"'")[:1]
        return first.isupper() or first == "@"

    # Leading words that are no part of a name; a staff or public title ("Dra.", "Alcalde") is cut
    # off too, so the hand-written context sees it before the name.
    skip = cues.not_person_words | cues.not_name_starters
    roles = cues.staff_titles | cues.public_titles
    a, b = 0, len(words)
    while a < b and (not capitalised(a) or words[a][2] in skip or words[a][2] in roles):
        a += 1
    while b > a and not capitalised(b - 1):
        b -= 1
    for i in range(a, b):  # a lowercase word that is no particle ends the name
        if not capitalised(i) and words[i][2] not in cues.name_particles:
            b = i
            while b > a and not capitalised(b - 1):
                b -= 1
            break
    if a >= b or all(w[2] in cues.honorifics or w[2] in skip for w in words[a:b]):
        return None
    if b - a == 1 and _opens_sentence(doc, words[a][0]) and words[a][2] not in census_first_names():
        return None
    return replace(c, start=words[a][0], end=words[b - 1][1])


# What the NER model proposes (Presidio's names for its labels): pattern recognizers that need a
# title or a greeting before a name are read as written.
_NER_ENTITIES = frozenset({"PERSON", "LOCATION"})


def _opens_sentence(doc: Doc, start: int) -> bool:
    """No word between the start of the sentence and the token at `start` ("¡Celebramos…",
    "👶 Abrimos…"); "Sra. Díaz" is no sentence start (the tokenizer keeps "Sra." whole)."""
    span = doc.char_span(start, start + 1, alignment_mode="expand")
    if span is None:
        return False
    i = span.start
    while True:
        if doc[i].is_sent_start or i == 0:
            return True
        i -= 1
        if any(ch.isalnum() for ch in doc[i].text):
            return False


def _in_hashtag(c: Candidate, text: str) -> bool:
    """'#NICUgrad' is a hashtag, not a name; 'Acct #88-1932' is still a number."""
    return c.kind in ("person", "place", "date") and text[c.start - 1 : c.start] == "#"


def resolve_overlaps(cands: list[Candidate], priority: dict[str, int]) -> list[Candidate]:
    """Non-overlapping candidates: the entity earlier in the registry's priority wins, then the longer.
    A name inside a longer name ("JOHN" in "SMITH, JOHN") is the same person: the longer stands,
    whatever found each part."""
    people = [c for c in cands if c.kind == "person"]
    cands = [c for c in cands if c.kind != "person" or not any(
        o.start <= c.start and c.end <= o.end and o.end - o.start > c.end - c.start for o in people)]
    ordered = sorted(cands, key=lambda c: (priority.get(c.entity, len(priority)), -(c.end - c.start)))
    kept: list[Candidate] = []
    for c in ordered:
        if all(c.end <= k.start or k.end <= c.start for k in kept):
            kept.append(c)
    return sorted(kept, key=lambda c: c.start)


class PhiDetector:
    name = "phi"
    FACTS_CACHE_SIZE = 4096  # paragraphs whose facts (post-level cues, health terms) are remembered

    def __init__(self, nlp: Language):
        self.analyzer = PhiAnalyzer(nlp)
        # Per language (language.py): the context cues and health terms of data/<lang>/.
        langs = supported_languages()
        self.cues = {lang: ContextCues.load(data_dir(lang) / "context.toml") for lang in langs}
        self.lexicon = {lang: HealthLexicon(nlp, data_dir(lang) / "health_terms.toml") for lang in langs}
        self.registry = load_registry()  # every PHI entity: meaning, priority, care identifiers
        self.specs: dict[str, IdentifierSpec] = self.registry.specs
        self._tokenizer = nlp.tokenizer
        self._facts_cache: dict[str, ParagraphFacts] = {}
        self._policies: dict[str, PolicyIndex] = {}  # by policy version: built once, not per paragraph

    def prepare(self, paragraphs: list[str], langs: list[str]) -> PostCues:
        return self.post_cues(paragraphs, langs)

    def post_cues(self, paragraphs: list[str], langs: list[str] | None = None) -> PostCues:
        """Facts about the whole post, as the union of its paragraphs' (each cached, so typing
        in one paragraph does not re-scan the others)."""
        langs = langs or ["en"] * len(paragraphs)
        cues = [self.paragraph_facts(p, lang).cues for p, lang in zip(paragraphs, langs, strict=True)]
        return PostCues(strong=any(c.strong for c in cues), reply=any(c.reply for c in cues),
                        health=any(c.health for c in cues), short=sum(map(len, paragraphs)) <= SHORT_POST_CHARS)

    def paragraph_facts(self, text: str, lang: str = "en") -> ParagraphFacts:
        found = self._facts_cache.get((text, lang))
        if found is None:
            tokens = self._tokenizer(text)
            cues = self.cues[lang]
            hits = self.lexicon[lang].hits(tokens)
            patient_phrase = bool(cues.strong_patient.search(text))
            found = ParagraphFacts(
                cues=PostCues(strong=patient_phrase or person_received_care(tokens, hits, cues),
                              reply=bool(cues.reply.search(text)), health=bool(hits)),
                patient_phrase=patient_phrase,
                term_hits=tuple(hits),
            )
            if len(self._facts_cache) >= self.FACTS_CACHE_SIZE:
                self._facts_cache.pop(next(iter(self._facts_cache)))
            self._facts_cache[(text, lang)] = found
        return found

    def detect(self, doc: Doc, ctx: CheckContext) -> list[Finding]:
        text = text_of(doc)
        cands = [
            Candidate(r.start, r.end, r.entity_type, self.specs[r.entity_type].kind, r.score)
            for r in self.analyzer.analyze(doc)
            if r.entity_type in self.specs
        ]
        cands = [c for c in cands if c.entity != "NAME_CAPS" or _has_census_name(text[c.start : c.end])]
        cands = [c for c in cands
                 if (m := self.specs[c.entity].must_contain) is None or m.search(text[c.start : c.end])]
        cues = self.cues[ctx.lang]
        if cues.name_particles is not None:
            cands = [n for c in cands if (n := _capitalised_name(c, doc, cues)) is not None]
        policy = self.policy_index(ctx.policy)
        cands += self._policy_terms(text, policy)
        cands = resolve_overlaps([self._with_title(text, c) for c in map(_trimmed, cands, [text] * len(cands))
                                  if c.end > c.start and not _in_hashtag(c, text)], self.registry.priority)
        # A title on its own ("Officer", "Mayor") is no name: the name, if any, is the next word.
        titles = cues.staff_titles | cues.public_titles | cues.honorifics
        cands = [c for c in cands if c.kind != "person"
                 or not all(w.strip(".,").lower() in titles for w in text[c.start : c.end].split())]
        for c in cands:
            if c.kind == "person":
                c.name_like = self._name_like(text[c.start : c.end])
        post = ctx.post or PostCues()
        if any(c.kind == "always" for c in cands):
            post = PostCues(strong=True, reply=post.reply, health=post.health, short=post.short)
        facts = self.paragraph_facts(text, ctx.lang)
        judge = Judge(cues, doc, post, policy, facts)
        judge.note_identifiers(cands, self.registry.care_identifiers)
        judge.has_record_number = any(c.kind == "always" for c in cands)
        disclosures = [
            Candidate(m.start(), _word_end(text, m.end()), "CARE_DISCLOSURE", "disclosure")
            for m in (cues.reply.finditer(text) if facts.cues.reply else ())
        ]
        # The organisation's own lists always win: those are never candidates.
        cands = [c for c in cands if not judge.allowlisted(c, text[c.start : c.end])]
        kept_person = False
        for c in cands + disclosures:
            c.severity = judge.severity(c)
            kept_person |= c.kind == "person" and c.severity == "high"
        for c in judge.health_details(kept_person):
            if all(c.end <= d.start or d.end <= c.start for d in disclosures):
                disclosures.append(c)
        # What the context above did not keep stays a candidate (severity None): the decision
        # stage may keep an identifier, and reads health terms as evidence about the sentence.
        return [self._finding(c, judge) for c in cands + disclosures]

    def _finding(self, c: Candidate, judge: Judge) -> Finding:
        spec = self.specs[c.entity]
        drivers = [f"kind:{c.kind}"]
        if c.owner:
            drivers.append(f"owner:{c.owner}")
        if c.term:
            drivers.append(f"term:{c.term}")
        sent = judge.sentence(c.start, c.end)
        if judge.sentence_cues(sent).strong:
            drivers.append("care-inferred")  # "Keisha Brown, as she starts chemo": a person's care, by word order
        short_patient_post = judge.post.short and (judge.post.strong or judge.post.reply)
        written_here = judge.explicit_cue(sent)
        if written_here:
            drivers.append("cue-here")  # "our patient", "your chart" written in this very sentence
        care_here = sent.start in judge.sentences_with_identifiers or judge.has_record_number
        if written_here or care_here or short_patient_post:
            # "our patient", "your chart", a room or record number in the same sentence, or a
            # record number in the paragraph: the hand-written verdict rests on evidence right here.
            drivers.append("patient-cue")
        if c.kind == "person":
            title = judge.title_near(c.start, c.end)
            drivers += [f"title:{title}"] if title else []
            drivers += ["name-like"] if c.name_like else []
        if c.settled and c.severity is None:
            drivers.append(c.settled)  # decided once, by the Judge; the decision stage keeps it
        entity = c.entity
        if entity == "PHONE_NUMBER" and FAX_LABEL.search(judge.doc.text[max(0, c.start - 12):c.start]):
            entity, spec = "FAX_NUMBER", self.specs["FAX_NUMBER"]  # Safe Harbor (E), not (D)
        return Finding(
            start=c.start, end=c.end, category="phi", type=entity, rule=spec.rule,
            severity=c.severity, message=spec.message, source=spec.source, source_url=spec.source_url,
            suggestions=spec.suggestions, drivers=tuple(drivers),
        )

    def policy_index(self, policy: Policy) -> PolicyIndex:
        key = policy.version()
        found = self._policies.get(key)
        if found is None:
            if len(self._policies) >= 8:
                self._policies.pop(next(iter(self._policies)))
            found = self._policies[key] = PolicyIndex.of(policy)
        return found

    @staticmethod
    def _policy_terms(text: str, policy: PolicyIndex) -> list[Candidate]:
        if policy.extra_terms is None:
            return []
        return [Candidate(m.start(), m.end(), "EXTRA_TERM", "always", 1.0) for m in policy.extra_terms.finditer(text)]

    @staticmethod
    def _with_title(text: str, c: Candidate) -> Candidate:
        """Include 'Mr.'/'Ms.' in a name's span so a suggestion replaces the whole reference."""
        if c.entity != "PERSON":
            return c
        m = _courtesy_title().search(text[max(0, c.start - 8) : c.start])
        if m:
            c.start -= len(m.group(0))
        return c

    @staticmethod
    def _name_like(text: str) -> bool:
        words = [w.strip(".,") for w in text.split()]
        if any(w.lower() in all_honorifics() for w in words):
            return True
        return sum(1 for w in words if w[:1].isupper()) >= 2


@functools.cache
def _courtesy_title() -> re.Pattern[str]:
    """'Mr. ', 'Sra. ', 'Doña ' right before a name (every language's courtesy titles, capitalised:
    "we miss Tom" keeps "miss" out)."""
    titles = "|".join(sorted((re.escape(t.capitalize()) for t in all_honorifics()), key=len, reverse=True))
    return re.compile(rf"\b(?:{titles})\.?\s$")


def _word_end(text: str, end: int) -> int:
    """A cue phrase ends at a word's end ("appointment" in "appointments" takes the "s")."""
    while end < len(text) and text[end].isalnum():
        end += 1
    return end
