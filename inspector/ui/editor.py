"""A JSON editor: highlighting, line numbers, the line of an error marked in the margin, bracket matching."""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QKeyEvent, QPainter, QPaintEvent, QResizeEvent, QTextCursor, QTextFormat
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from inspector.ui.json_view import JsonHighlighter, is_dark
from inspector.ui.status import ERROR_TEXT, MUTED_TEXT, Tone
from inspector.ui.widgets import plain_tooltip

BRACKETS = {"{": "}", "[": "]", "}": "{", "]": "["}
BRACKET_SCAN_LIMIT = 200_000  # longer texts get no bracket matching: each cursor move would scan them
# The margin and the matched brackets, as (on a light palette, on a dark one): the line numbers (MUTED_TEXT), the
# error's mark and number (ERROR_TEXT) and the text on a matched bracket read at 4.5 or more on these.
GUTTER = ("#f3f3f3", "#2a2a2a")
ERROR_LINE = ("#fce8e7", "#4a1c1c")
MATCHED_BRACKET = ("#c8e6c9", "#2e5b31")


def matching_bracket(text: str, position: int) -> int | None:
    """The index of the bracket that pairs with the one at ``position`` (brackets inside strings ignored)."""
    if not 0 <= position < len(text) or text[position] not in BRACKETS:
        return None
    strings = _string_mask(text, position)  # which characters up to the bracket are inside strings
    if strings[position]:
        return None
    mine, partner = text[position], BRACKETS[text[position]]
    if text[position] in "{[":
        walk = ((i, c) for i, c, inside in _scan(text, position, len(text)) if not inside)
    else:
        walk = ((i, text[i]) for i in range(position, -1, -1) if not strings[i])
    depth = 0
    for index, char in walk:
        if char == mine:
            depth += 1
        elif char == partner:
            depth -= 1
            if depth == 0:
                return index
    return None


def _scan(text: str, start: int, stop: int) -> Iterator[tuple[int, str, bool]]:
    """Each character from ``start`` (outside any string) to ``stop``, and whether it is part of a string."""
    in_string = escaped = False
    for index in range(start, stop):
        char = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            yield index, char, True
        else:
            in_string = char == '"'
            yield index, char, in_string


def _string_mask(text: str, end: int) -> list[bool]:
    return [inside for _, _, inside in _scan(text, 0, end + 1)]


class _Margin(QWidget):
    def __init__(self, editor: JsonEditor) -> None:
        super().__init__(editor)
        self.editor = editor

    def sizeHint(self) -> QSize:
        return QSize(self.editor.margin_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:
        self.editor.paint_margin(event)


class JsonEditor(QPlainTextEdit):
    """Plain-text JSON editing; ``mark_error(line, column)`` marks a line in the margin (1-based)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.minimum_lines = 0
        self.setFont(QFont("monospace"))
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabChangesFocus(False)  # Tab indents; Ctrl+Tab and Ctrl+Shift+Tab leave (keyPressEvent)
        self.setAccessibleDescription("JSON text. Tab indents; Ctrl+Tab moves to the next control.")
        self._highlighter = JsonHighlighter(self.document())
        self._margin = _Margin(self)
        self.error_line: int | None = None
        self.error_column: int | None = None
        self.error_text = ""
        self.blockCountChanged.connect(self._update_margin_width)
        self.updateRequest.connect(self._update_margin)
        self.cursorPositionChanged.connect(self._highlight_brackets)
        self._update_margin_width()

    def shade(self, colors: Tone, dark: bool | None = None) -> QColor:
        """The colour of ``colors`` (light, dark) for the editor's palette (its base darker than its text: dark)."""
        return QColor(colors[1] if (is_dark(self.palette()) if dark is None else dark) else colors[0])

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Tab indents by two spaces (as the JSON is formatted), and Ctrl+Tab / Ctrl+Shift+Tab move the focus on, so
        the keyboard is never kept in the editor."""
        key, modifiers = event.key(), event.modifiers()
        ctrl = bool(modifiers & Qt.KeyboardModifier.ControlModifier)
        if key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) and ctrl:
            backwards = key == Qt.Key.Key_Backtab or bool(modifiers & Qt.KeyboardModifier.ShiftModifier)
            self.setTabChangesFocus(True)  # QPlainTextEdit moves the focus on only then
            self.focusNextPrevChild(not backwards)
            self.setTabChangesFocus(False)
            return
        if key == Qt.Key.Key_Tab and not modifiers and not self.isReadOnly():
            self.insertPlainText("  ")
            return
        super().keyPressEvent(event)

    # ----- the margin -------------------------------------------------------------------------------------
    def margin_width(self) -> int:
        digits = len(str(max(1, self.blockCount())))
        return 14 + self.fontMetrics().horizontalAdvance("9") * max(digits, 3)

    def _update_margin_width(self, *_: object) -> None:
        self.setViewportMargins(self.margin_width(), 0, 0, 0)

    def _update_margin(self, rect: QRect, dy: int) -> None:
        if dy:
            self._margin.scroll(0, dy)
        else:
            self._margin.update(0, rect.y(), self._margin.width(), rect.height())

    # ----- room --------------------------------------------------------------------------------------------
    def set_minimum_lines(self, lines: int) -> None:
        """Never shorter than ``lines`` lines of text, a horizontal scroll bar counted: no layout or splitter
        can squash the editor below that."""
        self.minimum_lines = lines
        self._fit_minimum()

    def _fit_minimum(self) -> None:
        if self.minimum_lines:
            margin = round(self.document().documentMargin())
            scroll_bar = self.horizontalScrollBar().sizeHint().height()
            text = self.minimum_lines * self.fontMetrics().lineSpacing() + 2 * margin
            self.setMinimumHeight(text + 2 * self.frameWidth() + scroll_bar + 1)

    def lines_shown(self) -> int:
        """How many whole lines of text the editor shows at its present height."""
        room = self.viewport().height() - 2 * round(self.document().documentMargin())
        return max(0, room // max(1, self.fontMetrics().lineSpacing()))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_minimum()
        elif event.type() == QEvent.Type.PaletteChange and hasattr(self, "_margin"):  # not while being made
            # a change of scheme: the JSON's, the brackets' and the margin's shades
            self._highlighter.set_dark(is_dark(self.palette()))
            self._highlight_brackets()
            self._margin.update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        contents = self.contentsRect()
        self._margin.setGeometry(QRect(contents.left(), contents.top(), self.margin_width(), contents.height()))

    def paint_margin(self, event: QPaintEvent) -> None:
        painter = QPainter(self._margin)
        dark = is_dark(self.palette())
        painter.fillRect(event.rect(), self.shade(GUTTER, dark))
        block = self.firstVisibleBlock()
        number = block.blockNumber() + 1
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        bottom = top + round(self.blockBoundingRect(block).height())
        height = self.fontMetrics().height()
        while block.isValid() and top <= event.rect().bottom():
            if block.isVisible() and bottom >= event.rect().top():
                if number == self.error_line:
                    painter.fillRect(0, top, self._margin.width(), height, self.shade(ERROR_LINE, dark))
                    painter.setPen(self.shade(ERROR_TEXT, dark))
                    painter.drawText(2, top, 10, height, Qt.AlignmentFlag.AlignLeft, "●")
                else:
                    painter.setPen(self.shade(MUTED_TEXT, dark))
                painter.drawText(0, top, self._margin.width() - 4, height, Qt.AlignmentFlag.AlignRight, str(number))
            block = block.next()
            top = bottom
            bottom = top + round(self.blockBoundingRect(block).height())
            number += 1
        painter.end()

    def mark_error(self, line: int | None, column: int | None = None, text: str = "") -> None:
        if (line, column, text) != (self.error_line, self.error_column, self.error_text):
            self.error_line, self.error_column, self.error_text = line, column, text
            self._margin.setToolTip(plain_tooltip(text))  # a parse error quotes the text, which may be HTML
            self._margin.update()

    # ----- bracket matching -------------------------------------------------------------------------------
    def _highlight_brackets(self) -> None:
        selections: list[QTextEdit.ExtraSelection] = []
        if self.document().characterCount() > BRACKET_SCAN_LIMIT:
            self.setExtraSelections(selections)
            return
        text = self.toPlainText()
        position = self.textCursor().position()
        for spot in (position, position - 1):  # the bracket after the cursor, else the one before it
            partner = matching_bracket(text, spot)
            if partner is not None:
                for index in (spot, partner):
                    selection = QTextEdit.ExtraSelection()
                    selection.format.setBackground(self.shade(MATCHED_BRACKET))
                    selection.format.setProperty(QTextFormat.Property.FullWidthSelection, False)
                    cursor = self.textCursor()
                    cursor.setPosition(index)
                    cursor.movePosition(QTextCursor.MoveOperation.NextCharacter, QTextCursor.MoveMode.KeepAnchor)
                    selection.cursor = cursor
                    selections.append(selection)
                break
        self.setExtraSelections(selections)

    def matched_brackets(self) -> list[int]:
        """Positions of the brackets highlighted now (for tests and accessibility)."""
        return sorted(selection.cursor.selectionStart() for selection in self.extraSelections())

    # ----- editing ----------------------------------------------------------------------------------------
    def replace_all(self, text: str) -> None:
        """Replace the whole text as one undoable edit (setPlainText would clear the undo history)."""
        cursor = self.textCursor()
        cursor.beginEditBlock()
        cursor.select(QTextCursor.SelectionType.Document)
        cursor.insertText(text)
        cursor.endEditBlock()
