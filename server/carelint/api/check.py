"""POST /v1/check: a post in, findings out, through the engine's lanes (batching.py)."""

from __future__ import annotations

import asyncio
import dataclasses

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from carelint.api.errors import read_model
from carelint.api.openapi import json_body
from carelint.api.state import AppState
from carelint.engine import CheckRequest as EngineRequest
from carelint.schemas import CheckRequest, CheckResponse


def check_router(state: AppState) -> APIRouter:
    router = APIRouter()

    @router.post("/v1/check", response_model=CheckResponse, openapi_extra=json_body(CheckRequest))
    async def check(request: Request):
        body = await read_model(request, CheckRequest, state.settings.max_body_bytes)
        job = EngineRequest(body.text, body.platform, body.offset_unit, state.policy, body.context, body.lang)
        result = await asyncio.wrap_future(state.batcher.submit(job))
        # The engine's dataclasses already have the contract's shape (schemas.CheckResponse,
        # checked by the tests); serialising them directly skips a second validation.
        return JSONResponse(dataclasses.asdict(result))

    return router
