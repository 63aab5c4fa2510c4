"""Answers the API should never give, shaped with httpx.MockTransport: each becomes a typed error in words."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from inspector.core.errors import (
    AuthError,
    BadRequestError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TransportError,
    UnexpectedResponseError,
    outcome_unknown,
)
from inspector.core.models import Outcome
from inspector.core.ratelimit import RateLimiter
from inspector.core.regions import custom_endpoint
from inspector.core.services.workato import EventStreamsClient

BASE = "https://event-streams.example.test"


def make_client(handler: Callable[[httpx.Request], httpx.Response]) -> EventStreamsClient:
    http = httpx.AsyncClient(base_url=BASE, transport=httpx.MockTransport(handler), follow_redirects=False)
    return EventStreamsClient(custom_endpoint(BASE), "tok-123", http=http, limiter=RateLimiter(0))


def answer(
    status: int, body: object = None, *, text: str | None = None, **headers: str
) -> Callable[..., httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        if text is not None:
            return httpx.Response(status, text=text, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    return handler


async def test_401_is_auth_error_with_server_message() -> None:
    client = make_client(answer(401, {"message": "Invalid token", "code": "unauthorized"}))
    with pytest.raises(AuthError) as caught:
        await client.consume(5)
    assert caught.value.status == 401
    assert caught.value.server_message == "Invalid token"
    assert "token rejected" in caught.value.message
    assert caught.value.hint


async def test_404_names_the_topic() -> None:
    client = make_client(answer(404, {"message": "Topic not found", "code": "not_found"}))
    with pytest.raises(NotFoundError) as caught:
        await client.publish(77, {"a": 1})
    assert "topic 77 not found" in caught.value.message


async def test_400_keeps_server_text() -> None:
    client = make_client(answer(400, {"message": "payload.age: not an integer", "code": "invalid_payload"}))
    with pytest.raises(BadRequestError) as caught:
        await client.publish(1, {"age": "x"})
    assert caught.value.server_message == "payload.age: not an integer"
    assert caught.value.code == "invalid_payload"


@pytest.mark.parametrize(("header", "expected"), [("7", 7.0), (None, None), ("soon", None)])
async def test_429_reads_retry_after_and_pauses_the_limiter(header: str | None, expected: float | None) -> None:
    headers = {"Retry-After": header} if header else {}
    client = make_client(answer(429, {"message": "slow down"}, **headers))
    with pytest.raises(RateLimitedError) as caught:
        await client.consume(1)
    assert caught.value.retry_after == expected
    assert client.limiter.usage().paused_for > (6.0 if expected else 4.0)


async def test_html_502_is_a_server_error_in_words() -> None:
    page = "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"
    client = make_client(answer(502, text=page, **{"content-type": "text/html"}))
    with pytest.raises(ServerError) as caught:
        await client.publish(1, {"a": 1})
    assert "HTML page" in caught.value.message
    assert "Bad Gateway" in caught.value.server_message
    assert "<" not in caught.value.server_message
    assert outcome_unknown(caught.value)


async def test_truncated_json_is_unexpected_response() -> None:
    client = make_client(answer(200, text='{"messages": [{"message_id": "A1", "pay'))
    with pytest.raises(UnexpectedResponseError) as caught:
        await client.consume(1)
    assert "not valid JSON" in caught.value.message


@pytest.mark.parametrize(
    "body",
    [
        {"msgs": []},
        {"messages": {"a": 1}},
        {"messages": [{"message_id": 5, "time": "2024-01-01T00:00:00Z", "payload": {}}]},
        {"messages": [{"message_id": "A", "time": "yesterday", "payload": {}}]},
        {"messages": [{"message_id": "A", "time": "2024-01-01T00:00:00Z", "payload": [1]}]},
        ["not", "an", "object"],
    ],
)
async def test_wrong_shape_consume_answers(body: object) -> None:
    client = make_client(answer(200, body))
    with pytest.raises(UnexpectedResponseError) as caught:
        await client.consume(1)
    assert "wrong shape" in caught.value.message


async def test_redirect_is_not_followed_and_token_stays() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(302, headers={"location": "https://evil.example/steal"})

    client = make_client(handler)
    with pytest.raises(UnexpectedResponseError) as caught:
        await client.consume(1)
    assert len(seen) == 1
    assert "evil.example" in caught.value.message
    assert "not followed" in caught.value.message


async def test_connect_error_is_transport_error_not_sent() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = make_client(handler)
    with pytest.raises(TransportError) as caught:
        await client.consume(1)
    assert caught.value.maybe_sent is False
    assert not outcome_unknown(caught.value)


async def test_read_timeout_means_outcome_unknown() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    client = make_client(handler)
    with pytest.raises(TransportError) as caught:
        await client.publish(1, {"a": 1})
    assert caught.value.maybe_sent is True
    assert outcome_unknown(caught.value)


async def test_token_only_in_authorization_header() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"message_id": "A1"})

    client = make_client(handler)
    assert await client.publish(3, {"k": "v"}) == "A1"
    request = seen[0]
    assert request.headers["authorization"] == "Bearer tok-123"
    assert "tok-123" not in str(request.url)
    assert b"tok-123" not in request.content
    assert request.url.path == "/api/v1/topics/3/publish"
    assert json.loads(request.content) == {"k": "v"}


async def test_batch_answer_maps_every_index() -> None:
    body = {
        "is_partial_error": True,
        "message_ids": {
            "0": {"message_id": "A1", "result": "success"},
            "1": {"result": "error", "error": "payload.x is required"},
        },
    }
    client = make_client(answer(200, body))
    result = await client.publish_batch(1, [{"x": 1}, {}, {"x": 3}])
    assert [item.outcome for item in result.items] == [Outcome.SUCCESS, Outcome.FAILED, Outcome.UNKNOWN]
    assert result.items[0].message_id == "A1"
    assert result.items[1].error == "payload.x is required"
    assert result.is_partial_error


async def test_consume_parses_times_in_both_spellings() -> None:
    body = {
        "messages": [
            {"message_id": "A1", "time": "2023-04-14T15:07:14.437+00:00", "payload": {"n": 1}},
            {"message_id": "A2", "time": "2023-04-14T15:43:40Z", "payload": {"n": 2}},
        ]
    }
    client = make_client(answer(200, body))
    messages = await client.consume(1)
    assert [m.message_id for m in messages] == ["A1", "A2"]
    assert messages[0].time.microsecond == 437000
    assert messages[0].time.utcoffset() is not None
    assert messages[0].time_text == "2023-04-14T15:07:14.437+00:00"
