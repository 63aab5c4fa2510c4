"""A search of the archive: newest hits first, handed out as they are found, cancellable, with progress.

Two plans. With words (or a JMESPath condition that names a literal string, see ``query.prefilter``) the word
index drives: FTS5 gives the matching keys newest first and SQL keeps those of the chosen topics and times.
Without, the archive is read newest first in slices of keys, each slice one SQL query with the topics, times
and what SQL can check of the condition; a slice takes about a tenth of a second, so progress moves and a
cancel is seen between slices (and within one, through SQLite's progress handler). Python then evaluates the
JMESPath condition on each candidate, exactly as the window's filter does, over ``{message_id, time, payload}``.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from jmespath.parser import ParsedResult

from inspector.core.archive.convert import micros
from inspector.core.archive.query import NONE, Prefilter, prefilter, words_query
from inspector.core.archive.records import ArchivedMessage
from inspector.core.filtering import JmesPathFilter

DEFAULT_LIMIT = 500
COLUMNS = "m.key, m.stream, m.message_id, m.time, m.ts, m.received, m.payload"
_FIRST_SLICE = 2048  # keys per slice to begin with; then sized so that a slice takes about SLICE_SECS
SLICE_SECS = 0.1
_FETCH = 100  # rows per fetch of the word-driven plan

Progress = Callable[[float], None]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Search:
    """Iterate for the hits (``ArchivedMessage``), newest first, at most ``limit``. Afterwards ``complete`` says
    whether every candidate was looked at (False when the limit or a cancel stopped it) and ``scanned`` how many
    messages were read. ``cancel`` (a ``threading.Event``) stops it between two hits; ``progress`` is called
    with the share of the archive done, 0 to 1. Bad words or a bad condition raise ``ValidationError`` here,
    before anything is read."""

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
    ) -> None:
        self._connect = connect
        self._release = release
        self._damaged = damaged
        self._streams = streams
        self._chosen = None if chosen is None else sorted(set(chosen))
        self.limit = max(int(limit), 0)
        self.cancel = cancel or threading.Event()
        self._progress = progress
        self.compiled: ParsedResult | None = None
        pre = NONE
        if jmespath is not None and jmespath.strip():
            self.compiled = JmesPathFilter(jmespath).compiled  # refused in the filter's words
            pre = prefilter(self.compiled.parsed)
        self._pre: Prefilter = pre
        words = words_query(text) if text is not None and text.strip() else None
        fts = [f for f in (words, pre.fts) if f is not None]
        self.fts: str | None = " AND ".join(f"({f})" for f in fts) if fts else None
        self._since = None if since is None else micros(since)
        self._until = None if until is None else micros(until)
        self.complete = False
        self.cancelled = False
        self.scanned = 0
        self.found = 0

    # ----- the plans ------------------------------------------------------------------------------------------
    def _filters(self) -> tuple[list[str], list[Any]]:
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
            where.append(f"({self._pre.sql})")  # its columns, payload and message_id, are the messages' alone
            params += self._pre.params
        return where, params

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
            rows.close()  # its statement ends: the connection holds no read transaction when it is given back
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

    def _by_words(self, db: sqlite3.Connection) -> Generator[tuple[Any, ...], None, None]:
        bounds = self._bounds(db)
        if bounds is None:
            return
        where, params = self._filters()
        sql = (
            f"SELECT {COLUMNS} FROM words JOIN messages m ON m.key = words.rowid "  # noqa: S608 - our SQL, "?" values
            f"WHERE words MATCH ? {''.join(' AND ' + w for w in where)} ORDER BY words.rowid DESC"
        )
        if self.compiled is None:
            sql += f" LIMIT {self.limit}"
        cursor = db.execute(sql, [self.fts, *params])
        low, high = bounds
        try:
            while True:
                rows = cursor.fetchmany(_FETCH)
                if not rows:
                    return
                self.scanned += len(rows)
                yield from rows
                self._report((high - rows[-1][0]) / max(high - low + 1, 1))
        finally:
            cursor.close()

    def _by_slices(self, db: sqlite3.Connection) -> Generator[tuple[Any, ...], None, None]:
        bounds = self._bounds(db)
        if bounds is None:
            return
        low, high = bounds
        where, params = self._filters()
        sql = (
            f"SELECT {COLUMNS} FROM messages m WHERE m.key BETWEEN ? AND ?"  # noqa: S608 - our SQL, "?" values
            f"{''.join(' AND ' + w for w in where)} ORDER BY m.key DESC"
        )
        span, top = _FIRST_SLICE, high
        while top >= low:
            bottom = max(low, top - span + 1)
            began = time.perf_counter()
            rows = db.execute(sql, [bottom, top, *params]).fetchall()
            self.scanned += top - bottom + 1
            yield from rows
            took = time.perf_counter() - began
            # Python's part (the condition) runs as the rows are taken: measured with the query, roughly.
            span = max(256, min(span * 4, int(span * SLICE_SECS / max(took, 1e-4))))
            top = bottom - 1
            self._report((high - bottom + 1) / (high - low + 1))
            if self.cancel.is_set():
                return

    def _report(self, share: float) -> None:
        if self._progress is not None:
            self._progress(min(max(share, 0.0), 1.0))

    # ----- one candidate --------------------------------------------------------------------------------------
    def _hit(self, row: tuple[Any, ...]) -> ArchivedMessage | None:
        key, stream, message_id, time_text, ts, received, text = row
        where = self._streams.get(stream)
        if where is None:
            return None  # a stream of another process's making, not known here yet
        if self.compiled is not None and not _matches(self.compiled, message_id, ts, text):
            return None
        return ArchivedMessage(key, where[0], where[1], message_id, time_text, ts, received, text)


def _matches(compiled: ParsedResult, message_id: str, time_us: int, text: str) -> bool:
    """As ``JmesPathFilter`` matches a row: truthy over ``{message_id, time, payload}``; an error is no match."""
    try:
        payload = orjson.loads(text)
    except orjson.JSONDecodeError:
        try:
            payload = json.loads(text)  # NaN, or integers beyond 64 bits (written by json, not orjson)
        except (ValueError, RecursionError):
            return False
    moment = _EPOCH + timedelta(microseconds=time_us)
    document = {"message_id": message_id, "time": moment.isoformat(), "payload": payload}
    try:
        result = compiled.search(document)
    except (ValueError, TypeError, RecursionError):
        return False
    return result not in (None, False, [], {}, "")
