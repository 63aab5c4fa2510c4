"""Exporting received messages to a file, and reading files back for publishing or replay.

JSON Lines is the faithful format: each line is exactly what ``topic-inspector consume`` prints for the message
(``message_line``), so ``consume > file.jsonl`` and an export from the window agree byte for byte, and an
exported file imports back to the same payloads, ids and times. JSON is the same records as one indented array.
Both write DEL, C1, bidi controls and lone surrogates as ``\\uXXXX`` escapes (``terminal.escape_json``): valid
JSON that decodes to the same values, safe to print in a terminal. ``consume --format`` writes with this module.
CSV is for spreadsheets: one row per message, the payload flattened to dotted paths; it is not read back. Every
cell is quoted, a text cell that a spreadsheet would run as a formula gets a leading ``'``, and controls other
than tabs and line breaks are written as visible escapes such as ``\\x1b`` (``_text_cell``).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspector.core.errors import ValidationError
from inspector.core.jsoninput import parse_publish_input
from inspector.core.models import Message
from inspector.core.paths import atomic_write, read_text_file
from inspector.core.terminal import dumps, escape_json, escape_text

FORMATS = ("jsonl", "json", "csv")

_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json", ".csv": "csv"}
_RECORD_KEYS = frozenset({"message_id", "time", "payload"})
_FIXED_COLUMNS = ("message_id", "time")
# A cell starting with one of these is a formula to a spreadsheet (OWASP, "CSV Injection"). A NUL (ASVS 1.2.10)
# never starts a cell: _text_cell writes it as "\\x00".
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

_Path = tuple[str | int, ...]


# ----- export -----------------------------------------------------------------------------------------------
def message_record(message: Message) -> dict[str, Any]:
    """The message as an export record: the server's own spelling of the time when known."""
    return message.to_json()


def message_line(message: Message) -> str:
    """One JSON Lines line without its ``\\n``: the same text the CLI's ``consume`` prints. Compact UTF-8 JSON;
    DEL, C1, bidi controls and lone surrogates as ``\\uXXXX`` escapes, so it is safe in a terminal and valid UTF-8.
    """
    return escape_json(message.to_json_line())


def _check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValidationError(
            f"unknown export format {fmt!r}",
            where="format",
            hint=f"use one of: {', '.join(FORMATS)}",
        )
    return fmt


def _text_cell(text: str) -> str:
    """A text cell a spreadsheet shows as text: a leading ``'`` when it would start a formula (OWASP's advice).
    Controls but tabs and line breaks as visible escapes: safe to print, and no spreadsheet shows them anyway."""
    text = escape_text(text, keep_lines=True)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return _text_cell(value)
    text = json.dumps(value, ensure_ascii=False)  # numbers and booleans as JSON writes them; {} and []
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return text  # a number stays a number: -5 is the number -5 to a spreadsheet, not a formula
    return _text_cell(text)  # -Infinity (Python's JSON reads it) is not a number to a spreadsheet


def _flatten(value: Any, path: _Path, out: dict[_Path, str]) -> None:
    if isinstance(value, dict) and value:
        for key, child in value.items():
            _flatten(child, (*path, key), out)
    elif isinstance(value, list) and value:
        for index, child in enumerate(value):
            _flatten(child, (*path, index), out)
    elif path:  # an empty payload has no columns
        out[path] = _cell(value)


def _header(path: _Path) -> str:
    name = ".".join(str(part) for part in path)
    # A payload's own top-level "time" or "message_id" must not read as the message's.
    return f"payload.{name}" if name in _FIXED_COLUMNS else _text_cell(name)


def _csv_text(messages: Iterable[Message]) -> str:
    rows: list[tuple[Message, dict[_Path, str]]] = []
    columns: dict[_Path, None] = {}  # an ordered set: first seen first
    for message in messages:
        cells: dict[_Path, str] = {}
        _flatten(message.payload, (), cells)
        columns.update(dict.fromkeys(cells))
        rows.append((message, cells))
    buffer = io.StringIO(newline="")
    # Every cell quoted (OWASP): a spreadsheet that splits at ";" or a tab cannot cut a cell into a formula.
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    # Columns are told apart by their path, not their name: a key "a.b" and a nested "a" -> "b" both read
    # "a.b" in the header but keep their own columns, so no value is lost.
    writer.writerow([*_FIXED_COLUMNS, *(_header(path) for path in columns)])
    for message, cells in rows:
        record = message_record(message)
        fixed = [_text_cell(record["message_id"]), _text_cell(record["time"])]
        writer.writerow([*fixed, *(cells.get(path, "") for path in columns)])
    return buffer.getvalue()


def export_messages(messages: Iterable[Message], fmt: str) -> bytes:
    """The messages in ``fmt`` (one of ``FORMATS``) as the bytes of a file, UTF-8."""
    _check_format(fmt)
    if fmt == "jsonl":
        return "".join(message_line(message) + "\n" for message in messages).encode("utf-8")
    if fmt == "json":
        return (dumps([message_record(message) for message in messages], indent=2) + "\n").encode("utf-8")
    # A byte order mark, so spreadsheets read the file as UTF-8. Text cells hold no lone surrogate (_text_cell
    # writes one as a visible \udXXX, so it cannot fail the export).
    return ("\ufeff" + _csv_text(messages)).encode("utf-8")


def format_for_path(path: Path) -> str:
    """The export format a file name asks for, from its suffix."""
    fmt = _SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise ValidationError(
            f"cannot tell the export format from the file name suffix {path.suffix or '(none)'!r}",
            where=str(path),
            hint="name the file .jsonl, .ndjson, .json or .csv, or choose a format",
        )
    return fmt


def export_to_file(messages: Iterable[Message], path: Path, fmt: str | None = None) -> int:
    """Write the messages to ``path`` atomically; the format comes from the suffix unless given. The count."""
    chosen = _check_format(fmt) if fmt is not None else format_for_path(path)
    listed = list(messages)
    data = export_messages(listed, chosen)  # before touching the file: a refused export leaves it as it was
    try:
        atomic_write(path, data)
    except OSError as exc:
        raise ValidationError(
            f"cannot write the file ({exc.strerror or exc})",
            where=str(path),
            hint="choose a folder you can write to",
        ) from None
    return len(listed)


# ----- import -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ImportedItem:
    """One payload read from a file; ``source_id`` and ``source_time`` when it came from an exported record."""

    payload: dict[str, Any]
    source_id: str | None
    source_time: str | None


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def _item(entry: Any, where: str) -> ImportedItem:
    if not isinstance(entry, dict):
        raise ValidationError(
            f"is {_kind(entry)}, not a JSON object",
            where=where,
            hint="each entry must be a payload object or an exported record",
        )
    if entry.keys() != _RECORD_KEYS:
        return ImportedItem(entry, None, None)
    payload, message_id, time = entry["payload"], entry["message_id"], entry["time"]
    if not isinstance(payload, dict):
        raise ValidationError(
            f"is an exported record whose payload is {_kind(payload)}, not a JSON object",
            where=where,
            hint="a message's payload is always a JSON object",
        )
    for key, value in (("message_id", message_id), ("time", time)):
        if not isinstance(value, str):
            raise ValidationError(
                f"is an exported record whose {key} is {_kind(value)}, not a string",
                where=where,
            )
    return ImportedItem(payload, message_id, time)


def import_items(text: str, *, source: str = "file") -> list[ImportedItem]:
    """Read JSON Lines, a JSON array or one object: exported records or bare payload objects.

    An exported record is an object with exactly the keys ``message_id``, ``time`` and ``payload``; any other
    object is a payload. Syntax errors are ``JsonSyntaxError`` with the line and column; an entry that is not
    an object is named by its 0-based ``item N`` (and its line, for JSON Lines).
    """
    parsed = parse_publish_input(text, source=source)
    if parsed.form == "JSON Lines":
        # The same split parse_publish_input uses: the n-th entry came from the n-th non-blank line.
        body = text.removeprefix("\ufeff")
        numbers = [n for n, line in enumerate(body.split("\n"), start=1) if line.strip()]
        places = [f"{source}: item {index} (line {number})" for index, number in enumerate(numbers)]
    else:
        places = [f"{source}: item {index}" for index in range(len(parsed.items))]
    return [_item(entry, place) for entry, place in zip(parsed.items, places, strict=True)]


def import_file(path: Path) -> list[ImportedItem]:
    """Read a JSON Lines or JSON file (UTF-8, with or without a byte order mark) for publishing or replay."""
    if path.suffix.lower() == ".csv":
        raise ValidationError(
            "a CSV export cannot be read back: it does not keep the payloads' JSON types",
            where=str(path),
            hint="export as JSON Lines (.jsonl) or JSON (.json) to replay messages",
        )
    return import_items(read_text_file(path), source=str(path))
