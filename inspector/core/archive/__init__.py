"""The message archive: every message a tail received, kept past the topic's retention, searchable at once.

SQLite in write-ahead-log mode (``archive.sqlite`` in the app's data folder, files 0600), one row per (profile
address, topic, message id), a contentless FTS5 index over the payload text. ``ArchiveWriter`` takes messages from
any thread without blocking it; ``Archive`` reads a topic's newest messages (and older ones, page by page),
searches by words, JMESPath, topics and time, prunes by size and age, forgets, and imports exported files.

Qt-free: the window and the CLI share it.
"""

from __future__ import annotations

from inspector.core.archive.convert import Row, check_import_name, message_rows, profile_address, table_rows
from inspector.core.archive.database import SCHEMA_VERSION, default_path
from inspector.core.archive.query import words_query
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
from inspector.core.archive.search import DEFAULT_LIMIT, Search
from inspector.core.archive.store import Archive
from inspector.core.archive.writer import ArchiveWriter

__all__ = [
    "DEFAULT_LIMIT",
    "IMPORT_PREFIX",
    "IMPORT_TOPIC",
    "SCHEMA_VERSION",
    "Archive",
    "ArchiveDamagedError",
    "ArchiveError",
    "ArchiveStats",
    "ArchiveWriter",
    "ArchivedMessage",
    "ImportResult",
    "PruneResult",
    "Row",
    "Search",
    "StreamStats",
    "TopicRef",
    "check_import_name",
    "default_path",
    "message_rows",
    "profile_address",
    "table_rows",
    "words_query",
]
