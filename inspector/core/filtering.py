"""Filters over received messages: plain text over the payload, or a JMESPath expression over
``{message_id, time, payload}``. A bad expression is a ``ValidationError`` in words, never an exception."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from inspector.core.errors import ValidationError
from inspector.core.expressions import ExpressionProblem, compile_expression

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


def jmespath_filter(expression: str) -> Predicate:
    """Rows for which the expression is truthy, e.g. ``payload.Name == 'Jane'`` or ``payload.total > `100```."""
    # Read as the edit list reads it: refused before any row is matched, with the same words.
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
