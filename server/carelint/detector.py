"""The interface every detector implements: one spaCy Doc (a paragraph) in, findings out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from spacy.tokens import Doc

    from carelint.findings import Finding
    from carelint.phi.context import PostCues
    from carelint.settings import Policy


@dataclass(frozen=True)
class CheckContext:
    """What a detector may know besides the paragraph: the organisation's policy and platform."""

    policy: Policy
    platform: str = "generic"
    post: PostCues | None = None  # whole-post facts for detectors that need them (PHI context)


class Detector(Protocol):
    name: str

    def detect(self, doc: Doc, ctx: CheckContext) -> list[Finding]:
        """Findings with offsets relative to `doc.text` (code points)."""
        ...
