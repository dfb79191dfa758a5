"""Keep secrets and personal data out of the server's logs."""

from __future__ import annotations

import logging
import re

_TOKEN = re.compile(r"(token=)[^&\s\"']+")
_SIGNATURE = re.compile(r"(signature=)[^&\s\"']+")


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
