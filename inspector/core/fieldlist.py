"""Workato field lists as a model: parsed and checked strictly, written back exactly, and payloads checked against
them in words.

A field list is what Workato's Developer API takes as a topic's ``schema``: an array of
``{"name", "type", "optional", "label", "hint", "of", "properties"}`` objects. ``parse_fieldlist`` refuses what
Workato would (bad or duplicate names, unknown types, objects without fields) with the field's number and path:
``field 3 (customer.email): duplicate name 'email'``. ``dump_fieldlist`` gives the very JSON value that was parsed
(the keys in their order, the keys this model does not know kept as they were), so text -> model -> text is exact.

``payload_problems`` checks one payload the way the topic's JSON Schema (``schema.fieldlist_to_jsonschema``) does,
in words a person reads (`` `customer.email` is required``), fast enough for thousands of messages.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from inspector.core.errors import ValidationError
from inspector.core.jsoninput import describe_json_error
from inspector.core.timeparse import parse_time
from inspector.core.validation import counted as _count

SCALAR_TYPES = ("string", "integer", "number", "boolean", "date", "date_time", "timestamp")
FIELD_TYPES = (*SCALAR_TYPES, "object", "array")
ITEM_TYPES = (*SCALAR_TYPES, "object")  # what an array may hold ("of")
KEY_ORDER = ("name", "type", "of", "optional", "label", "hint", "properties")  # of a field this model writes anew
MAX_NAME_CHARS = 255


@dataclass(frozen=True, slots=True)
class Field:
    """One field. ``of`` is the item type of an array (``None``: not given, which means string);
    ``properties`` the fields of an object or of an array's objects.

    ``keys`` is the order of the keys the field was read with (empty for a field made here) and ``extra`` the keys
    this model does not know (``control_type``, ``sticky``...), kept with their values for an exact round trip."""

    name: str
    type: str = "string"
    of: str | None = None
    optional: bool = False
    label: str | None = None
    hint: str | None = None
    properties: tuple[Field, ...] = ()
    extra: tuple[tuple[str, Any], ...] = ()
    keys: tuple[str, ...] = field(default=(), compare=False)

    @property
    def item_type(self) -> str:
        """What an array holds (string when ``of`` is not given)."""
        return self.of or "string"

    @property
    def holds_fields(self) -> bool:
        """An object, or an array of objects: a field whose ``properties`` are its fields."""
        return self.type == "object" or (self.type == "array" and self.of == "object")

    @property
    def type_words(self) -> str:
        """``integer``, ``array of object``: the type as the schema editor and messages show it."""
        return f"array of {self.item_type}" if self.type == "array" else self.type

    def to_json(self) -> dict[str, Any]:
        """The field as the API takes it: the keys it was read with, in their order, then any set since."""
        values: dict[str, Any] = {"name": self.name}
        raw_type = "type" in self.keys or self.type != "string"
        if raw_type:
            values["type"] = self.type
        if self.type == "array" and self.of is not None:
            values["of"] = self.of
        if "optional" in self.keys or self.optional:
            values["optional"] = self.optional
        if self.label is not None:
            values["label"] = self.label
        if self.hint is not None:
            values["hint"] = self.hint
        if self.holds_fields:
            values["properties"] = [child.to_json() for child in self.properties]
        extra = dict(self.extra)
        order = [key for key in self.keys if key in values or key in extra]
        for key in KEY_ORDER:  # a key set since it was read goes after the known keys that come before it
            if key in values and key not in order:
                before = KEY_ORDER[: KEY_ORDER.index(key)]
                spot = max((i + 1 for i, k in enumerate(order) if k in before), default=0)
                order.insert(spot, key)
        order += [key for key in extra if key not in order]
        out = {key: values[key] if key in values else extra[key] for key in order}
        return out


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """What is wrong with one field: ``number`` counts from 1 within its own list; ``path`` is the field's names
    from the top (``customer.email``, ``lines[].qty``), empty when the field has no usable name."""

    number: int
    path: str
    words: str
    parent: str = ""

    def __str__(self) -> str:
        if self.path:
            return f"field {self.number} ({self.path}): {self.words}"
        if self.parent:
            return f"field {self.number} of {self.parent}: {self.words}"
        return f"field {self.number}: {self.words}"


def parse_fieldlist(value: object, *, where: str = "schema") -> tuple[Field, ...]:
    """The model of a field list; raises ``ValidationError`` at ``where`` naming the first bad field."""
    fields, problems = _read_list(value, where)
    if problems:
        first = problems[0]
        more = f" (and {_count(len(problems) - 1, 'more problem')})" if len(problems) > 1 else ""
        raise ValidationError(f"{first}{more}", where=where, hint=_hint_for(first.words))
    return fields


def fieldlist_problems(value: object) -> list[FieldProblem]:
    """Every problem of a field list, in the order of its fields (empty when it is valid)."""
    return _read_list(value, "schema")[1]


def dump_fieldlist(fields: Sequence[Field]) -> list[dict[str, Any]]:
    return [item.to_json() for item in fields]


def fieldlist_text(fields: Sequence[Field]) -> str:
    """The field list as JSON text: two-space indents, one key per line, non-ASCII as is."""
    return json.dumps(dump_fieldlist(fields), indent=2, ensure_ascii=False)


def fieldlist_from_text(text: str, *, where: str = "schema") -> tuple[Field, ...]:
    """Read a field list from JSON text (a file, the editor), in words on any error."""
    body = text.removeprefix("\ufeff")
    if not body.strip():
        raise ValidationError("is empty", where=where, hint='a Workato schema looks like [{"name": "id", ...}]')
    try:
        value = json.loads(body, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"is not valid JSON (line {exc.lineno}, col {exc.colno}: {describe_json_error(exc.msg)})",
            where=where,
            hint="check for a missing comma, quote or bracket near that place",
        ) from None
    except RecursionError:
        raise ValidationError("is nested too deeply to read (about a thousand levels)", where=where) from None
    except ValueError as exc:
        raise ValidationError(str(exc), where=where) from None
    return parse_fieldlist(value, where=where)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")


def _hint_for(words: str) -> str:
    if "unknown type" in words or "unknown array item type" in words:
        return "use one of " + ", ".join(FIELD_TYPES) + " (an array takes 'of': one of " + ", ".join(ITEM_TYPES) + ")"
    if "no fields" in words or "'properties' list" in words:
        return 'give it its fields, as "properties": [{"name": ...}], or make it a string'
    if "must be an object with a 'name'" in words:
        return 'each field is an object such as {"name": "id", "type": "integer"}'
    if "duplicate name" in words:
        return "rename one of the two: names are unique among the fields of one object"
    if "name" in words:
        return "a name is the payload's key: printable text, without spaces around it"
    return ""


# ----- reading ----------------------------------------------------------------------------------------------------
def _read_list(value: object, where: str) -> tuple[tuple[Field, ...], list[FieldProblem]]:
    if not isinstance(value, list):
        raise ValidationError(
            f"must be a list of fields (a JSON array), not {_kind(value)}",
            where=where,
            hint='a Workato schema looks like [{"name": "id", "type": "integer"}, ...]',
        )
    problems: list[FieldProblem] = []
    try:
        fields = _read_fields(value, "", problems)
    except RecursionError:
        raise ValidationError(
            "is nested too deeply (fields within fields, hundreds of levels down)", where=where
        ) from None
    return fields, problems


def _read_fields(items: list[Any], parent: str, problems: list[FieldProblem]) -> tuple[Field, ...]:
    fields: list[Field] = []
    seen: dict[str, int] = {}
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.append(FieldProblem(number, "", f"must be an object with a 'name', not {_kind(item)}", parent))
            continue
        name = item.get("name")
        bad_name = name_problem(name)
        if bad_name:
            problems.append(FieldProblem(number, "", bad_name, parent))
            continue
        assert isinstance(name, str)
        path = f"{parent}.{name}" if parent else name
        if name in seen:
            problems.append(FieldProblem(number, path, f"duplicate name {name!r} (field {seen[name]} has it too)"))
            continue
        seen[name] = number
        built = _read_field(item, name, number, path, problems)
        if built is not None:
            fields.append(built)
    return tuple(fields)


def name_problem(name: object) -> str:
    """Why ``name`` cannot be a field's name ("its name is empty"), or "" when it can."""
    if name is None:
        return "has no 'name'"
    if not isinstance(name, str):
        return f"its 'name' must be text, not {_kind(name)}"
    if not name.strip():
        return "its name is empty" if not name else f"its name {name!r} is only spaces"
    if name != name.strip():
        return f"its name {name!r} starts or ends with a space"
    if not name.isprintable():
        bad = next(char for char in name if not char.isprintable())
        return f"its name {name!r} holds the unprintable character U+{ord(bad):04X}"
    if len(name) > MAX_NAME_CHARS:
        return f"its name is {len(name):,} characters long (at most {MAX_NAME_CHARS})"
    return ""


def _read_field(item: dict[str, Any], name: str, number: int, path: str, problems: list[FieldProblem]) -> Field | None:
    def refuse(words: str) -> None:
        problems.append(FieldProblem(number, path, words))

    before = len(problems)
    kind = item.get("type", "string")
    if not isinstance(kind, str):
        refuse(f"'type' must be text, not {_kind(kind)}")
        return None
    if kind not in FIELD_TYPES:
        refuse(f"unknown type {kind!r}")
        return None
    of = item.get("of") if kind == "array" else None
    if kind == "array" and "of" in item:
        if not isinstance(of, str):
            refuse(f"'of' must be text, not {_kind(of)}")
        elif of not in ITEM_TYPES:
            refuse(f"unknown array item type {of!r}")
    optional = item.get("optional", False)
    if not isinstance(optional, bool):
        refuse(f"'optional' must be true or false, got {optional!r}")
    for key in ("label", "hint"):
        if key in item and not isinstance(item[key], str):
            refuse(f"{key!r} must be text, not {_kind(item[key])}")
    if len(problems) > before:
        return None
    known = {"name", "type", "optional", "label", "hint"}
    properties: tuple[Field, ...] = ()
    if kind == "object" or (kind == "array" and of == "object"):
        known |= {"properties", "of"} if kind == "array" else {"properties"}
        raw = item.get("properties")
        what = "an object" if kind == "object" else "an array of objects"
        if not isinstance(raw, list):
            refuse(f"{what} needs a 'properties' list")
            return None
        if not raw:
            refuse(f"{what} with no fields")
            return None
        properties = _read_fields(raw, path + ("[]" if kind == "array" else ""), problems)
    elif kind == "array":
        known.add("of")
    extra = tuple((key, item[key]) for key in item if key not in known)  # kept as read: "properties" of a string...
    return Field(
        name,
        kind,
        of if isinstance(of, str) else None,
        optional,
        item.get("label"),
        item.get("hint"),
        properties,
        extra,
        tuple(item),
    )


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


# ----- editing ------------------------------------------------------------------------------------------------
def walk(fields: Sequence[Field], parent: str = "") -> Iterator[tuple[str, Field]]:
    """Every field with its path, depth first, in order."""
    for item in fields:
        path = f"{parent}.{item.name}" if parent else item.name
        yield path, item
        if item.holds_fields:
            yield from walk(item.properties, path + ("[]" if item.type == "array" else ""))


def with_type(item: Field, kind: str, of: str | None = None) -> Field:
    """The field with another type (its fields are kept while it still holds fields)."""
    changed = replace(item, type=kind, of=of if kind == "array" else None)
    return changed if changed.holds_fields else replace(changed, properties=())


# ----- checking payloads ----------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PayloadProblem:
    """Why a payload breaks a field list: ``path`` like ``customer.email`` or ``lines[2].qty`` (empty: the payload)."""

    path: str
    words: str

    def __str__(self) -> str:
        return self.words


_JSON_TYPE_WORDS = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false"}


def payload_problems(fields: Sequence[Field], payload: object, *, limit: int = 20) -> list[PayloadProblem]:
    """Why ``payload`` would be refused by a topic with this field list (empty: it would not), at most ``limit``.

    The rules are those of the JSON Schema the API checks (``schema.fieldlist_to_jsonschema``): a field that is
    not optional must be there, null is no value of any type, other keys are allowed."""
    found: list[PayloadProblem] = []
    if not isinstance(payload, dict):
        return [PayloadProblem("", f"the payload is {_kind(payload)}, not a JSON object")]
    try:
        _check_object(fields, payload, "", found, limit)
    except RecursionError:
        return [PayloadProblem("", "the payload is nested too deeply to check")]
    return found


def _check_object(
    fields: Sequence[Field], value: dict[str, Any], parent: str, found: list[PayloadProblem], limit: int
) -> None:
    for item in fields:
        if len(found) >= limit:
            return
        path = f"{parent}.{item.name}" if parent else item.name
        if item.name not in value:
            if not item.optional:
                found.append(PayloadProblem(path, f"`{path}` is required"))
            continue
        _check_value(item, item.type, value[item.name], path, found, limit)


def _check_value(item: Field, kind: str, value: Any, path: str, found: list[PayloadProblem], limit: int) -> None:
    problem = _scalar_problem(kind, value) if kind in SCALAR_TYPES else None
    if kind == "object":
        if isinstance(value, dict):
            _check_object(item.properties, value, path, found, limit)
            return
        problem = f"should be an object, not {_shown(value)}"
    elif kind == "array":
        if isinstance(value, list):
            for index, element in enumerate(value):
                if len(found) >= limit:
                    return
                _check_value(item, item.item_type, element, f"{path}[{index}]", found, limit)
            return
        problem = f"should be an array, not {_shown(value)}"
    if problem:
        found.append(PayloadProblem(path, f"`{path}` {problem}"))


def _scalar_problem(kind: str, value: Any) -> str | None:
    if kind == "string":
        ok = isinstance(value, str)
    elif kind == "integer":
        ok = _is_integer(value)
    elif kind == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif kind == "boolean":
        ok = isinstance(value, bool)
    else:  # date, date_time, timestamp
        what = "date" if kind == "date" else "date-time"
        if not isinstance(value, str):
            return f"should be a {what} in text, not {_shown(value)}"
        try:
            date.fromisoformat(value) if kind == "date" else parse_time(value)
        except ValueError:  # ValidationError is one
            return f"is not a valid {what}: {_shown(value)}"
        return None
    return None if ok else f"should be {_JSON_TYPE_WORDS[kind]}, not {_shown(value)}"


def _is_integer(value: Any) -> bool:
    kind = type(value)
    return kind is int or (kind is float and value.is_integer()) or (isinstance(value, int) and kind is not bool)


def _shown(value: Any) -> str:
    """A value as a message quotes it: its JSON kind and a short excerpt."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return f"text {json.dumps(text, ensure_ascii=False)}"
    if isinstance(value, int | float):
        text = repr(value)
        return f"the number {text if len(text) <= 40 else text[:37] + '...'}"
    return _kind(value)
