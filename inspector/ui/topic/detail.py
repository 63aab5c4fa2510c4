"""The topic tab's detail of the selected message: a header and copy buttons over the Payload (text and tree),
Schema and Rate tabs."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QSplitter, QTabWidget, QVBoxLayout, QWidget

from inspector.core.rows import Row
from inspector.ui.json_view import JsonText, JsonTree
from inspector.ui.rate_chart import RateChart, RateCounter
from inspector.ui.topic.model import format_local, format_utc, human_size
from inspector.ui.widgets import elide_middle, escape_html, plain_tooltip

NO_SELECTION = "Select a message to see it here."


def named_button(text: str, tip: str) -> QPushButton:
    """A push button whose accessible name is the words it shows."""
    button = QPushButton(text)
    button.setAccessibleName(text)
    button.setToolTip(tip)
    return button


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
        self.schema_text.setPlainText(schema_text or "No schema is known for this topic.")
        self.tabs.addTab(self.schema_text, "Schema")
        self.rate_chart = RateChart(rates)
        self.tabs.addTab(self.rate_chart, "Rate")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)

    def show_row(self, row: Row | None) -> None:
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
