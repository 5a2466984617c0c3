"""Does a post give health information without a disclaimer, and which disclaimer fits?

The cue families live in data/disclaimer/<lang>.toml (one file per language, the same families);
this module only combines them (see the rules at the top of en.toml) and picks the longest
disclaimer in the post's language that fits the platform.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources

from carelint import platforms
from carelint.language import supported as supported_languages
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


def _load(lang: str) -> _Cues:
    raw = tomllib.loads(resources.files("carelint").joinpath(f"data/disclaimer/{lang}.toml").read_text("utf-8"))
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


_BY_LANG = {lang: _load(lang) for lang in supported_languages()}
_CUES = _BY_LANG["en"]
# The English texts (the defaults the options page shows, and the policy's texts override).
DEFAULT_LONG = _CUES.texts["long"]
DEFAULT_SHORT = _CUES.texts["short"]
SHORTEST = _CUES.texts["shortest"]  # the last resort, whatever the policy says


def texts(lang: str) -> dict[str, str]:
    """One language's disclaimer texts (long, short, shortest)."""
    return _BY_LANG[lang].texts


def all_texts() -> set[str]:
    """Every language's disclaimer texts: Carelint's own words, never flagged."""
    return {t for cues in _BY_LANG.values() for t in cues.texts.values()}


def _normalise(text: str) -> str:
    return text.replace("\u2019", "'").replace("\u2018", "'")


def has_disclaimer(text: str) -> bool:
    """A disclaimer in any language counts (a bilingual post may carry one in either)."""
    normal = _normalise(text)
    return any(cues.patterns["present"].search(normal) for cues in _BY_LANG.values())


def gives_health_information(text: str, lang: str = "en") -> bool:
    """True when some sentence offers health advice or information (data/disclaimer/<lang>.toml)."""
    p = _BY_LANG[lang].patterns
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


def cue_counts(text: str, lang: str = "en") -> dict[str, int]:
    """Per cue role, how many sentences match it (a learned decision reads these as features)."""
    counts = dict.fromkeys(("topic", "advice", "strong", "context"), 0)
    patterns = _BY_LANG[lang].patterns
    for sentence in _SENTENCE_END.split(_normalise(text)):
        for role in counts:
            if sentence and patterns[role].search(sentence):
                counts[role] += 1
    return counts


def _fits(base: platforms.PlatformLength, addition: str, platform: str) -> bool:
    return base.length + platforms.measure(SEPARATOR + addition, platform).length <= base.limit


def suggest(text: str, platform: str, policy: Policy, lang: str = "en") -> str:
    """The longest disclaimer in the post's language that fits after the post, or "". The
    policy's own texts are the organisation's English ones."""
    base = platforms.measure(text.rstrip(), platform)
    own = texts(lang)
    if lang == "en":
        candidates = (policy.disclaimer_long or own["long"], policy.disclaimer_short or own["short"], own["shortest"])
    else:
        candidates = (own["long"], own["short"], own["shortest"])
    return next((c for c in candidates if _fits(base, c, platform)), "")


def assess(text: str, platform: str, policy: Policy, gives_information: bool | None = None,
           reply: bool = False, lang: str = "en") -> DisclaimerResult:
    """`gives_information`: a decision made elsewhere (the learned one); else the cues decide.
    `reply`: a reply to a review never needs one (it should carry no medical content at all;
    the findings say so), and none is suggested. `lang`: the post's language (language.py)."""
    present = has_disclaimer(text)
    if reply:
        return DisclaimerResult(needed=False, present=present, suggested="")
    informs = gives_health_information(text, lang) if gives_information is None else gives_information
    return DisclaimerResult(
        needed=not present and informs,
        present=present,
        suggested=suggest(text, platform, policy, lang),
    )
