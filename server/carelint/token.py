"""The API token: CARELINT_TOKEN if set, else a random token kept 0600 in the config dir."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class TokenError(Exception):
    """The token file cannot be read or written; the message says which file and why."""


def load_or_create_token(path: Path, override: str | None = None) -> str:
    if override:
        return override
    try:
        return _load_or_create(path)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise TokenError(f"Cannot use the token file {path}: {reason}. "
                         "Fix its permissions, delete it to make a new one, or set CARELINT_TOKEN.") from None


def _load_or_create(path: Path) -> str:
    if path.exists():
        token = path.read_text(encoding="utf-8").strip()
        if token:
            _restrict(path)
            return token
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    token = secrets.token_urlsafe(32)
    # O_EXCL|0600 from the start: the token is never readable by others, not even briefly.
    tmp = path.with_suffix(".new")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(token + "\n")
    tmp.replace(path)
    return token


def _restrict(path: Path) -> None:
    if path.stat().st_mode & 0o077:
        os.chmod(path, 0o600)


def token_matches(expected: str, header: str | None) -> bool:
    if not header or not header.startswith("Bearer "):
        return False
    return secrets.compare_digest(header[len("Bearer ") :].strip().encode(), expected.encode())
