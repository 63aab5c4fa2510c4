"""Checks made before anything is sent: topic ids, payload and batch sizes, chunking, consume options."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta, timezone

import pytest

from inspector.core.errors import ValidationError
from inspector.core.validation import (
    MAX_BATCH_ITEMS,
    MAX_BODY_BYTES,
    MAX_CONSUME_BATCH,
    MAX_WAIT_SECS,
    batch_body,
    batch_body_size,
    check_batch,
    check_topic_id,
    chunk_encoded,
    consume_body,
    encode_json,
    encode_payload,
    human_bytes,
)

EMPTY_OBJECT_WITH_KEY = len(b'{"a":""}')


def payload_of_size(size: int) -> dict[str, str]:
    """An object whose compact JSON encoding is exactly ``size`` bytes."""
    return {"a": "x" * (size - EMPTY_OBJECT_WITH_KEY)}


# --- check_topic_id -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, 1), (42, 42), (10**12, 10**12), ("7", 7), (" 15 ", 15), ("007", 7), ("123456789", 123456789)],
)
def test_topic_id_accepted(value: object, expected: int) -> None:
    result = check_topic_id(value)
    assert result == expected
    assert type(result) is int


@pytest.mark.parametrize(
    "value",
    [0, -1, -100, "0", "-3", "+3", True, False, 1.0, 2.5, "abc", "", "  ", "1.0", "1e3", "١٢", "²", "１２", None, [1]],
)
def test_topic_id_refused(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        check_topic_id(value, where="topic_id")
    assert caught.value.where == "topic_id"
    assert repr(value) in caught.value.message
    assert caught.value.hint


# --- encode_payload -------------------------------------------------------------------------------------------


def test_encode_payload_is_compact_utf8() -> None:
    body = encode_payload({"name": "Zoë", "n": [1, 2]})
    assert body == '{"name":"Zoë","n":[1,2]}'.encode()
    assert json.loads(body) == {"name": "Zoë", "n": [1, 2]}


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ([1, 2], "an array"),
        ("text", "a string"),
        (3, "a number"),
        (2.5, "a number"),
        (True, "a boolean"),
        (None, "null"),
    ],
)
def test_encode_payload_refuses_non_objects(value: object, named: str) -> None:
    with pytest.raises(ValidationError) as caught:
        encode_payload(value, where="item 4")
    assert caught.value.where == "item 4"
    assert f"got {named}" in caught.value.message
    assert "JSON object" in caught.value.message


@pytest.mark.parametrize("value", [{"x": float("nan")}, {"x": float("inf")}, {"x": object()}, {"x": {1, 2}}])
def test_encode_payload_refuses_unencodable(value: object) -> None:
    with pytest.raises(ValidationError, match="cannot be encoded as JSON"):
        encode_payload(value)


def test_exactly_one_mib_is_accepted() -> None:
    body = encode_payload(payload_of_size(MAX_BODY_BYTES))
    assert len(body) == MAX_BODY_BYTES


def test_one_byte_over_is_refused_with_the_excess() -> None:
    with pytest.raises(ValidationError) as caught:
        encode_payload(payload_of_size(MAX_BODY_BYTES + 1))
    assert caught.value.where == "payload"
    assert "1 byte over the 1 MB limit" in caught.value.message
    assert caught.value.hint


def test_size_counts_utf8_bytes_not_characters() -> None:
    # "é" is two bytes in UTF-8: half as many characters reach the limit.
    chars = (MAX_BODY_BYTES - EMPTY_OBJECT_WITH_KEY) // 2 + 1
    with pytest.raises(ValidationError, match="over the 1 MB limit"):
        encode_payload({"a": "é" * chars})


def test_far_over_reports_kilobytes() -> None:
    with pytest.raises(ValidationError) as caught:
        encode_payload(payload_of_size(MAX_BODY_BYTES + 2048))
    assert "2.0 KB over" in caught.value.message


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0 bytes"), (1023, "1023 bytes"), (1024, "1.0 KB"), (1536, "1.5 KB"), (MAX_BODY_BYTES, "1.00 MB")],
)
def test_human_bytes(size: int, text: str) -> None:
    assert human_bytes(size) == text


# --- check_batch ----------------------------------------------------------------------------------------------


def test_check_batch_returns_each_items_bytes() -> None:
    items = [{"i": i} for i in range(3)]
    encoded = check_batch(items)
    assert encoded == [encode_json(item) for item in items]


def test_check_batch_accepts_a_tuple_and_the_maximum() -> None:
    assert len(check_batch(tuple({"i": i} for i in range(MAX_BATCH_ITEMS)))) == MAX_BATCH_ITEMS


@pytest.mark.parametrize("count", [0, MAX_BATCH_ITEMS + 1])
def test_check_batch_refuses_counts_outside_1_to_100(count: int) -> None:
    with pytest.raises(ValidationError) as caught:
        check_batch([{"i": i} for i in range(count)])
    assert caught.value.where == "payloads"
    assert f"has {count} items" in caught.value.message
    assert "1 to 100" in caught.value.message


def test_check_batch_refuses_non_lists() -> None:
    with pytest.raises(ValidationError, match="must be a list of objects, got an object"):
        check_batch({"a": 1})  # type: ignore[arg-type]


def test_check_batch_names_the_bad_item() -> None:
    with pytest.raises(ValidationError) as caught:
        check_batch([{"ok": 1}, {"ok": 2}, "oops", {"ok": 3}])
    assert caught.value.where == "item 2"
    assert "got a string" in caught.value.message


def test_check_batch_names_an_oversized_item() -> None:
    with pytest.raises(ValidationError) as caught:
        check_batch([{"ok": 1}, payload_of_size(MAX_BODY_BYTES + 10)])
    assert caught.value.where == "item 1"
    assert "over the 1 MB limit" in caught.value.message


def test_check_batch_refuses_a_body_over_the_limit() -> None:
    items = [payload_of_size(400_000) for _ in range(3)]
    with pytest.raises(ValidationError) as caught:
        check_batch(items)
    assert caught.value.where == "payloads"
    assert "the batch body is" in caught.value.message
    assert "over the 1 MB limit" in caught.value.message


def test_check_batch_body_exactly_at_the_limit_is_accepted() -> None:
    overhead = len(b'{"payloads":[]}') + 1  # two items, one comma
    first = MAX_BODY_BYTES // 2
    second = MAX_BODY_BYTES - overhead - first
    encoded = check_batch([payload_of_size(first), payload_of_size(second)])
    assert len(batch_body(encoded)) == MAX_BODY_BYTES
    with pytest.raises(ValidationError, match="1 byte over"):
        check_batch([payload_of_size(first), payload_of_size(second + 1)])


# --- batch_body / chunk_encoded -------------------------------------------------------------------------------


def test_batch_body_is_the_json_the_api_expects() -> None:
    encoded = [encode_json({"a": 1}), encode_json({"b": [2]})]
    body = batch_body(encoded)
    assert body == b'{"payloads":[{"a":1},{"b":[2]}]}'
    assert json.loads(body) == {"payloads": [{"a": 1}, {"b": [2]}]}


def test_batch_body_size_matches_batch_body_for_random_inputs() -> None:
    rng = random.Random(1234)
    for _ in range(200):
        encoded = [rng.randbytes(rng.randint(0, 50)) for _ in range(rng.randint(0, 30))]
        assert batch_body_size(encoded) == len(batch_body(encoded))


def test_250_small_items_chunk_100_100_50_in_order() -> None:
    encoded = [encode_json({"i": i}) for i in range(250)]
    chunks = list(chunk_encoded(encoded))
    assert chunks == [range(0, 100), range(100, 200), range(200, 250)]
    assert [i for chunk in chunks for i in chunk] == list(range(250))


def test_chunk_encoded_respects_max_items() -> None:
    encoded = [b"{}"] * 5
    assert list(chunk_encoded(encoded, max_items=1)) == [range(i, i + 1) for i in range(5)]
    assert list(chunk_encoded(encoded, max_items=2)) == [range(0, 2), range(2, 4), range(4, 5)]


def test_chunk_encoded_of_nothing_is_nothing() -> None:
    assert list(chunk_encoded([])) == []


def test_items_near_400kb_are_split_by_bytes() -> None:
    encoded = [encode_payload(payload_of_size(400_000 + i)) for i in range(7)]
    chunks = list(chunk_encoded(encoded))
    assert [len(chunk) for chunk in chunks] == [2, 2, 2, 1]
    assert [i for chunk in chunks for i in chunk] == list(range(7))
    for chunk in chunks:
        assert len(batch_body([encoded[i] for i in chunk])) <= MAX_BODY_BYTES


def test_chunks_fill_up_to_exactly_the_limit() -> None:
    overhead = len(b'{"payloads":[]}') + 1
    first = 600_000
    second = MAX_BODY_BYTES - overhead - first
    encoded = [encode_json(payload_of_size(first)), encode_json(payload_of_size(second)), b"{}"]
    chunks = list(chunk_encoded(encoded))
    assert chunks == [range(0, 2), range(2, 3)]
    assert len(batch_body(encoded[:2])) == MAX_BODY_BYTES


def test_random_mixes_never_exceed_count_or_bytes() -> None:
    rng = random.Random(99)
    for _ in range(20):
        sizes = [rng.choice([2, 50, 5_000, 90_000, 300_000]) for _ in range(rng.randint(1, 300))]
        encoded = [b"x" * size for size in sizes]
        chunks = list(chunk_encoded(encoded))
        assert [i for chunk in chunks for i in chunk] == list(range(len(encoded)))
        for chunk in chunks:
            assert 1 <= len(chunk) <= MAX_BATCH_ITEMS
            assert batch_body_size([encoded[i] for i in chunk]) <= MAX_BODY_BYTES


# --- consume_body ---------------------------------------------------------------------------------------------


def test_consume_body_defaults() -> None:
    assert consume_body() == {"batch_size": MAX_CONSUME_BATCH, "timeout_secs": 0}


def test_consume_body_after_message_id() -> None:
    body = consume_body(after_message_id="m-1", batch_size=5, timeout_secs=30)
    assert body == {"batch_size": 5, "timeout_secs": 30, "after_message_id": "m-1"}


def test_after_and_since_are_exclusive() -> None:
    with pytest.raises(ValidationError) as caught:
        consume_body(after_message_id="m-1", since_time="2024-05-01T12:30:00Z")
    assert caught.value.where == "consume"
    assert "cannot be used together" in caught.value.message


@pytest.mark.parametrize("size", [1, 25, MAX_CONSUME_BATCH])
def test_batch_size_in_range(size: int) -> None:
    assert consume_body(batch_size=size)["batch_size"] == size


@pytest.mark.parametrize("size", [0, -1, MAX_CONSUME_BATCH + 1, True, 10.0, "10", None])
def test_batch_size_out_of_range(size: object) -> None:
    with pytest.raises(ValidationError) as caught:
        consume_body(batch_size=size)  # type: ignore[arg-type]
    assert caught.value.where == "batch_size"
    assert repr(size) in caught.value.message


@pytest.mark.parametrize("secs", [0, 1, MAX_WAIT_SECS])
def test_timeout_in_range(secs: int) -> None:
    assert consume_body(timeout_secs=secs)["timeout_secs"] == secs


@pytest.mark.parametrize("secs", [-1, MAX_WAIT_SECS + 1, False, True, 1.5, "5"])
def test_timeout_out_of_range(secs: object) -> None:
    with pytest.raises(ValidationError) as caught:
        consume_body(timeout_secs=secs)  # type: ignore[arg-type]
    assert caught.value.where == "timeout_secs"
    assert repr(secs) in caught.value.message


@pytest.mark.parametrize("message_id", ["", "   "])
def test_blank_after_message_id_refused(message_id: str) -> None:
    with pytest.raises(ValidationError) as caught:
        consume_body(after_message_id=message_id)
    assert caught.value.where == "after_message_id"


def test_since_time_string_is_parsed() -> None:
    body = consume_body(since_time="2024-05-01T14:30:00.5+02:00")
    assert body["since_time"] == "2024-05-01T14:30:00.500000+02:00"
    assert "after_message_id" not in body
    moment = datetime.fromisoformat(body["since_time"])
    assert moment == datetime(2024, 5, 1, 12, 30, 0, 500_000, tzinfo=UTC)


def test_since_time_z_string_becomes_offset() -> None:
    assert consume_body(since_time="2024-05-01T12:30:00Z")["since_time"] == "2024-05-01T12:30:00+00:00"


def test_since_time_bad_string_names_since_time() -> None:
    with pytest.raises(ValidationError) as caught:
        consume_body(since_time="last tuesday")
    assert caught.value.where == "since_time"
    assert "'last tuesday'" in caught.value.message


def test_since_time_aware_datetime() -> None:
    moment = datetime(2024, 5, 1, 9, 0, tzinfo=timezone(timedelta(hours=-3)))
    assert consume_body(since_time=moment)["since_time"] == "2024-05-01T09:00:00-03:00"


def test_since_time_naive_datetime_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        consume_body(since_time=datetime(2024, 5, 1, 9, 0))
    assert caught.value.where == "since_time"
    assert "time zone" in caught.value.message
