"""The contract's errors and the one way a JSON body is read (size, type, depth, fields)."""

from __future__ import annotations

import json

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from starlette.requests import ClientDisconnect


class ApiError(Exception):
    """A 4xx (or 507) answer with the contract's body; raised anywhere in a route."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


class ClientGone(Exception):
    """The client closed the connection before its body arrived: nobody is left to answer."""


def error_response(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def too_large(max_bytes: int) -> ApiError:
    return ApiError(413, "payload_too_large", f"The request body is larger than {max_bytes} bytes.")


def validation_message(exc: ValidationError | RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        parts.append(f"{field}: {err.get('msg', 'invalid')}")
    return "; ".join(parts)


async def read_body(request: Request, max_bytes: int, too_big: ApiError | None = None) -> bytes:
    """The raw body, refused with 413 as soon as it passes `max_bytes` (a lying or absent
    Content-Length included)."""
    body = bytearray()
    try:
        async for chunk in request.stream():
            body += chunk
            if len(body) > max_bytes:
                raise too_big or too_large(max_bytes)
    except ClientDisconnect:
        raise ClientGone from None
    return bytes(body)


def parse_json(body: bytes) -> object:
    """JSON with the contract's 422s: bad UTF-8 or syntax, nesting deeper than Python's parser
    recurses, numbers longer than Python converts (4,300 digits)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(422, "invalid_json", f"The body is not UTF-8: {exc.reason} at byte {exc.start}.") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ApiError(422, "invalid_json", f"The body is not valid JSON: {exc}") from None
    except RecursionError:
        raise ApiError(422, "invalid_json", "The body nests arrays or objects too deeply.") from None
    except ValueError as exc:  # e.g. a number of 5,000 digits
        raise ApiError(422, "invalid_json", f"The body is not acceptable JSON: {exc}") from None


async def read_model(request: Request, model: type[BaseModel], max_bytes: int) -> BaseModel:
    """Parse a JSON body into `model` with the contract's errors: 413, 415, 422."""
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise ApiError(415, "unsupported_media_type", "Send the body as JSON (Content-Type: application/json).")
    data = parse_json(await read_body(request, max_bytes))
    if not isinstance(data, dict):
        raise ApiError(422, "invalid_fields", "body: expected a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ApiError(422, "invalid_fields", validation_message(exc)) from None
