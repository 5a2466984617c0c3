"""Does a post give health information without a disclaimer, and which disclaimer fits?

The cue families live in data/disclaimer.toml; this module only combines them (see the rules at
the top of that file) and picks the longest disclaimer that fits the platform.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources

from carelint import platforms
from carelint.settings import Policy

# The disclaimer goes on its own line after the post. A newline is a hard break in every counting
# rule in platforms.py, so the combined length is the post's length plus this suffix's length.
SEPARATOR = "\n\n"

_ROLES = ("present", "topic", "advice", "strong", "context")
_FRAGMENT = re.compile(r"\{(\w+)\}")
# Sentence ends, except after common abbreviations ("Dr. Lee", "vs. flu", "e.g. rest").
_SENTENCE_END = re.compile(
    r"(?<=[.!?])(?<!\b(?:Mr|Ms|Dr|St|vs|Jr|Sr)\.)(?<!\bMrs\.)(?<!\b[a-z]\.[a-z]\.)\s+|\n+",
    re.IGNORECASE,
)
_SHORT_QUESTION_WORDS = 8  # "Seasonal allergies?" introduces the topic of the next sentence


@dataclass(frozen=True)
class DisclaimerResult:
    needed: bool
    present: bool
    suggested: str


@dataclass(frozen=True)
class _Cues:
    texts: dict[str, str]
    patterns: dict[str, re.Pattern[str]]  # one alternation per role


def _load() -> _Cues:
    raw = tomllib.loads(resources.files("carelint").joinpath("data/disclaimer.toml").read_text("utf-8"))
    fragments: dict[str, str] = raw["fragments"]

    def expand(pattern: str) -> str:
        # Only known names expand, so regex quantifiers like {0,2} pass through untouched.
        return _FRAGMENT.sub(lambda m: fragments.get(m.group(1), m.group(0)), pattern)

    by_role: dict[str, list[str]] = {role: [] for role in _ROLES}
    for family in raw["family"]:
        by_role[family["role"]].extend(expand(p) for p in family["patterns"])
    # One word-bounded alternation per role: the boundary check fails fast mid-word.
    return _Cues(
        texts=raw["texts"],
        patterns={
            role: re.compile(f"(?<!\\w)(?:{'|'.join(pats)})(?!\\w)", re.IGNORECASE)
            for role, pats in by_role.items()
        },
    )


_CUES = _load()
DEFAULT_LONG = _CUES.texts["long"]
DEFAULT_SHORT = _CUES.texts["short"]
SHORTEST = _CUES.texts["shortest"]  # the last resort, whatever the policy says


def _normalise(text: str) -> str:
    return text.replace("\u2019", "'").replace("\u2018", "'")


def has_disclaimer(text: str) -> bool:
    return _CUES.patterns["present"].search(_normalise(text)) is not None


def gives_health_information(text: str) -> bool:
    """True when some sentence offers health advice or information (see data/disclaimer.toml)."""
    p = _CUES.patterns
    carried_topic = False
    for sentence in _SENTENCE_END.split(_normalise(text)):
        if not sentence or p["context"].search(sentence):
            carried_topic = False
            continue
        if p["strong"].search(sentence):
            return True
        topic = p["topic"].search(sentence) is not None
        if (topic or carried_topic) and p["advice"].search(sentence):
            return True
        short_question = sentence.rstrip().endswith("?") and len(sentence.split()) <= _SHORT_QUESTION_WORDS
        carried_topic = topic and short_question
    return False


def cue_counts(text: str) -> dict[str, int]:
    """Per cue role, how many sentences match it (a learned decision reads these as features)."""
    counts = dict.fromkeys(("topic", "advice", "strong", "context"), 0)
    for sentence in _SENTENCE_END.split(_normalise(text)):
        for role in counts:
            if sentence and _CUES.patterns[role].search(sentence):
                counts[role] += 1
    return counts


def _fits(base: platforms.PlatformLength, addition: str, platform: str) -> bool:
    return base.length + platforms.measure(SEPARATOR + addition, platform).length <= base.limit


def suggest(text: str, platform: str, policy: Policy) -> str:
    """The longest disclaimer (policy's own texts first) that fits after the post, or ""."""
    base = platforms.measure(text.rstrip(), platform)
    candidates = (policy.disclaimer_long or DEFAULT_LONG, policy.disclaimer_short or DEFAULT_SHORT, SHORTEST)
    return next((c for c in candidates if _fits(base, c, platform)), "")


def assess(text: str, platform: str, policy: Policy, gives_information: bool | None = None,
           reply: bool = False) -> DisclaimerResult:
    """`gives_information`: a decision made elsewhere (the learned one); else the cues decide.
    `reply`: a reply to a review never needs one (it should carry no medical content at all;
    the findings say so), and none is suggested."""
    present = has_disclaimer(text)
    if reply:
        return DisclaimerResult(needed=False, present=present, suggested="")
    informs = gives_health_information(text) if gives_information is None else gives_information
    return DisclaimerResult(
        needed=not present and informs,
        present=present,
        suggested=suggest(text, platform, policy),
    )
