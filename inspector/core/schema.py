"""Workato's field-list schemas: checked, converted to JSON Schema, used to validate and to build examples.

A field list is an array of ``{"name", "type", "optional", "properties" | "of", ...}`` objects. Types:
string, integer, number, boolean, date_time, timestamp, date, object (with ``properties``), array (with
``of``; ``of: object`` takes ``properties`` too). ``fieldlist`` holds the model of a field list and its strict
checks; this module converts one to JSON Schema and validates payloads with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError
from referencing import Registry
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from inspector.core.errors import ValidationError
from inspector.core.fieldlist import parse_fieldlist
from inspector.core.timeparse import parse_time

JsonSchema = dict[str, Any]

SCALAR_TYPES: dict[str, JsonSchema] = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date_time": {"type": "string", "format": "date-time"},
    "timestamp": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
}
FIELD_TYPES = (*SCALAR_TYPES, "object", "array")


@dataclass(frozen=True, slots=True)
class SchemaViolation:
    """One way a payload breaks its schema: ``path`` like ``payload.customer.email`` or ``payload.lines[2]``."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def fieldlist_to_jsonschema(fields: object, *, where: str = "schema") -> JsonSchema:
    """Convert (and check) a Workato field list. Raises ``ValidationError`` naming the bad field."""
    if not isinstance(fields, list):
        raise ValidationError(
            "must be a list of fields",
            where=where,
            hint='a Workato schema looks like [{"name": "id", "type": "integer"}, ...]',
        )
    try:
        return _object_schema(fields, where)
    except RecursionError:
        raise ValidationError(
            "is nested too deeply (fields within fields, hundreds of levels down)", where=where
        ) from None


def _object_schema(fields: list[Any], where: str) -> JsonSchema:
    properties: dict[str, JsonSchema] = {}
    required: list[str] = []
    for index, field in enumerate(fields):
        spot = f"{where}[{index}]"
        if not isinstance(field, dict):
            raise ValidationError("each field must be an object with a 'name'", where=spot)
        name = field.get("name")
        if not isinstance(name, str) or not name:
            raise ValidationError("the field has no 'name'", where=spot, hint='add "name": "..."')
        spot = f"{where}.{name}"
        if name in properties:
            raise ValidationError("the name is used twice", where=spot)
        properties[name] = _field_schema(field, spot)
        for key, kind in (("type", str), ("label", str), ("hint", str), ("properties", list), ("of", str)):
            if key in field and not isinstance(field[key], kind):
                raise ValidationError(f"'{key}' must be a {'list' if kind is list else 'string'}", where=spot)
        if "of" in field and field["of"] not in (*SCALAR_TYPES, "object"):
            raise ValidationError(f"unknown array item type {field['of']!r}", where=spot)
        if "properties" in field and field.get("type") != "object" and field.get("of") != "object":
            _object_schema(field["properties"], spot)  # unused here, but it must still be a valid field list
        optional = field.get("optional", False)
        if not isinstance(optional, bool):
            raise ValidationError(f"'optional' must be true or false, got {optional!r}", where=spot)
        if not optional:
            required.append(name)
    schema: JsonSchema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def _field_schema(field: dict[str, Any], spot: str) -> JsonSchema:
    kind = field.get("type", "string")
    if not isinstance(kind, str):
        raise ValidationError(f"'type' must be a string, got {kind!r}", where=spot)
    if kind in SCALAR_TYPES:
        return dict(SCALAR_TYPES[kind])
    if kind == "object":
        props = field.get("properties")
        if not isinstance(props, list):
            raise ValidationError("an object field needs a 'properties' list", where=spot)
        return _object_schema(props, spot)
    if kind == "array":
        of = field.get("of", "string")
        if of == "object":
            props = field.get("properties")
            if not isinstance(props, list):
                raise ValidationError("an array of objects needs a 'properties' list", where=spot)
            return {"type": "array", "items": _object_schema(props, spot + "[]")}
        if of in SCALAR_TYPES:
            return {"type": "array", "items": dict(SCALAR_TYPES[of])}
        raise ValidationError(
            f"unknown array item type {of!r}", where=spot, hint="use one of " + ", ".join((*SCALAR_TYPES, "object"))
        )
    raise ValidationError(f"unknown type {kind!r}", where=spot, hint="use one of " + ", ".join(FIELD_TYPES))


_formats = FormatChecker(formats=())


@_formats.checks("date-time", raises=ValidationError)
def _is_datetime(value: object) -> bool:
    if isinstance(value, str):
        parse_time(value)
    return True


@_formats.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if isinstance(value, str):
        date.fromisoformat(value)
    return True


# No retrieval: with no registry given, jsonschema fetches a "$ref" to an http(s) or file URL itself.
_NO_REMOTE_REFERENCES: Registry[Any] = Registry()


def make_validator(schema: JsonSchema) -> Draft202012Validator:
    """A reusable validator for a JSON Schema (from a field list or loaded by the user)."""
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=_formats, registry=_NO_REMOTE_REFERENCES)


def violations(validator: Draft202012Validator, payload: object, *, root: str = "payload") -> list[SchemaViolation]:
    """Every way ``payload`` breaks the schema, first by path."""
    found = []
    try:
        errors = list(validator.iter_errors(payload))
    except Unresolvable as exc:  # a schema not checked by schema_from_document, or a reference met only here
        return [SchemaViolation(root, f"cannot be checked: the schema's reference {exc} cannot be resolved")]
    except RecursionError:
        return [
            SchemaViolation(
                root, "cannot be checked: the schema refers to itself without end, or the payload is nested too deeply"
            )
        ]
    for error in errors:
        path = root
        for part in error.absolute_path:
            path += f"[{part}]" if isinstance(part, int) else f".{part}"
        message = error.message
        if error.validator == "required":
            message = message.replace("is a required property", "is required")
        elif error.validator == "format":
            message = f"{error.instance!r} is not a valid {error.validator_value}"
        found.append(SchemaViolation(path, message))
    found.sort(key=lambda v: v.path)
    return found


def example_payload(schema: JsonSchema) -> Any:
    """A plausible example value for a JSON Schema (every property filled in, optional ones too)."""
    kind = schema.get("type")
    if kind == "object":
        return {name: example_payload(sub) for name, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [example_payload(schema.get("items", {"type": "string"}))]
    if kind == "integer":
        return 1
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date-time":
            return "2024-01-01T00:00:00Z"
        if fmt == "date":
            return "2024-01-01"
        return "text"
    return None


def schema_from_document(document: object, *, where: str = "schema file") -> JsonSchema:
    """A schema the user loads: a Workato field list (a JSON array), checked as Workato checks a topic's schema
    (``fieldlist.parse_fieldlist``), or a JSON Schema (an object)."""
    if isinstance(document, list):
        parse_fieldlist(document, where=where)
        return fieldlist_to_jsonschema(document, where=where)
    if isinstance(document, dict):
        try:
            Draft202012Validator.check_schema(document)
        except SchemaError as exc:
            path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in exc.absolute_path)
            raise ValidationError(
                f"is not a valid JSON Schema ({where}{path}: {exc.message})",
                where=where,
                hint="fix it, or load a field list",
            ) from None
        except RecursionError:
            raise ValidationError("is nested too deeply to check (hundreds of levels)", where=where) from None
        _check_references(document, where)
        return document
    raise ValidationError(
        "must be a Workato field list (an array) or a JSON Schema (an object)",
        where=where,
        hint='for example [{"name": "id", "type": "integer"}] or {"type": "object", "properties": {...}}',
    )


_DATA_KEYWORDS = frozenset({"const", "default", "enum", "examples"})  # their values are data, not schemas


def _check_references(document: JsonSchema, where: str) -> None:
    """Refuse what would fail only when a payload is checked: a ``$ref`` to another file or URL (never fetched), a
    ``$ref`` to nothing in this file, and references that lead back to themselves without end."""
    own_id = document.get("$id")
    base = own_id.split("#")[0] if isinstance(own_id, str) and own_id.split("#")[0] else "urn:topic-inspector:schema"
    resolver = Registry().with_resource(base, DRAFT202012.create_resource(document)).resolver(base)
    stack: list[tuple[str, object]] = [("", document)]
    while stack:
        path, node = stack.pop()
        if isinstance(node, list):
            stack.extend((f"{path}[{index}]", child) for index, child in enumerate(node))
            continue
        if not isinstance(node, dict) or (path and "$id" in node):  # a nested $id starts another base: not followed
            continue
        for keyword in ("$ref", "$dynamicRef"):
            ref = node.get(keyword)
            if not isinstance(ref, str):
                continue
            spot = f"{where}{path}.{keyword}"
            if not ref.startswith(("#", f"{base}#")) and ref != base:
                raise ValidationError(
                    f"refers to {ref!r}, outside this file: only references within the file (#/...) are read",
                    where=spot,
                    hint="copy the referenced schema into the file, under $defs, and refer to it as #/$defs/NAME",
                )
            try:
                resolver.lookup(ref)
            except Unresolvable:
                raise ValidationError(
                    f"refers to {ref!r}, which is not in the file", where=spot, hint="check the path after the #"
                ) from None
        stack.extend((f"{path}.{key}", child) for key, child in node.items() if key not in _DATA_KEYWORDS)
    validator = Draft202012Validator(document, registry=_NO_REMOTE_REFERENCES)
    instances: tuple[object, ...] = (None, {}, [])
    for instance in instances:
        try:
            next(validator.iter_errors(instance), None)
        except RecursionError:
            raise ValidationError(
                "refers to itself without end (a $ref that leads back to itself)",
                where=where,
                hint="make each $ref lead to a schema that describes something",
            ) from None
        except Unresolvable as exc:
            raise ValidationError(f"has a reference that cannot be resolved ({exc})", where=where) from None
