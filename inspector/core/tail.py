"""``TopicTail``: the long-poll loop that the GUI and the CLI both use to follow a topic."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from inspector.core.backoff import Backoff
from inspector.core.errors import BadRequestError, InspectorError, RateLimitedError, is_retryable
from inspector.core.http import send_ahead
from inspector.core.models import Message
from inspector.core.services.api import SupportsConsume
from inspector.core.timeparse import now_utc
from inspector.core.validation import MAX_CONSUME_BATCH, MAX_WAIT_SECS, check_topic_id

log = logging.getLogger("inspector.tail")

BatchCallback = Callable[[list[Message]], Awaitable[None] | None]


class StartKind(StrEnum):
    BEGINNING = "beginning"  # from the start of the topic's retention
    NOW = "now"
    SINCE = "since"
    AFTER = "after"


@dataclass(frozen=True, slots=True)
class StartPosition:
    kind: StartKind = StartKind.BEGINNING
    since: datetime | None = None
    after: str | None = None

    @classmethod
    def beginning(cls) -> StartPosition:
        return cls(StartKind.BEGINNING)

    @classmethod
    def now(cls) -> StartPosition:
        return cls(StartKind.NOW)

    @classmethod
    def since_time(cls, moment: datetime) -> StartPosition:
        return cls(StartKind.SINCE, since=moment)

    @classmethod
    def after_id(cls, message_id: str) -> StartPosition:
        return cls(StartKind.AFTER, after=message_id)


class TailState(StrEnum):
    CONNECTING = "connecting"
    LIVE = "live"
    BACKING_OFF = "backing off"
    RATE_LIMITED = "rate limited"
    ERROR = "error"
    STOPPED = "stopped"


@dataclass(frozen=True, slots=True)
class TailStatus:
    state: TailState
    detail: str = ""
    retry_in: float | None = None
    error: InspectorError | None = None


class TopicTail:
    """Follows one topic: cursor = last ``message_id`` (``since_time`` only for the first request).

    * ``follow=True`` long-polls (``wait_secs``) until ``stop()`` or cancellation; ``follow=False`` drains: it
      returns after the first empty batch (or ``max_messages``).
    * Transient failures (network, 5xx, bad bodies) back off with jitter and resume from the same cursor, so
      nothing is lost or repeated; a 429 waits out ``Retry-After`` through the shared limiter.
    * 401, 404 and other refusals end the tail: ``run`` raises the ``InspectorError`` after reporting it; so do
      more than ``give_up_after`` transient failures in a row, when set.
    * Messages are de-duplicated by ``message_id`` (the last ``dedupe_size`` ids).
    """

    def __init__(
        self,
        client: SupportsConsume,
        topic_id: int,
        on_batch: BatchCallback,
        *,
        start: StartPosition | None = None,
        batch_size: int = MAX_CONSUME_BATCH,
        wait_secs: int = MAX_WAIT_SECS,
        follow: bool = True,
        max_messages: int | None = None,
        on_status: Callable[[TailStatus], None] | None = None,
        backoff: Backoff | None = None,
        dedupe_size: int = 10_000,
        give_up_after: int | None = None,
    ) -> None:
        self.client = client
        self.topic_id = check_topic_id(topic_id)
        self._on_batch = on_batch
        self._on_status = on_status
        self.start = start or StartPosition.beginning()
        self.batch_size = batch_size
        self.wait_secs = wait_secs if follow else 0
        self.follow = follow
        self.max_messages = max_messages
        self.backoff = backoff or Backoff()
        self.cursor: str | None = self.start.after if self.start.kind is StartKind.AFTER else None
        self.last_time: datetime | None = None
        self.received = 0
        self.duplicates = 0
        self.status = TailStatus(TailState.CONNECTING)
        self._since: datetime | None = self._initial_since()
        self._seen: set[str] = set()
        self._order: deque[str] = deque()
        self._dedupe_size = dedupe_size
        self._give_up_after = give_up_after
        self._failures = 0
        self._stopping = False
        self._runner: asyncio.Task[None] | None = None

    def _initial_since(self) -> datetime | None:
        if self.start.kind is StartKind.NOW:
            return now_utc()
        if self.start.kind is StartKind.SINCE:
            return self.start.since
        return None

    def _report(self, status: TailStatus) -> None:
        self.status = status
        if self._on_status is not None:
            self._on_status(status)

    def stop(self) -> None:
        """End the tail at once, also in the middle of a long poll."""
        self._stopping = True
        if self._runner is not None and self._runner is not asyncio.current_task():
            self._runner.cancel()

    async def run(self) -> None:
        self._runner = asyncio.current_task()
        try:
            await self._loop()
        except asyncio.CancelledError:
            if not self._stopping:
                raise
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()
        finally:
            self._runner = None
            if self.status.state is not TailState.ERROR:
                self._report(TailStatus(TailState.STOPPED))

    async def _loop(self) -> None:
        self._report(TailStatus(TailState.CONNECTING))
        ahead: asyncio.Task[list[Message]] | None = None
        try:
            while not self._stopping:
                request, ahead = ahead, None
                try:
                    batch = await (request if request is not None else self._fetch())
                except InspectorError as exc:
                    await self._handle_error(exc)
                    continue
                self.backoff.reset()
                self._failures = 0
                if self.status.state is not TailState.LIVE:
                    self._report(TailStatus(TailState.LIVE))
                fresh = self._accept(batch)
                if fresh:
                    if self.max_messages is None or self.received + len(fresh) < self.max_messages:
                        # The next request goes out before this batch is handed over: the server prepares the
                        # next page while the receiver works on this one. Batches are still handed over in order.
                        ahead = await send_ahead(lambda on_sent: self._fetch(on_sent=on_sent))
                    await self._deliver(fresh)
                if self.max_messages is not None and self.received >= self.max_messages:
                    return
                if not batch and not self.follow:
                    return
        finally:
            if ahead is not None:
                ahead.cancel()
                await asyncio.gather(ahead, return_exceptions=True)

    async def _fetch(self, on_sent: Callable[[], None] | None = None) -> list[Message]:
        return await self.client.consume(
            self.topic_id,
            after_message_id=self.cursor,
            since_time=self._since if self.cursor is None else None,
            batch_size=self.batch_size,
            # No wait until a request has succeeded: an answer at once says the connection is good.
            timeout_secs=self.wait_secs if self.status.state is TailState.LIVE else 0,
            on_sent=on_sent,
        )

    def _accept(self, batch: list[Message]) -> list[Message]:
        fresh = []
        for message in batch:
            if message.message_id in self._seen:
                self.duplicates += 1
                continue
            self._seen.add(message.message_id)
            self._order.append(message.message_id)
            if len(self._order) > self._dedupe_size:
                self._seen.discard(self._order.popleft())
            fresh.append(message)
        if batch:
            # The cursor follows what the server sent, duplicates included, so the next request moves on.
            self.cursor = batch[-1].message_id
            self.last_time = batch[-1].time
            self._since = None
        return fresh

    async def _deliver(self, fresh: list[Message]) -> None:
        if self.max_messages is not None:
            fresh = fresh[: max(self.max_messages - self.received, 0)]
            if fresh:
                self.cursor = fresh[-1].message_id
        self.received += len(fresh)
        result = self._on_batch(fresh)
        if inspect.isawaitable(result):
            await result

    async def _handle_error(self, exc: InspectorError) -> None:
        if isinstance(exc, RateLimitedError):
            wait = self.client.limiter.delay()
            self._report(TailStatus(TailState.RATE_LIMITED, exc.message, retry_in=wait, error=exc))
            return  # the shared limiter holds the next request until Retry-After has passed
        if isinstance(exc, BadRequestError) and self.cursor is not None and self.last_time is not None:
            # The cursor message is gone (retention, purge): continue from its time; ids de-duplicate.
            log.warning(
                "topic %s: cursor %s refused (%s); resuming from %s",
                self.topic_id,
                self.cursor,
                exc.message,
                self.last_time.isoformat(),
            )
            self._report(
                TailStatus(
                    TailState.BACKING_OFF,
                    f"cursor refused, resuming from its time: {exc.message}",
                    retry_in=0.0,
                    error=exc,
                )
            )
            self.cursor, self._since = None, self.last_time
            return
        self._failures += 1
        if not is_retryable(exc) or (self._give_up_after is not None and self._failures > self._give_up_after):
            self._report(TailStatus(TailState.ERROR, exc.message, error=exc))
            raise exc
        delay = self.backoff.next_delay()
        self._report(
            TailStatus(
                TailState.BACKING_OFF,
                f"{exc.message}; reconnecting in {delay:.1f} s"
                if delay < 10
                else f"{exc.message}; reconnecting in {delay:.0f} s",
                retry_in=delay,
                error=exc,
            )
        )
        await asyncio.sleep(delay)
