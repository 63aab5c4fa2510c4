"""The Replay jobs panel: every journaled job with its state, the selected job's progress (ETA), its controls
(pause, resume, cancel, check unknown items, retry, open the failed items in an editor, export a report) and
its items' results. Loaded with the "Replay to…" dialog (``inspector.ui.topic.replay``), on first use."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector.core.errors import InspectorError
from inspector.core.models import ItemResult, Outcome
from inspector.core.paths import atomic_write
from inspector.core.replay import JobInfo, JobState, Journal, ReplayProgress, UnknownCheck, check_unknown, run_job
from inspector.core.services.workato import EventStreamsClient
from inspector.core.validation import counted
from inspector.ui.status import WARNING_TEXT, set_tone
from inspector.ui.tasks import Tasks
from inspector.ui.topic.publish import ResultsModel
from inspector.ui.widgets import plain_label, plain_tooltip, set_text

FINISHED = (JobState.DONE, JobState.FAILED)  # how a run that went to its end leaves its job


def words_for_seconds(seconds: float) -> str:
    if seconds < 1:
        return "no wait"
    if seconds < 90:
        return f"about {seconds:.0f} s"
    return f"about {seconds / 60:.0f} min"


def as_json_lines(payloads: Sequence[dict[str, Any]]) -> str:
    return "\n".join(json.dumps(p, ensure_ascii=False, separators=(",", ":")) for p in payloads)


def destination_label(destination: dict[str, Any]) -> str:
    """A job's destination in words as it was journaled (``Replays`` names it from the saved topics instead)."""
    return str(destination.get("label") or f"topic {destination.get('topic', '?')}")


def destination_ids(destination: dict[str, Any]) -> str:
    """Where a job sends, by its ids: ``topic 7 of Dest, https://…``."""
    profile = destination.get("profile")
    where = f"topic {destination.get('topic', '?')}" + (f" of {profile}" if profile else "")
    url = destination.get("events_url")
    return f"{where}, {url}" if url else where


def failed_payloads(journal: Journal, job_id: str) -> list[dict[str, Any]]:
    """The payloads of a job's failed items, in order, as the job sent them."""
    return [json.loads(payload) for _index, payload in journal.failed_items(job_id)]


class ElidedLabel(QLabel):
    """One line of plain text that ends in "…" when it does not fit, rather than widening its dock; ``text()``
    (which a screen reader reads) keeps all of it."""

    def __init__(self) -> None:
        super().__init__()
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def paintEvent(self, event: QPaintEvent) -> None:
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter = QPainter(self)
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), shown)
        painter.end()


@dataclass
class _Run:
    task: asyncio.Task[JobInfo | None]
    cancel: asyncio.Event
    gate: asyncio.Event  # set = running, cleared = paused
    started: float
    total: int
    done: int = 0


class JobsPanel(QWidget):
    """Every journaled replay job with its state; the selected job's progress, controls and per-item results.

    ``destination_words`` names a job's destination (``Replays``: the profile and the saved topic's name)."""

    jobFinished = Signal(str)  # a run went to its end (done, or with items failed or unknown): the job's id
    openFailed = Signal(str, int, str, str)  # profile, topic id, the failed items as JSON Lines, what they are
    selectionShown = Signal()  # the selected job and its controls were shown again
    focusEntered = Signal()  # the keyboard focus came into the panel
    said = Signal(str)  # a notice was shown

    def __init__(
        self,
        journal: Journal | None,
        client_for: Callable[[dict[str, Any]], Any],
        parent: QWidget | None = None,
        *,
        destination_words: Callable[[dict[str, Any]], str] = destination_label,
    ) -> None:
        super().__init__(parent)
        self._journal = journal  # None: it could not be opened (``Replays.jobs`` says why); no job is listed
        self._client_for = client_for  # destination -> awaitable EventStreamsClient (or None: no token)
        self.destination_words = destination_words
        self.runs: dict[str, _Run] = {}
        self.notice = plain_label(wrap=True)  # a job's error holds the server's words
        set_tone(self.notice, WARNING_TEXT)
        self.notice.hide()
        self.jobs = QTreeWidget()
        self.jobs.setHeaderLabels(["Job", "State", "Progress", "From", "To"])
        self.jobs.setRootIsDecorated(False)
        self.jobs.setUniformRowHeights(True)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(160)
        self.eta = plain_label()
        self.details = ElidedLabel()  # the selected job in words; its destination's ids in the tooltip
        self.pause_button = QPushButton("Pause")
        self.resume_button = QPushButton("Resume")
        self.cancel_button = QPushButton("Cancel")
        self.check_button = QPushButton("Check unknown")
        self.check_button.setToolTip(
            "Look for the unknown items in the destination topic: those found count as published, the others as "
            "failed, so Retry failed sends exactly those"
        )
        self.resend_button = QPushButton("Send unknown again")
        self.resend_button.setToolTip("Only after checking the destination: these may have been published")
        self._run_tasks = Tasks()  # each job's run (its task is also in ``runs``)
        self._checks = Tasks()  # checks of unknown items
        self.retry_button = QPushButton("Retry failed")
        self.retry_button.setToolTip("Send the failed items again with this job (press Resume after)")
        self.open_failed_button = QPushButton("Open failed items in editor")
        self.open_failed_button.setToolTip(
            "Put the failed items in the destination topic's Publish editor, to fix them"
        )
        self.report_button = QPushButton("Export report…")
        buttons = (
            self.pause_button,
            self.resume_button,
            self.cancel_button,
            self.check_button,
            self.resend_button,
            self.retry_button,
            self.open_failed_button,
            self.report_button,
        )
        controls = QHBoxLayout()
        for button in buttons:
            controls.addWidget(button)
            button.setAccessibleName(button.text())
        controls.addStretch(1)
        self.results = ResultsModel()
        self.results_view = QTableView()
        self.results.setParent(self.results_view)
        self.results_view.setModel(self.results)
        self.results_view.verticalHeader().hide()
        self.results_view.setTabKeyNavigation(False)  # Tab leaves the table
        self.results_view.horizontalHeader().setStretchLastSection(True)
        self.jobs.setAccessibleName("Replay jobs")
        self.results_view.setAccessibleName("Items of the selected job")
        self.progress.setAccessibleName("Progress of the selected job")
        status = QHBoxLayout()
        status.setContentsMargins(0, 0, 0, 0)
        status.addWidget(self.progress)
        status.addWidget(self.eta)
        status.addWidget(self.details, 1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(2)
        right_layout.addLayout(status)
        right_layout.addWidget(self.results_view, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.jobs)
        split.addWidget(right)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(2)
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
        self.open_failed_button.clicked.connect(lambda: self.open_failed(self.selected()))
        self.report_button.clicked.connect(self.ask_report_path)
        app = QApplication.instance()
        if isinstance(app, QApplication):  # a slot of this panel: gone with it
            app.focusChanged.connect(self._focus_changed)
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

    def _focus_changed(self, old: QWidget | None, new: QWidget | None) -> None:
        if new is not None and self.isAncestorOf(new):
            self.focusEntered.emit()

    def has_focus(self) -> bool:
        focus = QApplication.focusWidget()
        return focus is not None and self.isAncestorOf(focus)

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
                    self.destination_words(info.destination),
                ]
            )
            item.setData(0, Qt.ItemDataRole.UserRole, info.id)
            item.setToolTip(3, plain_tooltip(info.source))
            item.setToolTip(4, plain_tooltip(destination_ids(info.destination)))
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

    def counts(self, info: JobInfo) -> str:
        """What became of a job's items: "250 of 250 items published", ", 3 failed", ", 2 not sent yet"."""
        parts = [f"{info.published:,} of {counted(info.total, 'item')} published"]
        if info.failed:
            parts.append(f"{info.failed:,} failed")
        if info.unknown:
            parts.append(f"{info.unknown:,} unknown")
        if info.pending and self.state_of(info) is not JobState.RUNNING:
            parts.append(f"{info.pending:,} not sent yet")
        return ", ".join(parts)

    def describe(self, info: JobInfo) -> str:
        """A job in words: "Job 1a2b (done): 250 of 250 items published, from Local · orders to Dest · orders"."""
        return (
            f"Job {info.id} ({self.state_of(info).value}): {self.counts(info)}, from {info.source} to "
            f"{self.destination_words(info.destination)}"
        )

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
        self.open_failed_button.setEnabled(info is not None and not active and info.failed > 0)
        self.report_button.setEnabled(info is not None)
        if info is None:
            self.results.set_results([])
            set_text(self.details, "")
            self.details.setToolTip("")
            self.progress.setValue(0)
            set_text(self.eta, "")
            self.selectionShown.emit()
            return
        self.results.set_results(
            [
                ItemResult.stored(r["index"], r["outcome"], r["message_id"], r["error"])
                for r in self.journal.results(info.id)
                if r["outcome"] in {o.value for o in Outcome}
            ]
        )
        set_text(self.details, self.describe(info))
        self.details.setToolTip(plain_tooltip(f"{self.describe(info)}\nto {destination_ids(info.destination)}"))
        self._show_progress(info, run)
        self.selectionShown.emit()

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
        task.add_done_callback(lambda done: self._ended(job_id, done))  # once it is over, its controls change
        self.runs[job_id] = _Run(task, cancel, gate, time.monotonic(), info.pending)
        self.notice.hide()
        self.refresh()

    def _ended(self, job_id: str, task: asyncio.Task[JobInfo | None]) -> None:
        self.refresh()
        ran = not task.cancelled() and task.exception() is None and task.result() is not None
        if ran and self.journal.job(job_id).state in FINISHED:
            self.jobFinished.emit(job_id)

    async def _run(self, job_id: str, cancel: asyncio.Event, gate: asyncio.Event) -> JobInfo | None:
        info = self.journal.job(job_id)
        where = self.destination_words(info.destination)
        try:
            client: EventStreamsClient | None = await self._client_for(info.destination)
            if client is None:
                self._say(f"No token for {where}: add the profile's token, then resume job {job_id}.")
                return None

            def progress(step: ReplayProgress, results: list[ItemResult]) -> None:
                run = self.runs.get(job_id)
                if run is not None:
                    run.done = step.done
                self.refresh()

            return await run_job(client, self.journal, job_id, on_progress=progress, cancel=cancel, resume_gate=gate)
        except InspectorError as exc:
            self._say(f"job {job_id} to {where}: {exc.message}")
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
        where = self.destination_words(info.destination)
        try:
            client: EventStreamsClient | None = await self._client_for(info.destination)
            if client is None:
                self._say(f"No token for {where}: add the profile's token, then check job {job_id} again.")
                return None
            self._say(f"job {job_id}: reading {where} to find the unknown items…")
            checked = await check_unknown(client, self.journal, job_id)
        except InspectorError as exc:
            self._say(f"job {job_id}: the unknown items could not be checked in {where}: {exc.message}")
            return None
        finally:
            self.refresh()
        found, missing = checked.found, checked.missing
        retry = "; Retry failed sends exactly those" if missing else ""
        self._say(
            f"job {job_id}: of {counted(found + missing, 'unknown item')}, {found:,} {'is' if found == 1 else 'are'} "
            f"in the topic (now published) and {missing:,} {'is' if missing == 1 else 'are'} not (now failed){retry}."
        )
        return checked

    def _say(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.show()
        self.said.emit(text)

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

    def open_failed(self, job_id: str | None) -> bool:
        """Ask for the job's failed items in its destination topic's Publish editor (``openFailed``)."""
        if job_id is None:
            return False
        info = self.journal.job(job_id)
        profile, topic = info.destination.get("profile"), info.destination.get("topic")
        if not isinstance(profile, str) or not isinstance(topic, int):
            self._say(
                f"job {job_id} was started from the command line: it names no profile of the window, so its failed "
                f"items cannot open in a topic's editor. Press Retry failed, then Resume, or use "
                f"'topic-inspector replay resume {job_id} --retry-failed'."
            )
            return False
        payloads = failed_payloads(self.journal, job_id)
        if not payloads:
            self._say(f"job {job_id} has no failed items.")
            return False
        what = f"{counted(len(payloads), 'failed item')} of replay job {job_id}"
        self.openFailed.emit(profile, topic, as_json_lines(payloads), what)
        return True

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
