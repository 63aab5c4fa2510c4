"""Publishing lists of any length: checked up front, sent in order in chunks, one result per input item."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from inspector.core.backoff import Backoff
from inspector.core.errors import (
    AuthError,
    BadRequestError,
    InspectorError,
    NotFoundError,
    PublishInputError,
    RateLimitedError,
    TransportError,
    ValidationError,
    is_retryable,
    outcome_unknown,
)
from inspector.core.models import Delivery, ItemResult, Outcome
from inspector.core.services.api import SupportsPublish, SupportsPublishBatch, can_publish_batch
from inspector.core.validation import MAX_BATCH_ITEMS, check_topic_id, chunk_encoded, encode_payload


@dataclass(frozen=True, slots=True)
class Progress:
    done: int  # items with a result
    total: int
    chunk: int  # 1-based number of the chunk just finished
    chunks: int


def encode_all(payloads: Sequence[object], *, number_from: int = 0) -> list[bytes]:
    """Check every item before anything is sent; raise ``PublishInputError`` naming each bad item.

    Items are named by their 0-based index, as the CLI's JSON numbers them; the window counts from 1
    (``number_from=1``)."""
    encoded, problems = [], []
    for index, payload in enumerate(payloads, start=number_from):
        try:
            encoded.append(encode_payload(payload, where=f"item {index}"))
        except ValidationError as exc:
            problems.append(exc)
    if problems:
        raise PublishInputError(problems)
    return encoded


async def publish_all(
    client: SupportsPublish,
    topic_id: int,
    payloads: Sequence[object],
    *,
    indices: Sequence[int] | None = None,
    on_progress: Callable[[Progress, list[ItemResult]], None] | None = None,
    cancel: asyncio.Event | None = None,
    max_attempts: int = 6,
    backoff: Backoff | None = None,
) -> list[ItemResult]:
    """Publish ``payloads`` in order and return one ``ItemResult`` per item, by input index.

    Batches of <= 100 items (and <= 1 MB) where the endpoint has batch publish, single requests otherwise.
    A request that was certainly not processed (connection refused, 429) is retried; one whose outcome is
    unknown (timeout after sending, 5xx, unreadable answer) marks its items ``unknown`` and is never repeated.
    ``indices`` gives the caller's numbering (for "retry failed items"). ``cancel`` stops after the current chunk.
    """
    encoded = encode_all(payloads)
    return await publish_encoded_all(
        client,
        topic_id,
        encoded,
        indices=indices,
        on_progress=on_progress,
        cancel=cancel,
        max_attempts=max_attempts,
        backoff=backoff,
    )


async def publish_encoded_all(
    client: SupportsPublish,
    topic_id: int,
    encoded: Sequence[bytes],
    *,
    indices: Sequence[int] | None = None,
    on_progress: Callable[[Progress, list[ItemResult]], None] | None = None,
    cancel: asyncio.Event | None = None,
    max_attempts: int = 6,
    backoff: Backoff | None = None,
    on_sent: Callable[[], None] | None = None,
) -> list[ItemResult]:
    """``publish_all`` for items already checked and encoded by ``encode_all`` (a replay journal keeps them so).

    ``on_sent`` is called when a request is on the wire (the replay journal works while the answer is awaited)."""
    topic_id = check_topic_id(topic_id)
    encoded = list(encoded)
    numbers = list(indices) if indices is not None else list(range(len(encoded)))
    if len(numbers) != len(encoded):
        raise ValueError("indices must match payloads one to one")
    batcher = client if can_publish_batch(client) else None
    chunks = list(chunk_encoded(encoded, max_items=MAX_BATCH_ITEMS if batcher is not None else 1))
    results: list[ItemResult] = []
    backoff = backoff or Backoff(base=0.5, cap=10.0)
    for number, span in enumerate(chunks, start=1):
        if cancel is not None and cancel.is_set():
            results += _all(span, numbers, Outcome.FAILED, "cancelled", Delivery.NOT_SENT)
            continue
        chunk_results, fatal = await _send_chunk(
            client, batcher, topic_id, encoded, span, numbers, max_attempts, backoff, on_sent
        )
        results += chunk_results
        if fatal is not None:  # 401/404: no later chunk can succeed either
            for later in chunks[number:]:
                results += _all(later, numbers, Outcome.FAILED, fatal.message, Delivery.NOT_SENT)
        if on_progress is not None:
            on_progress(Progress(len(results), len(encoded), number, len(chunks)), chunk_results)
        if fatal is not None:
            break
    return results


async def _send_chunk(
    client: SupportsPublish,
    batcher: SupportsPublishBatch | None,
    topic_id: int,
    encoded: list[bytes],
    span: range,
    numbers: list[int],
    max_attempts: int,
    backoff: Backoff,
    on_sent: Callable[[], None] | None = None,
) -> tuple[list[ItemResult], InspectorError | None]:
    """Send one chunk (through ``batcher`` when the client publishes batches here); the second value is an error
    that makes every later chunk futile (401, 404)."""
    backoff.reset()
    for attempt in range(1, max_attempts + 1):
        try:
            if batcher is not None and len(span) > 1:  # a lone item goes as a single publish: its body is the payload
                answer = await batcher.publish_encoded_batch(topic_id, [encoded[i] for i in span], on_sent=on_sent)
                return [
                    ItemResult(numbers[span[r.index]], r.outcome, r.message_id, r.error, r.delivery)
                    for r in answer.items
                ], None
            message_id = await client.publish_encoded(topic_id, encoded[span[0]], on_sent=on_sent)
            return [ItemResult(numbers[span[0]], Outcome.SUCCESS, message_id=message_id)], None
        except RateLimitedError:
            continue  # not processed; the shared limiter waits out Retry-After
        except TransportError as exc:
            if exc.maybe_sent:
                return _all(span, numbers, Outcome.UNKNOWN, exc.message, Delivery.MAYBE), None
            if attempt == max_attempts or not is_retryable(exc):  # a certificate not trusted: later chunks too
                return _all(span, numbers, Outcome.FAILED, exc.message, Delivery.NOT_SENT), (
                    None if is_retryable(exc) else exc
                )
            await asyncio.sleep(backoff.next_delay())
        except (AuthError, NotFoundError) as exc:
            return _all(span, numbers, Outcome.FAILED, exc.message, Delivery.NOT_SENT), exc
        except BadRequestError as exc:
            return _all(span, numbers, Outcome.FAILED, exc.server_message or exc.message), None
        except InspectorError as exc:
            if outcome_unknown(exc):
                return _all(span, numbers, Outcome.UNKNOWN, exc.message, Delivery.MAYBE), None
            return _all(span, numbers, Outcome.FAILED, exc.message), None
    return _all(span, numbers, Outcome.FAILED, "still rate limited after several attempts", Delivery.NOT_SENT), None


def _all(
    span: range, numbers: list[int], outcome: Outcome, error: str, delivery: Delivery = Delivery.DELIVERED
) -> list[ItemResult]:
    return [ItemResult(numbers[i], outcome, error=error, delivery=delivery) for i in span]
