"""An error the app did not expect, in the window: a crash report is written (``inspector.core.crash``, tokens
scrubbed) and the status bar says where it is; the window carries on. ``inspector.ui.app.report_crashes`` sends
the errors of Qt slots, threads and asyncio callbacks here, and ``inspector.ui.tasks`` those of tasks."""

from __future__ import annotations

import logging
from pathlib import Path

from inspector.ui import later

log = logging.getLogger("inspector.ui")


def write_crash_report(error: BaseException, where: str, tokens: list[str]) -> Path | None:
    """The report's path; None if it could not be written (the log then has the error)."""
    try:
        path: Path = later.crash.write_report(error, where, tokens=tokens)
    except OSError as exc:
        log.error("unexpected error in %s; no crash report (%s)", where, exc, exc_info=error)
        return None
    log.error("unexpected error in %s: %s; crash report: %s", where, type(error).__name__, path)
    return path


def crash_words(error: BaseException, where: str, path: Path | None) -> str:
    """What the status bar says of it."""
    where_saved = f"a report was saved to {path} (it holds no token)" if path else "see the log"
    return f"Something went wrong in {where} ({type(error).__name__}); {where_saved}. The app carries on."
