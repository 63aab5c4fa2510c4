"""The publish panel of a topic: a JSON editor, single and batch publish, a result for every item, history."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from inspector.core.curl import publish_as_curl
from inspector.core.drafts import HistoryEntry, PublishStore, summarize_results
from inspector.core.errors import InspectorError, ValidationError
from inspector.core.jsoninput import JsonSyntaxError, PublishInput, parse_publish_input
from inspector.core.models import Delivery, ItemResult, Outcome
from inspector.core.paths import read_text_file
from inspector.core.publisher import Progress, encode_all, publish_encoded_all
from inspector.core.schema import (
    JsonSchema,
    example_payload,
    fieldlist_to_jsonschema,
    make_validator,
    schema_from_document,
    violations,
)
from inspector.core.services.workato import EventStreamsClient
from inspector.core.validation import MAX_BATCH_ITEMS, MAX_BODY_BYTES, chunk_encoded, human_bytes
from inspector.core.workspace import TopicEntry
from inspector.ui.editor import JsonEditor
from inspector.ui.tasks import Tasks
from inspector.ui.widgets import plain_label, plain_message_box, set_text

Index = QModelIndex | QPersistentModelIndex
CHECK_DELAY_MS = 200  # validation runs this long after the last keystroke
DRAFT_SAVE_MS = 400  # a draft reaches the disk this long after the last keystroke
SHOWN_PROBLEMS = 5
_OUTCOME_WORDS = {
    Outcome.SUCCESS: "success",
    Outcome.FAILED: "failed",
    Outcome.UNKNOWN: "unknown — may have been published",
}
_OUTCOME_COLORS = {Outcome.SUCCESS: "#2e7d32", Outcome.FAILED: "#c62828", Outcome.UNKNOWN: "#9a6700"}


class ResultsModel(QAbstractTableModel):
    """One row per input item: its index, the outcome, and the message id or the server's error."""

    HEADERS = ("Item", "Result", "Message ID / error")

    def __init__(self) -> None:
        super().__init__()
        self.results: list[ItemResult] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.results)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 3:
            return self.HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.results):
            return None
        result = self.results[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return result.index
            if column == 1:
                return _OUTCOME_WORDS[result.outcome]
            if column == 2:
                if result.ok:
                    return result.message_id or ""
                # "unknown — may have been published" is the Result column's: the reason alone here
                text = result.error if result.delivery is Delivery.MAYBE else result.error_words
                return text or ""
        elif role == Qt.ItemDataRole.ForegroundRole and column == 1:
            return QColor(_OUTCOME_COLORS[result.outcome])
        elif role == Qt.ItemDataRole.ToolTipRole and column == 2 and result.ok:
            return "Double-click to show this message in the live table"
        return None

    def set_results(self, results: list[ItemResult]) -> None:
        self.beginResetModel()
        self.results = sorted(results, key=lambda r: r.index)
        self.endResetModel()

    def merge(self, results: list[ItemResult]) -> None:
        """Replace the rows of the items in ``results`` (a retry), keeping the others."""
        fresh = {r.index: r for r in results}
        self.results = [fresh.pop(r.index, r) for r in self.results] + sorted(fresh.values(), key=lambda r: r.index)
        if self.results:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.results) - 1, 2))


class PublishPanel(QWidget):
    """Edit, check and publish to one topic. ``revealRequested(message_id)`` asks to show a published message."""

    revealRequested = Signal(str)
    entryChanged = Signal()  # the topic's entry changed (a loaded schema): the workspace should be saved
    progressed = Signal(object)  # Progress, after each chunk
    finished = Signal(object)  # list[ItemResult], after each publish or retry

    def __init__(
        self,
        client: EventStreamsClient,
        profile: str,
        entry: TopicEntry,
        store: PublishStore,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.profile = profile
        self.entry = entry
        self.store = store
        self.tasks = Tasks()
        self.task: asyncio.Task[list[ItemResult] | None] | None = None  # the publish or retry in flight
        self._cancel: asyncio.Event | None = None
        self._sent_items: list[Any] = []  # what the shown results are about, by input index
        self._sent_form = ""
        self._sent_text = ""
        self.confirm_box: QMessageBox | None = None
        self._schema: JsonSchema | None = None
        self._schema_source = ""

        self.editor = JsonEditor()
        self.editor.setPlaceholderText(
            "A JSON object publishes one message; a JSON array or JSON Lines publishes a batch.\nCtrl+Enter publishes."
        )
        self.publish_button = QPushButton("Publish")
        self.publish_button.setToolTip("Publish the editor's text (Ctrl+Enter)")
        self.format_button = QPushButton("Format")
        self.minify_button = QPushButton("Minify")
        self.example_button = QPushButton("New from schema")
        self.load_button = QPushButton("Open file…")
        self.schema_button = QPushButton("Load schema…")
        self.curl_button = QPushButton("Copy as curl")
        self.templates = QComboBox()
        self.templates.setToolTip("Load a saved template into the editor")
        self.save_template_button = QPushButton("Save as template…")
        self.delete_template_button = QPushButton("Delete template")
        # A tool bar: when the panel is narrow, what does not fit goes behind its » button.
        tools = QToolBar()
        tools.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for widget in (
            self.publish_button,
            self.format_button,
            self.minify_button,
            self.example_button,
            self.load_button,
            self.schema_button,
            self.curl_button,
            self.templates,
            self.save_template_button,
            self.delete_template_button,
        ):
            tools.addWidget(widget)

        self.check_label = plain_label()  # what the text is, or what is wrong with it (the server's words too)
        self.check_label.setWordWrap(True)
        self.check_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.size_label = plain_label()
        check_row = QHBoxLayout()
        check_row.addWidget(self.check_label, 1)
        check_row.addWidget(self.size_label)

        self.progress = QProgressBar()
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.hide()
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)

        self.results = ResultsModel()
        self.results_view = QTableView()
        self.results.setParent(self.results_view)
        self.results_view.setModel(self.results)
        self.results_view.verticalHeader().hide()
        self.results_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results_view.horizontalHeader().setStretchLastSection(True)
        self.results_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.summary_label = plain_label()
        self.retry_button = QPushButton("Retry failed items")
        self.retry_button.setEnabled(False)
        summary_row = QHBoxLayout()
        summary_row.addWidget(self.summary_label, 1)
        summary_row.addWidget(self.retry_button)
        results_box = QWidget()
        results_layout = QVBoxLayout(results_box)
        results_layout.setContentsMargins(0, 0, 0, 0)
        results_layout.addLayout(summary_row)
        results_layout.addWidget(self.results_view)
        self.history = QListWidget()
        self.history.setToolTip("Double-click to load a past publish into the editor and show its results")
        self.lower_tabs = QTabWidget()
        self.lower_tabs.addTab(results_box, "Results")
        self.lower_tabs.addTab(self.history, "History")

        editor_box = QWidget()
        editor_layout = QVBoxLayout(editor_box)
        editor_layout.setContentsMargins(0, 0, 0, 0)
        editor_layout.addWidget(tools)
        editor_layout.addWidget(self.editor, 1)
        editor_layout.addLayout(check_row)
        editor_layout.addLayout(progress_row)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(editor_box)
        split.addWidget(self.lower_tabs)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)

        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(CHECK_DELAY_MS)
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_SAVE_MS)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.publish)

        self.publish_button.clicked.connect(self.publish)
        self.format_button.clicked.connect(lambda: self.reformat(indent=True))
        self.minify_button.clicked.connect(lambda: self.reformat(indent=False))
        self.example_button.clicked.connect(self.new_from_schema)
        self.load_button.clicked.connect(self.ask_input_file)
        self.schema_button.clicked.connect(self.ask_schema_file)
        self.curl_button.clicked.connect(self.copy_as_curl)
        self.cancel_button.clicked.connect(self.cancel)
        self.retry_button.clicked.connect(self.retry_failed)
        self.results_view.activated.connect(self._result_activated)
        self.results_view.doubleClicked.connect(self._result_activated)
        self.history.itemActivated.connect(self._history_activated)
        self.templates.activated.connect(self._template_chosen)
        self.save_template_button.clicked.connect(self.ask_template_name)
        self.delete_template_button.clicked.connect(self.delete_template)
        self._check_timer.timeout.connect(self.check)
        self._draft_timer.timeout.connect(self.store.save_drafts)
        self.editor.textChanged.connect(self._text_changed)

        self._load_schema()
        self.editor.setPlainText(self.store.draft(profile, entry.id))
        self._fill_templates()
        self._fill_history()
        self.check()

    # ----- schema -----------------------------------------------------------------------------------------
    def _load_schema(self) -> None:
        self._schema, self._schema_source = None, ""
        try:
            if self.entry.user_schema is not None:
                self._schema = schema_from_document(self.entry.user_schema)
                self._schema_source = "the loaded schema"
            elif self.entry.schema:
                self._schema = fieldlist_to_jsonschema(self.entry.schema)
                self._schema_source = "the topic's schema"
        except ValidationError as exc:
            set_text(self.check_label, f"The topic's schema cannot be used: {exc.message}")
        self.example_button.setEnabled(self._schema is not None)

    @property
    def schema(self) -> JsonSchema | None:
        return self._schema

    def set_user_schema(self, document: object) -> None:
        """Use a schema the user loaded (a field list or a JSON Schema); raises ``ValidationError``."""
        schema_from_document(document)
        self.entry.user_schema = document
        self._load_schema()
        self.entryChanged.emit()
        self.check()

    def new_from_schema(self) -> None:
        if self._schema is not None:
            example = example_payload(self._schema)
            self.editor.replace_all(json.dumps(example, indent=2, ensure_ascii=False))

    # ----- checking as you type -----------------------------------------------------------------------------
    def _text_changed(self) -> None:
        self.store.set_draft(self.profile, self.entry.id, self.editor.toPlainText())
        self._draft_timer.start()
        self._check_timer.start()

    def flush_draft(self) -> None:
        if self._draft_timer.isActive():
            self._draft_timer.stop()
            self.store.save_drafts()

    def _parse(self) -> PublishInput:
        return parse_publish_input(self.editor.toPlainText(), source="editor")

    def check(self) -> PublishInput | None:
        """Check the text now: what it is, how big, what is wrong and where. Returns it when it can be sent."""
        self._check_timer.stop()
        if not self.editor.toPlainText().strip():
            self.editor.mark_error(None)
            set_text(self.check_label, "")
            set_text(self.size_label, "")
            return None
        try:
            parsed = self._parse()
            encoded = encode_all(parsed.items)
        except JsonSyntaxError as exc:
            self.editor.mark_error(exc.line, exc.column, exc.reason)
            self._say(exc.reason.removeprefix("is not valid JSON").strip(" ()"), error=True)
            set_text(self.size_label, "")
            return None
        except ValidationError as exc:
            self.editor.mark_error(None)
            self._say(exc.message, error=True)
            set_text(self.size_label, "")
            return None
        self.editor.mark_error(None)
        largest = max(len(item) for item in encoded)
        if parsed.single:
            set_text(self.size_label, f"{human_bytes(largest)} of {human_bytes(MAX_BODY_BYTES)}")
        else:
            total = sum(len(item) for item in encoded)
            chunks = len(list(chunk_encoded(encoded, max_items=MAX_BATCH_ITEMS)))
            set_text(
                self.size_label,
                f"{len(encoded):,} items in {chunks:,} request{'s' if chunks != 1 else ''} · {human_bytes(total)} · "
                f"largest {human_bytes(largest)} of {human_bytes(MAX_BODY_BYTES)}",
            )
        problems = self.schema_problems(parsed)
        if problems:
            more = f" (and {len(problems) - SHOWN_PROBLEMS} more)" if len(problems) > SHOWN_PROBLEMS else ""
            self._say(
                f"Does not match {self._schema_source}: " + "; ".join(problems[:SHOWN_PROBLEMS]) + more, error=True
            )
        else:
            what = "a JSON object" if parsed.single else f"{parsed.form}, {len(parsed.items):,} items"
            self._say(f"Ready to publish: {what}" + (f", matching {self._schema_source}" if self._schema else ""))
        return parsed

    def schema_problems(self, parsed: PublishInput) -> list[str]:
        if self._schema is None:
            return []
        validator = make_validator(self._schema)
        problems = []
        for number, item in enumerate(parsed.items):
            root = "payload" if parsed.single else f"item {number}"
            problems += [str(v) for v in violations(validator, item, root=root)]
        return problems

    def _say(self, text: str, *, error: bool = False) -> None:
        set_text(self.check_label, text)
        self.check_label.setStyleSheet("color: #c62828" if error else "")

    # ----- format, files, templates, curl --------------------------------------------------------------------
    def reformat(self, *, indent: bool) -> None:
        try:
            parsed = self._parse()
        except ValidationError:
            self.check()
            return
        if parsed.form == "JSON Lines":
            text = "\n".join(json.dumps(item, ensure_ascii=False, separators=(",", ":")) for item in parsed.items)
        else:
            value = parsed.items[0] if parsed.single else parsed.items
            text = (
                json.dumps(value, indent=2, ensure_ascii=False)
                if indent
                else json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            )
        self.editor.replace_all(text)

    def set_text(self, text: str) -> None:
        self.editor.replace_all(text)
        self.editor.setFocus()

    def load_input_file(self, path: Path) -> None:
        try:
            text = read_text_file(path)
        except ValidationError as exc:
            self._say(exc.message, error=True)
            return
        self.set_text(text)

    def ask_input_file(self) -> None:
        dialog = QFileDialog(self, "Open JSON or JSON Lines")
        dialog.setNameFilters(["JSON and JSON Lines (*.json *.jsonl *.ndjson)", "All files (*)"])
        dialog.fileSelected.connect(lambda name: self.load_input_file(Path(name)))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def load_schema_file(self, path: Path) -> None:
        try:
            document = json.loads(read_text_file(path))
            self.set_user_schema(document)
        except ValueError as exc:  # ValidationError included
            message = exc.message if isinstance(exc, InspectorError) else str(exc)
            self._say(f"Cannot use {path.name} as a schema: {message}", error=True)

    def ask_schema_file(self) -> None:
        dialog = QFileDialog(self, "Load a schema (Workato field list or JSON Schema)")
        dialog.setNameFilters(["JSON (*.json)", "All files (*)"])
        dialog.fileSelected.connect(lambda name: self.load_schema_file(Path(name)))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _fill_templates(self) -> None:
        self.templates.clear()
        names = sorted(self.store.templates(self.profile, self.entry.id))
        self.templates.addItem("Templates…" if names else "No templates")
        self.templates.addItems(names)
        self.delete_template_button.setEnabled(bool(names))

    def _template_chosen(self, index: int) -> None:
        if index > 0:
            text = self.store.templates(self.profile, self.entry.id).get(self.templates.itemText(index))
            if text is not None:
                self.set_text(text)

    def save_template(self, name: str) -> None:
        if name.strip():
            self.store.save_template(self.profile, self.entry.id, name, self.editor.toPlainText())
            self._fill_templates()
            self.templates.setCurrentText(name.strip())

    def ask_template_name(self) -> None:
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Save as template")
        dialog.setLabelText("Template name:")
        dialog.textValueSelected.connect(self.save_template)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def delete_template(self) -> None:
        if self.templates.currentIndex() > 0:
            self.store.delete_template(self.profile, self.entry.id, self.templates.currentText())
            self._fill_templates()

    def curl_text(self) -> str | None:
        parsed = self.check()
        if parsed is None:
            return None
        return publish_as_curl(self.client.endpoint, self.entry.id, parsed.items, single=parsed.single)

    def copy_as_curl(self) -> None:
        text = self.curl_text()
        if text is not None:
            QGuiApplication.clipboard().setText(text)
            self._say("Copied as curl: set TOPIC_INSPECTOR_TOKEN in the shell that runs it.")

    # ----- publishing ---------------------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.task is not None and not self.task.done()

    def publish(self) -> None:
        if not self.busy:
            self.task = self.tasks.spawn(self.publish_now())

    async def publish_now(self, *, confirm: bool = True) -> list[ItemResult] | None:
        """Check, (confirm a schema mismatch,) and publish the editor's text; returns the results."""
        text = self.editor.toPlainText()
        parsed = self.check()
        if parsed is None:
            if not text.strip():
                self._say("Nothing to publish: write a JSON object, an array or JSON Lines.", error=True)
            return None  # the check said what is wrong and where; nothing was sent
        problems = self.schema_problems(parsed)
        if problems and confirm and not await self._confirm_mismatch(len(problems), problems[0]):
            self._say("Not published.")
            return None
        self._sent_items, self._sent_form, self._sent_text = parsed.items, parsed.form, text
        self.results.set_results([])
        return await self._send(parsed.items, list(range(len(parsed.items))), retry=False)

    def retry_failed(self) -> None:
        if not self.busy:
            self.task = self.tasks.spawn(self.retry_now())

    async def retry_now(self) -> list[ItemResult] | None:
        """Send again exactly the items that failed; never one that succeeded or whose outcome is unknown."""
        failed = [r.index for r in self.results.results if r.outcome is Outcome.FAILED]
        if not failed or not self._sent_items:
            return None
        return await self._send([self._sent_items[i] for i in failed], failed, retry=True)

    async def _confirm_mismatch(self, count: int, first: str) -> bool:
        box = plain_message_box(  # the schema (its field names) came from the server
            QMessageBox.Icon.Warning,
            "Publish anyway?",
            f"{count} problem{'s' if count != 1 else ''} against {self._schema_source} (first: {first}).\n\n"
            "The server decides what it accepts. Publish anyway?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        answer: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

        def answered(code: int) -> None:
            if not answer.done():
                answer.set_result(code == QMessageBox.StandardButton.Yes)

        box.finished.connect(answered)
        box.finished.connect(box.deleteLater)
        self.confirm_box = box
        box.open()
        try:
            return await answer
        finally:
            self.confirm_box = None

    async def _send(self, items: list[Any], indices: list[int], *, retry: bool) -> list[ItemResult] | None:
        encoded = encode_all(items)
        chunks = len(
            list(chunk_encoded(encoded, max_items=MAX_BATCH_ITEMS if self.client.endpoint.supports_batch else 1))
        )
        self._cancel = asyncio.Event()
        self.progress.setRange(0, len(items))
        self.progress.setValue(0)
        self.progress.setVisible(chunks > 1)
        self.cancel_button.setVisible(chunks > 1)
        self.cancel_button.setEnabled(True)
        self.publish_button.setEnabled(False)
        self.retry_button.setEnabled(False)
        self._say(f"Publishing {len(items):,} item{'s' if len(items) != 1 else ''}…")
        try:
            results = await publish_encoded_all(
                self.client, self.entry.id, encoded, indices=indices, on_progress=self._on_progress, cancel=self._cancel
            )
        except InspectorError as exc:
            self._say(exc.message, error=True)
            return None
        finally:
            self.progress.hide()
            self.cancel_button.hide()
            self.publish_button.setEnabled(True)
        if retry:
            self.results.merge(results)
        else:
            self.results.set_results(results)
        set_text(self.summary_label, summarize_results(self.results.results))
        self._say(f"{'Retried' if retry else 'Sent'}: {summarize_results(results)}")
        self.retry_button.setEnabled(any(r.outcome is Outcome.FAILED for r in self.results.results))
        self.lower_tabs.setCurrentIndex(0)
        entry = HistoryEntry.of(datetime.now(UTC), self._sent_form, self._sent_text, self.results.results)
        self.store.add_history(self.profile, self.entry.id, entry)
        self._fill_history()
        self.finished.emit(results)
        return results

    def _on_progress(self, progress: Progress, chunk: list[ItemResult]) -> None:
        self.progress.setValue(progress.done)
        self.progress.setFormat(f"request {progress.chunk} of {progress.chunks} · %v of %m items")
        self.progressed.emit(progress)

    def cancel(self) -> None:
        """Stop after the request in flight (its items get their true outcome; later ones are not sent)."""
        if self._cancel is not None:
            self._cancel.set()
            self.cancel_button.setEnabled(False)
            self._say("Cancelling after the current request…")

    async def stop(self) -> None:
        self.flush_draft()
        if self.busy and self.task is not None:
            self.cancel()
            await asyncio.gather(self.task, return_exceptions=True)

    # ----- results and history ------------------------------------------------------------------------------
    def _result_activated(self, index: QModelIndex) -> None:
        if 0 <= index.row() < len(self.results.results):
            result = self.results.results[index.row()]
            if result.ok and result.message_id:
                self.revealRequested.emit(result.message_id)

    def _fill_history(self) -> None:
        self.history.clear()
        for entry in self.store.history(self.profile, self.entry.id):
            moment = datetime.fromisoformat(entry.time).astimezone().strftime("%Y-%m-%d %H:%M:%S")
            item = QListWidgetItem(f"{moment} · {entry.form} · {entry.items:,} items · {entry.summary}")
            item.setData(Qt.ItemDataRole.UserRole, entry)
            self.history.addItem(item)

    def _history_activated(self, item: QListWidgetItem) -> None:
        entry = item.data(Qt.ItemDataRole.UserRole)
        if not isinstance(entry, HistoryEntry):
            return
        if entry.text:
            self.set_text(entry.text)
        self.results.set_results(
            [ItemResult.stored(r["index"], r["outcome"], r.get("message_id"), r.get("error")) for r in entry.results]
        )
        set_text(self.summary_label, f"{entry.summary} (from the history)")
        self.retry_button.setEnabled(False)  # what was sent then may not be what the editor holds now
        self.lower_tabs.setCurrentIndex(0)
