"""Customer tokens and signatures never reach the logs."""

from __future__ import annotations

import logging

from tandem.http.logs import RedactingFilter


def test_tokens_and_signatures_in_urls_are_masked() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "WebSocket %s" [accepted]',
        ("127.0.0.1:5000", "/api/v1/conversations/c1/events?token=SECRET123&after_seq=4"),
        None,
    )
    assert RedactingFilter().filter(record)
    line = record.getMessage()
    assert "SECRET123" not in line and "token=***&after_seq=4" in line
    plain = logging.LogRecord(
        "tandem", logging.INFO, __file__, 1, "chat?external_id=c1&signature=abc", None, None
    )
    RedactingFilter().filter(plain)
    assert plain.getMessage() == "chat?external_id=c1&signature=***"
