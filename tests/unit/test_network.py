"""Company networks, without a network: which proxy a base URL takes (environment, NO_PROXY, a profile's), that a
plain-http loopback URL never takes one, proxy URLs and CA files checked in words, one TLS context per set of CA
files, and the proxy and CA bundle kept in the profile file (old files still load)."""

from __future__ import annotations

import json
import ssl
from pathlib import Path

import certifi
import pytest
import truststore

from inspector.core import connection, network
from inspector.core.connection import no_proxy_matches, route
from inspector.core.errors import ValidationError
from inspector.core.network import NetworkSettings
from inspector.core.profiles import Profile, ProfileStore
from tests.proxy import CA_NAME, private_ca

PROXY = "http://proxy.corp.example:3128"
API = "https://event-streams.workato.com/api/v1"


@pytest.mark.parametrize(
    ("no_proxy", "host", "port", "bypass"),
    [
        ("*", "anything.example", 443, True),
        ("example.com", "example.com", 443, True),
        ("example.com", "api.example.com", 443, True),  # a domain covers its subdomains
        (".example.com", "api.example.com", 443, True),
        ("*.example.com", "api.example.com", 443, True),
        ("example.com", "notexample.com", 443, False),
        ("example.com", "example.com.evil", 443, False),
        ("a.test, example.com:8443", "example.com", 8443, True),  # with a port: only that port
        ("example.com:8443", "example.com", 443, False),
        ("10.0.0.0/8", "10.2.3.4", 443, True),  # CIDR
        ("10.0.0.0/8", "11.2.3.4", 443, False),
        ("10.0.0.0/8", "ten.example", 443, False),
        ("192.168.1.7", "192.168.1.7", 443, True),
        ("::1", "[::1]", 443, True),
        ("fd00::/8", "fd00::5", 443, True),
        ("[::1]:8443", "::1", 8443, True),
        ("EXAMPLE.COM", "Api.Example.Com.", 443, True),  # case and a trailing dot
        ("", "example.com", 443, False),
    ],
)
def test_no_proxy_names_hosts_domains_ports_and_cidrs(no_proxy: str, host: str, port: int, bypass: bool) -> None:
    assert no_proxy_matches(no_proxy, host, port) is bypass


@pytest.mark.parametrize(
    ("environ", "settings", "expected"),
    [
        ({"HTTPS_PROXY": PROXY}, NetworkSettings(), "proxy.corp.example:3128"),
        ({"https_proxy": "http://lower:1", "HTTPS_PROXY": "http://upper:2"}, NetworkSettings(), "lower:1"),
        ({"ALL_PROXY": "http://all:3"}, NetworkSettings(), "all:3"),
        ({"HTTPS_PROXY": "proxy.example:8080"}, NetworkSettings(), "proxy.example:8080"),  # no scheme: http
        ({"HTTP_PROXY": PROXY}, NetworkSettings(), None),  # for http URLs, which never take a proxy
        ({"HTTPS_PROXY": PROXY, "NO_PROXY": "workato.com"}, NetworkSettings(), None),
        ({"HTTPS_PROXY": PROXY, "no_proxy": "*"}, NetworkSettings(), None),
        ({"HTTPS_PROXY": PROXY}, NetworkSettings(proxy="http://mine:9"), "mine:9"),  # the profile's wins
        ({}, NetworkSettings(proxy="http://mine:9"), "mine:9"),
        ({"NO_PROXY": "workato.com"}, NetworkSettings(proxy="http://mine:9"), None),
        ({}, NetworkSettings(), None),
    ],
)
def test_the_proxy_of_an_https_base_url(environ: dict[str, str], settings: NetworkSettings, expected: str) -> None:
    assert route(API, settings, environ).proxy == expected


@pytest.mark.parametrize("url", ["http://127.0.0.1:9300", "http://localhost:9300/", "http://[::1]:9300"])
def test_a_plain_http_loopback_base_url_never_takes_a_proxy(url: str) -> None:
    """A proxy would see the token of a plain-http request: the emulator is always reached directly."""
    everything = {name: PROXY for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY")}
    found = route(url, NetworkSettings(proxy="http://mine:9"), {**everything, "all_proxy": PROXY})
    assert found.proxy is None
    assert found.transport_proxy is None


def test_proxy_credentials_from_the_environment_or_the_keyring_stay_out_of_words() -> None:
    from_env = route(API, NetworkSettings(), {"HTTPS_PROXY": "http://alice:pa%3Ass@proxy.example:3128"})
    assert from_env.transport_proxy is not None
    assert from_env.transport_proxy.raw_auth == (b"alice", b"pa:ss")
    from_keyring = route(API, NetworkSettings(proxy="http://bob@proxy.example:3128", proxy_password="kr-secret"), {})
    assert from_keyring.transport_proxy is not None
    assert from_keyring.transport_proxy.raw_auth == (b"bob", b"kr-secret")
    for shown in (repr(from_env), repr(from_keyring), repr(NetworkSettings(PROXY, None, "kr-secret"))):
        assert "pa:ss" not in shown
        assert "pa%3Ass" not in shown
        assert "kr-secret" not in shown
    with pytest.raises(ValidationError) as bad:
        route(API, NetworkSettings(), {"HTTPS_PROXY": "http://alice:hunter2@proxy.example:3128/path"})
    assert "hunter2" not in bad.value.describe()
    assert "HTTPS_PROXY" in bad.value.describe()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("socks5://proxy.example:1080", "socks5 proxies are not supported"),
        ("http://proxy.example:3128/some/path", "is not a proxy URL"),
        ("http://proxy.example:port", "is not a proxy URL"),
        ("ftp://proxy.example:21", "is not a proxy URL"),
        ("http://alice:secret@proxy.example:3128", "holds a password"),
        ("http://proxy.example:3128?x=1", "has a query or fragment"),
    ],
)
def test_proxy_urls_are_checked_in_words(text: str, words: str) -> None:
    with pytest.raises(ValidationError) as bad:
        network.check_proxy_url(text, where="--proxy")
    assert words in bad.value.message
    assert bad.value.message.startswith("--proxy: ")
    assert "secret" not in bad.value.describe()


def test_proxy_urls_are_normalised_and_name_their_keyring_account() -> None:
    assert network.check_proxy_url("Proxy.Example:3128") == "http://proxy.example:3128"
    assert network.check_proxy_url("http://alice@proxy.example") == "http://alice@proxy.example:80"
    assert network.proxy_account("http://alice@PROXY.example:3128/") == "proxy:http://alice@proxy.example:3128"
    assert network.proxy_user("http://alice@proxy.example:3128") == "alice"


def test_ca_files_add_to_the_os_store_and_certifi(tmp_path: Path) -> None:
    tls = private_ca(tmp_path / "ca")
    base = connection.tls_context()
    added = connection.tls_context(((str(tls.ca_file), "CA bundle"),))
    assert isinstance(added, truststore.SSLContext)  # the OS trust store

    def cas(context: ssl.SSLContext) -> list[str]:  # truststore offers no get_ca_certs; its wrapped context does
        certs = context._ctx.get_ca_certs()  # type: ignore[attr-defined]
        return [dict(rdn[0] for rdn in cert["subject"]).get("organizationName", "") for cert in certs]

    in_certifi = Path(certifi.where()).read_text().count("BEGIN CERTIFICATE")
    assert len(cas(base)) >= in_certifi
    assert CA_NAME not in cas(base)
    assert len(cas(added)) >= in_certifi + 1  # certifi stays: the file adds to it
    assert CA_NAME in cas(added)
    assert added.verify_mode == ssl.CERT_REQUIRED
    assert added.check_hostname
    assert connection.tls_context(((str(tls.ca_file), "CA bundle"),)) is added  # built once per set of files
    environ = {"SSL_CERT_FILE": str(tls.ca_file), "REQUESTS_CA_BUNDLE": str(tls.cert_file)}
    files = connection.ca_files(NetworkSettings(ca_bundle="/etc/company.pem"), environ)
    assert files == ((str(tls.ca_file), "SSL_CERT_FILE"), (str(tls.cert_file), "REQUESTS_CA_BUNDLE"), files[2])
    assert files[2] == ("/etc/company.pem", "CA bundle")


def test_a_missing_or_unreadable_ca_file_is_an_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.pem"
    with pytest.raises(ValidationError) as gone:
        route(API, NetworkSettings(), {"SSL_CERT_FILE": str(missing)})
    assert gone.value.message == f"SSL_CERT_FILE: {missing} cannot be read (No such file or directory)"
    assert "unset SSL_CERT_FILE" in gone.value.hint
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate\n")
    with pytest.raises(ValidationError) as bad:
        network.check_ca_file(str(garbage), where="--ca-bundle")
    assert bad.value.message.startswith(f"--ca-bundle: {garbage} holds no CA certificate in PEM form")
    with pytest.raises(ValidationError) as none:
        route(API, NetworkSettings(ca_bundle=str(missing)), {})
    assert str(missing) in none.value.message
    assert "--ca-bundle or the profile's CA bundle" in none.value.hint


def test_profiles_keep_their_proxy_and_ca_bundle_and_old_files_load(tmp_path: Path) -> None:
    tls = private_ca(tmp_path / "ca")
    store = ProfileStore(tmp_path / "cfg" / "profiles.json")
    saved = store.upsert(
        Profile("corp", "eu", proxy=" http://alice@proxy.corp.example:3128 ", ca_bundle=f" {tls.ca_file} ")
    )
    assert saved.proxy == "http://alice@proxy.corp.example:3128"
    assert saved.ca_bundle == str(tls.ca_file.resolve())
    assert saved.network == NetworkSettings("http://alice@proxy.corp.example:3128", str(tls.ca_file.resolve()))
    plain = store.upsert(Profile("plain", "us", proxy="", ca_bundle=""))
    assert (plain.proxy, plain.ca_bundle) == (None, None)
    data = json.loads(store.path.read_text())
    assert data["version"] == 2
    assert data["profiles"][0]["proxy"] == "http://alice@proxy.corp.example:3128"
    assert "proxy" not in data["profiles"][1]  # a profile without them is written as before
    assert store.load() == [saved, plain]

    store.path.write_text(json.dumps({"version": 1, "profiles": [{"name": "old", "region": "us"}]}))
    assert store.load() == [Profile("old", "us")]

    with pytest.raises(ValidationError) as password:
        store.upsert(Profile("leaky", "us", proxy="http://alice:secret@proxy.corp.example:3128"))
    assert password.value.message.startswith("profile 'leaky' proxy: holds a password")
    with pytest.raises(ValidationError) as missing:
        store.upsert(Profile("lost", "us", ca_bundle=str(tmp_path / "none.pem")))
    assert missing.value.message.startswith("profile 'lost' CA bundle: ")
