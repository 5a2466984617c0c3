"""Who may call the API, and how a browser gets in without the page ever holding a secret.

- The extension, the CLI and scripts send the API token (`Authorization: Bearer …`).
- A browser opens the server's own page through a one-time login link that the terminal
  prints (`carelint serve`, `carelint open`); the link sets an HttpOnly, SameSite=Strict session
  cookie (the Jupyter model). Another OS user, or another program's page, gets no secret.
- Pairing hands the token to the extension from that signed-in page, with a fingerprint the
  terminal also prints, so the user can tell it is this server and not another local program.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict

SESSION_COOKIE = "carelint_session"
LOGIN_PATH = "/login"
MAX_LOGIN_CODES = 16  # outstanding one-time links; older ones lapse


def fingerprint(token: str) -> str:
    """A short, readable digest of the token (never the token): shown in the terminal, on the
    signed-in page and in the extension, so the user can compare them when pairing."""
    digest = hashlib.sha256(b"carelint-pairing:" + token.encode()).hexdigest()[:12].upper()
    return "-".join(digest[i : i + 4] for i in range(0, 12, 4))


class Sessions:
    """One-time login codes and signed session cookies. Cookies are signed with a key derived
    from the token, so they survive a restart and end when the token changes."""

    def __init__(self, token: str):
        self._key = hashlib.sha256(b"carelint-session:" + token.encode()).digest()
        self._codes: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    def new_login_code(self) -> str:
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = None
            while len(self._codes) > MAX_LOGIN_CODES:
                self._codes.popitem(last=False)
        return code

    def redeem(self, code: str) -> str | None:
        """A new session cookie value for a valid code (then spent), else None."""
        with self._lock:
            if code not in self._codes:
                return None
            del self._codes[code]
        session_id = secrets.token_urlsafe(16)
        return f"{session_id}.{self._sign(session_id)}"

    def valid(self, cookie: str | None) -> bool:
        if not cookie or cookie.count(".") != 1:
            return False
        session_id, signature = cookie.split(".")
        return hmac.compare_digest(signature, self._sign(session_id))

    def _sign(self, session_id: str) -> str:
        return hmac.new(self._key, session_id.encode(), hashlib.sha256).hexdigest()


def cookie_from(header: str | None) -> str | None:
    """Our session cookie's value from a Cookie header."""
    for part in (header or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == SESSION_COOKIE:
            return value
    return None
