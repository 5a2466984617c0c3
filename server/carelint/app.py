"""Assembles the HTTP app: state, the guard, the routers of api/, the error handlers.
No route and no checking logic lives here."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from carelint import __version__
from carelint.api.check import check_router
from carelint.api.errors import ApiError, ClientGone, error_response, validation_message
from carelint.api.guard import GuardMiddleware
from carelint.api.images import image_router
from carelint.api.meta import meta_router
from carelint.api.origins import ExtensionOrigins
from carelint.api.pages import STATIC_DIR, pages_router
from carelint.api.pairing import pairing_router
from carelint.api.session import Sessions
from carelint.api.settings import settings_router
from carelint.api.state import AppState
from carelint.batching import CheckBatcher
from carelint.engine import Checker
from carelint.settings import InvalidEnvironment, PolicyStore, RuntimeSettings, load_runtime_settings
from carelint.token import TokenError, load_or_create_token
from carelint.workers import default_workers, start_analysers

log = logging.getLogger("carelint")  # never given post text


class StartupError(SystemExit):
    """Start-up cannot go on; the message says why in one line (the CLI prints it, exit 2)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """The methods some route serves at `path` (routers are included without a prefix)."""
    methods: set[str] = set()
    routes = list(app.router.routes)
    while routes:
        route = routes.pop()
        if hasattr(route, "original_router"):  # FastAPI keeps an included router as one entry
            routes.extend(route.original_router.routes)
        elif getattr(route, "methods", None) and route.path_regex.match(path):
            methods |= route.methods
    return sorted(methods - {"HEAD"})


def create_app(settings: RuntimeSettings | None = None, checker: Checker | None = None) -> FastAPI:
    try:
        settings = settings or load_runtime_settings()
    except InvalidEnvironment as exc:
        raise StartupError(str(exc)) from None
    store = PolicyStore(settings.policy_path)
    try:
        policy = store.load()
        token = load_or_create_token(settings.token_path, settings.token)
    except (ValueError, OSError, TokenError) as exc:
        raise StartupError(str(exc)) from None
    checker = checker or Checker.from_model(settings.model, cache_size=settings.cache_size,
                                            budget_s=settings.check_budget_ms / 1000)
    # Forked before the batcher's threads start (see workers.py).
    analysers = start_analysers(checker, settings.workers or default_workers())
    state = AppState(
        settings=settings,
        checker=checker,
        batcher=CheckBatcher(checker, *analysers),
        token=token,
        sessions=Sessions(token),
        origins=ExtensionOrigins(settings.config_dir / "extension-origins"),
        store=store,
        policy=policy,
    )
    app = FastAPI(title="Carelint", version=__version__, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.carelint = state
    app.add_middleware(GuardMiddleware, state=state)  # refusals and CORS before routing

    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(ClientGone)
    async def client_gone(_: Request, exc: ClientGone):
        # Nobody reads this answer; it keeps the disconnect out of the error log.
        return error_response(400, "client_disconnected", "The client closed the connection mid-request.")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        headers = exc.headers
        if exc.status_code == 405:  # every method of the path (Starlette names only the first route's)
            headers = {**(headers or {}), "Allow": ", ".join(allowed_methods(app, request.url.path))}
        return error_response(exc.status_code, code, str(exc.detail), headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError):
        return error_response(422, "invalid_fields", validation_message(exc))

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception):
        log.error("internal error: %s", type(exc).__name__)  # the type only: no post text
        return error_response(500, "internal_error", "Carelint hit an internal error; the post was not stored.")

    for router in (meta_router(state, app), check_router(state), image_router(state), settings_router(state),
                   pairing_router(state), pages_router(state)):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    return app
