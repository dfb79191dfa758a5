"""Per-key rate limits (messages per customer conversation), counted with the `limits`
library: in Redis when the app has one (`TANDEM_REDIS_URL`), so every worker and instance
counts against the same window and a customer cannot multiply their allowance by the number
of processes; in this process's memory otherwise (one process: the same thing), by a
moving window of its own: the `limits` memory storage sweeps every key it holds, each through a
thread, on every hit, which costs more the more conversations write.

A moving window: at most `limit` hits in any `window_seconds`; the refusal says how long
until the oldest hit leaves the window (429 with Retry-After).
"""

from __future__ import annotations

import math
import time
from collections import deque

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from tandem.core.errors import RateLimited


class LocalWindows:
    """Moving windows in this process's memory: the times of each key's hits in the window,
    oldest first. A hit prunes its own key; the whole map is swept once a window at most."""

    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = {}
        self._swept = time.monotonic()

    def hit(self, key: str, limit: int, window: float, now: float) -> float | None:
        """Count a hit at `now` (monotonic seconds) and return None, or return the seconds
        until the oldest hit leaves the window (nothing counted) when `limit` are in it."""
        if now - self._swept > window:
            self._swept = now
            for k in [k for k, q in self._hits.items() if not q or q[-1] <= now - window]:
                del self._hits[k]
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - window:
            hits.popleft()
        if len(hits) >= limit:
            return hits[0] + window - now
        hits.append(now)
        return None


def storage_for(redis_url: str | None) -> Storage | LocalWindows:
    """Redis (through redis-py's asyncio client, already a dependency) or memory."""
    if not redis_url:
        return LocalWindows()
    uri = redis_url if redis_url.startswith("async+") else f"async+{redis_url}"
    return RedisStorage(uri, implementation="redispy")


class RateLimiter:
    def __init__(
        self,
        limit: int,
        window_seconds: float = 60.0,
        *,
        storage: Storage | LocalWindows | None = None,
        namespace: str = "messages",
    ) -> None:
        self.window = window_seconds
        self.namespace = namespace
        self._local = LocalWindows() if storage is None else None
        self._strategy: MovingWindowRateLimiter | None = None
        if isinstance(storage, LocalWindows):
            self._local = storage
        elif storage is not None:
            self._strategy = MovingWindowRateLimiter(storage)
        self.limit = limit

    @property
    def limit(self) -> int:
        return self._limit

    @limit.setter
    def limit(self, value: int) -> None:
        self._limit = value
        self._item: RateLimitItem = RateLimitItemPerSecond(
            value, max(1, math.ceil(self.window)), namespace=f"tandem-{self.namespace}"
        )

    async def check(self, key: str) -> None:
        """Count one hit for `key`, or raise RateLimited (nothing counted) when over."""
        if self._local is not None:
            wait = self._local.hit(
                key, self.limit, max(1, math.ceil(self.window)), time.monotonic()
            )
            if wait is None:
                return
            retry = max(1, math.ceil(wait))
        else:
            assert self._strategy is not None
            if await self._strategy.hit(self._item, key):
                return
            stats = await self._strategy.get_window_stats(self._item, key)
            retry = max(1, math.ceil(stats.reset_time - time.time()))
        raise RateLimited(
            f"消息发送太频繁：每分钟最多 {self.limit} 条，请 {retry} 秒后再试。"
            f"too many messages: at most {self.limit} per minute; try again in {retry} s",
            retry,
        )
