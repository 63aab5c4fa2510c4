"""Running the emulator: in the foreground (``topic-inspector emulator``) or in a background thread (the demo,
the tests, the benchmarks)."""

from __future__ import annotations

import asyncio
import json
import secrets
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn

from inspector.core.errors import ValidationError
from inspector.core.regions import is_loopback_host
from inspector.core.schema import fieldlist_to_jsonschema
from inspector.emulator.app import DEFAULT_CONTAINER_TOKEN, DEFAULT_TOKEN, EmulatorHandle, EmulatorSettings, create_app
from inspector.emulator.samples import SAMPLE_TOPICS
from inspector.emulator.store import DEFAULT_RETENTION_SECS, Store


@dataclass(frozen=True, slots=True)
class TopicSpec:
    id: int
    name: str | None = None
    schema: list[Any] | None = None
    retention: int | None = None


def parse_topic_spec(text: str) -> TopicSpec:
    """``ID[:NAME[:SCHEMA.json]]``: a topic to declare; the schema file holds a Workato field list."""
    parts = text.split(":", 2)
    raw_id = parts[0].strip()
    if not raw_id.isdigit() or int(raw_id) <= 0:
        raise ValidationError(
            f"{text!r} does not start with a positive topic id",
            where="--topic",
            hint="write --topic ID[:NAME[:SCHEMA.json]], for example --topic 7:orders",
        )
    name = parts[1].strip() if len(parts) > 1 and parts[1].strip() else None
    schema = None
    if len(parts) > 2 and parts[2].strip():
        path = Path(parts[2].strip()).expanduser()
        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ValidationError(f"cannot read schema file {path}: {exc.strerror}", where="--topic") from None
        except ValueError as exc:
            raise ValidationError(f"schema file {path} is not valid JSON: {exc}", where="--topic") from None
        fieldlist_to_jsonschema(schema, where=f"schema file {path}")
    return TopicSpec(int(raw_id), name, schema)


@dataclass
class EmulatorConfig:
    host: str = "127.0.0.1"
    port: int = 9300  # 0 = any free port
    token: str = DEFAULT_TOKEN
    data: str = ":memory:"
    rate_limit_rpm: int = 60
    topics: list[TopicSpec] = field(default_factory=list)
    retention_secs: int = DEFAULT_RETENTION_SECS
    access_log: bool = False
    max_wait_secs: float = 60.0  # cap on a long poll's real wait (tests and fuzzing shorten it)
    container_token: str = DEFAULT_CONTAINER_TOKEN


def demo_config(data: str) -> EmulatorConfig:
    """The demo's emulator (window and terminal): a free loopback port, no rate limit, and tokens of its own,
    random and held in memory only, instead of the public defaults."""
    return EmulatorConfig(
        port=0, rate_limit_rpm=0, data=data, token=secrets.token_urlsafe(32), container_token=secrets.token_urlsafe(32)
    )


def check_exposure(config: EmulatorConfig) -> None:
    """On a loopback address the public default tokens are fine (``LoopbackHostOnly`` keeps web pages out);
    an address other machines reach needs tokens of the user's own."""
    if is_loopback_host(config.host):
        return
    for option, value, default in (
        ("--token", config.token, DEFAULT_TOKEN),
        ("--container-token", config.container_token, DEFAULT_CONTAINER_TOKEN),
    ):
        if value == default:
            raise ValidationError(
                f"listening on {config.host or 'every address'!r} lets other machines in, and the default "
                f"{option[2:].replace('-', ' ')} ({default!r}) is public",
                where=option,
                hint=f"add {option} SECRET with a secret of your own (python3 -c 'import secrets; "
                "print(secrets.token_urlsafe())' makes one), or leave out --host to listen on 127.0.0.1 only",
            )


def open_store(config: EmulatorConfig) -> Store:
    """Open the database and declare the configured topics (or the samples, for an empty database)."""
    store = Store(config.data if config.data == ":memory:" else str(Path(config.data).expanduser()))
    specs = config.topics
    if not specs and not store.list_topics():
        specs = [TopicSpec(tid, name, schema) for tid, name, schema in SAMPLE_TOPICS]
    for spec in specs:
        existing = store.get_topic(spec.id)
        if existing is None:
            store.create_topic(
                spec.name or f"topic-{spec.id}",
                schema=spec.schema,
                topic_id=spec.id,
                retention=spec.retention or config.retention_secs,
            )
        else:
            changes: dict[str, Any] = {}
            if spec.name and spec.name != existing.name:
                changes["name"] = spec.name
            if spec.schema is not None and spec.schema != existing.schema:
                changes["schema"] = spec.schema
            if changes:
                store.update_topic(spec.id, **changes)
    return store


def bind_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this on Linux: answers leave in several writes, which Nagle would delay.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ValidationError(
            f"cannot listen on {host}:{port}: {exc.strerror}",
            where="emulator",
            hint="choose another --port, or 0 for any free port",
        ) from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def base_url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, handle: EmulatorHandle) -> None:
        super().__init__(config)
        self.handle = handle

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.handle.close()  # wake the long polls, or shutdown would wait for them
        await super().shutdown(sockets)


def _build_server(config: EmulatorConfig, store: Store) -> _Server:
    settings = EmulatorSettings(
        token=config.token,
        rate_limit_rpm=config.rate_limit_rpm,
        developer_rate_limit_rpm=config.rate_limit_rpm,
        max_wait_secs=config.max_wait_secs,
        container_token=config.container_token,
        loopback_only=is_loopback_host(config.host),
    )
    app = create_app(store, settings)
    uconfig = uvicorn.Config(
        app, log_level="warning", access_log=config.access_log, lifespan="off", timeout_graceful_shutdown=2
    )
    return _Server(uconfig, app.state.emulator)


class EmulatorServer:
    """An emulator on a loopback port, served from a background thread.

    ``start()`` returns once it accepts connections; ``stop()`` ends it (long polls answer at once). It can
    be started again on the same port and database, as a restart would.
    """

    def __init__(self, config: EmulatorConfig | None = None) -> None:
        self.config = config or EmulatorConfig(port=0)
        self.store: Store | None = None
        self.handle: EmulatorHandle | None = None
        self.url = ""
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._port = self.config.port

    @property
    def token(self) -> str:
        return self.config.token

    def start(self) -> str:
        if self._thread is not None:
            raise RuntimeError("already running")
        check_exposure(self.config)
        self.store = open_store(self.config)
        self._server = server = _build_server(self.config, self.store)
        self.handle = server.handle
        sock = bind_socket(self.config.host, self._port)
        self._port = sock.getsockname()[1]
        self.url = base_url_of(sock)
        started = threading.Event()
        failure: list[BaseException] = []

        def serve() -> None:
            async def main() -> None:
                task = asyncio.create_task(server.serve(sockets=[sock]))
                while not server.started and not task.done():  # noqa: ASYNC110 - uvicorn offers no event
                    await asyncio.sleep(0.01)
                started.set()
                await task

            try:
                asyncio.run(main())
            except BaseException as exc:  # noqa: BLE001 - reported to the starting thread
                failure.append(exc)
            finally:
                started.set()
                sock.close()

        self._thread = threading.Thread(target=serve, name="emulator", daemon=True)
        self._thread.start()
        started.wait(30)
        if failure or not server.started:
            self.stop()
            raise RuntimeError(f"the emulator did not start: {failure[0] if failure else 'timeout'}")
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)
        self._thread, self._server = None, None
        if self.store is not None:
            self.store.close()
            self.store = None

    def restart(self) -> str:
        self.stop()
        return self.start()

    def __enter__(self) -> EmulatorServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve_forever(config: EmulatorConfig, on_ready: Any = None) -> None:
    """Run in the foreground until Ctrl+C (the ``emulator`` command)."""
    check_exposure(config)
    store = open_store(config)
    server = _build_server(config, store)
    sock = bind_socket(config.host, config.port)
    if on_ready is not None:
        on_ready(base_url_of(sock), store)
    try:
        asyncio.run(server.serve(sockets=[sock]))
    finally:
        sock.close()
        store.close()
