"""The OpenAPI document's request bodies. Routes read their bodies themselves (for the
contract's 413/415/422), so FastAPI cannot see them: each route names its model here."""

from __future__ import annotations

from pydantic import BaseModel

REF = "#/components/schemas/{model}"


def json_body(model: type[BaseModel]) -> dict:
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": REF.format(model=model.__name__)}}}}}


def raw_body(media_types: tuple[str, ...]) -> dict:
    return {"requestBody": {"required": True, "content": {
        t: {"schema": {"type": "string", "format": "binary"}} for t in media_types}}}


def with_request_models(document: dict, models: list[type[BaseModel]]) -> dict:
    """Add the request models (and what they refer to) to the document's components."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for model in models:
        schema = model.model_json_schema(ref_template=REF)
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    return document
