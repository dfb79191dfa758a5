"""How a shop's page vouches for its logged-in customer: HMAC-SHA256 of the external id."""

from __future__ import annotations

import hashlib
import hmac


def sign_external_id(secret: str, external_id: str) -> str:
    return hmac.new(secret.encode(), external_id.encode(), hashlib.sha256).hexdigest()


def verify_external_id(secret: str, external_id: str, signature: str) -> bool:
    # Compared as bytes: any text can arrive as a signature (compare_digest refuses non-ASCII
    # str), and it is simply not the right one.
    expected = sign_external_id(secret, external_id).encode()
    return hmac.compare_digest(expected, signature.strip().lower().encode("utf-8", "replace"))


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
