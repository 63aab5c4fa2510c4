"""The Qala, Boomi and Messaging clients against the emulator over HTTP: every endpoint, and the bad inputs the
issue names (a bad event type, a missing or invalid environment id, an EMAIL destination, a bulk update with
unknown ids, a vanished transaction)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from inspector.core.errors import AuthError, BadRequestError, NotFoundError, PublishInputError, ValidationError
from inspector.core.models import Outcome
from inspector.core.services.boomi import BoomiClient, error_messages
from inspector.core.services.messaging import AppMessageWatch, MessagingClient, WatchUpdate
from inspector.core.services.qala import QalaClient, check_environment_id, problem_of
from inspector.emulator.server import EmulatorServer
from tests.helpers import next_uuid

ENV = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
GROUP = "9b2c1a6e-1f0d-4c1e-8e7a-2d7f3c9a1b22"


def stored_events(emulator: EmulatorServer) -> list[dict[str, Any]]:
    answer = httpx.get(
        f"{emulator.url}/_emulator/qala/environments/{ENV}/events",
        headers={"Authorization": f"Bearer {emulator.token}"},
    )
    answer.raise_for_status()
    events: list[dict[str, Any]] = answer.json()["events"]
    return events


# ----- Qala --------------------------------------------------------------------------------------------------
async def test_qala_publishes_to_a_topic_and_by_type_with_ids(emulator: EmulatorServer) -> None:
    before = len(stored_events(emulator))
    events = [
        {"type": "transaction.updated", "id": "ev-1", "data": {"customerId": "123456"}},
        {"type": "customer.created", "audiences": ["tenant-a"], "data": "plain text"},
    ]
    async with QalaClient(emulator.url, emulator.token, ENV) as client:
        to_topic = await client.publish_events(events, "transactions")
        routed = await client.publish_events([{"type": "x.y", "data": {"n": 1}}])
    assert [r.outcome for r in to_topic] == [Outcome.SUCCESS, Outcome.SUCCESS]
    assert to_topic[0].message_id == "ev-1"
    assert to_topic[1].message_id  # assigned by the service
    assert [r.outcome for r in routed] == [Outcome.SUCCESS]
    after = stored_events(emulator)[before:]
    assert [(e["topic"], e["type"]) for e in after[:2]] == [
        ("transactions", "transaction.updated"),
        ("transactions", "customer.created"),
    ]
    assert after[1]["audiences"] == ["tenant-a"]
    assert {e["type"] for e in after[2:]} == {"x.y"}


async def test_qala_refuses_bad_events_before_sending_naming_each(emulator: EmulatorServer) -> None:
    before = len(stored_events(emulator))
    async with QalaClient(emulator.url, emulator.token, ENV) as client:
        with pytest.raises(PublishInputError) as refused:
            await client.publish_events(
                [
                    {"type": "ok", "data": "x"},
                    {"type": "has space", "data": "x"},
                    {"type": "ok", "data": ""},
                    {"type": "ok", "data": {"a": 1}, "audiences": "tenant-a"},
                    ["not", "an", "event"],
                ],
                "transactions",
            )
    assert [p.message.split(":")[0] for p in refused.value.problems] == [
        "event 1.type",
        "event 2.data",
        "event 3.audiences",
        "event 4",
    ]
    assert "'has space' is not a valid event type" in refused.value.problems[0].message
    assert len(stored_events(emulator)) == before  # nothing was sent


async def test_qala_problem_details_reach_each_event_with_the_trace_id(emulator: EmulatorServer) -> None:
    async with QalaClient(emulator.url, emulator.token, ENV) as client:
        with pytest.raises(BadRequestError) as bad:  # past the local checks, as another tool could send it
            await client.publish_request([{"type": "ok", "data": "x"}, {"type": "a b", "data": ""}], "transactions")
    problem = problem_of(bad.value)
    assert problem is not None
    assert (problem.title, problem.status, problem.detail) == (
        "Bad Request",
        400,
        "One or more validation errors occurred.",
    )
    assert problem.trace_id
    assert [(e.name, e.code) for e in problem.errors] == [
        ("events[1].type", "INVALID_FORMAT"),
        ("events[1].data", "INVALID_MANDATORY_PROPERTY"),
    ]
    assert [e.event_index for e in problem.errors] == [1, 1]
    assert f"trace id: {problem.trace_id}" in problem.describe()
    assert "events[1].type: The type field must match" in bad.value.message


async def test_qala_unknown_topic_fails_each_event_in_words(emulator: EmulatorServer) -> None:
    async with QalaClient(emulator.url, emulator.token, ENV) as client:
        results = await client.publish_events([{"type": "a", "data": "x"}] * 150, "no-such-topic")
    assert {r.outcome for r in results} == {Outcome.FAILED}
    assert "Not Found (404): Topic 'no-such-topic' was not found" in (results[0].error or "")
    assert "trace id" in (results[0].error or "")
    # the second request (events 100-149) was not sent: the first said the topic is unknown
    assert (results[120].error_words or "").startswith(
        f"not sent: topic 'no-such-topic' not found in environment {ENV}"
    )


def test_qala_environment_id_must_be_a_guid() -> None:
    for bad in ("", "prod", "3f2504e0-4f89-41d3-9a0c", "3f2504e0-4f89-41d3-9a0c-0305e82c330z"):
        with pytest.raises(ValidationError) as refused:
            check_environment_id(bad)
        assert "is not a GUID" in refused.value.message
        assert "8-4-4-4-12" in refused.value.hint
    assert check_environment_id(ENV.upper()) == ENV


async def test_qala_server_refuses_a_missing_or_bad_environment_header(emulator: EmulatorServer) -> None:
    headers = {"Authorization": f"Bearer {emulator.token}"}
    async with httpx.AsyncClient(base_url=emulator.url, headers=headers) as http:
        missing = await http.post("/v1/events/publish", json=[{"type": "a", "data": "x"}])
        bad = await http.post(
            "/v1/events/publish", json=[{"type": "a", "data": "x"}], headers={"x-environment-id": "prod"}
        )
    assert missing.status_code == bad.status_code == 400
    assert missing.json()["errors"][0]["code"] == "INVALID_MANDATORY_PROPERTY"
    assert bad.json()["errors"][0]["code"] == "INVALID_FORMAT"


async def test_qala_session_tokens_are_new_each_time(emulator: EmulatorServer) -> None:
    async with QalaClient(emulator.url, emulator.token, ENV) as client:
        first = await client.create_session_token(GROUP)
        second = await client.create_session_token(GROUP.upper())
        with pytest.raises(ValidationError) as bad:
            await client.create_session_token("group-1")
    assert len(first) >= 80
    assert first != second
    assert bad.value.where == "subscriber group id"


async def test_qala_wrong_token_is_said_with_the_services_hint(emulator: EmulatorServer) -> None:
    async with QalaClient(emulator.url, "wrong-token", ENV) as client:
        results = await client.publish_events([{"type": "a", "data": "x"}], "transactions")
        with pytest.raises(AuthError) as rejected:
            await client.create_session_token(GROUP)
    assert results[0].outcome is Outcome.FAILED
    assert "Unauthorized (401)" in (results[0].error or "")
    assert "Qala API token" in rejected.value.hint


# ----- Boomi -------------------------------------------------------------------------------------------------
def subscription(n: int, **more: Any) -> dict[str, Any]:
    return {
        "eventName": f"Atom.Status.{n:02d}",
        "destinationType": "EVENT_STREAMS",
        "eventStreamsTopic": f"topic-{n % 3}",
        "logLevel": ("ERROR", "WARN", "INFO")[n % 3],
        **more,
    }


@pytest.fixture
def account() -> str:
    return "acct_" + next_uuid().replace("-", "")[:10]


async def test_boomi_create_list_page_and_sort(emulator: EmulatorServer, account: str) -> None:
    async with BoomiClient(emulator.url, emulator.token, account) as client:
        created = await client.create([subscription(n) for n in range(25)])
        assert len(created) == 25
        assert {s.subscription_id for s in created} == {str(uuid.UUID(s.subscription_id)) for s in created}
        first = await client.list_page(page_size=10, sort_by="eventName")
        last = await client.list_page(page_number=2, page_size=10, sort_by="eventName")
        down = await client.list_page(page_size=5, sort_by="eventName", sort_direction="desc")
        everything = await client.list_all(sort_by="eventName")
    assert (first.total_pages, first.total_elements, first.first, first.last) == (3, 25, True, False)
    assert [s.event_name for s in first.subscriptions] == [f"Atom.Status.{n:02d}" for n in range(10)]
    assert (len(last.subscriptions), last.last) == (5, True)
    assert [s.event_name for s in down.subscriptions] == [f"Atom.Status.{n:02d}" for n in range(24, 19, -1)]
    assert [s.event_name for s in everything] == [f"Atom.Status.{n:02d}" for n in range(25)]


async def test_boomi_get_update_enable_and_delete_one(emulator: EmulatorServer, account: str) -> None:
    async with BoomiClient(emulator.url, emulator.token, account) as client:
        [made] = await client.create([subscription(1)])
        got = await client.get(made.subscription_id)
        changed = await client.update(made.subscription_id, {"logLevel": "DEBUG", "eventStreamsTopic": "other"})
        disabled = await client.set_enabled(made.subscription_id, False)
        await client.delete(made.subscription_id)
        with pytest.raises(NotFoundError) as gone:
            await client.get(made.subscription_id)
        with pytest.raises(ValidationError):
            await client.get("not-a-uuid")
    assert got == made
    assert (changed.log_level, changed.event_streams_topic, changed.event_name) == ("DEBUG", "other", "Atom.Status.01")
    assert disabled.enabled is False
    assert f"Subscription {made.subscription_id} not found" in gone.value.message


async def test_boomi_refuses_email_with_the_services_reason(emulator: EmulatorServer, account: str) -> None:
    async with BoomiClient(emulator.url, emulator.token, account) as client:
        with pytest.raises(BadRequestError) as refused:
            await client.create(
                [{"eventName": "Atom.Status", "destinationType": "EMAIL", "destinationEmail": "ops@example.com"}]
            )
        assert (await client.list_page()).total_elements == 0
    assert error_messages(refused.value) == [
        "destinationType EMAIL is not supported in the current release; only EVENT_STREAMS is available"
    ]


async def test_boomi_update_all_and_delete_all(emulator: EmulatorServer, account: str) -> None:
    async with BoomiClient(emulator.url, emulator.token, account) as client:
        replaced = await client.update_all([subscription(1), subscription(2)])  # none before: created
        kept = replaced[0].editable() | {"subscriptionId": replaced[0].subscription_id, "logLevel": "WARN"}
        again = await client.update_all([kept, subscription(3)])
        await client.delete_all()
        empty = await client.list_page()
    assert len(replaced) == 2
    assert {s.event_name for s in again} == {"Atom.Status.01", "Atom.Status.03"}
    assert next(s for s in again if s.subscription_id == replaced[0].subscription_id).log_level == "WARN"
    assert empty.total_elements == 0


async def test_boomi_bulk_statuses_per_subscription(emulator: EmulatorServer, account: str) -> None:
    unknown = next_uuid()
    async with BoomiClient(emulator.url, emulator.token, account) as client:
        made = await client.create([subscription(n) for n in range(3)])
        ids = [s.subscription_id for s in made]
        updated = await client.bulk_update(
            [
                {"subscriptionId": ids[0], "enabled": False},
                {"subscriptionId": unknown, "enabled": False},
                {"subscriptionId": ids[1], "destinationType": "EMAIL", "destinationEmail": "a@example.com"},
            ]
        )
        deleted = await client.bulk_delete([ids[2], unknown])
        left = await client.list_all()
    assert [(s.subscription_id, s.code) for s in updated] == [(ids[0], 200), (unknown, 404), (ids[1], 400)]
    assert updated[1].message == "Subscription not found"
    assert "EMAIL is not supported" in updated[2].message
    assert [(s.code, s.ok) for s in deleted] == [(200, True), (404, False)]
    assert {s.subscription_id: s.enabled for s in left} == {ids[0]: False, ids[1]: True}


async def test_boomi_bad_list_arguments_are_refused_before_sending(emulator: EmulatorServer, account: str) -> None:
    async with BoomiClient(emulator.url, emulator.token, account) as client:
        for kwargs, where in (
            ({"page_size": 0}, "page size"),
            ({"page_size": 101}, "page size"),
            ({"sort_by": "colour"}, "sort by"),
            ({"sort_direction": "up"}, "sort direction"),
            ({"page_number": -1}, "page number"),
        ):
            with pytest.raises(ValidationError) as bad:
                await client.list_page(**kwargs)
            assert bad.value.where == where
    with pytest.raises(ValidationError):
        BoomiClient(emulator.url, emulator.token, "acct/../x")


# ----- Messaging ---------------------------------------------------------------------------------------------
async def make_messages(emulator: EmulatorServer, app: str, transaction: str, *selectors: str) -> None:
    async with httpx.AsyncClient(base_url=emulator.url, headers={"Authorization": f"Bearer {emulator.token}"}) as http:
        answer = await http.post(
            f"/_emulator/apps/{app}/transactions/{transaction}/messages",
            json={"workflowId": "wf-1", "label": f"step of {transaction}", "selectors": list(selectors)},
        )
        assert answer.status_code == 201, answer.text


async def end_transaction(emulator: EmulatorServer, app: str, transaction: str) -> int:
    async with httpx.AsyncClient(base_url=emulator.url, headers={"Authorization": f"Bearer {emulator.token}"}) as http:
        answer = await http.post(f"/_emulator/apps/{app}/transactions/{transaction}/end")
        assert answer.status_code == 200, answer.text
        return int(answer.json()["deleted"])


async def test_messages_watch_reports_new_and_vanished_messages(emulator: EmulatorServer) -> None:
    app = "app-" + next_uuid().replace("-", "")[:6]
    updates: list[WatchUpdate] = []
    async with MessagingClient(emulator.url, emulator.token) as client:
        watch = AppMessageWatch(client, app, updates.append, reconcile_every=2, overlap=0)
        await make_messages(emulator, app, "tx-1", "user:1", "user:2")
        await watch.poll()  # full
        await make_messages(emulator, app, "tx-2", "user:3")
        await watch.poll()  # by cursor
        assert await end_transaction(emulator, app, "tx-1") == 2
        await watch.poll()  # full: tx-1's messages are gone
        await watch.poll()  # nothing new, nothing gone
    assert [[m.selector for m in u.new] for u in updates] == [["user:1", "user:2"], ["user:3"], []]
    assert [m.transaction_id for m in updates[2].vanished] == ["tx-1", "tx-1"]
    assert updates[2].ended_transactions == ("tx-1",)
    assert sorted(m.selector for m in watch.state.messages.values() if m.key in watch.state.present) == ["user:3"]


async def test_messages_post_is_for_workflow_containers(emulator: EmulatorServer) -> None:
    app = "app-" + next_uuid().replace("-", "")[:6]
    async with MessagingClient(emulator.url, emulator.token) as ordinary:
        assert "post_messages" not in ordinary.capabilities
        with pytest.raises(ValidationError) as local:
            await ordinary.post(app, "tx", "wf", "hello", ["user:1"])
    assert "only workflow containers" in local.value.message
    async with MessagingClient(emulator.url, emulator.token, workflow_container=True) as pretending:
        with pytest.raises(AuthError) as refused:  # the emulator knows the token is not a container's
            await pretending.post(app, "tx", "wf", "hello", ["user:1"])
    assert "only workflow containers of an app can post messages" in refused.value.message
    async with MessagingClient(emulator.url, "container-token", workflow_container=True) as container:
        assert "post_messages" in container.capabilities
        posted = await container.post(app, "tx", "wf", "hello", ["user:1", "team.ops"])
        with pytest.raises(ValidationError) as bad:
            await container.post(app, "tx", "wf", "hello", ["has space"])
    assert [m.selector for m in posted] == ["user:1", "team.ops"]
    assert "'has space' is not valid" in bad.value.message


async def test_messages_server_says_invalid_selectors(emulator: EmulatorServer) -> None:
    async with httpx.AsyncClient(base_url=emulator.url, headers={"Authorization": "Bearer container-token"}) as http:
        answer = await http.post(
            "/api/v1/messages",
            json={"appId": "a", "transactionId": "t", "workflowId": "w", "label": "l", "selectors": ["bad one"]},
        )
    assert answer.status_code == 400
    assert answer.json()["message"].startswith("invalid selectors")
