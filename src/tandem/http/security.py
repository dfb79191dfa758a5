"""Security headers on every response: what the browser may load, who may frame us.

The desk and the dashboards are never framed (`frame-ancestors 'none'`, X-Frame-Options DENY);
the customer chat is, by the shop pages that embed the widget (`widget_frame_ancestors`).
Scripts come only from our own origin (the pages have no inline script); inline styles are
allowed, the pages use a few style attributes.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
    """A pure ASGI layer (no `BaseHTTPMiddleware`: that one runs each request's app in a task
    of its own with a stream in between, a cost paid by every message)."""
    private = content_security_policy("'none'").encode()
    embeddable = content_security_policy(widget_frame_ancestors).encode()

    def headers_for(path: str) -> list[tuple[bytes, bytes]]:
        framed = path in EMBEDDABLE
        out = []
        if path not in NO_CSP:
            out.append((b"content-security-policy", embeddable if framed else private))
        if not framed:
            out.append((b"x-frame-options", b"DENY"))
        out.append((b"x-content-type-options", b"nosniff"))
        out.append((b"referrer-policy", b"strict-origin-when-cross-origin"))
        return out

    def middleware(inner: ASGIApp) -> ASGIApp:
        async def secured(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await inner(scope, receive, send)
                return
            extra = headers_for(scope["path"])

            async def send_with_headers(message: Message) -> None:
                if message["type"] == "http.response.start":
                    present = {k.lower() for k, _ in message.get("headers", ())}
                    added = [(k, v) for k, v in extra if k not in present]
                    message = {**message, "headers": [*message.get("headers", ()), *added]}
                await send(message)

            await inner(scope, receive, send_with_headers)

        return secured

    app.add_middleware(middleware)
