"""Typed results of the Event Streams API."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

JsonObject = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Message:
    """One consumed message. ``time_text`` keeps the server's own spelling of ``time`` for faithful export."""

    message_id: str
    time: datetime
    payload: JsonObject
    time_text: str = field(default="", compare=False)

    def to_json(self) -> JsonObject:
        return {"message_id": self.message_id, "time": self.time_text or self.time.isoformat(), "payload": self.payload}

    def to_json_line(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":"))


class Outcome(StrEnum):
    SUCCESS = "success"
    FAILED = "failed"
    UNKNOWN = "unknown"  # the request may have been stored: never retried silently


@dataclass(frozen=True, slots=True)
class ItemResult:
    """The outcome of one input item of a publish, by its index in the caller's list."""

    index: int
    outcome: Outcome
    message_id: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.SUCCESS

    def to_json(self) -> JsonObject:
        data: JsonObject = {"index": self.index, "result": self.outcome.value}
        if self.message_id is not None:
            data["message_id"] = self.message_id
        if self.error is not None:
            data["error"] = self.error
        return data


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
