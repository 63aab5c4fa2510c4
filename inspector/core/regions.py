"""Where the Workato Event Streams API lives: regions, the legacy domain, and custom base URLs."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from inspector.core import later
from inspector.core.errors import InsecureUrlError, ValidationError

REGIONAL_RPM = 60
LEGACY_RPM = 1000


@dataclass(frozen=True)  # no slots: made twice, and the window imports this module before it is shown
class Endpoint:
    """Everything needed to reach one deployment of the API.

    ``events_url`` serves consume/publish; ``developer_url`` serves the Developer API topic endpoints.
    ``legacy`` selects the ``/api/pubsub/topics/`` paths (consume and single publish only).
    """

    key: str
    label: str
    events_url: str
    developer_url: str
    rate_limit_rpm: int = REGIONAL_RPM
    legacy: bool = False

    @property
    def supports_batch(self) -> bool:
        return not self.legacy

    def consume_path(self, topic_id: int) -> str:
        if self.legacy:
            return f"/api/pubsub/topics/{topic_id}/consume"
        return f"/api/v1/topics/{topic_id}/consume"

    def publish_path(self, topic_id: int) -> str:
        if self.legacy:
            return f"/api/pubsub/topics/{topic_id}/publish"
        return f"/api/v1/topics/{topic_id}/publish"

    def batch_path(self, topic_id: int) -> str:
        return f"/api/v1/batch/topics/{topic_id}/publish"


@dataclass(frozen=True)  # no slots: made twice, and the window imports this module before it is shown
class DataCenter:
    """A Workato data center as Workato's docs list it: its Developer API host, and its event-streams host when
    the docs give one. ``note`` says why a host is missing (none is guessed)."""

    key: str
    label: str
    developer_url: str | None
    events_url: str | None
    note: str = ""

    @property
    def usable(self) -> bool:
        return self.events_url is not None and self.developer_url is not None


# From docs.workato.com: "Event streams public API" (Base URL) and "Developer API" (Base URL), read 2026.
_NOT_IN_DOCS = "Workato's documentation read for this release does not give its event-streams host"
DATA_CENTERS: dict[str, DataCenter] = {
    dc.key: dc
    for dc in (
        DataCenter("us", "US", "https://www.workato.com", "https://event-streams.workato.com"),
        DataCenter("eu", "EU", "https://app.eu.workato.com", "https://event-streams.eu.workato.com"),
        DataCenter("jp", "JP", "https://app.jp.workato.com", "https://event-streams.jp.workato.com"),
        DataCenter("sg", "SG", "https://app.sg.workato.com", "https://event-streams.sg.workato.com"),
        DataCenter("au", "AU", "https://app.au.workato.com", "https://event-streams.au.workato.com"),
        DataCenter("il", "IL", "https://app.il.workato.com", "https://event-streams.il.workato.com"),
        DataCenter("cn", "CN", "https://app.workatoapp.cn", "https://event-streams.workatoapp.cn"),
        DataCenter("kr", "KR", "https://app.kr.workato.com", None, _NOT_IN_DOCS),
        DataCenter("uk", "UK", None, None, _NOT_IN_DOCS + " nor its Developer API host"),
        DataCenter(
            "sandbox", "Developer Sandbox", "https://app.trial.workato.com", "https://event-streams.trial.workato.com"
        ),
    )
}


def _endpoint(dc: DataCenter) -> Endpoint:
    assert dc.events_url is not None
    assert dc.developer_url is not None
    return Endpoint(dc.key, dc.label, dc.events_url, dc.developer_url)


# The regions one connects to: every data center whose hosts are known, and the legacy domain.
REGIONS: dict[str, Endpoint] = {
    e.key: e
    for e in (
        *(_endpoint(dc) for dc in DATA_CENTERS.values() if dc.usable),
        Endpoint(
            "legacy",
            "Legacy (www.workato.com/api)",
            "https://www.workato.com",
            "https://www.workato.com",
            rate_limit_rpm=LEGACY_RPM,
            legacy=True,
        ),
    )
}


def region(key: str) -> Endpoint:
    try:
        return REGIONS[key.strip().lower()]
    except (KeyError, AttributeError):  # AttributeError: not a string (a profile file edited by hand)
        names = ", ".join(REGIONS)
        known = DATA_CENTERS.get(key.strip().lower()) if isinstance(key, str) else None
        if known is not None:
            developer = f"; its Developer API is {known.developer_url}" if known.developer_url else ""
            raise ValidationError(
                f"the {known.label} data center is not offered: {known.note}{developer}",
                where="region",
                hint="connect with --base-url and the event-streams address Workato gives your workspace, or "
                f"choose one of: {names}",
            ) from None
        raise ValidationError(f"unknown region {key!r}", where="region", hint=f"choose one of: {names}") from None


def is_loopback_host(host: str) -> bool:
    """127.0.0.0/8, ::1 and ``localhost`` itself. Not ``*.localhost``: a system resolver may look such a name up
    in DNS, which would send a plain-HTTP token off the machine."""
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# What httpx would refuse (or quietly percent-encode into a host no DNS knows) after the URL was accepted here.
_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f-\x9f\s]")
_ASCII_HOST = re.compile(r"^[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$")
_IPV4_STYLE = re.compile(r"^[0-9]+.[0-9]+.[0-9]+.[0-9]+$")  # httpx's own test, unescaped dots included


def _host_problem(host: str) -> str | None:
    """Why httpx could not use ``host`` (a hostname as urlsplit gives it: lower case, no brackets), or None."""
    if ":" in host:  # an IPv6 address; urlsplit has already checked it
        return None
    if _IPV4_STYLE.match(host):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return f"{host!r} is not a valid IPv4 address"
        return None
    if host.isascii():
        if not _ASCII_HOST.match(host):
            return f"{host!r} is not a valid host name"
        return None
    try:  # idna only for international names; httpx encodes them with the same library
        later.idna.encode(host)
    except UnicodeError as exc:  # idna.IDNAError is one
        return f"{host!r} is not a valid international domain name ({exc})"
    return None


def normalize_base_url(url: str, *, where: str = "base URL") -> str:
    """Check and normalise a base URL: https only (http only to loopback), no credentials, query or fragment."""
    text = url.strip() if isinstance(url, str) else ""
    if not text:
        raise InsecureUrlError("is empty", where=where, hint="enter a URL such as https://event-streams.workato.com")
    bad = _CONTROL_OR_SPACE.search(text)
    if bad is not None:
        raise InsecureUrlError(
            f"{url!r} has a space or control character at position {bad.start() + 1}",
            where=where,
            hint="check that the URL was pasted whole, with nothing around or inside it",
        )
    try:
        parts = urlsplit(text)
    except ValueError as exc:  # a malformed [IPv6] host
        raise InsecureUrlError(f"{url!r} is not a valid URL ({exc})", where=where) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InsecureUrlError(
            f"{url!r} is not an http(s) URL",
            where=where,
            hint="enter a URL such as https://event-streams.workato.com",
        )
    if parts.username or parts.password:
        raise InsecureUrlError(
            "must not contain a user name or password",
            where=where,
            hint="remove the 'user:password@' part; the token is kept in the keyring",
        )
    if parts.query or parts.fragment:
        raise InsecureUrlError("must not contain '?' or '#' parts", where=where, hint="keep only scheme, host, port")
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        raise InsecureUrlError(f"{url!r} has an invalid port", where=where, hint="use a port from 1 to 65535")
    problem = _host_problem(parts.hostname)
    if problem is not None:
        raise InsecureUrlError(problem, where=where, hint="check the host name, e.g. event-streams.workato.com")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise InsecureUrlError(
            f"plain http is refused for {parts.hostname}: the token would travel unencrypted",
            where=where,
            hint="use https:// (plain http is allowed only to 127.0.0.1, ::1 and localhost)",
        )
    host = parts.hostname
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


def custom_endpoint(base_url: str, *, rate_limit_rpm: int = REGIONAL_RPM, legacy: bool = False) -> Endpoint:
    """A base URL of one's own (the local emulator, a proxy): the Developer API is expected on the same host."""
    url = normalize_base_url(base_url)
    return Endpoint("custom", url, url, url, rate_limit_rpm=rate_limit_rpm, legacy=legacy)
