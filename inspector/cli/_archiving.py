"""``consume --archive``: the writer that keeps what a tail reads in the app's archive (the window's caps), and its
last words. Apart from the ``archive`` command, so ``consume --help`` loads no other command's module."""

from __future__ import annotations

from inspector.cli._common import count
from inspector.core.archive import ArchiveWriter
from inspector.core.terminal import say
from inspector.core.workspace import saved_archive_settings


def archive_writer() -> ArchiveWriter:
    """The writer of ``consume --archive``: the window's caps, its notices on standard error."""
    settings = saved_archive_settings()
    return ArchiveWriter(
        max_bytes=settings.max_bytes,
        max_age_days=settings.max_age_days,
        on_notice=lambda words: say(f"warning: {words}"),
    )


def close_writer(writer: ArchiveWriter, label: str) -> None:
    """Commit what is left, and say what was kept."""
    writer.close()
    again = f" ({count(writer.duplicates, 'message')} already there)" if writer.duplicates else ""
    say(f"{label}: {count(writer.written, 'message')} archived{again}")
