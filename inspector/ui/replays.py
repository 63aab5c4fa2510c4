"""Replay in the window: the "Replay to…" dialog for a table's messages or a file, the job it starts in the
journal, and the jobs dock (made after the window is shown, where the saved layout put it).

The dock stays hidden until a job runs, or until *Replay ▸ Show replay jobs* opens it; when it opens by itself it
takes a modest share of the window's height, so the topic's tab keeps its room. A job that finishes while the
dock is hidden or not in use is said in the status bar and counted in the Replay menu's title ("Replay (1
finished)") until the dock is opened.

The dialog and the jobs panel (``inspector.ui.topic.replay``) and the journal load on first use."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QAction, QKeySequence

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

SHOW_JOBS = "Show replay jobs"
SHOW_JOBS_KEYS = "Ctrl+Shift+J"
DOCK_SHARE = 0.2  # of the window's height, when the dock opens by itself (never over a quarter)


class Replays:
    """The window's replays. ``menu`` gets "Replay a file…", "Show replay jobs" and "Open failed items in
    editor" now; the dock and its panel are made when first needed (``MainWindow.start_background``)."""

    def __init__(self, window: QMainWindow, ctx: AppContext, menu: QMenu, tasks: Tasks, open_topic: OpenTopic) -> None:
        self.window = window
        self.ctx = ctx
        self.menu = menu
        self.tasks = tasks
        self.open_topic = open_topic
        self.dialog: ReplayDialog | None = None  # the last one opened
        self._jobs: JobsPanel | None = None
        self.finished: list[str] = []  # jobs that finished while the dock was hidden or not in use: the badge
        self._menu_title = menu.title()
        replay_file = QAction("Replay a file…", window)
        replay_file.triggered.connect(self.ask_file)
        self.jobs_action = QAction(SHOW_JOBS, window)
        self.jobs_action.setCheckable(True)
        self.jobs_action.triggered.connect(self._jobs_action_triggered)
        self.open_failed_action = QAction("Open failed items in editor", window)
        self.open_failed_action.setEnabled(False)  # until the selected job has failed items
        self.open_failed_action.triggered.connect(lambda: self.jobs.open_failed(self.jobs.selected()))
        menu.addAction(replay_file)
        menu.addSeparator()
        menu.addAction(self.jobs_action)
        menu.addAction(self.open_failed_action)

    @functools.cached_property
    def dock(self) -> QDockWidget:
        """The jobs dock, where the saved layout put it (``MainWindow.restore`` has kept its place for it), hidden
        until a job runs or the user asks for it."""
        Qt = later.Qt
        dock = later.QDockWidget("Replay jobs", self.window)
        dock.setObjectName("replay-jobs")
        dock.setAccessibleName("Replay jobs")
        features = later.QDockWidget.DockWidgetFeature
        dock.setFeatures(features.DockWidgetClosable | features.DockWidgetMovable | features.DockWidgetFloatable)
        self.window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        dock.hide()
        self.window.restoreDockWidget(dock)
        dock.hide()  # its place is restored, not its being open: it opens when a job runs
        dock.visibilityChanged.connect(self._dock_visibility)
        self.jobs_action.setShortcut(QKeySequence.fromString(SHOW_JOBS_KEYS))  # after the first frame: see menus.py
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
            panel: JobsPanel = later.topic_replay.JobsPanel(
                journal, self._client_for_destination, destination_words=self.destination_words
            )
            self._jobs = panel
            self.dock.setWidget(panel)
            panel.jobFinished.connect(self._job_finished)
            panel.openFailed.connect(
                lambda profile, topic, text, what: self.tasks.spawn(self._edit_in(profile, topic, text, what))
            )
            panel.selectionShown.connect(self._sync_actions)
            panel.focusEntered.connect(self._clear_badge)
            panel.said.connect(self._said)
            self._sync_actions()
            if unread is not None:
                self._say(f"No replay jobs: {unread.describe()}")
                self.window.statusBar().showMessage(f"No replay jobs: {unread.message}", 30_000)
            if not panel.notice.isHidden():  # shown at once when a job was interrupted or the journal unread
                self.reveal(by_itself=True)
        return self._jobs

    # ----- the dock ----------------------------------------------------------------------------------------
    def reveal(self, *, by_itself: bool = False, focus: bool = False) -> None:
        """Show the jobs dock: at a modest height when it was hidden or opens ``by_itself`` over a quarter of the
        window; ``focus``: the keyboard goes to the job list."""
        dock = self.dock
        panel = self.jobs
        hidden = dock.isHidden()
        dock.show()
        dock.raise_()  # in front of the docks it is tabbed with
        Qt = later.Qt
        vertical = self.window.dockWidgetArea(dock) in (
            Qt.DockWidgetArea.BottomDockWidgetArea,
            Qt.DockWidgetArea.TopDockWidgetArea,
        )
        height = max(round(self.window.height() * DOCK_SHARE), panel.minimumSizeHint().height())
        if vertical and not dock.isFloating() and (hidden or (by_itself and dock.height() > height)):
            self.window.resizeDocks([dock], [height], Qt.Orientation.Vertical)
        if focus:
            panel.jobs.setFocus()
        self.jobs_action.setChecked(True)

    def _jobs_action_triggered(self, checked: bool) -> None:
        if checked or self.finished:  # with a badge, the action shows the finished jobs, whatever the dock's state
            self.reveal(focus=True)
            self._clear_badge()
        else:
            self.dock.hide()

    def _dock_visibility(self, visible: bool) -> None:
        self.jobs_action.setChecked(not self.dock.isHidden())
        if visible and self.dock.isVisible():
            self._clear_badge()

    def _job_finished(self, job_id: str) -> None:
        in_use = self.dock.isVisible() and self.jobs.has_focus()
        if in_use:
            return
        self.finished.append(job_id)
        count = len(self.finished)
        self.menu.setTitle(f"{self._menu_title} ({count} finished)")
        self.jobs_action.setText(f"{SHOW_JOBS} ({count} finished)")
        info = self.jobs.journal.job(job_id)
        self.window.statusBar().showMessage(
            f"Replay job {job_id} to {self.destination_words(info.destination)} finished: {self.jobs.counts(info)} "
            f"— Replay ▸ {SHOW_JOBS} ({SHOW_JOBS_KEYS})",
            30_000,
        )

    def _clear_badge(self) -> None:
        if self.finished:
            self.finished.clear()
            self.menu.setTitle(self._menu_title)
            self.jobs_action.setText(SHOW_JOBS)

    def _sync_actions(self) -> None:
        self.open_failed_action.setEnabled(self.jobs.open_failed_button.isEnabled())

    def _said(self, text: str) -> None:
        if not self.dock.isVisible():  # the panel's notice is out of sight: the status bar says it too
            self.window.statusBar().showMessage(f"Replay jobs: {text}", 30_000)

    def _say(self, text: str) -> None:
        self.jobs.notice.setText(text)
        self.jobs.notice.show()

    # ----- names of topics ---------------------------------------------------------------------------------
    def topic_name(self, profile: str, topic: int) -> str:
        """The saved topic's name ("" when it has none, or is not saved)."""
        entry = self.ctx.workspace.topic(profile, topic)
        return entry.name if entry is not None else ""

    def destination_words(self, destination: dict[str, Any]) -> str:
        """A job's destination as the jobs list says it: its profile and the topic's name as saved now ("Dest ·
        orders"); "topic 7" only when the topic has no name. Jobs of the command line keep their label."""
        profile, topic = destination.get("profile"), destination.get("topic")
        if not isinstance(profile, str) or not isinstance(topic, int):
            return str(destination.get("label") or f"topic {topic}")
        name = self.topic_name(profile, topic) or str(destination.get("name") or "") or f"topic {topic}"
        return f"{profile} · {name}"

    # ----- the dialog and the jobs -------------------------------------------------------------------------
    def replay_rows(self, view: TopicView, rows: list[Row], profile: str) -> ReplayDialog | None:
        """Ask where to replay ``rows`` (messages of a topic's table, of ``profile``) and start the job."""
        if not rows:
            view.notice.setText("No messages to replay: select some, or clear the filter.")
            view.notice.show()
            return None
        source, format_utc = later.topic_replay.SourceMessage, later.topic_model.format_utc
        messages: list[SourceMessage] = [source(r.payload, r.message_id, format_utc(r.timestamp)) for r in rows]
        entry = view.entry
        return self.open_dialog(
            messages, f"{profile} · {entry.name or f'topic {entry.id}'}", origin=(profile, entry.id)
        )

    def open_dialog(
        self, messages: list[SourceMessage], source: str, *, origin: tuple[str, int] | None = None
    ) -> ReplayDialog:
        def topics(profile: str) -> list[tuple[int, str]]:
            return [(e.id, e.label) for e in self.ctx.workspace.topics_of(profile)]

        dialog: ReplayDialog = later.topic_replay.ReplayDialog(
            messages, self.ctx.profiles(), topics, source, self.window, origin=origin
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
        try:
            topic = dialog.topic_id()
            items = dialog.items()
            name = self.topic_name(profile.name, topic)
            destination = {
                "topic": topic,
                "profile": profile.name,
                "events_url": profile.endpoint().events_url,
                "name": name,
                "label": f"{profile.name} · {name or f'topic {topic}'}",
            }
            job_id = self.ctx.journal.create(dialog.source, destination, items)
        except InspectorError as exc:
            self._say(exc.describe())
            self.reveal(by_itself=True)
            return None
        self.reveal(by_itself=True)
        self.jobs.start(job_id)
        return job_id

    async def _client_for_destination(self, destination: dict[str, Any]) -> EventStreamsClient | None:
        profile = self.ctx.profile(str(destination.get("profile", "")))
        if profile is None:
            raise InspectorError(f"the profile {destination.get('profile')!r} of this job no longer exists")
        token = await self.ctx.token_source(profile)
        return self.ctx.client(profile, token) if token else None

    async def _edit_in(self, profile: str, topic: int, text: str, what: str = "") -> TopicView | None:
        """Open ``profile``'s topic (saved first if it was not) and put ``text`` in its Publish editor; the draft
        there stays one Undo away. ``what`` names the text for the editor's status line."""
        if self.ctx.profile(profile) is None:
            self._say(f"The profile {profile!r} no longer exists: add it again to open topic {topic} in an editor.")
            self.reveal(by_itself=True)
            return None
        self.ctx.workspace.add_topic(profile, topic)
        view = await self.open_topic(profile, topic)
        if view is not None and view.publisher is not None:
            if what:
                view.publisher.set_text(text, what=what)
            else:
                view.publisher.set_text(text)
            view.show_publish()
        return view

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
            self.reveal(by_itself=True)
            return None
        source = later.topic_replay.SourceMessage
        messages: list[SourceMessage] = [source(i.payload, i.source_id, i.source_time) for i in items]
        return self.open_dialog(messages, str(path))
