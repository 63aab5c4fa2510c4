"""The state of an open topic in words and colour, for the tree, the tab and the status bar; the status bar; and
the colours the window's own words take on the system's light or dark scheme."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QWidget

from inspector.ui import later
from inspector.ui.widgets import counter_label, escape_html, set_text

if TYPE_CHECKING:
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QStatusBar

    from inspector.core.ratelimit import Usage

_RED = "color: white; background: #c62828; padding: 0 4px;"
_AMBER = "color: black; background: #ffb300; padding: 0 4px;"

# Colours of words, as (on a light scheme, on a dark one): each reads at a contrast of 4.5 or more on a window or
# base of its scheme (white to #efefef; #1e1e1e to #3c3c3c), tests/gui/test_dark_scheme.py checks it.
Tone = tuple[str, str]
ERROR_TEXT = ("#c62828", "#ff8a80")
WARNING_TEXT = ("#8a5d00", "#e3b341")
SUCCESS_TEXT = ("#2a7030", "#81c784")
MUTED_TEXT = ("#6b6b6b", "#a8a8a8")  # a row greyed out (pending, gone) and the editor's line numbers
BANNER_BACKGROUND = ("#fff4c2", "#3d3208")
BANNER_TEXT = ("#5c4400", "#ffe9a8")
TONE_PROPERTY = "tone"  # a widget's colours of words (``set_tone``), kept for ``retone``


def dark_scheme() -> bool:
    """Whether the system shows its dark scheme: Qt's colour-scheme hint, else (a platform that does not say) a
    palette whose window is darker than its text. Only once the window is shown: the hint's enum is one of the
    Qt namespace's (see ``inspector.ui.sidebar``)."""
    scheme = QGuiApplication.styleHints().colorScheme()
    if scheme != later.Qt.ColorScheme.Unknown:
        return bool(scheme == later.Qt.ColorScheme.Dark)
    return palette_is_dark(QGuiApplication.palette())


def palette_is_dark(palette: QPalette) -> bool:
    """Whether ``palette`` shows its words on a dark background (its window darker than its text): what a widget
    that paints itself asks of its own palette."""
    role = later.QPalette.ColorRole
    return palette.color(role.Window).lightness() < palette.color(role.WindowText).lightness()


def tone(colors: Tone, dark: bool | None = None) -> str:
    """The colour of ``colors`` (light, dark) for the scheme shown (or ``dark`` when given)."""
    return colors[1] if (dark_scheme() if dark is None else dark) else colors[0]


def set_tone(widget: QWidget, colors: Tone | None, dark: bool | None = None) -> None:
    """Colour a widget's words with ``colors`` (light, dark) for the scheme shown, or give it back the palette's
    (None). The pair stays on the widget, so ``retone`` colours it again when the scheme changes."""
    widget.setProperty(TONE_PROPERTY, " ".join(colors) if colors else "")
    style = f"color: {tone(colors, dark)}" if colors else ""
    if widget.styleSheet() != style:  # a new style sheet polishes the widget again
        widget.setStyleSheet(style)


def retone(root: QWidget, dark: bool | None = None) -> None:
    """After the scheme changed: every widget under ``root`` (its dialogs too) coloured by ``set_tone`` takes its
    colour for the new scheme."""
    for widget in root.findChildren(QWidget):
        pair = widget.property(TONE_PROPERTY)
        if isinstance(pair, str) and pair:
            light, dark_color = pair.split()
            set_tone(widget, (light, dark_color), dark)


@dataclass(frozen=True)
class SessionStatus:
    """Where a tab's tail stands, as its status line and the sidebar's dot show it."""

    kind: str  # connecting | live | paused | backoff | ratelimited | error | stopped
    text: str
    problem: str = ""  # "auth" or "not_found" when the user must act
    retry_until: float | None = None  # monotonic time when a wait ends

    def describe(self, now: float | None = None) -> str:
        """The state in words, with the seconds left of a wait counted down."""
        if self.retry_until is None:
            return self.text
        left = max(self.retry_until - (time.monotonic() if now is None else now), 0.0)
        if self.kind == "backoff":
            return f"reconnecting in {left:.0f} s — {self.text}"
        return f"rate limit reached: paused {left:.0f} s"

    def rich_text(self, now: float | None = None, *, label: str = "") -> str:
        """A coloured dot, then the state in words (after ``label``, a topic's name), escaped: both may hold a
        server's text."""
        words = f"{label}: {self.describe(now)}" if label else self.describe(now)
        return f"<span style='color:{self.color}'>●</span> {escape_html(words)}"

    @property
    def color(self) -> str:
        return {
            "live": "#2e9d45",
            "paused": "#8a8a8a",
            "connecting": "#8a8a8a",
            "backoff": "#d08a00",
            "ratelimited": "#d08a00",
            "error": "#c62828",
            "stopped": "#8a8a8a",
        }[self.kind]


def budget_words(usage: Usage | None) -> tuple[str, str]:
    """The status bar's request budget of the current topic's token, and the label's style sheet: red while
    paused by a 429, amber from 80 % used. Empty without a topic."""
    if usage is None:
        return "", ""
    if usage.paused_for > 0:
        return f"rate limit: paused {usage.paused_for:.0f} s", _RED
    if usage.limit == 0:
        return f"{usage.used:,} requests/min (no limit)", ""
    return f"budget {usage.used:,}/{usage.limit:,} requests/min", _AMBER if usage.fraction >= 0.8 else ""


class StatusLine:
    """The status bar's figures: the state of each open topic, their messages per second, and the request budget
    of the current topic's token."""

    def __init__(self, bar: QStatusBar) -> None:
        self.state = QLabel("")  # rich text (``SessionStatus.rich_text``), set once the window is shown
        self.rate = counter_label("99999.9 msg/s")
        self.budget = counter_label("budget 99,999/99,999 requests/min")
        bar.addWidget(self.state, 1)
        bar.addPermanentWidget(self.rate)
        bar.addPermanentWidget(self.budget)

    def show(self, states: list[str], rate: float, usage: Usage | None) -> None:
        set_text(self.state, " · ".join(states) if states else "No topic open")
        set_text(self.rate, f"{rate:.1f} msg/s")
        text, style = budget_words(usage)
        set_text(self.budget, text)
        if self.budget.styleSheet() != style:  # a new style sheet polishes the label again
            self.budget.setStyleSheet(style)
