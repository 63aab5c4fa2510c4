"""Reading what a person gives to publish: one JSON object, a JSON array, or JSON Lines."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from inspector.core.errors import ValidationError


@dataclass(frozen=True, slots=True)
class PublishInput:
    items: list[Any]
    single: bool  # a lone JSON object: a single publish, not a batch
    form: str  # "object", "array" or "JSON Lines"


class JsonSyntaxError(ValidationError):
    """Text that is not JSON: ``line`` and ``column`` (1-based) locate the first error, for an editor's margin."""

    def __init__(self, message: str, *, where: str, hint: str, line: int, column: int) -> None:
        super().__init__(message, where=where, hint=hint)
        self.line = line
        self.column = column


def _strict_loads(text: str) -> Any:
    def no_constant(name: str) -> Any:
        raise ValueError(f"{name} is not allowed in JSON")

    try:
        return json.loads(text, parse_constant=no_constant)
    except RecursionError:
        raise ValueError("is nested too deeply to process (about a thousand levels of arrays and objects)") from None


# Python's wording of a JSON error, and what a person reads instead.
_WORDS = (
    ("Expecting ',' delimiter", "expected ',' or a closing bracket"),
    ("Expecting ':' delimiter", "expected ':' after the key"),
    ("Expecting property name enclosed in double quotes", "expected a key in double quotes, or '}'"),
    ("Expecting value", "expected a value"),
    ("Unterminated string starting at", "a string is not closed"),
    ("Extra data", "more text after the end of the JSON value"),
    ("Invalid control character at", "a tab or line break inside a string must be written as \\t or \\n"),
    ("Invalid \\escape", 'an invalid escape (a backslash must be followed by ", \\\\, /, b, f, n, r, t or uXXXX)'),
    ("Invalid \\uXXXX escape", "an invalid \\u escape (it takes four hexadecimal digits, as in \\u00e9)"),
    ("Unexpected UTF-8 BOM", "a byte order mark (U+FEFF) where the text should begin; remove it"),
)


def describe_json_error(msg: str) -> str:
    for python, words in _WORDS:
        if msg.startswith(python):
            return words
    return msg


def _where(exc: json.JSONDecodeError) -> str:
    return f"line {exc.lineno}, col {exc.colno}: {describe_json_error(exc.msg)}"


_NOT_JSON = object()


def _try_loads(line: str) -> Any:
    try:
        return _strict_loads(line)
    except ValueError:
        return _NOT_JSON


def _hint(exc: ValueError) -> str:
    """How to fix a value refused after the syntax was read (NaN, Infinity, a number of thousands of digits)."""
    if "integer string conversion" in str(exc):
        return "a number of more than 4300 digits cannot be read; write it as a string"
    if "allowed in JSON" in str(exc):
        return "JSON has no NaN or Infinity: use null, or a number"
    return ""


def parse_publish_input(text: str, *, source: str = "input") -> PublishInput:
    """Decide what ``text`` is and decode it; a bad input gets the line and column of the first error."""
    body = text.removeprefix("\ufeff")
    stripped = body.strip()
    if not stripped:
        raise ValidationError("is empty", where=source, hint="give a JSON object, a JSON array or JSON Lines")
    try:
        value = _strict_loads(body)  # not stripped: line and column numbers must match what the user sees
    except json.JSONDecodeError as whole_error:
        value = None
        # Only \n ends a line: U+2028 and friends may stand unescaped inside JSON strings.
        lines = [(n, line) for n, line in enumerate(body.split("\n"), start=1) if line.strip()]
        first = _try_loads(lines[0][1]) if len(lines) > 1 and stripped[0] == "{" else _NOT_JSON
        if first is not _NOT_JSON:
            items = [first]
            for number, line in lines[1:]:
                try:
                    items.append(_strict_loads(line))
                except json.JSONDecodeError as exc:
                    raise JsonSyntaxError(
                        f"is not valid JSON Lines (line {number}, col {exc.colno}: {describe_json_error(exc.msg)})",
                        where=source,
                        hint="put one JSON object on each line",
                        line=number,
                        column=exc.colno,
                    ) from None
                except ValueError as exc:
                    raise ValidationError(f"line {number}: {exc}", where=source, hint=_hint(exc)) from None
            return PublishInput(items, single=False, form="JSON Lines")
        raise JsonSyntaxError(
            f"is not valid JSON ({_where(whole_error)})",
            where=source,
            hint="check for a missing comma, quote or bracket near that place",
            line=whole_error.lineno,
            column=whole_error.colno,
        ) from None
    except ValueError as exc:
        raise ValidationError(str(exc), where=source, hint=_hint(exc)) from None
    if isinstance(value, dict):
        return PublishInput([value], single=True, form="object")
    if isinstance(value, list):
        if not value:
            raise ValidationError("is an empty array: nothing to publish", where=source)
        return PublishInput(value, single=False, form="array")
    raise ValidationError(
        "must be a JSON object, an array of objects, or JSON Lines",
        where=source,
        hint='wrap the value in an object, for example {"value": ...}',
    )
