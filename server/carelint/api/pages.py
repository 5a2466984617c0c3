"""The server's own pages: the playground for a signed-in browser, a sign-in page otherwise,
and the one-time login link that turns the first into the second. No page carries a secret."""

from __future__ import annotations

from importlib import resources

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from carelint.api.session import LOGIN_PATH, SESSION_COOKIE, cookie_from
from carelint.api.state import AppState

STATIC_DIR = resources.files("carelint") / "static"
PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",  # the login link's code never leaves in a Referer
}


def _page(name: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse((STATIC_DIR / name).read_text(encoding="utf-8"), status_code=status, headers=PAGE_HEADERS)


def pages_router(state: AppState) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/", response_class=HTMLResponse)
    def playground(request: Request):
        if state.sessions.valid(cookie_from(request.headers.get("cookie"))):
            return _page("index.html")
        return _page("signin.html")

    @router.get(LOGIN_PATH)
    def login(code: str = ""):
        cookie = state.sessions.redeem(code)
        if cookie is None:
            return _page("signin.html", status=401)
        response = RedirectResponse("/", status_code=303, headers={"Referrer-Policy": "no-referrer"})
        response.set_cookie(SESSION_COOKIE, cookie, httponly=True, samesite="strict", path="/",
                            max_age=30 * 24 * 3600)
        return response

    @router.get("/favicon.ico")
    def favicon():
        return Response(status_code=204)  # browsers ask for it; a 404 would be a console error

    return router


def login_url(state: AppState, base: str) -> str:
    """A fresh one-time link that signs a browser in to this server's page."""
    return f"{base.rstrip('/')}{LOGIN_PATH}?code={state.sessions.new_login_code()}"
