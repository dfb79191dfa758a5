"""Identifiers: opaque, URL-safe, sortable by creation time."""

from __future__ import annotations

import secrets
import time


def new_id(prefix: str) -> str:
    """`prefix_` + 48-bit millisecond time + 64 random bits, base32-ish hex: sortable, unguessable."""
    return f"{prefix}_{int(time.time() * 1000):012x}{secrets.token_hex(8)}"


def new_token() -> str:
    return secrets.token_urlsafe(32)
