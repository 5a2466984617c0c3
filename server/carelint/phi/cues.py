"""The context cues of data/<lang>/context.toml, compiled once per language: phrase lists, word
lists, the [patterns] table of full regular expressions and the [grammar] table (possessives,
courtesy titles)."""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from carelint.language import supported

DATA_DIR = Path(__file__).parent / "data"


def data_dir(lang: str) -> Path:
    """The PHI data of one language (context cues, health terms, review-reply words)."""
    return DATA_DIR / lang


CONTEXT_FILE = data_dir("en") / "context.toml"


def _any(patterns: list[str]) -> re.Pattern[str]:
    """One case-insensitive alternation; bare words get word boundaries."""
    parts = [rf"\b{p}\b" if re.fullmatch(r"[\w .'-]+", p) else p for p in patterns]
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)


def _regex(patterns: list[str]) -> re.Pattern[str]:
    """One case-insensitive alternation of regexes used as written (the [patterns] table)."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


@dataclass(frozen=True)
class ContextCues:
    strong_patient: re.Pattern[str]
    reply: re.Pattern[str]
    staff: re.Pattern[str]
    org_contact: re.Pattern[str]
    org_contact_after: re.Pattern[str]  # right after a number: "… to book", "… for appointments"
    staff_titles: frozenset[str]
    public_titles: frozenset[str]
    org_email_local_parts: frozenset[str]
    org_phone_area_codes: frozenset[str]  # toll-free codes: a business's line, never a patient's
    condition_verbs: frozenset[str]
    treatment_verbs: frozenset[str]
    not_name_starters: frozenset[str]
    not_person_words: frozenset[str]
    relatives: frozenset[str]
    past_visit: re.Pattern[str]  # near "your <treatment>": one past visit
    specific_date: re.Pattern[str]  # a date that names a day
    specific_time: re.Pattern[str]  # a sentence placed at one time
    conditional: re.Pattern[str]  # a condition leads up to the end of the text
    licence: re.Pattern[str]  # a sentence that says licence
    possessives_second: frozenset[str]  # "your": whose a health term is
    possessives_third: frozenset[str]  # "her", "their", "my"
    honorifics: frozenset[str]  # "mr", "sra": part of a name
    # Set where the NER model is not this language's: a person is its capitalised words only.
    name_particles: frozenset[str] | None = None

    @property
    def possessives(self) -> frozenset[str]:
        return self.possessives_second | self.possessives_third

    @classmethod
    def load(cls, path: Path = CONTEXT_FILE) -> ContextCues:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
        patterns, grammar = data["patterns"], data["grammar"]
        return cls(
            strong_patient=_any(data["strong_patient_cues"]),
            reply=_any(data["reply_cues"]),
            staff=_any(data["staff_cues"]),
            org_contact=_any(data["org_contact_cues"]),
            org_contact_after=_regex(data["org_contact_after_cues"]),
            staff_titles=frozenset(data["staff_titles"]),
            public_titles=frozenset(data["public_titles"]),
            org_email_local_parts=frozenset(data["org_email_local_parts"]),
            org_phone_area_codes=frozenset(data["org_phone_area_codes"]),
            condition_verbs=frozenset(data["condition_verbs"]),
            treatment_verbs=frozenset(data["treatment_verbs"]),
            not_name_starters=frozenset(data["not_name_starters"]),
            not_person_words=frozenset(data["not_person_words"]),
            relatives=frozenset(data["relatives"]),
            past_visit=_regex(patterns["past_visit"]),
            specific_date=_regex(patterns["specific_date"]),
            specific_time=_regex(patterns["specific_time"]),
            conditional=_regex(patterns["conditional"]),
            licence=_regex(patterns["licence"]),
            possessives_second=frozenset(grammar["possessives_second"]),
            possessives_third=frozenset(grammar["possessives_third"]),
            honorifics=frozenset(grammar["honorifics"]),
            name_particles=frozenset(grammar["name_particles"]) if "name_particles" in grammar else None,
        )


@functools.cache
def cues_for(lang: str) -> ContextCues:
    """One language's packaged cues, loaded once per process."""
    return ContextCues.load(data_dir(lang) / "context.toml")


def default_cues() -> ContextCues:
    """The default language's cues (for code without a detector's ContextCues)."""
    return cues_for("en")


@functools.cache
def all_honorifics() -> frozenset[str]:
    """Courtesy titles of every language: a name is compared without them ("Sra. Gómez" is "Gómez")."""
    return frozenset().union(*(cues_for(lang).honorifics for lang in supported()))


ROLE_AFFIX_MIN = 6  # shorter role words ("info", "hello") are too often the start of a person's address


def is_org_mailbox(local: str, parts: frozenset[str]) -> bool:
    """An e-mail local part that names a role, not a person: "billing", "front.desk",
    "patientexperience", "medicalrecords" (a role word as a piece, or as its start or end)."""
    local = local.lower()
    if local in parts or any(piece in parts for piece in re.split(r"[._+-]", local)):
        return True
    return any(len(p) >= ROLE_AFFIX_MIN and (local.startswith(p) or local.endswith(p)) for p in parts)
