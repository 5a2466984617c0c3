"""Context decides severity: a patient's identifier is high, staff, officials, events and the
organisation's own contact details are dropped, and the organisation's allowlist always wins.

Cue vocabularies are data: data/<lang>/context.toml (the phrases that mark a patient, staff, a reply or
the organisation's contact details; titles, verbs, relatives; and, in its [patterns] table, the
regexes for a past visit, a specific date or time, a condition and a licence; possessives and
courtesy titles), loaded by cues.py, and data/<lang>/health_terms.toml, loaded by lexicon.py. What
stays in code here is the decision, which reads in one place: `Judge.severity`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from spacy.tokens import Doc, Span

from carelint.findings import Severity
from carelint.nlp import text_of
from carelint.phi.cues import ContextCues, all_honorifics, is_org_mailbox
from carelint.phi.identifiers import Kind
from carelint.phi.lexicon import HEALTH_FACTS, TermHit
from carelint.settings import Policy

Owner = Literal["", "second", "third"]  # whose a health term is: nobody's, your, his/her/a name's


@dataclass(frozen=True)
class PostCues:
    """Facts about the whole post that context needs (computed once per check; hashable, as
    part of every paragraph's cache key)."""

    strong: bool = False  # talks about a particular patient or their care
    reply: bool = False  # cites a person's records or visits
    health: bool = False  # mentions any health term
    short: bool = False  # a post of a few lines, where a cue anywhere is about everyone in it


@dataclass(frozen=True)
class ParagraphFacts:
    """What one paragraph contributes to the post's cues, kept so that detection can skip the
    sentence-level searches a paragraph-level search already answered."""

    cues: PostCues
    patient_phrase: bool  # a strong-patient cue phrase occurs in the paragraph
    term_hits: tuple[TermHit, ...]  # health terms, by token (the same tokens as the parsed Doc)


@dataclass
class Candidate:
    start: int  # character offsets in the paragraph
    end: int
    entity: str
    kind: Kind
    score: float = 0.5
    severity: Severity | None = None
    name_like: bool = False  # a person: looks like a full name (two capitalised words, or an honorific)
    owner: Owner = ""  # a health term: whose it is
    term: str = ""  # a health term: its category in data/health_terms.toml (procedure, condition…)
    settled: str = ""  # why the verdict "not PHI" is final (OWN_CONTACT, STAFF_NAME), set by the Judge


@dataclass
class SentenceCues:
    strong: bool
    reply: bool
    health: bool
    staff: bool
    org: bool


def possessed_by(doc: Doc, token_index: int, cues: ContextCues) -> Owner:
    """Whose the term is, up to two tokens before it: "second" (the reader's: "your crown",
    "su limpieza"), "third" (a possessive pronoun, "her 100th refill", or a name's or relative's
    possessive, "Gabriel Silva's dressing change", "their son's surgery"), or "" (nobody's)."""
    for i in range(token_index - 1, max(token_index - 3, -1), -1):
        word = doc[i].lower_
        if word in cues.possessives_second:
            return "second"
        if word in cues.possessives_third:
            return "third"
        if word in ("'s", "’s") and i > 0:
            if doc[i - 1].is_title and doc[i - 1].lower_ not in cues.relatives:
                return "third"
            if doc[i - 1].lower_ in cues.relatives and i > 1:
                # "their son's surgery" is one family's; "your kid's fever" is general advice.
                owner = doc[i - 2].lower_
                return "third" if owner in cues.possessives_third else (
                    "second" if owner in cues.possessives_second else "")
        if doc[i].is_punct:
            return ""
    return ""


def owner_start(doc: Doc, token_index: int, cues: ContextCues) -> int:
    """Token index where the owner phrase of a possessed term starts."""
    for i in range(token_index - 1, max(token_index - 3, -1), -1):
        if doc[i].lower_ in cues.possessives:
            return i
        if doc[i].lower_ in ("'s", "’s"):
            return i - 1
    return token_index


def person_received_care(doc: Doc, hits: list[TermHit], cues: ContextCues) -> bool:
    """Token-level signs that a particular person received care; works on a tokenizer-only
    Doc, so it serves both the whole post and one sentence."""
    for h in hits:
        owner = possessed_by(doc, h.start, cues)
        if owner == "third":
            return True
        if owner == "second":
            window = doc[max(h.start - 8, 0) : min(h.end + 8, len(doc))].text
            if cues.past_visit.search(window):
                return True
        verbs = {"condition": cues.condition_verbs, "procedure": cues.treatment_verbs}.get(h.category)
        if verbs and _named_subject_has(doc, h.start, verbs, cues):
            return True
    return False


def _named_subject_has(doc: Doc, term_index: int, verbs: frozenset[str], cues: ContextCues) -> bool:
    """'Marcus suffers from MS', 'Keisha Brown, as she starts chemo': a capitalised name
    (not merely a sentence's first word), then one of `verbs`, then the health term."""
    verb = next((i for i in range(term_index - 1, max(term_index - 5, -1), -1)
                 if doc[i].lower_ in verbs), None)
    if verb is None:
        return False
    for i in range(verb - 1, max(verb - 9, -1), -1):
        tok = doc[i]
        if tok.text in {".", "!", "?"} or "\n" in tok.text:
            return False
        starts_sentence = i == 0 or doc[i - 1].text in {".", "!", "?", ":"} or "\n" in doc[i - 1].text
        if tok.is_title and len(tok) > 1 and tok.lower_ not in cues.not_name_starters and not starts_sentence:
            return True
    return False


def _norm_name(text: str) -> str:
    words = [w.strip(".,'’") for w in text.lower().split()]
    return " ".join(w for w in words if w and w not in all_honorifics())


# Why a "not PHI" verdict is final (Candidate.settled, carried as a driver the decision stage
# keeps): the organisation's own phone or e-mail; a name already named as staff in the paragraph
# ("Brenda Kowalski, RN" ... "Brenda").
OWN_CONTACT = "own-contact"
STAFF_NAME = "staff-name"


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)[-10:]


@dataclass(frozen=True)
class PolicyIndex:
    """The organisation's policy in the shapes the judge and the detector look things up in,
    built once per policy (a policy may list thousands of names and terms)."""

    names: frozenset[str]
    handles: frozenset[str]
    phones: frozenset[str]
    addresses: tuple[str, ...]
    extra_terms: re.Pattern[str] | None  # one alternation, longest terms first

    @classmethod
    def of(cls, policy: Policy) -> PolicyIndex:
        terms = sorted({t for t in policy.extra_phi_terms if t}, key=len, reverse=True)
        return cls(
            names=frozenset(_norm_name(n) for n in policy.staff_names),
            handles=frozenset(h.lower().lstrip("@") for h in policy.staff_handles),
            phones=frozenset(d for d in map(_digits, policy.org_phones) if d),
            addresses=tuple(a.lower() for a in policy.org_addresses),
            extra_terms=re.compile(rf"(?<!\w)(?:{'|'.join(map(re.escape, terms))})(?!\w)", re.IGNORECASE)
            if terms else None,
        )


class Judge:
    """Assigns severities to the candidates of one paragraph."""

    def __init__(self, cues: ContextCues, doc: Doc, post: PostCues, policy: PolicyIndex, paragraph: ParagraphFacts):
        self.cues = cues
        self.doc = doc
        self.text = text_of(doc)
        self.post = post
        self.term_hits = paragraph.term_hits
        self.paragraph = paragraph
        self._sentence_cache: dict[int, SentenceCues] = {}
        self.staff_name_tokens: set[str] = set()
        self.allow_names = policy.names
        self.allow_handles = policy.handles
        self.allow_phones = policy.phones
        self.allow_addresses = policy.addresses
        self.sentences_with_identifiers: set[int] = set()
        self.has_record_number = False  # an identifier that is PHI by itself (MRN, account) is in the paragraph

    def note_identifiers(self, cands: list[Candidate], care_identifiers: frozenset[str]) -> None:
        """Remember sentences that hold a room, bed, age, date or record number: a full name in
        such a sentence next to a health term ('Room 12  Mary Jones  NPO') is a patient's."""
        for c in cands:
            if c.entity in care_identifiers:
                self.sentences_with_identifiers.add(self.sentence(c.start, c.end).start)

    # -- sentence-level cues ---------------------------------------------------------------
    def sentence(self, start: int, end: int) -> Span:
        span = self.doc.char_span(start, end, alignment_mode="expand")
        if span is None or len(span) == 0:
            return self.doc[:]
        return span[0].sent

    def sentence_cues(self, sent: Span) -> SentenceCues:
        cached = self._sentence_cache.get(sent.start)
        if cached:
            return cached
        text = sent.text
        health = [h for h in self.term_hits if sent.start <= h.start < sent.end]
        # A phrase absent from the paragraph is absent from each of its sentences: no search.
        cues = SentenceCues(
            strong=(self.paragraph.patient_phrase and bool(self.cues.strong_patient.search(text)))
            or person_received_care(self.doc, health, self.cues),
            reply=self.paragraph.cues.reply and bool(self.cues.reply.search(text)),
            health=bool(health),
            staff=bool(self.cues.staff.search(text)),
            org=bool(self.cues.org_contact.search(text)),
        )
        self._sentence_cache[sent.start] = cues
        return cues

    def explicit_cue(self, sent: Span) -> bool:
        """A patient or record phrase written out in the sentence ("our patient", "your chart",
        "you missed your appointment"), as opposed to cues inferred from word order."""
        text = sent.text
        return ((self.paragraph.patient_phrase and bool(self.cues.strong_patient.search(text)))
                or (self.paragraph.cues.reply and bool(self.cues.reply.search(text))))

    # -- titles next to a name ----------------------------------------------------------------
    def title_near(self, start: int, end: int) -> str | None:
        """'staff' or 'public' when a title or credential sits right next to the span."""
        span = self.doc.char_span(start, end, alignment_mode="expand")
        if span is None:
            return None
        before = [t for t in self.doc[max(span.start - 3, 0) : span.start] if t.text not in {".", ","}]
        words = [t.lower_.rstrip(".") for t in before[-2:]]
        after = [t for t in self.doc[span.end : span.end + 3] if t.text not in {",", "."}]
        credential = after[0].text.rstrip(".").lower() if after else ""
        for word in reversed(words):
            if word in self.cues.staff_titles:
                return "staff"
            if word in self.cues.public_titles:
                return "public"
            if word not in self.cues.honorifics:
                break
        if credential and after[0].text[:1].isupper() and credential in self.cues.staff_titles:
            return "staff"
        return None

    # -- the decision -----------------------------------------------------------------------
    def allowlisted(self, c: Candidate, text: str) -> bool:
        if c.kind == "person":
            name = _norm_name(text)
            if text.startswith("@"):
                return name.lstrip("@") in self.allow_handles
            return any(name == a or name in a.split() or a in name for a in self.allow_names if a)
        if c.kind == "contact" and c.entity == "PHONE_NUMBER":
            return _digits(text) in self.allow_phones
        if c.kind == "place":
            low = text.lower()
            return any(low in a or a in low for a in self.allow_addresses)
        return False

    def severity(self, c: Candidate) -> Severity | None:
        """'high', 'medium', 'low' or None (not PHI here)."""
        text = self.text[c.start : c.end]
        if self.allowlisted(c, text):
            return None
        sent = self.sentence(c.start, c.end)
        s = self.sentence_cues(sent)
        post_patient = self.post.strong or self.post.reply
        if c.kind == "always":
            return "high"
        if c.kind == "disclosure":
            before = self.text[sent.start_char : c.start]
            return None if self.cues.conditional.search(before) else "high"
        if c.kind == "person":
            return self._person(c, text, s, post_patient, sent.start in self.sentences_with_identifiers)
        if c.kind == "contact":
            return self._contact(c, text, sent, post_patient)
        if c.kind == "date":
            if not self.cues.specific_date.search(text) or not post_patient:
                return None
            return None if s.staff and not (s.strong or s.reply) else "high"
        if c.kind == "age":
            if s.staff and not s.strong:
                return None
            return "high" if post_patient or s.health else None
        if c.kind == "place":
            if (s.org or s.staff) and not (s.strong or s.reply):
                return None
            return "high" if post_patient else None
        if c.kind == "url":
            return "medium" if s.strong else None
        if c.kind == "license":
            return "high" if self.cues.licence.search(sent.text) else None
        return None

    def _person(self, c: Candidate, text: str, s: SentenceCues, post_patient: bool,
                beside_identifier: bool) -> Severity | None:
        if c.entity == "PERSON" and text.replace(" ", "").isalpha() and text.isupper() and len(text) > 3:
            return None  # spaCy calling shouting ("MIRACLE ALERT") a person; NAME_CAPS handles capitals
        if c.entity == "NAME_GUESS" and not (s.strong or s.reply or post_patient):
            return None
        if text.lower() in self.cues.not_person_words:
            return None
        tokens = {w for w in _norm_name(text).split() if len(w) > 2}
        if tokens & self.staff_name_tokens:
            c.settled = STAFF_NAME  # named as staff already in this paragraph ("Brenda Kowalski, RN")
            return None
        title = self.title_near(c.start, c.end)
        if title == "staff" or (title == "public" and not s.strong) or (s.staff and not (s.strong or s.reply)):
            self.staff_name_tokens |= tokens
            return None
        if post_patient or s.strong or s.reply:
            return "high"
        if s.health and beside_identifier and c.name_like:
            return "high"
        if self.post.health and c.name_like:
            return "medium"  # a full name in a health post: worth a second look
        return None

    def own_contact(self, c: Candidate) -> bool:
        """The organisation's own phone or e-mail: offered ("call us at", "reach our team at"), a
        role mailbox ("billing@"), or a toll-free line."""
        text = self.text[c.start : c.end]
        sent = self.sentence(c.start, c.end)
        before = self.text[max(sent.start_char, c.start - 60) : c.start]
        if self.cues.org_contact.search(before):
            return True
        # "Call 212-555-0187 to book": what the number is for, when little precedes it in its
        # sentence ("We called Maria at 555-0100 to schedule her follow-up" is hers).
        if len(before.split()) <= 2 and self.cues.org_contact_after.match(self.text[c.end : sent.end_char]):
            return True
        if c.entity == "EMAIL_ADDRESS":
            return is_org_mailbox(text.split("@", 1)[0], self.cues.org_email_local_parts)
        digits = _digits(text) if c.entity == "PHONE_NUMBER" else ""
        return len(digits) == 10 and digits[:3] in self.cues.org_phone_area_codes

    def _contact(self, c: Candidate, text: str, sent: Span, post_patient: bool) -> Severity | None:
        if self.own_contact(c):
            c.settled = OWN_CONTACT
            return None
        if post_patient:
            return "high"
        return "medium" if self.post.health else "low"

    # -- health details tied to a person ---------------------------------------------------------
    def health_details(self, person_in_paragraph: bool) -> list[Candidate]:
        """Every health term as a candidate; severity set where it is tied to a person here.
        `owner`: whose it is ("second" for your, "third" for his/her/a name's, "")."""
        out = []
        for hit in self.term_hits:
            span = hit.span(self.doc)
            sent = span.sent
            s = self.sentence_cues(sent)
            owner = possessed_by(self.doc, hit.start, self.cues)
            start = self.doc[owner_start(self.doc, hit.start, self.cues)].idx if owner else span.start_char
            cand = Candidate(start, span.end_char, "HEALTH_DETAIL", "disclosure",
                             owner=owner,
                             term=hit.category)
            if owner == "second":
                specific = bool(self.cues.specific_time.search(sent.text)) or s.reply
                if self.post.reply or (specific and (self.post.strong or person_in_paragraph)):
                    cand.severity = "high"
            elif owner:
                if self.post.strong or self.post.reply or person_in_paragraph:
                    cand.severity = "high"
            elif hit.category in HEALTH_FACTS and (self.post.strong or self.post.reply):
                cand.severity = "medium"
            out.append(cand)
        return out
