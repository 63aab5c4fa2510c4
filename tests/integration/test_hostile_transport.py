"""The transport against servers that answer too much, and tokens unfit to send: over real sockets on 127.0.0.1.

- An answer larger than the API can give is refused in words, before reading it (Content-Length) or once past
  the limit (chunked, no length): never read whole.
- A token that is empty or holds a control character is never sent, and the error says what is wrong without it.
- Whatever the network library or a proxy says is scrubbed of the token, in every encoding.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from inspector.core import http as core_http
from inspector.core.errors import AuthError, TransportError, UnexpectedResponseError
from inspector.core.ratelimit import RateLimiter
from inspector.core.regions import custom_endpoint
from inspector.core.secrets import KeyringToken, MemoryStore, remember_token
from inspector.core.services.workato import EventStreamsClient
from inspector.emulator.server import EmulatorServer
from tests.helpers import token_leaks

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def _read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    if length:
        await reader.readexactly(length)
    return head


@pytest.fixture
async def raw_server() -> AsyncIterator[Callable[[Handler], Awaitable[str]]]:
    servers: list[asyncio.Server] = []

    async def start(handler: Handler) -> str:
        server = await asyncio.start_server(handler, "127.0.0.1", 0)
        servers.append(server)
        return f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()


def client_for(url: str, token: object = "tok-123") -> EventStreamsClient:  # noqa: S107 - a test token
    return EventStreamsClient(custom_endpoint(url), token, limiter=RateLimiter(0))  # type: ignore[arg-type]


async def test_a_declared_length_past_the_limit_is_refused_before_reading(
    raw_server: Callable[[Handler], Awaitable[str]],
) -> None:
    sent = 0

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal sent
        await _read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 157286400\r\n\r\n")
        writer.write(b"[" + b" " * 65536)  # the first bytes of 150 MiB that would follow
        sent += 65537
        await writer.drain()
        writer.close()

    async with client_for(await raw_server(handler)) as client:
        with pytest.raises(UnexpectedResponseError) as caught:
            await client.consume(1)
    message = caught.value.message
    assert "says it is 150.0 MiB long; stopped reading it" in message
    assert "64.0 MiB" in message
    assert caught.value.hint


async def test_a_chunked_answer_is_cut_at_the_limit(
    raw_server: Callable[[Handler], Awaitable[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(core_http, "MAX_ANSWER_BYTES", 1024 * 1024)  # a smaller limit: the test stays quick
    written = 0
    chunk = b"x" * 65536

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal written
        await _read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        try:
            while written < 64 * 1024 * 1024:  # far more than the limit, unless the client stops reading
                writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                written += len(chunk)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async with client_for(await raw_server(handler)) as client:
        with pytest.raises(UnexpectedResponseError) as caught:
            await client.consume(1)
    assert "went past 1.0 MiB; stopped reading it" in caught.value.message
    await asyncio.sleep(0.05)
    assert written < 16 * 1024 * 1024  # the client hung up long before the server's 64 MiB


async def test_an_error_page_is_read_only_as_far_as_its_words(
    raw_server: Callable[[Handler], Awaitable[str]],
) -> None:
    page = b"<html><body>Bad gateway " + b"." * (3 * 1024 * 1024) + b"</body></html>"

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(page))
        try:
            writer.write(page)
            await writer.drain()
        except (ConnectionError, OSError):
            pass
        writer.close()

    async with client_for(await raw_server(handler)) as client:
        with pytest.raises(core_http.ServerError) as caught:
            await client.consume(1)
    assert "answered 502 with an HTML page" in caught.value.message
    assert caught.value.server_message.startswith("Bad gateway")


@pytest.mark.parametrize(
    ("stored", "words"),
    [
        ("tok-abc\x00", "a control character (U+0000) at character 8 of 8"),
        ("tok\x1bdef", "a control character (U+001B) at character 4 of 7"),
        ("tok abc", "a space at character 4 of 7"),
        ("tok-\u2013-abc", "'–' (U+2013), which no API token has"),
        ("   ", "is empty"),
    ],
)
async def test_a_keyring_token_unfit_to_send_is_refused_in_words_and_never_sent(
    raw_server: Callable[[Handler], Awaitable[str]], stored: str, words: str
) -> None:
    connections = 0

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        writer.close()

    store = MemoryStore()
    store.set("acct", stored)
    source = KeyringToken(store, "acct", fingerprint=remember_token("x" * 8), label="profile 'Local'")
    async with client_for(await raw_server(handler), source) as client:
        with pytest.raises(AuthError) as caught:
            await client.consume(1)
    message = caught.value.message
    assert message.startswith("the token of profile 'Local' in memory ")
    assert words in message
    assert "nothing was sent" in message
    assert stored.strip() == "" or stored not in message
    assert connections == 0


@pytest.mark.parametrize("stored", ["tok-123 ", "tok-123\n", "tok-123\r\n", "\ttok-123"])
async def test_a_keyring_token_with_whitespace_around_it_is_trimmed(
    emulator: EmulatorServer, topic: int, stored: str
) -> None:
    store = MemoryStore()
    store.set("acct", stored.replace("tok-123", emulator.token))
    source = KeyringToken(store, "acct", fingerprint=remember_token(emulator.token), label="profile 'Local'")
    async with client_for(emulator.url, source) as client:
        assert await client.consume(topic) == []


@pytest.mark.parametrize("token", ["", "tok\x00", "tok\n\x7f"])
async def test_a_plain_token_unfit_to_send_is_refused_by_the_transport(emulator: EmulatorServer, token: str) -> None:
    async with client_for(emulator.url, token) as client:
        with pytest.raises(AuthError) as caught:
            await client.consume(1)
    assert caught.value.message.startswith(f"the token for 127.0.0.1:{emulator.url.rsplit(':', 1)[1]} ")
    assert "nothing was sent" in caught.value.message


async def test_transport_errors_are_scrubbed_of_the_token_in_every_encoding() -> None:
    token = "ti-Transport-Secret.42"

    def handler(request: httpx.Request) -> httpx.Response:
        sent = request.headers["authorization"]
        raw = sent.split(" ", 1)[1].encode()
        echoed = f"{sent!r} hex={raw.hex()} b64={base64.b64encode(raw).decode()} at https://h/{sent[7:]}:443"
        raise httpx.ConnectError(f"proxy said: Illegal header value b{echoed}", request=request)

    http = httpx.AsyncClient(base_url="https://h.example", transport=httpx.MockTransport(handler))
    client = EventStreamsClient(custom_endpoint("https://h.example"), token, http=http, limiter=RateLimiter(0))
    with pytest.raises(TransportError) as caught:
        await client.consume(1)
    await http.aclose()
    text = caught.value.describe()
    assert token_leaks(text, token) == [], text
    assert "cannot connect to h.example: proxy said: Illegal header value" in text
