"""Infer a Workato field list from example payloads: types merged across messages, missing fields optional.

Rules, in the order fields were first seen (the same payloads always give the same list):

- integer and number merge to number; text that is an ISO date (``2024-05-01``) is a date, an RFC 3339 time a
  date_time, and a field that is sometimes one and sometimes other text is a string;
- a field missing from some of the objects that could hold it is optional;
- other mixes (a number here, text there) are said in a note, and the broadest type is chosen: string beats
  everything (the messages whose value is not text would then be refused, which the note says too);
- objects and arrays of objects are inferred field by field; null, empty objects, arrays of arrays and keys that
  cannot be field names are said in a note.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from inspector.core.errors import ValidationError
from inspector.core.fieldlist import Field, name_problem
from inspector.core.timeparse import parse_time

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?([Zz]|[+-][0-9]{2}:?[0-9]{2})"
)
_TEXT_KINDS = {"string", "date", "date_time"}


@dataclass(frozen=True, slots=True)
class Inferred:
    """The field list and the notes on what could not be said exactly (each names the field's path)."""

    fields: tuple[Field, ...]
    notes: tuple[str, ...]
    messages: int


@dataclass
class _Shape:
    """What was seen of one field: in how many of its parents it was present, each kind how often, and for
    objects (or arrays of objects) the shapes of their keys."""

    present: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    children: dict[str, _Shape] = field(default_factory=dict)
    objects: int = 0  # how many objects were seen here (the parents of ``children``)
    items: _Shape | None = None  # the shape of an array's items


def infer_fieldlist(payloads: Iterable[object], *, where: str = "input") -> Inferred:
    """The field list that every payload fits, as far as Workato's types can say it, with the notes."""
    root = _Shape()
    count = 0
    try:
        for number, payload in enumerate(payloads, start=1):
            if not isinstance(payload, dict):
                raise ValidationError(
                    f"item {number} is {_kind_words(payload)}, not a JSON object",
                    where=where,
                    hint="each message payload is a JSON object, one per line in JSON Lines",
                )
            count += 1
            _see_object(root, payload)
        if not count:
            raise ValidationError("holds no messages to infer a schema from", where=where)
        notes: list[str] = []
        fields = _fields(root, "", notes)
    except RecursionError:
        raise ValidationError("is nested too deeply to infer a schema (hundreds of levels)", where=where) from None
    return Inferred(fields, tuple(notes), count)


# ----- seeing -------------------------------------------------------------------------------------------------
def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        if _DATE.fullmatch(value):
            try:
                date.fromisoformat(value)
                return "date"
            except ValueError:
                return "string"
        if _DATE_TIME.fullmatch(value):
            try:
                parse_time(value)
                return "date_time"
            except ValueError:
                return "string"
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _see_object(shape: _Shape, value: dict[str, Any]) -> None:
    shape.objects += 1
    for key, child in value.items():
        sub = shape.children.get(key)
        if sub is None:
            sub = shape.children[key] = _Shape()
        sub.present += 1
        _see_value(sub, child)


def _see_value(shape: _Shape, value: Any) -> None:
    kind = _kind(value)
    shape.kinds[kind] = shape.kinds.get(kind, 0) + 1
    if kind == "object":
        _see_object(shape, value)
    elif kind == "array":
        if shape.items is None:
            shape.items = _Shape()
        for element in value:
            shape.items.present += 1
            _see_value(shape.items, element)


# ----- deciding -----------------------------------------------------------------------------------------------
def _fields(shape: _Shape, parent: str, notes: list[str]) -> tuple[Field, ...]:
    out = []
    for name, sub in shape.children.items():
        path = f"{parent}.{name}" if parent else name
        problem = name_problem(name)
        if problem:
            notes.append(
                f"the key {name!r}{f' in {parent}' if parent else ''} is left out: {problem.removeprefix('its ')}"
            )
            continue
        made = _field(name, sub, path, notes)
        if made is None:
            continue
        if sub.present < shape.objects or "null" in sub.kinds:
            made = Field(made.name, made.type, made.of, True, properties=made.properties)
        out.append(made)
    return tuple(out)


def _field(name: str, shape: _Shape, path: str, notes: list[str]) -> Field | None:
    kinds = {kind: n for kind, n in shape.kinds.items() if kind != "null"}
    nulls = shape.kinds.get("null", 0)
    if nulls:
        notes.append(
            f"`{path}` is null {_times(nulls)}: Workato's types have no null, so those messages would be "
            "refused (made optional: leave the key out instead of sending null)"
        )
    if not kinds:
        notes.append(f"`{path}` was never anything but null: typed string")
        return Field(name)
    kind = _decide(kinds, path, notes)
    if kind == "object":
        fields = _fields(shape, path, notes)
        if not fields:
            notes.append(f"`{path}` is an empty object in every message: left out (a Workato object needs fields)")
            return None
        return Field(name, "object", properties=fields)
    if kind == "array":
        return _array(name, shape.items or _Shape(), path, notes)
    return Field(name, kind)


def _array(name: str, items: _Shape, path: str, notes: list[str]) -> Field:
    kinds = {kind: n for kind, n in items.kinds.items() if kind != "null"}
    where = f"{path}[]"
    if items.kinds.get("null"):
        notes.append(f"`{where}` holds null {_times(items.kinds['null'])}: those messages would be refused")
    if not kinds:
        notes.append(f"`{path}` was always an empty array: typed array of string")
        return Field(name, "array", "string")
    kind = _decide(kinds, where, notes)
    if kind == "array":
        notes.append(f"`{path}` holds arrays, which a Workato array cannot: typed array of string")
        return Field(name, "array", "string")
    if kind == "object":
        fields = _fields(items, where, notes)
        if not fields:
            notes.append(f"`{path}` holds only empty objects: typed array of string (a Workato object needs fields)")
            return Field(name, "array", "string")
        return Field(name, "array", "object", properties=fields)
    return Field(name, "array", kind)


def _decide(kinds: dict[str, int], path: str, notes: list[str]) -> str:
    """One type for the kinds seen: numbers merge, dates and text merge to text, any other mix is text, said."""
    seen = set(kinds)
    if len(seen) == 1:
        return next(iter(seen))
    if seen == {"integer", "number"}:
        return "number"
    if seen <= _TEXT_KINDS:
        mix = ", ".join(f"{_type_words(kind)} {_times(n)}" for kind, n in kinds.items())
        notes.append(f"`{path}` is not always a date or a date-time ({mix}): typed string")
        return "string"
    mix = ", ".join(f"{_type_words(kind)} {_times(n)}" for kind, n in kinds.items())
    notes.append(
        f"`{path}` has mixed types ({mix}): typed string, the broadest; the messages where it is not text would "
        "be refused"
    )
    return "string"


def _type_words(kind: str) -> str:
    return {
        "integer": "a whole number",
        "number": "a number",
        "boolean": "true/false",
        "date": "a date",
        "date_time": "a date-time",
        "string": "text",
        "object": "an object",
        "array": "an array",
    }[kind]


def _times(count: int) -> str:
    return "once" if count == 1 else "twice" if count == 2 else f"{count:,} times"


def _kind_words(value: object) -> str:
    kind = _kind(value)
    return {"null": "null", "array": "an array"}.get(kind, f"{_type_words(kind)}")


def infer_from_messages(payloads: Sequence[object]) -> Inferred:
    """``infer_fieldlist`` over the payloads of messages (the window's selection)."""
    return infer_fieldlist(payloads, where="the selected messages")
