"""The one shape every detector returns, before offsets are converted for the caller."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

Category = Literal["phi", "claim", "advice", "tone", "language"]
Severity = Literal["high", "medium", "low"]

SEVERITY_RANK: dict[str | None, int] = {None: 0, "low": 1, "medium": 2, "high": 3}


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
    suggestions: tuple[str, ...] = field(default=())
    # What drove the decision, in words a card can show ("a name", "your + care word", "title: Dr.").
    drivers: tuple[str, ...] = field(default=())

    def shifted(self, delta: int) -> Finding:
        """The same finding moved by `delta` code points (paragraph -> post offsets)."""
        return replace(self, start=self.start + delta, end=self.end + delta)
