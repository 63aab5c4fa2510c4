"""Filters over received messages: plain text over the payload, or a JMESPath expression over
``{message_id, time, payload}``. A bad expression is a ``ValidationError`` in words, never an exception.
``SchemaFilter`` keeps the rows whose payload does not match the topic's current schema, alone or with another."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson

from inspector.core.errors import ValidationError
from inspector.core.expressions import ExpressionProblem, compile_expression
from inspector.core.fieldlist import Field, PayloadProblem, payload_problems
from inspector.core.rows import MESSAGE_ID, SEQ, TEXT, TIMESTAMP, RawRow


class RowFilter(ABC):
    """A filter over the table's rows (``inspector.core.rows``), asked alike whatever its kind: ``matching`` gives
    the seqs of the matching rows of a slice of the table, a call says whether one row matches."""

    @abstractmethod
    def __call__(self, row: RawRow) -> bool: ...

    def matching(self, rows: Sequence[RawRow]) -> list[int]:
        """The seqs of the matching rows, in order."""
        return [row[SEQ] for row in rows if self(row)]


class TextFilter(RowFilter):
    """Text in the payload's JSON (keys and values) or the message id, in smart case: a needle with a capital
    letter matches case exactly, an all-lowercase one ignores case."""

    def __init__(self, needle: str) -> None:
        self.exact = needle != needle.lower()
        self.ascii = needle.isascii()
        self.needle = needle if self.exact or self.ascii else needle.casefold()

    def __call__(self, row: RawRow) -> bool:
        return bool(self.matching([row]))

    def matching(self, rows: Sequence[RawRow]) -> list[int]:
        """One comprehension, no call per row: the cost of filtering the whole table."""
        needle = self.needle
        if self.exact:
            return [r[SEQ] for r in rows if needle in r[TEXT] or needle in r[MESSAGE_ID]]
        if self.ascii:
            return [r[SEQ] for r in rows if needle in r[TEXT].lower() or needle in r[MESSAGE_ID].lower()]
        return [r[SEQ] for r in rows if needle in r[TEXT].casefold() or needle in r[MESSAGE_ID].casefold()]

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Where the needle is in ``text`` (start, end), matched as ``matching`` does: for highlighting."""
        hay = text if self.exact else text.lower() if self.ascii else text.casefold()
        if len(hay) != len(text) or not self.needle:
            return []  # lower() or casefold() changed the length (ß → ss): positions would not line up
        found, start = [], hay.find(self.needle)
        while start >= 0:
            found.append((start, start + len(self.needle)))
            start = hay.find(self.needle, start + len(self.needle))
        return found


class JmesPathFilter(RowFilter):
    """Rows for which the expression is truthy over ``{message_id, time, payload}``, e.g. ``payload.Name == 'Jane'``
    or ``payload.total > `100```."""

    def __init__(self, expression: str) -> None:
        # Read as the edit list reads it: refused before any row is matched, with the same words.
        try:
            self.compiled = compile_expression(expression)
        except ExpressionProblem as problem:
            where = f" at column {problem.position + 1}" if problem.position is not None else ""
            raise ValidationError(
                f"{problem.reason}{where}",
                where="JMESPath",
                hint=problem.hint or "for example: payload.status == 'paid' && payload.total > `100`",
            ) from None

    def __call__(self, row: RawRow) -> bool:
        document: dict[str, Any] = {
            "message_id": row[MESSAGE_ID],
            "time": datetime.fromtimestamp(row[TIMESTAMP], UTC).isoformat(),
            "payload": json.loads(row[TEXT]),
        }
        try:
            result = self.compiled.search(document)
        except (ValueError, TypeError, RecursionError):
            # A type error on one message is just no match: a JMESPathError (a ValueError), or the TypeError that
            # `payload.total > 'x'` raises from Python's comparison; RecursionError: a payload nested very deeply.
            return False
        return result not in (None, False, [], {}, "")


def row_problems(fields: Sequence[Field], row: RawRow, *, limit: int = 20) -> list[PayloadProblem]:
    """Why a row's payload does not match ``fields`` (a topic's field list), at most ``limit``; empty: it matches."""
    text = row[TEXT]
    try:
        payload = orjson.loads(text)  # ~3x faster than json at this
    except orjson.JSONDecodeError:  # what json reads and orjson does not: integers beyond 64 bits, lone surrogates
        try:
            payload = json.loads(text)
        except RecursionError:
            return [PayloadProblem("", "the payload is nested too deeply to check")]
    return payload_problems(fields, payload, limit=limit)


class SchemaFilter(RowFilter):
    """The rows whose payload does not match ``fields`` (the topic's current schema), among the rows ``within``
    matches when given (a text or JMESPath filter): the topic tab's "Schema violations only"."""

    def __init__(self, fields: Sequence[Field], within: RowFilter | None = None) -> None:
        self.fields = tuple(fields)
        self.within = within

    def __call__(self, row: RawRow) -> bool:
        return (self.within is None or self.within(row)) and bool(row_problems(self.fields, row, limit=1))

    def matching(self, rows: Sequence[RawRow]) -> list[int]:
        if self.within is not None:
            kept = set(self.within.matching(rows))
            rows = [row for row in rows if row[SEQ] in kept]
        fields = self.fields
        return [row[SEQ] for row in rows if row_problems(fields, row, limit=1)]


def make_filter(mode: str, text: str) -> RowFilter | None:
    """``mode`` is "text" or "jmespath"; an empty text means no filter."""
    if not text.strip():
        return None
    if mode == "jmespath":
        return JmesPathFilter(text.strip())
    return TextFilter(text)
