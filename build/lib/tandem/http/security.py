"""Security headers on every response: what the browser may load, who may frame us.

The desk and the dashboards are never framed (`frame-ancestors 'none'`, X-Frame-Options DENY);
the customer chat is, by the shop pages that embed the widget (`widget_frame_ancestors`).
Scripts come only from our own origin (the pages have no inline script); inline styles are
allowed, the pages use a few style attributes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

EMBEDDABLE = ("/chat",)
# FastAPI's API explorer loads its own script bundle; it keeps the other headers.
NO_CSP = ("/docs", "/docs/oauth2-redirect", "/redoc")


def content_security_policy(frame_ancestors: str) -> str:
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        )
    )


def install_security_headers(app: FastAPI, widget_frame_ancestors: str = "*") -> None:
    private = content_security_policy("'none'")
    embeddable = content_security_policy(widget_frame_ancestors)

    @app.middleware("http")
    async def _headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        framed = request.url.path in EMBEDDABLE
        if request.url.path not in NO_CSP:
            response.headers.setdefault(
                "Content-Security-Policy", embeddable if framed else private
            )
        if not framed:
            response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        return response
