"""The OpenAPI document tells every error an operation can answer, with the one error body
the error handlers send (`http/errors.py`), so clients and fuzzers can hold us to it. Added
centrally to every operation, instead of on each route."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "required": ["error", "message"],
    "properties": {
        "error": {"type": "string", "description": "machine-readable code"},
        "message": {"type": "string", "description": "what went wrong and what to do"},
        "details": {"type": "array", "items": {"type": "string"}},
    },
}
ERRORS = {
    "400": "The request cannot be carried out as sent",
    "401": "Not signed in, or the session has ended",
    "403": "Signed in, but not allowed to do this",
    "404": "No such thing (or not yours)",
    "409": "Conflicts with the current state (already taken, already decided...)",
    "422": "Invalid input: the message says what to fix",
    "429": "Too many requests: wait for Retry-After seconds",
}


def install_error_responses(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        ref = {"$ref": "#/components/schemas/Error"}
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                for status, description in ERRORS.items():
                    operation["responses"][status] = {
                        "description": description,
                        "content": {"application/json": {"schema": ref}},
                    }
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
