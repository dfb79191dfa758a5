"""Slowing password guessing without locking the real agent out.

Only failures count. Each key (the account from this address, the address, the account from
anywhere) has a number of free failures in a window; past it, every further attempt must wait
a delay that doubles per failure up to a ceiling. So a guesser gets a few tries a minute at
most, while the agent, whose own address has not failed, keeps signing in (the account-wide
key has a much higher allowance and a short ceiling): slowed, never locked out.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict, deque
from dataclasses import dataclass

from tandem.core.errors import RateLimited


@dataclass(frozen=True)
class Allowance:
    free: int  # failures in the window before any delay
    window: float  # seconds
    ceiling: float  # longest delay, seconds


ACCOUNT_FROM_ADDRESS = Allowance(free=5, window=900, ceiling=300)
ADDRESS = Allowance(free=20, window=900, ceiling=300)
ACCOUNT = Allowance(free=50, window=900, ceiling=30)


class LoginThrottle:
    def __init__(self) -> None:
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def _keys(self, username: str, address: str) -> list[tuple[str, Allowance]]:
        name = username.strip().lower()
        return [
            (f"pair:{name}@{address}", ACCOUNT_FROM_ADDRESS),
            (f"addr:{address}", ADDRESS),
            (f"acct:{name}", ACCOUNT),
        ]

    def check(self, username: str, address: str, now: float | None = None) -> None:
        """Raise RateLimited (429, Retry-After) while any key is in its delay."""
        now = time.monotonic() if now is None else now
        wait = 0.0
        for key, allowance in self._keys(username, address):
            hits = self._failures[key]
            while hits and hits[0] <= now - allowance.window:
                hits.popleft()
            over = len(hits) - allowance.free
            if over >= 0:
                delay = min(allowance.ceiling, 2.0**over)
                wait = max(wait, hits[-1] + delay - now)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise RateLimited(
                f"登录失败次数过多，请 {seconds} 秒后再试。"
                f" / Too many failed sign-ins: try again in {seconds} s.",
                seconds,
            )

    def failed(self, username: str, address: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        for key, _ in self._keys(username, address):
            self._failures[key].append(now)

    def succeeded(self, username: str, address: str) -> None:
        """The agent is who they say: their own address starts afresh."""
        self._failures.pop(self._keys(username, address)[0][0], None)
