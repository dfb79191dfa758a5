"""Standard Webhooks signatures: the spec's published vector, and both directions against the
reference Python package (`standardwebhooks`)."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook

from tandem.channels.signing import SignatureError, headers_for, sign, verify

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
STAMP = 1614265330
BODY = b'{"test": 2432232314}'
EXPECTED = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
AT = datetime.fromtimestamp(STAMP, UTC)


def test_the_published_vector() -> None:
    assert sign(SECRET, MSG_ID, STAMP, BODY) == EXPECTED
    # The whsec_ prefix is optional.
    assert sign(SECRET.removeprefix("whsec_"), MSG_ID, STAMP, BODY) == EXPECTED
    headers = {"webhook-id": MSG_ID, "webhook-timestamp": str(STAMP), "webhook-signature": EXPECTED}
    assert verify(SECRET, headers, BODY, AT) == MSG_ID


def test_one_good_signature_among_several_is_enough() -> None:
    headers = {
        "Webhook-Id": MSG_ID,
        "Webhook-Timestamp": str(STAMP),
        "Webhook-Signature": f"v1,Zm9vYmFy v2,whatever {EXPECTED}",
    }
    assert verify(SECRET, headers, BODY, AT) == MSG_ID


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (
            {"webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OF="},
            "no webhook-signature matches",
        ),
        ({"webhook-signature": "garbage"}, "no webhook-signature matches"),
        ({"webhook-id": "msg_other"}, "no webhook-signature matches"),
        ({"webhook-timestamp": str(STAMP - 301)}, "s old"),
        ({"webhook-timestamp": str(STAMP + 301)}, "in the future"),
        ({"webhook-timestamp": "yesterday"}, "whole seconds"),
        ({"webhook-id": ""}, "missing"),
    ],
)
def test_anything_else_is_refused_with_a_reason(change: dict[str, str], words: str) -> None:
    headers = {"webhook-id": MSG_ID, "webhook-timestamp": str(STAMP), "webhook-signature": EXPECTED}
    with pytest.raises(SignatureError, match=words):
        verify(SECRET, headers | change, BODY, AT)


def test_the_body_is_signed_byte_for_byte() -> None:
    headers = {"webhook-id": MSG_ID, "webhook-timestamp": str(STAMP), "webhook-signature": EXPECTED}
    with pytest.raises(SignatureError):
        verify(SECRET, headers, b'{"test":2432232314}', AT)


def test_the_reference_package_accepts_ours_and_we_accept_its() -> None:
    now = int(time.time())  # the package reads the system clock
    body = '{"type":"message.received","data":{"text":"你好"}}'
    ours = headers_for(SECRET, "msg_1", now, body.encode())
    assert Webhook(SECRET).verify(body, ours) == {
        "type": "message.received",
        "data": {"text": "你好"},
    }
    theirs = Webhook(SECRET).sign("msg_2", datetime.fromtimestamp(now, UTC), body)
    headers = {"webhook-id": "msg_2", "webhook-timestamp": str(now), "webhook-signature": theirs}
    assert verify(SECRET, headers, body.encode(), datetime.fromtimestamp(now, UTC)) == "msg_2"
