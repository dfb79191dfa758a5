"""Standard Webhooks signatures (https://www.standardwebhooks.com/): HMAC-SHA256 over
"{webhook-id}.{webhook-timestamp}.{body}", base64, versioned "v1,", space-separated.

Implemented here rather than with the `standardwebhooks` package because verification must
take the time from our injected clock and answer bad headers with a clear error instead of an
exception from deep inside (the package reads the system clock and raises ValueError on a
malformed signature list); tests check it against the spec's published vector and against
that package.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime

PREFIX = "whsec_"


class SignatureError(Exception):
    """Why a webhook was refused, in words for the integrator."""


def secret_bytes(secret: str) -> bytes:
    raw = secret[len(PREFIX) :] if secret.startswith(PREFIX) else secret
    try:
        key = base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True)
    except (binascii.Error, ValueError) as e:
        raise ValueError("a webhook secret is 'whsec_' followed by base64") from e
    if not key:
        raise ValueError("the webhook secret is empty")
    return key


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    to_sign = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_bytes(secret), to_sign, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def headers_for(secret: str, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, msg_id, timestamp, body),
    }


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    now: datetime,
    tolerance_seconds: int = 300,
) -> str:
    """The webhook-id of a correctly signed, fresh message; SignatureError otherwise."""
    lower = {k.lower(): v for k, v in headers.items()}
    msg_id = lower.get("webhook-id", "").strip()
    stamp = lower.get("webhook-timestamp", "").strip()
    signatures = lower.get("webhook-signature", "").strip()
    if not (msg_id and stamp and signatures):
        raise SignatureError(
            "missing webhook-id, webhook-timestamp or webhook-signature header "
            "(sign the message per the Standard Webhooks scheme)"
        )
    try:
        timestamp = int(stamp)
    except ValueError:
        raise SignatureError("webhook-timestamp must be whole seconds since 1970") from None
    skew = now.timestamp() - timestamp
    if skew > tolerance_seconds:
        raise SignatureError(
            f"webhook-timestamp is {int(skew)} s old (at most {tolerance_seconds}): "
            "send a fresh timestamp, and check the sender's clock"
        )
    if -skew > tolerance_seconds:
        raise SignatureError("webhook-timestamp is in the future: check the sender's clock")
    expected = sign(secret, msg_id, timestamp, body).split(",", 1)[1]
    for candidate in signatures.split():
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value.encode(), expected.encode()):
            return msg_id
    raise SignatureError(
        "no webhook-signature matches: sign '{id}.{timestamp}.{raw body}' with HMAC-SHA256 "
        "and the shared secret, base64, prefixed 'v1,'"
    )
