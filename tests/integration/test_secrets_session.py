"""A whole command-line session with a distinctive token, then a search for it everywhere the session wrote.

Real processes (``python -m inspector ...``) against an emulator that accepts only that token. The token is
stored in the real Secret Service when ``scripts/with-keyring`` provides one (``make test``), and otherwise given
through ``TOPIC_INSPECTOR_TOKEN``. The session adds a profile, stores the token, publishes (single and batch),
consumes, replays the consumed file (journaled), lists topics, fails on purpose (unknown topic, wrong token), and
runs at debug level. Then every file in the app folder and the working folder, bytes and text, and everything
the commands printed, is searched for the token as is, URL-encoded, JSON-escaped, hex, UTF-16 and base64.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from inspector.emulator.server import EmulatorConfig, EmulatorServer
from tests.helpers import next_uuid, token_leaks

SECRET_SERVICE = os.environ.get("TOPIC_INSPECTOR_SECRET_SERVICE") == "1"
MARKER = "payload-marker-5e8d21"  # shows the search really reads the files' content


leaks = token_leaks


@dataclass
class Session:
    """The commands of one session, run in ``workdir`` with the app folder ``home``; every output is kept."""

    home: Path
    workdir: Path
    outputs: list[tuple[str, str]] = field(default_factory=list)  # (command, stdout + stderr)

    def run(
        self, *args: str, stdin: str | None = None, token: str | None = None, expect: int = 0
    ) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k != "TOPIC_INSPECTOR_TOKEN"}
        env["TOPIC_INSPECTOR_HOME"] = str(self.home)
        if token is not None:
            env["TOPIC_INSPECTOR_TOKEN"] = token
        proc = subprocess.run(
            [sys.executable, "-m", "inspector", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            cwd=self.workdir,
            timeout=60,
            check=False,
        )
        self.outputs.append((" ".join(args), proc.stdout + proc.stderr))
        assert proc.returncode == expect, f"{' '.join(args)} -> {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        return proc


@pytest.fixture
def token() -> str:
    return f"ti-Se7Rw2Lm9Xb4Ts8Vn1Pz-{next_uuid()[:8]}"


@pytest.fixture
def server(token: str) -> Iterator[EmulatorServer]:
    with EmulatorServer(EmulatorConfig(port=0, rate_limit_rpm=0, token=token)) as running:
        yield running


def test_the_leak_search_finds_the_token_in_every_form(token: str) -> None:
    assert leaks(f"Authorization: Bearer {token}\n", token) == ["raw", "url-encoded", "form-encoded", "json"]
    for prefix in ("", "x", "xy"):
        assert "base64@" + str(len(prefix) % 3) in leaks(base64.b64encode(f"{prefix}{token}".encode()), token)
    assert "utf-16" in leaks(f"<{token}>".encode("utf-16-le"), token)
    assert leaks(b"nothing to see", token) == []


def test_a_whole_cli_session_leaves_the_token_nowhere(
    tmp_path: Path, token: str, server: EmulatorServer, capfd: pytest.CaptureFixture[str]
) -> None:
    home, workdir = tmp_path / "app", tmp_path / "work"
    workdir.mkdir()
    s = Session(home, workdir)
    store = server.store
    assert store is not None
    source, destination = store.create_topic("secrets-source").id, store.create_topic("secrets-replayed").id
    profile = f"secrets-{next_uuid()[:6]}"
    conn = ["--profile", profile]
    wrong = "ti-wrong-Wq7Rw2Lm9Xb4Ts8Vn1"
    # With the Secret Service the commands find the token there; otherwise in the environment, as scripts do.
    env_token = None if SECRET_SERVICE else token

    try:
        s.run("profile", "add", profile, "--base-url", server.url, "--rate-limit", "0")
        listed = s.run("profile", "list")
        assert server.url in listed.stdout
        if SECRET_SERVICE:
            stored = s.run("token", "set", *conn, stdin=token + "\n")
            assert "stored in SecretService" in stored.stdout
            status = s.run("token", "status", *conn)
            assert "stored in" in status.stdout

        # publish: one object, then a file of 150 (two batch requests), at debug level
        single = s.run(
            "publish", str(source), *conn, "-v", stdin=json.dumps({"n": 0, "marker": MARKER}), token=env_token
        )
        assert json.loads(single.stdout)["result"] == "success"
        assert "DEBUG" in single.stderr  # -v really logs at debug level
        (workdir / "batch.json").write_text(json.dumps([{"n": n, "marker": MARKER} for n in range(1, 151)]))
        batch = s.run("publish", str(source), "batch.json", *conn, "-v", token=env_token)
        assert [json.loads(line)["result"] for line in batch.stdout.splitlines()] == ["success"] * 150

        # consume into a file, then replay that file (journaled in the app folder)
        consumed = s.run("consume", str(source), *conn, "-v", token=env_token)
        assert len(consumed.stdout.splitlines()) == 151
        (workdir / "consumed.jsonl").write_text(consumed.stdout)
        replayed = s.run("replay", "consumed.jsonl", "--to", str(destination), *conn, "-v", token=env_token)
        job = replayed.stderr.split("job ", 1)[1].split(":", 1)[0]
        assert "151" in replayed.stderr
        report = s.run("replay", "--report", job)
        (workdir / "report.json").write_text(report.stdout)
        assert json.loads(report.stdout)
        s.run("replay", "--list")
        again = s.run("consume", str(destination), *conn, "--max", "151", token=env_token)
        assert len(again.stdout.splitlines()) == 151
        s.run("topics", "list", *conn, "--include-schema", "-v", token=env_token)

        # failures: an unknown topic (404) and a wrong token (401), each said in words
        missing = s.run("consume", "987654", *conn, "-v", token=env_token, expect=1)
        assert "topic 987654 not found" in missing.stderr
        lost = s.run("publish", "987654", *conn, stdin='{"n": 1}', token=env_token, expect=1)
        assert json.loads(lost.stdout)["result"] == "failed"
        rejected = s.run("consume", str(source), *conn, "-v", token=wrong, expect=1)
        assert "token rejected" in rejected.stderr
        assert "Unauthorized: missing or invalid API token" in rejected.stderr  # the server's own words
        refused = s.run("publish", str(source), "batch.json", *conn, token=wrong, expect=1)
        assert all(json.loads(line)["result"] == "failed" for line in refused.stdout.splitlines())
        assert "token rejected" in refused.stdout

        if SECRET_SERVICE:
            s.run("token", "delete", *conn)
            gone = s.run("consume", str(source), *conn, expect=1)
            assert "no token" in gone.stderr
        s.run("profile", "remove", profile)
    finally:
        if SECRET_SERVICE:
            from inspector.core.secrets import KeyringStore

            with contextlib.suppress(Exception):
                KeyringStore().delete(f"profile:{profile}@{server.url}")

    # Everything the session wrote or printed.
    files = sorted(p for folder in (home, workdir) for p in folder.rglob("*") if p.is_file())
    names = {p.name for p in files}
    assert {"profiles.json", "replay.sqlite", "batch.json", "consumed.jsonl", "report.json"} <= names, names
    journal = next(p for p in files if p.name == "replay.sqlite")
    assert MARKER.encode() in journal.read_bytes()  # the search reads what the journal holds
    found = {
        str(path.relative_to(tmp_path)): hits
        for path in files
        for data in (path.read_bytes(), path.read_bytes().decode("utf-8", "replace"))
        if (hits := leaks(data, token) + leaks(data, wrong))
    }
    assert found == {}, found
    said = {command: hits for command, text in s.outputs if (hits := leaks(text, token) + leaks(text, wrong))}
    assert said == {}, said
    here = capfd.readouterr()  # and nothing in this process's output either (the emulator runs here)
    assert leaks(here.out + here.err, token) == []
    debug = "\n".join(text for command, text in s.outputs if " -v" in f" {command}")
    assert "HTTP Request: POST" in debug  # httpx's own debug lines were there to leak from
