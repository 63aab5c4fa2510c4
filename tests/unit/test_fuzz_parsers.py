"""Hypothesis fuzzing of the parsers and validators of every entry point, bounded for CI (the file runs in well
under a minute on two cores): whatever comes in, the only exceptions that come out are ``InspectorError``s, in one
line, and what is accepted is usable (an accepted base URL makes a valid httpx URL, an accepted time converts to
UTC, an accepted schema checks payloads, an accepted filter matches rows).

``tests/unit/test_publish_input_fuzz.py`` fuzzes ``parse_publish_input`` and the chunker; not repeated here.
"""

from __future__ import annotations

import asyncio
import json
import math
import string
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from inspector.core.errors import ApiError, InspectorError, ValidationError
from inspector.core.export import import_file, import_items
from inspector.core.filtering import TextFilter, make_filter
from inspector.core.http import parse_retry_after
from inspector.core.jsoninput import describe_json_error
from inspector.core.profiles import Profile, ProfileStore, check_profile
from inspector.core.ratelimit import RateLimiter
from inspector.core.regions import REGIONS, custom_endpoint, is_loopback_host, region
from inspector.core.schema import make_validator, schema_from_document, violations
from inspector.core.services.workato import EventStreamsClient, parse_batch_result, parse_messages, parse_topic
from inspector.core.timeparse import parse_time
from inspector.core.transform import apply_edits, parse_edits
from inspector.core.validation import MAX_TOPIC_ID, check_topic_id, encode_payload
from inspector.core.workspace import WorkspaceStore, parse_topic_reference

FAST = settings(max_examples=200, deadline=None, database=None)
MEDIUM = settings(max_examples=150, deadline=None, database=None)
SLOW = settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(action: Callable[[], Any], *, one_line: bool = True) -> Any:
    """``action()``'s result, or None when it refused with an ``InspectorError`` in one line; anything else fails
    the test (with the exception, as Hypothesis shows the shrunk input)."""
    try:
        return action()
    except InspectorError as exc:
        refusal = exc
    check_refusal(refusal, one_line=one_line)
    return None


def check_refusal(exc: InspectorError, *, one_line: bool = True) -> None:
    assert exc.message.strip()
    if one_line:
        assert "\n" not in exc.message, exc.message
    if isinstance(exc, ValidationError):
        assert exc.where or exc.reason


# --- strategies ---------------------------------------------------------------------------------------------------

# Any character, lone surrogates included (st.text leaves them out).
any_char = st.characters(codec=None, exclude_categories=()) | st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
any_text = st.text(any_char, max_size=60)

_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()  # NaN and infinities included: what a lenient producer may hand over
    | st.text(max_size=10)
)
json_values = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=10,
)


def spliced(pieces: list[str], size: int = 25) -> st.SearchStrategy[str]:
    """Texts made of likely pieces and some arbitrary characters."""
    return st.lists(st.sampled_from(pieces) | st.text(any_char, max_size=2), max_size=size).map("".join)


# --- since-times: timeparse.parse_time ----------------------------------------------------------------------------

_TIME_PIECES = [
    *string.digits,
    "-",
    ":",
    "T",
    "t",
    " ",
    "Z",
    "z",
    "+",
    ".",
    "2024-05-01",
    "0000-01-01",
    "0001-01-01",
    "9999-12-31",
    "T23:59:60",
    "T12:30:00",
    "T00:00",
    ".123456789",
    "+99:99",
    "-23:59",
    "+24:00",
    "+0530",
    "２",
]


@st.composite
def time_like(draw: st.DrawFn) -> str:
    year = draw(st.integers(0, 10000))
    month, day = draw(st.integers(0, 13)), draw(st.integers(0, 32))
    hour, minute, second = draw(st.integers(0, 25)), draw(st.integers(0, 61)), draw(st.integers(0, 61))
    fraction = draw(st.sampled_from(["", ".5", ".123", ".123456", ".9999999", "."]))
    zone = draw(st.sampled_from(["", "Z", "z", "+00:00", "-00:00", "+23:59", "-23:59", "+24:00", "+0530", "+5"]))
    sep = draw(st.sampled_from(["T", "t", " ", "_"]))
    return f"{year:04d}-{month:02d}-{day:02d}{sep}{hour:02d}:{minute:02d}:{second:02d}{fraction}{zone}"


@FAST
@given(any_text | spliced(_TIME_PIECES) | time_like())
@example("0001-01-01T00:00:00+01:00")
@example("9999-12-31T23:59:59.9999999Z")
@example("2016-12-31T23:59:60Z")
def test_parse_time(text: str) -> None:
    moment = outcome(lambda: parse_time(text, where="--since"))
    if moment is not None:
        assert isinstance(moment, datetime)
        assert moment.tzinfo is not None
        assert moment.astimezone(UTC).tzinfo is UTC  # shown in UTC, or as a timestamp, without OverflowError
        moment.timestamp()


@FAST
@given(json_values)
def test_parse_time_of_any_value(value: object) -> None:
    outcome(lambda: parse_time(value, where="time"))  # type: ignore[arg-type]


# --- base URLs and regions: regions.custom_endpoint, region ---------------------------------------------------------

_HOSTS = [
    "event-streams.workato.com",
    "localhost",
    "127.0.0.1",
    "[::1]",
    "[2001:db8::1]",
    "[fe80::1%25eth0]",
    "[::zz]",
    "10.0.0.1",
    "256.0.0.1",
    "1a2b3c4",
    "1-2-3-4",
    "bücher.example",
    "☃.example",
    "ｅｘａｍｐｌｅ.com",
    "xn--bcher-kva.example",
    "a..b",
    "-x-.example",
    "_srv.example",
    "",
]


@st.composite
def url_like(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["https://", "http://", "HTTPS://", "ftp://", "javascript:", "", "//", "https:/"]))
    userinfo = draw(st.sampled_from(["", "", "user@", "user:pw@", ":@", "a\\@"]))
    host = draw(st.sampled_from(_HOSTS) | st.text(any_char, max_size=12))
    port = draw(
        st.sampled_from(["", "", ":443", ":0", ":65536", ":-1", ":abc", ":８０", ":"])
        | st.integers(-5, 70000).map(lambda n: f":{n}")
    )
    path = draw(st.sampled_from(["", "/", "/api", "/a b", "/%zz", "/\x7f", "/é"]) | st.text(any_char, max_size=6))
    tail = draw(st.sampled_from(["", "", "?q=1", "#f", "?", "#"]))
    return scheme + userinfo + host + port + path + tail


@FAST
@given(url_like() | any_text)
@example("https://☃.example")
@example("https://example.com/\x7f")
@example("http://1a2b3c4")
def test_custom_endpoint(url: str) -> None:
    endpoint = outcome(lambda: custom_endpoint(url))
    if endpoint is not None:
        parsed = httpx.URL(endpoint.events_url)  # what the HTTP client will do with it: no InvalidURL
        assert parsed.scheme in ("http", "https")
        assert "@" not in endpoint.events_url
        if parsed.scheme == "http":
            assert is_loopback_host(parsed.host)
        httpx.URL(endpoint.events_url + endpoint.consume_path(1))


@FAST
@given(any_text | st.sampled_from([*REGIONS, *(k.upper() for k in REGIONS), " eu ", "custom"]) | json_values)
def test_region(key: Any) -> None:
    outcome(lambda: region(key))


@MEDIUM
@given(
    st.builds(
        Profile,
        name=any_text | st.none() | st.integers(),
        region=st.sampled_from([*REGIONS, "custom"]) | any_text | st.none() | st.integers(),
        base_url=url_like() | st.none() | st.integers(),
        rate_limit_rpm=st.none() | st.integers(-5, 10**6) | st.floats() | st.booleans() | st.text(max_size=3),
    )
)
def test_check_profile(profile: Profile) -> None:
    checked = outcome(lambda: check_profile(profile))
    if checked is not None:
        endpoint = checked.endpoint()  # a checked profile always gives an endpoint
        httpx.URL(endpoint.events_url)


# --- topic ids and topic page URLs: validation.check_topic_id, workspace.parse_topic_reference ---------------------


@FAST
@given(
    st.integers()
    | st.integers(MAX_TOPIC_ID - 2, MAX_TOPIC_ID + 2)
    | st.text(string.digits + " +-.,xe", max_size=25)
    | any_text
    | json_values
)
@example(10**5000)
@example("9" * 5000)
def test_check_topic_id(value: object) -> None:
    topic = outcome(lambda: check_topic_id(value, where="--to"))
    if topic is not None:
        assert isinstance(topic, int)
        assert 1 <= topic <= MAX_TOPIC_ID


_REF_PIECES = [
    "https://",
    "http://",
    "app.workato.com",
    "/event_topics/",
    "/event_streams/topics/",
    "/topics/",
    "/pubsub/topics/",
    "/recipes/",
    "12",
    "0",
    "-1",
    "9" * 30,
    "?tab=messages",
    "#x",
    "/",
    "javascript:",
    "１",
]


@FAST
@given(spliced(_REF_PIECES) | any_text)
@example("1" * 5000)
def test_parse_topic_reference(text: str) -> None:
    topic = outcome(lambda: parse_topic_reference(text))
    if topic is not None:
        assert 1 <= topic <= MAX_TOPIC_ID


# --- schemas: schema.schema_from_document, then make_validator and violations -------------------------------------

_FIELD_TYPES = ["string", "integer", "number", "boolean", "date_time", "timestamp", "date", "object", "array", "x"]


def fields(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    field = st.fixed_dictionaries(
        {"name": st.sampled_from(["id", "total", "customer", ""]) | st.integers()},
        optional={
            "type": st.sampled_from(_FIELD_TYPES) | json_values,
            "optional": st.booleans() | json_values,
            "of": st.sampled_from(_FIELD_TYPES) | st.integers(),
            "properties": children,
            "label": st.text(max_size=4) | st.integers(),
        },
    )
    return st.lists(field | json_values, max_size=4)


field_lists: st.SearchStrategy[Any] = st.recursive(st.just([]), fields, max_leaves=8)

_JSON_SCHEMA_VALUES = st.sampled_from(
    [
        "string",
        "object",
        "strng",
        5,
        "#",
        "#/$defs/a",
        "#/definitions/x",
        "https://example.com/s",
        "(",
        "[a-z]+",
        "date-time",
        True,
        None,
    ]
)
json_schemas = st.recursive(
    st.dictionaries(
        st.sampled_from(["type", "$ref", "pattern", "format", "minimum", "required", "$dynamicRef", "enum", "$id"]),
        _JSON_SCHEMA_VALUES | st.lists(_JSON_SCHEMA_VALUES, max_size=2),
        max_size=3,
    ),
    lambda children: st.fixed_dictionaries(
        {},
        optional={
            "type": _JSON_SCHEMA_VALUES,
            "properties": st.dictionaries(st.sampled_from(["a", "b"]), children, max_size=2),
            "$defs": st.dictionaries(st.sampled_from(["a", "b"]), children, max_size=2),
            "items": children,
            "allOf": st.lists(children, max_size=2),
            "$ref": _JSON_SCHEMA_VALUES,
        },
    ),
    max_leaves=8,
)


@SLOW
@given(field_lists | json_schemas | json_values, json_values)
@example({"$ref": "#/$defs/a", "$defs": {"a": {"allOf": [{"$ref": "#/$defs/a"}]}}}, {})
@example({"properties": {"a": {"$ref": "#/$defs/b"}}, "$defs": {"b": {"$ref": "#/$defs/b"}}}, {"a": 1})
@example({"$ref": "https://example.com/s"}, {})
def test_schema_from_document(document: Any, payload: Any) -> None:
    schema = outcome(lambda: schema_from_document(document))
    if schema is not None:
        validator = make_validator(schema)  # an accepted schema is usable...
        found = violations(validator, payload)  # ...on any payload, without an exception
        assert all(v.path.startswith("payload") and v.message for v in found)


# --- filters: filtering.make_filter, TextFilter -------------------------------------------------------------------

_JMESPATH_PIECES = [
    "payload",
    ".",
    "status",
    "total",
    " == ",
    " > ",
    " = ",
    " && ",
    " || ",
    "!",
    "'paid'",
    "`100`",
    "`paid`",
    "`{",
    "`",
    "'",
    '"',
    "[",
    "]",
    "[?",
    "[*]",
    "[::0]",
    "(",
    ")",
    "{",
    "}",
    ":",
    ",",
    "|",
    "@",
    "&",
    "$",
    "length(",
    "nosuch(",
    "sort_by(",
    "max_by(",
    "abs(",
    "to_number(",
    "contains(",
    "message_id",
    "time",
]

_ROWS = [
    (1, "A1", 1714521600.0, json.dumps({"status": "paid", "total": 120, "tags": ["a"], "nested": {"x": [1, "2"]}})),
    (2, "A2", 0.0, json.dumps({"status": 5, "total": "x", "items": [{"a": 1}, {"a": "b"}]})),
    (3, "Ω3", 1e9, json.dumps({})),
]


@FAST
@given(spliced(_JMESPATH_PIECES) | any_text)
@example("payload.total > 'x'")
@example("nosuch(payload)")
def test_jmespath_filter(expression: str) -> None:
    predicate = outcome(lambda: make_filter("jmespath", expression))
    if predicate is not None:
        for row in _ROWS:
            assert predicate(row) in (True, False)  # a type mismatch on one row is no match, never an exception


@FAST
@given(any_text)
def test_text_filter(needle: str) -> None:
    matcher = TextFilter(needle)
    assert set(matcher.matching(_ROWS)) <= {1, 2, 3}
    predicate = make_filter("text", needle)
    if predicate is not None:
        for row in _ROWS:
            predicate(row)


# --- edit lists: transform.parse_edits and apply_edits ------------------------------------------------------------

_EDIT_PIECES = [
    "set ",
    "remove ",
    "SET ",
    "delete ",
    "status",
    "customer.name",
    "a..b",
    "lines[0]",
    " = ",
    "=",
    "'replayed'",
    "`1`",
    "`x`",
    "payload.total",
    "payload.customer",
    " > 'x'",
    "message_id",
    "time",
    "abs(",
    "length(",
    "nosuch(",
    ")",
    "\n",
    "\r\n",
    "# ",
    "\ufeff",
]


@MEDIUM
@given(
    spliced(_EDIT_PIECES, size=20) | any_text,
    st.dictionaries(st.sampled_from(["status", "customer", "total", "lines"]), json_values, max_size=4),
)
@example("set big = payload.total > 'x'", {"total": 1})
@example("set customer.name.first = 'x'", {"customer": {"name": "Jane"}})
def test_edit_lists(text: str, payload: dict[str, Any]) -> None:
    edits = outcome(lambda: parse_edits(text))
    if edits is not None:
        before = json.dumps(payload, sort_keys=True, default=str)
        result = outcome(lambda: apply_edits(edits, "M1", "2024-05-01T00:00:00Z", payload))
        assert json.dumps(payload, sort_keys=True, default=str) == before  # the message itself is never changed
        if result is not None:
            assert isinstance(result, dict)


# --- payloads: validation.encode_payload with what the publish fuzz leaves out (NaN, surrogates, odd types) -------


@FAST
@given(json_values | st.dictionaries(any_text, json_values | any_text, max_size=3))
def test_encode_payload(value: object) -> None:
    body = outcome(lambda: encode_payload(value, where="item 0"))
    if body is not None:
        assert json.loads(body) == value  # NaN and infinities are refused: what is accepted reads back as itself


# --- files and imported text: paths.read_text_file, export.import_file / import_items -----------------------------

_RECORD = '{"message_id": "A1", "time": "2024-05-01T00:00:00Z", "payload": {"a": 1}}'


@st.composite
def file_bytes(draw: st.DrawFn) -> bytes:
    text = draw(spliced([_RECORD, "\n", "\r\n", "{}", "[", "]", ",", '"x"', "NaN", "é", "\ufeff", "\x00"], size=10))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252"]))
    data = text.encode(encoding, "replace")
    return data if draw(st.booleans()) else data + draw(st.binary(max_size=8))


@MEDIUM
@given(file_bytes() | st.binary(max_size=64), st.sampled_from(["in.json", "in.jsonl", "in.csv", "in", "in.JSON"]))
def test_import_file(data: bytes, name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        items = outcome(lambda: import_file(path))
        assert path.read_bytes() == data
    if items is not None:
        assert items
        assert all(isinstance(item.payload, dict) for item in items)


@FAST
@given(spliced([_RECORD, "\n", "[", "]", ",", "{}", '{"message_id": 5, "time": null, "payload": []}', "1"]) | any_text)
def test_import_items(text: str) -> None:
    outcome(lambda: import_items(text, source="clipboard"))


_APP_FILE_KEYS = ["version", "profiles", "topics", "open_topics", "splitters", "row_cap", "utc_times", "name", "id"]
app_file_documents = st.recursive(
    _scalars | st.sampled_from([1e400, -1e400, 10**30]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(_APP_FILE_KEYS) | st.text(max_size=3), children, max_size=4)
    ),
    max_leaves=10,
)


@MEDIUM
@given(app_file_documents.map(lambda value: json.dumps(value).encode()) | st.binary(max_size=40))
def test_app_files(data: bytes) -> None:
    """profiles.json is refused in words; workspace.json, when unreadable, is set aside and the app starts fresh."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "file.json"
        path.write_bytes(data)
        outcome(lambda: ProfileStore(path).load())
        workspace = WorkspaceStore(path).load()
        if workspace.notice:
            assert path.with_suffix(".json.broken").read_bytes() == data


@FAST
@given(any_text)
def test_describe_json_error(message: str) -> None:
    assert isinstance(describe_json_error(message), str)


# --- server answers: services/workato.py parsing, and the client over http.py -------------------------------------

message_like = st.fixed_dictionaries(
    {},
    optional={
        "message_id": st.text(max_size=4) | json_values,
        "time": st.sampled_from(["2024-05-01T00:00:00Z", "0001-01-01T00:00:00+01:00", "2016-12-31T23:59:60Z", "x"])
        | json_values,
        "payload": st.dictionaries(st.text(max_size=3), _scalars, max_size=2) | json_values,
    },
)


@FAST
@given(st.fixed_dictionaries({}, optional={"messages": st.lists(message_like | json_values, max_size=3)}) | json_values)
def test_parse_messages(data: Any) -> None:
    # A message id that is not printable is refused in one line (responses/message-id-with-a-line-break).
    messages = outcome(lambda: parse_messages(data, "host.test"))
    if messages is not None:
        for message in messages:
            message.time.astimezone(UTC)  # an accepted time is always shown without an OverflowError
            message.to_json_line()


@FAST
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "message_ids": st.dictionaries(st.sampled_from(["0", "1", "-1", "x"]), json_values, max_size=3)
            | json_values,
            "is_partial_error": json_values,
        },
    )
    | json_values,
    st.integers(1, 3),
)
def test_parse_batch_result(data: Any, count: int) -> None:
    result = outcome(lambda: parse_batch_result(data, count, "host.test"))
    if result is not None:
        assert [item.index for item in result.items] == list(range(count))


@FAST
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "id": st.integers() | json_values,
            "name": st.text(max_size=4) | json_values,
            "schema": st.text(max_size=8) | json_values,
            "retention": json_values,
            "created_at": st.text(max_size=8) | json_values,
        },
    )
    | json_values
)
def test_parse_topic(row: Any) -> None:
    outcome(lambda: parse_topic(row, "host.test"))


@FAST
@given(st.text(max_size=30) | st.sampled_from(["nan", "inf", "-1", "1e400", "Wed, 21 Oct 2099 07:28:00 GMT"]))
def test_parse_retry_after(value: str) -> None:
    seconds = parse_retry_after(value)
    assert seconds is None or seconds >= 0 or math.isnan(seconds)  # NaN: a known bug, see the corpus


_BODIES = st.one_of(
    st.binary(max_size=80),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.builds(
        lambda messages: json.dumps({"messages": messages}).encode(),
        st.lists(message_like, max_size=3),
    ),
    st.sampled_from([b"", b"<html><h1>Bad Gateway</h1></html>", b'{"messages": [', b"\xff\xfe{}", b"null"]),
)


@MEDIUM
@given(
    st.sampled_from([200, 200, 200, 201, 204, 301, 400, 401, 403, 404, 409, 413, 418, 429, 500, 502, 503, 599]),
    _BODIES,
    st.dictionaries(
        st.sampled_from(["content-type", "retry-after", "location"]),
        st.sampled_from(["application/json", "text/html", "", "nan", "-1", "5", "https://evil.example", "\u00e9"]),
        max_size=3,
    ),
    st.sampled_from(["consume", "publish", "batch"]),
)
def test_client_on_any_answer(status: int, body: bytes, headers: dict[str, str], op: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            status, content=body, headers={k.encode(): v.encode("latin-1") for k, v in headers.items()}
        )

    async def call() -> object:
        http = httpx.AsyncClient(base_url="https://h.test", transport=httpx.MockTransport(handler))
        client = EventStreamsClient(custom_endpoint("https://h.test"), "tok", http=http, limiter=RateLimiter(0))
        try:
            if op == "consume":
                return await client.consume(1)
            if op == "publish":
                return await client.publish(1, {"a": 1})
            return await client.publish_batch(1, [{"a": 1}])
        finally:
            await http.aclose()

    try:
        asyncio.run(call())
    except ApiError as exc:  # the answer refused: a typed error in words (anything else fails the test)
        check_refusal(exc)
