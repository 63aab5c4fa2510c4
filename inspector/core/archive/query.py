"""What a search asks of SQLite: the user's words as a safe FTS5 query, and what SQL can check of a JMESPath
condition before Python evaluates it.

``words_query`` never lets the user's text reach FTS5 as syntax: each word and "quoted phrase" becomes an FTS5
string (the tokenizer splits it as it split the payloads), a trailing ``*`` a prefix search, and the words are
ANDed. Text with no letter or digit is refused in words, never with an FTS5 syntax error.

``prefilter`` reads a compiled JMESPath condition and gives a *necessary* condition: every message the
expression matches passes it, so SQL (and the word index) can skip the rest of the archive, and Python
evaluates the real expression on what is left. Comparisons of a payload path with a literal
(``payload.a.b == 'x'``, ``payload.total > `100```), ``&&``, ``||``, ``contains``/``starts_with``/``ends_with`` of
a literal string and a bare path (truthy) are read; anything else (``!``, ``!=``, projections, other functions)
constrains nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from inspector.core.errors import ValidationError

MAX_WORDS = 32
_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
_PART = re.compile(r'"([^"]*)(?:"|$)(\*?)|([^\s"]+)')
WORDS_HINT = 'type words (all must be there), a "quoted phrase", or the start of a word and * (ord*)'


def words_query(text: str, *, where: str = "search words") -> str:
    """The user's words as an FTS5 query: each word or "phrase" quoted, ``word*`` a prefix, all ANDed."""
    terms: list[str] = []
    for match in _PART.finditer(_CONTROLS.sub(" ", text)):
        phrase, star, bare = match.groups()
        if bare is not None:
            word, prefix = bare.rstrip("*"), bare.endswith("*")
        else:
            word, prefix = phrase, bool(star)
        if not any(char.isalnum() for char in word):
            continue  # punctuation alone: no word for the tokenizer (and no FTS5 syntax either)
        terms.append('"' + word.replace('"', '""') + '"' + ("*" if prefix else ""))
    if not terms:
        raise ValidationError(f"{_shown(text)} has no letter or digit to search for", where=where, hint=WORDS_HINT)
    if len(terms) > MAX_WORDS:
        raise ValidationError(
            f"has {len(terms)} words and phrases; a search takes up to {MAX_WORDS}",
            where=where,
            hint="search for the few words that tell the messages apart, or quote a longer phrase",
        )
    return " ".join(terms)


def _shown(text: str) -> str:
    return repr(text) if len(text) <= 40 else f"{text[:30]!r}… ({len(text)} characters)"


# ----- JMESPath -------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Prefilter:
    """A necessary condition: ``sql`` over the ``messages`` columns (with ``params``) and ``fts``, an FTS5
    query every match's words satisfy. Either may be None (nothing to check that way)."""

    sql: str | None = None
    params: tuple[Any, ...] = ()
    fts: str | None = None


NONE = Prefilter()
_INT64 = 2**63 - 1
_FLIPPED = {"lt": "gt", "gt": "lt", "lte": "gte", "gte": "lte", "eq": "eq"}
_SQL_OPS = {"lt": "<", "gt": ">", "lte": "<=", "gte": ">=", "eq": "="}
# Controls that JSON writes as \b \f \n \r \t: the index reads them as spaces, as the tokenizer reads a literal's.
_NAMED_ESCAPES = frozenset("\b\f\n\r\t")


def prefilter(tree: Any) -> Prefilter:
    """The necessary condition of a parsed JMESPath expression (``compiled.parsed``)."""
    kind = tree.get("type")
    children: list[Any] = tree.get("children", [])
    if kind == "and_expression":
        return _both(prefilter(children[0]), prefilter(children[1]))
    if kind == "or_expression":
        return _either(prefilter(children[0]), prefilter(children[1]))
    if kind == "comparator":
        return _comparison(tree["value"], children[0], children[1])
    if kind == "function_expression":
        return _function(tree["value"], children)
    if kind in ("subexpression", "index_expression"):
        path = _json_path(tree)
        if path is not None:
            return Prefilter("json_extract(payload, ?) IS NOT NULL", (path,))
    return NONE


def _both(left: Prefilter, right: Prefilter) -> Prefilter:
    sqls = [p for p in (left, right) if p.sql is not None]
    sql = " AND ".join(f"({p.sql})" for p in sqls) or None
    params = tuple(x for p in sqls for x in p.params)
    ftss = [p.fts for p in (left, right) if p.fts is not None]
    fts = " AND ".join(f"({f})" for f in ftss) or None
    return Prefilter(sql, params, fts)


def _either(left: Prefilter, right: Prefilter) -> Prefilter:
    """Only what both sides constrain the same way: a side that constrains nothing lets every message through."""
    sql = params = None
    if left.sql is not None and right.sql is not None:
        sql, params = f"({left.sql}) OR ({right.sql})", left.params + right.params
    fts = f"({left.fts}) OR ({right.fts})" if left.fts is not None and right.fts is not None else None
    return Prefilter(sql, params or (), fts)


def _steps(node: dict[str, Any]) -> list[str | int] | None:
    """A chain of fields and non-negative indexes (``payload.items[0].sku``) as its steps; None for anything
    else (projections, slices, negative indexes, pipes)."""
    kind = node.get("type")
    if kind == "field":
        return [node["value"]]
    if kind == "subexpression":
        out: list[str | int] = []
        for child in node["children"]:
            steps = _steps(child)
            if steps is None:
                return None
            out += steps
        return out
    if kind == "index_expression":
        left, right = node["children"]
        if right.get("type") != "index" or not isinstance(right.get("value"), int) or right["value"] < 0:
            return None
        steps = _steps(left)
        return None if steps is None else [*steps, right["value"]]
    return None


def _json_path(node: dict[str, Any]) -> str | None:
    """SQLite's JSON path of a payload path (``payload.a[0]."b c"`` -> ``$."a"[0]."b c"``), or None."""
    steps = _steps(node)
    if not steps or steps[0] != "payload" or len(steps) < 2:
        return None
    parts = ["$"]
    for step in steps[1:]:
        if isinstance(step, int):
            parts.append(f"[{step}]")
        elif step and '"' not in step and "\\" not in step:
            parts.append(f'."{step}"')
        else:
            return None  # a key SQLite's paths cannot spell
    return "".join(parts)


def _is_id(node: dict[str, Any]) -> bool:
    return node.get("type") == "field" and node.get("value") == "message_id"


def _literal(node: dict[str, Any]) -> tuple[bool, Any]:
    if node.get("type") == "literal":
        return True, node.get("value")
    return False, None


def _sql_value(value: Any) -> tuple[bool, Any]:
    """A literal SQLite compares as JMESPath does (or more widely): text, a 64-bit integer, a finite number."""
    if isinstance(value, bool):
        return True, int(value)  # json_extract gives true as 1: wider than JMESPath, never narrower
    if isinstance(value, int):
        return -_INT64 <= value <= _INT64, value
    if isinstance(value, float):
        return value == value and abs(value) != float("inf"), value
    if isinstance(value, str):
        return not _has_surrogate(value), value
    return False, None


def _comparison(op: str, left: dict[str, Any], right: dict[str, Any]) -> Prefilter:
    if op not in _SQL_OPS:
        return NONE  # != is true of a missing field: nothing SQL can rule out cheaply
    is_literal, value = _literal(right)
    subject = left
    if not is_literal:
        is_literal, value = _literal(left)
        subject, op = right, _FLIPPED[op]
    if not is_literal:
        return NONE
    if _is_id(subject):
        usable, bound = _sql_value(value)
        if usable and isinstance(value, str):
            return Prefilter(f"message_id {_SQL_OPS[op]} ?", (bound,))
        return NONE
    path = _json_path(subject)
    if path is None:
        return NONE
    if op == "eq":
        if value is None:
            return Prefilter("json_extract(payload, ?) IS NULL", (path,))
        usable, bound = _sql_value(value)
        if not usable:
            return NONE
        return Prefilter("json_extract(payload, ?) = ?", (path, bound), _phrase(value))
    usable, bound = _sql_value(value)
    if not usable or isinstance(value, bool):
        return NONE
    if isinstance(value, str):
        return Prefilter(f"json_extract(payload, ?) {_SQL_OPS[op]} ?", (path, bound))
    # "+ 0": a string value turns into a number rather than sorting above every number (wider, never narrower).
    return Prefilter(f"json_extract(payload, ?) + 0 {_SQL_OPS[op]} ?", (path, bound))


def _phrase(value: Any) -> str | None:
    """The FTS5 phrase a string value equal to ``value`` must hold in the index, or None when the index cannot
    be trusted with it (no word in it, or a control that JSON writes as \\uXXXX, which the index keeps as a
    word)."""
    if not isinstance(value, str) or not any(char.isalnum() for char in value) or _has_surrogate(value):
        return None
    if any(char < " " and char not in _NAMED_ESCAPES for char in value):
        return None
    return '"' + value.replace('"', '""') + '"'


def _function(name: str, args: list[dict[str, Any]]) -> Prefilter:
    """``contains``, ``starts_with`` and ``ends_with`` of a payload path and a literal string: the payload's
    JSON text holds that string as it is, when it needs no escape in JSON."""
    if name not in ("contains", "starts_with", "ends_with") or len(args) != 2:
        return NONE
    is_literal, value = _literal(args[1])
    if not is_literal or not isinstance(value, str) or not value or _json_path(args[0]) is None:
        return NONE
    if '"' in value or "\\" in value or any(char < " " for char in value) or _has_surrogate(value):
        return NONE
    return Prefilter("instr(payload, ?) > 0", (value,))


def _has_surrogate(text: str) -> bool:
    return any("\ud800" <= char <= "\udfff" for char in text)
