"""How a shop's page vouches for its logged-in customer: HMAC-SHA256 of the external id.

Two forms. The plain one signs `external_id` and never expires (a page can cache it). The
expiring one signs `external_id.ts`, where `ts` is the Unix time the shop's server signed it
at, and is accepted for `widget_signature_max_age_seconds` (a leaked link stops working);
`widget_require_timestamp` refuses the plain form.
"""

from __future__ import annotations

import hashlib
import hmac

# A shop server's clock may run a little ahead of ours.
FUTURE_SKEW_SECONDS = 60


def sign_external_id(secret: str, external_id: str, ts: int | None = None) -> str:
    message = external_id if ts is None else f"{external_id}.{ts}"
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def verify_external_id(
    secret: str, external_id: str, signature: str, ts: int | None = None
) -> bool:
    # Compared as bytes: any text can arrive as a signature (compare_digest refuses non-ASCII
    # str), and it is simply not the right one.
    expected = sign_external_id(secret, external_id, ts).encode()
    return hmac.compare_digest(expected, signature.strip().lower().encode("utf-8", "replace"))


def signature_age_problem(ts: int, now: float, max_age_seconds: int) -> str | None:
    """Why a timestamped signature made at `ts` is no longer (or not yet) good at `now`."""
    if ts > now + FUTURE_SKEW_SECONDS:
        return "the signature's ts is in the future: sign with the shop server's current time"
    if now - ts > max_age_seconds:
        return (
            f"the signature expired (older than {max_age_seconds} s): have the shop's server "
            "sign the customer again when the page loads"
        )
    return None


DEMO_WIDGET_SECRET = "tandem-demo-widget-secret"


def unsafe_widget_secret(secret: str) -> str | None:
    """Why `secret` must not sign customers on a real deployment, or None when it may."""
    if not secret.strip():
        return "TANDEM_WIDGET_SECRET is empty"
    if secret == DEMO_WIDGET_SECRET:
        return "TANDEM_WIDGET_SECRET is the public demo secret (anyone could sign as any customer)"
    if len(secret) < 16:
        return "TANDEM_WIDGET_SECRET is shorter than 16 characters"
    return None


def hash_token(token: str) -> str:
    """Tokens are stored hashed: a leaked database does not open conversations or sessions."""
    return hashlib.sha256(token.encode()).hexdigest()
