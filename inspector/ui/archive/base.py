"""What the archive's window parts share without loading SQLite (``actions``, loaded with the window, imports
it): the main window as they use it, and where the archive is."""

from __future__ import annotations

from collections.abc import Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from inspector.core.paths import AppPaths

if TYPE_CHECKING:
    import asyncio

    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QMenuBar, QStatusBar, QTabWidget

    from inspector.ui.context import AppContext
    from inspector.ui.menus import Menus
    from inspector.ui.notices import Notices
    from inspector.ui.replays import Replays
    from inspector.ui.services._common import ServicePanel
    from inspector.ui.sidebar import Sidebar
    from inspector.ui.topic.view import TopicView

T = TypeVar("T")
ARCHIVE_FILE = "archive.sqlite"  # inspector.core.archive.database.FILE_NAME, named without loading SQLite


def archive_path(ctx: AppContext) -> Path:
    """Where the window's archive is: ``archive.sqlite`` in the app's data folder (the demo's is its own)."""
    return ctx.archive_path or AppPaths.current().data / ARCHIVE_FILE


class ArchiveWindow(Protocol):
    """What the archive's actions, its Search tab and its dialogs use of the main window (``MainWindow``)."""

    ctx: AppContext
    tree: Sidebar
    tabs: QTabWidget
    menus: Menus
    notices: Notices
    replays: Replays
    service_views: dict[tuple[str, str], ServicePanel]
    utc_action: QAction
    remove_topic_action: QAction

    def statusBar(self) -> QStatusBar: ...

    def menuBar(self) -> QMenuBar: ...

    def spawn(self, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]: ...

    def _mark_dirty(self, *args: object) -> None: ...

    def _update_tab_titles(self) -> None: ...

    def _update_empty_hint(self) -> None: ...

    def refresh_tree(self) -> None: ...

    async def open_topic(self, profile_name: str, topic_id: int, *, resume: bool = False) -> TopicView | None: ...
