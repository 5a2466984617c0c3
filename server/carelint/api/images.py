"""POST /v1/check-image: the raw image bytes as the body (no multipart parser to trust)."""

from __future__ import annotations

import threading

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from carelint.api.errors import ApiError, read_body
from carelint.api.openapi import raw_body
from carelint.api.state import AppState
from carelint.images.loading import MAX_IMAGE_BYTES, TOO_LARGE, ImageError, not_an_image
from carelint.images.pipeline import check_image_bytes

# Content types a browser or client sends for an image; octet-stream for "just bytes".
ACCEPTED_TYPES = ("image/", "application/octet-stream")
# One image at a time: OCR already uses both cores, and each check holds a decoded photo.
_one_at_a_time = threading.Semaphore(1)


def image_router(state: AppState) -> APIRouter:
    """The image route; `state.policy` is read per request so a settings change applies at once."""
    router = APIRouter()
    too_large = ApiError(TOO_LARGE.status, TOO_LARGE.code, TOO_LARGE.message)

    @router.post("/v1/check-image", openapi_extra=raw_body(("image/png", "image/jpeg", "image/webp")))
    async def check_image(request: Request):
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if not content_type.startswith(ACCEPTED_TYPES):
            raise ApiError(415, "unsupported_media_type",
                           "Send the image bytes as the body with Content-Type image/* (or application/octet-stream).")
        body = await read_body(request, MAX_IMAGE_BYTES, too_large)
        if not body:
            raise ApiError(415, "unsupported_media_type", "The body is empty: " + not_an_image().message)
        try:
            result = await run_in_threadpool(_check, body, state)
        except ImageError as exc:
            raise ApiError(exc.status, exc.code, exc.message) from None
        return JSONResponse(result.to_dict())

    return router


def _check(data: bytes, state: AppState):
    with _one_at_a_time:
        return check_image_bytes(data, state.checker, state.policy)
