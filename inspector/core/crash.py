"""Crash reports: an error the app did not expect is written to a text file the user can send, and the app
goes on where it can.

A report holds the versions, where it happened and the traceback (code lines and the error's message, never the
values of variables). It is redacted as the logs are, and the tokens the process holds (a session's, or
``TOPIC_INSPECTOR_TOKEN``) are replaced by ``[token]`` wherever they show, in every encoding ``scrub.token_forms``
names; so are the keyring's tokens in use, found by their prints (the process does not hold them; see ``scrub``).
Reports go to the app's log folder, ``crash-YYYYMMDD-HHMMSS-NNNNNN.txt``; the newest ``KEEP`` are kept.
A fatal error Python cannot handle (a segmentation fault in a library) is written to ``fatal.log`` there by
``faulthandler``: only stack frames (file, line, function), which hold no values.
"""

from __future__ import annotations

import faulthandler
import platform
import sys
import traceback
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO

from inspector import __version__
from inspector.core.paths import AppPaths, atomic_write, private_file
from inspector.core.redact import redact
from inspector.core.scrub import Print, prints_in_use, scrub_tokens
from inspector.core.secrets import env_token

KEEP = 20

_fatal_log: IO[str] | None = None


def crash_folder() -> Path:
    return AppPaths.current().log


REPORT_LIMIT = 200_000  # characters of traceback a report keeps (an error's message can hold a whole payload)


def format_report(
    error: BaseException,
    where: str,
    *,
    tb: TracebackType | None = None,
    tokens: Iterable[str] = (),
    prints: Iterable[Print] = (),
) -> str:
    trace = "".join(traceback.format_exception(type(error), error, tb or error.__traceback__)).rstrip()
    if len(trace) > REPORT_LIMIT:
        trace = (
            trace[: REPORT_LIMIT // 2]
            + f"\n[… {len(trace) - REPORT_LIMIT:,} characters cut …]\n"
            + trace[-REPORT_LIMIT // 2 :]
        )
    lines = [
        f"Topic Inspector {__version__} crash report",
        f"when:     {datetime.now(UTC).isoformat(timespec='seconds')}",
        f"where:    {where}",
        f"python:   {sys.version.split()[0]} ({platform.python_implementation()})",
        f"system:   {platform.platform()}",
        f"packaged: {'yes' if getattr(sys, 'frozen', False) else 'no'}",
        "",
        trace,
        "",
    ]
    return scrub_tokens(redact("\n".join(lines)), tokens, {*prints, *prints_in_use()})


def write_report(
    error: BaseException,
    where: str,
    *,
    tb: TracebackType | None = None,
    tokens: Iterable[str] = (),
    prints: Iterable[Print] = (),
) -> Path:
    """Write a report of ``error`` (raised in ``where``: a short phrase) and return its path. ``tokens`` and the
    tokens known by ``prints`` are scrubbed (see ``scrub.scrub_tokens``)."""
    folder = crash_folder()  # made by atomic_write, 0700 (see paths.ensure_private_dir)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    path = folder / f"crash-{stamp}.txt"
    text = format_report(error, where, tb=tb, tokens=tokens, prints=prints)
    atomic_write(path, text.encode("utf-8"))
    for old in sorted(folder.glob("crash-*.txt"))[:-KEEP]:
        old.unlink(missing_ok=True)
    return path


def enable_fatal_log() -> Path | None:
    """Let ``faulthandler`` write the stacks of a fatal error (segfault, abort) to ``fatal.log``; None if the
    folder cannot be written (then faulthandler writes to stderr). The file and its folder are private."""
    global _fatal_log
    path = crash_folder() / "fatal.log"
    try:
        if _fatal_log is None or _fatal_log.closed:
            private_file(path)  # 0600 before it is opened, whatever the umask
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
