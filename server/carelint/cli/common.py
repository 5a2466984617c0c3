"""What every command shares: the consoles, severity styles, and loading settings, policy, token
and checker, each of which ends the command with exit code 2 and one line saying why.

Commands import this module, never each other or carelint.cli itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.console import Console

from carelint.settings import InvalidEnvironment, Policy, PolicyStore, RuntimeSettings, load_runtime_settings
from carelint.token import TokenError, load_or_create_token

if TYPE_CHECKING:
    from carelint.engine import Checker

# Rich resolves stderr when it prints, so a test runner's captured stream is the one used.
err = Console(stderr=True)
SEVERITY_STYLE: dict[str, str] = {"high": "bold red", "medium": "yellow", "low": "cyan"}  # one per SEVERITIES


def out_console() -> Console:
    """Standard output for findings: no syntax highlighting, long lines not wrapped."""
    return Console(highlight=False, soft_wrap=True)


def usage_error(message: str) -> typer.Exit:
    """Print `message` (as is: no markup) in red on stderr; the caller raises the exit (code 2)."""
    err.print(message, style="red", markup=False)
    return typer.Exit(2)


def load_settings(**overrides) -> RuntimeSettings:
    """The run-time settings, or exit 2 with the variable that is wrong."""
    try:
        return load_runtime_settings(**overrides)
    except InvalidEnvironment as exc:
        raise usage_error(str(exc)) from None


def load_policy(settings: RuntimeSettings) -> Policy:
    """The organisation's policy, or exit 2 when its file cannot be read or is invalid."""
    try:
        return PolicyStore(settings.policy_path).load()
    except (ValueError, OSError) as exc:
        raise usage_error(f"Settings file {settings.policy_path} cannot be used: {exc}") from None


def load_token(settings: RuntimeSettings) -> str:
    """The API token (created on first use), or exit 2 when its file cannot be used."""
    try:
        return load_or_create_token(settings.token_path, settings.token)
    except TokenError as exc:
        raise usage_error(str(exc)) from None


def load_checker(model: str, budget_s: float | None = None) -> Checker:
    """The engine in this process, or exit 2 when the model is missing."""
    # Here, not at the top: the engine imports spaCy, which would slow every other command.
    from carelint.engine import Checker
    from carelint.nlp import ModelNotFound

    try:
        return Checker.from_model(model, budget_s=budget_s)
    except ModelNotFound as exc:
        raise usage_error(str(exc)) from None
