"""``ArchiveWriter``: hands what tails receive to the archive without making them wait.

``add`` (any thread, any event loop) only puts the messages on a queue. One thread of the writer's own takes them
off, converts them and commits them in batches: when ``batch_secs`` have passed since the first message of a batch
came, or ``batch_size`` messages are waiting. SQLite's work (the word index) runs with Python's lock released, so
the window's thread keeps its pace. ``flush`` waits until what was added before it is committed; ``close`` commits
the rest and stops the thread.

The writer opens the archive in its thread (opening checks the file, and may set a damaged one aside), prunes it
when it starts and then every ``prune_every`` new messages, and says what went wrong through ``on_notice`` (called
in the writer's thread): a file set aside, messages it could not keep.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from inspector.core.archive.convert import Row, message_rows, now_us, table_rows
from inspector.core.archive.records import ArchiveDamagedError, ArchiveError
from inspector.core.archive.store import Archive
from inspector.core.models import Message
from inspector.core.rows import RawRow
from inspector.core.workspace import DEFAULT_ARCHIVE_DAYS, DEFAULT_ARCHIVE_MAX_BYTES

log = logging.getLogger("inspector.archive")

BATCH_SECS = 0.2
BATCH_SIZE = 1000
PRUNE_EVERY = 50_000
_RETRIES = 3  # a batch SQLite refused (busy too long, a full disk) is tried again this many times, a second apart

_Item = tuple[str, int, int, Sequence[Any], bool]  # profile, topic, received (us), messages or rows, rows?


class ArchiveWriter:
    """Writes to the archive at ``path`` (default: the app's), or to ``archive`` when given (then its owner
    closes it)."""

    def __init__(
        self,
        path: Path | None = None,
        *,
        archive: Archive | None = None,
        max_bytes: int = DEFAULT_ARCHIVE_MAX_BYTES,
        max_age_days: float = DEFAULT_ARCHIVE_DAYS,
        batch_secs: float = BATCH_SECS,
        batch_size: int = BATCH_SIZE,
        prune_every: int | None = PRUNE_EVERY,
        on_notice: Callable[[str], None] | None = None,
    ) -> None:
        self.path = path
        self.archive = archive
        self._owns_archive = archive is None
        self.max_bytes = max_bytes
        self.max_age_days = max_age_days
        self.batch_secs = batch_secs
        self.batch_size = batch_size
        self.prune_every = prune_every
        self._on_notice = on_notice
        self._queue: queue.SimpleQueue[_Item | threading.Event | None] = queue.SimpleQueue()
        self.added = 0  # messages handed to add (and add_rows)
        self.written = 0  # of them, new to the archive and committed
        self.duplicates = 0  # already in it
        self.dropped = 0  # could not be kept (said through on_notice)
        self.problem = ""  # the last thing that went wrong, in words
        self._since_prune = 0
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="archive-writer", daemon=True)
        self._thread.start()

    # ----- any thread -----------------------------------------------------------------------------------------
    def add(self, profile: str, topic: int, messages: Sequence[Message]) -> None:
        """Keep ``messages`` of ``topic`` at the profile address ``profile`` (``address_of``). Never blocks."""
        if messages and not self._closed:
            self.added += len(messages)
            self._queue.put((profile, topic, now_us(), list(messages), False))

    def add_rows(self, profile: str, topic: int, rows: Sequence[RawRow]) -> None:
        """As ``add``, for rows of the window's table (their payload is JSON text already)."""
        if rows and not self._closed:
            self.added += len(rows)
            self._queue.put((profile, topic, now_us(), list(rows), True))

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything added before this call is committed (or could not be). False on timeout."""
        if not self._thread.is_alive():
            return True
        done = threading.Event()
        self._queue.put(done)
        return done.wait(timeout)

    def close(self, timeout: float | None = None) -> None:
        """Commit what is waiting and stop (the archive is closed too when the writer opened it)."""
        if not self._closed:
            self._closed = True
            self._queue.put(None)
        self._thread.join(timeout)

    # ----- the writer's thread --------------------------------------------------------------------------------
    def _notice(self, words: str) -> None:
        self.problem = words
        log.warning("%s", words)
        if self._on_notice is not None:
            try:
                self._on_notice(words)
            except Exception:
                log.exception("archive notice callback failed")

    def _run(self) -> None:
        if self.archive is None:
            try:
                self.archive = Archive(self.path)
            except ArchiveError as exc:
                self._notice(f"{exc.message}; messages are not archived in this session")
                self._drain_unopened()
                return
        for notice in self.archive.notices:
            self._notice(notice)
        self._prune()
        stopping = False
        while not stopping:
            first = self._queue.get()
            pending: list[_Item] = []
            waiting: list[threading.Event] = []
            stopping = self._take(first, pending, waiting)
            count = sum(len(item[3]) for item in pending)
            deadline = time.monotonic() + self.batch_secs
            while not stopping and not waiting and count < self.batch_size:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                try:
                    more = self._queue.get(timeout=left)
                except queue.Empty:
                    break
                stopping = self._take(more, pending, waiting)
                count = sum(len(item[3]) for item in pending)
            if stopping or waiting:  # take what is queued already too: it was added before the flush or close
                stopping = self._take_queued(pending, waiting) or stopping
            if pending:
                self._commit(pending)
            for done in waiting:
                done.set()
        if self._owns_archive:
            self.archive.close()

    def _take(self, item: _Item | threading.Event | None, pending: list[_Item], waiting: list[threading.Event]) -> bool:
        if item is None:
            return True
        if isinstance(item, threading.Event):
            waiting.append(item)
        else:
            pending.append(item)
        return False

    def _take_queued(self, pending: list[_Item], waiting: list[threading.Event]) -> bool:
        stopping = False
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return stopping
            stopping = self._take(item, pending, waiting) or stopping

    def _drain_unopened(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if isinstance(item, threading.Event):
                item.set()
            else:
                self.dropped += len(item[3])

    def _commit(self, pending: list[_Item]) -> None:
        assert self.archive is not None
        grouped: dict[tuple[str, int], list[Row]] = {}
        received = pending[0][2]
        for profile, topic, _, items, are_rows in pending:
            rows = table_rows(items) if are_rows else message_rows(items)
            grouped.setdefault((profile, topic), []).extend(rows)
        batches = [(profile, topic, rows) for (profile, topic), rows in grouped.items()]
        total = sum(len(rows) for _, _, rows in batches)
        for attempt in range(_RETRIES + 1):
            try:
                self.archive.reopen_if_moved()
                added = self.archive.write(batches, received_us=received)
            except ArchiveDamagedError as exc:
                self._notice(exc.message)  # set aside, a new archive started: write the batch again there
                continue
            except ArchiveError as exc:
                if attempt < _RETRIES:
                    time.sleep(1.0)
                    continue
                self.dropped += total
                self._notice(f"{total} messages could not be archived: {exc.message}")
                return
            self.written += added
            self.duplicates += total - added
            self._since_prune += added
            if self.prune_every is not None and self._since_prune >= self.prune_every:
                self._prune()
            return
        self.dropped += total
        self._notice(f"{total} messages could not be archived: the archive was found damaged again and again")

    def _prune(self) -> None:
        assert self.archive is not None
        self._since_prune = 0
        try:
            self.archive.prune(self.max_bytes, self.max_age_days)
        except ArchiveError as exc:
            self._notice(f"the archive could not be pruned: {exc.message}")
