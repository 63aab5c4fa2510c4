"""What SQL can decide of a JMESPath condition, message by message: its *verdict*, an SQL expression that is 1
(the condition matches), 0 (it does not) or NULL (SQL cannot tell: Python evaluates that message).

The condition matches as the window's filter says (``inspector.core.filtering.JmesPathFilter``): the expression
is evaluated over ``{message_id, time, payload}``; an error anywhere (``length`` of a number, ``'a' < `1```) is no
match; a result of null, false, 0, "", [] or {} is no match. Each node of the expression becomes SQL for its
*outcome* in a message (``FALSY``, ``TRUTHY``, ``ZERO`` — a number 0, truthy to JMESPath's ``&&``, ``||`` and
``!`` but no match as the result —, ``ERROR``, or NULL), so ``&&``, ``||`` and ``!`` combine outcomes as JMESPath
does: an error on the left of ``||`` is an error of the whole, a falsy left side of ``&&`` its result.

Values a node reads (*operands*) are SQL for their JSON kind (``json_type``'s names and ``'error'``; NULL when SQL
cannot tell) and their value. Read: payload paths of fields and indexes (``payload.items[0].sku``), ``message_id``,
``time``, literals, ``length``, ``type``, ``not_null``; compared with ``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``
as JMESPath compares (numbers with numbers, text with text — by code point —, a number with text an error,
anything else null); ``contains``, ``starts_with``, ``ends_with``; ``&&``, ``||``, ``!``. Anything else
(projections, filters, pipes, other functions) is NULL: Python decides those messages, and SQL still decides the
rest of the condition around them (``payload.status == 'paid' && payload.items[?qty > `2`]`` reads in Python
only the paid ones).

Where SQLite reads JSON unlike Python, the kind is NULL: integers beyond 64 bits (SQLite reads them as reals),
text holding U+0000 (SQLite cuts it there), a payload SQLite does not take as JSON (NaN, nesting beyond its
depth), keys a JSON path cannot spell. Tests compare every translation with JMESPath on generated payloads.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from jmespath.visitor import TreeInterpreter

FALSY, TRUTHY, ZERO, ERROR = 0, 1, 2, 3
KINDS = ("null", "true", "false", "integer", "real", "text", "array", "object", "error")
_CLASS = {
    "null": "null",
    "true": "boolean",
    "false": "boolean",
    "integer": "number",
    "real": "number",
    "text": "string",
    "array": "array",
    "object": "object",
    "error": "error",
}
_ORDER = {"lt": "<", "gt": ">", "lte": "<=", "gte": ">="}
_INT64 = 2**63 - 1
MAX_SQL = 60_000  # characters: a condition whose SQL would be longer is left to Python
MAX_PARAMS = 2_000
_CONSTANT_NODES = frozenset(
    {"literal", "comparator", "and_expression", "or_expression", "not_expression", "function_expression"}
)
_TEXT_FUNCTIONS = frozenset({"contains", "starts_with", "ends_with"})


class Sql(NamedTuple):
    """A piece of SQL and the values of its ``?`` in order."""

    text: str
    params: tuple[Any, ...] = ()


NULL = Sql("NULL")


def sql(*parts: str | Sql) -> Sql:
    """Raw SQL text and pieces, in order (values only ever as ``param``)."""
    texts: list[str] = []
    params: list[Any] = []
    for part in parts:
        if isinstance(part, str):
            texts.append(part)
        else:
            texts.append(part.text)
            params.extend(part.params)
    return Sql("".join(texts), tuple(params))


def param(value: Any) -> Sql:
    return Sql("?", (value,))


def const(value: int | str) -> Sql:
    """A constant: an outcome (int) or a kind's name (one of ``KINDS``, never the user's text)."""
    return Sql(str(value) if isinstance(value, int) else f"'{value}'")


@dataclass(frozen=True, slots=True)
class Operand:
    """A value the condition reads, per message: its ``kind`` (one of ``KINDS``, NULL when SQL cannot tell) and
    ``value`` (text, a number, 1/0 for true/false, JSON text for arrays and objects; trusted when ``kind`` is not
    NULL). ``json``: the JSON functions' arguments that reach it (``payload, ?``) when it is a payload path.
    ``known``: a literal's kind, when the value is the same in every message."""

    kind: Sql
    value: Sql
    json: Sql | None = None
    known: str | None = None
    simple: bool = False  # a column or a payload path: cheap to read, short to write


Result = Sql | int | str | None  # an SQL piece, an outcome or kind's name (constants), None: cannot tell


def switch(operand: Operand, results: Mapping[str, Result]) -> Sql:
    """``CASE kind WHEN ... END``: a result per kind; a kind left out, or NULL, cannot tell."""
    if operand.known is not None:
        return _result(results.get(operand.known))
    outcomes = {_result(results.get(kind)) for kind in KINDS}
    if len(outcomes) == 1 and _is_const(next(iter(outcomes))):
        return outcomes.pop()  # the same whatever the kind: decided even when SQL cannot tell the kind
    parts: list[str | Sql] = ["CASE ", operand.kind]
    for kind, result in results.items():
        if result is not None:
            parts += [f" WHEN '{kind}' THEN ", _result(result)]
    if len(parts) == 2:
        return NULL
    return sql(*parts, " END")


def _result(result: Result) -> Sql:
    if result is None:
        return NULL
    if isinstance(result, Sql):
        return result
    return const(result)


# ----- the tree -----------------------------------------------------------------------------------------------
def verdict(tree: Any) -> Sql | None:
    """The verdict of a parsed expression (``compiled.parsed``): SQL that is 1, 0 or NULL per message over the
    ``messages`` columns (``payload``, ``message_id``, ``ts``); None when SQL can tell nothing of it."""
    try:
        outcome = Translator().outcome(tree)
    except RecursionError:
        return None
    if outcome == NULL or len(outcome.text) > MAX_SQL or len(outcome.params) > MAX_PARAMS:
        return None
    decided = sql("(", outcome, ") = 1")
    if "payload" in outcome.text:
        # A payload SQLite does not read as JSON (NaN, nesting beyond its depth) would fail the whole query.
        decided = sql("CASE WHEN json_valid(payload) THEN ", decided, " END")
    return decided


class Translator:
    """One expression's translation (its nodes as outcomes and operands)."""

    def outcome(self, node: dict[str, Any]) -> Sql:
        """The node's outcome per message (``FALSY``, ``TRUTHY``, ``ZERO``, ``ERROR``; NULL: cannot tell)."""
        kind = node.get("type")
        children: list[Any] = node.get("children", [])
        if _is_constant(node):
            return const(_constant_outcome(node))
        if kind == "and_expression":
            left, right = self.outcome(children[0]), self.outcome(children[1])
            return _case(left, {FALSY: const(FALSY), ERROR: const(ERROR), TRUTHY: right, ZERO: right})
        if kind == "or_expression":
            left, right = self.outcome(children[0]), self.outcome(children[1])
            return _case(left, {FALSY: right, TRUTHY: const(TRUTHY), ZERO: const(ZERO), ERROR: const(ERROR)})
        if kind == "not_expression":
            inner = self.outcome(children[0])
            return _case(inner, {FALSY: const(TRUTHY), TRUTHY: const(FALSY), ZERO: const(FALSY), ERROR: const(ERROR)})
        if kind == "comparator":
            first, second = self.operand(children[0]), self.operand(children[1])
            if first is None or second is None:
                return NULL
            if first.known is None and second.known is None and not (first.simple and second.simple):
                return NULL  # two computed values: a CASE of each kind of one in each of the other's, too long
            return compare(node["value"], first, second)
        if kind == "function_expression" and node["value"] in _TEXT_FUNCTIONS:
            return self.text_function(node["value"], children)
        operand = self.operand(node)
        return NULL if operand is None else truthiness(operand)

    def operand(self, node: dict[str, Any]) -> Operand | None:
        """The node as a value SQL reads, or None."""
        kind = node.get("type")
        if _is_constant(node):
            try:
                return literal(_evaluate(node))
            except (ValueError, TypeError):
                return Operand(const("error"), NULL, known="error")
        if kind == "field" and node["value"] == "message_id":
            kind = sql("iif(instr(CAST(message_id AS BLOB), x'00'), NULL, 'text')")
            return Operand(kind, Sql("message_id"), simple=True)
        if kind == "field" and node["value"] == "time":
            return TIME
        if kind == "function_expression":
            return self.function(node["value"], node.get("children", []))
        path = json_path(node)
        if path is not None:
            return payload_path(path)
        return None

    def function(self, name: str, children: list[dict[str, Any]]) -> Operand | None:
        if name in _TEXT_FUNCTIONS:
            outcome = self.text_function(name, children)
            kind = _case(outcome, {TRUTHY: const("true"), FALSY: const("false"), ERROR: const("error")})
            return Operand(kind, outcome)
        args = [self.operand(child) for child in children]
        if any(arg is None for arg in args) or not args:
            return None
        operands: list[Operand] = [arg for arg in args if arg is not None]
        if name == "length" and len(operands) == 1:
            return length(operands[0])
        if name == "type" and len(operands) == 1:
            return type_of(operands[0])
        if name == "not_null":
            return not_null(operands)
        return None

    def text_function(self, name: str, children: list[dict[str, Any]]) -> Sql:
        """``contains``, ``starts_with``, ``ends_with``: true or false, or an error when an argument is of a
        type the function does not take (either argument's error is the call's)."""
        if len(children) != 2:
            return NULL
        subject, other = self.operand(children[0]), self.operand(children[1])
        if subject is None or other is None:
            return NULL
        if name == "contains":
            return contains(subject, other)
        return affix(subject, other, at_start=name == "starts_with")


def _is_constant(node: dict[str, Any]) -> bool:
    """A node whose value is the same in every message (literals and what combines them)."""
    if node.get("type") not in _CONSTANT_NODES:
        return False
    return all(_is_constant(child) for child in node.get("children", []))


def _constant_outcome(node: dict[str, Any]) -> int:
    try:
        value = _evaluate(node)
    except (ValueError, TypeError):
        return ERROR
    if _is_number(value) and value == 0:
        return ZERO
    return FALSY if _is_false(value) else TRUTHY


def _case(subject: Sql, results: Mapping[int, Sql]) -> Sql:
    """``CASE outcome WHEN ... END`` (NULL, or an outcome left out: cannot tell). A constant outcome is decided
    here."""
    if subject == NULL:
        return NULL
    if subject.text.isdigit():
        return results.get(int(subject.text), NULL)
    parts: list[str | Sql] = ["CASE ", subject]
    for outcome, result in results.items():
        parts += [f" WHEN {outcome} THEN ", result]
    return sql(*parts, " END")


# ----- operands -----------------------------------------------------------------------------------------------
TIME = Operand(
    sql("iif(ts >= 0 AND ts < 253402300800000000, 'text', NULL)"),  # years 1970 to 9999
    sql(
        "strftime('%Y-%m-%dT%H:%M:%S', ts / 1000000, 'unixepoch') "
        "|| iif(ts % 1000000, printf('.%06d', ts % 1000000), '') || '+00:00'"
    ),
    simple=True,
)


def payload_path(path: str) -> Operand:
    """A payload path's value. Its kind is NULL for an integer beyond 64 bits and for text holding U+0000."""
    json = sql("payload, ", param(path))
    kind = sql(
        "CASE json_type(",
        json,
        ") WHEN 'integer' THEN iif(typeof(json_extract(",
        json,
        ")) = 'integer', 'integer', NULL) WHEN 'text' THEN iif(instr(payload -> ",
        param(path),
        ", '\\u0000'), NULL, 'text') ELSE coalesce(json_type(",
        json,
        "), 'null') END",
    )
    return Operand(kind, sql("json_extract(", json, ")"), json, simple=True)


def literal(value: Any) -> Operand | None:
    """A value the same in every message (None when SQL cannot hold it as Python reads it)."""
    if value is None:
        return Operand(const("null"), NULL, known="null")
    if isinstance(value, bool):
        return Operand(const("true" if value else "false"), const(int(value)), known="true" if value else "false")
    if isinstance(value, int):
        if not -_INT64 - 1 <= value <= _INT64:
            return None
        return Operand(const("integer"), param(value), known="integer")
    if isinstance(value, float):
        if value != value:
            return None  # NaN: SQLite stores it as NULL
        return Operand(const("real"), param(value), known="real")
    if isinstance(value, str):
        if _has_surrogate(value):
            return None
        return Operand(const("text"), param(value), known="text")
    if isinstance(value, list | dict):
        try:  # NaN or infinities inside: not JSON to SQLite, whose JSON functions would fail the query
            text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        except ValueError:
            return None
        if _has_surrogate(text):
            return None
        kind = "array" if isinstance(value, list) else "object"
        return Operand(const(kind), param(text), known=kind)
    return None


def length(of: Operand) -> Operand:
    """``length``: characters of text, elements of an array, keys of an object; any other value an error."""
    whole = of.json or of.value
    errors = {k: "error" for k in ("null", "true", "false", "integer", "real", "error")}
    kind = switch(of, {"text": "integer", "array": "integer", "object": "integer", **errors})
    value = switch(
        of,
        {
            "text": sql("length(", of.value, ")"),
            "array": sql("json_array_length(", whole, ")"),
            "object": sql("(SELECT count(*) FROM json_each(", whole, "))"),
        },
    )
    return Operand(kind, value, known=_known_kind(kind))


def type_of(of: Operand) -> Operand:
    """``type``: the value's JSON type as text."""
    names = {"null": "null", "true": "boolean", "false": "boolean", "integer": "number", "real": "number"}
    names |= {"text": "string", "array": "array", "object": "object"}
    kind = switch(of, {**{k: "text" for k in names}, "error": "error"})
    return Operand(kind, switch(of, names), known=_known_kind(kind))


def not_null(args: list[Operand]) -> Operand:
    """``not_null``: the first argument that is not null (null when none is); any argument's error is its."""
    parts: list[str | Sql] = ["CASE"]
    for arg in args:
        parts += [" WHEN ", arg.kind, " = 'error' THEN 'error'"]
    for arg in args:
        parts += [" WHEN ", arg.kind, " IS NULL THEN NULL"]
    for arg in args:
        parts += [" WHEN ", arg.kind, " <> 'null' THEN ", arg.kind]
    kind = sql(*parts, " ELSE 'null' END")
    values: list[str | Sql] = ["CASE"]
    for arg in args:
        values += [" WHEN ", arg.kind, " <> 'null' THEN ", arg.value]
    return Operand(kind, sql(*values, " END"))


def _is_const(piece: Sql) -> bool:
    return not piece.params and (piece.text.isdigit() or _known_kind(piece) is not None)


def _known_kind(kind: Sql) -> str | None:
    text = kind.text
    if len(text) > 2 and text[0] == text[-1] == "'" and text[1:-1] in KINDS:
        return text[1:-1]
    return None


# ----- outcomes of operands -----------------------------------------------------------------------------------
def truthiness(of: Operand) -> Sql:
    """A value as the outcome of a condition: null, false, "", [] and {} are falsy, a number 0 is ``ZERO``."""
    empty_array = sql("json_array_length(", of.json, ") = 0") if of.json is not None else sql(of.value, " = '[]'")
    return switch(
        of,
        {
            "null": FALSY,
            "false": FALSY,
            "true": TRUTHY,
            "integer": sql("iif(", of.value, " = 0, 2, 1)"),
            "real": sql("iif(", of.value, " = 0, 2, 1)"),
            "text": sql("iif(", of.value, " = '', 0, 1)"),
            "array": sql("iif(", empty_array, ", 0, 1)"),
            "object": sql("iif(", of.value, " = '{}', 0, 1)"),
            "error": ERROR,
        },
    )


def compare(op: str, left: Operand, right: Operand) -> Sql:
    """A comparator's outcome: equality of JSON values (a number never equals a boolean), order of two numbers
    or two texts; a number against text is an error, any other order null (falsy)."""

    def result(a: str, b: str) -> Result:
        if a == "error" or b == "error":
            return ERROR
        first, second = _CLASS[a], _CLASS[b]
        if op in ("eq", "ne"):
            sign = "=" if op == "eq" else "<>"
            if first != second:
                return FALSY if op == "eq" else TRUTHY
            if first == "null":
                return TRUTHY if op == "eq" else FALSY
            if first == "boolean":
                return TRUTHY if (a == b) == (op == "eq") else FALSY
            if first in ("number", "string"):
                return sql("(", left.value, f" {sign} ", right.value, ")")
            return None  # arrays and objects: deep equality is Python's
        if first == second and first in ("number", "string"):
            return sql("(", left.value, f" {_ORDER[op]} ", right.value, ")")
        if {first, second} == {"number", "string"}:
            return ERROR  # Python's TypeError
        return FALSY

    return switch(left, {a: switch(right, {b: result(a, b) for b in KINDS}) for a in KINDS})


def contains(subject: Operand, search: Operand) -> Sql:
    """``contains(text, text)``: a substring; ``contains(array, text)``: an element equal to it. Another search
    in an array is Python's (``1 in [true]`` is true there)."""
    raw = sql("payload -> ", param(_path_of(subject))) if subject.json is not None else subject.value
    whole = subject.json or subject.value
    in_text = switch(
        search,
        {k: ERROR for k in KINDS}
        | {"text": sql("(instr(CAST(", subject.value, " AS BLOB), CAST(", search.value, " AS BLOB)) > 0)")},
    )
    in_array = switch(
        search,
        {
            "error": ERROR,
            "text": sql(
                "iif(instr(",
                raw,
                ", '\\u0000'), NULL, EXISTS (SELECT 1 FROM json_each(",
                whole,
                ") AS e WHERE e.type = 'text' AND e.value = ",
                search.value,
                "))",
            ),
        },
    )
    return switch(subject, {k: ERROR for k in KINDS} | {"text": in_text, "array": in_array})


def affix(subject: Operand, part: Operand, *, at_start: bool) -> Sql:
    """``starts_with``/``ends_with`` of two texts, compared as UTF-8 bytes (a prefix of the bytes is a prefix of
    the characters); any other argument an error."""
    size = sql("length(CAST(", part.value, " AS BLOB))")
    if at_start:
        test = sql("(substr(CAST(", subject.value, " AS BLOB), 1, ", size, ") = CAST(", part.value, " AS BLOB))")
    else:
        test = sql(
            "(",
            size,
            " = 0 OR substr(CAST(",
            subject.value,
            " AS BLOB), -",
            size,
            ") = CAST(",
            part.value,
            " AS BLOB))",
        )
    both = switch(part, {k: ERROR for k in KINDS} | {"text": test})
    return switch(subject, {k: ERROR for k in KINDS} | {"text": both})


def _path_of(operand: Operand) -> str:
    assert operand.json is not None
    return str(operand.json.params[-1])


# ----- paths ----------------------------------------------------------------------------------------------------
def steps(node: dict[str, Any]) -> list[str | int] | None:
    """A chain of fields and indexes (``payload.items[0].sku``, ``payload.items[-1]``) as its steps; None for
    anything else (projections, slices, pipes)."""
    kind = node.get("type")
    if kind == "field":
        return [node["value"]]
    if kind == "subexpression":
        out: list[str | int] = []
        for child in node["children"]:
            found = steps(child)
            if found is None:
                return None
            out += found
        return out
    if kind == "index_expression":
        left, right = node["children"]
        if right.get("type") != "index" or not isinstance(right.get("value"), int):
            return None
        found = steps(left)
        return None if found is None else [*found, right["value"]]
    return None


def json_path(node: dict[str, Any]) -> str | None:
    """SQLite's JSON path of a payload path (``payload.a[0]."b c"`` -> ``$."a"[0]."b c"``, ``payload`` -> ``$``),
    or None: not a payload path, or a key SQLite's paths cannot spell (they match the key as JSON writes it, so
    a key JSON escapes — a quote, a backslash, a control — is left to Python)."""
    found = steps(node)
    if not found or found[0] != "payload":
        return None
    parts = ["$"]
    for step in found[1:]:
        if isinstance(step, int):
            if abs(step) > 2**31:
                return None
            parts.append(f"[{step}]" if step >= 0 else f"[#{step}]")
        elif step and not any(char in '"\\' or char < " " for char in step) and not _has_surrogate(step):
            parts.append(f'."{step}"')
        else:
            return None
    return "".join(parts)


# ----- JMESPath's own rules (jmespath.visitor) -------------------------------------------------------------------
def _evaluate(node: dict[str, Any]) -> Any:
    """A constant node's value, as JMESPath evaluates it (its errors raised)."""
    return TreeInterpreter().visit(node, {})  # type: ignore[arg-type]  # the parsed tree is plain dicts


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_false(value: Any) -> bool:
    return value is None or value is False or (isinstance(value, str | list | dict) and not value)


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= char <= "\udfff" for char in text)
