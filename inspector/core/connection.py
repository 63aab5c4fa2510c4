"""How a base URL is reached on a company network: through which proxy, trusting which CAs; and a failed connection
in words. The settings it reads are ``inspector.core.network``'s.

- **Trust**: the OS trust store (``truststore``) plus the certifi bundle; ``SSL_CERT_FILE``, ``REQUESTS_CA_BUNDLE``
  and a profile's (or ``--ca-bundle``'s) CA bundle *add* to them. One TLS context per distinct set of files.
- **Proxy**: a profile's (or ``--proxy``'s) proxy, else ``HTTPS_PROXY`` / ``ALL_PROXY`` (lowercase first, as
  curl reads them), unless ``NO_PROXY`` names the host. Only for https base URLs: a plain-http base URL is a
  loopback one (the emulator), and a proxy would see its token. The user of a proxy goes in its URL, the password
  in the keyring (``proxy_account``), never in a profile file.

httpx's own reading of the environment stays off (``trust_env=False``): the choice is made here, per base URL.
"""

from __future__ import annotations

import ipaddress
import os
import re
import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from inspector.core import later
from inspector.core.errors import ValidationError
from inspector.core.network import CA_ENV, CA_HINT, NetworkSettings, check_proxy_url, load_ca, printable, proxy_user

if TYPE_CHECKING:
    import ssl

    import httpx

ISSUER_PROBE_TIMEOUT = 5.0


@dataclass(frozen=True)
class Route:
    """How one base URL is reached: through ``proxy`` (host:port, for words) or directly, and with which TLS."""

    base_url: str
    proxy: str | None  # "host:port", or None: directly
    proxy_source: str  # where the proxy came from (for words): "HTTPS_PROXY", "--proxy or the profile's Proxy"
    transport_proxy: httpx.Proxy | None = field(default=None, repr=False, compare=False)  # with its credentials
    tls: ssl.SSLContext | None = field(default=None, repr=False, compare=False)


def no_proxy_matches(no_proxy: str, host: str, port: int) -> bool:
    """Whether ``NO_PROXY`` names the host: ``*``, a host or domain (``example.com`` and ``.example.com`` both
    cover its subdomains), either with ``:port``, an IP address or a CIDR block (``10.0.0.0/8``)."""
    host = host.strip("[]").rstrip(".").lower()
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(host)
    except ValueError:
        address = None
    for entry in re.split(r"[,\s]+", no_proxy.lower()):
        if entry == "*":
            return True
        name, entry_port = _split_port(entry)
        if not name or (entry_port is not None and entry_port != port):
            continue
        try:
            network = ipaddress.ip_network(name, strict=False)
        except ValueError:
            domain = name.lstrip("*").lstrip(".").rstrip(".")
            if domain and (host == domain or host.endswith("." + domain)):
                return True
            continue
        if address is not None and address.version == network.version and address in network:
            return True
    return False


def _split_port(entry: str) -> tuple[str, int | None]:
    """``host:port``, ``[v6]:port``, or a bare name, address or CIDR (an IPv6 one has colons of its own)."""
    match = re.fullmatch(r"\[([^\]]+)\](?::(\d+))?|([^:]+):(\d+)", entry)
    if match is None:
        return entry, None
    name, port = (match[1], match[2]) if match[1] else (match[3], match[4])
    return name, int(port) if port else None


def _environment(environ: Mapping[str, str], name: str) -> str:
    return (environ.get(name.lower()) or environ.get(name.upper()) or "").strip()


def route(base_url: str, settings: NetworkSettings, environ: Mapping[str, str] | None = None) -> Route:
    """The proxy for a base URL (checked and with its credentials) and the TLS context of its CA files."""

    env = os.environ if environ is None else environ
    url = later.httpx.URL(base_url)
    port = url.port or (443 if url.scheme == "https" else 80)
    tls = tls_context(ca_files(settings, env)) if url.scheme == "https" else None
    proxy, source = (settings.proxy, "--proxy or the profile's Proxy") if settings.proxy else (None, "")
    if proxy is None:
        proxy, source = _environment(env, "https_proxy"), "HTTPS_PROXY"
        if not proxy:
            proxy, source = _environment(env, "all_proxy"), "ALL_PROXY"
    if url.scheme != "https" or not proxy or no_proxy_matches(_environment(env, "no_proxy"), url.host, port):
        return Route(str(url), None, "", tls=tls)
    checked = check_proxy_url(proxy, where=source, allow_password=not settings.proxy)
    user = proxy_user(checked)
    password = unquote(urlsplit(proxy if "://" in proxy else "http://" + proxy).password or "")
    scheme, address = checked.split("://", 1)
    address = address.rsplit("@", 1)[-1]
    auth = (user, password or settings.proxy_password or "") if user else None
    proxy_tls = tls if scheme == "https" else None  # TLS to the proxy itself: the same CAs
    proxy_transport = later.httpx.Proxy(f"{scheme}://{address}", auth=auth, ssl_context=proxy_tls)
    return Route(str(url), address, source, transport_proxy=proxy_transport, tls=tls)


def ca_files(settings: NetworkSettings, environ: Mapping[str, str] | None = None) -> tuple[tuple[str, str], ...]:
    """The CA files added to the OS store and certifi: (path, where it was named)."""
    env = os.environ if environ is None else environ
    found = [(env[name], name) for name in CA_ENV if env.get(name, "").strip()]
    if settings.ca_bundle:
        found.append((settings.ca_bundle, "CA bundle"))
    return tuple(found)


# ----- TLS contexts -------------------------------------------------------------------------------------------
def load_transport() -> None:
    """Import what the first connection loads: httpx's transport (httpcore, h11, anyio) and the TLS context's
    trust stores (truststore, certifi), about 40 ms. The window calls it on a thread once it is idle, so the first
    topic tab it opens does not wait for them."""
    _ = later.httpcore, later.truststore, later.certifi


_contexts: dict[tuple[tuple[str, int, int], ...], ssl.SSLContext] = {}
_contexts_lock = threading.Lock()


def tls_context(files: tuple[tuple[str, str], ...] = ()) -> ssl.SSLContext:
    """The OS trust store plus certifi plus ``files``: built once per set of files (reading every CA takes tens of
    milliseconds), again when a file changes. A missing or unreadable file is an error naming it."""
    key = tuple(_file_key(path, where) for path, where in files)
    with _contexts_lock:
        found = _contexts.get(key)
    if found is not None:
        return found
    context = later.truststore.SSLContext(later.ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(cafile=later.certifi.where())
    for path, where in files:
        load_ca(context, path, where)
    with _contexts_lock:
        return _contexts.setdefault(key, context)


def _file_key(path: str, where: str) -> tuple[str, int, int]:
    try:
        stat = os.stat(path)
    except OSError as exc:
        raise ValidationError(
            f"{path} cannot be read ({exc.strerror or exc})",
            where=where,
            hint=f"fix or unset {where}"
            if where in CA_ENV
            else "fix the path in --ca-bundle or the profile's CA bundle",
        ) from None
    return path, stat.st_mtime_ns, stat.st_size


async def prepare(base_url: str, settings: NetworkSettings) -> None:
    """Build the TLS context a client of ``base_url`` will use, off the event loop (the window calls this before
    it makes clients, so the first request does not freeze it)."""
    await later.asyncio.to_thread(route, base_url, settings)


# ----- which route a client takes (for the words of its errors) --------------------------------------------------
_routes: weakref.WeakKeyDictionary[httpx.AsyncClient, Route] = weakref.WeakKeyDictionary()


def remember_route(client: httpx.AsyncClient, found: Route) -> None:
    _routes[client] = found


def route_of(client: httpx.AsyncClient) -> Route | None:
    return _routes.get(client)


# ----- failures in words ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ConnectFailure:
    """A connection that failed before the request went out, in words. ``lasting``: the same request fails the
    same way until a setting changes (a certificate not trusted, a proxy password refused): not worth retrying."""

    message: str
    hint: str
    lasting: bool = True


_VERIFY_EXPIRED, _VERIFY_NOT_YET_VALID, _VERIFY_HOSTNAME = 10, 9, 62
_VERIFY_UNTRUSTED = {2, 18, 19, 20, 21, 27}


async def connect_failure(exc: httpx.HTTPError, host: str, found: Route | None) -> ConnectFailure | None:
    """Why a connection failed, in words: the proxy (unreachable, or its refusal), or the server's certificate (not
    trusted, with its issuer; for another name; expired). None for the others, which the caller words itself."""
    via = f" through the proxy {found.proxy}" if found is not None and found.proxy else ""
    where = f"cannot connect to {host}{via}"
    if isinstance(exc, later.httpx.ProxyError):
        return _proxy_refusal(str(exc), where, found)
    tls = _cause(exc, later.ssl.SSLError)
    if isinstance(tls, later.ssl.SSLCertVerificationError):
        return await _certificate_error(tls, host, where, found)
    if tls is not None:
        reason = printable(getattr(tls, "reason", None) or str(tls))
        return ConnectFailure(
            f"{where}: the TLS handshake failed ({reason})",
            "check that the base URL's port speaks https; a proxy that inspects TLS may need its CA added: " + CA_HINT,
        )
    if found is not None and found.proxy:
        timed_out = isinstance(exc, later.httpx.ConnectTimeout)
        why = "no answer in time" if timed_out else printable(_os_reason(exc))
        return ConnectFailure(
            f"{where}: cannot reach the proxy {found.proxy} ({why})",
            f"check the proxy address (from {found.proxy_source}) and that this computer can reach it",
            lasting=False,
        )
    return None


def _proxy_refusal(text: str, where: str, found: Route | None) -> ConnectFailure:
    match = re.match(r"(\d{3})\s*(.*)", text.strip())
    status, phrase = (int(match[1]), printable(match[2])) if match else (0, printable(text))
    proxy = found.proxy if found is not None and found.proxy else "the proxy"
    if status == 407:
        return ConnectFailure(
            f"{where}: the proxy refused the connection (407: proxy authentication required): check the proxy's user"
            " and password",
            f"for {proxy}, the user goes in the proxy URL "
            "(http://user@host:port), the password in the keyring (the profile's Proxy password, or "
            "'topic-inspector profile add NAME --proxy URL', which asks for it)",
        )
    if status in (502, 503, 504):
        return ConnectFailure(
            f"{where}: the proxy could not reach the server ({status}: {phrase})",
            "check the base URL; if the server is inside your network, add its host to NO_PROXY",
            lasting=False,
        )
    said = f"{status}: {phrase}" if status else phrase
    return ConnectFailure(
        f"{where}: the proxy refused the connection ({said})",
        f"ask who runs {proxy} to allow this host, or add the host to NO_PROXY if it is reached directly",
    )


async def _certificate_error(
    error: ssl.SSLCertVerificationError, host: str, where: str, found: Route | None
) -> ConnectFailure:
    code = getattr(error, "verify_code", None)
    detail = printable(str(getattr(error, "verify_message", "") or error.reason or error))
    lowered = detail.lower()
    if code == _VERIFY_HOSTNAME or "hostname" in lowered or "ip address mismatch" in lowered:
        return ConnectFailure(
            f"{where}: the server's certificate is for another name than {host.rsplit(':', 1)[0]} ({detail})",
            "check the base URL's host name; if a proxy inspects TLS, its certificate must name the host",
        )
    if code in (_VERIFY_EXPIRED, _VERIFY_NOT_YET_VALID) or "expired" in lowered:
        state = "is not valid yet" if code == _VERIFY_NOT_YET_VALID else "has expired"
        return ConnectFailure(
            f"{where}: the server's certificate {state} ({detail})",
            "check this computer's date and time; otherwise the server's owner must renew its certificate",
        )
    if code in _VERIFY_UNTRUSTED or code is None or "issuer" in lowered or "self-signed" in lowered:
        issuer = await peer_issuer(found) if found is not None else None
        return ConnectFailure(
            f"{where}: the server's certificate is not trusted (issuer {issuer or 'unknown'}): {CA_HINT}",
            f"your IT department has the CA certificate (a PEM file) of the company's TLS inspection; the check said:"
            f" {detail}",
        )
    return ConnectFailure(f"{where}: the server's certificate was refused ({detail})", CA_HINT)


class _Seen(Exception):
    """Stops the probe once the handshake is over: nothing is sent to a server that is not trusted."""


async def peer_issuer(found: Route) -> str | None:
    """Who issued the certificate a server shows (through the same proxy), for the words of an untrusted one. The
    handshake is not verified, and the probe stops right after it: no request reaches the server."""
    certificates: list[bytes] = []
    event = "proxy.start_tls.complete" if found.transport_proxy is not None else "connection.start_tls.complete"

    async def trace(name: str, info: dict[str, Any]) -> None:
        if name == event:
            stream = info["return_value"]
            certificates.append(stream.get_extra_info("ssl_object").getpeercert(binary_form=True) or b"")
            await stream.aclose()  # httpcore loses a stream whose set-up fails: closed here
            raise _Seen

    unverified = later.ssl.SSLContext(later.ssl.PROTOCOL_TLS_CLIENT)
    unverified.check_hostname = False
    unverified.verify_mode = later.ssl.CERT_NONE  # only to read the certificate's issuer; nothing is sent
    transport = later.httpx.AsyncHTTPTransport(verify=unverified, proxy=found.transport_proxy)
    request = later.httpx.Request("HEAD", found.base_url, extensions={"trace": trace})
    try:
        async with transport:
            await later.asyncio.wait_for(transport.handle_async_request(request), ISSUER_PROBE_TIMEOUT)
    except (_Seen, later.httpx.HTTPError, OSError, TimeoutError):
        pass
    return certificate_issuer(certificates[0]) if certificates and certificates[0] else None


def certificate_issuer(der: bytes) -> str | None:
    """The issuer's common name, organisation and unit of a DER certificate ("Example Corp Root CA, Example Corp"),
    as printable text; None when the certificate cannot be read."""
    names = {b"\x55\x04\x03": "", b"\x55\x04\x0a": "", b"\x55\x04\x0b": ""}  # CN, O, OU
    try:
        _, start, end = _der(der, 0)  # Certificate
        _, start, end = _der(der, start)  # tbsCertificate
        fields = list(_children(der, start, end))
        if fields[0][0] == 0xA0:  # [0] version
            fields = fields[1:]
        _, start, end = fields[2]  # serialNumber, signature, issuer
        for _, set_start, set_end in _children(der, start, end):  # RelativeDistinguishedName
            for _, seq_start, seq_end in _children(der, set_start, set_end):  # AttributeTypeAndValue
                (_, oid_start, oid_end), (_, value_start, value_end) = list(_children(der, seq_start, seq_end))[:2]
                oid = der[oid_start:oid_end]
                if oid in names and not names[oid]:
                    names[oid] = der[value_start:value_end].decode("utf-8", "replace")
    except (IndexError, ValueError):
        return None
    text = ", ".join(printable(value) for value in names.values() if value)
    return text[:200] or None


def _der(data: bytes, at: int) -> tuple[int, int, int]:
    """One DER element at ``at``: its tag and the start and end of its content."""
    tag, length = data[at], data[at + 1]
    at += 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(data[at : at + count], "big")
        at += count
    if at + length > len(data):
        raise ValueError("truncated")
    return tag, at, at + length


def _children(data: bytes, start: int, end: int) -> list[tuple[int, int, int]]:
    found = []
    while start < end:
        element = _der(data, start)
        found.append(element)
        start = element[2]
    return found


def _cause(exc: BaseException, kind: type[ssl.SSLError]) -> ssl.SSLError | None:
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None or isinstance(seen, kind):
            return seen if isinstance(seen, kind) else None
        seen = seen.__cause__ or seen.__context__
    return None


def _os_reason(exc: BaseException) -> str:
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            break
        if isinstance(seen, OSError) and (seen.errno or seen.strerror):
            # asyncio words a refusal "Connect call failed (address)"; its errno says why ("connection refused").
            # A name not found (socket.gaierror) has codes of its own: its strerror says it.
            if seen.errno and seen.errno > 0 and not isinstance(seen, later.socket.gaierror):
                return os.strerror(seen.errno).lower()
            return (seen.strerror or str(seen)).lower()
        seen = seen.__cause__ or seen.__context__
    return str(exc).strip() or type(exc).__name__
