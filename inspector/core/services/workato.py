"""The Workato Event Streams public API (consume, publish, batch publish) and the Developer API topics."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import httpx

from inspector.core.errors import (
    AuthError,
    InspectorError,
    NotFoundError,
    TransportError,
    UnsupportedError,
    ValidationError,
)
from inspector.core.fieldlist import parse_fieldlist
from inspector.core.http import LONG_POLL_GRACE, TokenSource, shape_error
from inspector.core.models import BatchResult, ItemResult, JsonObject, Message, Outcome, Topic
from inspector.core.ratelimit import Limiters, RateLimiter
from inspector.core.regions import Endpoint
from inspector.core.services import PUBLISH_BATCH, SERVICES
from inspector.core.services.api import ServiceClient
from inspector.core.timeparse import parse_time
from inspector.core.validation import (
    MAX_CONSUME_BATCH,
    batch_body,
    check_batch,
    check_topic_id,
    consume_body,
    encode_json,
    encode_payload,
)

CAPABILITIES = SERVICES["workato"].capabilities
MAX_MESSAGE_ID_BYTES = 1024  # UTF-8; a consume answer's id beyond this is refused as a wrong answer

# The Developer API's topics (Workato's docs, "Event streams limits" and "Create a topic"): retention in seconds,
# 168 hours when not given, at most 90 days; at most 20 topics in a workspace. The emulator keeps the same limits.
DEFAULT_RETENTION_SECS = 7 * 24 * 3600
MIN_RETENTION_SECS = 60
MAX_RETENTION_SECS = 90 * 24 * 3600
MAX_TOPICS = 20
MAX_TOPIC_NAME_CHARS = 255
_RETENTION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class EventStreamsClient(ServiceClient):
    """Consume, publish and batch-publish against one endpoint with one token.

    ``http`` and ``limiter`` as for every ``ServiceClient``; the budget is the endpoint's requests per minute
    unless ``rate_limit_rpm`` says otherwise. ``read_timeout`` (seconds) is how long an answer may take beyond a
    long poll's wait; by default 30 s (15 s beyond a wait).
    """

    SERVICE = "workato"

    def __init__(
        self,
        endpoint: Endpoint,
        token: TokenSource,
        *,
        http: httpx.AsyncClient | None = None,
        limiter: RateLimiter | Limiters | None = None,
        rate_limit_rpm: int | None = None,
        read_timeout: float | None = None,
    ) -> None:
        self.endpoint = endpoint
        rpm = endpoint.rate_limit_rpm if rate_limit_rpm is None else rate_limit_rpm
        super().__init__(
            endpoint.events_url, token, http=http, limiter=limiter, rate_limit_rpm=rpm, read_timeout=read_timeout
        )

    @property
    def capabilities(self) -> frozenset[str]:
        return CAPABILITIES if self.endpoint.supports_batch else CAPABILITIES - {PUBLISH_BATCH}

    async def consume(
        self,
        topic_id: int,
        *,
        after_message_id: str | None = None,
        since_time: datetime | str | None = None,
        batch_size: int = MAX_CONSUME_BATCH,
        timeout_secs: int = 0,
        on_sent: Callable[[], None] | None = None,
    ) -> list[Message]:
        """One consume request; with ``timeout_secs`` it long-polls until a message arrives or the wait ends.

        ``on_sent`` is called when the request is on the wire (see ``TopicTail``, which works while it waits).
        """
        topic_id = check_topic_id(topic_id)
        body = consume_body(
            after_message_id=after_message_id, since_time=since_time, batch_size=batch_size, timeout_secs=timeout_secs
        )
        grace = LONG_POLL_GRACE if self._api.read_timeout is None else self._api.read_timeout
        data = await self._api.request(
            "POST",
            self.endpoint.consume_path(topic_id),
            body=encode_json(body),
            read_timeout=timeout_secs + grace,
            not_found=f"topic {topic_id} not found",
            on_sent=on_sent,
        )
        return parse_messages(data, self._api.host)

    async def publish(self, topic_id: int, payload: JsonObject) -> str:
        """Publish one message; returns its message id."""
        return await self.publish_encoded(check_topic_id(topic_id), encode_payload(payload))

    async def publish_batch(self, topic_id: int, payloads: Sequence[JsonObject]) -> BatchResult:
        """Publish 1..100 messages in one request; one result per input index."""
        return await self.publish_encoded_batch(check_topic_id(topic_id), check_batch(list(payloads)))

    async def publish_encoded_batch(
        self, topic_id: int, encoded: Sequence[bytes], *, on_sent: Callable[[], None] | None = None
    ) -> BatchResult:
        """Like ``publish_batch`` for items already checked and encoded by the publisher."""
        if not self.endpoint.supports_batch:
            raise UnsupportedError(
                f"{self.endpoint.label} has no batch publish", hint="publish the messages one by one"
            )
        data = await self._api.request(
            "POST",
            self.endpoint.batch_path(topic_id),
            body=batch_body(encoded),
            not_found=f"topic {topic_id} not found",
            on_sent=on_sent,
        )
        return parse_batch_result(data, len(encoded), self._api.host)

    async def publish_encoded(self, topic_id: int, body: bytes, *, on_sent: Callable[[], None] | None = None) -> str:
        """Like ``publish`` for a payload already checked and encoded."""
        data = await self._api.request(
            "POST",
            self.endpoint.publish_path(topic_id),
            body=body,
            not_found=f"topic {topic_id} not found",
            on_sent=on_sent,
        )
        if not isinstance(data, dict) or not isinstance(data.get("message_id"), str) or not data["message_id"]:
            raise shape_error(self._api.host, "a publish answer without a 'message_id' string")
        return str(data["message_id"])


def parse_messages(data: Any, host: str) -> list[Message]:
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
        raise shape_error(host, "a consume answer without a 'messages' list")
    messages = []
    for index, item in enumerate(data["messages"]):
        if not isinstance(item, dict):
            raise shape_error(host, f"message {index} is not an object")
        message_id, time_text, payload = item.get("message_id"), item.get("time"), item.get("payload")
        if not isinstance(message_id, str) or not message_id:
            raise shape_error(host, f"message {index} has no 'message_id' string")
        check_message_id(message_id, index, host)
        if not isinstance(time_text, str):
            raise shape_error(host, f"message {message_id} has no 'time' string")
        if not isinstance(payload, dict):
            raise shape_error(host, f"message {message_id} has a payload that is not an object")
        try:
            moment = parse_time(time_text)
        except ValidationError:
            raise shape_error(host, f"message {message_id} has an unreadable time {time_text!r}") from None
        messages.append(Message(message_id, moment, payload, time_text))
    return messages


def check_message_id(message_id: str, index: int, host: str) -> None:
    """Refuse an id no real server sends: controls (a terminal would obey them; a line break forges a line),
    bidi or other invisible characters, or more than 1 KiB. Ids are opaque, but they are printed and sent back."""
    size = len(message_id.encode("utf-8", "surrogatepass"))
    if size > MAX_MESSAGE_ID_BYTES:
        raise shape_error(host, f"message {index} has a 'message_id' of {size} bytes (more than 1 KiB)")
    if not message_id.isprintable():
        bad = next(char for char in message_id if not char.isprintable())
        raise shape_error(
            host, f"message {index} has a 'message_id' holding the unprintable character U+{ord(bad):04X}"
        )


def parse_batch_result(data: Any, count: int, host: str) -> BatchResult:
    if not isinstance(data, dict) or not isinstance(data.get("message_ids"), dict):
        raise shape_error(host, "a batch answer without a 'message_ids' object")
    entries: dict[str, Any] = data["message_ids"]
    items = []
    for index in range(count):
        entry = entries.get(str(index))
        if not isinstance(entry, dict):
            items.append(ItemResult(index, Outcome.UNKNOWN, error="the server's answer has no result for this item"))
            continue
        result = str(entry.get("result", ""))
        message_id = entry.get("message_id")
        if result == "success" and isinstance(message_id, str) and message_id:
            items.append(ItemResult(index, Outcome.SUCCESS, message_id=message_id))
        else:
            error = entry.get("error") or entry.get("message") or result or "failed"
            items.append(ItemResult(index, Outcome.FAILED, error=str(error)))
    partial = bool(data.get("is_partial_error", any(not item.ok for item in items)))
    return BatchResult(tuple(items), partial)


class DeveloperApiClient(ServiceClient):
    """Workato's Developer API topic endpoints (list, get, create, update, delete, purge), within the endpoint's
    requests per minute unless ``rate_limit_rpm`` says otherwise (a budget apart from the event streams')."""

    SERVICE = "developer"

    def __init__(
        self,
        endpoint: Endpoint,
        token: TokenSource,
        *,
        http: httpx.AsyncClient | None = None,
        limiter: RateLimiter | Limiters | None = None,
        rate_limit_rpm: int | None = None,
    ) -> None:
        self.endpoint = endpoint
        rpm = endpoint.rate_limit_rpm if rate_limit_rpm is None else rate_limit_rpm
        super().__init__(endpoint.developer_url, token, http=http, limiter=limiter, rate_limit_rpm=rpm)

    async def list_topics(
        self,
        *,
        name: str | None = None,
        sort: str | None = None,
        include_schema: bool = False,
    ) -> list[Topic]:
        params: dict[str, str] = {}
        if name:
            params["name"] = name
        if sort:
            if sort not in ("activity", "name", "id"):
                raise ValidationError(f"{sort!r} is not a sort order", where="sort", hint="use activity, name or id")
            params["sort"] = sort
        if include_schema:
            params["include_schema"] = "true"
        data = await self._api.request("GET", "/api/event_streams/topics", params=params)
        rows = data.get("data") if isinstance(data, dict) else data
        if not isinstance(rows, list):
            raise shape_error(self._api.host, "a topic list without a 'data' array")
        return [parse_topic(row, self._api.host) for row in rows]

    async def get_topic(self, topic_id: int) -> Topic:
        topic_id = check_topic_id(topic_id)
        data = await self._api.request(
            "GET", f"/api/event_streams/topics/{topic_id}", not_found=f"topic {topic_id} not found"
        )
        return parse_topic(_unwrap(data), self._api.host)

    async def create_topic(
        self,
        name: str,
        schema: list[JsonObject],
        *,
        retention_secs: int | None = None,
        description: str = "",
    ) -> Topic:
        """Create a topic; the name, schema and retention are checked first (``ValidationError``, nothing sent)."""
        body = _topic_body(name, schema, retention_secs, description)
        data = await self._api.request("POST", "/api/event_streams/topics", body=encode_json(body))
        return parse_topic(_unwrap(data), self._api.host)

    async def update_topic(
        self,
        topic_id: int,
        *,
        name: str | None = None,
        schema: list[JsonObject] | None = None,
        retention_secs: int | None = None,
        description: str | None = None,
    ) -> Topic:
        topic_id = check_topic_id(topic_id)
        body: dict[str, Any] = {}
        if name is not None:
            body["name"] = check_topic_name(name)
        if schema is not None:
            parse_fieldlist(schema, where="schema")
            body["schema"] = schema
        if retention_secs is not None:
            body["retention"] = check_retention(retention_secs)
        if description is not None:
            body["description"] = check_description(description)
        data = await self._api.request(
            "PUT",
            f"/api/event_streams/topics/{topic_id}",
            body=encode_json(body),
            not_found=f"topic {topic_id} not found",
        )
        return parse_topic(_unwrap(data), self._api.host)

    async def delete_topic(self, topic_id: int) -> None:
        topic_id = check_topic_id(topic_id)
        await self._api.request(
            "DELETE", f"/api/event_streams/topics/{topic_id}", not_found=f"topic {topic_id} not found"
        )

    async def purge_topic(self, topic_id: int) -> None:
        topic_id = check_topic_id(topic_id)
        await self._api.request(
            "PUT", f"/api/event_streams/topics/{topic_id}/purge", not_found=f"topic {topic_id} not found"
        )


def _topic_body(name: str, schema: list[JsonObject], retention_secs: int | None, description: str) -> JsonObject:
    parse_fieldlist(schema, where="schema")
    body: JsonObject = {"name": check_topic_name(name), "schema": schema}
    if retention_secs is not None:
        body["retention"] = check_retention(retention_secs)
    if description:
        body["description"] = check_description(description)
    return body


def check_topic_name(name: object, *, where: str = "topic name") -> str:
    """A topic's name as the Developer API takes it: 1 to 255 printable characters (spaces around are dropped)."""
    if not isinstance(name, str):
        raise ValidationError(f"must be text, not {type(name).__name__}", where=where)
    text = name.strip()
    if not text:
        raise ValidationError("is empty", where=where, hint="give the topic a name, such as orders")
    if len(text) > MAX_TOPIC_NAME_CHARS:
        raise ValidationError(
            f"is {len(text):,} characters long; a topic's name has at most {MAX_TOPIC_NAME_CHARS}",
            where=where,
            hint="shorten it, and put the rest in the description",
        )
    if not text.isprintable():
        bad = next(char for char in text if not char.isprintable())
        raise ValidationError(
            f"holds the unprintable character U+{ord(bad):04X}",
            where=where,
            hint="a topic's name is one line of visible text",
        )
    return text


def check_description(description: object, *, where: str = "description") -> str:
    if not isinstance(description, str):
        raise ValidationError(f"must be text, not {type(description).__name__}", where=where)
    return description


def retention_words(seconds: int) -> str:
    """``604800`` -> "7 days", ``5400`` -> "90 minutes": a retention as a person says it."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count:,} {unit}" + ("" if count == 1 else "s")
    return f"{seconds:,} second" + ("" if seconds == 1 else "s")


def check_retention(value: object, *, where: str = "retention") -> int:
    """A topic's retention in seconds: an integer, or text such as ``3600``, ``90m``, ``36h`` or ``7d``; from 1
    minute to 90 days (Workato's limit)."""
    seconds: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        seconds = value
    elif isinstance(value, str):
        text = value.strip().lower()
        number, unit = (text[:-1], text[-1]) if text[-1:] in _RETENTION_UNITS else (text, "s")
        if number.isascii() and number.isdigit() and len(number) <= 12:
            seconds = int(number) * _RETENTION_UNITS[unit]
    if seconds is None:
        shown = repr(value) if isinstance(value, str) and len(value) <= 40 else type(value).__name__
        raise ValidationError(
            f"{shown} is not a retention",
            where=where,
            hint="give seconds (604800), or a number with m, h or d (90m, 36h, 7d)",
        )
    if not MIN_RETENTION_SECS <= seconds <= MAX_RETENTION_SECS:
        raise ValidationError(
            f"{retention_words(seconds)} is out of range: a topic keeps its messages from 1 minute to 90 days",
            where=where,
            hint=f"give {MIN_RETENTION_SECS} to {MAX_RETENTION_SECS:,} seconds (7d is the default)",
        )
    return seconds


def _unwrap(data: Any) -> Any:
    return data.get("data", data) if isinstance(data, dict) else data


def parse_topic(row: Any, host: str) -> Topic:
    topic_id = row.get("id") if isinstance(row, dict) else None
    valid_id = isinstance(topic_id, int) and not isinstance(topic_id, bool) and topic_id > 0
    if not isinstance(row, dict) or not valid_id or not isinstance(row.get("name"), str):
        raise shape_error(host, "a topic without an integer 'id' and a 'name'")
    schema = row.get("schema")
    if isinstance(schema, str):
        try:
            schema = json.loads(schema)
        except ValueError:
            schema = None
        except RecursionError:
            raise shape_error(host, f"topic {topic_id} has a schema nested too deeply to read") from None
    retention = row.get("retention")

    def when(key: str) -> datetime | None:
        value = row.get(key)
        try:
            return parse_time(value) if isinstance(value, str) else None
        except ValidationError:
            return None

    return Topic(
        id=row["id"],
        name=row["name"],
        description=str(row.get("description") or ""),
        retention_secs=retention if isinstance(retention, int) else None,
        schema=schema if isinstance(schema, list) else None,
        created_at=when("created_at"),
        updated_at=when("updated_at"),
    )


async def check_connection(client: EventStreamsClient, topic_id: int) -> tuple[bool, str]:
    """Try the token on one topic (consume, batch of 1, no wait) and say in words how it went."""
    try:
        await client.consume(topic_id, batch_size=1, timeout_secs=0)
    except AuthError:
        return False, f"Bad token: {client.endpoint.label} rejected it."
    except NotFoundError:
        return False, f"The token works, but topic {topic_id} was not found in {client.endpoint.label}."
    except TransportError as exc:
        return False, f"Network error: {exc.message}"
    except InspectorError as exc:
        return False, exc.message
    return True, f"OK: connected to {client.endpoint.label}; topic {topic_id} is readable."
