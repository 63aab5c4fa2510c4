"""The Developer API's topic calls against the emulator over HTTP: Workato's limits and errors, a changed schema
enforced on later publishes (earlier messages kept as they were), and a schema change tested first."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from inspector.core.errors import BadRequestError, ValidationError
from inspector.core.fieldlist import parse_fieldlist
from inspector.core.ratelimit import RateLimiter
from inspector.core.regions import custom_endpoint
from inspector.core.schemacheck import check_schema_change, retained_messages
from inspector.core.services.workato import MAX_TOPICS, DeveloperApiClient, EventStreamsClient
from inspector.emulator.server import EmulatorConfig, EmulatorServer

OLD = [{"name": "id", "type": "integer"}, {"name": "customer", "type": "object", "properties": [{"name": "name"}]}]
NEW = [
    {"name": "id", "type": "integer"},
    {"name": "customer", "type": "object", "properties": [{"name": "name"}, {"name": "email"}]},
]


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    """An emulator of its own: these tests fill its workspace to the limit."""
    with EmulatorServer(EmulatorConfig(port=0, rate_limit_rpm=0, topics=[])) as emulator:
        yield emulator


@pytest.fixture
def http(server: EmulatorServer) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {server.token}"}
    with httpx.Client(base_url=server.url, headers=headers, trust_env=False) as client:
        yield client


@pytest.fixture
async def ahttp(server: EmulatorServer) -> AsyncIterator[httpx.AsyncClient]:
    headers = {"Authorization": f"Bearer {server.token}"}
    async with httpx.AsyncClient(base_url=server.url, headers=headers, trust_env=False) as client:
        yield client


@pytest.fixture
async def dev(server: EmulatorServer) -> AsyncIterator[DeveloperApiClient]:
    async with DeveloperApiClient(custom_endpoint(server.url), server.token, limiter=RateLimiter(0)) as client:
        yield client


def refused(answer: httpx.Response) -> tuple[int, str, str]:
    body = answer.json()
    assert set(body) == {"message", "code"}  # Workato's error shape
    return answer.status_code, body["code"], body["message"]


def test_name_taken_and_bad_settings_are_refused(http: httpx.Client) -> None:
    created = http.post("/api/event_streams/topics", json={"name": "taken", "schema": OLD}).json()["data"]
    assert created["retention"] == 604800  # 168 hours when not given
    again = http.post("/api/event_streams/topics", json={"name": " taken ", "schema": []})
    assert refused(again) == (400, "name_taken", f"Name has already been taken (by topic {created['id']})")
    other = http.post("/api/event_streams/topics", json={"name": "other", "schema": []}).json()["data"]
    renamed = http.put(f"/api/event_streams/topics/{other['id']}", json={"name": "taken"})
    assert refused(renamed)[1] == "name_taken"
    assert http.put(f"/api/event_streams/topics/{created['id']}", json={"name": "taken"}).status_code == 200
    for retention in (59, 90 * 86400 + 1, "7d"):
        answer = http.post("/api/event_streams/topics", json={"name": "r", "schema": [], "retention": retention})
        assert refused(answer) == (400, "invalid_request", "retention must be an integer from 60 to 7776000")
    ninety = http.post("/api/event_streams/topics", json={"name": "r90", "schema": [], "retention": 7776000.0})
    assert ninety.json()["data"]["retention"] == 7776000
    bad = [{"name": "a"}, {"name": "c", "type": "object", "properties": [{"name": "x"}, {"name": "x"}]}]
    answer = http.post("/api/event_streams/topics", json={"name": "s", "schema": bad})
    assert refused(answer) == (
        400,
        "invalid_schema",
        "schema is not a valid Workato schema: field 2 (c.x): duplicate name 'x' (field 1 has it too)",
    )
    for topic in (created, other, ninety.json()["data"]):
        assert http.delete(f"/api/event_streams/topics/{topic['id']}").status_code == 200


def test_at_most_20_topics_in_a_workspace(http: httpx.Client, server: EmulatorServer) -> None:
    assert server.store is not None
    server.store.create_topic("seeded")  # the emulator's own topics do not count
    made = [http.post("/api/event_streams/topics", json={"name": f"t{n}", "schema": []}) for n in range(MAX_TOPICS)]
    assert [answer.status_code for answer in made] == [200] * MAX_TOPICS
    status, code, message = refused(http.post("/api/event_streams/topics", json={"name": "one more", "schema": []}))
    assert (status, code) == (400, "topic_limit_reached")
    assert "at most 20 topics" in message
    first = made[0].json()["data"]["id"]
    assert http.delete(f"/api/event_streams/topics/{first}").status_code == 200
    last = http.post("/api/event_streams/topics", json={"name": "one more", "schema": []})
    assert last.status_code == 200
    for answer in (*made[1:], last):
        http.delete(f"/api/event_streams/topics/{answer.json()['data']['id']}")


async def test_a_changed_schema_holds_for_later_publishes_only(
    ahttp: httpx.AsyncClient, dev: DeveloperApiClient
) -> None:
    topic = await dev.create_topic("changing", OLD)
    before = await ahttp.post(f"/api/v1/topics/{topic.id}/publish", json={"id": 1, "customer": {"name": "Ann"}})
    assert before.status_code == 200
    await dev.update_topic(topic.id, schema=NEW)
    after = await ahttp.post(f"/api/v1/topics/{topic.id}/publish", json={"id": 2, "customer": {"name": "Bob"}})
    status, code, message = refused(after)
    assert (status, code) == (400, "invalid_payload")
    assert "'email' is required" in message
    batch = (
        await ahttp.post(
            f"/api/v1/batch/topics/{topic.id}/publish",
            json={"payloads": [{"id": 3, "customer": {"name": "C", "email": "c@x"}}, {"id": 4, "customer": {}}]},
        )
    ).json()
    assert batch["is_partial_error"] is True
    assert batch["message_ids"]["1"]["result"] == "error"
    kept = (await ahttp.post(f"/api/v1/topics/{topic.id}/consume", json={})).json()["messages"]
    assert [m["payload"] for m in kept] == [
        {"id": 1, "customer": {"name": "Ann"}},  # published before the change: as it was
        {"id": 3, "customer": {"name": "C", "email": "c@x"}},
    ]
    await dev.delete_topic(topic.id)


async def test_the_client_checks_before_sending(dev: DeveloperApiClient) -> None:
    with pytest.raises(ValidationError, match="field 1 \\(c\\): an object with no fields"):
        await dev.create_topic("x", [{"name": "c", "type": "object", "properties": []}])
    with pytest.raises(ValidationError, match="retention: 91 days is out of range"):
        await dev.create_topic("x", [], retention_secs=91 * 86400)
    with pytest.raises(ValidationError, match="topic name: is empty"):
        await dev.update_topic(5, name=" ")
    topic = await dev.create_topic("dup", [])
    with pytest.raises(BadRequestError, match="Name has already been taken"):
        await dev.create_topic("dup", [])
    await dev.delete_topic(topic.id)


async def test_schema_change_tested_over_every_retained_message(
    ahttp: httpx.AsyncClient, server: EmulatorServer
) -> None:
    created = (await ahttp.post("/api/event_streams/topics", json={"name": "retained", "schema": OLD})).json()["data"]
    payloads = [{"id": n, "customer": {"name": "n"} | ({} if n % 40 == 7 else {"email": "e"})} for n in range(230)]
    for start in range(0, 230, 100):
        await ahttp.post(
            f"/api/v1/batch/topics/{created['id']}/publish", json={"payloads": payloads[start : start + 100]}
        )
    progress: list[int] = []
    async with EventStreamsClient(custom_endpoint(server.url), server.token, limiter=RateLimiter(0)) as client:
        batches = [len(batch) async for batch in retained_messages(client, created["id"])]
        assert batches == [50, 50, 50, 50, 30]
        test = await check_schema_change(
            client,
            created["id"],
            parse_fieldlist(NEW),
            extra=[("history item 1", {"id": 0, "customer": {"name": "h"}})],
            on_progress=lambda t, _found: progress.append(t.checked),
        )
    assert progress == [1, 51, 101, 151, 201, 231]
    assert test.refused == 7  # 6 retained (n = 7, 47, ... 207) and the history item
    first_retained = test.refusals[1].message_id
    assert test.summary() == (
        "this change would refuse 7 of the 231 messages in the topic and the Publish history — first: message "
        "history item 1, `customer.email` is required"
    )
    assert first_retained.startswith("A")
    await ahttp.delete(f"/api/event_streams/topics/{created['id']}")
