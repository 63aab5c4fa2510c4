"""The archive's upkeep from the window: pruning to its caps (at start, in the background, by the archive's
writer; and when the caps are saved), *Forget this topic's archive* and *Forget everything*, each confirmed with
how many messages go; and the dialogs of File → Import into archive… and Archive settings…
(``inspector.ui.archive.dialogs``).

Every call into the archive runs in a worker thread: the window never waits on SQLite."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox, QWidget

from inspector.core.archive import IMPORT_TOPIC, ArchiveError, PruneResult, profile_address
from inspector.core.errors import InspectorError
from inspector.ui.archive.base import archive_path
from inspector.ui.archive.dialogs import ImportDialog, SettingsDialog
from inspector.ui.archive.search import SEARCH_KEY, SearchPanel, open_search
from inspector.ui.archive.shared import app_archive, count_words, kept_archive, off_thread, size_words, topic_words
from inspector.ui.widgets import plain_message_box

if TYPE_CHECKING:
    from inspector.core.profiles import Profile
    from inspector.core.workspace import ArchiveSettings
    from inspector.ui.archive.base import ArchiveWindow
    from inspector.ui.context import AppContext

__all__ = [
    "ImportDialog",
    "SettingsDialog",
    "confirm_forget_all",
    "confirm_forget_topic",
    "open_import",
    "open_settings",
    "prune",
    "prune_at_start",
    "prune_words",
]


def parent_of(window: ArchiveWindow) -> QWidget:
    return window  # type: ignore[return-value]  # the main window itself


def refresh_search(window: ArchiveWindow) -> None:
    """The Search tab's list of topics (and their counts) again, when it is open."""
    panel = window.service_views.get(SEARCH_KEY)
    if isinstance(panel, SearchPanel):
        panel.tasks.spawn(panel.refresh_topics())


def open_import(window: ArchiveWindow, ctx: AppContext) -> ImportDialog:
    """File → Import into archive…: its "Search them" opens the Search tab on the import."""

    def search(profile: str) -> None:
        open_search(window, ctx, [(profile, IMPORT_TOPIC)])
        refresh_search(window)

    dialog = ImportDialog(parent_of(window), ctx, search)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog


def open_settings(window: ArchiveWindow, ctx: AppContext) -> SettingsDialog:
    """File → Archive settings…: saved, the caps are applied at once (pruned off the UI thread)."""

    def saved(settings: ArchiveSettings) -> None:
        window._mark_dirty()
        writer = ctx.archive_writer
        if writer is not None:  # its own prunes (every so many messages) use the new caps too
            writer.max_bytes, writer.max_age_days = settings.max_bytes, settings.max_age_days
        if settings.enabled:
            window.spawn(prune(window, ctx, settings))
        else:
            window.notices.hide_archive()  # its words are moot now

    dialog = SettingsDialog(parent_of(window), ctx, archive_path(ctx), saved)
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog


# ----- pruning ----------------------------------------------------------------------------------------------------
def prune_words(result: PruneResult, settings: ArchiveSettings) -> str:
    """What a prune removed and why, and what the archive uses now."""
    reasons = []
    if result.removed_by_age:
        reasons.append(f"{count_words(result.removed_by_age, 'message')} older than {settings.max_age_days} days")
    if result.removed_by_size:
        reasons.append(
            f"{count_words(result.removed_by_size, 'message')} over the {size_words(settings.max_bytes)} cap"
        )
    removed = f"removed {' and '.join(reasons)}" if reasons else "nothing to remove"
    return f"Archive pruned: {removed}; it now uses {size_words(result.used_bytes_after)}."


async def prune(window: ArchiveWindow, ctx: AppContext, settings: ArchiveSettings) -> PruneResult | None:
    """Remove the oldest messages beyond the caps (off the UI thread); the outcome in the status bar."""
    try:
        archive = await app_archive(ctx)
        result = await off_thread(archive, lambda a: a.prune(settings.max_bytes, settings.max_age_days))
    except ArchiveError as exc:
        window.statusBar().showMessage(f"The archive could not be pruned: {exc.message}", 15_000)
        return None
    window.statusBar().showMessage(prune_words(result, settings), 10_000)
    if result.removed:
        refresh_search(window)
    return result


async def prune_at_start(window: ArchiveWindow, ctx: AppContext) -> None:
    """At start, in the background: the archive opened, and so pruned to its caps by its writer (which prunes when
    it starts, and then every so many messages, in its own thread)."""
    try:
        await app_archive(ctx)
    except ArchiveError as exc:
        window.statusBar().showMessage(f"The archive cannot be opened: {exc.message}", 15_000)


# ----- forgetting -------------------------------------------------------------------------------------------------
async def confirmed(window: ArchiveWindow, title: str, words: str, act: str) -> bool:
    """Ask, with the window's loop running (no modal loop): True when the user chose ``act``."""
    box = plain_message_box(
        QMessageBox.Icon.Warning,
        title,
        words,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        parent_of(window),
    )
    box.setObjectName("archive-forget-box")
    yes = box.button(QMessageBox.StandardButton.Yes)
    yes.setText(act)
    yes.setAccessibleName(act)
    cancel = box.button(QMessageBox.StandardButton.Cancel)
    cancel.setAccessibleName("Cancel")
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

    def finished(_result: int) -> None:
        if not answer.done():
            answer.set_result(box.clickedButton() is yes)
        box.deleteLater()

    box.finished.connect(finished)
    box.open()
    return await answer


async def confirm_forget_topic(window: ArchiveWindow, ctx: AppContext, profile: Profile, topic: int) -> int:
    """*Forget this topic's archive*: how many messages go, asked, then removed. Returns how many were."""
    address = profile_address(profile)
    words = topic_words(ctx, address, topic)
    try:
        archive = await kept_archive(ctx)
        number = 0 if archive is None else await off_thread(archive, lambda a: a.count(address, topic))
    except ArchiveError as exc:
        window.statusBar().showMessage(f"The archive could not be read: {exc.message}", 15_000)
        return 0
    if archive is None or number == 0:
        window.statusBar().showMessage(f"The archive holds no message of {words}.", 8000)
        return 0
    text = (
        f"Forget the {count_words(number, 'archived message')} of {words}?\n\n"
        f"They are removed from the archive on this computer ({address}, topic {topic}). The topic and the "
        "messages it still retains on the server stay as they are."
    )
    if not await confirmed(window, "Forget this topic's archive", text, f"Forget {count_words(number, 'message')}"):
        return 0
    try:
        removed = await off_thread(archive, lambda a: a.forget_topic(address, topic))
    except InspectorError as exc:
        window.statusBar().showMessage(f"The archive could not forget {words}: {exc.message}", 15_000)
        return 0
    window.statusBar().showMessage(f"Forgot {count_words(removed, 'archived message')} of {words}.", 10_000)
    refresh_search(window)
    return removed


async def confirm_forget_all(window: ArchiveWindow, ctx: AppContext) -> int:
    """*Forget everything*: how many messages of how many topics go, asked, then removed. Returns how many were."""
    try:
        archive = await kept_archive(ctx)
        stats = None if archive is None else await off_thread(archive, lambda a: a.stats())
    except ArchiveError as exc:
        window.statusBar().showMessage(f"The archive could not be read: {exc.message}", 15_000)
        return 0
    if archive is None or stats is None or stats.messages == 0:
        window.statusBar().showMessage("The archive is empty: there is nothing to forget.", 8000)
        return 0
    text = (
        f"Forget all {count_words(stats.messages, 'archived message')} of {count_words(len(stats.topics), 'topic')} "
        f"and imports?\n\nThey are removed from the archive on this computer ({stats.path}); it cannot be undone. "
        "Topics on the servers stay as they are; the messages received from now on are archived again, unless "
        "the archive is turned off (File → Archive settings…)."
    )
    if not await confirmed(window, "Forget everything in the archive", text, "Forget everything"):
        return 0
    try:
        removed = await off_thread(archive, lambda a: a.forget_all())
    except InspectorError as exc:
        window.statusBar().showMessage(f"The archive could not be emptied: {exc.message}", 15_000)
        return 0
    window.statusBar().showMessage(f"Forgot every archived message ({count_words(removed, 'message')}).", 10_000)
    refresh_search(window)
    return removed
