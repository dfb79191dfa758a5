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


class RateLimited(TandemError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
