"""`check_batch`: the library entry point for checking many texts at once.

The same engine as the server's: `Checker.check_many`, whose unseen paragraphs go through
spaCy's `nlp.pipe` together. Without a `checker`, the model is loaded once per process, on the
first call, and kept (`process_checker`), which is what a Ray actor, a Spark executor's Python
worker or a `--jobs` worker wants. The audit (`carelint audit`, every engine) calls it; the
server's request lanes call `Checker.check_many` itself, since each of their requests carries
its own offset unit and settings.

    >>> from carelint import check_batch
    >>> [r.findings[0].rule for r in check_batch(["Congrats to our patient Ana Ruiz on her new hip!"])]
    ['phi.patient-name']
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from carelint.language import supported as supported_languages
from carelint.platforms import PLATFORMS
from carelint.settings import DEFAULT_MODEL, Policy

if TYPE_CHECKING:
    from carelint.engine import Checker, CheckResult

CONTEXTS = ("post", "review_reply")

_loaded: dict[str, Checker] = {}
_loading = threading.Lock()


def process_checker(model: str = DEFAULT_MODEL) -> Checker:
    """This process's engine for `model`, loaded on first use (no time budget: everything is
    analysed). Raises carelint.nlp.ModelNotFound when the model is not installed."""
    with _loading:
        if model not in _loaded:
            from carelint.engine import Checker

            _loaded[model] = Checker.from_model(model)
        return _loaded[model]


def check_batch(
    texts: Sequence[str],
    *,
    platform: str | Sequence[str] = "generic",
    lang: str | None = None,
    context: str = "post",
    policy: Policy | None = None,
    checker: Checker | None = None,
) -> list[CheckResult]:
    """One CheckResult per text, in order, offsets in code points.

    `platform` is one of carelint.platforms.PLATFORMS for every text, or a sequence with one per
    text (an unknown name counts as "generic", as in an export whose network column says
    "Pinterest"). `policy` holds the organisation's settings (staff names, addresses, disabled
    rules). `lang` ("en", "es") is every text's language; None detects it per paragraph. Raises
    ValueError for a language, context or platform list Carelint cannot use."""
    if isinstance(texts, str):
        raise ValueError("texts must be a sequence of strings, not one string")
    if lang is not None and lang not in supported_languages():
        raise ValueError(f"lang {lang!r} is not supported; supported: {', '.join(supported_languages())}")
    if context not in CONTEXTS:
        raise ValueError(f"context must be one of {', '.join(CONTEXTS)}")
    if isinstance(platform, str):
        if platform not in PLATFORMS:
            raise ValueError(f"unknown platform {platform!r}; choose one of {', '.join(PLATFORMS)}")
        platforms = [platform] * len(texts)
    else:
        platforms = [p if p in PLATFORMS else "generic" for p in platform]
        if len(platforms) != len(texts):
            raise ValueError(f"{len(platforms)} platforms for {len(texts)} texts")
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise ValueError(f"texts[{i}] is a {type(text).__name__}, not a string")
    if not texts:
        return []
    from carelint.engine import CheckRequest

    engine = checker or process_checker()
    policy = policy or Policy()
    return engine.check_many([CheckRequest(text, p, "codepoint", policy, context, lang)
                              for text, p in zip(texts, platforms, strict=True)])
