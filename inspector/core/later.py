"""The core's start-up table: the heavy modules its code uses, imported when first used (``later.httpx.URL``).

The window imports the core's profiles, network and secrets before it is shown, and these load OpenSSL, the HTTP
client or D-Bus; bench/startup.py measures the difference. One of the start-up tables, beside the registry
(``inspector.services``), the CLI's command table and the window's (``inspector.ui.later``). It imports nothing
of the app but ``inspector.core.terminal`` and ``inspector.core.timeparse``, which import nothing of it but the
errors: every core module may use it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

MODULES: dict[str, str] = {
    "asyncio": "asyncio",
    "certifi": "certifi",
    "hashlib": "hashlib",  # OpenSSL
    "httpcore": "httpcore",  # httpx's transport (and h11, anyio): loaded by the first client httpx makes
    "httpx": "httpx",
    "idna": "idna",
    "keyring": "keyring",  # and its errors; its backends load D-Bus, crypto and platform modules
    "platformdirs": "platformdirs",  # the app's folders on macOS and Windows (inspector.core.paths)
    "pwd": "pwd",  # a home folder when HOME is not set (POSIX only)
    "socket": "socket",
    "ssl": "ssl",
    "terminal": "inspector.core.terminal",  # only for an error's words
    "timeparse": "inspector.core.timeparse",  # datetime and its patterns: the window's first frame reads no time
    "truststore": "truststore",
}

if TYPE_CHECKING:
    import asyncio as asyncio
    import hashlib as hashlib
    import pwd as pwd
    import socket as socket
    import ssl as ssl

    import certifi as certifi
    import httpcore as httpcore
    import httpx as httpx
    import idna as idna
    import keyring as keyring
    import platformdirs as platformdirs
    import truststore as truststore

    from inspector.core import terminal as terminal
    from inspector.core import timeparse as timeparse
else:

    def __getattr__(name: str) -> object:
        try:
            path = MODULES[name]
        except KeyError:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
        module = globals()[name] = importlib.import_module(path)
        return module
