"""The row layout the message table and the filters share: one received message as an exact tuple.

Exact tuples of strings and numbers are not tracked by the garbage collector, so the 100,000 rows of a full table
add nothing to the pauses of its full collections (a NamedTuple would stay tracked: ~60 ms more per collection).
Code that reads raw rows reads them by the index constants below; ``Row`` is the named view of one.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Final, NamedTuple

import orjson

from inspector.core.models import JsonObject, Message

# The fields of a raw row, in ``Row``'s order (Final: a type checker knows each field's type by its index).
SEQ: Final = 0
MESSAGE_ID: Final = 1
TIMESTAMP: Final = 2
TEXT: Final = 3
SIZE: Final = 4
TIME_TEXT: Final = 5
RawRow = tuple[int, str, float, str, int, str]


class Row(NamedTuple):
    """One received message, kept compact: the payload as its JSON text, parsed again only when needed."""

    seq: int  # its number in arrival order, from 0
    message_id: str
    timestamp: float  # the time, as seconds since the epoch (what the table formats for people)
    text: str  # the payload as compact JSON
    size: int  # bytes of ``text`` in UTF-8
    time_text: str  # the time as the server wrote it: what an export writes, as ``consume`` does

    @property
    def time(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp, UTC)

    @property
    def payload(self) -> JsonObject:
        value: JsonObject = json.loads(self.text)
        return value

    def message(self) -> Message:
        """The message again, with the server's time text: it exports as ``consume`` writes it."""
        return Message(self.message_id, self.time, self.payload, self.time_text)


def make_row(seq: int, message: Message) -> RawRow:
    text = compact_json(message.payload)
    # surrogatepass: a lone surrogate (valid JSON as a "\ud800" escape) counts its 3 bytes instead of raising
    size = len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
    return (seq, message.message_id, message.time.timestamp(), text, size, message.time_rfc3339)


def compact_json(value: Any) -> str:
    """Compact JSON text, UTF-8 characters kept; orjson is ~9x faster than json at this, which the table's
    ingest rate shows. Integers beyond 64 bits (which orjson refuses) go through json."""
    try:
        return orjson.dumps(value).decode()
    except (orjson.JSONEncodeError, TypeError):
        try:
            return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        except RecursionError:
            return '{"(not shown)":"this payload is nested too deeply to show"}'
