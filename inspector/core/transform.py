"""The edit list a support engineer applies to every payload before a replay: text, one edit per line.

    # comments and blank lines are ignored
    set status = 'replayed'
    set customer.name = payload.customer.full_name
    set replay.of = message_id
    set replay.meta = `{"source": "inspector"}`
    remove customer.ssn

``set PATH = EXPR`` writes the value of a JMESPath expression at PATH, a dotted path of field names in the payload;
missing objects along the path are created, and a path through something that is not an object (a string, an
array, null) is refused. The expression is evaluated against ``{"message_id", "time", "payload"}`` of the message,
with the payload as the lines above left it (edits apply in order). An expression that matches nothing gives
JSON null, and the field is set to null: explicit, where leaving the field as it was would hide the miss.
Backtick literals must be JSON (`` `42` ``, `` `"text"` ``); text is written in single quotes ('replayed').

``remove PATH`` deletes the field when it is there and does nothing when it is not.

Every refusal is a ``ValidationError`` (an ``EditError``) whose ``where`` is "edit line N", never an exception
from JMESPath.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import jmespath.exceptions
from jmespath.functions import TYPES_MAP

from inspector.core.errors import ValidationError
from inspector.core.expressions import ExpressionProblem, compile_expression

OPERATIONS = ("set", "remove")
SET_HINT = "for example: set status = 'replayed'  or  set customer.name = payload.customer.full_name"
REMOVE_HINT = "for example: remove customer.ssn"
LINE_HINT = "each line is  set PATH = EXPR  or  remove PATH  (a # starts a comment line)"
PATH_HINT = "a path is field names joined by dots, e.g. customer.address.city"


@dataclass(frozen=True)
class Edit:
    """One line of the edit list. ``op`` is "set" or "remove"; ``expression`` is None for "remove"; ``line`` is
    the 1-based line number in the text, to point back at it."""

    op: str
    path: tuple[str, ...]
    expression: str | None
    line: int


class EditError(ValidationError):
    """A refused edit line, or an edit that could not be applied to one message. ``line`` is the edit's line,
    ``column`` (1-based, in that line) where the expression went wrong when known, ``message_id`` the message
    being edited when the failure depends on it."""

    def __init__(
        self, message: str, *, line: int, column: int | None = None, message_id: str | None = None, hint: str = ""
    ) -> None:
        super().__init__(message, where=f"edit line {line}", hint=hint)
        self.line = line
        self.column = column
        self.message_id = message_id


# --- parsing ------------------------------------------------------------------------------------------------------


def parse_edits(text: str) -> list[Edit]:
    """The edits of an edit list, in order. Raises ``EditError`` (a ``ValidationError``) for the first bad line;
    an expression is compiled here, so its mistakes are found before any message is touched."""
    edits: list[Edit] = []
    text = text.removeprefix("\ufeff")  # a byte order mark from a file would read as part of the first word
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        body = raw.strip()
        if body and not body.startswith("#"):
            edits.append(_parse_line(raw, number))
    return edits


def _parse_line(raw: str, line: int) -> Edit:
    body = raw.strip()
    word = body.split(maxsplit=1)[0]
    rest_start = len(raw) - len(raw.lstrip()) + len(word)
    rest = raw[rest_start:]
    op = word.lower()
    if op == "remove":
        if not rest.strip():
            raise EditError("remove needs the path of the field to delete", line=line, hint=REMOVE_HINT)
        if "=" in rest:
            raise EditError('remove takes a field path only, without "= EXPR"', line=line, hint=REMOVE_HINT)
        return Edit("remove", _parse_path(rest, line), None, line)
    if op == "set":
        if not rest.strip():
            raise EditError('set needs a field path, "=" and an expression', line=line, hint=SET_HINT)
        equals = rest.find("=")
        if equals < 0:
            raise EditError(f'set needs "= EXPR" after the path {_quote(rest.strip())}', line=line, hint=SET_HINT)
        if not rest[:equals].strip():
            raise EditError('set has no field path before "="', line=line, hint=SET_HINT)
        path = _parse_path(rest[:equals], line)
        after = rest[equals + 1 :]
        expression = after.strip()
        if not expression:
            raise EditError(f'set {".".join(path)} has no expression after "="', line=line, hint=SET_HINT)
        offset = rest_start + equals + 1 + len(after) - len(after.lstrip())
        try:
            compile_expression(expression)
        except ExpressionProblem as problem:
            column = None if problem.position is None else offset + problem.position + 1
            where = "" if column is None else f" at column {column}"
            raise EditError(f"{problem.reason}{where}", line=line, column=column, hint=problem.hint) from None
        return Edit("set", path, expression, line)
    allowed = " or ".join(f'"{name}"' for name in OPERATIONS)
    raise EditError(f"unknown operation {_quote(word)}: use {allowed}", line=line, hint=LINE_HINT)


def _parse_path(text: str, line: int) -> tuple[str, ...]:
    path = text.strip()
    if not path:
        raise EditError("empty field path", line=line, hint=PATH_HINT)
    names = path.split(".")
    for name in names:
        if not name:
            raise EditError(f"empty field name in the path {_quote(path)}", line=line, hint=PATH_HINT)
        if any(char.isspace() for char in name):
            raise EditError(f"the path {_quote(path)} has a space in it", line=line, hint=PATH_HINT)
        if "[" in name or "]" in name:
            raise EditError(
                f"the path {_quote(path)} has brackets: array items cannot be edited, only object fields",
                line=line,
                hint=PATH_HINT,
            )
    return tuple(names)


def _quote(text: str, limit: int = 40) -> str:
    return f'"{text}"' if len(text) <= limit else f'"{text[: limit - 1]}…"'


# --- applying -----------------------------------------------------------------------------------------------------


def apply_edits(
    edits: Sequence[Edit], message_id: str | None, time: str | None, payload: dict[str, Any]
) -> dict[str, Any]:
    """A new payload: ``payload`` (left untouched) with the edits applied in order. Each expression sees
    ``{"message_id", "time", "payload"}`` with the payload as edited so far; no match sets null. Raises
    ``EditError`` naming the edit line and the message id when an edit cannot apply to this message."""
    if not isinstance(payload, dict):
        raise ValidationError(
            f"the payload is {_a(payload)}, not an object: edits apply to object payloads",
            where=f"message {message_id}",
        )
    result: dict[str, Any] = copy.deepcopy(payload)
    for edit in edits:
        if not edit.path:
            raise EditError("empty field path", line=edit.line, hint=PATH_HINT)
        if edit.op == "remove":
            _remove(result, edit.path)
        elif edit.op == "set":
            value = _evaluate(edit, message_id, time, result)
            # A copy: the value may be part of the payload (set b = payload.a) or a literal JMESPath keeps for reuse.
            _set(result, edit, copy.deepcopy(value), message_id)
        else:
            allowed = " or ".join(f'"{name}"' for name in OPERATIONS)
            raise EditError(f"unknown operation {_quote(edit.op)}: use {allowed}", line=edit.line, hint=LINE_HINT)
    return result


def _evaluate(edit: Edit, message_id: str | None, time: str | None, payload: dict[str, Any]) -> Any:
    try:
        compiled = compile_expression(edit.expression or "")
    except ExpressionProblem as problem:  # an Edit made by hand, not by parse_edits
        where = "" if problem.position is None else f" at column {problem.position + 1} of the expression"
        raise EditError(f"{problem.reason}{where}", line=edit.line, hint=problem.hint) from None
    document = {"message_id": message_id, "time": time, "payload": payload}
    try:
        return compiled.search(document)
    except jmespath.exceptions.JMESPathTypeError as exc:
        # Its own text repeats the whole offending value, which may be the whole payload.
        expected = " or ".join(_TYPE_WORDS.get(kind, kind) for kind in exc.expected_types)
        if exc.actual_type in TYPES_MAP:  # a Python type name: an item of the array argument is of the wrong type
            actual = f"an array holding {_TYPE_WORDS.get(TYPES_MAP[exc.actual_type], exc.actual_type)}"
        else:
            actual = _TYPE_WORDS.get(exc.actual_type, exc.actual_type)
        reason = f"{exc.function_name}() got {actual} where it takes {expected}"
    except ValueError as exc:  # every JMESPathError, and the few plain ValueErrors of its evaluator
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    except TypeError as exc:  # JMESPath compares a number with a string by Python's rules: `1 > 'x'` raises this
        reason = f"the expression compares values of different types ({exc})"
    except RecursionError:
        reason = "the payload is nested too deeply to evaluate the expression"
    raise EditError(f"{_on(message_id)}: {reason}", line=edit.line, message_id=message_id)


_TYPE_WORDS = {
    "null": "null",
    "boolean": "true or false",
    "number": "a number",
    "string": "a string",
    "array": "an array",
    "object": "an object",
    "expref": "an &expression",
    "array-number": "an array of numbers",
    "array-string": "an array of strings",
}


def _set(payload: dict[str, Any], edit: Edit, value: Any, message_id: str | None) -> None:
    node = payload
    for depth, name in enumerate(edit.path[:-1], start=1):
        child = node.setdefault(name, {})
        if not isinstance(child, dict):
            walked = ".".join(edit.path[:depth])
            raise EditError(
                f"{_on(message_id)}: cannot set {'.'.join(edit.path)}: {walked} is {_a(child)}, not an object",
                line=edit.line,
                message_id=message_id,
                hint=f"remove {walked} first to replace it with an object",
            )
        node = child
    node[edit.path[-1]] = value


def _remove(payload: dict[str, Any], path: tuple[str, ...]) -> None:
    node: Any = payload
    for name in path[:-1]:
        node = node.get(name) if isinstance(node, dict) else None
    if isinstance(node, dict):
        node.pop(path[-1], None)


def _on(message_id: str | None) -> str:
    return f"on message {message_id}" if message_id is not None else "on a message without an id"


def _a(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object" if isinstance(value, dict) else f"a {type(value).__name__}"
