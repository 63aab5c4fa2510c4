"""Where a token may travel: only in the Authorization header, only to the host it was given for, never over
plain http except to loopback, and never inside an error, a repr or a message.

Every request the app's own HTTP stack makes is recorded: ``network`` swaps the transport that
``inspector.core.http.new_http_client`` builds for an ``httpx.MockTransport`` (the client's own settings, such as
``follow_redirects=False``, stay the app's), and two small loopback servers check the real transport once.
"""

from __future__ import annotations

import base64
import io
import json
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest

from inspector.cli import _common, commands
from inspector.core.backoff import Backoff
from inspector.core.errors import ApiError, InsecureUrlError, InspectorError, TransportError, ValidationError
from inspector.core.http import HttpPool, new_http_client
from inspector.core.profiles import Profile, ProfileStore, check_profile
from inspector.core.publisher import publish_all
from inspector.core.ratelimit import Limiters
from inspector.core.regions import Endpoint, custom_endpoint, normalize_base_url
from inspector.core.secrets import KeyringStore, check_token_text
from inspector.core.services.workato import DeveloperApiClient, EventStreamsClient
from inspector.ui.context import AppContext  # Qt-free: the window's token functions, without a window
from tests.helpers import InMemoryKeyring, token_leaks

TOKEN = "ti-Tr7Rw2Lm9Xb4Ts8Vn1Pz5Yc3+/="  # '+/=' make the URL-encoded forms differ from the token
BASE = "https://event-streams.example.test"
OTHER = "evil.example"


def leaks(text: str, token: str = TOKEN) -> list[str]:
    return token_leaks(text, token)


def test_the_leak_check_finds_every_form() -> None:
    """The check itself can fail: the token hidden in each form is found."""
    assert "raw" in leaks(f"x {TOKEN} y")
    assert "url-encoded" in leaks("a=" + quote(TOKEN, safe=""))
    for prefix in ("", "a", "ab", "abc"):
        inside = base64.b64encode(f"{prefix}Bearer {TOKEN};".encode()).decode()
        assert any(name.startswith("base64@") for name in leaks(inside)), prefix
    assert leaks("no secret here") == []


# ----- the recorded network ----------------------------------------------------------------------------------
Handler = Callable[[httpx.Request], httpx.Response]


@dataclass
class Network:
    """Every request the app's HTTP clients send, and who answers them."""

    answer: Handler = field(default=lambda request: httpx.Response(200, json={"data": []}))
    requests: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request)

    def authorizations(self, host: str) -> list[str]:
        return [r.headers.get("authorization", "") for r in self.requests if r.url.host == host]

    def hosts(self) -> set[str]:
        return {r.url.host for r in self.requests}


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> Network:
    net = Network()

    def transport(**_: object) -> httpx.MockTransport:
        return httpx.MockTransport(net.handle)

    monkeypatch.setattr(httpx, "AsyncHTTPTransport", transport)  # what new_http_client builds its client on
    return net


def redirect(status: int, location: str) -> Handler:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.host == OTHER:
            return httpx.Response(200, json={"messages": [], "message_id": "x", "data": []})
        return httpx.Response(status, headers={"Location": location}, json={"message": "moved"})

    return answer


# ----- (a) redirects are never followed --------------------------------------------------------------------
OPERATIONS: dict[str, Callable[[EventStreamsClient, DeveloperApiClient], Any]] = {
    "consume": lambda c, d: c.consume(7),
    "publish": lambda c, d: c.publish(7, {"n": 1}),
    "publish_batch": lambda c, d: c.publish_batch(7, [{"n": 1}, {"n": 2}]),
    "list_topics": lambda c, d: d.list_topics(),
    "get_topic": lambda c, d: d.get_topic(7),
}


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("operation", sorted(OPERATIONS))
async def test_a_redirect_to_another_origin_is_not_followed(network: Network, status: int, operation: str) -> None:
    network.answer = redirect(status, f"https://{OTHER}/api/v1/topics/7/consume")
    endpoint = custom_endpoint(BASE, rate_limit_rpm=0)
    async with EventStreamsClient(endpoint, TOKEN) as client, DeveloperApiClient(endpoint, TOKEN) as developer:
        with pytest.raises(ApiError) as caught:
            await OPERATIONS[operation](client, developer)
    assert len(network.requests) == 1, [str(r.url) for r in network.requests]
    assert network.hosts() == {"event-streams.example.test"}
    assert network.authorizations("event-streams.example.test") == [f"Bearer {TOKEN}"]
    assert caught.value.status == status
    assert "not followed" in caught.value.message
    assert OTHER in caught.value.message  # says where it would have gone
    assert leaks(caught.value.describe()) == []


@pytest.mark.parametrize(
    "location",
    [
        f"https://{OTHER}/api/v1/topics/7/consume",
        f"//{OTHER}/api/v1/topics/7/consume",  # scheme-relative
        "http://event-streams.example.test/api/v1/topics/7/consume",  # same host, downgraded to plain http
        "https://event-streams.example.test:8443/api/v1/topics/7/consume",  # same host, another port
        f"https://event-streams.example.test@{OTHER}/x",
        "/api/v1/topics/7/consume?again=1",  # even the same origin: nothing is followed
    ],
)
async def test_no_kind_of_location_is_followed_by_the_shared_pool(network: Network, location: str) -> None:
    """The window's path: clients on the shared per-base-URL pool (AppContext.pool)."""
    network.answer = redirect(307, location)
    pool = HttpPool()
    endpoint = custom_endpoint(BASE, rate_limit_rpm=0)
    try:
        client = EventStreamsClient(endpoint, TOKEN, http=pool.get(endpoint.events_url))
        with pytest.raises(ApiError, match="not followed"):
            await client.consume(7)
        results = await publish_all(client, 7, [{"n": n} for n in range(3)])
        assert all(r.error and "not followed" in r.error for r in results)
    finally:
        await pool.aclose()
    assert {(r.url.scheme, r.url.host, r.url.port) for r in network.requests} == {
        ("https", "event-streams.example.test", None)
    }
    assert all(leaks(r.error or "") == [] for r in results)


class Recorder:
    """A loopback HTTP server that records each request's method, path and headers and answers ``answer``."""

    def __init__(self, answer: Callable[[str], tuple[int, dict[str, str], bytes]]) -> None:
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        recorder = self

        class Handle(BaseHTTPRequestHandler):
            def _any(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                self.rfile.read(length)
                recorder.requests.append((self.command, self.path, {k.lower(): v for k, v in self.headers.items()}))
                status, headers, body = answer(self.path)
                self.send_response(status)
                for key, value in {"Content-Length": str(len(body)), **headers}.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = _any

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handle)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def authorizations(self) -> list[str]:
        return [headers.get("authorization", "") for _, _, headers in self.requests]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def elsewhere() -> Iterator[Recorder]:
    """The other origin: it would gladly answer 200 to whatever reaches it."""
    server = Recorder(lambda path: (200, {"Content-Type": "application/json"}, b'{"messages": [], "data": []}'))
    yield server
    server.close()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_real_transport_does_not_follow_a_redirect_to_another_loopback_origin(
    elsewhere: Recorder, host: str
) -> None:
    target = f"http://{host}:{elsewhere.port}"
    origin = Recorder(lambda path: (307, {"Location": target + path, "Content-Type": "application/json"}, b"{}"))
    try:
        async with EventStreamsClient(custom_endpoint(origin.url, rate_limit_rpm=0), TOKEN) as client:
            with pytest.raises(ApiError, match="not followed") as caught:
                await client.consume(3)
            results = await publish_all(client, 3, [{"n": n} for n in range(150)])
        async with DeveloperApiClient(custom_endpoint(origin.url, rate_limit_rpm=0), TOKEN) as developer:
            with pytest.raises(ApiError, match="not followed"):
                await developer.list_topics()
    finally:
        origin.close()
    assert elsewhere.requests == []
    assert origin.authorizations() == [f"Bearer {TOKEN}"] * len(origin.requests)
    assert len(origin.requests) == 1 + 2 + 1  # consume, two batches, list: nothing retried on its own
    assert target in caught.value.message
    assert all(r.error and leaks(r.error) == [] for r in results)


# ----- (b) plain http only to loopback ---------------------------------------------------------------------
def _refusers() -> dict[str, Callable[[str], object]]:
    """Every door a base URL comes in by."""

    def cli_connection(url: str) -> object:
        return _common.connection(commands.build_parser().parse_args(["consume", "1", "--base-url", url]))

    def profile_endpoint(url: str) -> object:
        return Profile("hand-edited", "custom", url).endpoint()  # a profiles.json edited by hand

    def own_endpoint(url: str) -> object:
        return EventStreamsClient(Endpoint("custom", "x", url, url), TOKEN)

    def developer(url: str) -> object:
        return DeveloperApiClient(Endpoint("custom", "x", url, url), TOKEN)

    return {
        "normalize_base_url": normalize_base_url,
        "custom_endpoint": custom_endpoint,
        "check_profile": lambda url: check_profile(Profile("p", "custom", url)),
        "profile.endpoint": profile_endpoint,
        "new_http_client": new_http_client,
        "HttpPool.get": lambda url: HttpPool().get(url),
        "EventStreamsClient": own_endpoint,
        "DeveloperApiClient": developer,
        "cli --base-url": cli_connection,
    }


REFUSERS = _refusers()

NOT_LOOPBACK = [
    "http://event-streams.workato.com",
    "HTTP://event-streams.workato.com:80/",
    "  http://evil.example  ",
    "http://127.0.0.1.nip.io:9300",
    "http://localhost.example.com",
    "http://LOCALHOST.evil.example",
    "http://localhost.",  # a trailing dot is a name for DNS, not the loopback keyword
    "http://0.0.0.0:9300",
    "http://[::]:9300",
    "http://2130706433",  # 127.0.0.1 as one number: resolvers accept it, the rule does not
    "http://0x7f000001",
    "http://127.1",
    "http://017700000001",
    "http://10.0.0.5",
    "http://169.254.169.254",
    "http://[2001:db8::1]:8080",
    "http://[fe80::1]",
    "http://127.0.0.1%00.evil.example",
]
USERINFO = [
    "http://127.0.0.1@evil.com",
    "http://127.0.0.1:9300@evil.com",
    "http://localhost@evil.com/api",
    "http://localhost:pass@evil.com",
    "http://evil.com@127.0.0.1:9300",
    "http://evil.com\\@127.0.0.1",
    "https://user:secret@event-streams.workato.com",
]


@pytest.mark.parametrize("door", sorted(REFUSERS))
@pytest.mark.parametrize("url", NOT_LOOPBACK)
def test_plain_http_is_refused_for_hosts_that_are_not_loopback(network: Network, door: str, url: str) -> None:
    with pytest.raises(InsecureUrlError) as caught:
        REFUSERS[door](url)
    host = urlsplit(url.strip()).hostname
    assert host is not None
    assert host in caught.value.message  # says which host it refuses
    assert caught.value.hint
    if caught.value.message.endswith("the token would travel unencrypted"):
        assert f"plain http is refused for {host}" in caught.value.message
        assert "https://" in caught.value.hint
        assert "127.0.0.1" in caught.value.hint
        assert "localhost" in caught.value.hint
    else:  # refused before that: a host no resolver should be asked about (e.g. 2130706433, 0x7f000001)
        assert "not a valid" in caught.value.message
    assert leaks(caught.value.describe()) == []
    assert network.requests == []


@pytest.mark.parametrize("door", sorted(REFUSERS))
@pytest.mark.parametrize("url", USERINFO)
def test_user_info_tricks_are_refused(network: Network, door: str, url: str) -> None:
    with pytest.raises(InsecureUrlError) as caught:
        REFUSERS[door](url)
    assert "must not contain a user name or password" in caught.value.message
    assert "keyring" in caught.value.hint
    assert "secret" not in caught.value.describe()  # the password part is not repeated either
    assert network.requests == []


@pytest.mark.parametrize("url", ["http://[::ffff:127.0.0.1]:9300", "http://[::ffff:7f00:1]", "http://[::ffff:0:1]"])
def test_ipv4_mapped_addresses_are_refused_or_really_loopback(url: str) -> None:
    """Python 3.11 refuses them (only ::1 counts as IPv6 loopback); later versions may count ::ffff:127.x as
    loopback, which is safe. What matters: never accepted as anything but a loopback address."""
    import ipaddress

    try:
        accepted = normalize_base_url(url)
    except InsecureUrlError as exc:
        refused = exc.message
    else:
        refused = ""
    if refused:
        assert "plain http is refused" in refused
        return
    host = urlsplit(accepted).hostname
    assert host is not None
    mapped = ipaddress.IPv6Address(host).ipv4_mapped
    assert mapped is not None, accepted
    assert mapped.is_loopback, accepted


@pytest.mark.parametrize(
    ("url", "normal"),
    [
        ("http://127.0.0.1:9300/", "http://127.0.0.1:9300"),
        ("http://[::1]:9300", "http://[::1]:9300"),
        ("http://[0:0:0:0:0:0:0:1]", "http://[0:0:0:0:0:0:0:1]"),
        ("http://localhost:9300", "http://localhost:9300"),
        ("http://LocalHost", "http://localhost"),
        ("https://evil.example", "https://evil.example"),  # https anywhere: the token is encrypted
    ],
)
def test_loopback_and_https_are_allowed(url: str, normal: str) -> None:
    for door in ("normalize_base_url", "custom_endpoint", "new_http_client", "cli --base-url"):
        REFUSERS[door](url)
    assert normalize_base_url(url) == normal


def test_a_localhost_subdomain_is_not_trusted_for_plain_http() -> None:
    with pytest.raises(InsecureUrlError):
        normalize_base_url("http://events.evil.localhost:9300")


# ----- (c) a profile's token stays with the address it was entered for -----------------------------------------
NEW_HOST = "new-host.example"


def _consume_answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"messages": []})


@pytest.fixture
def keyring_backend(monkeypatch: pytest.MonkeyPatch) -> InMemoryKeyring:
    """The commands' keyring (``KeyringStore()`` in inspector.cli._common), in memory."""
    backend = InMemoryKeyring()
    monkeypatch.setattr(_common, "KeyringStore", lambda backend_=None: KeyringStore(backend))
    return backend


def run_command(argv: list[str], monkeypatch: pytest.MonkeyPatch, stdin: str = "") -> int:
    """One command in this process through the CLI's own functions (main() would reset the root logger)."""
    args = commands.build_parser().parse_args(argv)
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    if args.command == "token":
        return int(args.run(args))
    assert args.command == "profile"
    return int(args.run(args))


async def cli_would_send(argv: list[str], network: Network) -> None:
    """What `topic-inspector consume ...` does up to the request: connection, token, client, consume."""
    args = commands.build_parser().parse_args(argv)
    conn = _common.connection(args)
    try:
        token = _common.token_source(conn)
    except InspectorError as exc:
        refused = exc.message
    else:
        refused = ""
    if refused:
        assert "no token" in refused
        return  # safe: the command asks for the token instead
    async with EventStreamsClient(conn.endpoint, token) as client:
        await client.consume(1)


async def test_cli_base_url_tokens_are_keyed_by_address(
    network: Network, keyring_backend: InMemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With --base-url the keyring account is the address itself: a token set for one is not used for another."""
    network.answer = _consume_answer
    assert run_command(["token", "set", "--base-url", BASE], monkeypatch, stdin=TOKEN + "\n") == 0
    await cli_would_send(["consume", "1", "--base-url", f"https://{NEW_HOST}"], network)
    assert network.requests == []
    await cli_would_send(["consume", "1", "--base-url", BASE], network)
    assert network.authorizations("event-streams.example.test") == [f"Bearer {TOKEN}"]


async def test_cli_profile_moved_to_another_host_does_not_take_its_token_along(
    network: Network,
    keyring_backend: InMemoryKeyring,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    network.answer = _consume_answer
    assert run_command(["profile", "add", "P", "--base-url", BASE], monkeypatch) == 0
    assert run_command(["token", "set", "--profile", "P"], monkeypatch, stdin=TOKEN + "\n") == 0
    assert run_command(["profile", "add", "P", "--base-url", f"https://{NEW_HOST}"], monkeypatch) == 0
    assert ProfileStore().get("P").base_url == f"https://{NEW_HOST}"
    assert leaks(capsys.readouterr().out) == []
    await cli_would_send(["consume", "1", "--profile", "P"], network)
    assert network.authorizations(NEW_HOST) == [], "the token entered for the old address went to the new host"


async def test_window_profile_moved_to_another_host_does_not_take_its_token_along(network: Network) -> None:
    network.answer = _consume_answer
    ctx = AppContext(keyring_store=KeyringStore(InMemoryKeyring()))
    try:
        saved = ctx.profile_store.upsert(Profile("P", "custom", BASE, rate_limit_rpm=0))
        await ctx.set_token(saved, TOKEN)
        moved = ctx.profile_store.upsert(Profile("P", "custom", f"https://{NEW_HOST}", rate_limit_rpm=0))
        token = await ctx.get_token(moved)  # what open_topic / restart_profile / test_connection do
        if token:
            await ctx.client(moved, token).consume(1)
    finally:
        await ctx.aclose()
    assert network.authorizations(NEW_HOST) == [], "the token entered for the old address went to the new host"


async def test_window_tokens_of_two_profiles_stay_apart(network: Network) -> None:
    """The keying that does work: each profile's requests carry its own token to its own host."""
    network.answer = _consume_answer
    other_token = "ti-Ot7Rw2Lm9Xb4Ts8Vn1Pz5Yc3"
    ctx = AppContext(keyring_store=KeyringStore(InMemoryKeyring()))
    try:
        a = ctx.profile_store.upsert(Profile("A", "custom", BASE, rate_limit_rpm=0))
        b = ctx.profile_store.upsert(Profile("B", "custom", f"https://{NEW_HOST}", rate_limit_rpm=0))
        await ctx.set_token(a, TOKEN)
        await ctx.set_token(b, other_token)
        for profile in (a, b):
            token = await ctx.get_token(profile)
            assert token
            await ctx.client(profile, token).consume(1)
    finally:
        await ctx.aclose()
    assert network.authorizations("event-streams.example.test") == [f"Bearer {TOKEN}"]
    assert network.authorizations(NEW_HOST) == [f"Bearer {other_token}"]


# ----- (d) the token is in no message, str() or repr() -------------------------------------------------------
def _everything_said(exc: BaseException) -> str:
    """What a person, a log or a crash reporter could see of an exception: str, repr, the formatted traceback,
    and the same for every exception in its chain (even a context that ``from None`` hides)."""
    parts: list[str] = []
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        parts += [str(current), repr(current), *traceback.format_exception(current)]
        parts += [repr(vars(current)) if hasattr(current, "__dict__") else ""]
        if isinstance(current, InspectorError):
            parts.append(current.describe())
        todo += [current.__cause__, current.__context__]
    return "\n".join(parts)


def _slots(thing: object) -> list[str]:
    return [slot for cls in type(thing).__mro__ for slot in getattr(cls, "__slots__", ())]


def _json(status: int, body: object, **headers: str) -> Handler:
    return lambda request: httpx.Response(status, json=body, headers=headers)


def _raise(kind: type[httpx.TransportError]) -> Handler:
    def answer(request: httpx.Request) -> httpx.Response:
        raise kind(f"simulated {kind.__name__}", request=request)

    return answer


FAILURES: dict[str, Handler] = {
    "401": _json(401, {"message": "Unauthorized: missing or invalid API token", "code": "unauthorized"}),
    "403": _json(403, {"message": "Forbidden"}),
    "404": _json(404, {"message": "Topic not found"}),
    "429": _json(429, {"message": "slow down"}, **{"Retry-After": "0"}),
    "400": _json(400, {"message": "bad payload"}),
    "413": _json(413, {"message": "too large"}),
    "500": _json(500, {"message": "boom"}),
    "502 html": lambda request: httpx.Response(502, html="<html><body>Bad gateway</body></html>"),
    "200 not json": lambda request: httpx.Response(200, text="{truncated"),
    "200 wrong shape": _json(200, {"unexpected": True}),
    "418": _json(418, {"message": "teapot"}),
    "connect error": _raise(httpx.ConnectError),
    "read timeout": _raise(httpx.ReadTimeout),
    "connection dropped": _raise(httpx.RemoteProtocolError),
    "redirect": redirect(302, f"https://{OTHER}/"),
}


@pytest.mark.parametrize("failure", sorted(FAILURES))
async def test_errors_of_failed_requests_do_not_carry_the_token(network: Network, failure: str) -> None:
    network.answer = FAILURES[failure]
    endpoint = custom_endpoint(BASE, rate_limit_rpm=0)
    async with EventStreamsClient(endpoint, TOKEN) as client, DeveloperApiClient(endpoint, TOKEN) as developer:
        for operation in ("consume", "publish", "publish_batch", "list_topics"):
            with pytest.raises((ApiError, TransportError)) as caught:
                await OPERATIONS[operation](client, developer)
            said = _everything_said(caught.value)
            assert leaks(said) == [], (operation, said)
        results = await publish_all(client, 7, [{"n": n} for n in range(120)], backoff=Backoff(0.001, 0.001))
        assert all(r.error and leaks(r.error) == [] for r in results)
    assert all(r.headers["authorization"] == f"Bearer {TOKEN}" for r in network.requests)


async def test_clients_endpoints_profiles_and_connections_do_not_show_the_token() -> None:
    pool = HttpPool()
    endpoint = custom_endpoint(BASE, rate_limit_rpm=0)
    limiters = Limiters()  # the registry of budgets the window's context owns
    own = EventStreamsClient(endpoint, TOKEN, limiter=limiters)
    shared = EventStreamsClient(endpoint, lambda: TOKEN, http=pool.get(BASE))
    developer = DeveloperApiClient(endpoint, TOKEN)
    profile = Profile("P", "custom", BASE)
    conn = _common.Connection(endpoint, profile.account)
    try:
        # ApiTransport itself keeps the token (or the callable that returns it): its own __dict__ is not checked.
        for thing in (own, shared, developer, endpoint, profile, conn, own.limiter, own._api, pool, limiters):
            for text in (str(thing), repr(thing)):
                assert leaks(text) == [], (type(thing).__name__, text)
        for thing in (own, shared, developer, endpoint, profile, conn, own.limiter, pool, limiters):
            for text in (repr(getattr(thing, "__dict__", "")), repr([getattr(thing, s, "") for s in _slots(thing)])):
                assert leaks(text) == [], (type(thing).__name__, text)
    finally:
        await own.aclose()
        await developer.aclose()
        await pool.aclose()


@pytest.mark.parametrize("echo", ["401 json", "502 html", "400 json"])
async def test_a_server_echoing_the_token_does_not_put_it_in_the_error(network: Network, echo: str) -> None:
    network.answer = {
        "401 json": _json(401, {"message": f"Invalid token {TOKEN}"}),
        "502 html": lambda request: httpx.Response(502, html=f"<html><pre>Authorization: Bearer {TOKEN}</pre></html>"),
        "400 json": _json(400, {"message": f"rejected request with token={TOKEN}"}),
    }[echo]
    async with EventStreamsClient(custom_endpoint(BASE, rate_limit_rpm=0), TOKEN) as client:
        with pytest.raises(ApiError) as caught:
            await client.publish(7, {"n": 1})
        results = await publish_all(client, 7, [{"n": 1}, {"n": 2}])
    assert leaks(_everything_said(caught.value)) == []
    assert leaks(caught.value.server_message) == []
    assert all(leaks(r.error or "") == [] for r in results)


async def test_a_token_that_cannot_be_a_header_is_refused_in_words(network: Network) -> None:
    pasted = TOKEN + "\u2019"  # a curly quote copied along with the token
    try:
        token = check_token_text(pasted)
    except ValidationError as exc:
        refused = _everything_said(exc)
    else:
        refused = ""
    if refused:
        assert leaks(refused, pasted) == []
        return
    async with EventStreamsClient(custom_endpoint(BASE, rate_limit_rpm=0), token) as client:
        with pytest.raises(InspectorError) as caught:  # an error in words, like any other failed request
            await client.consume(1)
    assert leaks(_everything_said(caught.value), pasted) == []
    assert network.requests == []


def test_profiles_file_never_holds_a_token(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "profiles.json")
    store.upsert(Profile("P", "custom", BASE))
    assert leaks(store.path.read_text()) == []
    assert "token" not in json.loads(store.path.read_text())["profiles"][0]


@pytest.mark.parametrize("command", ["consume 1", "publish 1", "replay f --to 1", "topics list", "token set"])
def test_client_commands_take_no_token_argument(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A token on the command line would land in shell history and `ps`: no client command has an option for one."""
    with pytest.raises(SystemExit):
        commands.build_parser().parse_args([*command.split(), "--base-url", BASE, "--token", "not-a-real-token"])
    assert "unrecognized arguments: --token" in capsys.readouterr().err
