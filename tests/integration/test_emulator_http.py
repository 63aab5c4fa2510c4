"""The emulator over real HTTP, spoken to as curl would: every endpoint, its errors and limits."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import httpx
import pytest

from inspector.emulator.samples import ORDER_SCHEMA
from inspector.emulator.server import EmulatorConfig, EmulatorServer


@pytest.fixture
def http(emulator: EmulatorServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=emulator.url, headers={"Authorization": f"Bearer {emulator.token}"}) as c:
        yield c


def test_publish_then_consume_shapes_match_the_spec(http: httpx.Client, topic: int) -> None:
    published = http.post(f"/api/v1/topics/{topic}/publish", json={"Name": "Jane", "Surname": "Doe"})
    assert published.status_code == 200
    message_id = published.json()["message_id"]
    consumed = http.post(f"/api/v1/topics/{topic}/consume", json={})
    assert consumed.status_code == 200
    [message] = consumed.json()["messages"]
    assert message["message_id"] == message_id
    assert message["payload"] == {"Name": "Jane", "Surname": "Doe"}
    assert message["time"].endswith("+00:00")


def test_consume_without_body_and_after_id(http: httpx.Client, topic: int) -> None:
    ids = [http.post(f"/api/v1/topics/{topic}/publish", json={"n": n}).json()["message_id"] for n in range(5)]
    assert len(set(ids)) == 5
    whole = http.post(f"/api/v1/topics/{topic}/consume")
    assert [m["message_id"] for m in whole.json()["messages"]] == ids
    after = http.post(f"/api/v1/topics/{topic}/consume", json={"after_message_id": ids[1], "batch_size": 2})
    assert [m["message_id"] for m in after.json()["messages"]] == ids[2:4]


def test_batch_publish_and_partial_errors(http: httpx.Client, emulator: EmulatorServer) -> None:
    assert emulator.store is not None
    schema_topic = emulator.store.create_topic("orders-batch", schema=ORDER_SCHEMA).id
    good = {
        "order_id": 1,
        "status": "paid",
        "placed_at": "2024-05-01T10:00:00Z",
        "total": 9.5,
        "customer": {"name": "Jane"},
    }
    bad = {**good, "order_id": "one"}
    answer = http.post(f"/api/v1/batch/topics/{schema_topic}/publish", json={"payloads": [good, bad, 7]})
    assert answer.status_code == 200
    body = answer.json()
    assert body["is_partial_error"] is True
    assert body["message_ids"]["0"]["result"] == "success"
    assert body["message_ids"]["1"]["result"] == "error"
    assert "payload.order_id" in body["message_ids"]["1"]["error"]
    assert "JSON object" in body["message_ids"]["2"]["error"]
    assert emulator.store.count(schema_topic) == 1


def test_schema_rejection_on_single_publish(http: httpx.Client, emulator: EmulatorServer) -> None:
    assert emulator.store is not None
    schema_topic = emulator.store.create_topic("orders-single", schema=ORDER_SCHEMA).id
    answer = http.post(f"/api/v1/topics/{schema_topic}/publish", json={"order_id": 1})
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_payload"
    assert "'status' is required" in answer.json()["message"]


@pytest.mark.parametrize(
    ("path", "body", "status", "words"),
    [
        ("/api/v1/topics/{t}/consume", {"batch_size": 51}, 400, "batch_size"),
        ("/api/v1/topics/{t}/consume", {"batch_size": 0}, 400, "batch_size"),
        ("/api/v1/topics/{t}/consume", {"timeout_secs": 61}, 400, "timeout_secs"),
        ("/api/v1/topics/{t}/consume", {"after_message_id": "nope"}, 400, "not found"),
        ("/api/v1/topics/{t}/consume", {"since_time": "yesterday"}, 400, "RFC 3339"),
        (
            "/api/v1/topics/{t}/consume",
            {"after_message_id": "x", "since_time": "2024-01-01T00:00:00Z"},
            400,
            "together",
        ),
        ("/api/v1/topics/{t}/publish", [1, 2], 400, "JSON object"),
        ("/api/v1/batch/topics/{t}/publish", {"payloads": []}, 400, "1 to 100"),
        ("/api/v1/batch/topics/{t}/publish", {"payloads": [{}] * 101}, 400, "1 to 100"),
        ("/api/v1/batch/topics/{t}/publish", {"items": []}, 400, "payloads"),
        ("/api/v1/topics/999999/consume", {}, 404, "not found"),
        ("/api/v1/topics/abc/publish", {}, 404, "not found"),
    ],
)
def test_bad_requests(http: httpx.Client, topic: int, path: str, body: object, status: int, words: str) -> None:
    answer = http.post(path.format(t=topic), json=body)
    assert answer.status_code == status
    assert words in answer.json()["message"]
    assert answer.json()["code"]


def test_invalid_json_and_size_limit(http: httpx.Client, topic: int) -> None:
    broken = http.post(
        f"/api/v1/topics/{topic}/publish", content=b'{"a": ', headers={"content-type": "application/json"}
    )
    assert broken.status_code == 400
    assert "not valid JSON" in broken.json()["message"]
    huge = http.post(f"/api/v1/topics/{topic}/publish", json={"x": "y" * (1024 * 1024)})
    assert huge.status_code == 400
    assert "1 MB" in huge.json()["message"]


def test_auth_is_required(emulator: EmulatorServer, topic: int) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {emulator.token}"}):
        answer = httpx.post(f"{emulator.url}/api/v1/topics/{topic}/consume", headers=headers)
        assert answer.status_code == 401
        assert answer.json()["code"] == "unauthorized"


def test_since_time_in_the_future_means_now(http: httpx.Client, topic: int) -> None:
    http.post(f"/api/v1/topics/{topic}/publish", json={"old": True})
    answer = http.post(f"/api/v1/topics/{topic}/consume", json={"since_time": "2999-01-01T00:00:00Z"})
    assert answer.json()["messages"] == []
    http.post(f"/api/v1/topics/{topic}/publish", json={"new": True})
    again = http.post(f"/api/v1/topics/{topic}/consume", json={"since_time": "2999-01-01T00:00:00Z"})
    assert again.json()["messages"] == []  # "now" moves on: only a long poll sees new messages


def test_long_poll_returns_at_once_on_publish(emulator: EmulatorServer, topic: int) -> None:
    async def scenario() -> float:
        headers = {"Authorization": f"Bearer {emulator.token}"}
        async with httpx.AsyncClient(base_url=emulator.url, headers=headers, timeout=30) as c:
            poll = asyncio.create_task(c.post(f"/api/v1/topics/{topic}/consume", json={"timeout_secs": 20}))
            await asyncio.sleep(0.3)
            assert not poll.done()
            sent = time.perf_counter()
            await c.post(f"/api/v1/topics/{topic}/publish", json={"wake": 1})
            answer = await poll
            assert answer.json()["messages"][0]["payload"] == {"wake": 1}
            return time.perf_counter() - sent

    assert asyncio.run(scenario()) < 10.0  # woken by the publish, not at the poll's 20 s end


def test_long_poll_times_out_empty(http: httpx.Client, topic: int) -> None:
    begin = time.perf_counter()
    answer = http.post(f"/api/v1/topics/{topic}/consume", json={"timeout_secs": 1})
    assert answer.json() == {"messages": []}
    assert 0.9 < time.perf_counter() - begin < 5


def test_legacy_paths(http: httpx.Client, topic: int) -> None:
    published = http.post(f"/api/pubsub/topics/{topic}/publish", json={"legacy": True})
    assert published.status_code == 200
    consumed = http.post(f"/api/pubsub/topics/{topic}/consume", json={})
    assert consumed.json()["messages"][0]["message_id"] == published.json()["message_id"]


def test_developer_api_topics_lifecycle(http: httpx.Client) -> None:
    created = http.post(
        "/api/event_streams/topics",
        json={"name": "lifecycle", "schema": ORDER_SCHEMA, "retention": 3600, "description": "d"},
    )
    assert created.status_code == 200
    topic = created.json()["data"]
    assert topic["name"] == "lifecycle"
    assert topic["retention"] == 3600
    assert topic["schema"] == ORDER_SCHEMA
    tid = topic["id"]
    listed = http.get("/api/event_streams/topics", params={"name": "lifecyc"}).json()
    assert [t["id"] for t in listed["data"]] == [tid]
    assert listed["count"] == 1
    assert "schema" not in listed["data"][0]
    with_schema = http.get("/api/event_streams/topics", params={"name": "lifecycle", "include_schema": "true"})
    assert with_schema.json()["data"][0]["schema"] == ORDER_SCHEMA
    renamed = http.put(f"/api/event_streams/topics/{tid}", json={"name": "renamed"})
    assert renamed.json()["data"]["name"] == "renamed"
    assert http.get(f"/api/event_streams/topics/{tid}").json()["data"]["name"] == "renamed"
    http.post(
        f"/api/v1/topics/{tid}/publish",
        json={"order_id": 1, "status": "s", "placed_at": "2024-01-01T00:00:00Z", "total": 1, "customer": {"name": "n"}},
    )
    assert http.post(f"/api/v1/topics/{tid}/consume").json()["messages"]
    assert http.put(f"/api/event_streams/topics/{tid}/purge").status_code == 200
    assert http.post(f"/api/v1/topics/{tid}/consume").json()["messages"] == []
    assert http.delete(f"/api/event_streams/topics/{tid}").status_code == 200
    assert http.get(f"/api/event_streams/topics/{tid}").status_code == 404
    assert http.post(f"/api/v1/topics/{tid}/consume").status_code == 404


def test_developer_api_refuses_bad_schema(http: httpx.Client) -> None:
    answer = http.post("/api/event_streams/topics", json={"name": "x", "schema": [{"name": "a", "type": "blob"}]})
    assert answer.status_code == 400
    assert "unknown type 'blob'" in answer.json()["message"]


def test_topic_sorting(http: httpx.Client) -> None:
    names = [t["name"] for t in http.get("/api/event_streams/topics", params={"sort": "name"}).json()["data"]]
    assert names == sorted(names, key=str.lower)
    assert http.get("/api/event_streams/topics", params={"sort": "size"}).status_code == 400


def test_unknown_path_and_method_answer_json(http: httpx.Client) -> None:
    missing = http.get("/api/v2/nothing")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
    wrong = http.get("/api/v1/topics/1/publish")
    assert wrong.status_code == 405
    assert "POST" in wrong.headers["allow"]


def test_rate_limit_answers_429_with_retry_after() -> None:
    with EmulatorServer(EmulatorConfig(port=0, rate_limit_rpm=3)) as server:
        headers = {"Authorization": f"Bearer {server.token}"}
        codes = [httpx.post(f"{server.url}/api/v1/topics/1/consume", headers=headers).status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = httpx.post(f"{server.url}/api/v1/topics/1/consume", headers=headers)
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert limited.json()["code"] == "rate_limit_exceeded"


def test_retention_is_enforced() -> None:
    with EmulatorServer(EmulatorConfig(port=0, rate_limit_rpm=0)) as server:
        assert server.store is not None
        short = server.store.create_topic("short", retention=1).id
        headers = {"Authorization": f"Bearer {server.token}"}
        httpx.post(f"{server.url}/api/v1/topics/{short}/publish", headers=headers, json={"a": 1})
        assert httpx.post(f"{server.url}/api/v1/topics/{short}/consume", headers=headers).json()["messages"]
        time.sleep(1.2)
        assert httpx.post(f"{server.url}/api/v1/topics/{short}/consume", headers=headers).json()["messages"] == []


def test_data_survives_a_restart(tmp_path: object) -> None:
    path = f"{tmp_path}/emu.sqlite"
    server = EmulatorServer(EmulatorConfig(port=0, rate_limit_rpm=0, data=path))
    server.start()
    headers = {"Authorization": f"Bearer {server.token}"}
    ids = [
        httpx.post(f"{server.url}/api/v1/topics/2/publish", headers=headers, json={"n": n}).json()["message_id"]
        for n in range(3)
    ]
    server.restart()
    try:
        got = httpx.post(f"{server.url}/api/v1/topics/2/consume", headers=headers).json()["messages"]
        assert [m["message_id"] for m in got] == ids
        new_id = httpx.post(f"{server.url}/api/v1/topics/2/publish", headers=headers, json={"n": 3}).json()
        assert new_id["message_id"] not in ids
    finally:
        server.stop()
