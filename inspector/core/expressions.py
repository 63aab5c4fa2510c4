"""JMESPath expressions as the table's filter and the replay's edit list read them: compiled once, and refused in
words before any message is matched (a syntax error, an unknown function, a wrong number of arguments, a slice step
of 0, a backtick literal that is not JSON), never with an exception from JMESPath while matching.

``compile_expression`` returns the compiled expression or raises ``ExpressionProblem``: the reason in words, where
in the expression (0-based, when known) and a hint. Each caller words the place its own way (a column of the filter,
a column of an edit line).
"""

from __future__ import annotations

import difflib
import warnings
from functools import lru_cache
from typing import Any

import jmespath
import jmespath.exceptions
from jmespath.functions import Functions
from jmespath.lexer import Lexer
from jmespath.parser import ParsedResult

__all__ = ["ExpressionProblem", "compile_expression", "parse_error_words"]

FUNCTIONS: dict[str, Any] = Functions.FUNCTION_TABLE


class ExpressionProblem(Exception):
    """Why an expression is refused, and where in it (0-based, None when unknown)."""

    def __init__(self, reason: str, position: int | None = None, hint: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.position = position
        self.hint = hint


@lru_cache(maxsize=512)
def compile_expression(expression: str) -> ParsedResult:
    """The compiled expression, or ``ExpressionProblem``. Cached: an edit list runs it for every message."""
    if not expression.strip():
        raise ExpressionProblem("empty expression")
    calls = _function_calls(expression)
    try:
        compiled = jmespath.compile(expression)
    except jmespath.exceptions.ParseError as exc:
        raise ExpressionProblem(*parse_error_words(exc), hint=_number_hint(expression, exc)) from None
    except jmespath.exceptions.JMESPathError as exc:
        raise ExpressionProblem(str(exc).splitlines()[0]) from None
    except RecursionError:
        raise ExpressionProblem("the expression is nested too deeply") from None
    _check_tree(compiled.parsed, calls)
    return compiled


def parse_error_words(exc: jmespath.exceptions.ParseError) -> tuple[str, int | None]:
    """A JMESPath syntax error in words, and its 0-based position in the expression when known."""
    position = getattr(exc, "lex_position", None)
    token = getattr(exc, "token_value", None)
    if isinstance(exc, jmespath.exceptions.IncompleteExpressionError) or getattr(exc, "token_type", "") == "EOF":
        reason = "the expression ends too soon"
    elif isinstance(exc, jmespath.exceptions.LexerError):
        reason = getattr(exc, "message", "cannot read it")
    elif token is not None:
        reason = f"unexpected {token!r}"
    else:
        reason = "cannot read it"
    return reason, position if isinstance(position, int) else None


def _number_hint(expression: str, exc: jmespath.exceptions.ParseError) -> str:
    """For a bare number where a value belongs (``payload.total > 100``): the expression with the number in
    backticks, as JMESPath reads a number literal. Empty for any other mistake."""
    start = getattr(exc, "lex_position", None)
    if str(getattr(exc, "token_type", "")).lower() != "number" or not isinstance(start, int):
        return ""
    end = start + (expression[start : start + 1] == "-")
    while end < len(expression) and (expression[end].isdigit() or expression[end] in ".eE+-"):
        if expression[end] in "+-" and expression[end - 1] not in "eE":
            break
        end += 1
    number = expression[start:end].rstrip(".eE+-")
    if not number or number == "-":
        return ""
    fixed = f"{expression[:start]}`{number}`{expression[start + len(number) :]}"
    return f"numbers need backticks: {fixed}"


def _function_calls(expression: str) -> dict[str, int]:
    """Lex the expression: where each function is first called, by name. Refuses what the lexer refuses, and a
    backtick literal that is not JSON (JMESPath reads `text` as a string with a deprecation warning; we say so)."""
    calls: dict[str, int] = {}
    previous: dict[str, Any] | None = None
    # The lexer warns for a legacy literal; catch_warnings changes process-wide state (parse on one thread only).
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            for token in Lexer().tokenize(expression):
                if any(issubclass(warning.category, PendingDeprecationWarning) for warning in caught):
                    start = end = token["start"]  # the opening backtick (the token's "end" is not reliable)
                    while end + 1 < len(expression) and expression[end + 1] != "`":
                        end += 2 if expression[end + 1] == "\\" else 1
                    inner = expression[start + 1 : end + 1].strip()
                    text = inner.replace("'", "\\'")
                    raise ExpressionProblem(
                        f"`{inner}` is not a JSON value", start, hint=f"for text use single quotes: '{text}'"
                    )
                if token["type"] == "lparen" and previous is not None and previous["type"] == "unquoted_identifier":
                    calls.setdefault(previous["value"], previous["start"])
                previous = dict(token)
        except jmespath.exceptions.LexerError as exc:
            raise ExpressionProblem(getattr(exc, "message", "cannot read it"), exc.lex_position) from None
    return calls


def _check_tree(tree: Any, calls: dict[str, int]) -> None:
    """Refuse what JMESPath would only refuse when evaluating: unknown functions, wrong argument counts, a slice
    step of 0."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue  # a slice's bounds are plain numbers
        children = node.get("children", [])
        if node.get("type") == "function_expression":
            name = node["value"]
            spec = FUNCTIONS.get(name)
            if spec is None:
                close = difflib.get_close_matches(name, FUNCTIONS, n=1)
                guess = f"did you mean {close[0]}()?" if close else "functions: " + ", ".join(sorted(FUNCTIONS))
                raise ExpressionProblem(f"unknown function {name}()", calls.get(name), hint=guess)
            signature = spec["signature"]
            variadic = bool(signature) and bool(signature[-1].get("variadic"))
            if len(children) < len(signature) or (len(children) > len(signature) and not variadic):
                least = "at least " if variadic else ""
                plural = "" if len(signature) == 1 else "s"
                raise ExpressionProblem(
                    f"{name}() takes {least}{len(signature)} argument{plural}, not {len(children)}", calls.get(name)
                )
        if node.get("type") == "slice" and len(children) == 3 and children[2] == 0:
            raise ExpressionProblem("a slice step cannot be 0")
        stack.extend(reversed(children))  # the first mistake in reading order is the one reported
