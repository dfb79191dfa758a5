"""Keep secrets and personal data out of the server's logs."""

from __future__ import annotations

import logging
import re

_TOKEN = re.compile(r"(token=)[^&\s\"']+")
_SIGNATURE = re.compile(r"(signature=)[^&\s\"']+")
_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
_TOKEN_FIELD = re.compile(r"((?:customer_)?token[\"']?\s*[:=]\s*[\"']?)[A-Za-z0-9._~+/=-]{8,}")


def redact_secrets(text: str) -> str:
    """Customer tokens (in URLs, JSON bodies, Bearer headers) and signatures replaced by ***."""
    text = _SIGNATURE.sub(r"\1***", _TOKEN.sub(r"\1***", text))
    return _TOKEN_FIELD.sub(r"\1***", _BEARER.sub(r"\1***", text))


class RedactingFilter(logging.Filter):
    """Masks customer tokens and signatures in URLs (WebSocket paths carry them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(
                _SIGNATURE.sub(r"\1***", _TOKEN.sub(r"\1***", a)) if isinstance(a, str) else a
                for a in (record.args if isinstance(record.args, tuple) else (record.args,))
            )
        if isinstance(record.msg, str):
            record.msg = _SIGNATURE.sub(r"\1***", _TOKEN.sub(r"\1***", record.msg))
        return True


def install_redaction() -> None:
    for name in ("uvicorn.access", "uvicorn.error", "uvicorn", "tandem"):
        logging.getLogger(name).addFilter(RedactingFilter())
