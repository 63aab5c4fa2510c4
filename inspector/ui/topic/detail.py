"""The topic tab's detail of the selected message: a header and copy buttons, a line saying how the message breaks
the topic's current schema (when it does), over the Payload (text and tree), Schema and Rate tabs."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from inspector.core.errors import ValidationError
from inspector.core.fieldlist import Field, PayloadProblem, fieldlist_from_text, fieldlist_text, parse_fieldlist
from inspector.core.rows import Row
from inspector.ui.json_view import JsonText, JsonTree
from inspector.ui.rate_chart import RateChart, RateCounter
from inspector.ui.topic.model import format_local, format_utc, human_size, schema_words
from inspector.ui.widgets import elide_middle, escape_html, plain_label, plain_tooltip

NO_SELECTION = "Select a message to see it here."
NO_SCHEMA = "No schema is known for this topic."
SCHEMA_SHOWN = 3  # problems the detail's schema line names; the rest are counted
SchemaGiven = Sequence[Field] | Sequence[Mapping[str, Any]] | str | None


def read_schema(schema: SchemaGiven) -> tuple[tuple[Field, ...] | None, str, str]:
    """A topic's schema as the tab is given it: a field list (``Field`` objects or the API's JSON value), its JSON
    text, or None or empty for none. Returns its fields (None: none, or it cannot be read), its text for the Schema
    tab, and the words saying why it cannot be read (empty when it can)."""
    text = ""
    try:
        if isinstance(schema, str):
            text = schema
            fields = fieldlist_from_text(schema, where="the topic's schema") if schema.strip() else ()
        elif schema and all(isinstance(item, Field) for item in schema):
            fields = tuple(item for item in schema if isinstance(item, Field))
            text = fieldlist_text(fields)
        elif schema:
            text = json.dumps(list(schema), indent=2, ensure_ascii=False)
            fields = parse_fieldlist(list(schema), where="the topic's schema")
        else:
            fields = ()
    except ValidationError as exc:
        why = f"The topic's schema cannot be read, so its messages are not checked against it: {exc.describe()}"
        return None, text, why
    return fields or None, text, ""


def named_button(text: str, tip: str) -> QPushButton:
    """A push button whose accessible name is the words it shows."""
    button = QPushButton(text)
    button.setAccessibleName(text)
    button.setToolTip(tip)
    return button


def token_bar() -> tuple[QFrame, QLabel, QPushButton]:
    """The bar a tab without a token shows (hidden), its words and its "Set token…" button."""
    frame = QFrame()
    frame.setObjectName("token-bar")
    frame.setStyleSheet(
        "QFrame#token-bar { background: #fff4ce; border: 1px solid #e0b000; border-radius: 3px; }"
        "QFrame#token-bar QLabel { color: black; }"
    )
    label = plain_label(wrap=True)
    button = named_button("Set token…", "Paste the API client token of this profile")
    bar = QHBoxLayout(frame)
    bar.setContentsMargins(8, 4, 4, 4)
    bar.addWidget(label, 1)
    bar.addWidget(button)
    frame.hide()
    return frame, label, button


class MessageDetail(QWidget):
    """The selected message (``show_row``), the topic's schema and its message rate."""

    def __init__(self, rates: RateCounter, schema_text: str = "") -> None:
        super().__init__()
        self.header = QLabel(NO_SELECTION)
        self.header.setAccessibleName(NO_SELECTION)
        self.header.setTextFormat(Qt.TextFormat.RichText)  # the id in bold, escaped
        self.header.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # A long id is cut in the middle, and the header takes the room left, never more: it cannot widen the window.
        self.header.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.copy_id = named_button("Copy id", "Copy the selected messages' ids (Ctrl+Shift+I)")
        self.copy_payload = named_button("Copy payload", "Copy the selected payloads (Ctrl+C in the table)")
        self.copy_message = named_button("Copy message", "Copy the selected messages whole, as JSON (Ctrl+Shift+C)")
        top = QHBoxLayout()
        top.addWidget(self.header, 1)
        for button in (self.copy_id, self.copy_payload, self.copy_message):
            top.addWidget(button)
        self.schema_line = plain_label(wrap=True)  # how the message breaks the topic's current schema
        self.schema_line.setStyleSheet("color: #9a6700")
        self.schema_line.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.schema_line.hide()

        self.payload_text = JsonText()
        self.payload_text.setAccessibleName("Payload text")
        self.payload_tree = JsonTree()
        self.payload_tree.setAccessibleName("Payload tree")
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.setAccessibleName("Message detail")
        payload_split = QSplitter(Qt.Orientation.Horizontal)
        payload_split.addWidget(self.payload_text)
        payload_split.addWidget(self.payload_tree)
        self.tabs.addTab(payload_split, "Payload")
        self.schema_text = JsonText()
        self.schema_text.setAccessibleName("Schema")
        self.schema_text.setPlainText(schema_text or NO_SCHEMA)
        self.tabs.addTab(self.schema_text, "Schema")
        self.rate_chart = RateChart(rates)
        self.tabs.addTab(self.rate_chart, "Rate")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.schema_line)
        layout.addWidget(self.tabs, 1)

    def set_schema_text(self, text: str) -> None:
        """The Schema tab shows the topic's current schema (empty: none is known)."""
        self.schema_text.setPlainText(text or NO_SCHEMA)

    def show_row(self, row: Row | None, problems: Sequence[PayloadProblem] = (), *, limit: int = 0) -> None:
        """Show ``row``; ``problems``: how it breaks the topic's current schema (the most looked for: ``limit``)."""
        self._show_problems(problems if row is not None else (), limit)
        if row is None:
            self.header.setText(NO_SELECTION)
            self.header.setAccessibleName(NO_SELECTION)
            self.header.setToolTip("")
            self.payload_text.show_value(None)
            self.payload_tree.show_value(None)
            return
        facts = f"#{row.seq + 1} · {human_size(row.size)}"
        times = f"UTC {format_utc(row.timestamp)} · local {format_local(row.timestamp)}"
        shown_id = elide_middle(row.message_id)
        self.header.setText(f"<b>{escape_html(shown_id)}</b> · {facts}<br>{times}")
        self.header.setAccessibleName(f"{shown_id} · {facts} · {times}")  # the words shown, without the markup
        self.header.setToolTip(plain_tooltip(row.message_id))
        payload = row.payload
        self.payload_text.show_value(payload)
        self.payload_tree.show_value(payload)

    def _show_problems(self, problems: Sequence[PayloadProblem], limit: int) -> None:
        if not problems:
            self.schema_line.hide()
            self.schema_line.setText("")
            return
        words = schema_words(problems, shown=SCHEMA_SHOWN, limit=limit)
        self.schema_line.setText(words)
        self.schema_line.setAccessibleName(words)
        self.schema_line.setToolTip(plain_tooltip("\n".join(problem.words for problem in problems)))
        self.schema_line.show()
