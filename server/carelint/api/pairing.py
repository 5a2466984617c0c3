"""Pairing the extension and signing browsers in, from an already-trusted caller.

- GET /v1/pairing: the token and its fingerprint, for the signed-in page (or a token holder),
  which hands them to the extension; the extension shows the fingerprint and the server's address
  for the user to compare with the terminal before it stores anything.
- POST /v1/login-links: a new one-time sign-in link (`carelint open` calls it with the token).
- POST /v1/extension-origin: an extension origin proving it holds the token is allowed from then
  on (Firefox gives each install its own origin; Chromium builds have a fixed one).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from carelint.api.errors import ApiError
from carelint.api.pages import login_url
from carelint.api.session import fingerprint
from carelint.api.state import AppState


class PairingOut(BaseModel):
    server: str
    token: str
    fingerprint: str


class LoginLinkOut(BaseModel):
    url: str


class OriginOut(BaseModel):
    origin: str


def server_base(request: Request) -> str:
    return f"{request.url.scheme}://{request.headers.get('host', '127.0.0.1')}"


def pairing_router(state: AppState) -> APIRouter:
    router = APIRouter()

    @router.get("/v1/pairing", response_model=PairingOut)
    def pairing(request: Request):
        return PairingOut(server=server_base(request), token=state.token, fingerprint=fingerprint(state.token))

    @router.post("/v1/login-links", response_model=LoginLinkOut)
    def new_login_link(request: Request):
        return LoginLinkOut(url=login_url(state, server_base(request)))

    @router.post("/v1/extension-origin", response_model=OriginOut)
    def register_origin(request: Request):
        origin = request.headers.get("origin", "")
        try:
            state.origins.register(origin)
        except ValueError:
            raise ApiError(422, "invalid_origin", "Call this from the Carelint extension.") from None
        except OSError as exc:
            raise ApiError(507, "origin_not_saved", f"Could not write the origins file: {exc.strerror}") from None
        return OriginOut(origin=origin)

    return router
