"""Boomi Event Notifications: an account's subscriptions (list with paging and sorting, view, create, update
one or all, delete one or all, bulk delete and bulk update with a status per subscription).

Errors come as ``{"error", "messages": [...], "path"}``. The service takes only ``EVENT_STREAMS`` destinations
today: an ``EMAIL`` subscription is sent as asked and refused by the server, whose reason is shown.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from inspector.core.errors import ApiError, UnexpectedResponseError, ValidationError
from inspector.core.http import TokenSource, shape_error
from inspector.core.ratelimit import Limiters, RateLimiter
from inspector.core.regions import REGIONAL_RPM
from inspector.core.services import SERVICES
from inspector.core.services.api import ServiceClient

CAPABILITIES = SERVICES["boomi"].capabilities
DESTINATION_TYPES = ("EVENT_STREAMS", "EMAIL")
SUPPORTED_DESTINATIONS = ("EVENT_STREAMS",)
LOG_LEVELS = ("ERROR", "WARN", "INFO", "DEBUG")
SORT_FIELDS = (
    "createdDate",
    "lastUpdatedDate",
    "eventName",
    "destinationType",
    "logLevel",
    "enabled",
    "eventStreamsTopic",
    "eventStreamsEnvironment",
    "subscriptionId",
)
MAX_PAGE_SIZE = 100
_ACCOUNT = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
# Fields a client may set; the server sets the id, the account, the dates and who changed it.
INPUT_FIELDS = (
    "eventName",
    "destinationType",
    "logLevel",
    "eventStreamsEnvironment",
    "eventStreamsEnvironmentName",
    "eventStreamsTopic",
    "destinationEmail",
    "enabled",
)
# The dates a subscription has, in milliseconds since the epoch (the server sets them).
DATE_FIELDS = ("createdDate", "lastUpdatedDate")
HINTS = {
    401: "check the token: it must be a Boomi API token of this account",
    403: "the token's user needs the Event Notification Administrator role",
    404: "check the account id and the subscription id",
}


def date_of(millis: object) -> datetime | None:
    """A Boomi date (milliseconds since the epoch) as an aware local date-time; None when it is not a number or
    is out of range."""
    if not isinstance(millis, int | float) or isinstance(millis, bool):
        return None
    try:
        return datetime.fromtimestamp(millis / 1000).astimezone()
    except (OverflowError, OSError, ValueError):
        return None


def local_time(millis: object, *, zone: bool = False) -> str:
    """A Boomi date as a local date-time a person reads, ``2021-07-01 02:00:00`` (with its UTC offset when
    ``zone``, ``2021-07-01 02:00:00 UTC+02:00``); "" when there is none, and the number said as one when it is
    no date."""
    if millis is None:
        return ""
    moment = date_of(millis)
    if moment is None:
        return f"{millis!r} (not a date)"
    text = moment.strftime("%Y-%m-%d %H:%M:%S")
    if zone:
        offset = moment.strftime("%z")
        text += f" UTC{offset[:3]}:{offset[3:]}" if offset else ""
    return text


def check_account_id(value: object) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not _ACCOUNT.match(text):
        raise ValidationError(
            f"{value!r} is not an account id",
            where="account id",
            hint="the Boomi account id, such as acct_12345 (letters, digits, '_' and '-')",
        )
    return text


def check_subscription_id(value: object) -> str:
    try:
        return str(uuid.UUID(str(value).strip()))
    except ValueError:
        raise ValidationError(
            f"{value!r} is not a subscription id", where="subscription id", hint="a UUID, as the list shows it"
        ) from None


def check_subscription(value: object, *, where: str = "subscription", partial: bool = False) -> dict[str, Any]:
    """The fields of a subscription to send, checked; ``partial`` for an update (only the fields to change).

    EMAIL is not refused here: the service decides, and its reason is shown."""
    if not isinstance(value, Mapping):
        raise ValidationError("must be a JSON object", where=where, hint='{"eventName": "Atom.Status", ...}')
    fields = {k: v for k, v in value.items() if k in INPUT_FIELDS}
    if not partial:
        name = fields.get("eventName")
        if not isinstance(name, str) or not name.strip():
            raise ValidationError("has no eventName", where=where, hint="the event to be notified of, e.g. Atom.Status")
        if "destinationType" not in fields:
            raise ValidationError("has no destinationType", where=where, hint="EVENT_STREAMS")
    if "eventName" in fields and (not isinstance(fields["eventName"], str) or not fields["eventName"].strip()):
        raise ValidationError("eventName must be a non-empty string", where=where)
    kind = fields.get("destinationType")
    if kind is not None and kind not in DESTINATION_TYPES:
        raise ValidationError(f"destinationType {kind!r} is not one of {', '.join(DESTINATION_TYPES)}", where=where)
    level = fields.get("logLevel")
    if level is not None and level not in LOG_LEVELS:
        raise ValidationError(f"logLevel {level!r} is not one of {', '.join(LOG_LEVELS)}", where=where)
    if "enabled" in fields and not isinstance(fields["enabled"], bool):
        raise ValidationError("enabled must be true or false", where=where)
    if kind == "EVENT_STREAMS" and not partial:
        topic = fields.get("eventStreamsTopic")
        if not isinstance(topic, str) or not topic.strip():
            raise ValidationError(
                "has no eventStreamsTopic", where=where, hint="the Event Streams topic the notifications go to"
            )
    for key in ("eventStreamsEnvironment", "eventStreamsEnvironmentName", "eventStreamsTopic", "destinationEmail"):
        if key in fields and fields[key] is not None and not isinstance(fields[key], str):
            raise ValidationError(f"{key} must be a string", where=where)
    return fields


@dataclass(frozen=True, slots=True)
class Subscription:
    subscription_id: str
    event_name: str
    destination_type: str
    log_level: str
    enabled: bool
    event_streams_topic: str
    event_streams_environment: str
    destination_email: str
    created_date: int | None
    last_updated_date: int | None
    raw: Mapping[str, Any]

    @classmethod
    def from_json(cls, data: object, host: str) -> Subscription:
        if not isinstance(data, dict) or not isinstance(data.get("subscriptionId"), str):
            raise shape_error(host, "a subscription without a 'subscriptionId'")

        def text(key: str) -> str:
            value = data.get(key)
            return value if isinstance(value, str) else ""

        def millis(key: str) -> int | None:
            value = data.get(key)
            return value if isinstance(value, int) and not isinstance(value, bool) else None

        return cls(
            subscription_id=data["subscriptionId"],
            event_name=text("eventName"),
            destination_type=text("destinationType"),
            log_level=text("logLevel"),
            enabled=data.get("enabled") is not False,
            event_streams_topic=text("eventStreamsTopic"),
            event_streams_environment=text("eventStreamsEnvironmentName") or text("eventStreamsEnvironment"),
            destination_email=text("destinationEmail"),
            created_date=millis("createdDate"),
            last_updated_date=millis("lastUpdatedDate"),
            raw=dict(data),
        )

    def editable(self) -> dict[str, Any]:
        """The fields a client may send back (for an edit form or an update of all)."""
        return {k: v for k, v in self.raw.items() if k in INPUT_FIELDS}


@dataclass(frozen=True, slots=True)
class Page:
    subscriptions: tuple[Subscription, ...]
    page_number: int
    page_size: int
    total_pages: int
    total_elements: int
    first: bool
    last: bool


@dataclass(frozen=True, slots=True)
class OperationStatus:
    """One subscription's result in a bulk operation (a 207 answer)."""

    subscription_id: str
    code: int
    message: str

    @property
    def ok(self) -> bool:
        return 200 <= self.code < 300

    def describe(self) -> str:
        return f"{self.subscription_id}: {self.code} {self.message}"


def boomi_error_words(data: dict[str, Any]) -> tuple[str, str]:
    messages = [str(m) for m in data.get("messages") or [] if m]
    words = "; ".join(messages) or str(data.get("error") or data.get("message") or "")
    return words, str(data.get("error") or "")


def error_messages(error: ApiError) -> list[str]:
    """The service's reasons, one per problem (``messages``)."""
    body = error.body if isinstance(error.body, dict) else {}
    return [str(m) for m in body.get("messages") or [] if m] or [error.server_message or error.message]


class BoomiClient(ServiceClient):
    """One account's subscriptions."""

    SERVICE = "boomi"
    ERROR_WORDS = staticmethod(boomi_error_words)
    HINTS = HINTS
    capabilities = CAPABILITIES

    def __init__(
        self,
        base_url: str,
        token: TokenSource,
        account_id: str,
        *,
        http: httpx.AsyncClient | None = None,
        limiter: RateLimiter | Limiters | None = None,
        rate_limit_rpm: int = REGIONAL_RPM,
    ) -> None:
        self.account_id = check_account_id(account_id)
        super().__init__(base_url, token, http=http, limiter=limiter, rate_limit_rpm=rate_limit_rpm)
        self._path = f"/rest/v1/accounts/{self.account_id}/subscriptions"

    def _subscriptions(self, answer: Any) -> list[Subscription]:
        rows = answer.get("subscriptions") if isinstance(answer, dict) else answer
        if not isinstance(rows, list):
            raise shape_error(self.host, "no 'subscriptions' list")
        return [Subscription.from_json(row, self.host) for row in rows]

    def _one(self, answer: Any) -> Subscription:
        if isinstance(answer, dict) and isinstance(answer.get("subscription"), dict):
            answer = answer["subscription"]
        elif isinstance(answer, dict) and isinstance(answer.get("subscriptions"), list) and answer["subscriptions"]:
            answer = answer["subscriptions"][0]
        return Subscription.from_json(answer, self.host)

    async def list_page(
        self, *, page_number: int = 0, page_size: int = 20, sort_by: str = "createdDate", sort_direction: str = "ASC"
    ) -> Page:
        if not isinstance(page_number, int) or page_number < 0:
            raise ValidationError("must be 0 or more", where="page number")
        if not isinstance(page_size, int) or not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValidationError(f"must be 1 to {MAX_PAGE_SIZE}", where="page size")
        if sort_by not in SORT_FIELDS:
            raise ValidationError(f"{sort_by!r} is not one of {', '.join(SORT_FIELDS)}", where="sort by")
        direction = sort_direction.upper()
        if direction not in ("ASC", "DESC"):
            raise ValidationError(f"{sort_direction!r} is not ASC or DESC", where="sort direction")
        params = {
            "pageNumber": str(page_number),
            "pageSize": str(page_size),
            "sortBy": sort_by,
            "sortDirection": direction,
        }
        answer = await self._api.request("GET", self._path, params=params, not_found=f"account {self.account_id}")
        rows = self._subscriptions(answer)
        meta = answer.get("paginationMetadata") if isinstance(answer, dict) else None
        meta = meta if isinstance(meta, dict) else {}

        def number(key: str, default: int) -> int:
            value = meta.get(key)
            return value if isinstance(value, int) and not isinstance(value, bool) else default

        total = number("totalElements", len(rows))
        pages = number("totalPages", 1 if rows else 0)
        return Page(
            tuple(rows),
            number("pageNumber", page_number),
            number("pageSize", page_size),
            pages,
            total,
            bool(meta.get("first", page_number == 0)),
            bool(meta.get("last", page_number >= pages - 1)),
        )

    async def list_all(
        self, *, page_size: int = MAX_PAGE_SIZE, sort_by: str = "createdDate", sort_direction: str = "ASC"
    ) -> list[Subscription]:
        """Every subscription, asked for ``page_size`` at a time."""
        found: list[Subscription] = []
        number = 0
        while True:
            page = await self.list_page(
                page_number=number, page_size=page_size, sort_by=sort_by, sort_direction=sort_direction
            )
            found += page.subscriptions
            if page.last or not page.subscriptions or number >= 10_000:
                return found
            number += 1

    async def get(self, subscription_id: str) -> Subscription:
        sid = check_subscription_id(subscription_id)
        answer = await self._api.request("GET", f"{self._path}/{sid}", not_found=f"subscription {sid}")
        return self._one(answer)

    async def create(self, subscriptions: Iterable[object]) -> list[Subscription]:
        rows = [check_subscription(s, where=f"subscription {i}") for i, s in enumerate(subscriptions)]
        if not rows:
            raise ValidationError("nothing to create", where="subscriptions", hint="give at least one subscription")
        answer = await self._api.request("POST", self._path, body=_encode({"subscriptions": rows}))
        return self._subscriptions(answer)

    async def update(self, subscription_id: str, changes: Mapping[str, Any]) -> Subscription:
        """Change some fields. The subscription is read, changed and sent whole, as the seed's update does: a
        server that takes the ``PUT`` as a replacement keeps every field that is not changed."""
        sid = check_subscription_id(subscription_id)
        fields = check_subscription(changes, where=f"subscription {sid}", partial=True)
        whole = {**(await self.get(sid)).raw, **fields}
        answer = await self._api.request(
            "PUT", f"{self._path}/{sid}", body=_encode({"subscription": whole}), not_found=f"subscription {sid}"
        )
        return self._one(answer)

    async def set_enabled(self, subscription_id: str, enabled: bool) -> Subscription:
        return await self.update(subscription_id, {"enabled": enabled})

    async def update_all(self, subscriptions: Iterable[Mapping[str, Any]]) -> list[Subscription]:
        """The account's subscriptions become exactly these (an entry with a known ``subscriptionId`` keeps it)."""
        rows = []
        for i, item in enumerate(subscriptions):
            fields = check_subscription(item, where=f"subscription {i}")
            if item.get("subscriptionId"):
                fields["subscriptionId"] = check_subscription_id(item["subscriptionId"])
            rows.append(fields)
        answer = await self._api.request("PUT", self._path, body=_encode({"subscriptions": rows}))
        return self._subscriptions(answer)

    async def delete(self, subscription_id: str) -> None:
        sid = check_subscription_id(subscription_id)
        await self._api.request("DELETE", f"{self._path}/{sid}", not_found=f"subscription {sid}", empty_ok=True)

    async def delete_all(self) -> None:
        await self._api.request("DELETE", self._path, empty_ok=True)

    async def bulk_delete(self, subscription_ids: Sequence[str]) -> list[OperationStatus]:
        ids = [check_subscription_id(s) for s in subscription_ids]
        if not ids:
            raise ValidationError("nothing to delete", where="subscription ids")
        return await self._bulk({"operation": "DELETE", "subscriptionIds": ids}, ids)

    async def bulk_update(self, subscriptions: Sequence[Mapping[str, Any]]) -> list[OperationStatus]:
        rows, ids = [], []
        for i, item in enumerate(subscriptions):
            if not isinstance(item, Mapping) or not item.get("subscriptionId"):
                raise ValidationError("has no subscriptionId", where=f"subscription {i}", hint="which one to update")
            fields = check_subscription(item, where=f"subscription {i}", partial=True)
            fields["subscriptionId"] = check_subscription_id(item["subscriptionId"])
            rows.append(fields)
            ids.append(fields["subscriptionId"])
        if not rows:
            raise ValidationError("nothing to update", where="subscriptions")
        return await self._bulk({"operation": "UPDATE", "subscriptions": rows}, ids)

    async def _bulk(self, body: dict[str, Any], ids: list[str]) -> list[OperationStatus]:
        answer = await self._api.request("POST", f"{self._path}/bulk", body=_encode(body))
        rows = answer.get("operationStatuses") if isinstance(answer, dict) else None
        if not isinstance(rows, list):
            raise UnexpectedResponseError(
                f"{self.host} answered a bulk operation without 'operationStatuses'",
                hint="the service or a proxy is misbehaving; list the subscriptions to see what changed",
            )
        statuses = []
        for row in rows:
            if not isinstance(row, dict):
                continue
            code = row.get("httpEquivalentCode")
            statuses.append(
                OperationStatus(
                    str(row.get("subscriptionId") or "?"),
                    code if isinstance(code, int) and not isinstance(code, bool) else 0,
                    str(row.get("message") or ""),
                )
            )
        answered = {s.subscription_id for s in statuses}
        statuses += [OperationStatus(i, 0, "no status in the answer") for i in ids if i not in answered]
        return statuses


def _encode(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()
