"""``topic-inspector topics``: each command in a real process against the emulator over HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from inspector.emulator.server import EmulatorServer
from tests.helpers import run_cli

SCHEMA = [{"name": "id", "type": "integer"}, {"name": "customer", "type": "object", "properties": [{"name": "name"}]}]
NEW = [
    {"name": "id", "type": "integer"},
    {"name": "customer", "type": "object", "properties": [{"name": "name"}, {"name": "email"}]},
]


def topics(emulator: EmulatorServer, *args: str, stdin: str | None = None) -> tuple[int, list[Any], str]:
    proc = run_cli(
        ["topics", *args, "--base-url", emulator.url, "--rate-limit", "0"], token=emulator.token, stdin=stdin
    )
    assert "Traceback" not in proc.stderr
    return proc.returncode, [json.loads(line) for line in proc.stdout.splitlines()], proc.stderr


def write(path: Path, value: object) -> str:
    path.write_text(json.dumps(value), encoding="utf-8")
    return str(path)


def test_create_get_update_purge_delete(emulator: EmulatorServer, tmp_path: Path) -> None:
    schema = write(tmp_path / "schema.json", SCHEMA)
    status, [made], words = topics(
        emulator, "create", "cli-scratch", "--schema", schema, "--retention", "2h", "--description", "scratch"
    )
    assert status == 0, words
    assert (made["name"], made["retention"], made["description"], made["schema"]) == (
        "cli-scratch",
        7200,
        "scratch",
        SCHEMA,
    )
    assert f"created topic {made['id']} ('cli-scratch'): 2 fields, messages kept 2 hours" in words
    tid = str(made["id"])

    status, [got], _ = topics(emulator, "get", tid)
    assert got == made
    status, listed, words = topics(emulator, "list", "--name", "cli-scratch")
    assert [row["id"] for row in listed] == [made["id"]]
    assert "1 topic at" in words

    status, _, words = topics(emulator, "create", "cli-scratch")
    assert status == 1
    assert f"Name has already been taken (by topic {tid})" in words

    new = write(tmp_path / "new.json", NEW)
    status, [updated], words = topics(emulator, "update", tid, "--schema", new, "--retention", "90d")
    assert status == 0, words
    assert (updated["schema"], updated["retention"]) == (NEW, 7776000)
    assert "updated topic" in words
    assert "schema, retention" in words

    headers = {"Authorization": f"Bearer {emulator.token}"}
    published = httpx.post(
        f"{emulator.url}/api/v1/topics/{tid}/publish",
        json={"id": 1, "customer": {"name": "n", "email": "e"}},
        headers=headers,
    )
    assert published.status_code == 200
    status, out, words = topics(emulator, "purge", tid, "--confirm", "CLI-scratch")
    assert status == 2
    assert out == []
    assert "error: --confirm: 'CLI-scratch' is not the name of topic" in words
    assert "nothing was purged" in words
    consumed = httpx.post(f"{emulator.url}/api/v1/topics/{tid}/consume", json={}, headers=headers).json()
    assert len(consumed["messages"]) == 1  # a wrong name loses nothing

    status, [purged], words = topics(emulator, "purge", tid, "--confirm", "cli-scratch")
    assert (status, purged) == (0, {"id": made["id"], "name": "cli-scratch", "purged": True})
    consumed = httpx.post(f"{emulator.url}/api/v1/topics/{tid}/consume", json={}, headers=headers).json()
    assert consumed["messages"] == []

    status, _, words = topics(emulator, "delete", tid, "--confirm", "scratch")
    assert status == 2
    assert "nothing was deleted" in words
    status, [deleted], words = topics(emulator, "delete", tid, "--confirm", "cli-scratch")
    assert (status, deleted["deleted"]) == (0, True)
    status, _, words = topics(emulator, "get", tid)
    assert status == 1
    assert f"topic {tid} not found" in words


def test_check_schema_names_each_refused_message(emulator: EmulatorServer, tmp_path: Path) -> None:
    status, [made], _ = topics(emulator, "create", "cli-check", "--schema", write(tmp_path / "s.json", SCHEMA))
    tid = made["id"]
    headers = {"Authorization": f"Bearer {emulator.token}"}
    payloads = [{"id": n, "customer": {"name": "n"} | ({"email": "e"} if n != 2 else {})} for n in range(4)]
    answer = httpx.post(
        f"{emulator.url}/api/v1/batch/topics/{tid}/publish", json={"payloads": payloads}, headers=headers
    ).json()
    ids = [answer["message_ids"][str(n)]["message_id"] for n in range(4)]
    status, refused, words = topics(emulator, "check-schema", str(tid), write(tmp_path / "new.json", NEW))
    assert status == 1
    assert refused == [
        {"message_id": ids[2], "problems": [{"path": "customer.email", "error": "`customer.email` is required"}]}
    ]
    assert (
        f"topic {tid}: this change would refuse 1 of the 4 messages in the topic — first: message {ids[2]}, "
        "`customer.email` is required"
    ) in words
    status, refused, words = topics(emulator, "check-schema", str(tid), "-", stdin=json.dumps(SCHEMA))
    assert (status, refused) == (0, [])
    assert "would refuse none of the 4 messages" in words
    topics(emulator, "delete", str(tid), "--confirm", "cli-check")


def test_infer_schema_prints_a_field_list(tmp_path: Path) -> None:
    lines = [
        {"id": 1, "total": 2, "customer": {"email": "a@x"}, "at": "2024-05-01T10:00:00Z"},
        {"id": 2, "total": 2.5, "customer": {}, "code": "x"},
        {
            "message_id": "A1",
            "time": "2024-05-01T10:00:00Z",
            "payload": {"id": 3, "total": 1, "customer": {}, "code": 5},
        },
    ]
    path = tmp_path / "messages.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    proc = run_cli(["topics", "infer-schema", str(path)])
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [
        {"name": "id", "type": "integer"},
        {"name": "total", "type": "number"},
        {"name": "customer", "type": "object", "properties": [{"name": "email", "optional": True}]},
        {"name": "at", "type": "date_time", "optional": True},
        {"name": "code", "optional": True},
    ]
    assert "note: `code` has mixed types (text once, a whole number once)" in proc.stderr
    assert "inferred 5 top-level fields from 3 messages" in proc.stderr
    piped = run_cli(["topics", "infer-schema", "-"], stdin=json.dumps(lines[0]))
    assert json.loads(piped.stdout)[0] == {"name": "id", "type": "integer"}


def test_inferred_schema_round_trips_through_the_api(emulator: EmulatorServer, tmp_path: Path) -> None:
    path = tmp_path / "m.jsonl"
    path.write_text('{"id": 1, "lines": [{"sku": "a", "qty": 1}]}\n{"id": 2, "lines": []}\n', encoding="utf-8")
    inferred = run_cli(["topics", "infer-schema", str(path)]).stdout
    schema = tmp_path / "schema.json"
    schema.write_text(inferred, encoding="utf-8")
    status, [made], words = topics(emulator, "create", "cli-inferred", "--schema", str(schema))
    assert status == 0, words
    assert made["schema"] == json.loads(inferred)
    topics(emulator, "delete", str(made["id"]), "--confirm", "cli-inferred")


def test_list_still_works_and_regions_follow_the_data_centers() -> None:
    help_text = run_cli(["topics", "list", "--help"]).stdout
    assert "us, eu, jp, sg, au, il, cn, sandbox, legacy" in " ".join(help_text.split())
    kr = run_cli(["topics", "list", "--region", "kr"], token="never-sent")
    assert kr.returncode == 2
    assert "the KR data center is not offered" in kr.stderr
