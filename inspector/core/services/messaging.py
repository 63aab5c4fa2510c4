"""The Messaging Resource API: an app's messages, which live only while their transaction runs.

``GET /api/v1/apps/{appId}/messages?excludeUntil=`` lists the messages of an app's running transactions;
when a transaction ends the API deletes its messages. ``AppMessageWatch`` polls with a moving cursor for new
messages and, every few polls, reads the whole list to notice messages that are gone: those are marked as
*vanished* (their transaction ended), never dropped silently. ``POST /api/v1/messages`` is for the workflow
containers of an app only; a profile offers it when it is marked as one.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from inspector.core.backoff import Backoff
from inspector.core.errors import (
    InspectorError,
    RateLimitedError,
    UnexpectedResponseError,
    ValidationError,
    is_retryable,
)
from inspector.core.http import TokenSource, shape_error
from inspector.core.ratelimit import Limiters, RateLimiter
from inspector.core.regions import REGIONAL_RPM
from inspector.core.services import POST_MESSAGES, SERVICES
from inspector.core.services.api import ServiceClient

log = logging.getLogger("inspector.core.messaging")

CAPABILITIES = SERVICES["messaging"].capabilities
CONTAINER_CAPABILITIES = CAPABILITIES | {POST_MESSAGES}
SELECTOR = re.compile(r"^[A-Za-z0-9_.:@-]{1,128}$")
_APP = re.compile(r"^[^\s/?#]{1,128}$")
HINTS = {
    401: "check the token: it must be a token of this app's messaging API",
    403: "only the workflow containers of an app may post messages; mark the profile as one only if it is",
    404: "check the app id",
}


def check_app_id(value: object) -> str:
    text = value.strip() if isinstance(value, str) else str(value) if isinstance(value, int) else ""
    if not _APP.match(text):
        raise ValidationError(f"{value!r} is not an app id", where="app id", hint="the app's id, such as 123")
    return text


def check_selectors(values: object) -> list[str]:
    items = [values] if isinstance(values, str) else values
    if not isinstance(items, list | tuple) or not items:
        raise ValidationError("none given", where="selectors", hint="give at least one selector (a recipient)")
    bad = [repr(v) for v in items if not isinstance(v, str) or not SELECTOR.match(v)]
    if bad:
        raise ValidationError(
            f"{', '.join(bad[:5])} {'is' if len(bad) == 1 else 'are'} not valid",
            where="selectors",
            hint="1 to 128 of: letters, digits and _ . : @ -",
        )
    return [str(v) for v in items]


@dataclass(frozen=True, slots=True)
class AppMessage:
    app_id: str
    transaction_id: str
    workflow_id: str
    label: str
    selector: str

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """The message's identity: the API gives messages no id of their own."""
        return (self.app_id, self.transaction_id, self.workflow_id, self.label, self.selector)

    @classmethod
    def from_json(cls, data: object, host: str) -> AppMessage:
        if not isinstance(data, dict) or not isinstance(data.get("transactionId"), str):
            raise shape_error(host, "a message without a 'transactionId'")

        def text(key: str) -> str:
            value = data.get(key)
            return value if isinstance(value, str) else "" if value is None else str(value)

        return cls(text("appId"), text("transactionId"), text("workflowId"), text("label"), text("selector"))

    def to_json(self) -> dict[str, str]:
        return {
            "appId": self.app_id,
            "transactionId": self.transaction_id,
            "workflowId": self.workflow_id,
            "label": self.label,
            "selector": self.selector,
        }


def messaging_error_words(data: dict[str, Any]) -> tuple[str, str]:
    return str(data.get("message") or data.get("error") or ""), str(data.get("code") or data.get("error") or "")


class MessagingClient(ServiceClient):
    SERVICE = "messaging"
    ERROR_WORDS = staticmethod(messaging_error_words)
    HINTS = HINTS

    def __init__(
        self,
        base_url: str,
        token: TokenSource,
        *,
        workflow_container: bool = False,
        http: httpx.AsyncClient | None = None,
        limiter: RateLimiter | Limiters | None = None,
        rate_limit_rpm: int = REGIONAL_RPM,
    ) -> None:
        self.workflow_container = workflow_container
        super().__init__(base_url, token, http=http, limiter=limiter, rate_limit_rpm=rate_limit_rpm)

    @property
    def capabilities(self) -> frozenset[str]:
        return CONTAINER_CAPABILITIES if self.workflow_container else CAPABILITIES

    async def fetch(self, app_id: str, *, exclude_until: int | None = None) -> list[AppMessage]:
        """The app's messages of running transactions; with ``exclude_until`` (seconds since the epoch), only
        those created at or after it."""
        app = check_app_id(app_id)
        params = {"excludeUntil": str(int(exclude_until))} if exclude_until is not None else None
        answer = await self._api.request(
            "GET", f"/api/v1/apps/{quote(app, safe='')}/messages", params=params, not_found=f"app {app}"
        )
        if not isinstance(answer, list):
            raise shape_error(self.host, "not a list of messages")
        return [AppMessage.from_json(row, self.host) for row in answer]

    async def post(
        self, app_id: str, transaction_id: str, workflow_id: str, label: str, selectors: Sequence[str]
    ) -> list[AppMessage]:
        """Post a message to each selector. Only for a workflow container of the app (the server says 403
        otherwise); invalid selectors are refused here, and by the server with 400."""
        if not self.workflow_container:
            raise ValidationError(
                "only workflow containers of an app can post messages",
                where="post",
                hint="mark the profile as a workflow container only if its token is one",
            )
        for name, value in (("transaction id", transaction_id), ("workflow id", workflow_id), ("label", label)):
            if not isinstance(value, str) or not value.strip():
                raise ValidationError("is empty", where=name)
        body = {
            "appId": check_app_id(app_id),
            "transactionId": transaction_id,
            "workflowId": workflow_id,
            "label": label,
            "selectors": check_selectors(list(selectors)),
        }
        answer = await self._api.request("POST", "/api/v1/messages", body=json.dumps(body).encode())
        if not isinstance(answer, list):
            raise UnexpectedResponseError(f"{self.host} answered a post without the list of messages created")
        return [AppMessage.from_json(row, self.host) for row in answer]


# ----- watching -----------------------------------------------------------------------------------------------
@dataclass
class WatchState:
    """What the watch knows: messages present (with how many of each, as the API gives no ids), and those gone."""

    present: Counter[tuple[str, str, str, str, str]] = field(default_factory=Counter)
    messages: dict[tuple[str, str, str, str, str], AppMessage] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class WatchUpdate:
    new: tuple[AppMessage, ...] = ()
    vanished: tuple[AppMessage, ...] = ()  # gone from the API: their transaction ended
    ended_transactions: tuple[str, ...] = ()  # transactions whose messages are all gone


class AppMessageWatch:
    """Polls one app's messages every ``interval`` seconds: new ones by a moving ``excludeUntil`` cursor, and
    every ``reconcile_every`` polls the whole list, so messages deleted with their transaction are reported as
    vanished. ``on_update`` gets each change; ``on_status`` a line of words (polling, backing off, stopped).

    The cursor trails the last poll by ``overlap`` seconds (client and server clocks differ); what that re-reads
    is recognised and not reported twice."""

    def __init__(
        self,
        client: MessagingClient,
        app_id: str,
        on_update: Callable[[WatchUpdate], None],
        *,
        interval: float = 2.0,
        reconcile_every: int = 3,
        overlap: float = 5.0,
        on_status: Callable[[str], None] | None = None,
        backoff: Backoff | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.app_id = check_app_id(app_id)
        self._on_update = on_update
        self._on_status = on_status or (lambda _: None)
        self.interval = interval
        self.reconcile_every = max(1, reconcile_every)
        self.overlap = overlap
        self.backoff = backoff or Backoff()
        self._clock = clock
        self.state = WatchState()
        self.cursor: int | None = None
        self.polls = 0
        self._stop = asyncio.Event()

    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        while not self._stop.is_set():
            try:
                await self.poll()
                self.backoff.reset()
                present = sum(self.state.present.values())
                self._on_status(f"watching app {self.app_id}: {present} message{'' if present == 1 else 's'}")
                delay = self.interval
            except InspectorError as exc:
                if not is_retryable(exc):
                    self._on_status(f"stopped: {exc.message}")
                    raise
                delay = self.client.limiter.delay() if isinstance(exc, RateLimitedError) else self.backoff.next_delay()
                self._on_status(f"retrying in {delay:.0f} s — {exc.message}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), delay)
        self._on_status("stopped")

    async def poll(self) -> WatchUpdate:
        """One step: the whole list on the first poll and every ``reconcile_every``-th, new ones otherwise."""
        started = self._clock()
        full = self.polls % self.reconcile_every == 0
        fetched = await self.client.fetch(self.app_id, exclude_until=None if full else self.cursor)
        self.polls += 1
        self.cursor = int(started - self.overlap)
        update = self._apply(fetched, full)
        if update.new or update.vanished:
            self._on_update(update)
        return update

    def _apply(self, fetched: list[AppMessage], full: bool) -> WatchUpdate:
        seen = Counter(m.key for m in fetched)
        new: list[AppMessage] = []
        for message in fetched:
            self.state.messages.setdefault(message.key, message)
        for key, count in seen.items():
            extra = count - self.state.present[key]
            if extra > 0:
                new += [self.state.messages[key]] * extra
                self.state.present[key] = count
        vanished: list[AppMessage] = []
        if full:
            for key, count in list(self.state.present.items()):
                gone = count - seen[key]
                if gone > 0:
                    vanished += [self.state.messages[key]] * gone
                    if seen[key]:
                        self.state.present[key] = seen[key]
                    else:
                        del self.state.present[key]
        live = {key[1] for key in self.state.present}
        ended = tuple(sorted({m.transaction_id for m in vanished} - live))
        return WatchUpdate(tuple(new), tuple(vanished), ended)
