"""The FastAPI app: routes, guards and error handlers. No checking logic lives here."""

from __future__ import annotations

import asyncio
import dataclasses
import html
import json
import logging
import re
from dataclasses import dataclass
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from carelint import __version__
from carelint.batching import CheckBatcher
from carelint.engine import Checker
from carelint.engine import CheckRequest as EngineRequest
from carelint.images import IMAGE_RULES, MAX_IMAGE_BYTES
from carelint.images.loading import TOO_LARGE as IMAGE_TOO_LARGE
from carelint.images.routes import image_router
from carelint.schemas import (
    CheckRequest,
    HealthResponse,
    RuleOut,
    RulesResponse,
)
from carelint.settings import InvalidEnvironment, Policy, PolicyStore, RuntimeSettings, load_runtime_settings
from carelint.token import load_or_create_token, token_matches
from carelint.workers import default_workers, start_analysers

log = logging.getLogger("carelint")  # never given post text

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})
EXTENSION_ORIGIN = re.compile(r"^chrome-extension://[a-p]{32}$")
STATIC_DIR = resources.files("carelint") / "static"


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        self.status, self.code, self.message = status, code, message


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


@dataclass
class AppState:
    settings: RuntimeSettings
    checker: Checker
    batcher: CheckBatcher
    token: str
    store: PolicyStore
    policy: Policy


class GuardMiddleware:
    """Refuses foreign Hosts and Origins, oversized bodies and missing tokens before routing
    (plain ASGI: cheaper than a BaseHTTPMiddleware on every keystroke's request)."""

    SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"cache-control", b"no-store")]

    def __init__(self, app, state: AppState):
        self.app = app
        self.state = state

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        refusal = _refusal(Request(scope), self.state)
        if refusal:
            return await error_response(*refusal)(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.SECURITY_HEADERS if k not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _host_name(host_header: str) -> str:
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


HOST_REFUSED = (403, "forbidden_host", "Requests must address the server as localhost or 127.0.0.1.")
ORIGIN_REFUSED = (403, "forbidden_origin", "Only the Carelint extension and this server's own page may call the API.")
TOKEN_REFUSED = (401, "unauthorized", "Missing or wrong token: send 'Authorization: Bearer <token>' (carelint token).")


def _refusal(request: Request, state: AppState) -> tuple[int, str, str] | None:
    """Why a request is refused before routing, or None. Order: Host, Origin, size, token."""
    host = request.headers.get("host", "")
    # DNS rebinding: a foreign name resolving to 127.0.0.1 still carries its own Host.
    if _host_name(host) not in LOOPBACK_HOSTS:
        return HOST_REFUSED
    origin = request.headers.get("origin")
    if origin and not EXTENSION_ORIGIN.match(origin) and origin != f"{request.url.scheme}://{host}":
        return ORIGIN_REFUSED
    path = request.url.path
    length = request.headers.get("content-length", "")
    if path == "/v1/check-image":
        if length.isdigit() and int(length) > MAX_IMAGE_BYTES:
            return IMAGE_TOO_LARGE.status, IMAGE_TOO_LARGE.code, IMAGE_TOO_LARGE.message
    elif length.isdigit() and int(length) > state.settings.max_body_bytes:
        return 413, "payload_too_large", f"The request body is larger than {state.settings.max_body_bytes} bytes."
    needs_token = path.startswith("/v1/") and path != "/v1/health" and request.method != "OPTIONS"
    if needs_token and not token_matches(state.token, request.headers.get("authorization")):
        return TOKEN_REFUSED
    return None


def _validation_message(exc: ValidationError | RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        parts.append(f"{field}: {err.get('msg', 'invalid')}")
    return "; ".join(parts)


async def read_model(request: Request, model: type[BaseModel], max_bytes: int) -> BaseModel:
    """Parse a JSON body into `model` with the contract's errors: 413, 415, 422."""
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise ApiError(415, "unsupported_media_type", "Send the body as JSON (Content-Type: application/json).")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise ApiError(413, "payload_too_large", f"The request body is larger than {max_bytes} bytes.")
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApiError(422, "invalid_json", f"The body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ApiError(422, "invalid_fields", "body: expected a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ApiError(422, "invalid_fields", _validation_message(exc)) from None


def create_app(settings: RuntimeSettings | None = None, checker: Checker | None = None) -> FastAPI:
    try:
        settings = settings or load_runtime_settings()
    except InvalidEnvironment as exc:
        raise SystemExit(str(exc)) from None
    store = PolicyStore(settings.policy_path)
    try:
        policy = store.load()
    except (ValueError, OSError) as exc:
        raise SystemExit(f"Settings file {settings.policy_path} is invalid: {exc}") from exc
    checker = checker or Checker.from_model(settings.model, cache_size=settings.cache_size,
                                            budget_s=settings.check_budget_ms / 1000)
    # Forked before the batcher's threads start (see workers.py).
    analysers = start_analysers(checker, settings.workers or default_workers())
    state = AppState(
        settings=settings,
        checker=checker,
        batcher=CheckBatcher(checker, *analysers),
        token=load_or_create_token(settings.token_path, settings.token),
        store=store,
        policy=policy,
    )
    app = FastAPI(title="Carelint", version=__version__, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.carelint = state

    # CORS for the extension only; web pages get no CORS headers and are refused below.
    app.add_middleware(
        CORSMiddleware,
        allow_origin_regex=EXTENSION_ORIGIN.pattern,
        allow_methods=["GET", "POST", "PUT", "OPTIONS"],
        allow_headers=["Authorization", "Content-Type"],
        max_age=600,
    )

    # Added last, so it runs first: refusals happen before CORS and routing.
    app.add_middleware(GuardMiddleware, state=state)

    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError):
        return error_response(exc.status, exc.code, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException):
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError):
        return error_response(422, "invalid_fields", _validation_message(exc))

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception):
        log.error("internal error: %s", type(exc).__name__)  # the type only: no post text
        return error_response(500, "internal_error", "Carelint hit an internal error; the post was not stored.")

    @app.get("/v1/health", response_model=HealthResponse)
    def health():
        return HealthResponse(version=__version__, model=state.checker.model_name)

    @app.post("/v1/check")
    async def check(request: Request):
        body = await read_model(request, CheckRequest, settings.max_body_bytes)
        job = EngineRequest(body.text, body.platform, body.offset_unit, state.policy)
        result = await asyncio.wrap_future(state.batcher.submit(job))
        # The engine's dataclasses already have the contract's shape (schemas.CheckResponse,
        # checked by the tests); serialising them directly skips a second validation.
        return JSONResponse(dataclasses.asdict(result))

    @app.get("/v1/rules", response_model=RulesResponse)
    def rules():
        return RulesResponse(rules=[RuleOut(**r) for r in state.checker.rule_catalogue() + IMAGE_RULES])

    @app.get("/v1/settings", response_model=Policy)
    def get_settings():
        return state.policy

    @app.put("/v1/settings", response_model=Policy)
    async def put_settings(request: Request):
        policy = await read_model(request, Policy, settings.max_body_bytes)
        try:
            state.store.save(policy)
        except OSError as exc:
            raise ApiError(507, "settings_not_saved", f"Could not write the settings file: {exc.strerror}") from None
        state.policy = policy
        return policy

    @app.get("/", response_class=HTMLResponse)
    def playground():
        page = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
        page = page.replace("{{TOKEN}}", html.escape(state.token, quote=True))
        return HTMLResponse(page, headers={
            "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'none'",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "no-referrer",
        })

    app.include_router(image_router(state))

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon():
        return Response(status_code=204)  # browsers ask for it; a 404 would be a console error

    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    return app

