"""What the routes share: settings, the engine and its lanes, the token, sessions, the policy."""

from __future__ import annotations

from dataclasses import dataclass

from carelint.api.origins import ExtensionOrigins
from carelint.api.session import Sessions
from carelint.batching import CheckBatcher
from carelint.engine import Checker
from carelint.settings import Policy, PolicyStore, RuntimeSettings


@dataclass
class AppState:
    settings: RuntimeSettings
    checker: Checker
    batcher: CheckBatcher
    token: str
    sessions: Sessions
    origins: ExtensionOrigins
    store: PolicyStore
    policy: Policy
