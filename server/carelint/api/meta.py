"""GET /v1/health (no token, no data), GET /v1/rules, GET /openapi.json (behind the token)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse

from carelint import __version__
from carelint.api.openapi import with_request_models
from carelint.api.state import AppState
from carelint.images import IMAGE_RULES
from carelint.schemas import CheckRequest, HealthResponse, RuleOut, RulesResponse
from carelint.settings import Policy


def meta_router(state: AppState, app: FastAPI) -> APIRouter:
    router = APIRouter()

    @router.get("/v1/health", response_model=HealthResponse)
    def health():
        return HealthResponse(version=__version__, model=state.checker.model_name)

    @router.get("/v1/rules", response_model=RulesResponse)
    def rules():
        return RulesResponse(rules=[RuleOut(**r) for r in state.checker.rule_catalogue() + IMAGE_RULES])

    @router.get("/openapi.json", include_in_schema=False)
    def openapi():
        return JSONResponse(with_request_models(app.openapi(), [CheckRequest, Policy]))

    return router
