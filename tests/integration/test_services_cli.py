"""``topic-inspector qala``, ``boomi subscriptions`` and ``messages`` as real processes against the emulator:
JSON Lines out, words on stderr, exit 0 / 1 / 2 as the Workato commands."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from inspector.emulator.server import EmulatorServer
from tests.helpers import next_uuid, run_cli

ENV = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"


def lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def one_error_line(err: str) -> str:
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, err
    return errors[0]


# ----- qala ----------------------------------------------------------------------------------------------------
def test_qala_publish_prints_a_line_per_event(emulator: EmulatorServer, app_home: Path) -> None:
    events = [{"type": "order.created", "id": "o-1", "data": {"n": 1}}, {"type": "order.paid", "data": "x"}]
    args = ["qala", "publish", "-", "--topic", "transactions", "--base-url", emulator.url, "--environment", ENV]
    done = run_cli(args, token=emulator.token, stdin=json.dumps(events), home=app_home)
    assert done.returncode == 0, done.stderr
    rows = lines(done.stdout)
    assert [(r["index"], r["result"], r["type"]) for r in rows] == [
        (0, "success", "order.created"),
        (1, "success", "order.paid"),
    ]
    assert rows[0]["message_id"] == "o-1"
    assert "2 published, 0 failed" in done.stderr


def test_qala_bad_event_type_is_exit_2_and_nothing_sent(emulator: EmulatorServer, app_home: Path) -> None:
    events = [{"type": "ok", "data": "x"}, {"type": "not ok!", "data": "x"}]
    args = ["qala", "publish", "-", "--base-url", emulator.url, "--environment", ENV]
    done = run_cli(args, token=emulator.token, stdin=json.dumps(events), home=app_home)
    assert done.returncode == 2
    assert "event 1.type: 'not ok!' is not a valid event type" in done.stderr
    assert "nothing was sent" in done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize(
    ("environment", "words"),
    [(None, "is not a GUID"), ("prod", "'prod' is not a GUID"), ("3f2504e0-4f89-41d3-9a0c-0305e82c33", "not a GUID")],
)
def test_qala_missing_or_invalid_environment_id(
    emulator: EmulatorServer, app_home: Path, environment: str | None, words: str
) -> None:
    args = ["qala", "publish", "-", "--base-url", emulator.url] + (
        ["--environment", environment] if environment else []
    )
    done = run_cli(args, token=emulator.token, stdin='{"type": "a", "data": "x"}', home=app_home)
    assert done.returncode == 2
    assert words in one_error_line(done.stderr)
    assert "8-4-4-4-12" in done.stderr


def test_qala_unknown_topic_is_exit_1_with_the_problem(emulator: EmulatorServer, app_home: Path) -> None:
    args = ["qala", "publish", "-", "--topic", "nope", "--base-url", emulator.url, "--environment", ENV]
    done = run_cli(args, token=emulator.token, stdin='{"type": "a", "data": "x"}', home=app_home)
    assert done.returncode == 1
    [row] = lines(done.stdout)
    assert row["result"] == "failed"
    assert "Topic 'nope' was not found" in row["error"]


def test_qala_session_token_is_printed_once(emulator: EmulatorServer, app_home: Path) -> None:
    group = next_uuid()
    args = ["qala", "session-token", group, "--base-url", emulator.url, "--environment", ENV]
    done = run_cli(args, token=emulator.token, home=app_home)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.strip()) >= 80
    assert "shown once, not stored" in done.stderr
    assert not any(done.stdout.strip() in p.read_text(errors="replace") for p in app_home.rglob("*") if p.is_file())


def test_qala_profile_with_a_stored_connection(emulator: EmulatorServer, app_home: Path) -> None:
    add = run_cli(
        ["profile", "add", "Q", "--service", "qala", "--base-url", emulator.url, "--environment", ENV.upper()],
        home=app_home,
    )
    assert add.returncode == 0, add.stderr
    listed = run_cli(["profile", "list"], home=app_home)
    assert "Qala publishing" in listed.stdout
    done = run_cli(
        ["qala", "publish", "-", "--profile", "Q"],
        token=emulator.token,
        stdin='{"type": "a", "data": "x"}',
        home=app_home,
    )
    assert done.returncode == 0, done.stderr
    wrong = run_cli(["boomi", "subscriptions", "list", "--profile", "Q"], token=emulator.token, home=app_home)
    assert wrong.returncode == 2
    assert "is a Qala publishing profile, not a boomi one" in one_error_line(wrong.stderr)


# ----- boomi ---------------------------------------------------------------------------------------------------
def test_boomi_subscriptions_create_list_bulk_and_delete_all(emulator: EmulatorServer, app_home: Path) -> None:
    account = "acct_" + next_uuid().replace("-", "")[:8]
    connect = ["--base-url", emulator.url, "--account", account]
    subs = [
        {"eventName": f"Atom.Status.{n}", "destinationType": "EVENT_STREAMS", "eventStreamsTopic": "t"}
        for n in range(3)
    ]
    created = run_cli(
        ["boomi", "subscriptions", "create", "-", *connect], token=emulator.token, stdin=json.dumps(subs), home=app_home
    )
    assert created.returncode == 0, created.stderr
    ids = [row["subscriptionId"] for row in lines(created.stdout)]
    assert len(ids) == 3

    page = run_cli(
        [
            "boomi",
            "subscriptions",
            "list",
            "--page",
            "0",
            "--page-size",
            "2",
            "--sort-by",
            "eventName",
            "--desc",
            *connect,
        ],
        token=emulator.token,
        home=app_home,
    )
    assert page.returncode == 0, page.stderr
    assert [row["eventName"] for row in lines(page.stdout)] == ["Atom.Status.2", "Atom.Status.1"]
    assert "page 0 (pages 0 to 1), 2 of 3 subscriptions" in page.stderr

    unknown = next_uuid()
    bulk = run_cli(
        ["boomi", "subscriptions", "bulk", "delete", ids[0], unknown, *connect], token=emulator.token, home=app_home
    )
    assert bulk.returncode == 1  # not all deleted
    assert [(r["subscriptionId"], r["status"]) for r in lines(bulk.stdout)] == [(ids[0], 200), (unknown, 404)]
    assert "1 of 2 deleted" in bulk.stderr

    update = [{"subscriptionId": ids[1], "enabled": False}, {"subscriptionId": unknown, "enabled": False}]
    updated = run_cli(
        ["boomi", "subscriptions", "bulk", "update", "-", *connect],
        token=emulator.token,
        stdin=json.dumps(update),
        home=app_home,
    )
    assert updated.returncode == 1
    assert [r["status"] for r in lines(updated.stdout)] == [200, 404]

    refused = run_cli(["boomi", "subscriptions", "delete", "--all", *connect], token=emulator.token, home=app_home)
    assert refused.returncode == 2
    assert f"--confirm must repeat the account id ({account})" in one_error_line(refused.stderr)
    confirmed = run_cli(
        ["boomi", "subscriptions", "delete", "--all", "--confirm", account, *connect],
        token=emulator.token,
        home=app_home,
    )
    assert confirmed.returncode == 0, confirmed.stderr
    left = run_cli(["boomi", "subscriptions", "list", *connect], token=emulator.token, home=app_home)
    assert left.stdout == ""
    assert "0 subscriptions" in left.stderr


def test_boomi_email_destination_is_refused_with_the_services_reason(emulator: EmulatorServer, app_home: Path) -> None:
    email = {"eventName": "Atom.Status", "destinationType": "EMAIL", "destinationEmail": "ops@example.com"}
    done = run_cli(
        ["boomi", "subscriptions", "create", "-", "--base-url", emulator.url, "--account", "acct_email"],
        token=emulator.token,
        stdin=json.dumps(email),
        home=app_home,
    )
    assert done.returncode == 1
    assert "only EVENT_STREAMS is available" in one_error_line(done.stderr)


# ----- messages ------------------------------------------------------------------------------------------------
def test_messages_watch_prints_messages_and_vanished_ones(emulator: EmulatorServer, app_home: Path) -> None:
    app = "app-" + next_uuid().replace("-", "")[:6]
    headers = {"Authorization": f"Bearer {emulator.token}"}

    def call(path: str, body: dict[str, Any] | None = None) -> None:
        answer = httpx.post(f"{emulator.url}{path}", json=body, headers=headers)
        assert answer.status_code in (200, 201), answer.text

    call(f"/_emulator/apps/{app}/transactions/tx-1/messages", {"workflowId": "w", "label": "hi", "selectors": ["u:1"]})
    # Ctrl+C as in a terminal: a runner that starts the tests in the background ignores SIGINT, and the child
    # would inherit that; the command is started with Python's own SIGINT handler.
    command = [
        sys.executable,
        "-c",
        "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "from inspector.cli import main; sys.exit(main(sys.argv[1:]))",
        "messages",
        "watch",
        app,
        "--base-url",
        emulator.url,
        "--interval",
        "0.2",
    ]
    env = {"TOPIC_INSPECTOR_TOKEN": emulator.token, "TOPIC_INSPECTOR_HOME": str(app_home), "PATH": "/usr/bin:/bin"}
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        first = json.loads(proc.stdout.readline())
        call(f"/_emulator/apps/{app}/transactions/tx-1/end")
        seen = [json.loads(proc.stdout.readline()), json.loads(proc.stdout.readline())]
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            raise AssertionError(f"Ctrl+C did not stop 'messages watch': {err}") from None
    assert first == {
        "event": "message",
        "appId": app,
        "transactionId": "tx-1",
        "workflowId": "w",
        "label": "hi",
        "selector": "u:1",
    }
    assert seen[0]["event"] == "vanished"
    assert seen[0]["reason"] == "its transaction ended"
    assert seen[1] == {"event": "transaction_ended", "appId": app, "transactionId": "tx-1"}
    assert proc.returncode == 130, err
    assert out == ""  # everything was read above


def test_messages_post_needs_a_workflow_container(emulator: EmulatorServer, app_home: Path) -> None:
    args = ["messages", "post", "app-1", "u:1", "--transaction", "t", "--workflow", "w", "--label", "hi"]
    ordinary = run_cli([*args, "--base-url", emulator.url], token=emulator.token, home=app_home)
    assert ordinary.returncode == 2
    assert "only workflow containers of an app can post messages" in one_error_line(ordinary.stderr)
    container = run_cli(
        [*args, "--base-url", emulator.url, "--workflow-container"], token="container-token", home=app_home
    )
    assert container.returncode == 0, container.stderr
    assert [r["selector"] for r in lines(container.stdout)] == ["u:1"]
    bad = run_cli(
        [
            "messages",
            "post",
            "app-1",
            "bad sel",
            "--transaction",
            "t",
            "--workflow",
            "w",
            "--label",
            "hi",
            "--base-url",
            emulator.url,
            "--workflow-container",
        ],
        token="container-token",
        home=app_home,
    )
    assert bad.returncode == 2
    assert "selectors: 'bad sel' is not valid" in one_error_line(bad.stderr)
