"""Every malformed input of the corpus (``tests/corpus``) is refused with the project's own error, in words.

For each entry point, each case must raise an ``InspectorError`` (never a bare ValueError, KeyError, TypeError,
RecursionError, UnicodeError or OverflowError), whose ``describe()`` holds the case's expected words, whose message
is one line, and which says where the problem is (the argument, field, line or item) when the case names it.
Cases marked ``known_bug`` are expected to fail until the bug is fixed (in a module this suite does not own).
"""

from __future__ import annotations

import asyncio
import copy
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from inspector.core import errors
from inspector.core.errors import InspectorError, PublishInputError, ValidationError
from inspector.core.export import import_file
from inspector.core.filtering import make_filter
from inspector.core.jsoninput import parse_publish_input
from inspector.core.profiles import Profile, ProfileStore, check_profile
from inspector.core.publisher import encode_all
from inspector.core.ratelimit import RateLimiter
from inspector.core.regions import custom_endpoint
from inspector.core.schema import schema_from_document
from inspector.core.services.boomi import check_account_id, check_subscription, check_subscription_id
from inspector.core.services.messaging import check_app_id, check_selectors
from inspector.core.services.qala import check_environment_id, check_events, check_topic_name
from inspector.core.services.workato import DeveloperApiClient, EventStreamsClient
from inspector.core.timeparse import parse_time
from inspector.core.transform import apply_edits, parse_edits
from inspector.core.validation import check_batch, check_topic_id, encode_payload
from inspector.core.workspace import WorkspaceStore, parse_topic_reference
from tests import corpus
from tests.corpus import Case

# Edits are applied to this payload when the edit list itself is accepted.
SAMPLE = {"status": "new", "total": 12, "customer": {"name": "Jane"}, "lines": [{"qty": 1, "price": 2.5}]}
BASE = "https://event-streams.example.test"
HOST = "event-streams.example.test"


def cases(name: str) -> list[Any]:
    """The corpus of one entry point as pytest parameters; a ``known_bug`` case is expected to fail."""
    params = []
    for case in corpus.load(name):
        marks = [pytest.mark.xfail(reason=case["known_bug"], strict=False)] if "known_bug" in case else []
        params.append(pytest.param(case, id=case["id"], marks=marks))
    return params


def refused(action: Callable[[], object]) -> InspectorError:
    """The error ``action`` raises; fails the test, naming what happened, unless it is an ``InspectorError``."""
    try:
        result = action()
    except InspectorError as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - the point: anything else is a finding
        pytest.fail(f"raised {type(exc).__name__} instead of an InspectorError: {str(exc)[:300]}")
    pytest.fail(f"was accepted: {str(result)[:300]}")


def place(exc: InspectorError) -> str:
    """Where a ValidationError says the problem is (a PublishInputError names it in its first problem)."""
    if isinstance(exc, PublishInputError):
        return exc.problems[0].where
    return exc.where if isinstance(exc, ValidationError) else ""


def check(exc: InspectorError, case: Case, *, where: str | None = None) -> None:
    """The message is one line with the expected words; the place is named (and is ``where`` when given)."""
    text = exc.describe()
    for words in corpus.expected_words(case):
        assert words in text, f"{words!r} not in {text!r}"
    assert exc.message.strip()
    assert "\n" not in exc.message, exc.message
    assert "Traceback" not in text
    if isinstance(exc, ValidationError):
        assert place(exc), f"no place named in {text!r}"
        if where is not None:
            assert exc.where == where, (exc.where, where)
    if "where" in case:
        assert case["where"] in exc.message, f"{case['where']!r} not in {exc.message!r}"


# --- the corpus itself ----------------------------------------------------------------------------------------


def test_every_entry_point_has_at_least_15_cases() -> None:
    counts = corpus.counts()
    expected = {"editor", "files", "cli", "base_urls", "profiles", "topic_refs", "topic_ids", "times", "schemas"}
    expected |= {"filters", "edits", "payloads", "responses", "app_files"}
    expected |= {"qala_events", "boomi_subscriptions", "service_ids"}
    assert set(counts) == expected
    assert all(count >= 15 for count in counts.values()), counts
    assert corpus.count() == sum(counts.values())


# --- editor text: jsoninput.parse_publish_input, then publisher.encode_all (what Publish checks) ------------------


@pytest.mark.parametrize("case", cases("editor"))
def test_editor_text(case: Case) -> None:
    text = corpus.text_of(case)
    exc = refused(lambda: encode_all(parse_publish_input(text, source="editor").items))
    check(exc, case)
    assert isinstance(exc, ValidationError)
    if not isinstance(exc, PublishInputError):
        assert exc.where == "editor"


# --- files to import: export.import_file ----------------------------------------------------------------------


@pytest.mark.parametrize("case", cases("files"))
def test_file_to_import(case: Case, tmp_path: Path) -> None:
    path = tmp_path / case["name"]
    kind = case.get("kind", "file")
    if kind == "file":
        path.write_bytes(corpus.bytes_of(case))
    elif kind == "directory":
        path.mkdir()
    before = path.read_bytes() if kind == "file" else None
    exc = refused(lambda: import_file(path))
    check(exc, case)
    assert str(tmp_path) in exc.message  # the file is named
    if before is not None:
        assert path.read_bytes() == before  # reading never changes the file


# --- the app's own files, edited by hand or damaged: profiles.json (refused in words), workspace.json (set aside) ---


@pytest.mark.parametrize("case", cases("app_files"))
def test_app_file(case: Case, tmp_path: Path) -> None:
    path = tmp_path / f"{case['file']}.json"
    data = corpus.bytes_of(case)
    path.write_bytes(data)
    if case["file"] == "profiles":
        exc = refused(lambda: ProfileStore(path).load())
        check(exc, case, where=str(path))
        assert path.read_bytes() == data  # left for the person to fix
        return
    workspace = WorkspaceStore(path).load()  # the app starts fresh, says so, and keeps the old file aside
    for words in corpus.expected_words(case):
        assert words in workspace.notice, workspace.notice
    assert "\n" not in workspace.notice
    assert path.with_suffix(".json.broken").read_bytes() == data
    assert not workspace.topics


# --- profile fields: base URL, region, name, rate limit ----------------------------------------------------------


@pytest.mark.parametrize("case", cases("base_urls"))
def test_base_url(case: Case) -> None:
    exc = refused(lambda: custom_endpoint(corpus.text_of(case)))
    assert isinstance(exc, errors.InsecureUrlError)
    check(exc, case, where="base URL")


@pytest.mark.parametrize("case", cases("profiles"))
def test_profile_fields(case: Case) -> None:
    exc = refused(lambda: check_profile(Profile(**case["value"])))
    check(exc, case)


# --- topics: what is pasted into "Add topic" (an id or the topic page's URL), and topic id arguments -------------


@pytest.mark.parametrize("case", cases("topic_refs"))
def test_topic_reference(case: Case) -> None:
    exc = refused(lambda: parse_topic_reference(corpus.text_of(case)))
    check(exc, case, where="topic")


@pytest.mark.parametrize("case", cases("topic_ids"))
def test_topic_id(case: Case) -> None:
    exc = refused(lambda: check_topic_id(corpus.value_of(case), where="--to"))
    check(exc, case, where="--to")


# --- since-times: timeparse.parse_time ----------------------------------------------------------------------------


@pytest.mark.parametrize("case", cases("times"))
def test_since_time(case: Case) -> None:
    value = case["value"] if "value" in case else corpus.text_of(case)
    exc = refused(lambda: parse_time(value, where="--since"))
    check(exc, case, where="--since")
    if isinstance(value, str):
        assert repr(value) in exc.message  # the refused text is quoted back
        assert exc.hint or "out of range" in exc.message or "must be in" in exc.message


# --- schemas: schema.schema_from_document (a loaded field list or JSON Schema) -----------------------------------


@pytest.mark.parametrize("case", cases("schemas"))
def test_schema(case: Case) -> None:
    document = corpus.value_of(case)
    exc = refused(lambda: schema_from_document(document))
    check(exc, case)
    assert place(exc).startswith("schema file")


# --- JMESPath filters: filtering.make_filter ---------------------------------------------------------------------


@pytest.mark.parametrize("case", cases("filters"))
def test_jmespath_filter(case: Case) -> None:
    exc = refused(lambda: make_filter("jmespath", corpus.text_of(case)))
    check(exc, case, where="JMESPath")
    assert exc.hint


# --- replay edit lists: transform.parse_edits, then apply_edits -------------------------------------------------


@pytest.mark.parametrize("case", cases("edits"))
def test_edit_list(case: Case) -> None:
    text = corpus.text_of(case)
    original = copy.deepcopy(SAMPLE)
    exc = refused(lambda: apply_edits(parse_edits(text), "M1", "2024-05-01T00:00:00Z", SAMPLE))
    check(exc, case)
    assert place(exc).startswith("edit line ")
    assert original == SAMPLE  # the message being edited is left as it was


# --- payloads: validation.encode_payload and check_batch ---------------------------------------------------------


@pytest.mark.parametrize("case", cases("payloads"))
def test_payload(case: Case) -> None:
    value = corpus.value_of(case)
    if case.get("batch"):
        exc = refused(lambda: check_batch(value))
    else:
        exc = refused(lambda: encode_payload(value, where="payload"))
    check(exc, case)


# --- the other services' inputs: Qala events, Boomi subscriptions, their ids and selectors -----------------------


@pytest.mark.parametrize("case", cases("qala_events"))
def test_qala_events(case: Case) -> None:
    check(refused(lambda: check_events(corpus.value_of(case))), case)


@pytest.mark.parametrize("case", cases("boomi_subscriptions"))
def test_boomi_subscription(case: Case) -> None:
    check(refused(lambda: check_subscription(corpus.value_of(case))), case, where="subscription")


SERVICE_ID_CHECKS: dict[str, Callable[[Any], object]] = {
    "environment": check_environment_id,
    "account": check_account_id,
    "subscription": check_subscription_id,
    "app": check_app_id,
    "selectors": check_selectors,
    "topic_name": check_topic_name,
}


@pytest.mark.parametrize("case", cases("service_ids"))
def test_service_ids(case: Case) -> None:
    checker = SERVICE_ID_CHECKS[case["kind"]]
    check(refused(lambda: checker(corpus.value_of(case))), case)


# --- server responses: services/workato.py over http.py, answers shaped with httpx.MockTransport -----------------


def _response(case: Case) -> httpx.Response:
    body = corpus.bytes_of(case) if any(key in case for key in ("text", "build", "bytes_hex")) else b""
    return httpx.Response(case["status"], content=body, headers=case.get("headers", {}))


async def _call(case: Case, limiter: RateLimiter) -> object:
    def handler(request: httpx.Request) -> httpx.Response:
        return _response(case)

    http = httpx.AsyncClient(base_url=BASE, transport=httpx.MockTransport(handler), follow_redirects=False)
    endpoint = custom_endpoint(BASE)
    try:
        op = case["op"]
        if op in ("topics", "get_topic"):
            developer = DeveloperApiClient(endpoint, "tok-123", http=http, limiter=limiter)
            return await (developer.list_topics() if op == "topics" else developer.get_topic(12))
        client = EventStreamsClient(endpoint, "tok-123", http=http, limiter=limiter)
        if op == "consume":
            return await client.consume(1)
        if op == "publish":
            return await client.publish(1, {"a": 1})
        return await client.publish_batch(1, [{"a": 1}, {"a": 2}])
    finally:
        await http.aclose()


@pytest.mark.parametrize("case", cases("responses"))
def test_server_response(case: Case) -> None:
    limiter = RateLimiter(0)
    exc = refused(lambda: asyncio.run(_call(case, limiter)))
    assert type(exc) is getattr(errors, case["error"]), f"{type(exc).__name__}: {exc.describe()}"
    check(exc, case)
    assert HOST in exc.message  # which server said so
    assert isinstance(exc, errors.ApiError)
    assert len(exc.server_message) <= 200  # an excerpt, not a whole page
    if "retry_after" in case:
        assert isinstance(exc, errors.RateLimitedError)
        if case["retry_after"] == "finite":
            assert exc.retry_after is not None
            assert math.isfinite(exc.retry_after)
            assert 0 <= exc.retry_after <= 24 * 3600
        else:
            assert exc.retry_after == case["retry_after"]
        paused = limiter.usage().paused_for
        assert math.isfinite(paused)
        assert paused <= 24 * 3600
