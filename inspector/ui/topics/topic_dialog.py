"""New topic… and Edit topic…: name, description, retention and schema, saved through the Developer API.

When Save would change an existing topic's schema, the new schema is tested first against the topic's retained
messages and the Publish panel's history for it, with progress and *Cancel*; when any would be refused, the answer
is shown ("this change would refuse 37 of the 1,000 messages in the topic — first: message AbC12,
`customer.email` is required") and Save becomes *Save anyway*. A refusal from the API names the field at fault.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from inspector.core.errors import ApiError, InspectorError, ValidationError
from inspector.core.fieldlist import Field, dump_fieldlist, parse_fieldlist
from inspector.core.models import Topic
from inspector.core.schemacheck import Refusal, SchemaTest
from inspector.core.services.workato import (
    DEFAULT_RETENTION_SECS,
    MAX_RETENTION_SECS,
    check_retention,
    check_topic_name,
    retention_words,
)
from inspector.core.validation import counted as count
from inspector.ui.tasks import Tasks
from inspector.ui.topics.schema_editor import ERROR_STYLE, InferSources, SchemaEditor
from inspector.ui.widgets import plain_label, plain_tooltip

UNITS = (("days", 86400), ("hours", 3600), ("minutes", 60))
BAD_FIELD_STYLE = "QLineEdit, QSpinBox { border: 2px solid #c62828; }"
REFUSALS_SHOWN = 200
PROGRESS_EVERY = 0.1  # seconds between two progress texts
_FIELD_AT = re.compile(r"field (\d+) \(([^)]*)\)")


@dataclass(frozen=True)
class TopicSettings:
    """What Save sends: for a new topic all of it; for an existing one ``changes`` says what differs."""

    name: str
    description: str
    retention_secs: int
    fields: tuple[Field, ...]

    def schema(self) -> list[dict[str, Any]]:
        return dump_fieldlist(self.fields)

    def changes(self, topic: Topic) -> dict[str, Any]:
        """The Developer API's update arguments for what differs from ``topic`` (empty: nothing to save)."""
        found: dict[str, Any] = {}
        if self.name != topic.name:
            found["name"] = self.name
        if self.description != topic.description:
            found["description"] = self.description
        if self.retention_secs != (topic.retention_secs or DEFAULT_RETENTION_SECS):
            found["retention_secs"] = self.retention_secs
        if self.schema() != (topic.schema or []):
            found["schema"] = self.schema()
        return found


Save = Callable[[TopicSettings], Awaitable[Topic]]
Progress = Callable[[SchemaTest, list[Refusal]], None]
TestSchema = Callable[[tuple[Field, ...], Progress], Awaitable[SchemaTest]]


def sentence(words: str) -> str:
    """``words`` with a capital first letter, as a sentence starts."""
    return words[:1].upper() + words[1:]


def retention_parts(seconds: int) -> tuple[int, int]:
    """A retention as a number and a unit's seconds, the largest unit that divides it (minutes when none)."""
    for _, size in UNITS:
        if seconds % size == 0:
            return seconds // size, size
    return max(1, round(seconds / 60)), 60


def fields_of(topic: Topic | None) -> tuple[Field, ...]:
    """The topic's schema as fields (none when it has none or the API sent one this app cannot read)."""
    if topic is None or not topic.schema:
        return ()
    try:
        return parse_fieldlist(topic.schema, where="the topic's schema")
    except ValidationError:
        return ()


class TopicDialog(QDialog):
    """Create a topic (``topic`` None) or change one. ``saved`` carries the topic as the API answered."""

    saved = Signal(object)  # Topic

    def __init__(
        self,
        parent: QWidget | None,
        *,
        profile_name: str,
        topic: Topic | None,
        save: Save,
        test_schema: TestSchema | None = None,
        sources: InferSources | None = None,
    ) -> None:
        super().__init__(parent)
        self.topic = topic
        self._save = save
        self._test_schema = test_schema
        self.tasks = Tasks()
        self._test_task: asyncio.Task[SchemaTest] | None = None
        self._stopped = False  # the user pressed Cancel during a schema test
        self._partial: SchemaTest | None = None
        self._said_at = 0.0  # when the test's progress was last said
        self.tested: tuple[list[dict[str, Any]], SchemaTest] | None = None  # the schema tested, and the answer
        self.setWindowTitle(f"Edit topic {topic.id} — {profile_name}" if topic else f"New topic — {profile_name}")
        self.setModal(True)
        self.resize(980, 640)

        self.name = QLineEdit(topic.name if topic else "")
        self.name.setPlaceholderText("e.g. orders (unique in the workspace)")
        self.name.setAccessibleName("Name")
        self.description = QLineEdit(topic.description if topic else "")
        self.description.setPlaceholderText("optional: what the topic carries")
        self.description.setAccessibleName("Description")
        number, size = retention_parts((topic.retention_secs if topic else None) or DEFAULT_RETENTION_SECS)
        self.retention = QSpinBox()
        self.retention.setRange(1, MAX_RETENTION_SECS // 60)
        self.retention.setValue(number)
        self.retention.setAccessibleName("Retention")
        self.retention_unit = QComboBox()
        for words, seconds in UNITS:
            self.retention_unit.addItem(words, seconds)
        self.retention_unit.setCurrentIndex(max(0, self.retention_unit.findData(size)))
        self.retention_unit.setAccessibleName("Retention unit")
        self._retention_shown = (number, size)
        self.retention_words = plain_label()
        self.retention_words.setAccessibleName("Retention in words")
        self.editor = SchemaEditor(fields_of(topic), sources=sources)
        if topic is not None and topic.schema and not fields_of(topic):
            # a schema this app cannot read: shown as it is, with its problem, never saved over unseen
            self.editor.text.setPlainText(json.dumps(topic.schema, indent=2, ensure_ascii=False))

        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # the number of retained messages is not known before they are read
        self.progress.setAccessibleName("Schema test progress")
        self.progress.hide()
        self.stop_button = QPushButton("Cancel test")
        self.stop_button.setAccessibleName("Cancel test")
        self.stop_button.setToolTip("Stop reading the topic: the answer says how far the test got")
        self.stop_button.hide()
        self.status = plain_label(wrap=True)
        self.status.setAccessibleName("Save status")
        self.refusals = QListWidget()
        self.refusals.setAccessibleName("Messages the new schema would refuse")
        self.refusals.setMaximumHeight(110)
        self.refusals.hide()

        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Description", self.description)
        retention = QHBoxLayout()
        retention.addWidget(self.retention)
        retention.addWidget(self.retention_unit)
        retention.addWidget(self.retention_words, 1)
        form.addRow("Retention", retention)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.editor, 1)
        testing = QHBoxLayout()
        testing.addWidget(self.progress, 1)
        testing.addWidget(self.stop_button)
        layout.addLayout(testing)
        layout.addWidget(self.status)
        layout.addWidget(self.refusals)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setAccessibleName("Save")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setAccessibleName("Cancel")
        layout.addWidget(self.buttons)

        self.buttons.accepted.connect(self.start_save)
        self.buttons.rejected.connect(self.reject)
        self.stop_button.clicked.connect(self.stop_test)
        self.finished.connect(self._closed)
        self.name.textEdited.connect(lambda _text: self._mark(self.name, ""))
        self.retention.valueChanged.connect(self._retention_changed)
        self.retention_unit.currentIndexChanged.connect(self._retention_changed)
        self.editor.changed.connect(self._schema_changed)
        self._retention_changed()
        self.name.setFocus(Qt.FocusReason.OtherFocusReason)

    # ----- the fields -------------------------------------------------------------------------------------
    def retention_secs(self) -> int:
        """The retention shown, in seconds; the topic's own while it is left as shown (90 seconds shows as 2
        minutes, and is not changed by a save of something else)."""
        shown = (self.retention.value(), int(self.retention_unit.currentData()))
        if self.topic is not None and self.topic.retention_secs and shown == self._retention_shown:
            return self.topic.retention_secs
        return shown[0] * shown[1]

    def _retention_changed(self, *args: object) -> None:
        try:
            seconds = check_retention(self.retention_secs(), where="retention")
        except ValidationError as exc:
            self.retention_words.setStyleSheet(ERROR_STYLE)
            self.retention_words.setText(f"{exc.reason} ({exc.hint})" if exc.hint else exc.reason)
            self._mark(self.retention, exc.reason)
            return
        self.retention_words.setStyleSheet("")
        self.retention_words.setText(f"messages are kept {retention_words(seconds)}")
        self._mark(self.retention, "")

    def _mark(self, widget: QWidget, words: str) -> None:
        """Show ``widget`` as the one at fault (a red frame, the words as its tooltip), or as fine again."""
        widget.setStyleSheet(BAD_FIELD_STYLE if words else "")
        widget.setToolTip(plain_tooltip(words))  # the server's words, as they were sent

    def _schema_changed(self) -> None:
        if self.tested is not None and self.tested[0] != self.editor.model.to_json():
            self.tested = None  # another schema: it is tested again before it is saved
            self.refusals.hide()
            self.refusals.clear()
            self._say("")
        self._update_save_words()

    def _update_save_words(self) -> None:
        anyway = self.tested is not None and (self.tested[1].refused > 0 or not self.tested[1].complete)
        words = "Save anyway" if anyway else "Save"
        self.save_button.setText(words)
        self.save_button.setAccessibleName(words)

    def _say(self, words: str, *, error: bool = False) -> None:
        self.status.setStyleSheet(ERROR_STYLE if error else "")
        self.status.setText(words)

    def settings(self) -> TopicSettings:
        """What the dialog holds, checked; ``ValidationError`` names the field at fault (and marks it)."""
        try:
            name = check_topic_name(self.name.text(), where="name")
        except ValidationError as exc:
            self._mark(self.name, exc.reason)
            self.name.setFocus()
            raise
        seconds = check_retention(self.retention_secs(), where="retention")
        return TopicSettings(name, self.description.text(), seconds, self.editor.fields())

    def schema_changes(self, settings: TopicSettings) -> bool:
        return self.topic is not None and settings.schema() != (self.topic.schema or [])

    # ----- saving -----------------------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.tasks.busy

    def start_save(self) -> asyncio.Task[Topic | None] | None:
        if self.busy:
            return None
        return self.tasks.spawn(self.save())

    async def save(self) -> Topic | None:
        """Check, test a schema change first (once per schema), then save; the answer in words."""
        try:
            settings = self.settings()
        except ValidationError as exc:
            self._say(exc.describe(), error=True)
            return None
        if self.topic is not None and not settings.changes(self.topic):
            self._say("Nothing to save: nothing was changed.")
            return None
        if self._test_schema is not None and self.schema_changes(settings):
            schema = settings.schema()
            if self.tested is None or self.tested[0] != schema:
                test = await self.run_test(settings.fields)
                self.tested = (schema, test)
                self._update_save_words()
                if test.refused or not test.complete:
                    return None  # the answer is shown; Save anyway saves this very schema
        return await self._send(settings)

    async def _send(self, settings: TopicSettings) -> Topic | None:
        self.save_button.setEnabled(False)
        tested = f"{sentence(self.tested[1].summary())}. " if self.tested is not None else ""
        self._say(f"{tested}Saving…")
        try:
            topic = await self._save(settings)
        except InspectorError as exc:
            self._say(self._refusal_words(exc), error=True)
            return None
        finally:
            self.save_button.setEnabled(True)
        self._say(f"{tested}Saved.")
        self.saved.emit(topic)
        self.accept()
        return topic

    def _refusal_words(self, exc: InspectorError) -> str:
        """The API's answer in words, with the field it names marked: the name, the retention or a schema field."""
        server = exc.server_message if isinstance(exc, ApiError) else ""
        code = exc.code if isinstance(exc, ApiError) else ""
        said = server or exc.message
        lowered = said.lower()
        if code == "name_taken" or (code != "invalid_schema" and "name" in lowered and "taken" in lowered):
            self._mark(self.name, said)
            self.name.setFocus()
            return f"The API refused the name {self.name.text().strip()!r}: {said}. Choose another name."
        if code == "invalid_schema" or "schema" in lowered:
            found = _FIELD_AT.search(said)
            if found and self.editor.highlight(found.group(2), said, number=int(found.group(1))):
                return f"The API refused the schema at {found.group(2)}: {said}"
            return f"The API refused the schema: {said}"
        if "retention" in lowered:
            self._mark(self.retention, said)
            return f"The API refused the retention: {said}"
        return exc.describe()

    # ----- testing a schema change ------------------------------------------------------------------------
    async def run_test(self, fields: tuple[Field, ...]) -> SchemaTest:
        """Read the topic's retained messages and check them against ``fields``; Cancel stops the reading and the
        answer says how far it got."""
        assert self._test_schema is not None
        self._stopped, self._partial, self._said_at = False, SchemaTest(fields), 0.0
        self.refusals.clear()
        self.refusals.hide()
        self.progress.show()
        self.stop_button.show()
        self.stop_button.setEnabled(True)
        self.save_button.setEnabled(False)
        self._say("Testing the new schema against the topic's messages first…")
        self._test_task = asyncio.ensure_future(self._test_schema(fields, self._progressed))
        try:
            test = await self._test_task
        except asyncio.CancelledError:
            if not self._stopped:
                raise  # the dialog closed
            test = self._partial
        except InspectorError as exc:
            test = self._partial
            self._say(f"The test could not read the topic: {exc.describe()}", error=True)
            self._end_test()
            return test
        finally:
            self._test_task = None
        self._end_test()
        self._show_answer(test)
        return test

    def _progressed(self, test: SchemaTest, found: list[Refusal]) -> None:
        """After each slice: the count so far, said at most every ``PROGRESS_EVERY`` seconds (each new text lays
        the dialog out again, which would slow a fast read down by a third)."""
        self._partial = test
        now = time.monotonic()
        if now - self._said_at >= PROGRESS_EVERY:
            self._said_at = now
            would = f", {count(test.refused, 'message')} would be refused" if test.refused else ""
            self._say(f"Testing the new schema: {count(test.checked, 'message')} read{would}…")
        for refusal in found:
            if self.refusals.count() < REFUSALS_SHOWN:
                self.refusals.addItem(f"message {refusal.message_id}: {refusal.words}")

    def _end_test(self) -> None:
        self.progress.hide()
        self.stop_button.hide()
        self.save_button.setEnabled(True)

    def _show_answer(self, test: SchemaTest) -> None:
        words = test.summary()
        if self._stopped:
            words = f"Test cancelled: {words}" if test.checked else "Test cancelled before any message was read."
        words = sentence(words)
        if test.refused or not test.complete:
            words += ". Save anyway, or change the schema (it is tested again)."
        self._say(words, error=bool(test.refused))
        self.refusals.setVisible(self.refusals.count() > 0)

    def stop_test(self) -> None:
        if self._test_task is not None and not self._test_task.done():
            self._stopped = True
            self.stop_button.setEnabled(False)
            self._test_task.cancel()

    def _closed(self, result: int) -> None:
        if self._test_task is not None:
            self._test_task.cancel()
        self.tasks.cancel()
        self.editor.stop()
