"""POST /v1/check-image: the raw image bytes as the body (no multipart parser to trust), the
same guard as every /v1 route (the app's middleware runs before routing), errors as ApiError."""

from __future__ import annotations

import threading

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from carelint.images.loading import MAX_IMAGE_BYTES, TOO_LARGE, ImageError, not_an_image
from carelint.images.pipeline import check_image_bytes

# Content types a browser or client sends for an image; octet-stream for "just bytes".
ACCEPTED_TYPES = ("image/", "application/octet-stream")
# One image at a time: OCR already uses both cores, and each check holds a decoded photo.
_one_at_a_time = threading.Semaphore(1)


def image_router(state) -> APIRouter:
    """The image route, bound to the app's state (`.checker`, `.policy`, read per request so a
    settings change applies at once). Mount with `app.include_router(image_router(state))`."""
    from carelint.app import ApiError  # here, not at import time: app.py imports this module

    router = APIRouter()

    @router.post("/v1/check-image")
    async def check_image(request: Request):
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if not content_type.startswith(ACCEPTED_TYPES):
            raise ApiError(415, "unsupported_media_type",
                           "Send the image bytes as the body with Content-Type image/* (or application/octet-stream).")
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_IMAGE_BYTES:
            raise ApiError(TOO_LARGE.status, TOO_LARGE.code, TOO_LARGE.message)
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_IMAGE_BYTES:  # a lying or absent Content-Length
                raise ApiError(TOO_LARGE.status, TOO_LARGE.code, TOO_LARGE.message)
        if not body:
            raise ApiError(415, "unsupported_media_type", "The body is empty: " + not_an_image().message)
        try:
            result = await run_in_threadpool(_check, bytes(body), state)
        except ImageError as exc:
            raise ApiError(exc.status, exc.code, exc.message) from None
        return JSONResponse(result.to_dict())

    return router


def _check(data: bytes, state):
    with _one_at_a_time:
        return check_image_bytes(data, state.checker, state.policy)
