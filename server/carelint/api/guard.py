"""The guard every request passes before routing (plain ASGI: cheaper than a BaseHTTPMiddleware
on every keystroke's request). In order: Host (DNS rebinding), Origin (web pages and other
extensions), size, credentials. It also answers CORS, for Carelint's extension origins only."""

from __future__ import annotations

from fastapi import Request

from carelint.api.errors import error_response
from carelint.api.origins import EXTENSION_ORIGIN
from carelint.api.session import cookie_from
from carelint.api.state import AppState
from carelint.images.loading import MAX_IMAGE_BYTES
from carelint.images.loading import TOO_LARGE as IMAGE_TOO_LARGE
from carelint.token import token_matches

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})
HOST_REFUSED = (403, "forbidden_host", "Requests must address the server as localhost or 127.0.0.1.")
ORIGIN_REFUSED = (403, "forbidden_origin", "Only the Carelint extension and this server's own page may call the API.")
TOKEN_REFUSED = (401, "unauthorized", "Missing or wrong token: send 'Authorization: Bearer <token>' (carelint token).")
# The one path an extension origin not yet known may call: it registers itself with the token.
REGISTER_PATH = "/v1/extension-origin"
PUBLIC_PATHS = frozenset({"/v1/health"})
CORS_HEADERS = [
    (b"access-control-allow-methods", b"GET, POST, PUT, OPTIONS"),
    (b"access-control-allow-headers", b"Authorization, Content-Type"),
    (b"access-control-max-age", b"600"),
]
SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"cache-control", b"no-store")]


def host_name(host_header: str) -> str:
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def needs_credentials(path: str, method: str) -> bool:
    return method != "OPTIONS" and (path.startswith("/v1/") or path == "/openapi.json") and path not in PUBLIC_PATHS


def signed_in(request: Request, state: AppState) -> bool:
    """A browser session on our own page: the cookie, sent by the page itself (not by another
    local page: other ports of 127.0.0.1 are the same *site*, so SameSite alone would not do)."""
    if not state.sessions.valid(cookie_from(request.headers.get("cookie"))):
        return False
    own = f"{request.url.scheme}://{request.headers.get('host', '')}"
    origin = request.headers.get("origin")
    fetch_site = request.headers.get("sec-fetch-site")
    if origin is not None and origin != own:
        return False
    if fetch_site not in (None, "same-origin", "none"):
        return False
    # A state change needs a same-origin Origin header (browsers send it on every POST/PUT).
    return request.method in ("GET", "HEAD") or origin == own


def authorized(request: Request, state: AppState) -> bool:
    return token_matches(state.token, request.headers.get("authorization")) or signed_in(request, state)


def refusal(request: Request, state: AppState) -> tuple[int, str, str] | None:
    """Why a request is refused before routing, or None."""
    host = request.headers.get("host", "")
    if host_name(host) not in LOOPBACK_HOSTS:
        return HOST_REFUSED
    origin = request.headers.get("origin")
    path = request.url.path
    foreign = bool(origin) and origin != f"{request.url.scheme}://{host}" and not state.origins.allowed(origin)
    if foreign and not (path == REGISTER_PATH and EXTENSION_ORIGIN.match(origin)):
        return ORIGIN_REFUSED
    length = request.headers.get("content-length", "")
    if path == "/v1/check-image":
        if length.isdigit() and int(length) > MAX_IMAGE_BYTES:
            return IMAGE_TOO_LARGE.status, IMAGE_TOO_LARGE.code, IMAGE_TOO_LARGE.message
    elif length.isdigit() and int(length) > state.settings.max_body_bytes:
        return 413, "payload_too_large", f"The request body is larger than {state.settings.max_body_bytes} bytes."
    if needs_credentials(path, request.method) and not authorized(request, state):
        return TOKEN_REFUSED
    return None


class GuardMiddleware:
    def __init__(self, app, state: AppState):
        self.app = app
        self.state = state

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request = Request(scope)
        refused = refusal(request, self.state)
        if refused:
            return await error_response(*refused)(scope, receive, send)
        origin = request.headers.get("origin", "")
        cors = self.state.origins.allowed(origin) or request.url.path == REGISTER_PATH and bool(origin)
        extra = [*SECURITY_HEADERS]
        if cors:
            extra += [(b"access-control-allow-origin", origin.encode()), (b"vary", b"Origin")]
            if request.method == "OPTIONS" and "access-control-request-method" in request.headers:
                return await _preflight(extra + CORS_HEADERS, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                message = {**message, "headers": [*message.get("headers", []),
                                                  *((k, v) for k, v in extra if k not in present)]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _preflight(headers, send) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b""})
