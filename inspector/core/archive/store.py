"""``Archive``: the messages every tail received, in one SQLite file (see ``database``), kept past the topics'
retention and searchable.

Every method may be called from any thread: each thread reads and writes through a connection of its own, and a
search through one of its own too (SQLite's write-ahead log lets them read while another writes). A file found
damaged, at open or later, is set aside and a new archive started (``notices`` says where the old one went);
a write that found it damaged is written again to the new one.
"""

from __future__ import annotations

import contextlib
import math
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from inspector.core.archive.convert import Row, check_import_name, cleaned, file_rows, now_us
from inspector.core.archive.database import BODY, default_path, file_bytes, is_damaged, open_file, set_aside, used_bytes
from inspector.core.archive.database import connect as connect_file
from inspector.core.archive.records import (
    IMPORT_PREFIX,
    IMPORT_TOPIC,
    ArchiveDamagedError,
    ArchivedMessage,
    ArchiveError,
    ArchiveStats,
    ImportResult,
    PruneResult,
    StreamStats,
    TopicRef,
)
from inspector.core.archive.search import DEFAULT_LIMIT, Progress, Search
from inspector.core.workspace import DEFAULT_ARCHIVE_DAYS, DEFAULT_ARCHIVE_MAX_BYTES

_INSERT = "INSERT OR IGNORE INTO messages (stream, message_id, time, ts, received, payload) VALUES (?, ?, ?, ?, ?, ?)"
_ROW = "key, message_id, time, ts, received, payload"
_PAGE = "key, message_id, time, ts, payload"
PageRow = tuple[int, str, str, int, str]  # ``Archive.page``: key, message_id, time as written, time (us), payload
CHUNK = 10_000  # messages removed per transaction: a writer waits well under a second for its turn
_MERGE_STEPS = 200  # at most this many merges of the word index after a removal (each about 500 pages)
DAY_US = 86_400_000_000


class Archive:
    """The archive at ``path`` (default: ``archive.sqlite`` in the app's data folder), opened or made now."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.notices: list[str] = []
        self._lock = threading.RLock()
        self._local = threading.local()
        self._generation = 0
        self._connections: list[sqlite3.Connection] = []
        self._ids: dict[tuple[str, int], int] = {}
        self._idle: list[tuple[int, sqlite3.Connection]] = []  # searches' connections, with their generation
        self._lent: dict[int, int] = {}
        self._open()

    # ----- connections ----------------------------------------------------------------------------------------
    def _open(self) -> None:
        try:
            db, notice = open_file(self.path)
        except (OSError, sqlite3.Error) as exc:
            raise ArchiveError(
                f"cannot open the message archive {self.path} ({exc})",
                hint="check that the app's data folder can be written, or turn the archive off",
            ) from None
        if notice:
            self.notices.append(notice)
        self._inode = _inode(self.path)
        self._local.db, self._local.generation = db, self._generation
        self._connections.append(db)

    def _db(self) -> sqlite3.Connection:
        """This thread's connection (a new one after the file was set aside or replaced)."""
        local = self._local
        if getattr(local, "generation", None) != self._generation:
            old = getattr(local, "db", None)
            if old is not None:
                old.close()
            local.db, local.generation = connect_file(self.path), self._generation
            with self._lock:
                self._connections.append(local.db)
        db: sqlite3.Connection = local.db
        return db

    def _lend(self) -> sqlite3.Connection:
        """A connection for one search at a time (kept between searches: a new one reads the schema first)."""
        with self._lock:
            while self._idle:
                generation, db = self._idle.pop()
                if generation == self._generation:
                    self._lent[id(db)] = generation
                    return db
                db.close()
            db = connect_file(self.path)
            self._connections.append(db)
            self._lent[id(db)] = self._generation
            return db

    def _give_back(self, db: sqlite3.Connection) -> None:
        with self._lock:
            generation = self._lent.pop(id(db), None)
            if generation == self._generation and len(self._idle) < 4:
                db.set_progress_handler(None, 0)
                self._idle.append((generation, db))
            else:
                with contextlib.suppress(sqlite3.Error):
                    db.close()

    def close(self) -> None:
        with self._lock:
            self._drop_connections()

    def _drop_connections(self) -> None:
        """Close every connection to the file (the lock held) and start a new generation: connections of threads
        and searches made before it are not used again, and the streams' ids are looked up again."""
        self._generation += 1
        for db in self._connections:
            with contextlib.suppress(sqlite3.Error):
                db.close()
        self._connections.clear()
        self._idle.clear()
        self._ids.clear()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def notice(self) -> str:
        """The latest words about a file set aside ("" when none)."""
        return self.notices[-1] if self.notices else ""

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        """SQLite's errors in words: a damaged file is set aside (``ArchiveDamagedError``, the notice), others are
        an ``ArchiveError``."""
        generation = self._generation
        try:
            yield
        except sqlite3.ProgrammingError:
            if generation == self._generation:
                raise  # a bug, not the file
            raise ArchiveDamagedError(self.notice or "the archive was closed") from None
        except sqlite3.DatabaseError as exc:
            raise self._problem(exc, generation) from None

    def _problem(self, exc: sqlite3.DatabaseError, generation: int) -> ArchiveError:
        if is_damaged(exc):
            notice = self._recover(str(exc), generation)
            return ArchiveDamagedError(notice, hint="the messages received from now on are kept in the new archive")
        return ArchiveError(
            f"the message archive {self.path} failed: {exc}",
            hint="another Topic Inspector may be using it heavily, or the disk may be full; try again",
        )

    def _recover(self, reason: str, generation: int) -> str:
        """Set the damaged file aside and start a new one (once, whichever thread found it first)."""
        with self._lock:
            if generation != self._generation:
                return self.notice
            self._drop_connections()
            self.notices.append(set_aside(self.path, reason))
            self._open()
            return self.notice

    def reopen_if_moved(self) -> bool:
        """Another process set the file aside (or it was removed): use the one now at ``path``. Whether it had."""
        if _inode(self.path) == self._inode:
            return False
        with self._lock:
            self._drop_connections()
            self._open()
        return True

    # ----- streams (profile address, topic) -------------------------------------------------------------------
    def _stream(self, db: sqlite3.Connection, profile: str, topic: int) -> int | None:
        known = self._ids.get((profile, topic))
        if known is not None:
            return known
        row = db.execute("SELECT id FROM streams WHERE profile = ? AND topic = ?", (profile, topic)).fetchone()
        if row is None:
            return None
        with self._lock:
            self._ids[(profile, topic)] = int(row[0])
        return int(row[0])

    def _streams(self, db: sqlite3.Connection) -> dict[int, tuple[str, int]]:
        return {int(i): (str(p), int(t)) for i, p, t in db.execute("SELECT id, profile, topic FROM streams")}

    # ----- writing --------------------------------------------------------------------------------------------
    def write(self, batches: Sequence[tuple[str, int, Sequence[Row]]], *, received_us: int | None = None) -> int:
        """Add messages now, in this thread, in one transaction: ``(profile, topic, rows)`` each. Returns how many
        were new (a message already kept for that profile and topic is kept once). ``ArchiveWriter`` calls it
        from its thread; the benchmark calls it directly."""
        received = now_us() if received_us is None else received_us
        with self._guard():
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                before = int(db.execute("SELECT coalesce(max(key), 0) FROM messages").fetchone()[0])
                added = 0
                for profile, topic, rows in batches:
                    db.execute("INSERT OR IGNORE INTO streams (profile, topic) VALUES (?, ?)", (profile, topic))
                    stream = db.execute(
                        "SELECT id FROM streams WHERE profile = ? AND topic = ?", (profile, topic)
                    ).fetchone()[0]
                    params = [(stream, *row[:3], received, row[3]) for row in rows]
                    try:
                        added += db.executemany(_INSERT, params).rowcount
                    except UnicodeEncodeError:  # a lone surrogate (valid JSON as an escape) in an id or a payload
                        fixed = [cleaned(row) for row in rows]
                        added += db.executemany(_INSERT, [(stream, *r[:3], received, r[3]) for r in fixed]).rowcount
                if added:
                    db.execute(
                        f"INSERT INTO words (rowid, body) SELECT key, {BODY.format(p='payload')} "  # noqa: S608 - fixed
                        "FROM messages WHERE key > ?",
                        (before,),
                    )
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        return added

    # ----- reading a topic ------------------------------------------------------------------------------------
    def newest(self, profile: str, topic: int, limit: int = 1000) -> list[ArchivedMessage]:
        """The topic's newest ``limit`` messages, in arrival order (oldest first, as the table shows them)."""
        return self._page(profile, topic, None, limit)

    def older_than(self, profile: str, topic: int, before_key: int, limit: int = 1000) -> list[ArchivedMessage]:
        """The ``limit`` messages that arrived just before the one of ``before_key``, oldest first: what
        scrolling up past the first row of the table loads."""
        return self._page(profile, topic, before_key, limit)

    def _page(self, profile: str, topic: int, before: int | None, limit: int) -> list[ArchivedMessage]:
        rows = self._rows(_ROW, profile, topic, before, limit)
        return [ArchivedMessage(k, profile, topic, i, t, ts, r, p) for k, i, t, ts, r, p in rows]

    def page(self, profile: str, topic: int, before_key: int | None, limit: int) -> list[PageRow]:
        """As ``newest`` (``before_key`` None) or ``older_than``, as plain ``(key, message_id, time_text, time_us,
        payload)`` tuples, oldest first: no object per message, so the window reads a page of 100,000 without
        making the garbage collector pause it."""
        rows: list[PageRow] = self._rows(_PAGE, profile, topic, before_key, limit)
        return rows

    def _rows(self, columns: str, profile: str, topic: int, before: int | None, limit: int) -> list[Any]:
        """``columns`` of the topic's ``limit`` messages that arrived last (before ``before``'s), oldest first."""
        with self._guard():
            db = self._db()
            stream = self._stream(db, profile, topic)
            if stream is None or limit <= 0:
                return []
            after = "" if before is None else " AND key < ?"
            params = (stream, limit) if before is None else (stream, before, limit)
            sql = f"SELECT {columns} FROM messages WHERE stream = ?{after} ORDER BY key DESC LIMIT ?"  # noqa: S608 - fixed
            rows: list[Any] = db.execute(sql, params).fetchall()
        rows.reverse()
        return rows

    def newest_id(self, profile: str, topic: int) -> str | None:
        """The id of the topic's newest archived message: where a tail resumes (None: nothing archived)."""
        with self._guard():
            db = self._db()
            stream = self._stream(db, profile, topic)
            if stream is None:
                return None
            row = db.execute(
                "SELECT message_id FROM messages WHERE stream = ? ORDER BY key DESC LIMIT 1", (stream,)
            ).fetchone()
        return None if row is None else str(row[0])

    def count(self, profile: str, topic: int, *, before_key: int | None = None) -> int:
        """The topic's archived messages (``before_key``: only those that arrived before that one's)."""
        with self._guard():
            db = self._db()
            stream = self._stream(db, profile, topic)
            if stream is None:
                return 0
            if before_key is not None:
                sql, params = "SELECT count(*) FROM messages WHERE stream = ? AND key < ?", (stream, before_key)
                return int(db.execute(sql, params).fetchone()[0])
            return int(db.execute("SELECT count(*) FROM messages WHERE stream = ?", (stream,)).fetchone()[0])

    def key_of(self, profile: str, topic: int, message_id: str) -> int | None:
        """The ``key`` of one archived message of the topic (None: not archived), for ``older_than``."""
        with self._guard():
            db = self._db()
            stream = self._stream(db, profile, topic)
            if stream is None:
                return None
            row = db.execute(
                "SELECT key FROM messages WHERE stream = ? AND message_id = ?", (stream, message_id)
            ).fetchone()
        return None if row is None else int(row[0])

    # ----- search ---------------------------------------------------------------------------------------------
    def search(
        self,
        text: str | None = None,
        jmespath: str | None = None,
        topics: Sequence[TopicRef] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = DEFAULT_LIMIT,
        *,
        cancel: threading.Event | None = None,
        progress: Progress | None = None,
    ) -> Search:
        """Messages with all the words (``text``: words, "phrases", prefix*), for which ``jmespath`` is true,
        of ``topics`` (None: all), with a time from ``since`` to before ``until``: newest first, at most
        ``limit``. Iterate the result for the hits as they are found (see ``Search``)."""
        with self._guard():
            streams = self._streams(self._db())
        chosen = None
        if topics is not None:
            chosen = [sid for sid, (p, t) in streams.items() if any(_refers(ref, p, t) for ref in topics)]
        return Search(
            self._lend,
            streams,
            chosen,
            text=text,
            jmespath=jmespath,
            since=since,
            until=until,
            limit=limit,
            cancel=cancel,
            progress=progress,
            release=self._give_back,
            damaged=self._search_problem,
            path=self.path,
        )

    def _search_problem(self, exc: sqlite3.DatabaseError) -> ArchiveError:
        return self._problem(exc, self._generation)

    # ----- figures and upkeep ---------------------------------------------------------------------------------
    def stats(self) -> ArchiveStats:
        with self._guard():
            db = self._db()
            streams = self._streams(db)
            rows = db.execute(
                "SELECT stream, count(*), min(key), max(key) FROM messages GROUP BY stream ORDER BY stream"
            ).fetchall()
            topics = []
            for stream, number, first, last in rows:
                if stream not in streams:
                    continue
                received = dict(
                    db.execute("SELECT key, received FROM messages WHERE key IN (?, ?)", (first, last)).fetchall()
                )
                profile, topic = streams[stream]
                topics.append(StreamStats(profile, topic, int(number), received[first], received[last]))
            used = used_bytes(db)
        return ArchiveStats(str(self.path), file_bytes(self.path), used, sum(s.messages for s in topics), topics)

    def prune(
        self,
        max_bytes: int = DEFAULT_ARCHIVE_MAX_BYTES,
        max_age_days: float = DEFAULT_ARCHIVE_DAYS,
        *,
        now_us_: int | None = None,
    ) -> PruneResult:
        """Remove the oldest messages: those received more than ``max_age_days`` ago, then as many more as
        bring the archive under ``max_bytes`` (to 90% of it, so that it is not pruned again at once)."""
        with self._guard():
            db = self._db()
            before = used_bytes(db)
            cutoff = (now_us() if now_us_ is None else now_us_) - int(max_age_days * DAY_US)
            by_age = self._prune_age(db, cutoff)
            by_size = 0
            for _ in range(3):  # the word index shrinks only as it merges: measure again, at most thrice
                used = used_bytes(db)
                if used <= max_bytes:
                    break
                total = int(db.execute("SELECT count(*) FROM messages").fetchone()[0])
                if not total:
                    break
                excess = math.ceil((used - 0.9 * max_bytes) / (used / total))
                by_size += self._remove_oldest(db, min(max(excess, 1), total))
                self._tidy(db)
            if by_age and not by_size:
                self._tidy(db)
            after = used_bytes(db)
        return PruneResult(by_age, by_size, before, after)

    def _prune_age(self, db: sqlite3.Connection, cutoff: int) -> int:
        removed, low = 0, 0
        while True:
            rows = db.execute("SELECT key, received FROM messages WHERE key > ? ORDER BY key LIMIT ?", (low, CHUNK))
            chunk = rows.fetchall()
            old = sum(1 for _, received in chunk if received < cutoff)
            if not old:
                return removed
            high = chunk[-1][0]
            removed += self._delete(db, "key > ? AND key <= ? AND received < ?", (low, high, cutoff))
            if old < len(chunk):
                return removed  # recent messages begin here: the rest are newer
            low = high

    def _remove_oldest(self, db: sqlite3.Connection, number: int) -> int:
        removed = 0
        while removed < number:
            take = min(CHUNK, number - removed)
            row = db.execute("SELECT key FROM messages ORDER BY key LIMIT 1 OFFSET ?", (take - 1,)).fetchone()
            if row is None:
                break
            removed += self._delete(db, "key <= ?", (row[0],))
        return removed

    def _delete(self, db: sqlite3.Connection, where: str, params: tuple[object, ...]) -> int:
        """Remove the messages ``where`` says, and their words, in one transaction."""
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute(
                f"INSERT INTO words (words, rowid, body) SELECT 'delete', key, {BODY.format(p='payload')} "  # noqa: S608
                f"FROM messages WHERE {where}",  # ``where`` is one of this module's own conditions, values as "?"
                params,
            )
            removed = int(db.execute(f"DELETE FROM messages WHERE {where}", params).rowcount)  # noqa: S608 - as above
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        return removed

    def _tidy(self, db: sqlite3.Connection) -> None:
        """Merge the word index (removals leave markers until it merges), give free pages back to the file
        system and fold the log into the file."""
        for _ in range(_MERGE_STEPS):
            before = db.total_changes
            db.execute("INSERT INTO words (words, rank) VALUES ('merge', -500)")
            if db.total_changes - before < 2:
                break
        db.executescript("PRAGMA incremental_vacuum;")  # execute() would free one page per call: it steps once
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    def forget_topic(self, profile: str | None, topic: int) -> int:
        """Remove a topic's archived messages (of one profile address, or of every one: ``profile`` None)."""
        removed = 0
        with self._guard():
            db = self._db()
            for stream, (p, t) in self._streams(db).items():
                if t != topic or (profile is not None and p != profile):
                    continue
                while True:
                    row = db.execute(
                        "SELECT max(key) FROM (SELECT key FROM messages WHERE stream = ? ORDER BY key LIMIT ?)",
                        (stream, CHUNK),
                    ).fetchone()
                    if row is None or row[0] is None:
                        break
                    removed += self._delete(db, "stream = ? AND key <= ?", (stream, row[0]))
            if removed:
                self._tidy(db)
        return removed

    def forget_all(self) -> int:
        """Remove every archived message; the file shrinks to almost nothing."""
        with self._guard():
            db = self._db()
            db.execute("BEGIN IMMEDIATE")
            try:
                removed = int(db.execute("SELECT count(*) FROM messages").fetchone()[0])
                db.execute("DELETE FROM messages")
                db.execute("INSERT INTO words (words) VALUES ('delete-all')")
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
            self._tidy(db)
        return removed

    def import_file(self, path: Path, name: str, *, chunk: int = 5000) -> ImportResult:
        """Read a JSON Lines or JSON file (the app's export, ``consume``'s output, a customer's) into the archive
        as ``import:<name>``, topic 0. Bad files are refused with the place in words, before anything is kept."""
        profile = IMPORT_PREFIX + check_import_name(name)
        rows = file_rows(Path(path))
        added = 0
        received = now_us()
        for start in range(0, len(rows), chunk):
            added += self.write([(profile, IMPORT_TOPIC, rows[start : start + chunk])], received_us=received)
        return ImportResult(profile, added, len(rows) - added)


def _refers(ref: TopicRef, profile: str, topic: int) -> bool:
    return (ref.profile is None or ref.profile == profile) and (ref.topic is None or ref.topic == topic)


def _inode(path: Path) -> int | None:
    try:
        return os.stat(path).st_ino
    except OSError:
        return None
