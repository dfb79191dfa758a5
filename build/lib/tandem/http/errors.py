"""Map errors to JSON answers that say what to fix. Never a bare 500 for bad input."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from tandem.core.errors import RateLimited, TandemError

log = logging.getLogger("tandem.http")


def _describe(error: Mapping[str, Any]) -> str:
    if error.get("type") == "json_invalid":
        return 'the body is not valid JSON: send a JSON object such as {"text": "你好"}'
    loc = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
    return f"{loc}: {error.get('msg', 'invalid')}"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(TandemError)
    async def _tandem_error(_request: Request, exc: TandemError) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimited) else None
        return JSONResponse(
            {"error": exc.code, "message": exc.message},
            status_code=exc.status_code,
            headers=headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [_describe(e) for e in exc.errors()]
        return JSONResponse(
            {
                "error": "invalid_input",
                "message": "; ".join(details) or "invalid request",
                "details": details,
            },
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 413:
            return JSONResponse(
                {
                    "error": "payload_too_large",
                    "message": "请求内容太大，请缩小后重发（消息最多 2000 字，图片和视频见上传限制）。"
                    "request body too large: send less",
                },
                status_code=413,
            )
        if exc.status_code == 400 and "parsing the body" in str(exc.detail):
            # A body FastAPI could not even decode (not UTF-8, say): invalid input, as the
            # docs promise, with the same advice as for broken JSON.
            message = _describe({"type": "json_invalid"})
            return JSONResponse(
                {"error": "invalid_input", "message": message, "details": [message]},
                status_code=422,
            )
        return JSONResponse(
            {"error": "http_error", "message": str(exc.detail)},
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )
