"""Small widget helpers shared by the window and its views."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel


def set_text(label: QLabel, text: str) -> None:
    """Set a label's text only when it changed: every change lays out and paints it again."""
    if label.text() != text:
        label.setText(text)


def counter_label(widest: str) -> QLabel:
    """A label for a figure that changes many times a second, sized once for its ``widest`` text.

    A label of fixed size does not ask its parent's layout to run again when its text changes; one that may grow
    does, and the layout pass repaints every widget around it (the whole view, at each new count).
    """
    label = QLabel(widest)
    label.setFixedSize(label.sizeHint().width() + 8, label.sizeHint().height())
    label.setText("")
    return label
