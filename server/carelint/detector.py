"""The interface every detector implements: one spaCy Doc (a paragraph) in, findings out."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from carelint.findings import Finding
    from carelint.phi.context import PostCues
    from carelint.settings import Policy


@dataclass(frozen=True)
class CheckContext:
    """What a detector may know besides the paragraph: the organisation's policy and platform,
    what the text is (a post, or a reply to a review),
    and the whole-post facts each detector's `prepare` returned (by detector name)."""

    policy: Policy
    platform: str = "generic"
    facts: dict[str, Any] = field(default_factory=dict)
    context: str = "post"  # or "review_reply" (phi/review_reply.py)
    lang: str = "en"  # the paragraph's language (language.py); each detector reads its data for it

    @property
    def post(self) -> PostCues | None:
        """The PHI detector's post-level cues (read by PHI context and the learned decisions)."""
        return self.facts.get("phi")

    def key(self) -> tuple:
        """The facts as part of a paragraph's cache key: a paragraph is analysed again when a
        fact about the rest of its post changes."""
        return tuple(sorted(self.facts.items()))


class Detector(Protocol):
    name: str

    def prepare(self, paragraphs: list[str], langs: list[str]) -> Hashable | None:
        """Facts about the whole post this detector needs in `detect` (None: nothing); `langs`
        holds each paragraph's language."""
        ...

    def detect(self, doc: Doc, ctx: CheckContext) -> list[Finding]:
        """Findings with offsets relative to `doc.text` (code points). A finding may be a
        candidate (severity None) for the decision stage."""
        ...
