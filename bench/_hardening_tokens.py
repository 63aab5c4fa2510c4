"""Tokens in text, and answers too large to read, in figures.

1. Token cases: token shapes (64-character hex, base64 padded with "=", URL-safe base64, ending in "-" or ".",
   holding "! $ % @ * ,", a JWT, a 200-character key) x contexts (glued to a URL path, a key, a port, a letter, a
   colon, a full stop, a header, JSON) x text encodings (raw, URL, form, JSON, hex, HEX, base64 and base64url at
   their three alignments) x the three ways text is scrubbed: a crash report of a token the process holds, a crash
   report of a keyring token known only by its prints, and a transport error's words. ``token_leaks`` counts the
   cases where any form of the token survived.
2. Oversize answers: ``topic-inspector consume`` (a real process) against a server that answers 150 MiB with a
   Content-Length, and one that sends 200 MB in chunks without one; the baseline is the same command answered
   with one message. ``oversize_refused`` is true when both are refused in words, print nothing on stdout, and
   peak at less than the baseline's memory plus the 64 MiB answer limit and 64 MiB of slack.

``measure()`` returns the figures; run alone, it prints them as one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from inspector.core.crash import format_report  # noqa: E402
from inspector.core.http import MAX_ANSWER_BYTES, ApiTransport  # noqa: E402
from inspector.core.scrub import token_prints  # noqa: E402
from tests.helpers import TOKEN_CONTEXTS, text_encodings, token_forms, token_leaks  # noqa: E402

SHAPES = {
    "hex-64": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "base64-padded": "QUJDREVGR0hJSktMTU5PUFFSU1Q=",
    "base64-padded-2": "QUJDREVGR0hJSktMTU5PUFFSUw==",
    "base64url": "c2VjcmV0LXRva2VuLWZvci10ZXN0aW5nXw",
    "ends-in-dash": "ti-Zq8_w-Lk3Zq8_w-Lk3-",
    "ends-in-dot": "ti-Zq8_w.Lk3Zq8_w.Lk3.",
    "punctuation": "ab!c$d%e@f*g,h!ij$kl",
    "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl",
    "long-key": "k" * 100 + "Q9" * 50,
}
CONTEXTS = TOKEN_CONTEXTS
ENCODINGS = text_encodings()
OVERSIZE_LIMIT_SLACK = 64 * 1024 * 1024


def token_figures() -> dict[str, int]:
    cases = leaks = 0
    transport = ApiTransport.__new__(ApiTransport)  # only its scrubbing is used: no client, no request
    for token in SHAPES.values():
        prints = token_prints(token)
        forms = token_forms(token)
        for context in CONTEXTS:
            for encoding in ENCODINGS:
                text = "failed: " + context.format(t=forms[encoding].decode()) + " (retrying)"
                outputs = (
                    format_report(RuntimeError(text), "bench", tokens=[token]),
                    format_report(RuntimeError(text), "bench", prints=prints),
                    transport._scrub(text, token),
                )
                for output in outputs:
                    cases += 1
                    leaks += bool(token_leaks(output, token))
    return {"token_cases": cases, "token_leaks": leaks}


# ----- oversize answers ----------------------------------------------------------------------------------------
ONE_MESSAGE = json.dumps(
    {"messages": [{"message_id": "m1", "time": "2026-12-06T00:00:00Z", "payload": {"n": 1}}]}
).encode()
NO_MESSAGES = b'{"messages": []}'


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, kind: str, count: list[int]) -> None:
    head = await reader.readuntil(b"\r\n\r\n")
    count.append(len(head))
    try:
        if kind == "small":  # one message, then none: consume stops when the topic is drained
            body = ONE_MESSAGE if len(count) == 1 else NO_MESSAGES
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")
            writer.write(b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))
        elif kind == "declared":
            size = 150 * 1024 * 1024
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % size)
            block = b"[" + b" " * (1024 * 1024 - 1)
            for _ in range(150):
                writer.write(block)
                await writer.drain()
                block = b" " * len(block)
        else:  # chunked, no length
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
            chunk = b"x" * (1024 * 1024)
            for _ in range(200):
                writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                await writer.drain()
            writer.write(b"0\r\n\r\n")
        await writer.drain()
    except (ConnectionError, OSError):
        pass  # the client hung up: what a refusal looks like from here
    finally:
        writer.close()


@contextmanager
def serving(kind: str) -> Iterator[str]:
    loop = asyncio.new_event_loop()
    count: list[int] = []
    server = loop.run_until_complete(asyncio.start_server(lambda r, w: _answer(r, w, kind, count), "127.0.0.1", 0))
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        server.close()
        loop.close()


def peak_mib(url: str) -> tuple[dict[str, Any], float]:
    """``topic-inspector consume 1`` against ``url`` in a child that reports its own peak memory (ru_maxrss)."""
    code = (
        "import resource, sys; sys.argv = ['topic-inspector', 'consume', '1', '--base-url', sys.argv[1]]\n"
        "try:\n    from inspector.cli import main; status = main(sys.argv[1:])\n"
        "finally:\n    print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
        "sys.exit(status)\n"
    )
    env = {**os.environ, "TOPIC_INSPECTOR_TOKEN": "bench-token"}
    run = subprocess.run(
        [sys.executable, "-c", code, url], capture_output=True, env=env, cwd=ROOT, timeout=120, check=False
    )
    err = run.stderr.decode(errors="replace")
    peak = next((int(line.split()[1]) for line in err.splitlines() if line.startswith("PEAK ")), 0) / 1024
    words = "\n".join(line for line in err.splitlines() if not line.startswith("PEAK "))
    return {"status": run.returncode, "stdout": run.stdout, "stderr": words}, round(peak, 1)


def oversize_figures() -> dict[str, Any]:
    with serving("small") as url:
        baseline, baseline_mib = peak_mib(url)
    assert baseline["status"] == 0, baseline
    figures: dict[str, Any] = {"baseline_peak_mib": baseline_mib}
    refused = True
    for kind in ("declared", "chunked"):
        with serving(kind) as url:
            run, mib = peak_mib(url)
        figures[f"{kind}_peak_mib"] = mib
        figures[f"{kind}_words"] = run["stderr"].splitlines()[0] if run["stderr"] else ""
        within = mib < baseline_mib + (MAX_ANSWER_BYTES + OVERSIZE_LIMIT_SLACK) / (1024 * 1024)
        refused &= run["status"] != 0 and not run["stdout"] and "stopped reading it" in run["stderr"] and within
    figures["oversize_refused"] = refused
    return figures


def measure() -> dict[str, Any]:
    return {**token_figures(), **oversize_figures()}


if __name__ == "__main__":
    print(json.dumps(measure()))
