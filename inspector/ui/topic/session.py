"""One live topic: a TopicTail on the qasync loop, feeding its table model at most ~30 times a second; with the
message archive on, each batch is kept there too, and the tab opens on the newest archived messages, its tail
going on after them (``inspector.ui.topic.history``)."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from inspector.core.errors import AuthError, InspectorError, NotFoundError, ValidationError
from inspector.core.models import Message
from inspector.core.rows import RawRow
from inspector.core.services.workato import EventStreamsClient
from inspector.core.tail import StartPosition, TailState, TailStatus, TopicTail
from inspector.core.timeparse import parse_time
from inspector.core.workspace import TopicEntry
from inspector.ui.rate_chart import RateCounter
from inspector.ui.status import SessionStatus
from inspector.ui.tasks import Tasks
from inspector.ui.topic.model import MessageTableModel

if TYPE_CHECKING:
    from inspector.core.archive import ArchivedMessage
    from inspector.ui.topic.history import TopicArchive

log = logging.getLogger("inspector.ui.topic.session")
FLUSH_MS = 33  # at most ~30 inserts a second while messages trickle in
BUSY_FLUSH_MS = 250  # when a backlog pours in, fewer and larger inserts leave time to fetch
BUSY_ROWS = 100  # ~3,000 messages a second at 30 flushes a second
AFTER_ARCHIVE = ("beginning", "resume")  # start choices that go on after the newest archived message


def parse_window(text: str) -> tuple[datetime, datetime]:
    """``A .. B`` (or ``A/B``): the start and end of a time window, both RFC 3339; B after A."""
    parts = [p.strip() for p in (text.split("..") if ".." in text else text.split("/"))]
    if len(parts) != 2 or not all(parts):
        raise ValidationError(
            "give a start and an end", where="time window", hint="for example 2024-05-01T09:00Z .. 2024-05-01T10:00Z"
        )
    since = parse_time(parts[0], where="window start")
    until = parse_time(parts[1], where="window end")
    if until <= since:
        raise ValidationError("the end must be after the start", where="time window")
    return since, until


def start_position(entry: TopicEntry) -> StartPosition:
    """Where a topic starts reading, from its saved choice (``resume`` continues after the saved cursor)."""
    if entry.start == "window":
        return StartPosition.since_time(parse_window(entry.start_value)[0])
    if entry.start == "now":
        return StartPosition.now()
    if entry.start == "since" and entry.start_value:
        return StartPosition.since_time(parse_time(entry.start_value, where="start time"))
    if entry.start == "after" and entry.start_value:
        return StartPosition.after_id(entry.start_value)
    if entry.start == "resume" and entry.cursor:
        return StartPosition.after_id(entry.cursor)
    return StartPosition.beginning()


class TopicSession(QObject):
    """Owns the tail task (a strong reference), the buffer and the flush timer of one topic view.

    A session made without a token (``has_token=False``: none in the keyring, a session token that ended) never
    sends a request: ``start`` keeps the position asked for and waits (``waiting_for_token``) until a client with a
    token is set (``client = ...``, as the window does once a token is saved), then ``start_waiting`` starts it.

    With ``archive`` set, the first ``start`` shows the topic's newest archived messages first (with or without a
    token); its tail then goes on after the newest of them, unless the topic's start choice is another position.
    """

    statusChanged = Signal(object)
    cursorChanged = Signal(str)

    def __init__(
        self,
        client: EventStreamsClient,
        entry: TopicEntry,
        model: MessageTableModel,
        *,
        region_label: str,
        profile_name: str = "",
        has_token: bool = True,
    ) -> None:
        super().__init__()
        self._client = client
        self.has_token = has_token
        self.entry = entry
        self.model = model
        self.region_label = region_label
        self.profile_name = profile_name
        self._waiting: tuple[StartPosition | None] | None = None  # the start asked for while there is no token
        self.status = SessionStatus("stopped", "stopped") if has_token else self._no_token_status()
        self._said = self.status  # the status without the archive's words
        self.received = 0
        self._until: datetime | None = None  # the end of a time window being loaded
        self.rates = RateCounter()  # messages per second over the last minutes, for the chart
        self._buffer: list[RawRow] = []
        self._tail: TopicTail | None = None
        self._tasks = Tasks()
        self._task: asyncio.Task[None] | None = None  # the tail's
        self._timer = QTimer(self)
        self._timer.setInterval(FLUSH_MS)
        self._timer.timeout.connect(self.flush)
        self.archive: TopicArchive | None = None  # the topic's part of the message archive (set before ``start``)
        self._opening: asyncio.Task[None] | None = None  # the archive's newest messages being shown
        self._opened = False
        self._asked: tuple[StartPosition | None] = (None,)  # the position asked for while they are
        self._after: ArchivedMessage | None = None  # the newest archived message: the first tail goes on after it

    # ----- the client and its token --------------------------------------------------------------------------
    @property
    def client(self) -> EventStreamsClient:
        return self._client

    @client.setter
    def client(self, client: EventStreamsClient) -> None:
        """A client set after the session was made carries a token (the window makes one only with a token)."""
        self._client = client
        self.has_token = True

    @property
    def waiting_for_token(self) -> bool:
        """True while the session has no token: nothing is sent until one comes."""
        return not self.has_token

    def _no_token_status(self) -> SessionStatus:
        who = f"'{self.profile_name}'" if self.profile_name else "this profile"
        return SessionStatus("error", f"no token for {who}: nothing is sent until one is set", problem="auth")

    def start_waiting(self) -> bool:
        """Start what ``start`` was asked for while there was no token (the saved choice when nothing was asked);
        False when there is still no token."""
        if not self.has_token:
            return False
        waiting, self._waiting = self._waiting, None
        self.start(waiting[0] if waiting is not None else None)
        return True

    # ----- control ---------------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self, position: StartPosition | None = None, *, chosen: bool = False) -> None:
        """(Re)start reading from ``position`` (default: the topic's saved choice). A time window is read once,
        up to its end, with no live tail. Without a token nothing is sent: the start waits for one. The first
        start shows the archive's newest messages first (see the class); ``chosen``: the user chose where to
        start (Start), not after the archive."""
        self._cancel()
        self._until = None
        if chosen:
            self._opened, self._after = True, None
            if self._opening is not None:
                self._opening.cancel()
        elif self.archive is not None and not self._opened:
            self._opened = True
            self._asked = (position,)
            self._opening = self._tasks.spawn(self._open())
            return
        elif self._opening is not None and not self._opening.done():
            self._asked = (position,)  # started once they are shown
            return
        self._begin(position)

    async def _open(self) -> None:
        assert self.archive is not None
        self._after = await self.archive.open()
        self._set(self._said)  # the words say the archive is shown
        if self.status.kind != "paused":  # paused meanwhile: Resume starts it
            self._begin(self._asked[0])

    def _begin(self, position: StartPosition | None) -> None:
        if not self.has_token:
            self._waiting = (position,)
            self._set(self._no_token_status())
            return
        after, self._after = self._after, None
        try:
            if position is None and self.entry.start == "window":
                self._until = parse_window(self.entry.start_value)[1]
            if after is not None and self.entry.start in AFTER_ARCHIVE:
                position = StartPosition.after_id(after.message_id)
            position = position or start_position(self.entry)
        except InspectorError as exc:
            self._set(SessionStatus("error", exc.message))
            return
        self._tail = TopicTail(
            self.client,
            self.entry.id,
            self._on_batch,
            start=position,
            on_status=self._on_status,
            follow=self._until is None,
        )
        if after is not None and position.after == after.message_id:
            self._tail.last_time = after.time  # gone from the topic (retention): its time instead; ids de-duplicate
        self._task = self._tasks.spawn(self._run(self._tail))
        self._timer.start()

    def pause(self) -> None:
        self._cancel()
        self.flush()
        self._set(SessionStatus("paused", "paused"))

    def resume(self) -> None:
        """Continue after the last message received (no gap, no duplicate); a start that waited for a token
        starts as it was asked."""
        if self._waiting is not None:
            waiting, self._waiting = self._waiting, None
            self.start(waiting[0])
            return
        cursor = self._tail.cursor if self._tail is not None else self.entry.cursor
        self.start(StartPosition.after_id(cursor) if cursor else None)

    async def stop(self) -> None:
        task = self._task
        self._cancel()
        if task is not None:
            await asyncio.gather(task, return_exceptions=True)
        if self._opening is not None:
            self._opening.cancel()
            await asyncio.gather(self._opening, return_exceptions=True)
        if self.archive is not None:
            await self.archive.stop()
        self.flush()
        self._timer.stop()

    def _cancel(self) -> None:
        if self._tail is not None:
            self._tail.stop()
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None

    async def _run(self, tail: TopicTail) -> None:
        try:
            await tail.run()
            if self._until is not None:
                self.flush()
                self._set(SessionStatus("stopped", f"time window loaded: {self.received:,} messages (not live)"))
        except AuthError as exc:
            # status None: refused before sending (the token is no longer in the keyring); the message says so
            words = f"token rejected by {self.region_label}" if exc.status is not None else exc.message
            self._set(SessionStatus("error", words, problem="auth"))
            log.info("topic %s: %s", self.entry.id, exc.message)
        except NotFoundError:
            self._set(
                SessionStatus("error", f"topic {self.entry.id} not found in {self.region_label}", problem="not_found")
            )
        except InspectorError as exc:
            self._set(SessionStatus("error", exc.message))

    # ----- from the tail -----------------------------------------------------------------------------------
    def _on_batch(self, batch: list[Message]) -> None:
        if self._until is not None:
            inside = [m for m in batch if m.time <= self._until]
            if len(inside) < len(batch) and self._tail is not None:
                self._tail.stop()  # past the window's end
            batch = inside
            if not batch:
                return
        last = batch[-1].message_id
        if self.archive is not None:
            batch = self.archive.fresh(batch)  # not those the table shows from the archive already
        if batch:
            rows = self.model.make_rows(batch)  # encoded now, in small steps, not in the flush
            self._buffer.extend(rows)
            if self.archive is not None:
                self.archive.keep(rows)  # queued: the archive's writer commits them in its thread
            self.received += len(batch)
            self.rates.add(len(batch))
        self.entry.cursor = last
        self.cursorChanged.emit(last)

    def _on_status(self, status: TailStatus) -> None:
        if status.state is TailState.LIVE:
            self._set(SessionStatus("live", "live"))
        elif status.state is TailState.CONNECTING:
            self._set(SessionStatus("connecting", "connecting…"))
        elif status.state is TailState.BACKING_OFF:
            wait = status.retry_in or 0.0
            reason = status.error.message if status.error else status.detail
            self._set(SessionStatus("backoff", reason, retry_until=time.monotonic() + wait))
        elif status.state is TailState.RATE_LIMITED:
            wait = status.retry_in or 0.0
            self._set(SessionStatus("ratelimited", "rate limited", retry_until=time.monotonic() + wait))

    def _set(self, status: SessionStatus) -> None:
        self._said = status
        shown = self.archive.shown if self.archive is not None else 0
        if shown and not self.received and status.kind in ("error", "backoff"):
            # offline (no token, the server down): the table holds what the archive kept
            many = "message" if shown == 1 else "messages"
            status = replace(status, text=f"{status.text}; showing {shown:,} archived {many}")
        self.status = status
        self.statusChanged.emit(status)

    def flush(self) -> None:
        busy = False
        if self._buffer:
            batch, self._buffer = self._buffer, []
            self.model.append_rows(batch)
            busy = len(batch) >= BUSY_ROWS
            self._timer.setInterval(BUSY_FLUSH_MS if busy else FLUSH_MS)
        if self.archive is not None and self.archive.busy != busy:
            self.archive.busy = busy  # a backlog: the archive's writer waits until it has poured in

    def rate(self) -> float:
        """Messages per second over the last 5 seconds (the chart's counter, not a second tally)."""
        return self.rates.rate()

    @property
    def cursor(self) -> str | None:
        return self._tail.cursor if self._tail is not None else self.entry.cursor
