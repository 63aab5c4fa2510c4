"""The Qala Publishing API: publish events to a topic by name or routed by type, and subscriber-group session
tokens. Every request carries the environment's id (``x-environment-id``); errors are RFC 7807 problem details.

A publish request is all or nothing: Qala refuses the whole array when one event is bad, naming each bad field
(``events[2].type``). ``publish_events`` validates first, sends at most ``MAX_EVENTS`` a request, and reports one
result per event: published (with its id), failed (with the server's words for that event, or why the request
was refused), or unknown (the request may have been processed).

The seed shows no success body: any 2xx is a success, even an empty ``202``. The event ids are read from the
answer when it has them (see ``answer_ids``); otherwise an event keeps the id it was given, or has none.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from inspector.core.errors import (
    ApiError,
    InspectorError,
    PublishInputError,
    RateLimitedError,
    TransportError,
    ValidationError,
    outcome_unknown,
)
from inspector.core.http import TokenSource
from inspector.core.models import Delivery, ItemResult, Outcome
from inspector.core.paths import AppPaths, atomic_write
from inspector.core.ratelimit import Limiters, RateLimiter
from inspector.core.regions import REGIONAL_RPM
from inspector.core.services import SERVICES
from inspector.core.services.api import ServiceClient

log = logging.getLogger("inspector.core.qala")

CAPABILITIES = SERVICES["qala"].capabilities
MAX_EVENTS = 100  # events a request (the emulator's limit; Qala's own is not published)
TYPE_PATTERN = re.compile(r"^(?:[A-Za-z0-9.,_\-&()\[\]<>]{1,100})$")
GUID = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")
_EVENT_NAME = re.compile(r"^(?:events)?\[(\d+)\](?:\.(.*))?$")
HINTS = {
    401: "check the token: it must be a Qala API token for this environment",
    403: "check the token: it must be a Qala API token allowed to publish in this environment",
    404: "check the topic name and the environment id",
}
NO_ID_WORDS = "no event id in Qala's answer"  # a published event whose id the answer did not give
MAX_ID_CHARS = 1024


# ----- input ------------------------------------------------------------------------------------------------
def check_environment_id(value: object, *, where: str = "environment id") -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not GUID.match(text):
        shown = repr(value) if not isinstance(value, str) or len(value) < 60 else repr(value[:57] + "...")
        raise ValidationError(
            f"{shown} is not a GUID",
            where=where,
            hint="copy the environment's id from Qala: 8-4-4-4-12 hexadecimal digits, such as "
            "3f2504e0-4f89-41d3-9a0c-0305e82c3301",
        )
    return text.lower()


def check_guid(value: object, *, where: str) -> str:
    return check_environment_id(value, where=where)


def check_topic_name(value: object) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text or len(text) > 256 or any(ch in text for ch in "/?#") or not text.isprintable():
        raise ValidationError(
            f"{value!r} is not a topic name",
            where="topic",
            hint="give the topic's name as Qala shows it (no '/', '?' or '#'), or publish without a topic",
        )
    return text


def check_event(value: object, *, where: str) -> dict[str, Any]:
    """One event as Qala takes it: ``type`` (the pattern), optional ``id`` and ``audiences``, non-empty ``data``."""
    if not isinstance(value, dict):
        raise ValidationError(
            f"is {_kind(value)}, not an event object", where=where, hint='write {"type": "...", "data": ...}'
        )
    unknown = sorted(set(value) - {"type", "id", "audiences", "data"})
    if unknown:
        raise ValidationError(
            f"has a field Qala does not take: {unknown[0]!r}",
            where=where,
            hint="an event has type, data, and optionally id and audiences",
        )
    kind = value.get("type")
    if kind in (None, ""):
        raise ValidationError("has no type", where=f"{where}.type", hint='add "type", such as "transaction.updated"')
    if not isinstance(kind, str) or not TYPE_PATTERN.match(kind):
        raise ValidationError(
            f"{kind!r} is not a valid event type",
            where=f"{where}.type",
            hint="1 to 100 of: letters, digits and . , _ - & ( ) [ ] < >  (no spaces)",
        )
    event_id = value.get("id")
    if event_id is not None and not isinstance(event_id, str):
        raise ValidationError(f"is {_kind(event_id)}; it must be a string or null", where=f"{where}.id")
    audiences = value.get("audiences")
    if audiences is not None and (
        not isinstance(audiences, list) or not all(isinstance(a, str) and a for a in audiences)
    ):
        raise ValidationError(
            "must be a list of audience names (strings) or null", where=f"{where}.audiences", hint='["tenant-a"]'
        )
    data = value.get("data")
    if data is None or data in ("", {}, []):
        raise ValidationError("is missing or empty", where=f"{where}.data", hint="data is required and not empty")
    if not isinstance(data, str | dict | list):
        raise ValidationError(
            f"is {_kind(data)}; it must be a string or JSON object", where=f"{where}.data", hint='"data": {"id": 1}'
        )
    return value


def check_events(value: object) -> list[dict[str, Any]]:
    """A JSON array of events (or one event object); every bad event is named, nothing is sent if any is bad."""
    events = [value] if isinstance(value, dict) else value
    if not isinstance(events, list):
        raise ValidationError(
            f"is {_kind(value)}", where="events", hint="an array of events, or one event object: {type, data}"
        )
    if not events:
        raise ValidationError("is an empty array", where="events", hint="add at least one event")
    problems: list[ValidationError] = []
    for index, event in enumerate(events):
        try:
            check_event(event, where=f"event {index}")
        except ValidationError as exc:
            problems.append(exc)
    if problems:
        raise PublishInputError(problems)
    return events


def _kind(value: object) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "an array"}
    return "null" if value is None else names.get(type(value), "an object" if isinstance(value, dict) else "a value")


# ----- problem details --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ProblemEntry:
    name: str
    reason: str
    code: str

    def describe(self) -> str:
        return f"{self.name}: {self.reason}" + (f" ({self.code})" if self.code else "")

    @property
    def event_index(self) -> int | None:
        match = _EVENT_NAME.match(self.name)
        return int(match.group(1)) if match else None


@dataclass(frozen=True, slots=True)
class Problem:
    """An RFC 7807 answer: title, status, detail, trace id, and one entry per field at fault."""

    title: str
    status: int | None
    detail: str
    trace_id: str
    errors: tuple[ProblemEntry, ...]

    def headline(self) -> str:
        status = f" ({self.status})" if self.status else ""
        detail = f": {self.detail}" if self.detail and self.detail != self.title else ""
        return f"{self.title or 'Error'}{status}{detail}"

    def describe(self) -> str:
        lines = [self.headline(), *(f"  {entry.describe()}" for entry in self.errors)]
        if self.trace_id:
            lines.append(f"  trace id: {self.trace_id}")
        return "\n".join(lines)


def parse_problem(data: object, status: int | None = None) -> Problem | None:
    if not isinstance(data, dict):
        return None
    entries = []
    for entry in data.get("errors") or []:
        if isinstance(entry, dict):
            entries.append(
                ProblemEntry(str(entry.get("name") or ""), str(entry.get("reason") or ""), str(entry.get("code") or ""))
            )
    raw_status = data.get("status")
    return Problem(
        title=str(data.get("title") or ""),
        status=raw_status if isinstance(raw_status, int) and not isinstance(raw_status, bool) else status,
        detail=str(data.get("detail") or ""),
        trace_id=str(data.get("traceId") or ""),
        errors=tuple(entries),
    )


def problem_words(data: dict[str, Any]) -> tuple[str, str]:
    """A problem-details answer in one line (the transport's ``error_words``)."""
    problem = parse_problem(data)
    if problem is None:
        return "", ""
    words = problem.detail or problem.title
    if problem.errors:
        words += " — " + "; ".join(e.describe() for e in problem.errors[:3])
        if len(problem.errors) > 3:
            words += f"; and {len(problem.errors) - 3} more"
    if problem.trace_id:
        words += f" (trace id {problem.trace_id})"
    return words, problem.errors[0].code if problem.errors else ""


def problem_of(error: ApiError) -> Problem | None:
    return parse_problem(error.body, error.status)


# ----- client -----------------------------------------------------------------------------------------------
class QalaClient(ServiceClient):
    """Publish events and create session tokens in one Qala environment."""

    SERVICE = "qala"
    ERROR_WORDS = staticmethod(problem_words)
    HINTS = HINTS
    capabilities = CAPABILITIES

    def __init__(
        self,
        base_url: str,
        token: TokenSource,
        environment_id: str,
        *,
        http: httpx.AsyncClient | None = None,
        limiter: RateLimiter | Limiters | None = None,
        rate_limit_rpm: int = REGIONAL_RPM,
    ) -> None:
        self.environment_id = check_environment_id(environment_id)
        super().__init__(base_url, token, http=http, limiter=limiter, rate_limit_rpm=rate_limit_rpm)

    def _headers(self) -> dict[str, str]:
        return {"x-environment-id": self.environment_id, "Accept": "application/json, application/problem+json"}

    async def publish_request(self, events: Sequence[dict[str, Any]], topic: str | None = None) -> Any:
        """One request (at most ``MAX_EVENTS`` events), as is: the server's JSON answer."""
        path = f"/v1/topics/{check_topic_name(topic)}/events/publish" if topic is not None else "/v1/events/publish"
        where = f"topic {topic!r}" if topic is not None else "the environment"
        return await self._api.request(
            "POST",
            path,
            body=json.dumps(list(events), ensure_ascii=False).encode(),
            headers=self._headers(),
            not_found=f"{where} not found in environment {self.environment_id}",
        )

    async def publish_events(self, events: object, topic: str | None = None) -> list[ItemResult]:
        """Validate ``events`` (nothing is sent if one is bad: ``PublishInputError``), then send them in requests
        of ``MAX_EVENTS``; one result per event, in order. Errors of the service become results, not exceptions."""
        checked = check_events(events)
        results: list[ItemResult] = []
        refused: InspectorError | None = None
        for start in range(0, len(checked), MAX_EVENTS):
            chunk = checked[start : start + MAX_EVENTS]
            if refused is not None:  # a 401/403/404 holds for every later request too
                results += _all(chunk, start, Outcome.FAILED, refused.message, Delivery.NOT_SENT)
                continue
            done, refused = await self._publish_chunk(chunk, start, topic)
            results += done
        return results

    async def _publish_chunk(
        self, chunk: list[dict[str, Any]], start: int, topic: str | None
    ) -> tuple[list[ItemResult], InspectorError | None]:
        """One request's results, and the error that makes the later requests futile (401, 403, 404)."""
        for _attempt in range(6):
            try:
                answer = await self.publish_request(chunk, topic)
            except RateLimitedError:
                continue  # not processed; the limiter waits out Retry-After
            except TransportError as exc:
                if exc.maybe_sent:
                    return _all(chunk, start, Outcome.UNKNOWN, exc.message, Delivery.MAYBE), None
                return _all(chunk, start, Outcome.FAILED, exc.message, Delivery.NOT_SENT), None
            except ApiError as exc:
                if exc.status is not None and 200 <= exc.status < 300:  # accepted, with a body that is not JSON
                    return _accepted(chunk, start, None), None
                if outcome_unknown(exc):
                    return _all(chunk, start, Outcome.UNKNOWN, exc.message, Delivery.MAYBE), None
                return _refused(chunk, start, exc), exc if exc.status in (401, 403, 404) else None
            except InspectorError as exc:  # the keyring, before anything was sent
                return _all(chunk, start, Outcome.FAILED, exc.message, Delivery.NOT_SENT), None
            return _accepted(chunk, start, answer), None
        return _all(chunk, start, Outcome.FAILED, "still rate limited after several attempts", Delivery.NOT_SENT), None

    async def create_session_token(self, subscriber_group_id: str) -> str:
        """A new session token for a subscriber group: shown once to the user, never stored."""
        group = check_guid(subscriber_group_id, where="subscriber group id")
        answer = await self._api.request(
            "POST",
            f"/v1/subscriber-groups/{group}/session-tokens",
            headers=self._headers(),
            not_found=f"subscriber group {group} not found",
        )
        token = answer.get("sessionToken") if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token:
            raise ApiError(
                f"{self.host} answered without a 'sessionToken'", hint="the service or a proxy is misbehaving"
            )
        return token


def _all(
    chunk: list[dict[str, Any]], start: int, outcome: Outcome, error: str, delivery: Delivery = Delivery.DELIVERED
) -> list[ItemResult]:
    return [ItemResult(start + i, outcome, error=error, delivery=delivery) for i in range(len(chunk))]


def answer_ids(answer: object, count: int) -> list[str | None]:
    """The event ids a publish answer gives, one per event of the request (None where it gives none).

    Shapes taken: a bare list, or a list under ``events`` (the emulator's), ``eventIds`` or ``ids``; each entry an
    id, or an object with an ``id`` (or ``eventId``) and perhaps the event's ``index``. Without indexes, a list
    is matched to the events by position, only when it has one entry per event. Anything else (an empty body)
    gives no ids."""
    listed = answer
    if isinstance(answer, dict):
        listed = next((answer[k] for k in ("events", "eventIds", "ids") if isinstance(answer.get(k), list)), None)
    ids: list[str | None] = [None] * count
    if not isinstance(listed, list):
        return ids
    indexed = [(e["index"], e) for e in listed if isinstance(e, dict) and type(e.get("index")) is int]
    if indexed:
        for index, entry in indexed:
            if 0 <= index < count:
                ids[index] = _id_of(entry)
        return ids
    return [_id_of(entry) for entry in listed] if len(listed) == count else ids


def _id_of(entry: object) -> str | None:
    if isinstance(entry, dict):
        entry = entry.get("id") if entry.get("id") is not None else entry.get("eventId")
    if isinstance(entry, str) and entry and len(entry) <= MAX_ID_CHARS and entry.isprintable():
        return entry
    return None


def _accepted(chunk: list[dict[str, Any]], start: int, answer: object) -> list[ItemResult]:
    """Every event of an accepted request is published: with the id the answer gives, else the one it had."""
    ids = answer_ids(answer, len(chunk))
    results = []
    for i, event in enumerate(chunk):
        given = event.get("id") if isinstance(event.get("id"), str) and event.get("id") else None
        results.append(ItemResult(start + i, Outcome.SUCCESS, message_id=ids[i] or given))
    return results


def _refused(chunk: list[dict[str, Any]], start: int, error: ApiError) -> list[ItemResult]:
    """A refused request: each event named by the problem gets its entries; the others were refused with them."""
    problem = problem_of(error)
    if problem is None:
        return _all(chunk, start, Outcome.FAILED, error.message)
    per_event: dict[int, list[str]] = {}
    general: list[str] = []
    for entry in problem.errors:
        index = entry.event_index
        if index is not None and 0 <= index < len(chunk):
            field = _EVENT_NAME.match(entry.name).group(2)  # type: ignore[union-attr]
            per_event.setdefault(index, []).append(
                f"{field or 'event'}: {entry.reason}" + (f" ({entry.code})" if entry.code else "")
            )
        else:
            general.append(entry.describe())
    trace = f" [trace id {problem.trace_id}]" if problem.trace_id else ""
    head = problem.headline()
    results = []
    for i in range(len(chunk)):
        if i in per_event:
            words = f"{head} — " + "; ".join(per_event[i]) + trace
        elif general or not per_event:
            words = f"{head}" + (" — " + "; ".join(general) if general else "") + trace
        else:
            bad = ", ".join(str(start + k + 1) for k in sorted(per_event))  # counted from 1, as the user reads
            which = "event" if len(per_event) == 1 else "events"
            words = f"not published: the request was refused because of {which} {bad} (Qala takes all or none){trace}"
        results.append(ItemResult(start + i, Outcome.FAILED, error=words))
    return results


# ----- topics published to before ---------------------------------------------------------------------------
TOPICS_FILE = "qala-topics.json"
TOPICS_FILE_VERSION = 1
TOPICS_KEPT = 50  # names kept per environment, the most recent first


class KnownTopics:
    """The topic names published to before in each environment (a base URL and an environment id), the most
    recent first. Qala's API lists no topics; the panel offers these instead.

    Kept in ``qala-topics.json`` in the app's data folder, or only in memory when ``path`` is None (the demo).
    A file that cannot be read is set aside as ``*.broken`` and said in ``notice``, never silently lost."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.notice = ""
        self._topics: dict[str, list[str]] = self._read() if path is not None else {}

    @classmethod
    def default(cls) -> KnownTopics:
        return cls(AppPaths.current().data / TOPICS_FILE)

    @staticmethod
    def _key(base_url: str, environment_id: str) -> str:
        return f"{base_url.rstrip('/')}\t{environment_id.lower()}"

    def _read(self) -> dict[str, list[str]]:
        assert self.path is not None
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            self.notice = f"{self.path.name} could not be read ({exc.strerror or exc}); earlier topics are not offered."
            return {}
        try:
            data = json.loads(raw)
            if not isinstance(data, dict) or not isinstance(data.get("environments"), dict):
                raise ValueError("no 'environments' object")
            if int(data.get("version", TOPICS_FILE_VERSION)) > TOPICS_FILE_VERSION:
                raise ValueError(f"written by a newer version (format {data['version']})")
            return {
                str(key): [str(n) for n in names if isinstance(n, str) and n][:TOPICS_KEPT]
                for key, names in data["environments"].items()
                if isinstance(names, list)
            }
        except (ValueError, TypeError) as exc:
            broken = self.path.with_suffix(".json.broken")
            try:
                self.path.replace(broken)
            except OSError:
                broken = self.path
            log.warning("%s unreadable (%s); set aside as %s", self.path.name, exc, broken)
            self.notice = f"{self.path.name} could not be read ({exc}); it was kept as {broken}."
            return {}

    def names(self, base_url: str, environment_id: str) -> list[str]:
        """The topics published to before in this environment, the most recent first."""
        return list(self._topics.get(self._key(base_url, environment_id), []))

    def remember(self, base_url: str, environment_id: str, name: str) -> bool:
        """Put ``name`` first in this environment's list; True when the list changed (then call ``save``)."""
        key = self._key(base_url, environment_id)
        names = self._topics.get(key, [])
        if names[:1] == [name]:
            return False
        self._topics[key] = [name, *(n for n in names if n != name)][:TOPICS_KEPT]
        return True

    def save(self) -> None:
        """Write the file (atomically, private); nothing when kept in memory only."""
        if self.path is None:
            return
        body = {"version": TOPICS_FILE_VERSION, "environments": self._topics}
        atomic_write(self.path, json.dumps(body, ensure_ascii=False, indent=1).encode())
