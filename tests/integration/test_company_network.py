"""A company network: an HTTPS server with a private CA, reached only through a CONNECT proxy (tests/proxy.py).

The CLI (real processes) publishes and consumes through the proxy with the company's CA from each place it can
come from; without the CA, with a wrong proxy password, with a proxy that cannot be reached, or with a certificate
for another name or expired, it says why in words. NO_PROXY sends a host directly, and a plain-http loopback base
URL never goes through a proxy, whatever the environment says.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector import cli
from inspector.cli import _common, commands
from inspector.core import network
from inspector.core.errors import TransportError
from inspector.core.http import new_http_client
from inspector.core.network import CA_ENV, NetworkSettings
from inspector.core.profiles import ProfileStore
from inspector.core.regions import custom_endpoint
from inspector.core.secrets import KeyringStore
from inspector.core.services.workato import EventStreamsClient
from inspector.emulator.server import EmulatorServer
from tests.helpers import InMemoryKeyring, free_port, run_cli
from tests.proxy import CA_NAME, TOKEN, ConnectProxy, HttpsEmulator, Network, company_network, private_ca

ENVIRONMENT = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY", *CA_ENV)
USER, PASSWORD = "alice", "s3cret-proxy-pw"


@pytest.fixture(autouse=True)
def clean_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No proxy or CA from the machine's environment; the CLI's settings (a process default) reset after."""
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    yield
    network.configure(NetworkSettings())


@pytest.fixture
def corp(tmp_path: Path) -> Iterator[Network]:
    with company_network(tmp_path / "corp") as net:
        yield net


@pytest.fixture
def corp_with_password(tmp_path: Path) -> Iterator[Network]:
    with company_network(tmp_path / "corp", credentials=(USER, PASSWORD)) as net:
        yield net


def payloads(stdout: str) -> list[object]:
    return [json.loads(line)["payload"] for line in stdout.splitlines()]


@pytest.mark.parametrize("source", ["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "--ca-bundle", "profile"])
def test_the_cli_publishes_and_consumes_through_the_proxy_with_the_company_ca(
    source: str, corp: Network, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    home, ca, topic = tmp_path / "home", str(corp.tls.ca_file), str(corp.topic())
    connection = ["--base-url", corp.url]
    if source == "profile":
        added = run_cli(
            ["profile", "add", "corp", "--base-url", corp.url, "--proxy", corp.proxy.url, "--ca-bundle", ca], home=home
        )
        assert added.returncode == 0, added.stderr
        connection = ["--profile", "corp"]
    else:
        monkeypatch.setenv("HTTPS_PROXY", corp.proxy.url)
        if source == "--ca-bundle":
            connection += ["--ca-bundle", ca]
        else:
            monkeypatch.setenv(source, ca)
    published = run_cli(["publish", topic, *connection], token=TOKEN, stdin='[{"n": 1}, {"n": 2}]', home=home)
    assert published.returncode == 0, published.stderr
    consumed = run_cli(["consume", topic, *connection], token=TOKEN, home=home)
    assert consumed.returncode == 0, consumed.stderr
    assert payloads(consumed.stdout) == [{"n": 1}, {"n": 2}]
    assert set(corp.proxy.tunnels) == {corp.url.removeprefix("https://")}  # the only way to the server


def test_without_the_company_ca_the_cli_says_the_certificate_is_not_trusted(
    corp: Network, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", corp.proxy.url)
    topic, host = str(corp.topic()), corp.url.removeprefix("https://")
    words = (
        f"cannot connect to {host} through the proxy 127.0.0.1:{corp.proxy.port}: the server's certificate is not "
        f"trusted (issuer {CA_NAME}, Testing CA #"
    )
    fix = "add your company's CA with --ca-bundle FILE or the profile's CA bundle, or SSL_CERT_FILE"
    consumed = run_cli(["consume", topic, "--base-url", corp.url], token=TOKEN, home=tmp_path)
    assert consumed.returncode == 1
    assert words in consumed.stderr
    assert fix in consumed.stderr
    published = run_cli(["publish", topic, "--base-url", corp.url], token=TOKEN, stdin='{"n": 1}', home=tmp_path)
    assert published.returncode == 1
    error = json.loads(published.stdout)["error"]
    assert error.startswith(f"not sent: {words}")
    assert fix in error
    assert corp.proxy.tunnels  # it was the proxy's tunnel whose certificate was refused
    row = corp.server.store.get_topic(int(topic))
    assert row is not None
    assert corp.server.store.read(row, limit=10) == []


def test_a_wrong_proxy_password_gets_the_407_words(
    corp_with_password: Network, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    corp = corp_with_password
    monkeypatch.setenv("SSL_CERT_FILE", str(corp.tls.ca_file))
    topic = str(corp.topic())
    monkeypatch.setenv("HTTPS_PROXY", f"http://{USER}:wrong-pw@127.0.0.1:{corp.proxy.port}")
    refused = run_cli(["consume", topic, "--base-url", corp.url], token=TOKEN, home=tmp_path)
    assert refused.returncode == 1
    assert "the proxy refused the connection (407: proxy authentication required)" in refused.stderr
    assert "wrong-pw" not in refused.stderr
    assert corp.proxy.refused
    assert corp.proxy.tunnels == []
    monkeypatch.setenv("HTTPS_PROXY", f"http://{USER}:{PASSWORD}@127.0.0.1:{corp.proxy.port}")
    allowed = run_cli(["consume", topic, "--base-url", corp.url], token=TOKEN, home=tmp_path)
    assert allowed.returncode == 0, allowed.stderr
    assert corp.proxy.tunnels


def _command(argv: list[str], monkeypatch: pytest.MonkeyPatch, stdin: str = "") -> int:
    """A command in this process (its keyring is the test's), without main()'s logging set-up."""
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    return cli._dispatch(commands.build_parser().parse_args(argv))


def test_profile_add_asks_for_the_proxy_password_and_commands_read_it_from_the_keyring(
    corp_with_password: Network, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    corp = corp_with_password
    backend = InMemoryKeyring()
    monkeypatch.setattr(_common, "KeyringStore", lambda backend_=None: KeyringStore(backend))
    proxy = f"http://{USER}@127.0.0.1:{corp.proxy.port}"
    add = ["profile", "add", "corp", "--base-url", corp.url, "--proxy", proxy, "--ca-bundle", str(corp.tls.ca_file)]
    assert _command(add, monkeypatch, stdin=PASSWORD + "\n") == 0
    assert backend.items == {("topic-inspector", f"proxy:{proxy}"): PASSWORD}
    assert PASSWORD not in (Path(ProfileStore().path)).read_text()
    assert f"the password of {USER} at the proxy 127.0.0.1:{corp.proxy.port}: stored in" in capsys.readouterr().out
    monkeypatch.setenv("TOPIC_INSPECTOR_TOKEN", TOKEN)
    topic = str(corp.topic())
    assert _command(["publish", topic, "--profile", "corp"], monkeypatch, stdin='{"n": 7}') == 0
    assert corp.proxy.tunnels
    backend.items[("topic-inspector", f"proxy:{proxy}")] = "not-it"
    assert _command(["publish", topic, "--profile", "corp"], monkeypatch, stdin='{"n": 8}') == 1
    assert "(407: proxy authentication required)" in capsys.readouterr().out


def test_no_proxy_sends_the_host_directly(corp: Network, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HTTPS_PROXY", corp.proxy.url)
    monkeypatch.setenv("NO_PROXY", "example.test,localhost")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(corp.tls.ca_file))
    topic = str(corp.topic())
    published = run_cli(["publish", topic, "--base-url", corp.direct_url], token=TOKEN, stdin='{"n": 1}', home=tmp_path)
    assert published.returncode == 0, published.stderr + published.stdout
    assert corp.proxy.connections == 0


def test_a_loopback_http_base_url_never_goes_through_a_proxy(
    emulator: EmulatorServer, topic: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Over plain http a proxy would read the token: whatever the environment says, the emulator is direct."""
    with ConnectProxy() as proxy:
        for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY"):
            monkeypatch.setenv(name, proxy.url)
            monkeypatch.setenv(name.lower(), proxy.url)
        connection = ["--base-url", emulator.url]
        published = run_cli(["publish", str(topic), *connection], token=emulator.token, stdin='{"n": 1}', home=tmp_path)
        consumed = run_cli(["consume", str(topic), *connection, "--proxy", proxy.url], token=emulator.token)
        assert published.returncode == 0, published.stderr
        assert consumed.returncode == 0, consumed.stderr
        assert payloads(consumed.stdout) == [{"n": 1}]
        assert proxy.connections == 0


async def test_a_proxy_that_cannot_be_reached_or_cannot_reach_the_server_in_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    closed = free_port()
    endpoint = custom_endpoint(f"https://localhost:{closed}", rate_limit_rpm=0)
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{closed}")
    async with EventStreamsClient(endpoint, TOKEN) as client:
        with pytest.raises(TransportError) as unreachable:
            await client.consume(1)
    where = f"cannot connect to localhost:{closed} through the proxy 127.0.0.1:{closed}"
    assert unreachable.value.message == f"{where}: cannot reach the proxy 127.0.0.1:{closed} (connection refused)"
    assert "HTTPS_PROXY" in unreachable.value.hint
    assert unreachable.value.retryable  # a proxy may come back
    with ConnectProxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        async with EventStreamsClient(endpoint, TOKEN) as client:
            with pytest.raises(TransportError) as gateway:
                await client.consume(1)
    assert gateway.value.message == (
        f"cannot connect to localhost:{closed} through the proxy 127.0.0.1:{proxy.port}: the proxy could not reach "
        "the server (502: Bad Gateway)"
    )


@pytest.mark.parametrize(
    ("hostname", "expired", "trusted", "words"),
    [
        ("other.example", False, True, "the server's certificate is for another name than localhost"),
        ("localhost", True, True, "the server's certificate has expired"),
        ("localhost", False, False, f"the server's certificate is not trusted (issuer {CA_NAME}, Testing CA #"),
    ],
)
async def test_a_certificate_untrusted_for_another_name_or_expired_in_words(
    hostname: str, expired: bool, trusted: bool, words: str, tmp_path: Path
) -> None:
    """Directly, without a proxy: the issuer of an untrusted certificate is read by a handshake of its own."""
    tls = private_ca(tmp_path, hostname, expired=expired)
    server = HttpsEmulator(tls).start()
    url = f"https://localhost:{server.port}"
    settings = NetworkSettings(ca_bundle=str(tls.ca_file) if trusted else None)
    try:
        async with (
            new_http_client(url, settings) as http,
            EventStreamsClient(custom_endpoint(url, rate_limit_rpm=0), TOKEN, http=http) as client,
        ):
            with pytest.raises(TransportError) as failed:
                await client.consume(1)
    finally:
        server.stop()
    assert failed.value.message.startswith(f"cannot connect to localhost:{server.port}: {words}")
    assert not failed.value.retryable  # the same certificate stays wrong: not retried
    assert not failed.value.maybe_sent
