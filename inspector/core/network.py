"""Company networks: the proxy and CA bundle a profile or the command line adds, checked, and in force for a
command's connections (``configure``). How a base URL is then reached (the environment's proxy, NO_PROXY, the trust
stores) and why a connection failed, in words, is ``inspector.core.connection``: this part is what the window
needs before its first frame (profiles check their settings with it), that one what its first connection needs.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from inspector.core import later
from inspector.core.errors import ValidationError

# ssl is imported where used: profiles (and so the window's start) import this module.
if TYPE_CHECKING:
    import ssl


CA_ENV = ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")
CA_HINT = "add your company's CA with --ca-bundle FILE or the profile's CA bundle, or SSL_CERT_FILE"


@dataclass(frozen=True)  # no slots: made twice, and the window imports this module before it is shown
class NetworkSettings:
    """What a profile or the command line adds to the environment: a proxy and a CA bundle file.

    ``proxy_password`` is read from the keyring for the proxy's user (never saved with the settings)."""

    proxy: str | None = None  # http://[user@]host:port
    ca_bundle: str | None = None  # a PEM file of CA certificates, trusted besides the OS store and certifi
    proxy_password: str | None = field(default=None, repr=False)


# ----- settings from the command line, profiles and the environment ---------------------------------------------
_process_settings = NetworkSettings()


def configure(settings: NetworkSettings) -> None:
    """The settings of a command's connection (``--proxy``, ``--ca-bundle`` or its profile's): used by every client
    the process makes without settings of its own. The window passes each profile's settings instead."""
    global _process_settings
    _process_settings = settings


def configured() -> NetworkSettings:
    return _process_settings


def check_proxy_url(text: str, *, where: str = "proxy", allow_password: bool = False) -> str:
    """A proxy URL as ``scheme://[user@]host:port`` (http:// when no scheme is given, as curl does)."""
    value = text.strip()
    if "://" not in value:
        value = "http://" + value
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError as exc:
        raise ValidationError(f"{_shown(text)} is not a proxy URL ({exc})", where=where, hint=_PROXY_FORM) from None
    scheme = parts.scheme.lower()
    if scheme.startswith("socks"):
        raise ValidationError(
            f"{scheme} proxies are not supported", where=where, hint="give the proxy's HTTP address: " + _PROXY_FORM
        )
    if scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise ValidationError(f"{_shown(text)} is not a proxy URL", where=where, hint=_PROXY_FORM)
    if parts.query or parts.fragment:
        raise ValidationError(f"{_shown(text)} has a query or fragment", where=where, hint=_PROXY_FORM)
    if parts.password is not None and not allow_password:
        raise ValidationError(
            "holds a password, which would be saved or shown in clear",
            where=where,
            hint="give only the user (http://user@host:port): the password is kept in the OS keyring",
        )
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    user = f"{parts.username}@" if parts.username else ""
    return f"{scheme}://{user}{host}:{port or (443 if scheme == 'https' else 80)}"


def _shown(text: str) -> str:
    """A proxy URL fit for an error: its password (from the environment) masked, controls made visible."""
    return repr(printable(re.sub(r"(//[^/@:]*:)[^@/]*@", r"\1***@", text)))


_PROXY_FORM = "write it as http://host:port (or http://user@host:port for a proxy that asks for a password)"


def proxy_user(proxy: str | None) -> str:
    """The user named in a proxy URL ('' for none)."""
    return unquote(urlsplit(proxy).username or "") if proxy else ""


def proxy_account(proxy: str) -> str:
    """The keyring account of a proxy's password: by the proxy's scheme, user, host and port."""
    return "proxy:" + check_proxy_url(proxy, allow_password=True)


def check_ca_file(path: str, *, where: str = "CA bundle") -> str:
    """The absolute path of a readable PEM file holding at least one certificate."""
    full = Path(path.strip()).expanduser()
    with contextlib.suppress(OSError):
        full = full.resolve()
    load_ca(later.ssl.SSLContext(later.ssl.PROTOCOL_TLS_CLIENT), str(full), where)
    return str(full)


def load_ca(context: ssl.SSLContext, path: str, where: str) -> None:
    """Add the CA certificates of a PEM file to ``context``; a file that cannot be read or holds none is an error
    naming it."""
    try:
        data = Path(path).read_text(encoding="ascii", errors="replace")
    except OSError as exc:
        raise ValidationError(
            f"{path} cannot be read ({exc.strerror or exc})",
            where=where,
            hint="give the path of your company's CA certificate file (PEM); check that it exists and is readable",
        ) from None
    try:
        context.load_verify_locations(cadata=data)
    except (later.ssl.SSLError, ValueError) as exc:
        raise ValidationError(
            f"{path} holds no CA certificate in PEM form ({exc.__class__.__name__})",
            where=where,
            hint="export the CA certificate as PEM (text starting with -----BEGIN CERTIFICATE-----)",
        ) from None


def printable(text: str) -> str:
    """Text a server or proxy sent, as data in one line of words: its controls written as visible escapes."""
    return later.terminal.escape_text(text.strip())[:300]
