"""GET/PUT /v1/settings: the organisation's policy, stored as TOML in the config dir."""

from __future__ import annotations

from fastapi import APIRouter, Request

from carelint import disclaimer
from carelint.api.errors import ApiError, read_model
from carelint.api.openapi import json_body
from carelint.api.state import AppState
from carelint.schemas import SettingsDefaults
from carelint.settings import Policy


def settings_router(state: AppState) -> APIRouter:
    router = APIRouter()

    @router.get("/v1/settings", response_model=Policy)
    def get_settings():
        return state.policy

    @router.get("/v1/settings/defaults", response_model=SettingsDefaults)
    def get_defaults():
        """What an empty setting means, for the options page to show instead of a blank field."""
        return SettingsDefaults(disclaimer_short=disclaimer.DEFAULT_SHORT, disclaimer_long=disclaimer.DEFAULT_LONG)

    @router.put("/v1/settings", response_model=Policy, openapi_extra=json_body(Policy))
    async def put_settings(request: Request):
        policy = await read_model(request, Policy, state.settings.max_body_bytes)
        try:
            state.store.save(policy)
        except OSError as exc:
            raise ApiError(507, "settings_not_saved", f"Could not write the settings file: {exc.strerror}") from None
        state.policy = policy
        return policy

    return router
