"""A search of the archive: newest hits first, handed out as they are found, cancellable, with progress.

Two plans. With words (or a JMESPath condition that names a literal string, see ``query.prefilter``) the word
index drives: FTS5 gives the matching keys newest first and SQL keeps those of the chosen topics and times; words
that may be a message id (one token) also find the message with that id, which is not in the word index. Without,
the archive is read newest first in slices of keys, each slice one SQL query with the topics, times and the
condition's verdict (``verdict``: SQL decides the condition where it can, message by message); a slice takes
about a tenth of a second, so progress moves and a cancel is seen between slices (and within one, through
SQLite's progress handler). Python evaluates the condition, compiled (``evaluate``), only where SQL could not
tell, exactly as the window's filter does, over ``{message_id, time, payload}``.

A condition that is still being read after a quarter of a second, with much of the archive left, goes on in
worker processes (``parallel``), each scanning ranges of keys and sending back the matching ones; the hits still
come newest first, with progress, and a cancel stops the workers.
"""

from __future__ import annotations

import heapq
import sqlite3
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from jmespath.parser import ParsedResult

from inspector.core.archive import parallel
from inspector.core.archive.convert import micros
from inspector.core.archive.evaluate import Condition
from inspector.core.archive.query import NONE, Prefilter, looks_like_id, prefilter, words_query
from inspector.core.archive.records import ArchivedMessage
from inspector.core.filtering import JmesPathFilter

DEFAULT_LIMIT = 500
COLUMNS = "m.key, m.stream, m.message_id, m.time, m.ts, m.received, m.payload"
_FIRST_SLICE = 2048  # keys per slice to begin with; then sized so that a slice takes about SLICE_SECS
SLICE_SECS = 0.1
_FETCH = 100  # rows per fetch of the word-driven plan
# Worker processes take over a condition still being read after PARALLEL_AFTER_S, when what is left would take
# more than PARALLEL_WORTH_S here and holds PARALLEL_MIN_KEYS keys or more (starting them takes ~0.3 s).
PARALLEL_AFTER_S = 0.25
PARALLEL_WORTH_S = 1.0
PARALLEL_MIN_KEYS = 100_000
WORKER_KEYS = 16_384  # keys per range a worker scans (about a tenth of a second)
_BY_KEYS = 500  # hits fetched per query by key

Progress = Callable[[float], None]
Row = tuple[Any, ...]  # COLUMNS and the verdict


class _Plan(NamedTuple):
    """A range of keys read ``here`` (rows: COLUMNS and the verdict, newest first) and ``there``, in a worker
    (``parallel.Job``), each with the values ``head``, the range's lowest and highest key, then ``tail``."""

    here: str
    there: str
    head: tuple[Any, ...]
    tail: tuple[Any, ...]


class Search:
    """Iterate for the hits (``ArchivedMessage``), newest first, at most ``limit``. Afterwards ``complete`` says
    whether every candidate was looked at (False when the limit or a cancel stopped it) and ``scanned`` how many
    messages were read. ``cancel`` (a ``threading.Event``) stops it between two hits; ``progress`` is called
    with the share of the archive done, 0 to 1. Bad words or a bad condition raise ``ValidationError`` here,
    before anything is read. ``path``: the archive's file, for worker processes (none without it);
    ``workers``: their process ids, once started."""

    def __init__(
        self,
        connect: Callable[[], sqlite3.Connection],
        streams: dict[int, tuple[str, int]],
        chosen: Sequence[int] | None,
        *,
        text: str | None = None,
        jmespath: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = DEFAULT_LIMIT,
        cancel: threading.Event | None = None,
        progress: Progress | None = None,
        release: Callable[[sqlite3.Connection], None] | None = None,
        damaged: Callable[[sqlite3.DatabaseError], Exception] | None = None,
        path: Path | None = None,
    ) -> None:
        self._connect = connect
        self._release = release
        self._damaged = damaged
        self._path = path
        self._streams = streams
        self._chosen = None if chosen is None else sorted(set(chosen))
        self.limit = max(int(limit), 0)
        self.cancel = cancel or threading.Event()
        self._progress = progress
        self.compiled: ParsedResult | None = None
        self._condition: Condition | None = None
        pre = NONE
        if jmespath is not None and jmespath.strip():
            self.compiled = JmesPathFilter(jmespath).compiled  # refused in the filter's words
            pre = prefilter(self.compiled.parsed)
            self._condition = Condition(self.compiled.parsed)
        self._pre: Prefilter = pre
        words = words_query(text) if text is not None and text.strip() else None
        self._id = looks_like_id(text) if words is not None and text is not None else None
        fts = [f for f in (words, pre.fts) if f is not None]
        self.fts: str | None = " AND ".join(f"({f})" for f in fts) if fts else None
        self._since = None if since is None else micros(since)
        self._until = None if until is None else micros(until)
        self.complete = False
        self.cancelled = False
        self.scanned = 0
        self.found = 0
        self.workers: list[int] = []

    # ----- the plans ------------------------------------------------------------------------------------------
    def _verdict(self) -> tuple[str, tuple[Any, ...]]:
        """The verdict column (1, 0 or NULL: see ``verdict``) and its values."""
        return (self._pre.sql, self._pre.params) if self._pre.sql is not None else ("NULL", ())

    def _filters(self) -> tuple[str, list[Any]]:
        """`` AND ...`` for the topics, times and the verdict (not 0), and their values."""
        where: list[str] = []
        params: list[Any] = []
        if self._chosen is not None:
            where.append(f"m.stream IN ({','.join('?' * len(self._chosen))})")
            params += self._chosen
        if self._since is not None:
            where.append("m.ts >= ?")
            params.append(self._since)
        if self._until is not None:
            where.append("m.ts < ?")
            params.append(self._until)
        if self._pre.sql is not None:
            where.append(f"({self._pre.sql}) IS NOT 0")  # its columns, payload, message_id and ts, are messages'
            params += self._pre.params
        return "".join(" AND " + w for w in where), params

    def __iter__(self) -> Iterator[ArchivedMessage]:
        if self.limit == 0 or (self._chosen is not None and not self._chosen):
            self.complete = True
            return
        db = self._connect()
        db.set_progress_handler(lambda: 1 if self.cancel.is_set() else 0, 20_000)
        rows = self._by_words(db) if self.fts is not None else self._by_slices(db)
        try:
            for row in rows:
                hit = self._hit(row)
                if hit is None:
                    continue
                self.found += 1
                yield hit
                if self.found >= self.limit:
                    return
                if self.cancel.is_set():
                    self.cancelled = True
                    return
            self.complete = not self.cancel.is_set()
            self.cancelled = self.cancel.is_set()
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and self.cancel.is_set() and "interrupt" in str(exc):
                self.cancelled = True
            elif self._damaged is not None:
                raise self._damaged(exc) from None
            else:
                raise
        finally:
            rows.close()  # its statement ends (and its workers): no read transaction is left when it is given back
            if self._release is None:
                db.close()
            else:
                self._release(db)
        if self._progress is not None and self.complete:
            self._progress(1.0)

    def _bounds(self, db: sqlite3.Connection) -> tuple[int, int] | None:
        """The first and last key of the chosen topics. One min() or max() each: SQLite reads both ends of an
        index only for a query with a single one (with both it reads the whole table)."""
        lows, highs = [], []
        for stream in [None] if self._chosen is None else self._chosen:
            where, params = ("", ()) if stream is None else (" WHERE stream = ?", (stream,))
            low = db.execute(f"SELECT min(key) FROM messages{where}", params).fetchone()[0]  # noqa: S608 - fixed
            if low is not None:
                lows.append(int(low))
                highs.append(int(db.execute(f"SELECT max(key) FROM messages{where}", params).fetchone()[0]))  # noqa: S608
        return (min(lows), max(highs)) if lows else None

    def _plan(self, by_words: bool) -> _Plan:
        """The SQL of a range of keys, here and in a worker, and its values around the range's bounds."""
        verdict, verdict_params = self._verdict()
        where, tail = self._filters()
        if by_words:  # the index gives its keys newest first: no sort
            source = "FROM words JOIN messages m ON m.key = words.rowid WHERE words MATCH ? AND words.rowid"
            head: tuple[Any, ...] = (*verdict_params, self.fts)
        else:
            source, head = "FROM messages m WHERE m.key", verdict_params
        order = source.rsplit(" ", 1)[-1]
        return _Plan(
            f"SELECT {COLUMNS}, {verdict} {source} BETWEEN ? AND ?{where} ORDER BY {order} DESC",
            f"SELECT m.key, m.message_id, m.ts, CAST(m.payload AS BLOB), {verdict} {source} BETWEEN ? AND ?{where}",
            head,
            tuple(tail),
        )

    def _by_words(self, db: sqlite3.Connection) -> Generator[Row, None, None]:
        bounds = self._bounds(db)
        if bounds is None:
            return
        shown = None
        indexed = self._by_index(db, *bounds)
        try:
            for row in heapq.merge(indexed, self._by_id(db), key=lambda r: -r[0]):
                if row[0] != shown:  # the message of the id may hold the words too
                    shown = row[0]
                    yield row
        finally:
            indexed.close()  # its statement, and its workers

    def _by_index(self, db: sqlite3.Connection, low: int, high: int) -> Generator[Row, None, None]:
        """The word index's candidates, newest first; workers read the rest when it is long to read here."""
        plan = self._plan(by_words=True)
        sql = plan.here
        if self.compiled is None:
            sql += f" LIMIT {self.limit}"
        cursor = db.execute(sql, (*plan.head, low, high, *plan.tail))
        began = time.perf_counter()
        try:
            while rows := cursor.fetchmany(_FETCH):
                self.scanned += len(rows)
                yield from rows
                last = rows[-1][0]
                self._report((high - last) / max(high - low + 1, 1))
                if self._workers_worth(last - low, last, high, began):
                    cursor.close()
                    yield from self._by_workers(db, plan, (low, last - 1, high))
                    return
        finally:
            cursor.close()

    def _by_id(self, db: sqlite3.Connection) -> list[Row]:
        """The message whose id is the words, in each chosen topic (by the (stream, message_id) index), newest
        first."""
        if self._id is None:
            return []
        verdict, verdict_params = self._verdict()
        where, params = self._filters()
        sql = f"SELECT {COLUMNS}, {verdict} FROM messages m WHERE m.stream = ? AND m.message_id = ?{where}"  # noqa: S608
        found: list[Row] = []
        for stream in self._streams if self._chosen is None else self._chosen:
            found += db.execute(sql, [*verdict_params, stream, self._id, *params]).fetchall()
        return sorted(found, key=lambda r: -r[0])

    def _by_slices(self, db: sqlite3.Connection) -> Generator[Row, None, None]:
        bounds = self._bounds(db)
        if bounds is None:
            return
        low, high = bounds
        plan = self._plan(by_words=False)
        span, top = _FIRST_SLICE, high
        began = time.perf_counter()
        while top >= low:
            if self._workers_worth(top - low + 1, top, high, began):
                yield from self._by_workers(db, plan, (low, top, high))
                return
            bottom = max(low, top - span + 1)
            slice_began = time.perf_counter()
            rows = db.execute(plan.here, (*plan.head, bottom, top, *plan.tail)).fetchall()
            self.scanned += top - bottom + 1
            yield from rows
            took = time.perf_counter() - slice_began
            # Python's part (the condition) runs as the rows are taken: measured with the query, roughly.
            span = max(256, min(span * 4, int(span * SLICE_SECS / max(took, 1e-4))))
            top = bottom - 1
            self._report((high - bottom + 1) / (high - low + 1))
            if self.cancel.is_set():
                return

    def _workers_worth(self, left: int, top: int, high: int, began: float) -> bool:
        """Whether worker processes should read the ``left`` keys still to read (below ``top``)."""
        if self._condition is None or self._path is None or left < max(PARALLEL_MIN_KEYS, 1):
            return False
        elapsed = time.perf_counter() - began
        if elapsed < PARALLEL_AFTER_S or not parallel.available():
            return False
        rate = (high - top) / max(elapsed, 1e-6)  # keys per second so far
        return left > rate * PARALLEL_WORTH_S

    def _by_workers(
        self, db: sqlite3.Connection, plan: _Plan, span: tuple[int, int, int]
    ) -> Generator[Row, None, None]:
        """Keys ``low`` to ``top`` read by worker processes, newest first; a range a worker could not read is
        read here."""
        low, top, high = span
        assert self.compiled is not None
        assert self._path is not None
        job = parallel.Job(str(self._path), plan.there, plan.head, plan.tail, self.compiled.expression)
        ranges = [(max(low, upper - WORKER_KEYS + 1), upper) for upper in range(top, low - 1, -WORKER_KEYS)]
        scan = parallel.Scan(job, ranges)
        self.workers = scan.pids
        try:
            for (bottom, upper), keys in scan.results(self.cancel):
                if keys is None:
                    yield from db.execute(plan.here, (*plan.head, bottom, upper, *plan.tail)).fetchall()
                else:
                    yield from self._by_keys(db, keys)
                self.scanned += upper - bottom + 1
                self._report((high - bottom + 1) / (high - low + 1))
        finally:
            scan.close()

    def _by_keys(self, db: sqlite3.Connection, keys: list[int]) -> Iterator[Row]:
        """The rows of keys a worker found matching, newest first (their verdict: 1)."""
        keys = sorted(keys, reverse=True)
        for start in range(0, len(keys), _BY_KEYS):
            some = keys[start : start + _BY_KEYS]
            marks = ",".join("?" * len(some))
            sql = f"SELECT {COLUMNS}, 1 FROM messages m WHERE m.key IN ({marks}) ORDER BY m.key DESC"  # noqa: S608
            yield from db.execute(sql, some).fetchall()

    def _report(self, share: float) -> None:
        if self._progress is not None:
            self._progress(min(max(share, 0.0), 1.0))

    # ----- one candidate --------------------------------------------------------------------------------------
    def _hit(self, row: Row) -> ArchivedMessage | None:
        key, stream, message_id, time_text, ts, received, text, decided = row
        where = self._streams.get(stream)
        if where is None:
            return None  # a stream of another process's making, not known here yet
        condition = self._condition
        if condition is not None and decided != 1 and not condition.matches(message_id, ts, text):
            return None  # decided is NULL here (SQL left out the 0s): Python tells
        return ArchivedMessage(key, where[0], where[1], message_id, time_text, ts, received, text)
