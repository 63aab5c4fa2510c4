"""Shared test helpers: an in-memory keyring backend and waiting on the qasync loop."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, quote_plus

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


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


def token_leaks(data: bytes | str, token: str) -> list[str]:
    """The forms of ``token`` (see ``token_forms``) found in ``data``."""
    blob = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
    return [name for name, form in token_forms(token).items() if form in blob]
