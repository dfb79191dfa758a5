"""Domain errors. The HTTP edge maps each to a status code and a message that says what to do."""

from __future__ import annotations


class TandemError(Exception):
    """Base of all errors we raise on purpose. `message` is shown to the caller."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(TandemError):
    status_code = 404
    code = "not_found"


class Forbidden(TandemError):
    status_code = 403
    code = "forbidden"


class Unauthorized(TandemError):
    status_code = 401
    code = "unauthorized"


class Conflict(TandemError):
    status_code = 409
    code = "conflict"


class InvalidInput(TandemError):
    status_code = 422
    code = "invalid_input"


class ClientGone(TandemError):
    """The caller closed the connection before its request was carried out, so nothing was
    done (nginx's 499: no client is left to read it; logs and metrics count it)."""

    status_code = 499
    code = "client_gone"


class RateLimited(TandemError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
