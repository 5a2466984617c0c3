"""Request and response models of the check contract (docs/api.md)."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from carelint.findings import Category, Severity
from carelint.platforms import PLATFORMS

MAX_TEXT_CHARS = 100_000
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
PlatformName = Literal[tuple(PLATFORMS)]  # type: ignore[valid-type]


class CheckRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    text: str = Field(max_length=MAX_TEXT_CHARS, description="The post, at most 100,000 characters.")
    platform: PlatformName = "generic"  # type: ignore[valid-type]
    offset_unit: Literal["codepoint", "utf16"] = "codepoint"
    context: Literal["post", "review_reply"] = Field(
        default="post",
        description="What the text is: a post, or a reply to an online review (added in v1.3). In a reply, "
                    "whatever confirms the reviewer is a patient or mentions their care is high PHI, each PHI "
                    "finding's first fix is the safe reply, and no disclaimer is needed.")
    lang: Literal["en", "es"] | None = Field(
        default=None,
        description="The post's language (added in v1.4). Without it each paragraph's language is detected, so "
                    "a bilingual post is checked in both; messages follow each paragraph's language.")

    @field_validator("text", mode="before")
    @classmethod
    def _replace_lone_surrogates(cls, text: object) -> object:
        # JSON may carry a lone surrogate (half an emoji cut by an editor); it cannot be encoded
        # in the response. U+FFFD has the same length in both units, so offsets do not move.
        return _LONE_SURROGATE.sub("\ufffd", text) if isinstance(text, str) else text


class FixOut(BaseModel):
    """One edit: replace [start, end) of the checked text (in the unit asked for) with `text`."""

    model_config = ConfigDict(from_attributes=True)

    label: str
    start: int
    end: int
    text: str


class FindingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    start: int
    end: int
    text: str
    category: Category
    type: str
    rule: str
    severity: Severity
    message: str
    suggestions: list[str]
    source: str
    source_url: str | None = None  # the first cited source's page (added in v1.2)
    drivers: list[str] = []  # what drove the decision, for the card (added in v1.1)
    fixes: list[FixOut] = []  # ranged edits, best first (added in v1.2; `suggestions` stays)
    lang: Literal["en", "es"] = "en"  # the paragraph's language; message and labels are in it (v1.4)


class DisclaimerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    needed: bool
    present: bool
    suggested: str


class PlatformOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    limit: int
    length: int
    remaining: int


class RangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    start: int
    end: int


class CheckResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    findings: list[FindingOut]
    disclaimer: DisclaimerOut
    platform: PlatformOut
    elapsed_ms: float
    complete: bool  # false: the time budget ran out; `unchecked` says where
    unchecked: list[RangeOut]
    lang: Literal["en", "es"] = "en"  # the post's language; the disclaimer is in it (added in v1.4)


class HealthResponse(BaseModel):
    status: Literal["ok"] = "ok"
    version: str
    model: str


class RuleOut(BaseModel):
    id: str
    category: Category
    severity: Severity
    message: str
    source: str
    source_url: str | None = None  # added in v1.2


class SettingsDefaults(BaseModel):
    """GET /v1/settings/defaults (added in v1.3): the texts used when a setting is empty."""

    disclaimer_short: str
    disclaimer_long: str


class RulesResponse(BaseModel):
    rules: list[RuleOut]


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorBody
