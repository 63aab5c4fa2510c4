"""Replay in the window: the "Replay to…" dialog and the jobs panel (progress, ETA, pause, resume, cancel)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector.core.errors import InspectorError, ValidationError
from inspector.core.models import ItemResult, Outcome
from inspector.core.paths import atomic_write
from inspector.core.profiles import Profile
from inspector.core.replay import (
    JobInfo,
    JobState,
    Journal,
    ReplayItem,
    ReplayProgress,
    UnknownCheck,
    check_unknown,
    run_job,
)
from inspector.core.services.workato import EventStreamsClient
from inspector.core.transform import apply_edits, parse_edits
from inspector.core.validation import MAX_BATCH_ITEMS, human_bytes
from inspector.core.workspace import parse_topic_reference
from inspector.ui.tasks import Tasks
from inspector.ui.topic.publish import ResultsModel
from inspector.ui.widgets import plain_label, set_text


@dataclass(frozen=True)
class SourceMessage:
    """What a replay starts from: a payload, and where it came from when known."""

    payload: dict[str, Any]
    message_id: str | None = None
    time: str | None = None


def budget_seconds(items: int, rpm: int) -> float:
    """Time the rate budget needs for ``items`` in batches of 100 (the first minute's requests go at once)."""
    requests = -(-items // MAX_BATCH_ITEMS)
    if rpm <= 0 or requests <= rpm:
        return 0.0
    return (requests - rpm) * 60.0 / rpm


def words_for_seconds(seconds: float) -> str:
    if seconds < 1:
        return "no wait"
    if seconds < 90:
        return f"about {seconds:.0f} s"
    return f"about {seconds / 60:.0f} min"


class ReplayDialog(QDialog):
    """Choose the destination, see what it costs, optionally edit every payload, then confirm."""

    openInEditor = Signal(object, int, str)  # profile name, topic id, JSON Lines

    def __init__(
        self,
        messages: Sequence[SourceMessage],
        profiles: Sequence[Profile],
        topics: Callable[[str], list[tuple[int, str]]],
        source: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Replay to…")
        self.messages = list(messages)
        self._size = sum(  # the payloads as they came, once: the summary is redrawn at each keystroke
            len(json.dumps(m.payload, ensure_ascii=False, separators=(",", ":")).encode()) for m in self.messages
        )
        self.source = source
        self._topics = topics
        self._profiles = {p.name: p for p in profiles}
        self.profile_box = QComboBox()
        self.profile_box.addItems(list(self._profiles))
        self.topic_box = QComboBox()
        self.topic_box.setEditable(True)
        self.topic_box.setToolTip("A topic of the profile, or a topic id or its URL in Workato")
        self.edits = QPlainTextEdit()
        self.edits.setPlaceholderText(
            "Optional, one per line, applied to every payload in order:\n"
            "set status = 'replayed'\nset customer.name = payload.customer.full_name\nremove internal_id"
        )
        self.edits.setMaximumHeight(110)
        self.summary = plain_label()
        self.summary.setWordWrap(True)
        self.problem = plain_label()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #c62828")
        form = QFormLayout()
        form.addRow("Destination profile", self.profile_box)
        form.addRow("Destination topic", self.topic_box)
        form.addRow("Edit payloads", self.edits)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.replay_button = self.buttons.addButton("Replay", QDialogButtonBox.ButtonRole.AcceptRole)
        self.editor_button = self.buttons.addButton("Open in publish editor", QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.buttons.rejected.connect(self.reject)
        self.replay_button.clicked.connect(self._accept_if_valid)
        self.editor_button.clicked.connect(self._open_in_editor)
        self.profile_box.currentTextChanged.connect(self._fill_topics)
        self.topic_box.currentTextChanged.connect(self.update_summary)
        self.edits.textChanged.connect(self.update_summary)
        self._fill_topics(self.profile_box.currentText())

    def _fill_topics(self, name: str) -> None:
        self.topic_box.clear()
        for topic_id, label in self._topics(name):
            self.topic_box.addItem(label, topic_id)
        self.update_summary()

    @property
    def profile(self) -> Profile | None:
        return self._profiles.get(self.profile_box.currentText())

    def topic_id(self) -> int:
        data = self.topic_box.currentData()
        if isinstance(data, int) and self.topic_box.currentText() == self.topic_box.itemText(
            self.topic_box.currentIndex()
        ):
            return data
        return parse_topic_reference(self.topic_box.currentText())

    def payloads(self) -> list[dict[str, Any]]:
        """Every payload with the edits applied; raises ``ValidationError`` naming the edit line or message."""
        edits = parse_edits(self.edits.toPlainText())
        if not edits:
            return [m.payload for m in self.messages]
        return [apply_edits(edits, m.message_id, m.time, m.payload) for m in self.messages]

    def update_summary(self) -> None:
        profile = self.profile
        size = self._size
        rpm = profile.endpoint().rate_limit_rpm if profile else 0
        wait = budget_seconds(len(self.messages), rpm)
        set_text(
            self.summary,
            f"{len(self.messages):,} messages, {human_bytes(size)}, in {-(-len(self.messages) // MAX_BATCH_ITEMS):,} "
            f"requests; at {rpm or 'no'} requests/min the rate budget needs {words_for_seconds(wait)}.",
        )
        problem = ""
        try:
            if profile is None:
                raise ValidationError("add a profile first", where="destination")
            self.topic_id()
            self.payloads()
        except ValidationError as exc:
            problem = exc.message
        set_text(self.problem, problem)
        self.replay_button.setEnabled(not problem)
        self.editor_button.setEnabled(not problem)

    def _accept_if_valid(self) -> None:
        self.update_summary()
        if self.replay_button.isEnabled():
            self.accept()

    def _open_in_editor(self) -> None:
        profile = self.profile
        if profile is None:
            return
        lines = "\n".join(json.dumps(p, ensure_ascii=False, separators=(",", ":")) for p in self.payloads())
        self.openInEditor.emit(profile.name, self.topic_id(), lines)
        self.reject()

    def items(self) -> list[ReplayItem]:
        return [ReplayItem(p, m.message_id) for p, m in zip(self.payloads(), self.messages, strict=True)]


@dataclass
class _Run:
    task: asyncio.Task[JobInfo | None]
    cancel: asyncio.Event
    gate: asyncio.Event  # set = running, cleared = paused
    started: float
    total: int
    done: int = 0


class JobsPanel(QWidget):
    """Every journaled replay job with its state; the selected job's progress, controls and per-item results."""

    def __init__(
        self, journal: Journal | None, client_for: Callable[[dict[str, Any]], Any], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._journal = journal  # None: it could not be opened (``Replays.jobs`` says why); no job is listed
        self._client_for = client_for  # destination -> awaitable EventStreamsClient (or None: no token)
        self.runs: dict[str, _Run] = {}
        self.notice = plain_label()  # a job's error holds the server's words
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #9a6700")
        self.notice.hide()
        self.jobs = QTreeWidget()
        self.jobs.setHeaderLabels(["Job", "State", "Progress", "From", "To"])
        self.jobs.setRootIsDecorated(False)
        self.progress = QProgressBar()
        self.eta = plain_label()
        self.pause_button = QPushButton("Pause")
        self.resume_button = QPushButton("Resume")
        self.cancel_button = QPushButton("Cancel")
        self.check_button = QPushButton("Check unknown in topic")
        self.check_button.setToolTip(
            "Look for the unknown items in the destination topic: those found count as published, the others as "
            "failed, so Retry failed sends exactly those"
        )
        self.resend_button = QPushButton("Send unknown again")
        self.resend_button.setToolTip("Only after checking the destination: these may have been published")
        self._run_tasks = Tasks()  # each job's run (its task is also in ``runs``)
        self._checks = Tasks()  # checks of unknown items
        self.retry_button = QPushButton("Retry failed")
        self.report_button = QPushButton("Export report…")
        controls = QHBoxLayout()
        for widget in (self.progress, self.eta):
            controls.addWidget(widget)
        for button in (
            self.pause_button,
            self.resume_button,
            self.cancel_button,
            self.check_button,
            self.resend_button,
            self.retry_button,
            self.report_button,
        ):
            controls.addWidget(button)
        self.results = ResultsModel()
        self.results_view = QTableView()
        self.results.setParent(self.results_view)
        self.results_view.setModel(self.results)
        self.results_view.verticalHeader().hide()
        self.results_view.horizontalHeader().setStretchLastSection(True)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.jobs)
        split.addWidget(self.results_view)
        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        layout.addLayout(controls)
        layout.addWidget(split, 1)
        self.jobs.currentItemChanged.connect(lambda *_: self.show_selected())
        self.pause_button.clicked.connect(lambda: self.pause(self.selected()))
        self.resume_button.clicked.connect(lambda: self.resume(self.selected()))
        self.cancel_button.clicked.connect(lambda: self.cancel(self.selected()))
        self.resend_button.clicked.connect(lambda: self.requeue(self.selected(), Outcome.UNKNOWN))
        self.check_button.clicked.connect(self._check_clicked)
        self.retry_button.clicked.connect(lambda: self.requeue(self.selected(), Outcome.FAILED))
        self.report_button.clicked.connect(self.ask_report_path)
        interrupted = journal.recover() if journal is not None else []
        if interrupted:
            self.notice.setText(
                f"{len(interrupted)} replay job{'s were' if len(interrupted) != 1 else ' was'} interrupted when the "
                "app ended. Select one and press Resume: items already published are not sent again; a batch that "
                "was in flight is shown as unknown for you to check."
            )
            self.notice.show()
        self.refresh()

    @property
    def journal(self) -> Journal:
        if self._journal is None:
            raise InspectorError("the replay journal could not be opened")
        return self._journal

    # ----- listing ---------------------------------------------------------------------------------------
    def refresh(self) -> None:
        current = self.selected()
        self.jobs.clear()
        for info in reversed(self._journal.jobs() if self._journal is not None else []):
            item = QTreeWidgetItem(
                [
                    info.id,
                    self.state_of(info).value,
                    f"{info.published:,}/{info.total:,}"
                    + (f", {info.failed:,} failed" if info.failed else "")
                    + (f", {info.unknown:,} unknown" if info.unknown else ""),
                    info.source,
                    str(info.destination.get("label", "")),
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, info.id)
            self.jobs.addTopLevelItem(item)
            if info.id == current:
                self.jobs.setCurrentItem(item)
        first = self.jobs.topLevelItem(0)
        if self.jobs.currentItem() is None and first is not None:
            self.jobs.setCurrentItem(first)
        self.show_selected()

    def state_of(self, info: JobInfo) -> JobState:
        run = self.runs.get(info.id)
        if run is not None and not run.task.done():
            return JobState.RUNNING if run.gate.is_set() else JobState.PAUSED
        return info.state

    def selected(self) -> str | None:
        item = self.jobs.currentItem()
        value = item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None
        return str(value) if value else None

    def show_selected(self) -> None:
        job_id = self.selected()
        run = self.runs.get(job_id or "")
        active = run is not None and not run.task.done()
        info = self.journal.job(job_id) if job_id else None
        paused = run is None or not run.gate.is_set()
        self.pause_button.setEnabled(active and not paused)
        self.resume_button.setEnabled(info is not None and (not active or paused) and info.pending > 0)
        self.cancel_button.setEnabled(active)
        self.resend_button.setEnabled(info is not None and not active and info.unknown > 0)
        checking = self._checks.busy
        self.check_button.setEnabled(info is not None and not active and not checking and info.unknown > 0)
        self.retry_button.setEnabled(info is not None and not active and info.failed > 0)
        self.report_button.setEnabled(info is not None)
        if info is None:
            self.results.set_results([])
            return
        self.results.set_results(
            [
                ItemResult.stored(r["index"], r["outcome"], r["message_id"], r["error"])
                for r in self.journal.results(info.id)
                if r["outcome"] in {o.value for o in Outcome}
            ]
        )
        self._show_progress(info, run)

    def _show_progress(self, info: JobInfo, run: _Run | None) -> None:
        self.progress.setRange(0, max(info.total, 1))
        self.progress.setValue(info.total - info.pending)
        if run is not None and not run.task.done() and run.done:
            elapsed = time.monotonic() - run.started
            left = elapsed / run.done * (run.total - run.done)
            set_text(self.eta, f"about {words_for_seconds(left).removeprefix('about ')} left")
        else:
            set_text(self.eta, "")

    # ----- running ---------------------------------------------------------------------------------------
    def start(self, job_id: str) -> None:
        if job_id in self.runs and not self.runs[job_id].task.done():
            return
        info = self.journal.job(job_id)
        gate = asyncio.Event()
        gate.set()
        cancel = asyncio.Event()
        task = self._run_tasks.spawn(self._run(job_id, cancel, gate))
        task.add_done_callback(lambda _: self.refresh())  # once it is over, its controls change
        self.runs[job_id] = _Run(task, cancel, gate, time.monotonic(), info.pending)
        self.notice.hide()
        self.refresh()

    async def _run(self, job_id: str, cancel: asyncio.Event, gate: asyncio.Event) -> JobInfo | None:
        info = self.journal.job(job_id)
        try:
            client: EventStreamsClient | None = await self._client_for(info.destination)
            if client is None:
                self._say(f"No token for {info.destination.get('label')}: add the profile's token, then resume.")
                return None

            def progress(step: ReplayProgress, results: list[ItemResult]) -> None:
                run = self.runs.get(job_id)
                if run is not None:
                    run.done = step.done
                self.refresh()

            return await run_job(client, self.journal, job_id, on_progress=progress, cancel=cancel, resume_gate=gate)
        except InspectorError as exc:
            self._say(f"job {job_id}: {exc.message}")
            return None

    def _check_clicked(self) -> None:
        job_id = self.selected()
        if job_id is None:
            return
        self._checks.spawn(self.check_unknown(job_id))
        self.refresh()

    async def check_unknown(self, job_id: str) -> UnknownCheck | None:
        """Settle the job's unknown items against its destination topic (``replay.check_unknown``)."""
        info = self.journal.job(job_id)
        try:
            client: EventStreamsClient | None = await self._client_for(info.destination)
            if client is None:
                self._say(f"No token for {info.destination.get('label')}: add the profile's token, then check.")
                return None
            self._say(f"job {job_id}: reading {info.destination.get('label')} to find the unknown items…")
            checked = await check_unknown(client, self.journal, job_id)
        except InspectorError as exc:
            self._say(f"job {job_id}: the unknown items could not be checked: {exc.message}")
            return None
        finally:
            self.refresh()
        retry = "; Retry failed sends exactly those" if checked.missing else ""
        self._say(
            f"job {job_id}: of {checked.found + checked.missing} unknown items, {checked.found} are in the topic "
            f"(now published) and {checked.missing} are not (now failed){retry}."
        )
        return checked

    def _say(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.show()

    def pause(self, job_id: str | None) -> None:
        run = self.runs.get(job_id or "")
        if run is not None:
            run.gate.clear()  # takes effect after the batch in flight
            self.refresh()

    def resume(self, job_id: str | None) -> None:
        if job_id is None:
            return
        run = self.runs.get(job_id)
        if run is not None and not run.task.done():
            run.gate.set()
            self.refresh()
        else:
            self.start(job_id)

    def cancel(self, job_id: str | None) -> None:
        run = self.runs.get(job_id or "")
        if run is not None:
            run.cancel.set()
            run.gate.set()

    def requeue(self, job_id: str | None, outcome: Outcome) -> None:
        if job_id is not None:
            self.journal.requeue(job_id, outcomes=(outcome,))
            self.refresh()

    async def stop(self) -> None:
        await self._checks.cancel_all()
        for run in self.runs.values():
            run.cancel.set()
            run.gate.set()
        await asyncio.gather(*(run.task for run in self.runs.values()), return_exceptions=True)

    # ----- report ----------------------------------------------------------------------------------------
    def save_report(self, job_id: str, path: Path) -> None:
        report = self.journal.report(job_id)
        atomic_write(path, json.dumps(report, ensure_ascii=False, indent=2).encode())

    def ask_report_path(self) -> None:
        job_id = self.selected()
        if job_id is None:
            return
        dialog = QFileDialog(self, "Export the job's report")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilters(["JSON (*.json)"])
        dialog.selectFile(f"replay-{job_id}.json")
        dialog.fileSelected.connect(lambda name: self.save_report(job_id, Path(name)))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
