"""Per-key rate limits (messages per customer conversation), counted with the `limits`
library: in Redis when the app has one (`TANDEM_REDIS_URL`), so every worker and instance
counts against the same window and a customer cannot multiply their allowance by the number
of processes; in this process's memory otherwise (one process: the same thing).

A moving window: at most `limit` hits in any `window_seconds`; the refusal says how long
until the oldest hit leaves the window (429 with Retry-After).
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from tandem.core.errors import RateLimited


def storage_for(redis_url: str | None) -> Storage:
    """Redis (through redis-py's asyncio client, already a dependency) or memory."""
    if not redis_url:
        return MemoryStorage()
    uri = redis_url if redis_url.startswith("async+") else f"async+{redis_url}"
    return RedisStorage(uri, implementation="redispy")


class RateLimiter:
    def __init__(
        self,
        limit: int,
        window_seconds: float = 60.0,
        *,
        storage: Storage | None = None,
        namespace: str = "messages",
    ) -> None:
        self.window = window_seconds
        self.namespace = namespace
        self._storage = storage if storage is not None else MemoryStorage()
        self._strategy = MovingWindowRateLimiter(self._storage)
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
        if await self._strategy.hit(self._item, key):
            return
        stats = await self._strategy.get_window_stats(self._item, key)
        retry = max(1, math.ceil(stats.reset_time - time.time()))
        raise RateLimited(
            f"消息发送太频繁：每分钟最多 {self.limit} 条，请 {retry} 秒后再试。"
            f"too many messages: at most {self.limit} per minute; try again in {retry} s",
            retry,
        )
