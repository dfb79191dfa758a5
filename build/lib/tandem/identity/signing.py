"""How a shop's page vouches for its logged-in customer: HMAC-SHA256 of the external id."""

from __future__ import annotations

import hashlib
import hmac


def sign_external_id(secret: str, external_id: str) -> str:
    return hmac.new(secret.encode(), external_id.encode(), hashlib.sha256).hexdigest()


def verify_external_id(secret: str, external_id: str, signature: str) -> bool:
    return hmac.compare_digest(sign_external_id(secret, external_id), signature.lower())


def hash_token(token: str) -> str:
    """Tokens are stored hashed: a leaked database does not open conversations or sessions."""
    return hashlib.sha256(token.encode()).hexdigest()
