"""The emulator is safe to leave running: requests addressed to another name than this machine's (a web page using
DNS rebinding) are refused on every path of every service; the demos use a random token, not the public default;
listening on another address needs a token of the user's own and says what it exposes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from inspector.core.errors import ValidationError
from inspector.emulator.app import DEFAULT_TOKEN, create_app
from inspector.emulator.server import EmulatorConfig, EmulatorServer, demo_config
from inspector.emulator.store import Store
from tests.helpers import EmulatorProcess, free_port, run_cli


def _every_route() -> list[tuple[str, str]]:
    """(method, path) of each route of each service, its path parameters filled in."""
    store = Store()
    try:
        app = create_app(store)
        found = []
        for route in [r for mount in app.routes for r in getattr(mount, "routes", [mount])]:  # each service's
            path = re.sub(r"\{[^}]+\}", "1", route.path)  # type: ignore[attr-defined]
            found += [(method, path) for method in sorted(route.methods - {"HEAD"})]  # type: ignore[attr-defined]
        return found
    finally:
        store.close()


ROUTES = _every_route()


REFUSED = ["evil.example", "evil.example:9300", "127.0.0.1.evil.example", "localhost.evil.example", "[::2]:80"]
ANSWERED = ["127.0.0.1", "localhost:9300", "LOCALHOST", "127.0.0.2:1", "[::1]:9300", "[::1]"]


def test_only_requests_addressed_to_a_loopback_name_are_answered_on_every_path(
    emulator: EmulatorServer, topic: int
) -> None:
    paths = " ".join(path for _, path in ROUTES)
    for service in ("/api/v1/topics/", "/api/pubsub/", "/api/event_streams/", "/_emulator/", "/openapi.json"):
        assert service in paths  # every service is tried
    auth = {"Authorization": f"Bearer {emulator.token}"}
    with httpx.Client(base_url=emulator.url, headers=auth, trust_env=False) as http:
        for host in REFUSED:
            for method, path in [*ROUTES, ("GET", "/no/such/path"), ("POST", f"/api/v1/topics/{topic}/publish")]:
                answer = http.request(method, path, json={"n": 1} if method != "GET" else None, headers={"Host": host})
                assert answer.status_code == 421, (host, method, path, answer.text)
                body = answer.json()
                assert body["code"] == "misdirected_request"
                assert repr(host) in body["message"]
                assert "localhost, 127.0.0.1 or [::1]" in body["message"]
        for host in ANSWERED:
            assert http.get("/", headers={"Host": host}).status_code == 200, host
    assert emulator.store is not None
    assert emulator.store.count(topic) == 0  # the refused publishes wrote nothing


def test_a_request_without_a_host_is_refused(emulator: EmulatorServer) -> None:
    import socket

    host, port = emulator.url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"GET / HTTP/1.0\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 421 "), answer[:200]
    assert b"no Host header" in answer


def test_another_address_without_a_token_of_ones_own_is_refused_in_words() -> None:
    proc = run_cli(["emulator", "--host", "0.0.0.0", "--port", "0"], timeout=30)
    assert proc.returncode == 2, proc.stderr
    assert "error: --token: listening on '0.0.0.0' lets other machines in" in proc.stderr
    assert "'emulator-token') is public" in proc.stderr
    assert "hint: add --token SECRET" in proc.stderr
    public = run_cli(["emulator", "--host", "0.0.0.0", "--port", "0", "--token", DEFAULT_TOKEN], timeout=30)
    assert public.returncode == 2
    assert "is public" in public.stderr
    for config in (
        EmulatorConfig(host="0.0.0.0", port=0),
        EmulatorConfig(host="0.0.0.0", port=0, token="a-secret-of-my-own"),  # the container token is public too
    ):
        with pytest.raises(ValidationError, match="is public"):
            EmulatorServer(config).start()


def test_another_address_with_a_token_warns_and_answers_other_names(tmp_path: Path) -> None:
    token = "a-secret-of-my-own-1234"
    server = EmulatorProcess(
        free_port(), tmp_path / "e.sqlite", tmp_path / "e.log", args=["--host", "0.0.0.0", "--token", token]
    )
    server.start()
    try:
        for name in ("other-machine.example", "127.0.0.1"):  # the token, not the name, keeps others out here
            answer = httpx.get(f"{server.url}/api/event_streams/topics", headers={"Host": name}, trust_env=False)
            assert answer.status_code == 401, answer.text
            allowed = httpx.get(
                f"{server.url}/api/event_streams/topics",
                headers={"Host": name, "Authorization": f"Bearer {token}"},
                trust_env=False,
            )
            assert allowed.status_code == 200, allowed.text
    finally:
        server.kill()
    log = (tmp_path / "e.log").read_text()
    assert "warning: the emulator listens on http://0.0.0.0:" in log
    assert "every machine that reaches it can read and write its data" in log
    container = re.search(r"container token \(random\): (\S+)", log)
    assert container is not None
    assert container.group(1) != "container-token"


def test_demo_tokens_are_random() -> None:
    first, second = demo_config(":memory:"), demo_config(":memory:")
    assert len({first.token, second.token, DEFAULT_TOKEN}) == 3
    assert len({first.container_token, second.container_token, "container-token"}) == 3
    assert len(first.token) >= 32


def test_the_terminal_demo_uses_a_random_token(app_home: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["TOPIC_INSPECTOR_HOME"] = str(app_home)
    proc = subprocess.Popen(
        [sys.executable, "-m", "inspector", "--demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        said = re.match(r"Demo: emulator at (\S+) \(token (\S+)\);", line)
        assert said is not None, line
        url, token = said.groups()
        assert token != DEFAULT_TOKEN
        assert len(token) >= 32
        consume = f"{url}/api/v1/topics/1/consume"
        assert (
            httpx.post(
                consume, json={}, headers={"Authorization": f"Bearer {DEFAULT_TOKEN}"}, trust_env=False
            ).status_code
            == 401
        )
        assert (
            httpx.post(consume, json={}, headers={"Authorization": f"Bearer {token}"}, trust_env=False).status_code
            == 200
        )
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
