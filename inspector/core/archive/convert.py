"""Messages as the archive stores them: ``(message_id, time_text, time_us, payload_text)``, from a tail's
``Message``, a row of the window's table, or an exported (or customer's) file."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from inspector.core import later
from inspector.core.errors import InspectorError, ValidationError
from inspector.core.export import import_file as read_export
from inspector.core.models import Message
from inspector.core.profiles import Profile
from inspector.core.rows import MESSAGE_ID, TEXT, TIME_TEXT, TIMESTAMP, RawRow, compact_json
from inspector.core.timeparse import format_time, parse_time

Row = tuple[str, str, int, str]  # message_id, time as the server wrote it, time in microseconds, payload JSON
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SURROGATE = re.compile("[\ud800-\udfff]")
_NAME = re.compile(r"^[^\x00-\x1f\x7f-\x9f]{1,64}$")


def micros(moment: datetime) -> int:
    """An aware datetime as whole microseconds since the epoch."""
    return (moment - _EPOCH) // timedelta(microseconds=1)


def now_us() -> int:
    return micros(datetime.now(UTC))


def message_rows(messages: Iterable[Message]) -> list[Row]:
    return [(m.message_id, m.time_rfc3339, micros(m.time), compact_json(m.payload)) for m in messages]


def table_rows(rows: Iterable[RawRow]) -> list[Row]:
    """Rows of the window's table (their payload already JSON text: nothing is encoded again)."""
    return [(r[MESSAGE_ID], r[TIME_TEXT], round(r[TIMESTAMP] * 1_000_000), r[TEXT]) for r in rows]


def cleaned(row: Row) -> Row:
    """A row SQLite can store as UTF-8: a lone surrogate (valid JSON as "\\udc80") written as that escape."""
    message_id, time_text, time_us, text = row

    def escape(match: re.Match[str]) -> str:
        return f"\\u{ord(match.group()):04x}"

    return (
        _SURROGATE.sub(escape, message_id),
        _SURROGATE.sub(escape, time_text),
        time_us,
        _SURROGATE.sub(escape, text),
    )


def check_import_name(name: str) -> str:
    """The name an import is kept under (``import:<name>``): 1 to 64 printable characters."""
    text = name.strip() if isinstance(name, str) else ""
    if not _NAME.match(text):
        raise ValidationError(
            "must be 1 to 64 printable characters",
            where="import name",
            hint="name the import after its source, such as 'customer-2024-05-01'",
        )
    return text


def file_rows(path: Path, *, now: datetime | None = None) -> list[Row]:
    """The messages of a JSON Lines or JSON file (the app's export, ``consume``'s output, or bare payloads).

    An exported record keeps its id and time; a bare payload gets an id made of its content (so importing the
    same file again adds nothing) and the import's time."""
    items = read_export(path)
    moment = now or datetime.now(UTC)
    seen: dict[str, int] = {}
    rows: list[Row] = []
    for number, item in enumerate(items, start=1):
        text = compact_json(item.payload)
        if item.source_id is not None and item.source_time is not None:
            when = parse_time(item.source_time, where=f"{path}: item {number} time")
            rows.append((item.source_id, item.source_time, micros(when), text))
            continue
        digest = later.hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]
        seen[digest] = seen.get(digest, 0) + 1
        suffix = f"#{seen[digest]}" if seen[digest] > 1 else ""
        rows.append((f"sha256:{digest}{suffix}", format_time(moment), micros(moment), text))
    return rows


def profile_address(profile: Profile) -> str:
    """Where a profile's topics live, as the archive files them: its events URL (two profiles of the same address
    share their archive; renaming a profile keeps it)."""
    try:
        return profile.endpoint().events_url
    except InspectorError:  # a profile file edited by hand: still one address per text given
        return f"{profile.region}:{profile.base_url or ''}"
