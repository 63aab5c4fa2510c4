"""Crash reports: an error the app did not expect is written to a text file the user can send, and the app
goes on where it can.

A report holds the versions, where it happened and the traceback (code lines and the error's message, never the
values of variables). It is redacted as the logs are, and the tokens the process holds (a session's, or
``TOPIC_INSPECTOR_TOKEN``) are replaced by ``[token]`` wherever they show, in any encoding the leak tests look
for; so are the keyring's tokens in use, found by their fingerprints (the process does not hold them).
Reports go to the app's log folder, ``crash-YYYYMMDD-HHMMSS-NNNNNN.txt``; the newest ``KEEP`` are kept.
A fatal error Python cannot handle (a segmentation fault in a library) is written to ``fatal.log`` there by
``faulthandler``: only stack frames (file, line, function), which hold no values.
"""

from __future__ import annotations

import base64
import faulthandler
import json
import platform
import re
import sys
import traceback
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO
from urllib.parse import quote, quote_plus

from inspector import __version__
from inspector.core.paths import AppPaths, atomic_write
from inspector.core.redact import redact
from inspector.core.secrets import env_token, fingerprints_in_use, token_fingerprint

KEEP = 20

_fatal_log: IO[str] | None = None


def crash_folder() -> Path:
    return AppPaths.current().log


# A run of the characters API tokens are made of: a candidate to compare with the fingerprints of tokens.
_WORD = re.compile(r"[A-Za-z0-9._~+/=:-]{8,}")


def scrub_tokens(text: str, tokens: Iterable[str] = (), fingerprints: Iterable[str] = ()) -> str:
    """``text`` with each token replaced, as is and URL-, JSON-, hex- and base64-encoded; and each word whose
    fingerprint (``token_fingerprint``) is one of ``fingerprints``: tokens this process does not hold (the
    keyring's) are found that way without being read."""
    wanted = set(fingerprints)
    if wanted:
        text = _WORD.sub(lambda m: "[token]" if _fingerprint_match(m.group(0), wanted) else m.group(0), text)
    for token in {t for t in tokens if t and len(t) >= 4}:
        raw = token.encode()
        forms = {token, quote(token, safe=""), quote_plus(token), json.dumps(token)[1:-1], raw.hex(), raw.hex().upper()}
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            for shift in range(3):  # inside longer base64 (Basic credentials, a dump) at one of 3 alignments
                encoded = encode(b"\0" * shift + raw).decode()
                forms.add(encoded[-(-8 * shift // 6) : 8 * (shift + len(raw)) // 6])  # the token's bits only
        for form in sorted(forms, key=len, reverse=True):
            text = text.replace(form, "[token]")
    return text


def _fingerprint_match(word: str, wanted: set[str]) -> bool:
    # the word itself, or without what often clings to a token in text (a scheme's colon, a closing quote)
    return any(token_fingerprint(w) in wanted for w in {word, word.strip(":=.-"), word.rsplit(":", 1)[-1]} if w)


def format_report(
    error: BaseException,
    where: str,
    *,
    tb: TracebackType | None = None,
    tokens: Iterable[str] = (),
    fingerprints: Iterable[str] = (),
) -> str:
    lines = [
        f"Topic Inspector {__version__} crash report",
        f"when:     {datetime.now(UTC).isoformat(timespec='seconds')}",
        f"where:    {where}",
        f"python:   {sys.version.split()[0]} ({platform.python_implementation()})",
        f"system:   {platform.platform()}",
        f"packaged: {'yes' if getattr(sys, 'frozen', False) else 'no'}",
        "",
        "".join(traceback.format_exception(type(error), error, tb or error.__traceback__)).rstrip(),
        "",
    ]
    return scrub_tokens(redact("\n".join(lines)), tokens, {*fingerprints, *fingerprints_in_use()})


def write_report(
    error: BaseException,
    where: str,
    *,
    tb: TracebackType | None = None,
    tokens: Iterable[str] = (),
    fingerprints: Iterable[str] = (),
) -> Path:
    """Write a report of ``error`` (raised in ``where``: a short phrase) and return its path. ``tokens`` and
    ``fingerprints`` are scrubbed (see ``scrub_tokens``)."""
    folder = crash_folder()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    path = folder / f"crash-{stamp}.txt"
    text = format_report(error, where, tb=tb, tokens=tokens, fingerprints=fingerprints)
    atomic_write(path, text.encode("utf-8"))
    for old in sorted(folder.glob("crash-*.txt"))[:-KEEP]:
        old.unlink(missing_ok=True)
    return path


def enable_fatal_log() -> Path | None:
    """Let ``faulthandler`` write the stacks of a fatal error (segfault, abort) to ``fatal.log``; None if the
    folder cannot be written (then faulthandler writes to stderr)."""
    global _fatal_log
    path = crash_folder() / "fatal.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if _fatal_log is None or _fatal_log.closed:
            _fatal_log = open(path, "a", encoding="utf-8")  # noqa: SIM115 - open for the life of the process
    except OSError:
        faulthandler.enable()
        return None
    faulthandler.enable(_fatal_log)
    return path


def known_tokens() -> list[str]:
    """Tokens this process holds without the keyring: ``TOPIC_INSPECTOR_TOKEN`` (the window adds its session's)."""
    value = env_token()
    return [value] if value else []
