"""Checks made before anything is sent, each with a message that says what, where and how to fix it."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from inspector.core import later
from inspector.core.errors import ValidationError

if TYPE_CHECKING:
    from datetime import datetime

MAX_BODY_BYTES = 1024 * 1024  # the API's 1 MB limit on a request body
MAX_BATCH_ITEMS = 100
MAX_CONSUME_BATCH = 50
MAX_WAIT_SECS = 60
MAX_TOPIC_ID = 2**63 - 1  # a signed 64-bit integer: what the API's ids (and SQLite's integers) hold


# One encoder for every payload: json.dumps with options builds a new one per call, a cost per published item.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def encode_json(value: Any) -> bytes:
    """The exact bytes sent for a JSON value: compact, UTF-8."""
    return _ENCODER.encode(value).encode()


def counted(count: int, word: str, plural: str | None = None) -> str:
    """``1 message``, ``2 messages``, ``1,024 messages`` (``plural`` when the word does not just take an "s")."""
    return f"{count:,} {word if count == 1 else plural or word + 's'}"


def human_bytes(size: int) -> str:
    if size < 1024:
        return "1 byte" if size == 1 else f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.2f} MB"


def check_topic_id(topic_id: object, *, where: str = "topic") -> int:
    """Topic ids are positive integers; accept an int or a string of digits."""
    if isinstance(topic_id, bool):
        value = None
    elif isinstance(topic_id, int):
        value = topic_id
    elif isinstance(topic_id, str) and topic_id.strip().isdigit() and topic_id.strip().isascii():
        digits = topic_id.strip()
        # Past 19 digits it cannot be an id (and past 4300, int() itself refuses with a ValueError of its own).
        value = int(digits) if len(digits) <= 19 else MAX_TOPIC_ID + 1
    else:
        value = None
    if value is None or value <= 0:
        raise ValidationError(
            f"{_shown(topic_id)} is not a topic id",
            where=where,
            hint="a topic id is a positive whole number, as shown in the topic's URL in Workato",
        )
    if value > MAX_TOPIC_ID:
        raise ValidationError(
            f"{_shown(topic_id)} is too large for a topic id",
            where=where,
            hint="a topic id is a positive whole number of at most 19 digits, as shown in the topic's URL in Workato",
        )
    return value


def _shown(value: object) -> str:
    """A value for a message, shortened: repr() of an int of over 4300 digits raises ValueError."""
    if isinstance(value, str) and len(value) > 40:
        return f"{value[:20]!r}… ({len(value)} characters)"
    if isinstance(value, int) and value.bit_length() > 128:
        return f"a number of {value.bit_length()} bits"
    return repr(value)


def encode_payload(payload: object, *, where: str = "payload") -> bytes:
    """Check one message payload (a JSON object within 1 MB) and return its encoded bytes."""
    if not isinstance(payload, dict):
        raise ValidationError(
            f"must be a JSON object, got {json_type(payload)}",
            where=where,
            hint='wrap the value in an object, for example {"value": ...}',
        )
    try:
        body = encode_json(payload)
    except RecursionError:
        raise ValidationError(
            "is nested too deeply to process (about a thousand levels of arrays and objects)",
            where=where,
            hint="flatten the payload",
        ) from None
    except UnicodeEncodeError as exc:  # a lone surrogate, from a "\ud800" escape: valid JSON text, not UTF-8
        char = exc.object[exc.start : exc.end] if isinstance(exc.object, str) else ""
        raise ValidationError(
            f"cannot be encoded as UTF-8: it holds a lone surrogate {char!r} (half of a \\uXXXX pair)",
            where=where,
            hint="remove that escape, or complete the pair (e.g. \\ud83d\\ude00)",
        ) from None
    except ValueError as exc:  # allow_nan=False: NaN or an infinity (a number like 1e999 is read as one)
        raise ValidationError(
            f"cannot be encoded as JSON: it holds NaN or Infinity, which JSON has no way to write ({exc})",
            where=where,
            hint="use a finite number, or null; a number such as 1e999 is too large and reads as Infinity",
        ) from None
    except TypeError as exc:
        raise ValidationError(f"cannot be encoded as JSON ({exc})", where=where) from None
    if len(body) > MAX_BODY_BYTES:
        over = len(body) - MAX_BODY_BYTES
        raise ValidationError(
            f"is {human_bytes(len(body))}, {human_bytes(over)} over the 1 MB limit",
            where=where,
            hint="make the message smaller or split it into several messages",
        )
    return body


def json_kind(value: object) -> str:
    """The JSON name of a decoded value's type: null, boolean, number, string, array or object."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def json_type(value: object) -> str:
    """The same with an article, for messages: "got an array"."""
    kind = json_kind(value)
    if kind == "null":
        return kind
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


def check_batch(payloads: Sequence[object]) -> list[bytes]:
    """Check a list for one batch request (1..100 objects, body within 1 MB); return each item's bytes."""
    if not isinstance(payloads, list | tuple):
        raise ValidationError(f"must be a list of objects, got {json_type(payloads)}", where="payloads")
    if not 1 <= len(payloads) <= MAX_BATCH_ITEMS:
        raise ValidationError(
            f"has {len(payloads)} items; a batch takes 1 to {MAX_BATCH_ITEMS}",
            where="payloads",
            hint="the publisher splits longer lists into ordered chunks of 100",
        )
    encoded = [encode_payload(item, where=f"item {index}") for index, item in enumerate(payloads)]
    size = batch_body_size(encoded)
    if size > MAX_BODY_BYTES:
        raise ValidationError(
            f"the batch body is {human_bytes(size)}, {human_bytes(size - MAX_BODY_BYTES)} over the 1 MB limit",
            where="payloads",
            hint="send fewer items per batch",
        )
    return encoded


def batch_body_size(encoded: Sequence[bytes]) -> int:
    """Size of ``{"payloads":[...]}`` built from already encoded items."""
    return len(b'{"payloads":[]}') + sum(len(item) for item in encoded) + max(len(encoded) - 1, 0)


def batch_body(encoded: Sequence[bytes]) -> bytes:
    return b'{"payloads":[' + b",".join(encoded) + b"]}"


def chunk_encoded(encoded: Sequence[bytes], *, max_items: int = MAX_BATCH_ITEMS) -> Iterator[range]:
    """Split encoded items, in order, into index ranges that each fit one batch request (count and bytes)."""
    start = 0
    size = len(b'{"payloads":[]}')
    for index, item in enumerate(encoded):
        added = len(item) + (1 if index > start else 0)
        if index > start and (index - start >= max_items or size + added > MAX_BODY_BYTES):
            yield range(start, index)
            start, size, added = index, len(b'{"payloads":[]}'), len(item)
        size += added
    if start < len(encoded):
        yield range(start, len(encoded))


def consume_body(
    *,
    after_message_id: str | None = None,
    since_time: datetime | str | None = None,
    batch_size: int = MAX_CONSUME_BATCH,
    timeout_secs: int = 0,
) -> dict[str, Any]:
    """Check consume options and build the request body."""
    if after_message_id is not None and since_time is not None:
        raise ValidationError(
            "after_message_id and since_time cannot be used together",
            where="consume",
            hint="give a message id to continue after it, or a time to start from, not both",
        )
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or not 1 <= batch_size <= MAX_CONSUME_BATCH:
        raise ValidationError(f"is {batch_size!r}; it must be 1 to {MAX_CONSUME_BATCH}", where="batch_size")
    if isinstance(timeout_secs, bool) or not isinstance(timeout_secs, int) or not 0 <= timeout_secs <= MAX_WAIT_SECS:
        raise ValidationError(f"is {timeout_secs!r}; it must be 0 to {MAX_WAIT_SECS} seconds", where="timeout_secs")
    body: dict[str, Any] = {"batch_size": batch_size, "timeout_secs": timeout_secs}
    if after_message_id is not None:
        if not isinstance(after_message_id, str) or not after_message_id.strip():
            raise ValidationError("must be a non-empty message id", where="after_message_id")
        body["after_message_id"] = after_message_id
    if since_time is not None:
        moment = since_time
        if isinstance(moment, str):
            moment = later.timeparse.parse_time(moment, where="since_time")
        if moment.tzinfo is None:
            raise ValidationError("needs a time zone", where="since_time", hint="add Z for UTC")
        body["since_time"] = moment.isoformat()
    return body
