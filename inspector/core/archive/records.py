"""What the archive gives back: archived messages, where they came from, figures, and its errors."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from inspector.core.errors import InspectorError
from inspector.core.models import JsonObject, Message
from inspector.core.rows import RawRow

IMPORT_PREFIX = "import:"  # the profile address of a file imported into the archive: "import:<name>"
IMPORT_TOPIC = 0  # the topic id of an import (no real topic has id 0)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class ArchiveError(InspectorError):
    """The archive cannot do what was asked (its folder cannot be written, it is busy too long)."""


class ArchiveDamagedError(ArchiveError):
    """The archive file was found damaged while reading: it was set aside and a new one started (``notice``)."""


@dataclass(frozen=True, slots=True)
class TopicRef:
    """Which messages a search or a forget is about: a topic of one profile, every topic of a profile
    (``topic`` None) or a topic id at any profile (``profile`` None). ``profile`` is a profile's address
    (``address_of``) or ``import:<name>``."""

    profile: str | None = None
    topic: int | None = None


@dataclass(frozen=True, slots=True)
class ArchivedMessage:
    """One message as the archive keeps it. ``key`` is its place in arrival order (``older_than`` takes it)."""

    key: int
    profile: str  # the profile's address, or import:<name>
    topic: int
    message_id: str
    time_text: str  # the time as the server wrote it
    time_us: int  # the time, in microseconds since the epoch (UTC)
    received_us: int  # when the app received (or imported) it
    text: str  # the payload as compact JSON

    @property
    def timestamp(self) -> float:
        """The time in seconds since the epoch, as the table's rows keep it."""
        return self.time_us / 1_000_000

    @property
    def time(self) -> datetime:
        return _EPOCH + timedelta(microseconds=self.time_us)

    @property
    def received(self) -> datetime:
        return _EPOCH + timedelta(microseconds=self.received_us)

    @property
    def payload(self) -> JsonObject:
        value: JsonObject = json.loads(self.text)
        return value

    def message(self) -> Message:
        """The message again, with the server's time text: it exports as ``consume`` writes it."""
        return Message(self.message_id, self.time, self.payload, self.time_text)

    def raw_row(self, seq: int) -> RawRow:
        """The message as a row of the window's table (``inspector.core.rows``), numbered ``seq``."""
        size = len(self.text) if self.text.isascii() else len(self.text.encode("utf-8", "surrogatepass"))
        return (seq, self.message_id, self.timestamp, self.text, size, self.time_text)

    def document(self) -> dict[str, Any]:
        """What a JMESPath condition reads, as the window's filter builds it: ``{message_id, time, payload}``."""
        return {"message_id": self.message_id, "time": self.time.isoformat(), "payload": self.payload}


@dataclass(frozen=True, slots=True)
class StreamStats:
    """One topic's part of the archive."""

    profile: str
    topic: int
    messages: int
    first_received_us: int
    last_received_us: int


@dataclass(frozen=True, slots=True)
class ArchiveStats:
    path: str
    file_bytes: int  # the database file and its write-ahead log
    used_bytes: int  # what the database's pages in use hold (the size cap is measured so)
    messages: int
    topics: list[StreamStats] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "bytes": self.file_bytes,
            "used_bytes": self.used_bytes,
            "messages": self.messages,
            "topics": [
                {
                    "profile": s.profile,
                    "topic": s.topic,
                    "messages": s.messages,
                    "first_received": _iso(s.first_received_us),
                    "last_received": _iso(s.last_received_us),
                }
                for s in self.topics
            ],
        }


@dataclass(frozen=True, slots=True)
class PruneResult:
    removed_by_age: int
    removed_by_size: int
    used_bytes_before: int
    used_bytes_after: int

    @property
    def removed(self) -> int:
        return self.removed_by_age + self.removed_by_size

    def to_json(self) -> dict[str, Any]:
        return {
            "removed": self.removed,
            "removed_by_age": self.removed_by_age,
            "removed_by_size": self.removed_by_size,
            "used_bytes_before": self.used_bytes_before,
            "used_bytes_after": self.used_bytes_after,
        }


@dataclass(frozen=True, slots=True)
class ImportResult:
    profile: str  # import:<name>
    added: int
    duplicates: int  # already in the archive under that name (the same file imported again)

    def to_json(self) -> dict[str, Any]:
        return {"profile": self.profile, "topic": IMPORT_TOPIC, "added": self.added, "duplicates": self.duplicates}


def _iso(microseconds: int) -> str:
    return (_EPOCH + timedelta(microseconds=microseconds)).isoformat()
