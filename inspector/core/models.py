"""Typed results of the Event Streams API."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from inspector.core.timeparse import format_time

JsonObject = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Message:
    """One consumed message. ``time_text`` keeps the server's own spelling of ``time`` for faithful export."""

    message_id: str
    time: datetime
    payload: JsonObject
    time_text: str = field(default="", compare=False)

    @property
    def time_rfc3339(self) -> str:
        """The time as an export writes it: the server's own spelling, or the API's (UTC, ms, +00:00) if unknown."""
        return self.time_text or format_time(self.time)

    def to_json(self) -> JsonObject:
        return {"message_id": self.message_id, "time": self.time_rfc3339, "payload": self.payload}

    def to_json_line(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":"))


class Outcome(StrEnum):
    SUCCESS = "success"
    FAILED = "failed"
    UNKNOWN = "unknown"  # the request may have been stored: never retried silently


class Delivery(StrEnum):
    """Whether an item reached the server: what decides if it may be sent again."""

    NOT_SENT = "not sent"  # certainly not stored: safe to send again
    MAYBE = "maybe"  # may have been stored (timeout after sending, 5xx): the outcome is unknown, never re-sent silently
    DELIVERED = "delivered"  # the server answered for it: stored, or refused


# The words a result's error starts with, by delivery (what the CLI prints, the history and the journal keep).
_DELIVERY_WORDS = {Delivery.NOT_SENT: "not sent: ", Delivery.MAYBE: "unknown — may have been published: "}


@dataclass(frozen=True, slots=True)
class ItemResult:
    """The outcome of one input item of a publish, by its index in the caller's list.

    ``error`` is the reason alone (the server's words, or why nothing was sent); ``error_words`` says it with
    the item's delivery, as it is printed and stored."""

    index: int
    outcome: Outcome
    message_id: str | None = None
    error: str | None = None
    delivery: Delivery = Delivery.DELIVERED

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.SUCCESS

    @property
    def error_words(self) -> str | None:
        """``not sent: <reason>``, ``unknown — may have been published: <reason>``, or the reason."""
        if self.error is None:
            return None
        return _DELIVERY_WORDS.get(self.delivery, "") + self.error

    def to_json(self) -> JsonObject:
        data: JsonObject = {"index": self.index, "result": self.outcome.value}
        if self.message_id is not None:
            data["message_id"] = self.message_id
        if self.error is not None:
            data["error"] = self.error_words
        return data

    @classmethod
    def stored(cls, index: int, outcome: str, message_id: str | None, words: str | None) -> ItemResult:
        """A result read back from the history or the replay journal, which keep ``error_words``.

        An unknown item's words give back its MAYBE delivery (so its reason alone shows as it did); nothing comes
        back NOT_SENT, the one delivery that lets an item be sent again."""
        result = Outcome(outcome)
        maybe = _DELIVERY_WORDS[Delivery.MAYBE]
        if result is Outcome.UNKNOWN and words is not None and words.startswith(maybe):
            return cls(index, result, message_id, words.removeprefix(maybe), Delivery.MAYBE)
        return cls(index, result, message_id, words)


def outcome_counts(results: Iterable[ItemResult]) -> dict[Outcome, int]:
    """How many results ended in each outcome (every outcome present, zero or not)."""
    counts = dict.fromkeys(Outcome, 0)
    for result in results:
        counts[result.outcome] += 1
    return counts


@dataclass(frozen=True, slots=True)
class BatchResult:
    """The answer to one batch publish request: one entry per payload, in input order."""

    items: tuple[ItemResult, ...]
    is_partial_error: bool

    @property
    def succeeded(self) -> int:
        return sum(1 for item in self.items if item.ok)

    @property
    def failed(self) -> int:
        return len(self.items) - self.succeeded


@dataclass(frozen=True, slots=True)
class Topic:
    """A topic as the Developer API describes it. ``schema`` is Workato's field list, when known."""

    id: int
    name: str
    description: str = ""
    retention_secs: int | None = None
    schema: list[JsonObject] | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
