"""The archive's SQLite file: its schema, how a connection is opened, and how a damaged file is set aside.

One row per (profile address, topic, message id) in ``messages``, its ``key`` the arrival order (AUTOINCREMENT:
a key is never used twice, so "older than this key" stays true after a prune). ``words`` is a contentless FTS5
index over the payload text: the text is not stored twice. The app writes both in the same transaction (a
trigger would make FTS5 flush its pending terms for every row, three times slower here), and removes index
entries with FTS5's 'delete' command, giving it the same text again (``BODY``).

The indexed text is the payload's compact JSON with its escapes (``\\n``, ``\\u00e9``...) turned into spaces, so a
word after a line break is a word of its own; JSON's punctuation is no part of a word for the tokenizer.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import time
from pathlib import Path

from inspector.core.paths import PRIVATE_FILE, SQLITE_COMPANIONS, AppPaths, private_file

log = logging.getLogger("inspector.archive")

SCHEMA_VERSION = 1  # the file's PRAGMA user_version
PAGE_SIZE = 16384  # 1 KB payloads fill 16 KB pages to ~98% (4 KB pages: ~77%, the file a quarter bigger)
BUSY_TIMEOUT_MS = 10_000
FILE_NAME = "archive.sqlite"

# The payload's text as the index sees it: escapes as spaces ("a\nb" is two words), only when it holds one.
BODY = (
    "CASE WHEN instr({p}, '\\') THEN "
    "replace(replace(replace(replace(replace(replace(replace({p}, '\\\\', ' '), '\\n', ' '), '\\t', ' '), "
    "'\\r', ' '), '\\u', ' '), '\\b', ' '), '\\f', ' ') ELSE {p} END"
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS streams (
    id INTEGER PRIMARY KEY,
    profile TEXT NOT NULL,
    topic INTEGER NOT NULL,
    UNIQUE (profile, topic)
);
CREATE TABLE IF NOT EXISTS messages (
    key INTEGER PRIMARY KEY AUTOINCREMENT,
    stream INTEGER NOT NULL,
    message_id TEXT NOT NULL,
    time TEXT NOT NULL,
    ts INTEGER NOT NULL,
    received INTEGER NOT NULL,
    payload TEXT NOT NULL,
    UNIQUE (stream, message_id)
);
CREATE INDEX IF NOT EXISTS messages_by_stream ON messages (stream);
CREATE VIRTUAL TABLE IF NOT EXISTS words USING fts5(
    body, content='', tokenize='unicode61 remove_diacritics 2'
);
"""

# sqlite3's primary result codes that mean the file itself is bad (not busy, not a full disk).
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26


def default_path() -> Path:
    """``archive.sqlite`` in the app's data folder."""
    return AppPaths.current().data / FILE_NAME


def is_damaged(exc: BaseException) -> bool:
    """Whether an SQLite error says the file is damaged or not a database at all."""
    code = getattr(exc, "sqlite_errorcode", None)
    return (
        isinstance(exc, sqlite3.DatabaseError)
        and code is not None
        and code & 0xFF
        in (
            _SQLITE_CORRUPT,
            _SQLITE_NOTADB,
        )
    )


class NotAnArchive(Exception):
    """The file opened, but is not an archive this app can use (newer, or another program's database)."""


def connect(path: Path) -> sqlite3.Connection:
    """A connection to the archive at ``path`` (autocommit: each method opens its own transactions)."""
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    _configure(db)
    return db


def _configure(db: sqlite3.Connection) -> None:
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    db.execute("PRAGMA synchronous = NORMAL")  # WAL: a kill loses nothing committed; a power cut the last batches
    db.execute("PRAGMA cache_size = -32768")  # 32 MB


def prepare(db: sqlite3.Connection) -> None:
    """Check the file's version and make its tables when it is new. Raises ``NotAnArchive`` or SQLite's error."""
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise NotAnArchive(
            f"it is an archive of version {version}, written by a newer Topic Inspector "
            f"(this one reads up to version {SCHEMA_VERSION})"
        )
    if version == 0:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")}
        ours = {"streams", "messages", "words", "sqlite_sequence"}  # and the word index's own: words_data...
        if {t for t in tables - ours if not t.startswith("words_")} or (tables and "messages" not in tables):
            raise NotAnArchive(f"it is another program's database (tables: {', '.join(sorted(tables))})")
        # Before the first table: the page size and incremental vacuum (so a prune can give space back) take
        # effect on an empty file only, and the page size before write-ahead logging is on.
        db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        db.execute("PRAGMA auto_vacuum = INCREMENTAL")
        db.execute("PRAGMA journal_mode = WAL")
        db.executescript(f"BEGIN IMMEDIATE; {SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")
    else:
        db.execute("PRAGMA journal_mode = WAL")
    # Touch every table's first page: a file damaged at its start says so now rather than at the first write.
    db.execute("SELECT max(key) FROM messages").fetchone()
    db.execute("SELECT count(*) FROM streams").fetchone()
    db.execute("SELECT rowid FROM words WHERE words MATCH 'a' LIMIT 1").fetchall()


def open_file(path: Path) -> tuple[sqlite3.Connection, str]:
    """Open (or make) the archive at ``path``: the connection, and a notice ("" when all was well). A damaged
    file, or one this app cannot use, is set aside (``set_aside``) and a new archive started in its place; the
    notice says where the old one went. Other errors (a folder that cannot be written) raise as they are."""
    private_file(path, companions=SQLITE_COMPANIONS)  # payloads: 0600, and so its -wal and -shm
    db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        _configure(db)
        prepare(db)
        _tighten_open(path)  # the -wal and -shm it made: 0600 whatever the umask
        return db, ""
    except (sqlite3.DatabaseError, NotAnArchive) as exc:
        db.close()
        if not isinstance(exc, NotAnArchive) and not is_damaged(exc):
            raise
        notice = set_aside(path, str(exc))
    private_file(path, companions=SQLITE_COMPANIONS)
    db = connect(path)
    prepare(db)
    _tighten_open(path)
    return db, notice


def _tighten_open(path: Path) -> None:
    """0600 for a database SQLite holds open, and its companions, by their names only: opening and closing the
    file here would drop the process's POSIX locks on it, and another process closing the archive would then
    take itself for the last one and delete the write-ahead log under this one (losing what it writes)."""
    for name in (str(path), *(f"{path}{suffix}" for suffix in SQLITE_COMPANIONS)):
        with contextlib.suppress(OSError):
            if os.stat(name).st_mode & 0o777 != PRIVATE_FILE:
                os.chmod(name, PRIVATE_FILE)


def set_aside(path: Path, reason: str) -> str:
    """Rename a damaged archive (and its -wal and -shm) to ``NAME.broken-YYYYMMDD-HHMMSS``; the words that say
    what happened and where the file went."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.broken-{stamp}")
    number = 1
    while aside.exists():
        number += 1
        aside = path.with_name(f"{path.name}.broken-{stamp}-{number}")
    with contextlib.suppress(FileNotFoundError):
        os.replace(path, aside)
    for suffix in SQLITE_COMPANIONS:
        with contextlib.suppress(FileNotFoundError):
            os.replace(f"{path}{suffix}", f"{aside}{suffix}")
    notice = (
        f"The message archive {path} could not be read ({reason}). It was kept as {aside} "
        "and a new, empty archive was started; messages received from now on are kept in the new one."
    )
    log.warning("%s", notice)
    return notice


def used_bytes(db: sqlite3.Connection) -> int:
    """The bytes the database's pages in use take (free pages are given back by the next vacuum)."""
    pages = int(db.execute("PRAGMA page_count").fetchone()[0])
    free = int(db.execute("PRAGMA freelist_count").fetchone()[0])
    size = int(db.execute("PRAGMA page_size").fetchone()[0])
    return (pages - free) * size


def file_bytes(path: Path) -> int:
    total = 0
    for name in (str(path), f"{path}-wal"):
        with contextlib.suppress(OSError):
            total += os.stat(name).st_size
    return total
