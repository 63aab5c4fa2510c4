"""Small widget helpers shared by the window and its views.

Server text is data: a QLabel, a QMessageBox or a tooltip takes text that looks like HTML for rich text and
draws it (a heading, a link, an image), so whatever a server sent is shown through ``plain_label``,
``plain_message_box`` or ``plain_tooltip``, and escaped (``escape_html``) where the window builds HTML itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel

from inspector.ui import later

if TYPE_CHECKING:  # the window loads message boxes when one opens (see main_window)
    from PySide6.QtWidgets import QMessageBox, QWidget

ID_SHOWN = 48  # characters of a long id shown in a header; its tooltip (and Copy id) hold all of it


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


def plain_label(text: str = "", *, wrap: bool = False) -> QLabel:
    """A label that shows its text as the characters it holds, never as rich text."""
    label = QLabel()
    label.setTextFormat(later.Qt.TextFormat.PlainText)  # not Qt's on import: see inspector.ui.later
    label.setWordWrap(wrap)
    label.setText(text)
    return label


def plain_message_box(
    icon: QMessageBox.Icon,
    title: str,
    text: str,
    buttons: QMessageBox.StandardButton,
    parent: QWidget | None,
) -> QMessageBox:
    """A message box whose text is shown as plain text."""
    box = later.QMessageBox(icon, title, "", buttons, parent)
    box.setTextFormat(later.Qt.TextFormat.PlainText)
    box.setText(text)
    return box


def escape_html(text: str) -> str:
    """``text`` fit to stand in HTML the window builds (``html.escape`` without quotes: the ``html`` module and its
    table of entities would load before the window is shown)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plain_tooltip(text: str) -> str:
    """A tooltip that shows ``text`` as it is. Qt draws a tooltip as rich text when it looks like some (and the
    format cannot be set), so text holding ``<`` or ``&`` is escaped and wrapped, its spaces and lines kept.

    It touches no Qt enum: the window sets tooltips before it is first shown (see ``main_window``)."""
    if "<" not in text and "&" not in text:
        return text
    return f"<p style='white-space:pre-wrap'>{escape_html(text)}</p>"


def elide_middle(text: str, limit: int = ID_SHOWN) -> str:
    """``text`` cut to ``limit`` characters around an ellipsis, its start and end kept (a long id's two ends)."""
    if len(text) <= limit:
        return text
    tail = (limit - 1) // 3
    return text[: limit - 1 - tail] + "…" + text[len(text) - tail :]
