"""The publish panel of a topic: a JSON editor, single and batch publish, a result for every item, history.

Every action is a ``QAction`` in ``actions_menu`` (the Actions button opens it; ``panel_actions()`` lists them for
the window's menus and command palette), with its shortcut working wherever focus is in the panel; the row of
buttons above the editor only repeats the main ones, so no action is ever out of reach at any width.
Replacing the editor's text (a history entry, a template, a file, an example, the failed items, Edit & resend)
is one undoable edit: an edited draft stays one Undo away, and the status line says so.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QMenu,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from inspector.core.curl import publish_as_curl
from inspector.core.drafts import HistoryEntry, PublishStore, summarize_results
from inspector.core.errors import InspectorError, ValidationError
from inspector.core.jsoninput import JsonSyntaxError, PublishInput, parse_publish_input
from inspector.core.models import ItemResult, Outcome
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
from inspector.core.validation import counted as count_words
from inspector.core.workspace import TopicEntry
from inspector.ui.editor import JsonEditor
from inspector.ui.tasks import Tasks
from inspector.ui.topic.publish_history import TemplatesAndHistory
from inspector.ui.topic.publish_parts import (
    ResultsModel,
    ResultsTabs,
    StatusLabel,
    action_button,
    describe_text,
    panel_action,
    with_hint,
)
from inspector.ui.widgets import plain_message_box, set_text

__all__ = ["PublishPanel", "ResultsModel"]

CHECK_DELAY_MS = 200  # validation runs this long after the last keystroke
DRAFT_SAVE_MS = 400  # a draft reaches the disk this long after the last keystroke
SHOWN_PROBLEMS = 5
MIN_EDITOR_LINES = 8  # the editor never gets shorter: the results below give way (or collapse)


class PublishPanel(TemplatesAndHistory, QWidget):
    """Edit, check and publish to one topic. ``revealRequested(message_id)`` asks to show a published message.
    Its templates, results and history: ``TemplatesAndHistory`` (``inspector.ui.topic.publish_history``)."""

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
        self._sent_items: list[Any] = []  # what was published last, by input index (what a retry sends again)
        self._sent_form = ""
        self._sent_text = ""
        self._shown_items: list[Any] = []  # what the shown results are about, by input index (a history entry's)
        self._retry_steps: int | None = None  # the editor's undo steps once the failed items were put in it
        self.confirm_box: QMessageBox | None = None
        self._schema: JsonSchema | None = None
        self._schema_source = ""

        self.editor = JsonEditor()
        self.editor.setAccessibleName("Publish editor")
        self.editor.set_minimum_lines(MIN_EDITOR_LINES)
        self.editor.setPlaceholderText(
            "A JSON object publishes one message; a JSON array or JSON Lines publishes a batch.\nCtrl+Enter publishes."
        )
        self._make_actions()
        self.templates = QComboBox()
        self.templates.setAccessibleName("Templates")
        self.templates.setToolTip("Load a saved template into the editor")
        self.templates.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.templates.setMinimumContentsLength(12)
        self.actions_menu = QMenu("Publish actions", self)
        self.actions_button = QToolButton()
        self.actions_button.setText("Actions")
        self.actions_button.setAccessibleName("Actions")
        self.actions_button.setToolTip("Every action of the Publish panel, with its shortcut")
        self.actions_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.actions_button.setMenu(self.actions_menu)
        self._fill_actions_menu()

        # The main actions as buttons, in a row that fits a narrow panel; the rest only in the Actions menu.
        self.publish_button = action_button(self.publish_action)
        self.check_button = action_button(self.check_action)
        self.format_button = action_button(self.format_action)
        self.load_button = action_button(self.open_file_action)
        tools = QHBoxLayout()
        for button in (self.publish_button, self.check_button, self.format_button, self.load_button):
            tools.addWidget(button)
        tools.addWidget(self.templates)
        tools.addStretch(1)
        tools.addWidget(self.actions_button)
        self.tools = tools

        self.check_label = StatusLabel(lines=2)  # what the text is, or what is wrong with it (the server's words too)
        self.notice_label = StatusLabel()  # what just replaced the draft, and how to get it back
        self.size_label = StatusLabel(min_chars=10)
        notice_row = QHBoxLayout()
        notice_row.addWidget(self.notice_label, 1)
        notice_row.addWidget(self.size_label)

        self.progress = QProgressBar()
        self.progress.setAccessibleName("Publish progress")
        self.progress.hide()
        self.cancel_button = action_button(self.cancel_action)
        self.cancel_button.hide()
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)

        self.open_failed_button = action_button(self.open_failed_action)
        self.retry_button = action_button(self.retry_action)
        self.lower_tabs = ResultsTabs(self.open_failed_button, self.retry_button)
        self.results, self.results_view = self.lower_tabs.results, self.lower_tabs.results_view
        self.summary_label, self.history = self.lower_tabs.summary_label, self.lower_tabs.history

        editor_box = QWidget()
        editor_layout = QVBoxLayout(editor_box)
        editor_layout.setContentsMargins(0, 0, 0, 0)
        editor_layout.addWidget(self.editor, 1)
        editor_layout.addWidget(self.check_label)
        editor_layout.addLayout(notice_row)
        editor_layout.addLayout(progress_row)
        # The editor above, the results and history below: the editor takes the height, and keeps its lines.
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.setChildrenCollapsible(False)
        self.split.addWidget(editor_box)
        self.split.addWidget(self.lower_tabs)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        self.split.setCollapsible(1, True)  # dragged to the bottom, the results give the editor all the room
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(tools)
        layout.addWidget(self.split, 1)

        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(CHECK_DELAY_MS)
        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(DRAFT_SAVE_MS)

        self.results_view.activated.connect(self._result_activated)
        self.results_view.doubleClicked.connect(self._result_activated)
        self.history.itemActivated.connect(self._history_activated)
        self.templates.activated.connect(self._template_chosen)
        self.templates.currentIndexChanged.connect(self._update_actions)
        self._check_timer.timeout.connect(self.check)
        self._draft_timer.timeout.connect(self.store.save_drafts)
        self.editor.textChanged.connect(self._text_changed)
        self.editor.document().undoCommandAdded.connect(self._edit_added)

        self._load_schema()
        self.editor.setPlainText(self.store.draft(profile, entry.id))
        self._fill_templates()
        self._fill_history()
        self._update_actions()
        self.check()

    # ----- actions --------------------------------------------------------------------------------------------
    def _make_actions(self) -> None:
        self._actions: list[QAction] = []

        def act(text: str, slot: Callable[[], object], tip: str, *keys: str) -> QAction:
            self._actions.append(panel_action(self, text, slot, tip, *keys))
            return self._actions[-1]

        self.publish_action = act("Publish", self.publish, "Publish the editor's text", "Ctrl+Return", "Ctrl+Enter")
        self.check_action = act("Check", self.check_now, "Check the text now: JSON, size, schema", "Ctrl+Shift+Return")
        self.format_action = act("Format", self.format_text, "Indent the editor's JSON", "Ctrl+Alt+F")
        self.minify_action = act("Minify", self.minify_text, "Write the editor's JSON compactly", "Ctrl+Shift+M")
        self.example_action = act("New from schema", self.new_from_schema, "An example of the schema", "Ctrl+Shift+N")
        self.open_file_action = act("Open file…", self.ask_input_file, "Open a JSON or JSON Lines file", "Ctrl+Shift+O")
        self.schema_action = act("Load schema…", self.ask_schema_file, "Check against a field list or JSON Schema")
        self.curl_action = act("Copy as curl", self.copy_as_curl, "Copy a curl command that publishes the text")
        self.save_template_action = act("Save as template…", self.ask_template_name, "Keep the text as a template")
        self.delete_template_action = act("Delete template", self.delete_template, "Delete the chosen template")
        self.open_failed_action = act(
            "Open failed items in editor",
            self.open_failed_in_editor,
            "Fix the failed items and send them again",
            "Ctrl+Shift+E",
        )
        self.retry_action = act("Retry failed items", self.retry_failed, "Send the failed items again", "Ctrl+Shift+R")
        self.cancel_action = act("Cancel publishing", self.cancel, "Stop after the request in flight")

    def panel_actions(self) -> list[QAction]:
        """Every action of the panel, in the order of its menu (for the window's menus and command palette)."""
        return list(self._actions)

    def _fill_actions_menu(self) -> None:
        menu = self.actions_menu
        menu.clear()
        for action in (self.publish_action, self.check_action, self.format_action, self.minify_action):
            menu.addAction(action)
        menu.addSeparator()
        for action in (self.example_action, self.open_file_action, self.schema_action, self.curl_action):
            menu.addAction(action)
        menu.addSeparator()
        self.templates_menu = menu.addMenu("Load template")
        menu.addAction(self.save_template_action)
        menu.addAction(self.delete_template_action)
        menu.addSeparator()
        for action in (self.open_failed_action, self.retry_action, self.cancel_action):
            menu.addAction(action)

    def _update_actions(self) -> None:
        sending = self._cancel is not None
        failed = any(r.outcome is Outcome.FAILED for r in self.results.results)
        self.publish_action.setEnabled(not sending)
        self.cancel_action.setEnabled(sending and not (self._cancel is not None and self._cancel.is_set()))
        self.retry_action.setEnabled(not sending and failed and bool(self._sent_items))
        self.open_failed_action.setEnabled(not sending and failed and bool(self.failed_items()))
        self.example_action.setEnabled(self._schema is not None)
        self.delete_template_action.setEnabled(self.templates.currentIndex() > 0)

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
            self._say(f"The topic's schema cannot be used: {exc.message}", error=True)
        self.example_action.setEnabled(self._schema is not None)

    def reload_schema(self) -> None:
        """The topic's schema changed (Edit topic…, List topics): check the text against the new one."""
        self._load_schema()
        self.check()

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
            self._replace_draft(
                json.dumps(example, indent=2, ensure_ascii=False), f"an example of {self._schema_source}"
            )

    # ----- checking as you type -----------------------------------------------------------------------------
    def _text_changed(self) -> None:
        self.store.set_draft(self.profile, self.entry.id, self.editor.toPlainText())
        self._draft_timer.start()
        self._check_timer.start()
        self._notify("")  # an edit (an Undo too) makes the last notice old news

    def flush_draft(self) -> None:
        if self._draft_timer.isActive():
            self._draft_timer.stop()
            self.store.save_drafts()

    def _parse(self) -> PublishInput:
        return parse_publish_input(self.editor.toPlainText(), source="editor")

    def check_now(self) -> None:
        """The Check action: check at once, and say what the text is when it is empty too."""
        if self.check() is None and not self.editor.toPlainText().strip():
            self._say("Nothing to check: write a JSON object, an array or JSON Lines.")

    def check(self) -> PublishInput | None:
        """Check the text now: what it is, how big, what is wrong and where. Returns it when it can be sent."""
        self._check_timer.stop()
        if not self.editor.toPlainText().strip():
            self.editor.mark_error(None)
            self._say("")
            set_text(self.size_label, "")
            return None
        try:
            parsed = self._parse()
            encoded = encode_all(parsed.items, number_from=1)  # the window counts items from 1
        except JsonSyntaxError as exc:
            self.editor.mark_error(exc.line, exc.column, exc.reason)
            self._say(with_hint(exc.reason.removeprefix("is not valid JSON").strip(" ()"), exc.hint), error=True)
            set_text(self.size_label, "")
            return None
        except ValidationError as exc:
            self.editor.mark_error(None)
            self._say(with_hint(exc.message, exc.hint), error=True)
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
                f"{count_words(len(encoded), 'item')} in {count_words(chunks, 'request')} · {human_bytes(total)} · "
                f"largest {human_bytes(largest)} of {human_bytes(MAX_BODY_BYTES)}",
            )
        problems = self.schema_problems(parsed)
        if problems:
            more = f" (and {len(problems) - SHOWN_PROBLEMS} more)" if len(problems) > SHOWN_PROBLEMS else ""
            self._say(
                f"Does not match {self._schema_source}: " + "; ".join(problems[:SHOWN_PROBLEMS]) + more, error=True
            )
        else:
            what = "a JSON object" if parsed.single else f"{parsed.form}, {count_words(len(parsed.items), 'item')}"
            self._say(f"Ready to publish: {what}" + (f", matching {self._schema_source}" if self._schema else ""))
        return parsed

    def schema_problems(self, parsed: PublishInput) -> list[str]:
        if self._schema is None:
            return []
        validator = make_validator(self._schema)
        problems = []
        for number, item in enumerate(parsed.items, start=1):
            root = "payload" if parsed.single else f"item {number}"
            problems += [str(v) for v in violations(validator, item, root=root)]
        return problems

    def _say(self, text: str, *, error: bool = False) -> None:
        set_text(self.check_label, text)
        self.check_label.set_error(error)

    def _notify(self, text: str) -> None:
        set_text(self.notice_label, text)

    # ----- replacing the editor's text ----------------------------------------------------------------------
    def _replace_draft(self, text: str, what: str) -> bool:
        """Put ``text`` in the editor as one undoable edit and say so; an edited draft stays one Undo away.
        ``what`` names the new text ("3 failed items", "the template “daily”"). False when it was there already."""
        old = self.editor.toPlainText()
        if text == old:
            self._notify(f"The editor already holds {what}")
            return False
        self._retry_steps = None
        self.editor.replace_all(text)
        if old.strip():
            undo = QKeySequence(QKeySequence.StandardKey.Undo).toString(QKeySequence.SequenceFormat.NativeText)
            self._notify(f"Replaced the draft with {what} — {undo} brings the draft back")
        else:
            self._notify(f"Opened {what}")
        self.check()
        return True

    def set_text(self, text: str, what: str = "") -> None:
        """Put ``text`` in the editor (Edit & resend, a replay's items) and focus it; the draft stays one Undo away.
        ``what`` names it for the status line (by default, how many messages it holds)."""
        self._replace_draft(text, what or describe_text(text))
        self.editor.setFocus()

    # ----- format, files, curl (the templates: publish_history) -------------------------------------------------------
    def format_text(self) -> None:
        self.reformat(indent=True)

    def minify_text(self) -> None:
        self.reformat(indent=False)

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
        if text != self.editor.toPlainText():
            self.editor.replace_all(text)

    def load_input_file(self, path: Path) -> None:
        try:
            text = read_text_file(path)
        except ValidationError as exc:
            self._say(with_hint(exc.message, exc.hint), error=True)
            return
        self.set_text(text, path.name)

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
        retry_of = len(parsed.items) if self.holds_failed_items() else 0  # the failed items, fixed by hand
        self._retry_steps = None
        self._sent_items, self._sent_form, self._sent_text = parsed.items, parsed.form, text
        self._shown_items = parsed.items
        self.results.set_results([])
        return await self._send(parsed.items, list(range(len(parsed.items))), retry=False, retry_of=retry_of)

    def retry_failed(self) -> None:
        if not self.busy:
            self.task = self.tasks.spawn(self.retry_now())

    async def retry_now(self) -> list[ItemResult] | None:
        """Send again exactly the items that failed; never one that succeeded or whose outcome is unknown."""
        failed = [r.index for r in self.results.results if r.outcome is Outcome.FAILED]
        if not failed or not self._sent_items:
            return None
        items = [self._sent_items[i] for i in failed]
        return await self._send(items, failed, retry=True, retry_of=len(items))

    async def _confirm_mismatch(self, count: int, first: str) -> bool:
        box = plain_message_box(  # the schema (its field names) came from the server
            QMessageBox.Icon.Warning,
            "Publish anyway?",
            f"{count_words(count, 'problem')} against {self._schema_source} (first: {first}).\n\n"
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

    async def _send(
        self, items: list[Any], indices: list[int], *, retry: bool, retry_of: int
    ) -> list[ItemResult] | None:
        encoded = encode_all(items, number_from=1)
        chunks = len(
            list(chunk_encoded(encoded, max_items=MAX_BATCH_ITEMS if self.client.endpoint.supports_batch else 1))
        )
        self._cancel = asyncio.Event()
        self.progress.setRange(0, len(items))
        self.progress.setValue(0)
        self.progress.setVisible(chunks > 1)
        self.cancel_button.setVisible(chunks > 1)
        self.publish_action.setEnabled(False)
        self.retry_action.setEnabled(False)
        self.cancel_action.setEnabled(True)
        self._say(f"Publishing {count_words(len(items), 'item')}…")
        try:
            results = await publish_encoded_all(
                self.client, self.entry.id, encoded, indices=indices, on_progress=self._on_progress, cancel=self._cancel
            )
        except InspectorError as exc:
            self._say(with_hint(exc.message, exc.hint), error=True)
            return None
        finally:
            self.progress.hide()
            self.cancel_button.hide()
            self._cancel = None  # not sending from here on
            self._update_actions()
        if retry:
            self.results.merge(results)
        else:
            self.results.set_results(results)
        set_text(self.summary_label, summarize_results(self.results.results))
        again = f"Retried {count_words(len(items), 'failed item')}" if retry else "Sent"
        self._say(f"{again}: {summarize_results(results)}")
        self._show_results()
        entry = HistoryEntry.of(
            datetime.now(UTC), self._sent_form, self._sent_text, self.results.results, retry_of=retry_of
        )
        self.store.add_history(self.profile, self.entry.id, entry)
        self._fill_history()
        self._update_actions()
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
            self.cancel_action.setEnabled(False)
            self._say("Cancelling after the current request…")

    async def stop(self) -> None:
        self.flush_draft()
        if self.busy and self.task is not None:
            self.cancel()
            await asyncio.gather(self.task, return_exceptions=True)
