"""A server whose text a terminal would obey, and a scripted CLI session against it (tests/integration/
test_cli_terminal.py and bench/_hardening_terminal.py; the window's HTML-hostile server is tests/hostile_html.py).

``hostile_server`` listens on 127.0.0.1 (a free port) in a background thread and answers like the Workato API, but
with terminal escapes everywhere a server's text reaches the CLI: error messages, a reason phrase, payloads,
publish results, topic names, and message ids (one of them not printable, which the CLI must refuse). Its
answers are fixed: the same request gets the same answer, except topics 4 and 5, which change after their first
request (a count per server; make a new server for each session).

``hostile_session`` runs ``topic-inspector`` commands against it in real processes; ``raw_controls`` counts the
control characters that reached their standard output or error, which must be none.
"""

from __future__ import annotations

import json
import re
import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.helpers import run_cli

# Set the title (OSC 0), clear the screen, a link (OSC 8), the cursor up 5 lines, the one-character CSI (U+009B),
# right-to-left override and isolates, a forged line, DEL, NUL, ALM, LRM, RLM.
HOSTILE = (
    "\x1b]0;pwned\x07 \x1b[2J \x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\ \x1b[5A \x9b31m "
    "\u202egnp.exe \u2066x\u2069 \r\nerror: forged line \x7f \x00 \u061c \u200e \u200f"
)
TOKEN = "hostile-test-token"
TIME = "2026-03-01T12:00:00Z"

# What a terminal would obey: C0 but tab and line feed, a carriage return not ending a line, DEL, C1, bidi
# controls, and bytes that are not UTF-8 (an 8-bit C1 control is one).
_RAW = re.compile(
    "[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\udc80-\udcff]|\r(?!\n)"
)


def raw_controls(data: str | bytes) -> int:
    """How many characters in ``data`` a terminal would obey as controls (see ``_RAW``)."""
    text = data.decode("utf-8", "surrogateescape") if isinstance(data, bytes) else data
    return len(_RAW.findall(text))


def hostile_messages() -> list[dict[str, Any]]:
    """Topic 3's messages: printable ids (a formula among them), payloads with escapes and formulas."""
    return [
        {"message_id": "=1+2", "time": TIME, "payload": {"text": HOSTILE, "=cmd": '=HYPERLINK("http://evil")'}},
        {"message_id": "m-2", "time": TIME, "payload": {"n": -5, "s": "-5", "at": "@SUM(1)", HOSTILE: 1}},
    ]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # no access log on the test's stderr

    def _answer(self, status: int, body: Any, reason: str | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status, reason)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        rows = [{"id": 7, "name": HOSTILE, "description": HOSTILE, "retention": 60}]
        self._answer(200, {"data": rows} if self.path.startswith("/api/event_streams/topics") else {})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        match = re.fullmatch(r"/api/v1/(batch/)?topics/(\d+)/(consume|publish)", self.path)
        if match is None:
            self._answer(404, {"message": HOSTILE})
            return
        batch, topic, action = bool(match[1]), int(match[2]), match[3]
        with self.server.lock:
            self.server.requests[topic] += 1
            number = self.server.requests[topic]
        if action == "publish":
            if batch:
                results = {"0": {"result": "failed", "error": HOSTILE}}
                results.update({str(i): {"result": "success", "message_id": f"id\u202e{i}"} for i in range(1, 100)})
                self._answer(200, {"message_ids": results, "is_partial_error": True})
            else:
                self._answer(400, {"message": HOSTILE})
            return
        if topic == 1:  # a rejected token, with a hostile reason phrase too
            self._answer(401, {"message": HOSTILE}, reason="Unauthorized \x9b2J\x1b[2J")
        elif topic == 2:
            self._answer(404, {"message": HOSTILE})
        elif topic == 3:
            self._answer(200, {"messages": [] if "after_message_id" in body else hostile_messages()})
        elif topic == 4:  # an id a terminal would obey, then (as the consumer retries) a rejected token
            bad = {"message_id": "A1\x1b]0;pwned\x07", "time": TIME, "payload": {}}
            self._answer(200, {"messages": [bad]}) if number == 1 else self._answer(401, {"message": "no"})
        elif topic == 5:  # a service error first (the consumer says it is backing off), then the messages
            if number == 1:
                self._answer(503, {"message": HOSTILE})
            else:
                self._answer(200, {"messages": [] if "after_message_id" in body else hostile_messages()})
        else:
            self._answer(404, {"message": HOSTILE})


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.requests: Counter[int] = Counter()


@contextmanager
def hostile_server() -> Iterator[str]:
    """A new hostile server; yields its base URL."""
    server = _Server()
    thread = threading.Thread(target=server.serve_forever, name="hostile-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@dataclass(frozen=True)
class Run:
    name: str
    args: list[str]
    result: subprocess.CompletedProcess[str]

    @property
    def escapes(self) -> int:
        return raw_controls(self.result.stdout) + raw_controls(self.result.stderr)


# Each command of the session: its name and its arguments before the connection options.
SESSION: list[tuple[str, list[str]]] = [
    ("401", ["consume", "1"]),
    ("401 verbose", ["-v", "consume", "1"]),
    ("404", ["consume", "2"]),
    ("jsonl", ["consume", "3"]),
    ("json", ["consume", "3", "--format", "json"]),
    ("csv", ["consume", "3", "--format", "csv"]),
    ("bad id", ["consume", "4"]),
    ("503 then messages", ["consume", "5"]),
    ("batch publish", ["publish", "6"]),
    ("single publish", ["publish", "6"]),
    ("topics", ["topics", "list"]),
]
_INPUT = {"batch publish": '[{"a": 1}, {"a": 2}]', "single publish": '{"a": 1}'}


def hostile_session(url: str) -> list[Run]:
    """Every command of ``SESSION`` against the hostile server at ``url``, in order, each in its own process."""
    runs = []
    for name, args in SESSION:
        argv = [*args, "--base-url", url, "--rate-limit", "0"]
        runs.append(Run(name, argv, run_cli(argv, token=TOKEN, stdin=_INPUT.get(name))))
    return runs
