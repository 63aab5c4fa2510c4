"""One request budget per (base URL, token), shared by every tail, publish and replay that uses it (``Limiters``).

A sliding window: at most ``rpm`` requests start in any ``window`` seconds, so the app never causes a 429 by
itself; a 429's ``Retry-After`` pauses the limiter for everyone sharing it.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from inspector.core.secrets import token_fingerprint, token_key

__all__ = ["Limiters", "RateLimiter", "Usage", "limiter_for", "token_fingerprint"]

WINDOW_SECS = 60.0
# Requests are stamped when they leave here and counted by the server when they arrive; the margin keeps a
# request sent exactly one window later from arriving inside the server's window.
SAFETY_SECS = 0.25


@dataclass(frozen=True, slots=True)
class Usage:
    used: int  # requests started in the last window
    limit: int  # 0 = unlimited
    paused_for: float  # seconds left of a Retry-After pause

    @property
    def fraction(self) -> float:
        return self.used / self.limit if self.limit else 0.0


class RateLimiter:
    def __init__(self, rpm: int, *, window: float = WINDOW_SECS, clock: Callable[[], float] = time.monotonic) -> None:
        if rpm < 0:
            raise ValueError("rpm must be >= 0")
        self.rpm = rpm
        self.window = window
        self._clock = clock
        self._starts: deque[float] = deque()
        self._paused_until = 0.0

    def _trim(self, now: float) -> None:
        horizon = now - self.window - SAFETY_SECS
        while self._starts and self._starts[0] <= horizon:
            self._starts.popleft()

    def delay(self) -> float:
        """Seconds until the next request may start (0 when one may start now)."""
        now = self._clock()
        wait = max(self._paused_until - now, 0.0)
        if self.rpm:
            self._trim(now)
            if len(self._starts) >= self.rpm:
                wait = max(wait, self._starts[-self.rpm] + self.window + SAFETY_SECS - now)
        return wait

    async def ready(self) -> None:
        """Wait until a request may start, without taking the slot (the request that follows at once does)."""
        while (wait := self.delay()) > 0:  # noqa: ASYNC110 - the wait is computed, nothing to signal
            await asyncio.sleep(wait)

    async def acquire(self) -> None:
        """Wait for a slot, then take it. Cancellable at any point."""
        await self.ready()
        self._starts.append(self._clock())

    def pause(self, seconds: float) -> None:
        """Hold every caller for ``seconds`` (from a 429's Retry-After)."""
        self._paused_until = max(self._paused_until, self._clock() + max(seconds, 0.0))

    def usage(self) -> Usage:
        now = self._clock()
        self._trim(now)
        used = sum(1 for start in self._starts if start > now - self.window)
        return Usage(used, self.rpm, max(self._paused_until - now, 0.0))


class Limiters:
    """The app's request budgets: one ``RateLimiter`` per (base URL, token), shared by every client given this
    registry. The window's context and each CLI run own one, as they own an ``HttpPool``; a client given none
    has a budget of its own."""

    def __init__(self) -> None:
        self._limiters: dict[tuple[str, str], RateLimiter] = {}

    def get(self, base_url: str, token: str | Callable[[], object], rpm: int) -> RateLimiter:
        """The limiter for (base URL, token); created with ``rpm`` on first use, later callers share it. ``token``
        may be a source such as a ``KeyringToken``: its fingerprint keys the registry (see ``token_key``), so the
        registry never holds a token."""
        key = (base_url.rstrip("/").lower(), token_key(token))
        limiter = self._limiters.get(key)
        if limiter is None:
            limiter = self._limiters[key] = RateLimiter(rpm)
        return limiter

    def budget_keys(self) -> list[tuple[str, str]]:
        """(base URL, token fingerprint) of each budget."""
        return list(self._limiters)

    def __repr__(self) -> str:
        return f"Limiters({len(self._limiters)} budgets)"


def limiter_for(
    limiter: RateLimiter | Limiters | None, base_url: str, token: str | Callable[[], object], rpm: int
) -> RateLimiter:
    """A client's limiter: the one given, the registry's for (base URL, token), or else one of its own."""
    if isinstance(limiter, RateLimiter):
        return limiter
    if limiter is None:
        return RateLimiter(rpm)
    return limiter.get(base_url, token, rpm)
