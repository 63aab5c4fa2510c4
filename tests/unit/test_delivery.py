"""An item's delivery is a type, not words: ``Delivery`` says whether it may be sent again, ``error_words`` says
it as the CLI prints it and the history and the replay journal keep it, and replay re-queues by the type alone."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from inspector.core.models import Delivery, ItemResult, Outcome
from inspector.core.ratelimit import RateLimiter
from inspector.core.regions import custom_endpoint
from inspector.core.replay import JobState, Journal, ReplayItem, run_job
from inspector.core.services.workato import EventStreamsClient

BASE = "https://event-streams.example.test"
DESTINATION = {"profile": "P", "topic": 7, "label": "P / topic 7", "events_url": BASE}


@pytest.mark.parametrize(
    ("delivery", "words"),
    [
        (Delivery.NOT_SENT, "not sent: token rejected"),
        (Delivery.MAYBE, "unknown — may have been published: timed out"),
        (Delivery.DELIVERED, "token rejected"),
    ],
)
def test_the_words_say_the_delivery_before_the_reason(delivery: Delivery, words: str) -> None:
    reason = words.rpartition(": ")[2] if delivery is not Delivery.DELIVERED else words
    result = ItemResult(3, Outcome.FAILED, error=reason, delivery=delivery)
    assert result.error == reason
    assert result.error_words == words
    assert result.to_json() == {"index": 3, "result": "failed", "error": words}


def test_a_result_without_an_error_has_no_words() -> None:
    result = ItemResult(0, Outcome.SUCCESS, message_id="m1", delivery=Delivery.DELIVERED)
    assert result.error_words is None
    assert result.to_json() == {"index": 0, "result": "success", "message_id": "m1"}


def test_stored_words_read_back_as_they_were_and_never_as_not_sent() -> None:
    maybe = ItemResult(1, Outcome.UNKNOWN, error="timed out", delivery=Delivery.MAYBE)
    back = ItemResult.stored(1, "unknown", None, maybe.error_words)
    assert (back.delivery, back.error, back.error_words) == (Delivery.MAYBE, "timed out", maybe.error_words)
    not_sent = ItemResult(2, Outcome.FAILED, error="cancelled", delivery=Delivery.NOT_SENT)
    back = ItemResult.stored(2, "failed", None, not_sent.error_words)
    assert (back.delivery, back.error_words) == (Delivery.DELIVERED, "not sent: cancelled")
    assert ItemResult.stored(0, "success", "m1", None) == ItemResult(0, Outcome.SUCCESS, "m1")


def client(answer: httpx.Response) -> EventStreamsClient:
    http = httpx.AsyncClient(base_url=BASE, transport=httpx.MockTransport(lambda _request: answer))
    return EventStreamsClient(custom_endpoint(BASE), "tok", http=http, limiter=RateLimiter(0))


async def test_an_answered_item_whose_words_start_with_not_sent_is_not_requeued(tmp_path: Path) -> None:
    server_words = "not sent: the server's own words for a refused payload"
    answer = httpx.Response(
        200,
        json={
            "is_partial_error": True,
            "message_ids": {
                "0": {"result": "success", "message_id": "M0"},
                "1": {"result": "failed", "error": server_words},
                "2": {"result": "success", "message_id": "M2"},
            },
        },
    )
    journal = Journal(tmp_path / "replay.sqlite")
    job = journal.create("test", DESTINATION, [ReplayItem({"n": n}) for n in range(3)])
    info = await run_job(client(answer), journal, job)
    assert (info.published, info.failed, info.pending, info.state) == (2, 1, 0, JobState.FAILED)
    assert journal.pending(job) == []
    assert journal.results(job)[1]["error"] == server_words  # the server's words, kept as they came
    journal.close()


async def test_items_not_sent_are_pending_again(tmp_path: Path) -> None:
    answer = httpx.Response(401, json={"message": "bad token"})
    journal = Journal(tmp_path / "replay.sqlite")
    job = journal.create("test", DESTINATION, [ReplayItem({"n": n}) for n in range(3)])
    info = await run_job(client(answer), journal, job)
    assert (info.published, info.failed, info.pending, info.state) == (0, 0, 3, JobState.PAUSED)
    assert [index for index, _ in journal.pending(job)] == [0, 1, 2]
    assert journal.report(job)["not_sent"] == 3
    journal.close()
