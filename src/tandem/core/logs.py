"""Log lines, text or JSON, with whatever must not be stored masked in the formatter.

Masking happens where a record becomes a line (the handler's formatter), not in filters on
named loggers: a filter on `tandem` does not see what `tandem.turns` logs, a formatter sees
everything its handler writes, uvicorn's access log included. The mask itself (tokens,
phone numbers, addresses, ...) is handed in by the composition root (`tandem.ops`).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

Mask = Callable[[str], str]

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# What every LogRecord has; anything else on a record came from `extra=` and is logged too.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "color_message",  # uvicorn's coloured copy of the message
}
# uvicorn.access records carry (client, method, path, HTTP version, status) as their args.
_ACCESS_FIELDS = ("client", "method", "path", "http_version", "status")


SECRET = "***"
_SECRET_KEY = re.compile(r"token|password|secret|signature|authorization|cookie", re.IGNORECASE)


def _unmasked(text: str) -> str:
    return text


def masked_value(value: Any, mask: Mask) -> Any:
    """`value` with every string in it masked (lists and dicts walked; the value of a key
    that names a secret, such as `customer_token` or `password`, is never written)."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {
            str(k): SECRET if _SECRET_KEY.search(str(k)) else masked_value(v, mask)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [masked_value(v, mask) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return mask(str(value))


class MaskingFormatter(logging.Formatter):
    """The usual text line, its message and traceback passed through `mask`."""

    def __init__(self, fmt: str = TEXT_FORMAT, mask: Mask = _unmasked) -> None:
        super().__init__(fmt)
        self.mask = mask

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        return self.mask(super().formatMessage(record))

    def formatException(self, ei: Any) -> str:  # noqa: N802
        return self.mask(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:  # noqa: N802
        return self.mask(super().formatStack(stack_info))


class JsonFormatter(MaskingFormatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the request
    of an access line as fields, anything passed with `extra=`, and the traceback; every
    string masked."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": self.mask(message),
        }
        if (
            record.name == "uvicorn.access"
            and isinstance(record.args, tuple)
            and len(record.args) == len(_ACCESS_FIELDS)
        ):
            access = dict(zip(_ACCESS_FIELDS, record.args, strict=True))
            line["http"] = masked_value(access, self.mask)
        extra = {k: v for k, v in record.__dict__.items() if k not in _STANDARD and k not in line}
        line.update(masked_value(extra, self.mask))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)
