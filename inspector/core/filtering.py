"""Filters over received messages: plain text over the payload, or a JMESPath expression over
``{message_id, time, payload}``. A bad expression is a ``ValidationError`` in words, never an exception."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import jmespath
import jmespath.exceptions

from inspector.core.errors import ValidationError

# A received message as the table keeps it: a plain tuple (seq, message_id, timestamp, payload JSON text, ...).
# Exact tuples of strings and numbers are not tracked by the garbage collector, so 100,000 of them add nothing to
# the pauses of its full collections; filters read them by position.
SEQ, MESSAGE_ID, TIMESTAMP, TEXT = range(4)
FilterableRow = Sequence[Any]
Predicate = Callable[[FilterableRow], bool]


class TextFilter:
    """Text in the payload's JSON (keys and values) or the message id, in smart case: a needle with a capital
    letter matches case exactly, an all-lowercase one ignores case."""

    def __init__(self, needle: str) -> None:
        self.exact = needle != needle.lower()
        self.ascii = needle.isascii()
        self.needle = needle if self.exact or self.ascii else needle.casefold()

    def __call__(self, row: FilterableRow) -> bool:
        return bool(self.matching([row]))

    def matching(self, rows: Sequence[Any]) -> list[int]:
        """The seqs of the matching rows: one comprehension, no call per row (the full-table filter's cost)."""
        needle = self.needle  # r[0] is the seq, r[1] the message id, r[3] the payload text (literal indexes: fast)
        if self.exact:
            return [r[0] for r in rows if needle in r[3] or needle in r[1]]
        if self.ascii:
            return [r[0] for r in rows if needle in r[3].lower() or needle in r[1].lower()]
        return [r[0] for r in rows if needle in r[3].casefold() or needle in r[1].casefold()]


def text_filter(needle: str) -> Predicate:
    return TextFilter(needle)


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


def jmespath_filter(expression: str) -> Predicate:
    """Rows for which the expression is truthy, e.g. ``payload.Name == 'Jane'`` or ``payload.total > `100```."""
    # The edit list's reading: it also refuses, before any row is matched, what JMESPath finds only while matching
    # (an unknown function, a wrong number of arguments) and a `text` literal that is not JSON.
    from inspector.core.transform import ExpressionProblem, compile_expression  # transform imports this module

    try:
        compiled = compile_expression(expression)
    except ExpressionProblem as problem:
        where = f" at column {problem.position + 1}" if problem.position is not None else ""
        raise ValidationError(
            f"{problem.reason}{where}",
            where="JMESPath",
            hint=problem.hint or "for example: payload.status == 'paid' && payload.total > `100`",
        ) from None

    def matches(row: FilterableRow) -> bool:
        document: dict[str, Any] = {
            "message_id": row[MESSAGE_ID],
            "time": datetime.fromtimestamp(row[TIMESTAMP], UTC).isoformat(),
            "payload": json.loads(row[TEXT]),
        }
        try:
            result = compiled.search(document)
        except (ValueError, TypeError, RecursionError):
            # A type error on one message is just no match: a JMESPathError (a ValueError), or the TypeError that
            # `payload.total > 'x'` raises from Python's comparison; RecursionError: a payload nested very deeply.
            return False
        return result not in (None, False, [], {}, "")

    return matches


def make_filter(mode: str, text: str) -> Predicate | None:
    """``mode`` is "text" or "jmespath"; an empty text means no filter."""
    if not text.strip():
        return None
    if mode == "jmespath":
        return jmespath_filter(text.strip())
    return text_filter(text)
