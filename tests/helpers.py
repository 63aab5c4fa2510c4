"""Shared test helpers: an in-memory keyring backend, waiting on the qasync loop, the emulator as a process."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import gc
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING
from urllib.parse import quote, quote_plus

import httpx
from keyring.backend import KeyringBackend
from keyring.errors import KeyringLocked, PasswordDeleteError

if TYPE_CHECKING:
    from PySide6.QtGui import QColor


class InMemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.items.pop((service, username), None) is None:
            raise PasswordDeleteError("missing")


async def wait_until(condition: Callable[[], object], within: float = 10.0, what: str = "condition") -> None:
    """Poll ``condition`` on the running loop (Qt events keep flowing) until it is truthy."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within} s waiting for {what}")
        await asyncio.sleep(0.02)


def run_cli(
    args: list[str],
    *,
    token: str | None = None,
    stdin: str | None = None,
    home: Path | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """``topic-inspector ARGS`` in a real process, with no token in its environment unless given."""
    env = {k: v for k, v in os.environ.items() if k != "TOPIC_INSPECTOR_TOKEN"}
    if token is not None:
        env["TOPIC_INSPECTOR_TOKEN"] = token
    if home is not None:
        env["TOPIC_INSPECTOR_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "inspector", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def token_forms(token: str) -> dict[str, bytes]:
    """The token as bytes in every form it could be written in."""
    raw = token.encode()
    forms = {
        "raw": raw,
        "url-encoded": quote(token, safe="").encode(),
        "form-encoded": quote_plus(token).encode(),
        "json": json.dumps(token)[1:-1].encode(),
        "hex": raw.hex().encode(),
        "HEX": raw.hex().upper().encode(),
        "utf-16": token.encode("utf-16-le"),
    }
    for name, encode in (("base64", base64.b64encode), ("base64url", base64.urlsafe_b64encode)):
        for shift in range(3):  # inside a longer base64 text the token starts at one of 3 alignments
            text = encode(b"\0" * shift + raw)
            first, end = -(-8 * shift // 6), 8 * (shift + len(raw)) // 6  # characters made of token bits only
            forms[f"{name}@{shift}"] = text[first:end]
    return forms


# The contexts a token was found leaking from (glued to a URL, a key, a port, a letter, a colon, a full stop...),
# and the forms a text can hold it in (utf-16 cannot be in a text): the token-shape tests and bench/_hardening_tokens.py
TOKEN_CONTEXTS = (
    "https://h/v1/{t}",
    "key={t}",
    "{t}:443",
    "x{t}",
    "{t}:",
    "{t}.",
    "({t})",
    "[{t}]",
    "Bearer {t}",
    "header b'Bearer {t}'",
    '{{"authorization": "{t}"}}',
    "{t}{t}",
    "{t}",
)


def text_encodings() -> tuple[str, ...]:
    return tuple(name for name in token_forms("x" * 8) if name != "utf-16")


def token_leaks(data: bytes | str, token: str) -> list[str]:
    """The forms of ``token`` (see ``token_forms``) found in ``data``."""
    blob = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
    return [name for name, form in token_forms(token).items() if form in blob]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class EmulatorProcess:
    """``topic-inspector emulator`` in a child process on a fixed port and data file; killed and started again."""

    def __init__(self, port: int, data: Path, log: Path, *, args: Sequence[str] = ()) -> None:
        self.port = port
        self.args = list(args)  # more options: --token, --topic, --rate-limit
        self.data = data
        self.url = f"http://127.0.0.1:{port}"
        self._log_path = log
        self._log: IO[bytes] | None = None
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert self.process is None
        self._log = open(self._log_path, "ab")  # noqa: SIM115 - closed in kill()
        args = ["emulator", "--host", "127.0.0.1", "--port", str(self.port), "--data", str(self.data)]
        args += self.args
        self.process = subprocess.Popen(
            [sys.executable, "-m", "inspector", *args], stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 20
        while True:
            if self.process.poll() is not None:
                raise AssertionError(f"the emulator ended: {self._log_path.read_text(errors='replace')}")
            try:
                httpx.get(self.url, timeout=2)  # any answer: it is up
                return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"the emulator did not start on port {self.port}")
            time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no answers to the requests in progress."""
        if self.process is not None:
            if self.process.poll() is None:
                os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
            self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None


class ReversingKeyring(KeyringBackend):
    """A keyring that keeps each secret reversed: like the OS keyring, which keeps it in another process, it
    holds no copy of the secret itself that a search of this process could find (see ``token_holders``)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.reversed: dict[tuple[str, str], str] = {}
        self.reads = 0
        self.locked = False  # reads raise KeyringLocked, as a locked Secret Service collection does
        self.delay = 0.0  # seconds each read takes (an unlock prompt waiting for the user)

    def get_password(self, service: str, username: str) -> str | None:
        self.reads += 1
        if self.delay:
            time.sleep(self.delay)
        if self.locked:
            raise KeyringLocked("the collection is locked")
        stored = self.reversed.get((service, username))
        return None if stored is None else stored[::-1]

    def set_password(self, service: str, username: str, password: str) -> None:
        self.reversed[(service, username)] = password[::-1]

    def delete_password(self, service: str, username: str) -> None:
        if self.reversed.pop((service, username), None) is None:
            raise PasswordDeleteError("missing")


def token_holders(reversed_token: str) -> list[str]:
    """What in this process's Python heap holds the token (given reversed, so the caller holds no copy): each
    container, frame or object with a ``str``, ``bytes`` or ``bytearray`` referent that contains it, described.

    Objects reachable by the garbage collector are searched; garbage is collected first."""
    gc.collect()
    probe = reversed_token[-8:][::-1]  # the token's first 8 characters: a quick filter, not the token
    probe_bytes = probe.encode()
    token_bytes_reversed = reversed_token.encode()
    found: list[str] = []
    for holder in gc.get_objects():
        for value in gc.get_referents(holder):
            kind = type(value)
            if kind is str:
                hit = probe in value and reversed_token in value[::-1]
            elif kind is bytes or kind is bytearray:
                hit = probe_bytes in value and token_bytes_reversed in bytes(value)[::-1]
            else:
                continue
            if hit:
                found.append(_describe_holder(holder))
    return found


def _describe_holder(holder: object) -> str:
    code = getattr(holder, "cr_code", None) or getattr(holder, "gi_code", None) or getattr(holder, "f_code", None)
    if code is not None:
        return f"{type(holder).__name__} {code.co_qualname} ({code.co_filename}:{code.co_firstlineno})"
    if isinstance(holder, dict):
        keys = [k for k in holder if isinstance(k, str)][:6]
        return f"dict with keys {keys}"
    return f"{type(holder).__module__}.{type(holder).__qualname__}"


@contextlib.contextmanager
def emulator_holding(folder: Path, reversed_token: str, topic: str) -> Iterator[EmulatorProcess]:
    """An emulator process that accepts only the token (given reversed) and declares ``topic`` (ID:NAME); this
    process keeps no copy of the token: the command line that carried it is dropped once the child runs."""
    server = EmulatorProcess(
        free_port(),
        folder / "emulator.sqlite",
        folder / "emulator.log",
        args=["--rate-limit", "0", "--topic", topic, "--token", reversed_token[::-1]],
    )
    server.start()
    assert server.process is not None
    server.args.clear()
    server.process.args = []
    try:
        yield server
    finally:
        server.kill()


class AppServer:
    """Any ASGI app (a server's answers shaped for a test) served by uvicorn on a free 127.0.0.1 port in a thread of
    its own: ``start()`` returns its URL once it accepts connections; ``stop()`` ends it."""

    def __init__(self, app: object, name: str = "test-server") -> None:
        self.app = app
        self.name = name
        self.url = ""
        self._server: object | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> str:
        import uvicorn

        from inspector.emulator.server import base_url_of, bind_socket

        config = uvicorn.Config(
            self.app,  # type: ignore[arg-type]
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        self._server = server = uvicorn.Server(config)
        sock = bind_socket("127.0.0.1", 0)
        self.url = base_url_of(sock)

        def serve() -> None:
            try:
                asyncio.run(server.serve(sockets=[sock]))
            finally:
                sock.close()

        self._thread = threading.Thread(target=serve, name=self.name, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                self.stop()
                raise RuntimeError(f"the {self.name} did not start")
            time.sleep(0.01)
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True  # type: ignore[attr-defined]
        if self._thread is not None:
            self._thread.join(10)
        self._server = self._thread = None


_ids = itertools.count(1)
_ID_NAMESPACE = uuid.UUID("6f1c1b7e-3d2a-4e59-9a57-2f0c8d4b1a90")


def next_uuid() -> str:
    """A GUID no other call of this test session gives, the same on every run (uuid5 of a counter): ids for
    tests' accounts, apps and unknown subscriptions that never depend on chance."""
    return str(uuid.uuid5(_ID_NAMESPACE, str(next(_ids))))


def contrast(a: QColor, b: QColor) -> float:
    """WCAG's contrast ratio of two colours."""

    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)
