"""What the app hands every service: the settings, the topic store, the long polls waiting on a topic, and the
gate each request passes (its token, its rate window) with the count of requests answered."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections import deque
from dataclasses import dataclass, field

from starlette.requests import Request

from inspector.core.validation import MAX_WAIT_SECS
from inspector.emulator.problems import ApiProblem, bearer
from inspector.emulator.store import Store

DEFAULT_TOKEN = "emulator-token"  # noqa: S105 - the documented local default, not a real secret
DEFAULT_CONTAINER_TOKEN = "container-token"  # noqa: S105 - what a Messaging workflow container sends by default


@dataclass(frozen=True)
class EmulatorSettings:
    token: str = DEFAULT_TOKEN
    rate_limit_rpm: int = 60  # 0 = off
    developer_rate_limit_rpm: int = 60
    max_wait_secs: float = MAX_WAIT_SECS  # the longest a long poll really waits (fuzzing keeps it short)
    container_token: str = DEFAULT_CONTAINER_TOKEN
    loopback_only: bool = True  # answer only requests addressed to a loopback name (see ``LoopbackHostOnly``)


@dataclass(frozen=True, slots=True)
class Access:
    """Who may call a mount's routes: a bearer token of ``tokens``, at most ``rpm`` requests a minute (0: no limit)
    counted in the token's ``window``. Mounts that name the same window share it."""

    tokens: frozenset[str]
    window: str
    rpm: int


class Gate:
    """The door every routed request passes: it counts them, checks tokens and keeps each (token, window)'s
    rate window."""

    def __init__(self) -> None:
        self.requests = 0
        self._windows: dict[tuple[str, str], deque[float]] = {}

    def admit(self, request: Request, access: Access) -> None:
        """The token check, then the rate limit (``ApiProblem`` 401 or 429)."""
        token = bearer(request)
        if not token or token not in access.tokens:
            raise ApiProblem(401, "Unauthorized: missing or invalid API token", "unauthorized")
        if access.rpm <= 0:
            return
        window = self._windows.setdefault((token, access.window), deque())
        now = time.monotonic()
        while window and window[0] <= now - 60:
            window.popleft()
        if len(window) >= access.rpm:
            retry = max(1, math.ceil(window[0] + 60 - now))
            raise ApiProblem(
                429,
                f"Rate limit of {access.rpm} requests per minute exceeded",
                "rate_limit_exceeded",
                {"Retry-After": str(retry)},
            )
        window.append(now)


class LongPolls:
    """The consumers waiting for a topic's next message. ``close`` wakes them all, for shutdown."""

    def __init__(self) -> None:
        self.closing = False
        self._waiters: dict[int, asyncio.Event] = {}

    async def wait(self, topic_id: int, seconds: float) -> None:
        """Until a message is published to the topic, the emulator closes, or ``seconds`` pass."""
        event = self._waiters.setdefault(topic_id, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), seconds)

    def notify(self, topic_id: int) -> None:
        event = self._waiters.pop(topic_id, None)
        if event is not None:
            event.set()

    def close(self) -> None:
        self.closing = True
        for event in self._waiters.values():
            event.set()
        self._waiters.clear()


@dataclass
class Context:
    store: Store
    settings: EmulatorSettings
    gate: Gate = field(default_factory=Gate)
    polls: LongPolls = field(default_factory=LongPolls)

    def access(self, window: str, *, rpm: int | None = None, container: bool = False) -> Access:
        """The emulator's token (and the workflow containers' when ``container``), at ``rpm`` (by default the
        settings' ``rate_limit_rpm``) requests a minute in ``window``."""
        tokens = {self.settings.token, self.settings.container_token} if container else {self.settings.token}
        return Access(frozenset(tokens), window, self.settings.rate_limit_rpm if rpm is None else rpm)
