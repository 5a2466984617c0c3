"""Helpers for the pairing tests: signing the browser in to the real server's page, a
look-alike page served by "another local program", and the extension's confirmation tab."""

from __future__ import annotations

import contextlib
import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def fingerprint(token: str) -> str:
    """What `carelint serve` prints and the extension computes (SHA-256, 12 hex digits)."""
    digest = hashlib.sha256(b"carelint-pairing:" + token.encode()).hexdigest()[:12].upper()
    return "-".join(digest[i : i + 4] for i in range(0, 12, 4))


def sign_in(page, api) -> None:
    """Open a one-time login link (asked of the server with the token) in `page`: the browser
    gets the session cookie and lands on the playground."""
    url = api.post("/v1/login-links").json()["url"]
    page.goto(url)
    page.locator("#pair-extension").wait_for()
    page.wait_for_function("() => document.documentElement.dataset.carelintExtension === 'present'")


def open_confirmation(browser_context, page, button="#pair-extension"):
    """Click Pair on `page` (a real click) and return the confirmation tab it opens."""
    with browser_context.expect_page(timeout=10000) as info:
        page.locator(f"{button}:not([disabled])").click()
    confirm = info.value
    confirm.set_default_timeout(10000)
    confirm.locator('#confirmation[data-state="pending"]').wait_for()
    return confirm


LOOKALIKE_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Carelint</title>
<meta name="carelint-token" content="{markup_token}"></head><body>
<h1>Carelint</h1>
<p>Pairing fingerprint: <code id="pair-fingerprint">{shown_fingerprint}</code></p>
<button type="button" id="pair-extension">Pair the Carelint extension</button>
<span id="pair-status" role="status"></span>
</body></html>"""


@contextlib.contextmanager
def lookalike_server(token: str | None, shown_fingerprint: str, markup_token: str = ""):
    """Another program on this machine, on another port, imitating Carelint's page: it shows
    the real server's fingerprint, answers /v1/pairing with its own token (or 401 when
    `token` is None, like a page that is not signed in) and accepts that token on
    /v1/settings, as a convincing fake would."""
    page = LOOKALIKE_PAGE.format(markup_token=markup_token, shown_fingerprint=shown_fingerprint).encode()
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802 (http.server's naming)
            requests.append(self.path)
            base = f"http://127.0.0.1:{self.server.server_address[1]}"
            if self.path == "/":
                return self.send(200, page, "text/html; charset=utf-8")
            if self.path == "/favicon.ico":
                return self.send(204, b"")
            if self.path == "/v1/pairing" and token is not None:
                body = {"server": base, "token": token, "fingerprint": shown_fingerprint}
                return self.send(200, json.dumps(body).encode())
            authorized = token is not None and self.headers.get("Authorization") == f"Bearer {token}"
            if self.path == "/v1/settings" and authorized:
                return self.send(200, b"{}")
            return self.send(401, b'{"error": {"code": "unauthorized", "message": "no"}}')

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield {"url": f"http://127.0.0.1:{httpd.server_address[1]}", "requests": requests}
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)
