"""A JMESPath condition as nested Python functions, evaluated on a million messages several times faster than
jmespath's interpreter, which looks each node's method up by name and copies its arguments for every message.

``compile_tree`` turns a parsed expression (``compiled.parsed``) into one function of the document. Each node
does what ``jmespath.visitor.TreeInterpreter`` does with it, line for line: fields, subexpressions, indexes,
slices, comparators (``==`` as JMESPath compares: 1 is not true), ``&&``/``||``/``!`` with JMESPath's truth, literals,
projections, filters, flatten, multi-selects, pipes, and function calls (the common ones direct when their
arguments have the types they take; any other call through jmespath's own ``Functions``, so its checks and
errors are the same). ``&expr`` arguments (``sort_by``) run in jmespath's interpreter. ``matches`` is the
window filter's test of the result (``inspector.core.filtering.JmesPathFilter``); tests compare it with jmespath
on generated expressions and documents.
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from jmespath.functions import REVERSE_TYPES_MAP, Functions
from jmespath.visitor import TreeInterpreter, _Expression

Evaluate = Callable[[Any], Any]
_FUNCTIONS = Functions()
_ORDER = {"lt": operator.lt, "gt": operator.gt, "lte": operator.le, "gte": operator.ge}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NO_MATCH: tuple[Any, ...] = (None, False, [], {}, "")
# Node types that read the whole document (and so its time) when evaluated on it: @, and what a projection
# (``*``, ``[*]``) reads; and those whose children after the first read a value derived from it.
_WHOLE = frozenset({"current", "identity"})
_DERIVED = frozenset(
    {"subexpression", "index_expression", "pipe", "projection", "value_projection", "filter_projection", "flatten"}
)


def _is_false(value: Any) -> bool:
    # As TreeInterpreter._is_false: 0 is true to JMESPath.
    return value == "" or value == [] or value == {} or value is None or value is False


def _is_number(value: Any) -> bool:
    # jmespath: a Number that is not a bool. Every value here is JSON's (or a function's): an int or a float.
    kind = type(value)
    return kind is int or kind is float


def _equals(x: Any, y: Any) -> bool:
    """As jmespath.visitor._equals: Python's ==, but 0 and 1 never equal false and true."""
    kind = type(x)
    if (kind is int or kind is float) and x in (0, 1):
        return type(y) is not bool and bool(x == y)
    kind = type(y)
    if (kind is int or kind is float) and y in (0, 1):
        return type(x) is not bool and bool(x == y)
    return bool(x == y)


def _is_comparable(value: Any) -> bool:
    """As jmespath.visitor._is_comparable: numbers and text may be ordered."""
    kind = type(value)
    return kind is int or kind is float or kind is str


def compile_tree(node: Any) -> Evaluate:
    """One function of the document that returns what ``TreeInterpreter().visit(node, document)`` returns (and
    raises what it raises)."""
    kind = node["type"]
    build = _BUILDERS.get(kind)
    if build is None:
        interpreter = TreeInterpreter()
        return lambda value: interpreter.visit(node, value)
    return build(node)


def _field(node: dict[str, Any]) -> Evaluate:
    name = node["value"]

    def field(value: Any) -> Any:
        return value.get(name) if type(value) is dict else None

    return field


def _fields(names: list[str]) -> Evaluate:
    """A chain of fields (``payload.a.b``), the most common path: one function, no call per step."""
    if len(names) == 2:
        first, second = names

        def two(value: Any) -> Any:
            if type(value) is not dict:
                return None
            value = value.get(first)
            return value.get(second) if type(value) is dict else None

        return two

    def fields(value: Any) -> Any:
        for name in names:
            if type(value) is not dict:
                return None
            value = value.get(name)
        return value

    return fields


def _chain(node: dict[str, Any]) -> Evaluate:
    """A subexpression, an index expression or a pipe: each child on the previous one's result."""
    children = node["children"]
    if all(child["type"] == "field" for child in children):
        return _fields([child["value"] for child in children])
    steps = [compile_tree(child) for child in children]
    if len(steps) == 2:
        first, second = steps
        return lambda value: second(first(value))

    def chain(value: Any) -> Any:
        for step in steps:
            value = step(value)
        return value

    return chain


def _index(node: dict[str, Any]) -> Evaluate:
    at = node["value"]

    def index(value: Any) -> Any:
        if not isinstance(value, list):
            return None
        try:
            return value[at]
        except IndexError:
            return None

    return index


def _slice(node: dict[str, Any]) -> Evaluate:
    cut = slice(*node["children"])
    return lambda value: value[cut] if isinstance(value, list) else None


def _comparator(node: dict[str, Any]) -> Evaluate:
    op = node["value"]
    left_node, right_node = node["children"]
    left, right = compile_tree(left_node), compile_tree(right_node)
    if op in ("eq", "ne"):
        if right_node["type"] == "literal":  # the common case (payload.status == 'paid'): no call for the literal
            constant = right_node["value"]

            def same(value: Any) -> bool:
                return _equals(left(value), constant)

        else:

            def same(value: Any) -> bool:
                return _equals(left(value), right(value))

        if op == "eq":
            return same

        def not_same(value: Any) -> bool:
            return not same(value)

        return not_same
    order = _ORDER[op]
    if right_node["type"] == "literal":
        constant = right_node["value"]
        if not _is_comparable(constant):
            return lambda value: (left(value), None)[1]  # evaluated (it may raise), then null
        is_text = type(constant) is str

        def compare_constant(value: Any) -> Any:
            first = left(value)
            kind = type(first)
            if kind is str if is_text else (kind is int or kind is float):
                return order(first, constant)
            if not _is_comparable(first):
                return None
            return order(first, constant)  # a number and text: Python's TypeError, as jmespath's

        return compare_constant

    def compare(value: Any) -> Any:
        first, second = left(value), right(value)
        if not (_is_comparable(first) and _is_comparable(second)):
            return None
        return order(first, second)

    return compare


def _literal(node: dict[str, Any]) -> Evaluate:
    constant = node["value"]
    return lambda value: constant


def _same(node: dict[str, Any]) -> Evaluate:
    return lambda value: value


def _and(node: dict[str, Any]) -> Evaluate:
    left, right = (compile_tree(child) for child in node["children"])

    def both(value: Any) -> Any:
        matched = left(value)
        if _is_false(matched):
            return matched
        return right(value)

    return both


def _or(node: dict[str, Any]) -> Evaluate:
    left, right = (compile_tree(child) for child in node["children"])

    def either(value: Any) -> Any:
        matched = left(value)
        if _is_false(matched):
            matched = right(value)
        return matched

    return either


def _not(node: dict[str, Any]) -> Evaluate:
    inner = compile_tree(node["children"][0])

    def negated(value: Any) -> Any:
        original = inner(value)
        if _is_number(original) and original == 0:
            return False  # !0 is false: 0 is true to JMESPath
        return not original

    return negated


def _projection(node: dict[str, Any]) -> Evaluate:
    base, each = (compile_tree(child) for child in node["children"])

    def projection(value: Any) -> Any:
        found = base(value)
        return _collect(each, found) if isinstance(found, list) else None

    return projection


def _value_projection(node: dict[str, Any]) -> Evaluate:
    base, each = (compile_tree(child) for child in node["children"])

    def projection(value: Any) -> Any:
        found = base(value)
        try:
            elements = found.values()
        except AttributeError:
            return None
        return _collect(each, elements)

    return projection


def _collect(each: Evaluate, elements: Any) -> list[Any]:
    """A projection's right side on each element, the nulls left out (as JMESPath projects)."""
    return [current for current in map(each, elements) if current is not None]


def _filter_projection(node: dict[str, Any]) -> Evaluate:
    base, each, condition = (compile_tree(child) for child in node["children"])
    whole = node["children"][1]["type"] == "identity"  # items[?qty > `2`]: the elements themselves

    def projection(value: Any) -> Any:
        found = base(value)
        if not isinstance(found, list):
            return None
        collected = []
        for element in found:
            if not _is_false(condition(element)):
                current = element if whole else each(element)
                if current is not None:
                    collected.append(current)
        return collected

    return projection


def _flatten(node: dict[str, Any]) -> Evaluate:
    base = compile_tree(node["children"][0])

    def flatten(value: Any) -> Any:
        found = base(value)
        if not isinstance(found, list):
            return None
        merged: list[Any] = []
        for element in found:
            if isinstance(element, list):
                merged.extend(element)
            else:
                merged.append(element)
        return merged

    return flatten


def _multi_list(node: dict[str, Any]) -> Evaluate:
    parts = [compile_tree(child) for child in node["children"]]
    return lambda value: None if value is None else [part(value) for part in parts]


def _multi_dict(node: dict[str, Any]) -> Evaluate:
    parts = [(child["value"], compile_tree(child)) for child in node["children"]]
    return lambda value: None if value is None else {key: part(value) for key, part in parts}


def _key_value(node: dict[str, Any]) -> Evaluate:
    return compile_tree(node["children"][0])


def _function(node: dict[str, Any]) -> Evaluate:
    name = node["value"]
    args: list[Evaluate] = []
    for child in node["children"]:
        if child["type"] == "expref":
            args.append(_reference(child))
        else:
            args.append(compile_tree(child))
    call = _FUNCTIONS.call_function
    if name == "length" and len(args) == 1:
        (arg,) = args

        def length(value: Any) -> Any:
            found = arg(value)
            if type(found) in (str, list, dict):
                return len(found)
            return call("length", [found])

        return length
    if name == "contains" and len(args) == 2:
        subject_of, search_of = args

        def contains(value: Any) -> Any:
            subject, search = subject_of(value), search_of(value)
            if type(subject) is list or (type(subject) is str and type(search) is str):
                return search in subject
            return call("contains", [subject, search])

        return contains
    if name in ("starts_with", "ends_with") and len(args) == 2:
        text_of, part_of = args
        at_start = name == "starts_with"

        def affix(value: Any) -> Any:
            text, part = text_of(value), part_of(value)
            if type(text) is str and type(part) is str:
                return text.startswith(part) if at_start else text.endswith(part)
            return call(name, [text, part])

        return affix
    if name == "not_null" and args:

        def not_null(value: Any) -> Any:
            for found in [arg(value) for arg in args]:
                if found is not None:
                    return found
            return None

        return not_null
    checked = _checked(name)
    if len(args) == 1:
        (only,) = args
        return lambda value: checked([only(value)])
    return lambda value: checked([arg(value) for arg in args])


def _checked(name: str) -> Callable[[list[Any]], Any]:
    """A function's call with jmespath's own checks of its arguments (``Functions._validate_arguments``) done
    from tables made once; whatever they would refuse goes through ``call_function``, which raises its error."""
    spec = _FUNCTIONS.FUNCTION_TABLE.get(name)
    if spec is None:
        return lambda args: _FUNCTIONS.call_function(name, args)
    function, signature = spec["function"], spec["signature"]
    variadic = bool(signature) and bool(signature[-1].get("variadic"))
    checks: list[tuple[frozenset[str], list[tuple[str, ...]]] | None] = []
    for argument in signature:
        if not argument["types"]:
            checks.append(None)
            continue
        checks.append(_allowed(argument["types"]))

    def call(args: list[Any]) -> Any:
        if (len(args) < len(signature)) if variadic else (len(args) != len(signature)):
            return _FUNCTIONS.call_function(name, args)
        for check, current in zip(checks, args, strict=False):
            if check is not None and not _fits(current, *check):
                return _FUNCTIONS.call_function(name, args)
        return function(_FUNCTIONS, *args)

    return call


def _allowed(names: list[str]) -> tuple[frozenset[str], list[tuple[str, ...]]]:
    """As ``Functions._get_allowed_pytypes``: the Python type names an argument may have, and for arrays the
    groups of names their elements may have ("array-number")."""
    types: list[str] = []
    subtypes: list[tuple[str, ...]] = []
    for name in names:
        kind, _, subtype = name.partition("-")
        if subtype:
            subtypes.append(tuple(REVERSE_TYPES_MAP[subtype]))
        types.extend(REVERSE_TYPES_MAP[kind])
    return frozenset(types), subtypes


def _fits(current: Any, types: frozenset[str], subtypes: list[tuple[str, ...]]) -> bool:
    """As ``Functions._type_check_single``: the value's type, and an array's elements'."""
    if type(current).__name__ not in types:
        return False
    if len(subtypes) == 1:
        return all(type(element).__name__ in subtypes[0] for element in current)
    if len(subtypes) > 1 and current:
        first = type(current[0]).__name__
        for group in subtypes:
            if first in group:
                return all(type(element).__name__ in group for element in current)
        return False
    return True


def _reference(node: dict[str, Any]) -> Evaluate:
    """An ``&expr`` argument: the same object for every message, evaluated by jmespath's interpreter."""
    reference = _Expression(node["children"][0], TreeInterpreter())
    return lambda value: reference


_BUILDERS: dict[str, Callable[[dict[str, Any]], Evaluate]] = {
    "field": _field,
    "subexpression": _chain,
    "index_expression": _chain,
    "pipe": _chain,
    "index": _index,
    "slice": _slice,
    "comparator": _comparator,
    "literal": _literal,
    "current": _same,
    "identity": _same,
    "and_expression": _and,
    "or_expression": _or,
    "not_expression": _not,
    "projection": _projection,
    "value_projection": _value_projection,
    "filter_projection": _filter_projection,
    "flatten": _flatten,
    "multi_select_list": _multi_list,
    "multi_select_dict": _multi_dict,
    "key_val_pair": _key_value,
    "function_expression": _function,
}


# ----- a message ------------------------------------------------------------------------------------------------
class Condition:
    """A parsed condition, compiled: ``matches(message_id, time_us, payload_text)`` as the window's filter
    matches a row (truthy over ``{message_id, time, payload}``; an error, or a payload that is not JSON, is no
    match). The payload may be text or its UTF-8 bytes."""

    def __init__(self, tree: Any) -> None:
        self.evaluate = compile_tree(tree)
        self.reads_time = _reads_time(tree)

    def matches(self, message_id: str, time_us: int, payload: str | bytes) -> bool:
        try:
            value = orjson.loads(payload)
        except orjson.JSONDecodeError:
            try:
                value = json.loads(payload)  # NaN, or integers beyond 64 bits (written by json, not orjson)
            except (ValueError, RecursionError):
                return False
        moment = (_EPOCH + timedelta(microseconds=time_us)).isoformat() if self.reads_time else None
        document = {"message_id": message_id, "time": moment, "payload": value}
        try:
            result = self.evaluate(document)
        except (ValueError, TypeError, RecursionError):
            return False
        return result not in _NO_MATCH

    def matching(self, rows: Iterable[tuple[int, str, int, str | bytes, int | None]]) -> list[int]:
        """The keys of the rows ``(key, message_id, time_us, payload, verdict)`` that match: a verdict of 1
        matches, None is evaluated here (``matches``, in one loop: a worker's whole work)."""
        keys: list[int] = []
        evaluate, reads_time, loads = self.evaluate, self.reads_time, orjson.loads
        for key, message_id, time_us, payload, decided in rows:
            if decided == 1:
                keys.append(key)
                continue
            try:
                value = loads(payload)
            except orjson.JSONDecodeError:
                if self.matches(message_id, time_us, payload):  # json reads it, or says why not
                    keys.append(key)
                continue
            moment = (_EPOCH + timedelta(microseconds=time_us)).isoformat() if reads_time else None
            try:
                result = evaluate({"message_id": message_id, "time": moment, "payload": value})
            except (ValueError, TypeError, RecursionError):
                continue
            if result not in _NO_MATCH:
                keys.append(key)
        return keys


def _reads_time(tree: dict[str, Any]) -> bool:
    """Whether the expression may read the document's time: a field so named, or ``@``, evaluated on the
    document itself (not on a value taken from it, such as a projection's elements). When it cannot, the time is
    not written out for each message."""
    stack: list[tuple[Any, bool]] = [(tree, True)]
    while stack:
        node, on_document = stack.pop()
        if not isinstance(node, dict):
            continue
        kind = node.get("type")
        children = node.get("children", [])
        if on_document and (kind in _WHOLE or (kind == "field" and node.get("value") == "time")):
            return True
        if kind in _DERIVED:  # the first child reads what its parent reads; the others read its result
            stack.append((children[0], on_document) if children else (None, False))
            stack.extend((child, False) for child in children[1:])
        elif kind != "expref":  # an &expr reads the elements it is given
            stack.extend((child, on_document) for child in children)
    return False
