"""Customer tokens, signatures and personal data never reach the logs; JSON or text lines."""

from __future__ import annotations

import json
import logging
import sys

import pytest
from pydantic import ValidationError

from tandem.config import Settings
from tandem.http.logs import RedactingFilter
from tandem.ops import configure_logging, json_formatter, log_config, mask_log_text, text_formatter


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


def _record(name: str, msg: str, args: object = None, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord(name, logging.WARNING, __file__, 1, msg, args, None)  # type: ignore[arg-type]
    record.__dict__.update(extra)
    return record


def test_json_lines_mask_phones_addresses_ids_emails_and_tokens() -> None:
    formatter = json_formatter()
    line = formatter.format(
        _record(
            "tandem.turns",
            "turn %s: customer wrote %r",
            ("c1", "电话13812345678，寄到杭州市西湖区文三路478号，身份证110105199003071234"),
            conversation_id="c1",
            body={"email": "li@example.com", "customer_token": "tok_abcdefgh1234"},
        )
    )
    data = json.loads(line)
    assert data["level"] == "warning" and data["logger"] == "tandem.turns"
    assert data["message"] == "turn c1: customer wrote '电话[PHONE]，寄到[ADDRESS]，身份证[ID]'"
    assert data["conversation_id"] == "c1"
    assert data["body"] == {"email": "[EMAIL]", "customer_token": "***"}
    assert data["time"].endswith("+00:00")


def test_access_lines_carry_the_request_as_fields_with_the_token_masked() -> None:
    record = _record(
        "uvicorn.access",
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/api/v1/conversations/c1/events?token=SECRET123", "1.1", 200),
    )
    data = json.loads(json_formatter().format(record))
    assert data["http"] == {
        "client": "127.0.0.1:5000",
        "method": "GET",
        "path": "/api/v1/conversations/c1/events?token=***",
        "http_version": "1.1",
        "status": 200,
    }
    assert "SECRET123" not in data["message"]


def test_tracebacks_are_masked_too() -> None:
    try:
        raise ValueError("no such customer 13912345678")
    except ValueError:
        record = logging.LogRecord(
            "tandem", logging.ERROR, __file__, 1, "failed", None, sys.exc_info()
        )
    text = text_formatter().format(record)
    assert "13912345678" not in text and "no such customer [PHONE]" in text
    assert "[PHONE]" in json.loads(json_formatter().format(record))["exception"]


def test_order_numbers_stay_readable() -> None:
    data = json.loads(json_formatter().format(_record("tandem", "refund DD20261111001 for ¥299")))
    assert data["message"] == "refund DD20261111001 for ¥299"


def test_an_address_in_a_sentence_masks_the_address_only() -> None:
    # The words around the address stay: the place name does not run back to the start of
    # the sentence, and the detail ends with the last number.
    cases = {
        "包裹发往杭州市西湖区文三路478号了": "包裹发往[ADDRESS]了",
        "我的地址是浙江省杭州市西湖区文三路478号华星大厦3号楼2单元501室，麻烦尽快": (
            "我的地址是[ADDRESS]，麻烦尽快"
        ),
        "我在南京路100号等你": "我在[ADDRESS]等你",
        "我住在成都市武侯区人民南路四段9号附近": "我住在[ADDRESS]附近",
        "收货地址：上海市浦东新区世纪大道100号A座12层，电话13812345678": (
            "收货地址：[ADDRESS]，电话[PHONE]"
        ),
        "送到朝阳区建国路88号SOHO现代城5号楼1201吧": "送到[ADDRESS]吧",
    }
    for text, masked in cases.items():
        assert mask_log_text(text) == masked, text


def test_the_log_format_is_chosen_by_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TANDEM_LOG_FORMAT", "json")
    config = log_config(Settings())
    assert config["formatters"]["tandem"]["()"] is json_formatter
    # uvicorn's own loggers write through the same masked handler, once.
    assert config["loggers"]["uvicorn.access"] == {
        "handlers": ["console"],
        "level": "INFO",
        "propagate": False,
    }
    monkeypatch.setenv("TANDEM_LOG_FORMAT", "text")
    assert log_config(Settings())["formatters"]["tandem"]["()"] is text_formatter
    monkeypatch.setenv("TANDEM_LOG_FORMAT", "yaml")
    with pytest.raises(ValidationError):
        Settings()


def test_a_configured_server_logs_json_lines_from_any_tandem_logger(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TANDEM_LOG_FORMAT", "json")
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure_logging(Settings())
        logging.getLogger("tandem.turns").warning("customer %s", "li@example.com")
        err = capsys.readouterr().err.strip().splitlines()
    finally:
        root.handlers[:], root.level = saved[0], saved[1]
    assert json.loads(err[-1])["message"] == "customer [EMAIL]"
