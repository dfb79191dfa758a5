"""Per-key sliding-window rate limit (per customer token, per login name)."""

from __future__ import annotations

import math
import time
from collections import defaultdict, deque

from tandem.core.errors import RateLimited


class RateLimiter:
    def __init__(self, limit: int, window_seconds: float = 60.0) -> None:
        self.limit = limit
        self.window = window_seconds
        self._hits: dict[str, deque[float]] = defaultdict(deque)

    def check(self, key: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        hits = self._hits[key]
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) >= self.limit:
            retry = max(1, math.ceil(hits[0] + self.window - now))
            raise RateLimited(
                f"too many messages: at most {self.limit} per minute; try again in {retry} s", retry
            )
        hits.append(now)
