"""Qala, Boomi and the Messaging API as a real server may answer where the seeds are silent (issue 14, section 6):
Qala's publish answered with an empty ``202`` or ids in other shapes, Boomi's ``PUT`` taken as a replacement, and
the spellings and paging words of the commands. Commands run as real processes over loopback HTTP."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from inspector.core.models import Outcome
from inspector.core.services.boomi import BoomiClient
from inspector.core.services.qala import NO_ID_WORDS, QalaClient
from inspector.emulator.server import EmulatorServer
from tests.helpers import next_uuid, run_cli
from tests.real_server import ACCOUNT, QalaAnswer, RealAnswers, RealServer

ENV = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
EVENTS = [{"type": "order.created", "id": "o-1", "data": {"n": 1}}, {"type": "order.paid", "data": "x"}]
WHOLE: dict[str, Any] = {
    "subscriptionId": "223e4567-e89b-12d3-a456-426614174001",
    "eventName": "Atom.Status",
    "destinationType": "EVENT_STREAMS",
    "logLevel": "WARN",
    "accountId": ACCOUNT,
    "eventStreamsEnvironment": "0b8bc0ef-d4d1-4797-9234-935cf0ff3f63",
    "eventStreamsEnvironmentName": "production",
    "eventStreamsTopic": "notifications-topic",
    "enabled": True,
    "createdDate": 1625097600000,
    "lastUpdatedDate": 1625184000000,
    "createdBy": "user@example.com",
    "lastUpdatedUserId": "user@example.com",
}


@pytest.fixture(scope="module")
def server() -> Iterator[RealServer]:
    running = RealServer()
    running.start()
    yield running
    running.stop()


@pytest.fixture
def real(server: RealServer) -> RealAnswers:
    return server.reset()


def lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def qala_cli(server: RealServer, home: Path) -> Any:
    args = ["qala", "publish", "-", "--topic", "transactions", "--base-url", server.url, "--environment", ENV]
    return run_cli(args, token=server.token, stdin=json.dumps(EVENTS), home=home)


# ----- Qala: any 2xx is a success, with the ids the answer gives ---------------------------------------------
def test_qala_empty_202_is_published_and_says_which_have_no_id(
    server: RealServer, real: RealAnswers, app_home: Path
) -> None:
    real.qala_answer = QalaAnswer(202, b"")
    done = qala_cli(server, app_home)
    assert done.returncode == 0, done.stderr
    rows = lines(done.stdout)
    assert [(r["result"], r.get("message_id")) for r in rows] == [("success", "o-1"), ("success", None)]
    assert f"2 published, 0 failed; 1 of them with {NO_ID_WORDS}" in done.stderr
    assert real.qala_published == [EVENTS]  # sent once: a success is not retried


@pytest.mark.parametrize(
    "answer",
    [
        QalaAnswer.of_json({"eventIds": ["srv-1", "srv-2"]}),
        QalaAnswer.of_json(["srv-1", "srv-2"], status=200),
        QalaAnswer.of_json({"ids": ["srv-1", "srv-2"]}, status=201),
    ],
    ids=["eventIds", "bare list", "ids"],
)
def test_qala_ids_the_server_made_are_printed(
    server: RealServer, real: RealAnswers, app_home: Path, answer: QalaAnswer
) -> None:
    real.qala_answer = answer
    done = qala_cli(server, app_home)
    assert done.returncode == 0, done.stderr
    assert [r.get("message_id") for r in lines(done.stdout)] == ["srv-1", "srv-2"]
    assert NO_ID_WORDS not in done.stderr


async def test_qala_a_2xx_that_is_not_json_is_a_success(server: RealServer, real: RealAnswers) -> None:
    real.qala_answer = QalaAnswer(200, b"Accepted", "text/plain")
    async with QalaClient(server.url, server.token, ENV, rate_limit_rpm=0) as client:
        results = await client.publish_events(EVENTS)
    assert [(r.outcome, r.message_id, r.error) for r in results] == [
        (Outcome.SUCCESS, "o-1", None),
        (Outcome.SUCCESS, None, None),
    ]


# ----- Boomi: enable, disable and update send the whole subscription ----------------------------------------
async def test_boomi_changes_keep_every_field_on_a_server_that_replaces(real: RealAnswers, server: RealServer) -> None:
    real.subscriptions[WHOLE["subscriptionId"]] = dict(WHOLE)
    async with BoomiClient(server.url, server.token, ACCOUNT, rate_limit_rpm=0) as client:
        disabled = await client.set_enabled(WHOLE["subscriptionId"], False)
        changed = await client.update(WHOLE["subscriptionId"], {"logLevel": "DEBUG"})
    assert disabled.raw == {**WHOLE, "enabled": False}
    assert changed.raw == {**WHOLE, "enabled": False, "logLevel": "DEBUG"}
    assert real.subscriptions[WHOLE["subscriptionId"]] == {**WHOLE, "enabled": False, "logLevel": "DEBUG"}
    assert [put["subscription"]["eventStreamsTopic"] for put in real.puts] == ["notifications-topic"] * 2


def test_boomi_enable_command_keeps_every_field(real: RealAnswers, server: RealServer, app_home: Path) -> None:
    real.subscriptions[WHOLE["subscriptionId"]] = {**WHOLE, "enabled": False}
    connect = ["--base-url", server.url, "--account", ACCOUNT]
    args = ["boomi", "subscriptions", "enable", WHOLE["subscriptionId"], *connect]
    done = run_cli(args, token=server.token, home=app_home)
    assert done.returncode == 0, done.stderr
    assert lines(done.stdout) == [WHOLE]
    assert real.subscriptions[WHOLE["subscriptionId"]] == WHOLE


def test_boomi_list_asks_with_the_page_size_given(real: RealAnswers, server: RealServer, app_home: Path) -> None:
    for n in range(3):
        sid = str(uuid.UUID(int=n + 1))
        real.subscriptions[sid] = {**WHOLE, "subscriptionId": sid}
    connect = ["--base-url", server.url, "--account", ACCOUNT]
    done = run_cli(["boomi", "subscriptions", "list", "--page-size", "2", *connect], token=server.token, home=app_home)
    assert done.returncode == 0, done.stderr
    assert len(lines(done.stdout)) == 3
    assert real.page_sizes == ["2", "2"]
    assert "3 subscriptions" in done.stderr


# ----- Boomi commands on the emulator: both spellings of update --all, and the paging words --------------------
def boomi(emulator: EmulatorServer, home: Path, account: str, *args: str, stdin: str | None = None) -> Any:
    connect = ["--base-url", emulator.url, "--account", account]
    return run_cli(["boomi", "subscriptions", *args, *connect], token=emulator.token, stdin=stdin, home=home)


def subscription(name: str) -> dict[str, Any]:
    return {"eventName": name, "destinationType": "EVENT_STREAMS", "eventStreamsTopic": "t"}


@pytest.mark.parametrize("spelling", [["--all", "FILE"], ["FILE", "--all"]])
def test_boomi_update_all_takes_both_spellings(
    emulator: EmulatorServer, app_home: Path, tmp_path: Path, spelling: list[str]
) -> None:
    account = "acct_" + next_uuid().replace("-", "")[:8]
    assert boomi(emulator, app_home, account, "create", "-", stdin=json.dumps(subscription("Old"))).returncode == 0
    file = tmp_path / "all.json"
    file.write_text(json.dumps([subscription("New.1"), subscription("New.2")]))
    done = boomi(emulator, app_home, account, "update", *[str(file) if a == "FILE" else a for a in spelling])
    assert done.returncode == 0, done.stderr
    assert [r["eventName"] for r in lines(done.stdout)] == ["New.1", "New.2"]
    assert f"account {account}: now 2 subscriptions" in done.stderr


def test_boomi_pages_are_numbered_as_typed(emulator: EmulatorServer, app_home: Path) -> None:
    empty = "acct_" + next_uuid().replace("-", "")[:8]
    nothing = boomi(emulator, app_home, empty, "list", "--page", "99")
    assert nothing.returncode == 0, nothing.stderr
    assert f"account {empty}: no subscriptions (page 99 is empty)" in nothing.stderr
    assert "page 100" not in nothing.stderr

    account = "acct_" + next_uuid().replace("-", "")[:8]
    made = boomi(emulator, app_home, account, "create", "-", stdin=json.dumps([subscription(f"E{n}") for n in "123"]))
    assert made.returncode == 0, made.stderr
    second = boomi(emulator, app_home, account, "list", "--page", "1", "--page-size", "2")
    assert len(lines(second.stdout)) == 1
    assert f"account {account}: page 1 (pages 0 to 1), 1 of 3 subscriptions" in second.stderr
    past = boomi(emulator, app_home, account, "list", "--page", "5", "--page-size", "2")
    assert past.returncode == 0, past.stderr
    assert past.stdout == ""
    assert f"account {account}: page 5 is past the end: 3 subscriptions fill pages 0 to 1 at 2 a page" in past.stderr


# ----- messages watch --max -----------------------------------------------------------------------------------
def test_messages_watch_stops_after_exactly_max(emulator: EmulatorServer, app_home: Path) -> None:
    app = "app-" + next_uuid().replace("-", "")[:6]
    for n in range(3):
        answer = httpx.post(
            f"{emulator.url}/_emulator/apps/{app}/transactions/tx-{n}/messages",
            json={"workflowId": "w", "label": f"m{n}", "selectors": ["u:1"]},
            headers={"Authorization": f"Bearer {emulator.token}"},
        )
        assert answer.status_code in (200, 201), answer.text
    args = ["messages", "watch", app, "--max", "2", "--interval", "0.2", "--base-url", emulator.url]
    done = run_cli(args, token=emulator.token, home=app_home)
    assert done.returncode == 0, done.stderr
    assert [(r["event"], r["label"]) for r in lines(done.stdout)] == [("message", "m0"), ("message", "m1")]
    refused = run_cli([*args[:3], "--max", "0", *args[5:]], token=emulator.token, home=app_home)
    assert refused.returncode == 2
    assert "--max: must be 1 or more" in refused.stderr
