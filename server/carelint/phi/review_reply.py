"""Review-reply mode: what changes when the text is a reply to an online review (request
`"context": "review_reply"`). The reasons and the words are data, per language:
phi/data/<lang>/review_reply.toml."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from carelint.sources import cite

DATA_DIR = Path(__file__).parent / "data"
CONTEXTS = ("post", "review_reply")
REVIEW_REPLY = "review_reply"


@dataclass(frozen=True)
class ReviewReply:
    label: str
    safe_reply_template: str
    safe_reply_no_phone: str
    driver: str
    sentence_threshold: float
    care: re.Pattern
    refusal: re.Pattern
    source: str
    source_url: str | None

    def names_care(self, sentence: str) -> bool:
        """A care word in the sentence (whole words, any case)."""
        return bool(self.care.search(sentence))

    def declines(self, sentence: str) -> bool:
        """Does the sentence decline to discuss ("privacy rules keep us from responding to the
        details here")? Such a sentence is the advice of every OCR settlement, not a disclosure."""
        return bool(self.refusal.search(sentence))

    def safe_reply(self, phones: list[str]) -> str:
        """The reply to offer, with the organisation's first phone number when it has one."""
        return self.safe_reply_template.format(phone=phones[0]) if phones else self.safe_reply_no_phone

    def own_patterns(self) -> list[str]:
        """Regular expressions of the safe reply's sentences, any phone in place of {phone}: the
        engine never flags Carelint's own words."""
        out = []
        for text in (self.safe_reply_template, self.safe_reply_no_phone):
            for sentence in re.split(r"(?<=[.!?])\s+", text):
                out.append(r"[^\n]{1,40}?".join(re.escape(part) for part in sentence.split("{phone}")))
        return out


@lru_cache(maxsize=8)
def review_reply(lang: str = "en") -> ReviewReply:
    path = DATA_DIR / lang / "review_reply.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    words = sorted(data["care_words"], key=len, reverse=True)
    alternatives = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)
    care = re.compile(r"(?i)(?<![\w-])(?:" + alternatives + r")(?![\w-])")
    citation = cite(data["sources"], f"{lang}/{path.name}: sources")
    if "{phone}" not in data["safe_reply"]:
        raise ValueError(f"{lang}/{path.name}: safe_reply must hold {{phone}}")
    return ReviewReply(data["label"], data["safe_reply"], data["safe_reply_no_phone"], data["driver"],
                       float(data["sentence_threshold"]), care, re.compile(data["refusal"], re.IGNORECASE),
                       citation.text, citation.url)
