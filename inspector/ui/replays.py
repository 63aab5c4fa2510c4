"""Replay in the window: the "Replay to…" dialog for a table's messages or a file, the job it starts in the
journal, and the jobs dock (made after the window is shown, where the saved layout put it).

The dialog and the jobs panel (``inspector.ui.topic.replay``) and the journal load on first use."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction

from inspector.core.errors import InspectorError
from inspector.ui import later

if TYPE_CHECKING:
    from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu

    from inspector.core.replay import Journal
    from inspector.core.rows import Row
    from inspector.core.services.workato import EventStreamsClient
    from inspector.ui.context import AppContext
    from inspector.ui.tasks import Tasks
    from inspector.ui.topic.replay import JobsPanel, ReplayDialog, SourceMessage
    from inspector.ui.topic.view import TopicView

OpenTopic = Callable[[str, int], Awaitable["TopicView | None"]]


class Replays:
    """The window's replays. ``menu`` gets "Replay a file…" now and the dock's toggle when the dock is made."""

    def __init__(self, window: QMainWindow, ctx: AppContext, menu: QMenu, tasks: Tasks, open_topic: OpenTopic) -> None:
        self.window = window
        self.ctx = ctx
        self.menu = menu
        self.tasks = tasks
        self.open_topic = open_topic
        self.dialog: ReplayDialog | None = None  # the last one opened
        self._jobs: JobsPanel | None = None
        replay_file = QAction("Replay a file…", window)
        replay_file.triggered.connect(self.ask_file)
        menu.addAction(replay_file)

    @functools.cached_property
    def dock(self) -> QDockWidget:
        """The jobs dock, where the saved layout put it (``MainWindow.restore`` has kept its place for it)."""
        dock = later.QDockWidget("Replay jobs", self.window)
        dock.setObjectName("replay-jobs")
        self.window.addDockWidget(later.Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        dock.hide()
        self.window.restoreDockWidget(dock)
        self.menu.addAction(dock.toggleViewAction())
        return dock

    @property
    def jobs(self) -> JobsPanel:
        """The jobs panel, made (and the journal opened) on first use: by ``MainWindow.start_background`` after
        the window is shown, or earlier by whatever needs it."""
        if self._jobs is None:
            journal: Journal | None = None
            unread: later.replay.JournalVersionError | None = None
            try:
                journal = self.ctx.journal
            except (
                later.replay.JournalVersionError
            ) as exc:  # a newer app's journal: the window carries on without replay jobs
                unread = exc
            self._jobs = later.topic_replay.JobsPanel(journal, self._client_for_destination)
            self.dock.setWidget(self._jobs)
            if unread is not None:
                self._say(f"No replay jobs: {unread.describe()}")
                self.window.statusBar().showMessage(f"No replay jobs: {unread.message}", 30_000)
            if not self._jobs.notice.isHidden():  # shown at once when a job was interrupted or the journal unread
                self.dock.show()
        return self._jobs

    def _say(self, text: str) -> None:
        self.jobs.notice.setText(text)
        self.jobs.notice.show()

    def replay_rows(self, view: TopicView, rows: list[Row], profile: str) -> ReplayDialog | None:
        """Ask where to replay ``rows`` (messages of a topic's table, of ``profile``) and start the job."""
        if not rows:
            view.notice.setText("No messages to replay: select some, or clear the filter.")
            view.notice.show()
            return None
        source, format_utc = later.topic_replay.SourceMessage, later.topic_model.format_utc
        messages: list[SourceMessage] = [source(r.payload, r.message_id, format_utc(r.timestamp)) for r in rows]
        return self.open_dialog(messages, f"{profile} · {view.entry.label}")

    def open_dialog(self, messages: list[SourceMessage], source: str) -> ReplayDialog:
        def topics(profile: str) -> list[tuple[int, str]]:
            return [(e.id, e.label) for e in self.ctx.workspace.topics_of(profile)]

        dialog: ReplayDialog = later.topic_replay.ReplayDialog(
            messages, self.ctx.profiles(), topics, source, self.window
        )
        dialog.accepted.connect(lambda: self.start(dialog))
        dialog.openInEditor.connect(lambda name, topic, text: self.tasks.spawn(self._edit_in(name, topic, text)))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.dialog = dialog
        return dialog

    def start(self, dialog: ReplayDialog) -> str | None:
        """The dialog's job, written to the journal and started; returns its id."""
        profile = dialog.profile
        if profile is None:
            return None
        topic = dialog.topic_id()
        destination = {
            "topic": topic,
            "profile": profile.name,
            "events_url": profile.endpoint().events_url,
            "label": f"topic {topic} of {profile.name}",
        }
        try:
            job_id = self.ctx.journal.create(dialog.source, destination, dialog.items())
        except InspectorError as exc:
            self._say(exc.describe())
            return None
        self.dock.show()
        self.jobs.start(job_id)
        return job_id

    async def _client_for_destination(self, destination: dict[str, Any]) -> EventStreamsClient | None:
        profile = self.ctx.profile(str(destination.get("profile", "")))
        if profile is None:
            raise InspectorError(f"the profile {destination.get('profile')!r} of this job no longer exists")
        token = await self.ctx.token_source(profile)
        return self.ctx.client(profile, token) if token else None

    async def _edit_in(self, profile: str, topic: int, text: str) -> None:
        self.ctx.workspace.add_topic(profile, topic)
        view = await self.open_topic(profile, topic)
        if view is not None and view.publisher is not None:
            view.publisher.set_text(text)
            view.detail_tabs.setCurrentWidget(view.publisher)

    def ask_file(self) -> None:
        dialog = later.QFileDialog(self.window, "Replay messages from a file")
        dialog.setNameFilters(["JSON Lines and JSON (*.jsonl *.ndjson *.json)", "All files (*)"])
        dialog.fileSelected.connect(lambda name: self.replay_file(Path(name)))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def replay_file(self, path: Path) -> ReplayDialog | None:
        try:
            items = later.export.import_file(path)
        except InspectorError as exc:
            self._say(exc.describe())
            self.dock.show()
            return None
        source = later.topic_replay.SourceMessage
        messages: list[SourceMessage] = [source(i.payload, i.source_id, i.source_time) for i in items]
        return self.open_dialog(messages, str(path))
