"""Regions, the legacy domain and custom base URLs (https only, http only to loopback)."""

from __future__ import annotations

import pytest

from inspector.core.errors import InsecureUrlError, ValidationError
from inspector.core.regions import (
    LEGACY_RPM,
    REGIONAL_RPM,
    REGIONS,
    Endpoint,
    custom_endpoint,
    is_loopback_host,
    normalize_base_url,
    region,
)

EXPECTED = {
    "us": ("https://event-streams.workato.com", "https://www.workato.com"),
    "eu": ("https://event-streams.eu.workato.com", "https://app.eu.workato.com"),
    "jp": ("https://event-streams.jp.workato.com", "https://app.jp.workato.com"),
    "sg": ("https://event-streams.sg.workato.com", "https://app.sg.workato.com"),
    "au": ("https://event-streams.au.workato.com", "https://app.au.workato.com"),
    "il": ("https://event-streams.il.workato.com", "https://app.il.workato.com"),
    "cn": ("https://event-streams.workatoapp.cn", "https://app.workatoapp.cn"),
    "sandbox": ("https://event-streams.trial.workato.com", "https://app.trial.workato.com"),
    "legacy": ("https://www.workato.com", "https://www.workato.com"),
}


def test_every_region_is_known() -> None:
    assert set(REGIONS) == set(EXPECTED)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_region_urls(key: str) -> None:
    endpoint = region(key)
    assert endpoint.key == key
    assert (endpoint.events_url, endpoint.developer_url) == EXPECTED[key]
    assert endpoint.events_url.startswith("https://")
    assert endpoint.label


@pytest.mark.parametrize("key", ["us", "eu", "jp", "sg", "au", "il", "cn", "sandbox"])
def test_regional_endpoints(key: str) -> None:
    endpoint = region(key)
    assert endpoint.legacy is False
    assert endpoint.supports_batch is True
    assert endpoint.rate_limit_rpm == REGIONAL_RPM
    assert endpoint.consume_path(12) == "/api/v1/topics/12/consume"
    assert endpoint.publish_path(12) == "/api/v1/topics/12/publish"
    assert endpoint.batch_path(12) == "/api/v1/batch/topics/12/publish"


def test_legacy_endpoint() -> None:
    endpoint = region("legacy")
    assert endpoint.legacy is True
    assert endpoint.supports_batch is False
    assert endpoint.rate_limit_rpm == LEGACY_RPM
    assert endpoint.consume_path(34) == "/api/pubsub/topics/34/consume"
    assert endpoint.publish_path(34) == "/api/pubsub/topics/34/publish"


@pytest.mark.parametrize("key", [" EU ", "Us", "SANDBOX"])
def test_region_key_is_case_and_space_insensitive(key: str) -> None:
    assert region(key) is REGIONS[key.strip().lower()]


@pytest.mark.parametrize("key", ["mars", "", "custom", "u s"])
def test_unknown_region_lists_choices(key: str) -> None:
    with pytest.raises(ValidationError) as caught:
        region(key)
    assert caught.value.where == "region"
    assert f"unknown region {key!r}" in caught.value.message
    for choice in EXPECTED:
        assert choice in caught.value.hint


# --- normalize_base_url ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://event-streams.example.com", "https://event-streams.example.com"),
        ("https://event-streams.example.com/", "https://event-streams.example.com"),
        ("  https://Example.COM:8443/proxy/  ", "https://example.com:8443/proxy"),
        ("HTTPS://example.com//", "https://example.com"),
        ("https://example.com:443", "https://example.com:443"),
        ("https://[2001:db8::1]:9000/", "https://[2001:db8::1]:9000"),
    ],
)
def test_https_is_accepted_and_normalised(url: str, expected: str) -> None:
    assert normalize_base_url(url) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ("http://127.5.5.5", "http://127.5.5.5"),
        ("http://[::1]:9000/", "http://[::1]:9000"),
        ("http://[::1]", "http://[::1]"),
        ("http://localhost:5000/base/", "http://localhost:5000/base"),
        ("http://LOCALHOST", "http://localhost"),
    ],
)
def test_http_is_allowed_to_loopback(url: str, expected: str) -> None:
    assert normalize_base_url(url) == expected


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://event-streams.workato.com", "event-streams.workato.com"),
        ("http://10.0.0.5:8080", "10.0.0.5"),
        ("http://192.168.1.1", "192.168.1.1"),
        ("http://0.0.0.0:8000", "0.0.0.0"),
        ("http://localhost.example.com", "localhost.example.com"),
        ("http://127.0.0.1.nip.io", "127.0.0.1.nip.io"),
        ("http://[2001:db8::1]", "2001:db8::1"),
    ],
)
def test_http_is_refused_elsewhere_and_says_why(url: str, host: str) -> None:
    with pytest.raises(InsecureUrlError) as caught:
        normalize_base_url(url, where="proxy URL")
    assert caught.value.where == "proxy URL"
    assert f"plain http is refused for {host}" in caught.value.message
    assert "unencrypted" in caught.value.message
    assert "https://" in caught.value.hint


@pytest.mark.parametrize(
    "url",
    ["https://user:pass@example.com", "https://user@example.com", "http://127.0.0.1@evil.example.com"],
)
def test_credentials_refused(url: str) -> None:
    with pytest.raises(InsecureUrlError, match="must not contain a user name or password"):
        normalize_base_url(url)


@pytest.mark.parametrize(
    "url",
    ["https://example.com/?token=abc", "https://example.com/#frag", "https://example.com?x=1#y", "http://localhost/?a"],
)
def test_query_and_fragment_refused(url: str) -> None:
    with pytest.raises(InsecureUrlError, match="must not contain '\\?' or '#' parts"):
        normalize_base_url(url)


@pytest.mark.parametrize("url", ["https://example.com:99999", "https://example.com:abc", "http://127.0.0.1:-1"])
def test_bad_port_refused(url: str) -> None:
    with pytest.raises(InsecureUrlError) as caught:
        normalize_base_url(url)
    assert f"{url!r} has an invalid port" in caught.value.message


@pytest.mark.parametrize("url", ["ftp://example.com", "example.com", "https://", "file:///etc/passwd", "ws://x"])
def test_not_http_urls_refused(url: str) -> None:
    with pytest.raises(InsecureUrlError) as caught:
        normalize_base_url(url)
    assert f"{url!r} is not an http(s) URL" in caught.value.message


@pytest.mark.parametrize("url", ["", "   ", None, 5])
def test_empty_or_not_a_string(url: object) -> None:
    with pytest.raises(InsecureUrlError, match="is empty"):
        normalize_base_url(url)  # type: ignore[arg-type]


def test_insecure_url_error_is_a_validation_error() -> None:
    with pytest.raises(ValidationError):
        normalize_base_url("http://example.com")


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.255.255.254", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("LocalHost", True),
        ("app.localhost", False),  # may be looked up in DNS
        ("128.0.0.1", False),
        ("localhost.com", False),
        ("example.com", False),
        ("::2", False),
    ],
)
def test_is_loopback_host(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


# --- custom_endpoint ------------------------------------------------------------------------------------------


def test_custom_endpoint() -> None:
    endpoint = custom_endpoint("http://127.0.0.1:8765/")
    assert endpoint == Endpoint(
        "custom", "http://127.0.0.1:8765", "http://127.0.0.1:8765", "http://127.0.0.1:8765", REGIONAL_RPM, False
    )
    assert endpoint.supports_batch is True
    assert endpoint.consume_path(5) == "/api/v1/topics/5/consume"


def test_custom_legacy_endpoint() -> None:
    endpoint = custom_endpoint("https://proxy.example.com/workato", rate_limit_rpm=0, legacy=True)
    assert endpoint.events_url == endpoint.developer_url == "https://proxy.example.com/workato"
    assert endpoint.rate_limit_rpm == 0
    assert endpoint.supports_batch is False
    assert endpoint.publish_path(9) == "/api/pubsub/topics/9/publish"


def test_custom_endpoint_refuses_insecure_url() -> None:
    with pytest.raises(InsecureUrlError, match="plain http is refused"):
        custom_endpoint("http://proxy.example.com")


def test_endpoints_are_immutable() -> None:
    endpoint = region("us")
    with pytest.raises(AttributeError):
        endpoint.events_url = "https://evil.example.com"  # type: ignore[misc]
