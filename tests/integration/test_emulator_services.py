"""The emulator's further services over real HTTP: Qala publishing, Boomi subscriptions, the Messaging Resource API.

Every endpoint, each error in its service's own shape, the limits and the emulator-only routes.
"""

from __future__ import annotations

import math
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from inspector.emulator.server import EmulatorConfig, EmulatorServer
from tests.helpers import next_uuid

SEEDED_ENV = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
TYPE_PATTERN = r"^(?:[A-Za-z0-9.,_\-&()\[\]<>]{1,100})$"
EMAIL_REFUSED = "destinationType EMAIL is not supported in the current release; only EVENT_STREAMS is available"
PROBLEM_JSON = "application/problem+json"
TRACE_ID = re.compile(r"^[0-9A-Z]+:[0-9A-F]{8}$")
ONE_MB = 1024 * 1024


@pytest.fixture
def http(emulator: EmulatorServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator.url, headers={"Authorization": f"Bearer {emulator.token}"}) as c:
        yield c


@pytest.fixture
def container(emulator: EmulatorServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator.url, headers={"Authorization": "Bearer container-token"}) as c:
        yield c


def _new_env(http: httpx.Client, *topics: str) -> str:
    env = next_uuid()
    for topic in topics:
        assert http.put(f"/_emulator/qala/environments/{env}/topics/{topic}").status_code == 204
    return env


def _event(**changes: Any) -> dict[str, Any]:
    return {"type": "transaction.updated", "id": "e-1", "audiences": None, "data": {"customerId": "1"}, **changes}


def _problem(answer: httpx.Response, status: int, path: str) -> dict[str, Any]:
    """The Qala problem details, checked for shape; returns the body."""
    assert answer.status_code == status
    assert answer.headers["content-type"] == PROBLEM_JSON
    body = answer.json()
    assert set(body) == {"title", "status", "instance", "traceId", "detail", "errors"}
    assert body["status"] == status
    assert body["instance"] == path
    assert TRACE_ID.match(body["traceId"])
    assert all(set(e) == {"name", "reason", "code", "severity"} and e["severity"] is None for e in body["errors"])
    return body


def _bad_request(body: dict[str, Any]) -> list[tuple[str, str, str]]:
    assert body["title"] == "Bad Request"
    assert body["detail"] == "One or more validation errors occurred."
    return [(e["name"], e["reason"], e["code"]) for e in body["errors"]]


# ----- Qala -------------------------------------------------------------------------------------------------
def test_qala_publish_to_a_topic_then_read_back(http: httpx.Client) -> None:
    env = _new_env(http, "orders")
    path = "/v1/topics/orders/events/publish"
    events = [_event(), {"type": "order.created", "data": "plain text", "audiences": ["a", "b"]}]
    answer = http.post(path, json=events, headers={"x-environment-id": env.upper()})  # a GUID in any case
    assert answer.status_code == 202
    assert answer.headers["content-type"] == "application/json"
    body = answer.json()
    assert body["accepted"] == 2
    assert body["events"][0] == {"index": 0, "id": "e-1", "type": "transaction.updated"}
    assigned = body["events"][1]
    assert assigned["index"] == 1
    assert assigned["type"] == "order.created"
    assert uuid.UUID(assigned["id"]).version == 4
    stored = http.get(f"/_emulator/qala/environments/{env}/events")
    assert stored.status_code == 200
    assert stored.json() == {
        "events": [
            {
                "topic": "orders",
                "type": "transaction.updated",
                "id": "e-1",
                "audiences": None,
                "data": {"customerId": "1"},
            },
            {
                "topic": "orders",
                "type": "order.created",
                "id": assigned["id"],
                "audiences": ["a", "b"],
                "data": "plain text",
            },
        ]
    }


def test_qala_seeded_environment_has_its_topics() -> None:
    with EmulatorServer(EmulatorConfig(port=0, rate_limit_rpm=0)) as fresh:
        headers = {"Authorization": f"Bearer {fresh.token}", "x-environment-id": SEEDED_ENV}
        with httpx.Client(base_url=fresh.url, headers=headers) as c:
            for topic in ("transactions", "customers"):
                assert c.post(f"/v1/topics/{topic}/events/publish", json=[_event(id=topic)]).status_code == 202
            assert c.post("/v1/topics/accounts/events/publish", json=[_event()]).status_code == 404
            stored = c.get(f"/_emulator/qala/environments/{SEEDED_ENV}/events").json()["events"]
            assert [(e["topic"], e["id"]) for e in stored] == [
                ("transactions", "transactions"),
                ("customers", "customers"),
            ]
            # Publishing without a topic stores the event under every topic of the environment.
            routed = c.post("/v1/events/publish", json=[_event(id="routed")])
            assert routed.status_code == 202
            stored = c.get(f"/_emulator/qala/environments/{SEEDED_ENV}/events").json()["events"]
            assert [(e["topic"], e["id"]) for e in stored[2:]] == [("transactions", "routed"), ("customers", "routed")]


def test_qala_publish_without_topic_in_an_environment_without_topics(http: httpx.Client) -> None:
    env = _new_env(http)
    answer = http.post("/v1/events/publish", json=[_event(id=None)], headers={"x-environment-id": env})
    assert answer.status_code == 202
    [accepted] = answer.json()["events"]
    assert answer.json()["accepted"] == 1
    stored = http.get(f"/_emulator/qala/environments/{env}/events").json()
    assert stored == {
        "events": [
            {
                "topic": None,
                "type": "transaction.updated",
                "id": accepted["id"],
                "audiences": None,
                "data": {"customerId": "1"},
            }
        ]
    }


def test_qala_topic_create_is_idempotent_and_per_environment(http: httpx.Client) -> None:
    env = _new_env(http, "t1", "t1", "t2")
    other = _new_env(http)
    assert (
        http.post("/v1/topics/t1/events/publish", json=[_event()], headers={"x-environment-id": env}).status_code == 202
    )
    answer = http.post("/v1/topics/t1/events/publish", json=[_event()], headers={"x-environment-id": other})
    body = _problem(answer, 404, "/v1/topics/t1/events/publish")
    assert body["title"] == "Not Found"
    assert body["detail"] == f"Topic 't1' was not found in environment {other}."
    assert body["errors"] == []
    # Routed publish: one stored event per topic, the topic created twice counts once.
    http.post("/v1/events/publish", json=[_event(id="x")], headers={"x-environment-id": env})
    stored = http.get(f"/_emulator/qala/environments/{env}/events").json()["events"]
    assert [(e["topic"], e["id"]) for e in stored] == [("t1", "e-1"), ("t1", "x"), ("t2", "x")]
    bad = http.put("/_emulator/qala/environments/not-a-guid/topics/t1")
    assert _bad_request(_problem(bad, 400, "/_emulator/qala/environments/not-a-guid/topics/t1")) == [
        ("envId", "'not-a-guid' is not a valid GUID.", "INVALID_FORMAT")
    ]


@pytest.mark.parametrize("path", ["/v1/topics/transactions/events/publish", "/v1/events/publish"])
def test_qala_environment_header_is_required_and_a_guid(http: httpx.Client, path: str) -> None:
    missing = _problem(http.post(path, json=[_event()]), 400, path)
    assert _bad_request(missing) == [
        ("x-environment-id", "The x-environment-id header is required.", "INVALID_MANDATORY_PROPERTY")
    ]
    for value in ("prod", "3f2504e0-4f89-41d3-9a0c-0305e82c330", "3f2504e04f8941d39a0c0305e82c3301"):
        wrong = _problem(http.post(path, json=[_event()], headers={"x-environment-id": value}), 400, path)
        assert _bad_request(wrong) == [("x-environment-id", f"'{value}' is not a valid GUID.", "INVALID_FORMAT")]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, ("events", "The Events field is required.", "INVALID_MANDATORY_PROPERTY")),
        (b"[]", ("events", "The Events field is required.", "INVALID_MANDATORY_PROPERTY")),
        (b'{"type": "a", "data": "b"}', ("events", "The Events field must be an array.", "INVALID_TYPE")),
        (b'"text"', ("events", "The Events field must be an array.", "INVALID_TYPE")),
    ],
)
def test_qala_events_body(http: httpx.Client, content: bytes | None, expected: tuple[str, str, str]) -> None:
    path = "/v1/topics/transactions/events/publish"
    headers = {"x-environment-id": SEEDED_ENV, "content-type": "application/json"}
    answer = http.post(path, content=content, headers=headers)
    assert _bad_request(_problem(answer, 400, path)) == [expected]


def test_qala_at_most_100_events(http: httpx.Client) -> None:
    env = _new_env(http, "many")
    path = "/v1/topics/many/events/publish"
    headers = {"x-environment-id": env}
    assert http.post(path, json=[_event()] * 100, headers=headers).json()["accepted"] == 100
    answer = http.post(path, json=[_event()] * 101, headers=headers)
    assert _bad_request(_problem(answer, 400, path)) == [
        ("events", "At most 100 Events can be published at once.", "INVALID_LENGTH")
    ]


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (_event(type=None), [("events[0].type", "The type field is required.", "INVALID_MANDATORY_PROPERTY")]),
        (_event(type=""), [("events[0].type", "The type field is required.", "INVALID_MANDATORY_PROPERTY")]),
        (
            {"data": "x"},
            [("events[0].type", "The type field is required.", "INVALID_MANDATORY_PROPERTY")],
        ),
        (
            _event(type="has space"),
            [("events[0].type", f"The type field must match {TYPE_PATTERN}.", "INVALID_FORMAT")],
        ),
        (_event(type="x" * 101), [("events[0].type", f"The type field must match {TYPE_PATTERN}.", "INVALID_FORMAT")]),
        (_event(type=5), [("events[0].type", f"The type field must match {TYPE_PATTERN}.", "INVALID_FORMAT")]),
        (_event(data={}), [("events[0].data", "The data field is required.", "INVALID_MANDATORY_PROPERTY")]),
        (_event(data=[]), [("events[0].data", "The data field is required.", "INVALID_MANDATORY_PROPERTY")]),
        (_event(data=""), [("events[0].data", "The data field is required.", "INVALID_MANDATORY_PROPERTY")]),
        (_event(data=None), [("events[0].data", "The data field is required.", "INVALID_MANDATORY_PROPERTY")]),
        (
            {"type": "a"},
            [("events[0].data", "The data field is required.", "INVALID_MANDATORY_PROPERTY")],
        ),
        (
            _event(data=12),
            [("events[0].data", "The data field must be a string, an object or an array.", "INVALID_TYPE")],
        ),
        (
            _event(data=True),
            [("events[0].data", "The data field must be a string, an object or an array.", "INVALID_TYPE")],
        ),
        (
            _event(audiences="everyone"),
            [("events[0].audiences", "The audiences field must be an array of strings or null.", "INVALID_TYPE")],
        ),
        (
            _event(audiences=["a", 1]),
            [("events[0].audiences", "The audiences field must be an array of strings or null.", "INVALID_TYPE")],
        ),
        (_event(id=7), [("events[0].id", "The id field must be a string or null.", "INVALID_TYPE")]),
        ("not an object", [("events[0]", "The event must be an object.", "INVALID_TYPE")]),
    ],
)
def test_qala_one_bad_event(http: httpx.Client, event: Any, expected: list[tuple[str, str, str]]) -> None:
    env = _new_env(http, "t")
    path = "/v1/topics/t/events/publish"
    answer = http.post(path, json=[event], headers={"x-environment-id": env})
    assert _bad_request(_problem(answer, 400, path)) == expected
    assert http.get(f"/_emulator/qala/environments/{env}/events").json() == {"events": []}


def test_qala_every_bad_field_of_every_event_is_listed_and_nothing_is_stored(http: httpx.Client) -> None:
    env = _new_env(http, "t")
    path = "/v1/events/publish"
    events = [
        _event(),
        {"type": "bad type!", "data": 3, "audiences": "x"},
        7,
        _event(id=["x"]),
        {"id": None},
    ]
    answer = http.post(path, json=events, headers={"x-environment-id": env})
    assert _bad_request(_problem(answer, 400, path)) == [
        ("events[1].type", f"The type field must match {TYPE_PATTERN}.", "INVALID_FORMAT"),
        ("events[1].audiences", "The audiences field must be an array of strings or null.", "INVALID_TYPE"),
        ("events[1].data", "The data field must be a string, an object or an array.", "INVALID_TYPE"),
        ("events[2]", "The event must be an object.", "INVALID_TYPE"),
        ("events[3].id", "The id field must be a string or null.", "INVALID_TYPE"),
        ("events[4].type", "The type field is required.", "INVALID_MANDATORY_PROPERTY"),
        ("events[4].data", "The data field is required.", "INVALID_MANDATORY_PROPERTY"),
    ]
    assert http.get(f"/_emulator/qala/environments/{env}/events").json() == {"events": []}


def test_qala_type_pattern_accepts_its_whole_alphabet(http: httpx.Client) -> None:
    path = "/v1/topics/customers/events/publish"
    kind = "Az09.,_-&()[]<>"
    answer = http.post(path, json=[_event(type=kind), _event(type="x" * 100)], headers={"x-environment-id": SEEDED_ENV})
    assert answer.status_code == 202
    assert [e["type"] for e in answer.json()["events"]] == [kind, "x" * 100]


def test_qala_invalid_json_and_size_limit(http: httpx.Client) -> None:
    path = "/v1/topics/transactions/events/publish"
    headers = {"x-environment-id": SEEDED_ENV, "content-type": "application/json"}
    broken = _problem(http.post(path, content=b"[{", headers=headers), 400, path)
    [(name, reason, code)] = _bad_request(broken)
    assert (name, code) == ("events", "INVALID_FORMAT")
    assert "not valid JSON" in reason
    huge = http.post(path, json=[_event(data="y" * ONE_MB)], headers=headers)
    body = _problem(huge, 413, path)
    assert body["title"] == "Request Entity Too Large"
    assert "1 MB" in body["detail"]
    assert body["errors"] == []


@pytest.mark.parametrize(
    "path",
    [
        "/v1/topics/transactions/events/publish",
        "/v1/events/publish",
        f"/v1/subscriber-groups/{SEEDED_ENV}/session-tokens",
    ],
)
def test_qala_401_problem(emulator: EmulatorServer, path: str) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Bearer container-token"}):
        answer = httpx.post(
            f"{emulator.url}{path}", json=[_event()], headers={**headers, "x-environment-id": SEEDED_ENV}
        )
        body = _problem(answer, 401, path)
        assert body["title"] == "Unauthorized"
        assert body["detail"] == "A valid bearer token is required."
        assert body["errors"] == []


def test_qala_trace_ids_differ(http: httpx.Client) -> None:
    path = "/v1/events/publish"
    ids = {http.post(path, json=[]).json()["traceId"] for _ in range(3)}
    assert len(ids) == 3


def test_qala_session_tokens(http: httpx.Client) -> None:
    group = next_uuid()
    path = f"/v1/subscriber-groups/{group}/session-tokens"
    tokens = []
    for _ in range(2):
        answer = http.post(path, headers={"x-environment-id": SEEDED_ENV})
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/json"
        assert set(answer.json()) == {"sessionToken"}
        tokens.append(answer.json()["sessionToken"])
    assert tokens[0] != tokens[1]
    assert all(len(t) >= 80 and re.fullmatch(r"[A-Za-z0-9_-]+", t) for t in tokens)
    no_env = _problem(http.post(path), 400, path)
    assert _bad_request(no_env) == [
        ("x-environment-id", "The x-environment-id header is required.", "INVALID_MANDATORY_PROPERTY")
    ]
    bad_path = "/v1/subscriber-groups/group-1/session-tokens"
    bad = _problem(http.post(bad_path, headers={"x-environment-id": SEEDED_ENV}), 400, bad_path)
    assert _bad_request(bad) == [("subscriberGroupId", "'group-1' is not a valid GUID.", "INVALID_FORMAT")]


def test_qala_unknown_query_parameter(http: httpx.Client) -> None:
    path = "/v1/events/publish"
    answer = http.post(path, params={"topic": "x"}, json=[_event()], headers={"x-environment-id": SEEDED_ENV})
    body = _problem(answer, 400, path)
    assert body["title"] == "Bad Request"
    assert body["detail"] == "unknown query parameter 'topic' (known: none)"


# ----- Boomi ------------------------------------------------------------------------------------------------
def _account() -> str:
    return f"acct_{next_uuid().replace('-', '')[:12]}"


def _sub(name: str = "Atom.Status", **changes: Any) -> dict[str, Any]:
    return {"eventName": name, "destinationType": "EVENT_STREAMS", "eventStreamsTopic": "notifications", **changes}


def _boomi_error(answer: httpx.Response, status: int, error: str, path: str) -> list[str]:
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/json"
    body = answer.json()
    assert set(body) == {"error", "messages", "path"}
    assert body["error"] == error
    assert body["path"] == path
    assert body["messages"]
    assert all(isinstance(m, str) for m in body["messages"])
    return list(body["messages"])


def _create(http: httpx.Client, account: str, *subs: dict[str, Any]) -> list[dict[str, Any]]:
    answer = http.post(f"/rest/v1/accounts/{account}/subscriptions", json={"subscriptions": list(subs)})
    assert answer.status_code == 201, answer.text
    created: list[dict[str, Any]] = answer.json()["subscriptions"]
    return created


def test_boomi_create_get_and_defaults(http: httpx.Client) -> None:
    account = _account()
    before = int(time.time() * 1000)
    full = _sub(
        "Process.Failed",
        logLevel="WARN",
        eventStreamsEnvironment="0b8bc0ef-d4d1-4797-9234-935cf0ff3f63",
        eventStreamsEnvironmentName="production",
        enabled=False,
        subscriptionId="123e4567-e89b-12d3-a456-426614174000",  # a emulator field: ignored
        createdBy="someone@example.com",
    )
    answer = http.post(f"/rest/v1/accounts/{account}/subscriptions", json={"subscriptions": [_sub(), full]})
    assert answer.status_code == 201
    assert answer.headers["content-type"] == "application/json"
    plain, rich = answer.json()["subscriptions"]
    assert plain == {
        "subscriptionId": plain["subscriptionId"],
        "eventName": "Atom.Status",
        "destinationType": "EVENT_STREAMS",
        "logLevel": "ERROR",
        "accountId": account,
        "eventStreamsTopic": "notifications",
        "enabled": True,
        "createdDate": plain["createdDate"],
        "lastUpdatedDate": plain["lastUpdatedDate"],
        "createdBy": "emulator-user",
        "lastUpdatedUserId": "emulator-user",
    }
    assert uuid.UUID(plain["subscriptionId"]).version == 4
    assert before <= plain["createdDate"] <= int(time.time() * 1000)
    assert rich["subscriptionId"] != "123e4567-e89b-12d3-a456-426614174000"
    assert rich["logLevel"] == "WARN"
    assert rich["enabled"] is False
    assert rich["eventStreamsEnvironmentName"] == "production"
    assert rich["createdBy"] == "emulator-user"
    one = http.get(f"/rest/v1/accounts/{account}/subscriptions/{rich['subscriptionId']}")
    assert one.status_code == 200
    assert one.json() == rich
    assert http.get(f"/rest/v1/accounts/{account}/subscriptions/{rich['subscriptionId'].upper()}").json() == rich


def test_boomi_email_is_refused_on_create_with_the_exact_message(http: httpx.Client) -> None:
    account = _account()
    path = f"/rest/v1/accounts/{account}/subscriptions"
    email = {"eventName": "Atom.Status", "destinationType": "EMAIL", "destinationEmail": "user@example.com"}
    answer = http.post(path, json={"subscriptions": [email]})
    assert _boomi_error(answer, 400, "Bad Request", path) == [EMAIL_REFUSED]
    assert http.get(path).json()["subscriptions"] == []


def test_boomi_validation_names_field_and_index(http: httpx.Client) -> None:
    account = _account()
    path = f"/rest/v1/accounts/{account}/subscriptions"
    subs = [
        _sub(logLevel="TRACE"),
        {"destinationType": "EVENT_STREAMS", "eventStreamsTopic": "t"},
        {"eventName": "x", "destinationType": "SMS", "enabled": "yes"},
        _sub(eventStreamsTopic=None),
        "nope",
        _sub(colour="red"),
        {"eventName": "x"},
    ]
    assert _boomi_error(http.post(path, json={"subscriptions": subs}), 400, "Bad Request", path) == [
        "subscriptions[0].logLevel must be one of ERROR, WARN, INFO, DEBUG",
        "subscriptions[1].eventName is required",
        "subscriptions[2].destinationType must be one of EVENT_STREAMS, EMAIL",
        "subscriptions[2].enabled must be a boolean",
        "subscriptions[3].eventStreamsTopic is required for destinationType EVENT_STREAMS",
        "subscriptions[4] must be an object",
        "subscriptions[5].colour is not a field of a subscription",
        "subscriptions[6].destinationType is required",
    ]
    assert http.get(path).json()["subscriptions"] == []
    for body in ({}, {"subscriptions": []}, {"subscriptions": "x"}, [1]):
        assert _boomi_error(http.post(path, json=body), 400, "Bad Request", path)
    assert _boomi_error(http.post(path, json={"subscriptions": [_sub()] * 101}), 400, "Bad Request", path) == [
        "subscriptions must have 1 to 100 items, got 101"
    ]


def test_boomi_list_paging(http: httpx.Client) -> None:
    account = _account()
    path = f"/rest/v1/accounts/{account}/subscriptions"
    empty = http.get(path)
    assert empty.status_code == 200
    assert empty.json() == {
        "subscriptions": [],
        "paginationMetadata": {
            "pageNumber": 0,
            "pageSize": 20,
            "totalPages": 0,
            "totalElements": 0,
            "numberOfElements": 0,
            "first": True,
            "last": True,
        },
    }
    created = _create(http, account, *[_sub(f"event-{n}") for n in range(5)])
    ids = [s["subscriptionId"] for s in created]
    first = http.get(path, params={"pageSize": 2}).json()
    assert [s["subscriptionId"] for s in first["subscriptions"]] == ids[:2]
    assert first["paginationMetadata"] == {
        "pageNumber": 0,
        "pageSize": 2,
        "totalPages": 3,
        "totalElements": 5,
        "numberOfElements": 2,
        "first": True,
        "last": False,
    }
    last = http.get(path, params={"pageSize": 2, "pageNumber": 2}).json()
    assert [s["subscriptionId"] for s in last["subscriptions"]] == ids[4:]
    assert last["paginationMetadata"]["numberOfElements"] == 1
    assert last["paginationMetadata"]["first"] is False
    assert last["paginationMetadata"]["last"] is True
    beyond = http.get(path, params={"pageSize": 2, "pageNumber": 9}).json()
    assert beyond["subscriptions"] == []
    assert beyond["paginationMetadata"]["numberOfElements"] == 0


def test_boomi_list_sorting_both_directions(http: httpx.Client) -> None:
    account = _account()
    path = f"/rest/v1/accounts/{account}/subscriptions"
    _create(http, account, _sub("b", logLevel="INFO"), _sub("c", logLevel="DEBUG"), _sub("a", logLevel="WARN"))
    names = [s["eventName"] for s in http.get(path, params={"sortBy": "eventName"}).json()["subscriptions"]]
    assert names == ["a", "b", "c"]
    down = http.get(path, params={"sortBy": "eventName", "sortDirection": "desc"}).json()["subscriptions"]
    assert [s["eventName"] for s in down] == ["c", "b", "a"]
    asc = http.get(path, params={"sortBy": "logLevel", "sortDirection": "ASC"}).json()["subscriptions"]
    assert [s["logLevel"] for s in asc] == ["DEBUG", "INFO", "WARN"]
    created = http.get(path, params={"sortDirection": "DESC"}).json()["subscriptions"]
    dates = [s["createdDate"] for s in created]
    assert dates == sorted(dates, reverse=True)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"sortBy": "colour"}, "sortBy must be one of "),
        ({"sortDirection": "UP"}, "sortDirection must be ASC or DESC"),
        ({"pageSize": "0"}, "pageSize must be an integer from 1 to 100"),
        ({"pageSize": "101"}, "pageSize must be an integer from 1 to 100"),
        ({"pageSize": "ten"}, "pageSize must be an integer from 1 to 100"),
        ({"pageNumber": "-1"}, "pageNumber must be an integer of 0 or more"),
        ({"pageNumber": "1.5"}, "pageNumber must be an integer of 0 or more"),
        ({"page": "1"}, "unknown query parameter 'page' (known: pageNumber, pageSize, sortBy, sortDirection)"),
    ],
)
def test_boomi_bad_list_parameters(http: httpx.Client, params: dict[str, str], message: str) -> None:
    path = f"/rest/v1/accounts/{_account()}/subscriptions"
    [said] = _boomi_error(http.get(path, params=params), 400, "Bad Request", path)
    assert said.startswith(message)


def test_boomi_update_one(http: httpx.Client) -> None:
    account = _account()
    [sub] = _create(http, account, _sub(logLevel="INFO"))
    path = f"/rest/v1/accounts/{account}/subscriptions/{sub['subscriptionId']}"
    time.sleep(0.01)
    answer = http.put(path, json={"subscription": {"logLevel": "DEBUG", "enabled": False, "createdDate": 1}})
    assert answer.status_code == 200
    updated = answer.json()["subscription"]
    assert updated == {
        **sub,
        "logLevel": "DEBUG",
        "enabled": False,
        "lastUpdatedDate": updated["lastUpdatedDate"],
    }
    assert updated["lastUpdatedDate"] > sub["lastUpdatedDate"]
    assert http.get(path).json() == updated
    refused = http.put(path, json={"subscription": {"destinationType": "EMAIL", "destinationEmail": "a@b.c"}})
    assert _boomi_error(refused, 400, "Bad Request", path) == [EMAIL_REFUSED]
    invalid = http.put(path, json={"subscription": {"logLevel": "LOUD", "eventName": ""}})
    assert _boomi_error(invalid, 400, "Bad Request", path) == [
        "subscription.eventName is required",
        "subscription.logLevel must be one of ERROR, WARN, INFO, DEBUG",
    ]
    assert _boomi_error(http.put(path, json={"subscriptions": [{}]}), 400, "Bad Request", path) == [
        "request body must be a JSON object with a 'subscription' object"
    ]
    assert http.get(path).json() == updated


def test_boomi_unknown_and_malformed_ids(http: httpx.Client) -> None:
    account = _account()
    _create(http, account, _sub())
    unknown = next_uuid()
    path = f"/rest/v1/accounts/{account}/subscriptions/{unknown}"
    for answer in (http.get(path), http.put(path, json={"subscription": {}}), http.delete(path)):
        assert _boomi_error(answer, 404, "Not Found", path) == [f"Subscription {unknown} not found"]
    bad = f"/rest/v1/accounts/{account}/subscriptions/not-a-uuid"
    for answer in (http.get(bad), http.put(bad, json={"subscription": {}}), http.delete(bad)):
        assert _boomi_error(answer, 400, "Bad Request", bad) == ["subscriptionId 'not-a-uuid' is not a valid UUID"]
    odd = "/rest/v1/accounts/bad%20account/subscriptions"
    assert _boomi_error(http.get(odd), 400, "Bad Request", "/rest/v1/accounts/bad account/subscriptions") == [
        "accountId must be 1 to 64 letters, digits, '_' or '-'"
    ]


def test_boomi_delete_one_and_all(http: httpx.Client) -> None:
    account = _account()
    path = f"/rest/v1/accounts/{account}/subscriptions"
    first, second = _create(http, account, _sub("one"), _sub("two"))
    gone = http.delete(f"{path}/{first['subscriptionId']}")
    assert gone.status_code == 204
    assert gone.content == b""
    assert http.get(f"{path}/{first['subscriptionId']}").status_code == 404
    assert [s["subscriptionId"] for s in http.get(path).json()["subscriptions"]] == [second["subscriptionId"]]
    everything = http.delete(path)
    assert everything.status_code == 204
    assert everything.content == b""
    assert http.get(path).json()["subscriptions"] == []
    assert http.delete(path).status_code == 204  # none left: still 204


def test_boomi_update_all(http: httpx.Client) -> None:
    account = _account()
    path = f"/rest/v1/accounts/{account}/subscriptions"
    first = http.put(path, json={"subscriptions": [_sub("one"), _sub("two")]})
    assert first.status_code == 201  # the account had none
    one, two = first.json()["subscriptions"]
    time.sleep(0.01)
    kept = {"subscriptionId": two["subscriptionId"], **_sub("two-renamed")}
    second = http.put(path, json={"subscriptions": [kept, _sub("three")]})
    assert second.status_code == 200
    renamed, three = second.json()["subscriptions"]
    assert renamed["subscriptionId"] == two["subscriptionId"]
    assert renamed["createdDate"] == two["createdDate"]
    assert renamed["eventName"] == "two-renamed"
    assert renamed["lastUpdatedDate"] > two["lastUpdatedDate"]
    assert three["subscriptionId"] not in (one["subscriptionId"], two["subscriptionId"])
    listed = http.get(path, params={"sortBy": "eventName"}).json()["subscriptions"]
    assert [s["eventName"] for s in listed] == ["three", "two-renamed"]
    assert http.get(f"{path}/{one['subscriptionId']}").status_code == 404
    email = {"eventName": "x", "destinationType": "EMAIL", "destinationEmail": "a@b.c"}
    assert _boomi_error(http.put(path, json={"subscriptions": [email]}), 400, "Bad Request", path) == [EMAIL_REFUSED]
    assert len(http.get(path).json()["subscriptions"]) == 2
    emptied = http.put(path, json={"subscriptions": []})
    assert emptied.status_code == 200
    assert emptied.json() == {"subscriptions": []}
    assert http.put(path, json={"subscriptions": [_sub("again")]}).status_code == 201


def test_boomi_bulk_delete(http: httpx.Client) -> None:
    account = _account()
    path = f"/rest/v1/accounts/{account}/subscriptions"
    first, second = _create(http, account, _sub("one"), _sub("two"))
    unknown = next_uuid()
    answer = http.post(
        f"{path}/bulk",
        json={
            "operation": "DELETE",
            "subscriptionIds": [first["subscriptionId"], unknown, "nope", first["subscriptionId"]],
        },
    )
    assert answer.status_code == 207
    assert answer.headers["content-type"] == "application/json"
    assert answer.json() == {
        "operationStatuses": [
            {"subscriptionId": first["subscriptionId"], "httpEquivalentCode": 200, "message": "Deleted successfully"},
            {"subscriptionId": unknown, "httpEquivalentCode": 404, "message": "Subscription not found"},
            {"subscriptionId": "nope", "httpEquivalentCode": 400, "message": "subscriptionId is not a valid UUID"},
            {"subscriptionId": first["subscriptionId"], "httpEquivalentCode": 404, "message": "Subscription not found"},
        ]
    }
    assert [s["subscriptionId"] for s in http.get(path).json()["subscriptions"]] == [second["subscriptionId"]]


def test_boomi_bulk_update(http: httpx.Client) -> None:
    account = _account()
    path = f"/rest/v1/accounts/{account}/subscriptions"
    first, second = _create(http, account, _sub("one"), _sub("two"))
    unknown = next_uuid()
    items = [
        {"subscriptionId": first["subscriptionId"], "logLevel": "INFO"},
        {"subscriptionId": unknown, "logLevel": "INFO"},
        {"subscriptionId": second["subscriptionId"], "destinationType": "EMAIL", "destinationEmail": "a@b.c"},
        {"logLevel": "INFO"},
        {"subscriptionId": second["subscriptionId"], "logLevel": "LOUD"},
    ]
    answer = http.post(f"{path}/bulk", json={"operation": "UPDATE", "subscriptions": items})
    assert answer.status_code == 207
    assert answer.json() == {
        "operationStatuses": [
            {"subscriptionId": first["subscriptionId"], "httpEquivalentCode": 200, "message": "Updated successfully"},
            {"subscriptionId": unknown, "httpEquivalentCode": 404, "message": "Subscription not found"},
            {"subscriptionId": second["subscriptionId"], "httpEquivalentCode": 400, "message": EMAIL_REFUSED},
            {
                "subscriptionId": None,
                "httpEquivalentCode": 400,
                "message": "subscriptions[3].subscriptionId is required",
            },
            {
                "subscriptionId": second["subscriptionId"],
                "httpEquivalentCode": 400,
                "message": "subscriptions[4].logLevel must be one of ERROR, WARN, INFO, DEBUG",
            },
        ]
    }
    assert http.get(f"{path}/{first['subscriptionId']}").json()["logLevel"] == "INFO"
    assert http.get(f"{path}/{second['subscriptionId']}").json() == second


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"operation": "PATCH", "subscriptionIds": []}, "operation must be DELETE or UPDATE"),
        ({"subscriptionIds": [next_uuid()]}, "operation must be DELETE or UPDATE"),
        ({"operation": "DELETE"}, "subscriptionIds must be an array of 1 to 100 items for operation DELETE"),
        (
            {"operation": "DELETE", "subscriptionIds": []},
            "subscriptionIds must be an array of 1 to 100 items for operation DELETE",
        ),
        (
            {"operation": "UPDATE", "subscriptionIds": [next_uuid()]},
            "subscriptions must be an array of 1 to 100 items for operation UPDATE",
        ),
        ([], "request body must be a JSON object with an 'operation'"),
    ],
)
def test_boomi_bulk_refuses_the_whole_request(http: httpx.Client, body: Any, message: str) -> None:
    path = f"/rest/v1/accounts/{_account()}/subscriptions/bulk"
    assert _boomi_error(http.post(path, json=body), 400, "Bad Request", path) == [message]


def test_boomi_auth_and_size_limit(emulator: EmulatorServer, http: httpx.Client) -> None:
    path = f"/rest/v1/accounts/{_account()}/subscriptions"
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        [message] = _boomi_error(httpx.get(f"{emulator.url}{path}", headers=headers), 401, "Unauthorized", path)
        assert "token" in message
    huge = http.post(path, json={"subscriptions": [_sub("x" * ONE_MB)]})
    [message] = _boomi_error(huge, 413, "Request Entity Too Large", path)
    assert "1 MB" in message
    broken = http.post(path, content=b"{", headers={"content-type": "application/json"})
    [message] = _boomi_error(broken, 400, "Bad Request", path)
    assert "not valid JSON" in message


# ----- Messaging --------------------------------------------------------------------------------------------
def _app() -> str:
    return f"app-{next_uuid().replace('-', '')[:8]}"


def _messaging_error(answer: httpx.Response, status: int, error: str) -> str:
    assert answer.status_code == status
    assert answer.headers["content-type"] == "application/json"
    body = answer.json()
    assert set(body) == {"error", "message"}
    assert body["error"] == error
    return str(body["message"])


def _post(app: str, transaction: str = "tx-1", selectors: list[Any] | None = None, **changes: Any) -> dict[str, Any]:
    body = {
        "appId": app,
        "transactionId": transaction,
        "workflowId": "wf-1",
        "label": "Please approve",
        "selectors": ["role:approver"] if selectors is None else selectors,
    }
    return {**body, **changes}


def test_messaging_container_posts_and_app_reads(http: httpx.Client, container: httpx.Client) -> None:
    app = _app()
    answer = container.post("/api/v1/messages", json=_post(app, selectors=["role:approver", "user@example.com"]))
    assert answer.status_code == 201
    assert answer.headers["content-type"] == "application/json"
    expected = [
        {"appId": app, "transactionId": "tx-1", "workflowId": "wf-1", "label": "Please approve", "selector": s}
        for s in ("role:approver", "user@example.com")
    ]
    assert answer.json() == expected
    container.post("/api/v1/messages", json=_post(_app()))  # another app's message is not listed
    listed = http.get(f"/api/v1/apps/{app}/messages")
    assert listed.status_code == 200
    assert listed.headers["content-type"] == "application/json"
    assert listed.json() == expected
    assert http.get(f"/api/v1/apps/{_app()}/messages").json() == []


def test_messaging_ordinary_token_cannot_post(http: httpx.Client, emulator: EmulatorServer) -> None:
    app = _app()
    message = _messaging_error(http.post("/api/v1/messages", json=_post(app)), 403, "Forbidden")
    assert message == "only workflow containers of an app can post messages"
    assert http.get(f"/api/v1/apps/{app}/messages").json() == []
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        answer = httpx.post(f"{emulator.url}/api/v1/messages", json=_post(app), headers=headers)
        assert "token" in _messaging_error(answer, 401, "Unauthorized")
    # A workflow container reads its app's messages too.
    reading = httpx.get(
        f"{emulator.url}/api/v1/apps/{app}/messages", headers={"Authorization": "Bearer container-token"}
    )
    assert reading.status_code == 200
    assert reading.json() == []


@pytest.mark.parametrize(
    ("selectors", "message"),
    [
        ([], "invalid selectors: none given"),
        (None, "invalid selectors: none given"),
        (["ok", "has space", "", 5, "x" * 129], f'invalid selectors: "has space", "", 5, "{"x" * 129}"'),
        ("role:approver", 'invalid selectors: "role:approver"'),
    ],
)
def test_messaging_invalid_selectors(container: httpx.Client, selectors: Any, message: str) -> None:
    body = _post(_app())
    if selectors is None:
        del body["selectors"]
    else:
        body["selectors"] = selectors
    assert _messaging_error(container.post("/api/v1/messages", json=body), 400, "Bad Request") == message


def test_messaging_other_missing_fields(container: httpx.Client) -> None:
    body = _post(_app())
    del body["workflowId"]
    body["label"] = 3
    said = _messaging_error(container.post("/api/v1/messages", json=body), 400, "Bad Request")
    assert said == "missing or invalid fields: workflowId, label (each a non-empty string)"
    not_object = _messaging_error(container.post("/api/v1/messages", json=[1]), 400, "Bad Request")
    assert not_object == "request body must be a JSON object"
    huge = container.post("/api/v1/messages", json=_post(_app(), label="y" * ONE_MB))
    assert "1 MB" in _messaging_error(huge, 413, "Request Entity Too Large")


def test_messaging_exclude_until_in_seconds(http: httpx.Client, container: httpx.Client) -> None:
    app = _app()
    container.post("/api/v1/messages", json=_post(app, "early"))
    now = time.time()
    time.sleep(math.ceil(now) - now + 0.05)  # into the next whole second
    cutoff = int(time.time())
    container.post("/api/v1/messages", json=_post(app, "late"))
    path = f"/api/v1/apps/{app}/messages"
    assert [m["transactionId"] for m in http.get(path).json()] == ["early", "late"]
    assert [m["transactionId"] for m in http.get(path, params={"excludeUntil": cutoff}).json()] == ["late"]
    assert http.get(path, params={"excludeUntil": cutoff + 3600}).json() == []
    assert [m["transactionId"] for m in http.get(path, params={"excludeUntil": 0}).json()] == ["early", "late"]


def test_messaging_exclude_until_in_milliseconds(http: httpx.Client, container: httpx.Client) -> None:
    app = _app()
    container.post("/api/v1/messages", json=_post(app, "early"))
    time.sleep(0.05)
    cutoff_ms = int(time.time() * 1000)
    time.sleep(0.01)
    container.post("/api/v1/messages", json=_post(app, "late"))
    path = f"/api/v1/apps/{app}/messages"
    assert cutoff_ms > 10**11
    assert [m["transactionId"] for m in http.get(path, params={"excludeUntil": cutoff_ms}).json()] == ["late"]
    assert http.get(path, params={"excludeUntil": cutoff_ms + 3_600_000}).json() == []


@pytest.mark.parametrize("value", ["soon", "1.5", "", "1e9"])
def test_messaging_exclude_until_must_be_an_integer(http: httpx.Client, value: str) -> None:
    answer = http.get(f"/api/v1/apps/{_app()}/messages", params={"excludeUntil": value})
    assert "excludeUntil must be an integer" in _messaging_error(answer, 400, "Bad Request")


def test_messaging_unknown_query_parameter(http: httpx.Client) -> None:
    answer = http.get(f"/api/v1/apps/{_app()}/messages", params={"since": "1"})
    said = _messaging_error(answer, 400, "Bad Request")
    assert said == "unknown query parameter 'since' (known: excludeUntil)"


def test_messaging_ending_a_transaction_deletes_its_messages(http: httpx.Client, container: httpx.Client) -> None:
    app = _app()
    container.post("/api/v1/messages", json=_post(app, "tx-1", ["a", "b"]))
    container.post("/api/v1/messages", json=_post(app, "tx-2", ["c"]))
    ended = http.post(f"/_emulator/apps/{app}/transactions/tx-1/end")
    assert ended.status_code == 200
    assert ended.json() == {"deleted": 2}
    listed = http.get(f"/api/v1/apps/{app}/messages").json()
    assert [(m["transactionId"], m["selector"]) for m in listed] == [("tx-2", "c")]
    assert http.post(f"/_emulator/apps/{app}/transactions/tx-1/end").json() == {"deleted": 0}
    # Posting again starts the transaction again.
    container.post("/api/v1/messages", json=_post(app, "tx-1", ["d"]))
    listed = http.get(f"/api/v1/apps/{app}/messages").json()
    assert [(m["transactionId"], m["selector"]) for m in listed] == [("tx-2", "c"), ("tx-1", "d")]


def test_messaging_emulator_route_makes_messages_with_the_ordinary_token(http: httpx.Client) -> None:
    app = _app()
    path = f"/_emulator/apps/{app}/transactions/tx-9/messages"
    answer = http.post(path, json={"workflowId": "wf-9", "label": "Hello", "selectors": ["user:1", "user:2"]})
    assert answer.status_code == 201
    assert answer.headers["content-type"] == "application/json"
    made = [
        {"appId": app, "transactionId": "tx-9", "workflowId": "wf-9", "label": "Hello", "selector": s}
        for s in ("user:1", "user:2")
    ]
    assert answer.json() == made
    assert http.get(f"/api/v1/apps/{app}/messages").json() == made
    bad = http.post(path, json={"workflowId": "wf-9", "label": "Hello", "selectors": ["bad selector"]})
    assert _messaging_error(bad, 400, "Bad Request") == 'invalid selectors: "bad selector"'
    assert _messaging_error(http.post(path, json={"selectors": ["a"]}), 400, "Bad Request") == (
        "missing or invalid fields: workflowId, label (each a non-empty string)"
    )


# ----- shared -----------------------------------------------------------------------------------------------
def test_index_lists_the_four_services(http: httpx.Client) -> None:
    answer = http.get("/")
    assert answer.status_code == 200
    body = answer.json()
    assert body["openapi"] == "/openapi.json"
    assert [s["name"] for s in body["services"]] == [
        "Workato Event Streams",
        "Qala Publishing API",
        "Boomi Event Notifications subscriptions",
        "Messaging Resource API",
    ]
    paths = {s["name"]: s["base_paths"] for s in body["services"]}
    assert "/api/v1/topics" in paths["Workato Event Streams"]
    assert paths["Qala Publishing API"] == ["/v1"]
    assert paths["Boomi Event Notifications subscriptions"] == ["/rest/v1/accounts/{accountId}/subscriptions"]
    assert paths["Messaging Resource API"] == ["/api/v1/apps", "/api/v1/messages"]


def test_the_openapi_document_stays_workato_only(http: httpx.Client) -> None:
    paths = http.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p.startswith(("/v1/", "/rest/", "/_emulator", "/api/v1/apps", "/api/v1/messages"))]


def test_custom_container_token() -> None:
    with EmulatorServer(EmulatorConfig(port=0, rate_limit_rpm=0, container_token="wf-secret")) as emulator:
        body = _post("app-x")
        default = httpx.post(
            f"{emulator.url}/api/v1/messages", json=body, headers={"Authorization": "Bearer container-token"}
        )
        _messaging_error(default, 401, "Unauthorized")
        chosen = httpx.post(f"{emulator.url}/api/v1/messages", json=body, headers={"Authorization": "Bearer wf-secret"})
        assert chosen.status_code == 201


def test_rate_limit_per_service_in_each_shape() -> None:
    with EmulatorServer(EmulatorConfig(port=0, rate_limit_rpm=2)) as emulator:
        headers = {"Authorization": f"Bearer {emulator.token}", "x-environment-id": SEEDED_ENV}
        with httpx.Client(base_url=emulator.url, headers=headers) as c:
            calls = {
                "qala": lambda: c.post("/v1/events/publish", json=[_event()]),
                "boomi": lambda: c.get("/rest/v1/accounts/acct/subscriptions"),
                "messaging": lambda: c.get("/api/v1/apps/app/messages"),
                "events": lambda: c.post("/api/v1/topics/1/consume"),
            }
            for name, call in calls.items():  # each family has a window of its own
                assert [call().status_code for _ in range(2)] == [202 if name == "qala" else 200] * 2
                limited = call()
                assert limited.status_code == 429
                assert 1 <= int(limited.headers["retry-after"]) <= 60
                if name == "qala":
                    body = _problem(limited, 429, "/v1/events/publish")
                    assert body["title"] == "Too Many Requests"
                    assert body["detail"] == "Rate limit of 2 requests per minute exceeded"
                elif name == "boomi":
                    assert _boomi_error(limited, 429, "Too Many Requests", "/rest/v1/accounts/acct/subscriptions") == [
                        "Rate limit of 2 requests per minute exceeded"
                    ]
                elif name == "messaging":
                    said = _messaging_error(limited, 429, "Too Many Requests")
                    assert said == "Rate limit of 2 requests per minute exceeded"
                else:
                    assert limited.json()["code"] == "rate_limit_exceeded"


def test_unknown_paths_and_workato_errors_keep_their_shape(http: httpx.Client, emulator: EmulatorServer) -> None:
    missing = http.get("/v1/nothing")
    assert missing.status_code == 404
    assert missing.json() == {"message": "no such endpoint", "code": "not_found"}
    unauthorized = httpx.post(f"{emulator.url}/api/v1/topics/1/consume")
    assert unauthorized.status_code == 401
    assert unauthorized.json() == {"message": "Unauthorized: missing or invalid API token", "code": "unauthorized"}
