"""An archive search off the UI thread: the store's ``Search`` runs in a worker thread, and its hits reach the
window's loop as they are found: the first at once, then what came meanwhile, at most every ``BATCH_SECS`` (one
insert into the table per batch), with the scan's progress. Cancelling sets the search's event: it stops between
two hits, or within SQLite's step.

No Qt here: the Search tab (``inspector.ui.archive.search``) turns the callbacks into rows and words."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from inspector.core.archive import DEFAULT_LIMIT, Archive, ArchivedMessage, TopicRef

BATCH_SECS = 0.05  # hits are handed to the window at most this often (the first at once)

OnHits = Callable[[list[ArchivedMessage]], None]
OnProgress = Callable[[float], None]


@dataclass(frozen=True, slots=True)
class Query:
    """What the Search tab asks: words, a JMESPath condition, topics (None: all), a time range, the most hits."""

    text: str | None = None
    jmespath: str | None = None
    topics: Sequence[TopicRef] | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = DEFAULT_LIMIT


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a search ended: how many hits, whether every candidate was looked at, and whether it was cancelled."""

    found: int
    complete: bool
    cancelled: bool
    limit: int

    @property
    def limited(self) -> bool:
        """It stopped at the most hits asked for: there may be more."""
        return self.found >= self.limit and not self.complete and not self.cancelled


class SearchRun:
    """One search. ``run`` (awaited on the window's loop) ends when the worker thread has ended, after every hit
    was handed to ``on_hits``; ``cancel`` (any time) makes it end soon, as cancelling the task that awaits it
    does."""

    def __init__(self, archive: Archive, query: Query, on_hits: OnHits, on_progress: OnProgress | None = None) -> None:
        self.archive = archive
        self.query = query
        self._on_hits = on_hits
        self._on_progress = on_progress
        self._cancel = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    async def run(self) -> Outcome:
        """Search; raises the store's errors (``ValidationError`` for bad words or a bad condition, in words)."""
        loop = asyncio.get_running_loop()
        lock = threading.Lock()
        pending: list[ArchivedMessage] = []
        state = {"asked": False, "last": 0.0}  # a flush asked for; when the last one ran (the loop's clock)

        def flush() -> None:
            with lock:
                batch = pending[:]
                pending.clear()
                state["asked"] = False
            state["last"] = loop.time()
            if batch and not self._cancel.is_set():
                self._on_hits(batch)

        def ask_flush() -> None:  # on the loop: at once, or BATCH_SECS after the last flush
            loop.call_later(max(0.0, state["last"] + BATCH_SECS - loop.time()), flush)

        def progress(share: float) -> None:
            if self._on_progress is not None and not self._cancel.is_set():
                loop.call_soon_threadsafe(self._on_progress, share)

        def work() -> Outcome:  # the worker thread
            query = self.query
            search = self.archive.search(
                query.text,
                query.jmespath,
                query.topics,
                query.since,
                query.until,
                query.limit,
                cancel=self._cancel,
                progress=progress,
            )
            for hit in search:
                with lock:
                    pending.append(hit)
                    ask = not state["asked"]
                    state["asked"] = True
                if ask:
                    loop.call_soon_threadsafe(ask_flush)
            cancelled = search.cancelled or self._cancel.is_set()
            return Outcome(search.found, search.complete and not cancelled, cancelled, query.limit)

        future = asyncio.ensure_future(asyncio.to_thread(work))
        try:
            outcome = await asyncio.shield(future)
        except asyncio.CancelledError:
            self._cancel.set()
            await asyncio.wait([future])  # its thread ends at its next step; its connection goes back
            if not future.cancelled():
                future.exception()  # seen: an error after the cancel is no one's news
            raise
        flush()  # what the thread found last, before the outcome is said
        return outcome
