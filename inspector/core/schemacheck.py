"""Test a schema change first: check a topic's retained messages against a new field list, in slices.

``SchemaTest`` checks messages (an id and a payload each) a slice at a time, so a window can show progress between
slices and cancel; ``retained_messages`` reads a topic from its first retained message until it is caught up;
``check_schema_change`` does both. ``SchemaTest.summary()`` says the answer in one sentence:
"this change would refuse 37 of the 1,000 messages in the topic — first: message AbC12, `customer.email` is
required".
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from inspector.core.fieldlist import Field, PayloadProblem, payload_problems
from inspector.core.models import Message
from inspector.core.validation import MAX_CONSUME_BATCH

SLICE = 500  # messages checked between two progress reports (about a millisecond or two of work)
MAX_KEPT = 10_000  # refusals kept for showing; beyond, only counted


@dataclass(frozen=True, slots=True)
class Refusal:
    """One message the new schema would refuse: its id (or a name such as "history item 3"), and why."""

    message_id: str
    problems: tuple[PayloadProblem, ...]

    @property
    def path(self) -> str:
        return self.problems[0].path

    @property
    def words(self) -> str:
        return self.problems[0].words

    def to_json(self) -> dict[str, Any]:
        return {
            "message_id": self.message_id,
            "problems": [{"path": problem.path, "error": problem.words} for problem in self.problems],
        }


class SchemaTest:
    """Messages checked against ``fields`` so far: how many, how many refused, the refusals (the first
    ``MAX_KEPT``). ``where`` names what was read ("the topic", "the topic and the Publish history")."""

    def __init__(self, fields: Sequence[Field], *, where: str = "the topic") -> None:
        self.fields = tuple(fields)
        self.where = where
        self.checked = 0
        self.refused = 0
        self.refusals: list[Refusal] = []
        self.complete = False  # set by whoever read everything there was (not when cancelled)

    @property
    def first(self) -> Refusal | None:
        return self.refusals[0] if self.refusals else None

    def check(self, messages: Iterable[tuple[str, object]]) -> list[Refusal]:
        """Check one slice of ``(message_id, payload)``; returns the refusals found in it."""
        found = []
        for message_id, payload in messages:
            self.checked += 1
            problems = payload_problems(self.fields, payload)
            if problems:
                self.refused += 1
                refusal = Refusal(message_id, tuple(problems))
                found.append(refusal)
                if len(self.refusals) < MAX_KEPT:
                    self.refusals.append(refusal)
        return found

    def check_messages(self, messages: Sequence[Message]) -> list[Refusal]:
        return self.check((message.message_id, message.payload) for message in messages)

    def summary(self) -> str:
        """The answer in one sentence (it says so when the reading was stopped before the end)."""
        if not self.checked:
            return f"{self.where} holds no messages to test this change against"
        total = f"{self.checked:,} message" if self.checked == 1 else f"{self.checked:,} messages"
        scope = f"the {total} in {self.where}" if self.complete else f"the first {total} read from {self.where}"
        if not self.refused:
            return f"this change would refuse none of {scope}"
        first = self.refusals[0]
        return (
            f"this change would refuse {self.refused:,} of {scope} — first: message {first.message_id}, {first.words}"
        )


def slices(items: Sequence[Any], size: int = SLICE) -> Iterable[Sequence[Any]]:
    """``items`` in slices of ``size``: the unit of work between two progress reports."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Consumer(Protocol):
    async def consume(
        self,
        topic_id: int,
        *,
        after_message_id: str | None = ...,
        batch_size: int = ...,
        timeout_secs: int = ...,
    ) -> list[Message]: ...


async def retained_messages(client: Consumer, topic_id: int) -> AsyncIterator[list[Message]]:
    """The topic's retained messages, from the first, a batch (up to 50) at a time, until caught up (an empty
    answer). Each request waits for a slot of the client's rate limit; cancelling the consumer stops the reading."""
    cursor: str | None = None
    seen: set[str] = set()
    while True:
        batch = await client.consume(topic_id, after_message_id=cursor, batch_size=MAX_CONSUME_BATCH, timeout_secs=0)
        fresh = [message for message in batch if message.message_id not in seen]
        if not fresh:
            return
        seen.update(message.message_id for message in fresh)
        cursor = fresh[-1].message_id
        yield fresh


async def check_schema_change(
    client: Consumer,
    topic_id: int,
    fields: Sequence[Field],
    *,
    extra: Sequence[tuple[str, object]] = (),
    on_progress: Callable[[SchemaTest, list[Refusal]], None] | None = None,
) -> SchemaTest:
    """Read every retained message of the topic and check it against ``fields``; ``extra`` are more payloads to
    check first (the Publish panel's history for this topic, named as the user knows them). ``on_progress`` is
    called after each slice with the test so far and the slice's refusals."""
    test = SchemaTest(fields, where="the topic" if not extra else "the topic and the Publish history")
    for part in slices(list(extra)):
        found = test.check(part)
        if on_progress:
            on_progress(test, found)
    async for batch in retained_messages(client, topic_id):
        found = test.check_messages(batch)
        if on_progress:
            on_progress(test, found)
    test.complete = True
    return test
