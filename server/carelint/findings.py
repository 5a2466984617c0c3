"""The one shape every detector returns, before offsets are converted for the caller, and the
one vocabulary of its categories and severities (the API schema, the rule packs, the learned
decisions and the CLI all take theirs from here)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal, get_args

from carelint.fixes import Edit

# What a rule pack may give its rules: everything but PHI, which the PHI detector finds.
RuleCategory = Literal["claim", "advice", "tone", "language"]
Category = Literal["phi", RuleCategory]
Severity = Literal["high", "medium", "low"]  # most severe first

CATEGORIES: tuple[Category, ...] = get_args(Category)  # phi, claim, advice, tone, language
RULE_CATEGORIES: tuple[RuleCategory, ...] = get_args(RuleCategory)
SEVERITIES: tuple[Severity, ...] = get_args(Severity)
# None (a candidate, not a finding) ranks below every severity: 0, low 1, medium 2, high 3.
SEVERITY_RANK: dict[str | None, int] = {None: 0, **{s: i for i, s in enumerate(reversed(SEVERITIES), 1)}}


@dataclass(frozen=True)
class Finding:
    """A risky span. `start`/`end` are code-point offsets into the text the detector saw.

    A detector may also return a *candidate*: severity None, an identifier its hand-written
    context did not keep. The decision stage (learned/decide.py) gives every finding its final
    severity; candidates it does not keep are never reported."""

    start: int
    end: int
    category: Category
    type: str  # entity or rule family, e.g. PERSON, MRN, CLAIM_CURE
    rule: str  # stable rule id, e.g. phi.patient-name, claims.cure
    severity: Severity | None
    message: str
    source: str
    source_url: str | None = None  # the first cited source's page (data/sources.toml)
    suggestions: tuple[str, ...] = field(default=())
    # What drove the decision, in words a card can show ("a name", "your + care word", "title: Dr.").
    drivers: tuple[str, ...] = field(default=())
    # Ranged edits that fix it (fixes.py), in the same offsets as start/end.
    fixes: tuple[Edit, ...] = field(default=())
    lang: str = "en"  # the paragraph's language: its message and fix labels are in it (messages.py)

    def shifted(self, delta: int) -> Finding:
        """The same finding moved by `delta` code points (paragraph -> post offsets)."""
        return replace(self, start=self.start + delta, end=self.end + delta,
                       fixes=tuple(e.shifted(delta) for e in self.fixes))
