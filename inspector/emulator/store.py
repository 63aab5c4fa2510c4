"""The emulator's topics and messages, in SQLite (a file survives restarts; ``:memory:`` does not)."""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from inspector.core.paths import SQLITE_COMPANIONS, private_file
from inspector.core.schema import fieldlist_to_jsonschema, make_validator, violations
from inspector.core.timeparse import format_time

DEFAULT_RETENTION_SECS = 7 * 24 * 3600
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS topics (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    schema TEXT,
    retention INTEGER NOT NULL,
    created_us INTEGER NOT NULL,
    updated_us INTEGER NOT NULL,
    activity_us INTEGER NOT NULL DEFAULT 0,
    counted INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    topic_id INTEGER NOT NULL,
    message_id TEXT NOT NULL UNIQUE,
    time_us INTEGER NOT NULL,
    payload TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_topic_seq ON messages (topic_id, seq);
CREATE INDEX IF NOT EXISTS messages_topic_time ON messages (topic_id, time_us);
"""


@dataclass(frozen=True, slots=True)
class TopicRow:
    id: int
    name: str
    description: str
    schema: list[Any] | None
    retention: int
    created_us: int
    updated_us: int

    def to_json(self, *, include_schema: bool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "retention": self.retention,
            "created_at": _iso(self.created_us),
            "updated_at": _iso(self.updated_us),
        }
        if include_schema:
            data["schema"] = self.schema or []
        return data


@dataclass(frozen=True, slots=True)
class StoredMessage:
    seq: int
    message_id: str
    time_us: int
    payload: str  # compact JSON text

    def to_json_text(self) -> str:
        return (
            f'{{"message_id":{json.dumps(self.message_id)},"payload":{self.payload},'
            f'"time":{json.dumps(_iso(self.time_us))}}}'
        )


def _iso(micros: int) -> str:
    return format_time(datetime.fromtimestamp(micros / 1_000_000, UTC))


def _encode_id(seq: int) -> str:
    digits = ""
    while True:
        seq, rest = divmod(seq, 62)
        digits = _ALPHABET[rest] + digits
        if not seq:
            break
    return "A" + digits + "".join(secrets.choice(_ALPHABET) for _ in range(3))


class Store:
    """All state of the emulator. Thread-safe through one lock (requests are short)."""

    def __init__(self, path: str = ":memory:", *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        if path != ":memory:":
            private_file(Path(path), companions=SQLITE_COMPANIONS)  # 0600, and so its -wal and -shm
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        if path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(topics)")}
        if "counted" not in columns:  # a data file of an earlier build
            self._db.execute("ALTER TABLE topics ADD COLUMN counted INTEGER NOT NULL DEFAULT 0")
        self._validators: dict[int, Any] = {}

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def now_us(self) -> int:
        return int(self._clock() * 1_000_000)

    # ----- topics -------------------------------------------------------------------------------------------
    def _row(self, row: tuple[Any, ...]) -> TopicRow:
        schema = json.loads(row[3]) if row[3] else None
        return TopicRow(row[0], row[1], row[2], schema, row[4], row[5], row[6])

    def get_topic(self, topic_id: int) -> TopicRow | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, name, description, schema, retention, created_us, updated_us FROM topics WHERE id = ?",
                (topic_id,),
            ).fetchone()
        return self._row(row) if row else None

    def list_topics(self, *, name: str | None = None, sort: str = "id") -> list[TopicRow]:
        order = {"id": "id", "name": "name COLLATE NOCASE, id", "activity": "activity_us DESC, id"}[sort]
        sql = "SELECT id, name, description, schema, retention, created_us, updated_us FROM topics"
        args: tuple[Any, ...] = ()
        if name:
            sql += " WHERE instr(name, ?) > 0"
            args = (name,)
        with self._lock:
            rows = self._db.execute(f"{sql} ORDER BY {order}", args).fetchall()
        return [self._row(row) for row in rows]

    def create_topic(
        self,
        name: str,
        *,
        schema: list[Any] | None = None,
        retention: int = DEFAULT_RETENTION_SECS,
        description: str = "",
        topic_id: int | None = None,
        counted: bool = False,
    ) -> TopicRow:
        """A new topic. ``counted``: it counts toward the workspace's limit (``counted_topics``), as the topics
        made through the Developer API do; the topics the emulator starts with (``--topic``, tests) do not."""
        if schema:
            fieldlist_to_jsonschema(schema)
        now = self.now_us()
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO topics (id, name, description, schema, retention, created_us, updated_us, counted)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (topic_id, name, description, json.dumps(schema) if schema else None, retention, now, now, counted),
            )
            new_id = int(cursor.lastrowid or 0)
        found = self.get_topic(new_id)
        assert found is not None
        return found

    def counted_topics(self) -> int:
        """How many topics count toward the workspace's limit (those made through the Developer API)."""
        with self._lock:
            row = self._db.execute("SELECT COUNT(*) FROM topics WHERE counted").fetchone()
        return int(row[0])

    def topic_named(self, name: str) -> TopicRow | None:
        """The topic of this exact name, if any (the one with the lowest id)."""
        with self._lock:
            row = self._db.execute(
                "SELECT id, name, description, schema, retention, created_us, updated_us FROM topics"
                " WHERE name = ? ORDER BY id LIMIT 1",
                (name,),
            ).fetchone()
        return self._row(row) if row else None

    def update_topic(self, topic_id: int, **fields: Any) -> TopicRow | None:
        columns = {"name": "name", "description": "description", "retention": "retention", "schema": "schema"}
        sets, args = [], []
        for key, value in fields.items():
            if key == "schema":
                if value:
                    fieldlist_to_jsonschema(value)
                value = json.dumps(value) if value else None
            sets.append(f"{columns[key]} = ?")
            args.append(value)
        sets.append("updated_us = ?")
        args.append(self.now_us())
        with self._lock:
            cursor = self._db.execute(
                f"UPDATE topics SET {', '.join(sets)} WHERE id = ?",  # noqa: S608 - column names are fixed
                (*args, topic_id),
            )
            self._validators.pop(topic_id, None)
        return self.get_topic(topic_id) if cursor.rowcount else None

    def delete_topic(self, topic_id: int) -> bool:
        with self._lock:
            cursor = self._db.execute("DELETE FROM topics WHERE id = ?", (topic_id,))
            self._db.execute("DELETE FROM messages WHERE topic_id = ?", (topic_id,))
            self._validators.pop(topic_id, None)
        return cursor.rowcount > 0

    def purge_topic(self, topic_id: int) -> None:
        with self._lock:
            self._db.execute("DELETE FROM messages WHERE topic_id = ?", (topic_id,))

    def schema_problems(self, topic: TopicRow, payload: object) -> list[str]:
        """Why ``payload`` does not fit the topic's schema (empty when it does, or when there is none)."""
        if not topic.schema:
            return []
        validator = self._validators.get(topic.id)
        if validator is None:
            validator = self._validators[topic.id] = make_validator(fieldlist_to_jsonschema(topic.schema))
        return [str(v) for v in violations(validator, payload)]

    # ----- messages -----------------------------------------------------------------------------------------
    def publish(self, topic_id: int, payloads: list[str]) -> list[tuple[str, int]]:
        """Append compact JSON payloads in order; returns (message_id, time_us) for each."""
        now = self.now_us()
        out = []
        with self._lock:
            self._db.execute("BEGIN")
            try:
                for payload in payloads:
                    cursor = self._db.execute(
                        "INSERT INTO messages (topic_id, message_id, time_us, payload) VALUES (?, '', ?, ?)",
                        (topic_id, now, payload),
                    )
                    seq = int(cursor.lastrowid or 0)
                    message_id = _encode_id(seq)
                    self._db.execute("UPDATE messages SET message_id = ? WHERE seq = ?", (message_id, seq))
                    out.append((message_id, now))
                self._db.execute("UPDATE topics SET activity_us = ? WHERE id = ?", (now, topic_id))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return out

    def seq_of(self, topic_id: int, message_id: str) -> int | None:
        with self._lock:
            row = self._db.execute(
                "SELECT seq FROM messages WHERE topic_id = ? AND message_id = ?", (topic_id, message_id)
            ).fetchone()
        return int(row[0]) if row else None

    def read(
        self, topic: TopicRow, *, after_seq: int | None = None, since_us: int | None = None, limit: int = 50
    ) -> list[StoredMessage]:
        """Messages in publish order, after a sequence number or a time, within the topic's retention."""
        horizon = self.now_us() - topic.retention * 1_000_000
        sql = "SELECT seq, message_id, time_us, payload FROM messages WHERE topic_id = ? AND time_us >= ?"
        args: list[Any] = [topic.id, horizon]
        if after_seq is not None:
            sql += " AND seq > ?"
            args.append(after_seq)
        if since_us is not None:
            sql += " AND time_us > ?"
            args.append(since_us)
        sql += " ORDER BY seq LIMIT ?"
        args.append(limit)
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        return [StoredMessage(*row) for row in rows]

    def prune(self) -> int:
        """Delete messages older than their topic's retention; returns how many."""
        now = self.now_us()
        with self._lock:
            cursor = self._db.execute(
                "DELETE FROM messages WHERE time_us < ? - 1000000 * "
                "(SELECT retention FROM topics WHERE topics.id = messages.topic_id)",
                (now,),
            )
        return cursor.rowcount

    def count(self, topic_id: int) -> int:
        with self._lock:
            row = self._db.execute("SELECT COUNT(*) FROM messages WHERE topic_id = ?", (topic_id,)).fetchone()
        return int(row[0])
