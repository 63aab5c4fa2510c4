"""A company network in a box: a local HTTP CONNECT proxy (optionally asking for a password) and the emulator served
over HTTPS with a certificate of a private CA (trustme), both on 127.0.0.1 in background threads.

The proxy can map a CONNECT target to another address (``routes``): the tests give the client a
``https://localhost:PORT`` where nothing listens, and only the proxy knows where the server is, so a request that
did not go through the proxy cannot reach it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import trustme
import uvicorn

from inspector.emulator.app import EmulatorSettings, create_app
from inspector.emulator.server import EmulatorConfig, bind_socket, open_store
from inspector.emulator.store import Store
from tests.helpers import free_port

TOKEN = "proxy-test-token"
CA_NAME = "Example Corp Inspection CA"


class _LoopThread:
    """An asyncio loop in a daemon thread: ``run(coro)`` from the test's thread."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._thread.start()

    def run(self, coro: object, timeout: float = 30) -> object:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)  # type: ignore[arg-type]

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        self.loop.close()


class ConnectProxy:
    """An HTTP proxy that only tunnels (CONNECT), with Basic credentials when ``credentials`` is set (407
    without them). It counts what it sees: ``connections`` (TCP), ``tunnels`` (CONNECT targets it opened),
    ``refused`` (request lines it answered 407 or 405)."""

    def __init__(
        self, *, routes: dict[str, tuple[str, int]] | None = None, credentials: tuple[str, str] | None = None
    ) -> None:
        self.routes = dict(routes or {})
        self.credentials = credentials
        self.connections = 0
        self.tunnels: list[str] = []
        self.refused: list[str] = []
        self.port = 0
        self._thread: _LoopThread | None = None
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ConnectProxy:
        self._thread = _LoopThread("connect-proxy")

        async def serve() -> asyncio.Server:
            return await asyncio.start_server(self._handle, "127.0.0.1", 0)

        self._server = server = self._thread.run(serve())  # type: ignore[assignment]
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        if self._thread is None:
            return

        async def shutdown() -> None:
            assert self._server is not None
            self._server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            await self._server.wait_closed()
            await asyncio.sleep(0.05)  # the closed transports' last callbacks run before the loop closes

        self._thread.run(shutdown())
        self._thread.close()
        self._thread = None

    def __enter__(self) -> ConnectProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.connections += 1
        try:
            await self._serve(reader, writer)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            pass
        finally:
            await _close(writer)
            self._tasks.discard(task)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        method, target, _ = head[0].split(" ", 2)
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in head[1:] if line)}
        if method != "CONNECT":
            self.refused.append(head[0])
            writer.write(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            await writer.drain()
            return
        if self.credentials is not None:
            expected = "Basic " + base64.b64encode(":".join(self.credentials).encode()).decode()
            if headers.get("proxy-authorization") != expected:
                self.refused.append(head[0])
                writer.write(
                    b'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n'
                    b"Content-Length: 0\r\nConnection: close\r\n\r\n"
                )
                await writer.drain()
                return
        host, port = self.routes.get(target) or (target.rsplit(":", 1)[0], int(target.rsplit(":", 1)[1]))
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(host.strip("[]"), port)
        except OSError:
            writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            await writer.drain()
            return
        self.tunnels.append(target)
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        try:
            await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))
        finally:
            await _close(upstream_writer)


async def _close(writer: asyncio.StreamWriter) -> None:
    """Close a connection and wait until its socket is closed (a socket left to the garbage collector warns)."""
    writer.close()
    with contextlib.suppress(Exception, asyncio.CancelledError):
        await writer.wait_closed()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            writer.write_eof()


@dataclass(frozen=True)
class PrivateCa:
    """A private CA's certificate file, and a server certificate it issued (with its key)."""

    ca_file: Path
    cert_file: Path
    key_file: Path


def private_ca(folder: Path, hostname: str = "localhost", *, expired: bool = False) -> PrivateCa:
    """A CA named ``CA_NAME`` and a certificate it issued for ``hostname`` (already expired with ``expired``)."""
    folder.mkdir(parents=True, exist_ok=True)
    ca = trustme.CA(organization_name=CA_NAME)
    dates = {}
    if expired:
        now = datetime.datetime.now(datetime.UTC)
        dates = {"not_before": now - datetime.timedelta(days=30), "not_after": now - datetime.timedelta(days=1)}
    cert = ca.issue_cert(hostname, **dates)
    paths = PrivateCa(folder / "ca.pem", folder / "server.pem", folder / "server.key")
    ca.cert_pem.write_to_path(str(paths.ca_file))
    cert.cert_chain_pems[0].write_to_path(str(paths.cert_file))
    for extra in cert.cert_chain_pems[1:]:
        extra.write_to_path(str(paths.cert_file), append=True)
    cert.private_key_pem.write_to_path(str(paths.key_file))
    return paths


class HttpsEmulator:
    """The emulator's app over HTTPS (the certificate of ``tls``) on 127.0.0.1, rate limit off, token ``TOKEN``."""

    def __init__(self, tls: PrivateCa) -> None:
        self.store: Store = open_store(EmulatorConfig(rate_limit_rpm=0))
        app = create_app(self.store, EmulatorSettings(token=TOKEN, rate_limit_rpm=0, developer_rate_limit_rpm=0))
        self._handle = app.state.emulator
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
            ssl_certfile=str(tls.cert_file),
            ssl_keyfile=str(tls.key_file),
        )
        self._server = uvicorn.Server(config)
        self._socket = bind_socket("127.0.0.1", 0)
        self.port: int = self._socket.getsockname()[1]
        self._thread: _LoopThread | None = None
        self._task: asyncio.Future[None] | None = None

    def start(self) -> HttpsEmulator:
        self._thread = _LoopThread("https-emulator")

        async def serve() -> None:
            self._task = asyncio.ensure_future(self._server.serve(sockets=[self._socket]))
            while not self._server.started and not self._task.done():  # noqa: ASYNC110 - uvicorn offers no event
                await asyncio.sleep(0.01)
            if self._task.done():
                self._task.result()

        self._thread.run(serve())
        return self

    def stop(self) -> None:
        if self._thread is not None:

            async def shutdown() -> None:
                self._handle.close()  # wake the long polls
                self._server.should_exit = True
                if self._task is not None:
                    await self._task

            self._thread.run(shutdown())
            self._thread.close()
            self._thread = None
        self._socket.close()
        self.store.close()


@contextlib.contextmanager
def company_network(folder: Path, *, credentials: tuple[str, str] | None = None) -> Iterator[Network]:
    """A private-CA HTTPS emulator reached only through a CONNECT proxy, at ``https://localhost:PORT`` where PORT is
    a port nothing listens on: the proxy maps it to the server."""
    tls = private_ca(folder)
    server = HttpsEmulator(tls).start()
    hidden = free_port()
    proxy = ConnectProxy(routes={f"localhost:{hidden}": ("127.0.0.1", server.port)}, credentials=credentials)
    try:
        with proxy:
            yield Network(f"https://localhost:{hidden}", f"https://localhost:{server.port}", proxy, server, tls)
    finally:
        server.stop()


@dataclass(frozen=True)
class Network:
    url: str  # reachable only through the proxy
    direct_url: str  # the server's own address (for NO_PROXY)
    proxy: ConnectProxy
    server: HttpsEmulator
    tls: PrivateCa

    def topic(self) -> int:
        return self.server.store.create_topic("proxied").id
