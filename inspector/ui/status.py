"""The state of an open topic in words and colour, for the tree, the tab and the status bar; the status bar; and
the colours the window's own words take on the system's light or dark scheme."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel

from inspector.ui import later
from inspector.ui.widgets import counter_label, escape_html, set_text

if TYPE_CHECKING:
    from PySide6.QtWidgets import QStatusBar

    from inspector.core.ratelimit import Usage

_RED = "color: white; background: #c62828; padding: 0 4px;"
_AMBER = "color: black; background: #ffb300; padding: 0 4px;"

# Colours of words, as (on a light scheme, on a dark one): each readable on its background.
ERROR_TEXT = ("#c62828", "#ff8a80")
WARNING_TEXT = ("#9a6700", "#e3b341")
SUCCESS_TEXT = ("#2e7d32", "#81c784")
BANNER_BACKGROUND = ("#fff4c2", "#3d3208")
BANNER_TEXT = ("#5c4400", "#ffe9a8")


def dark_scheme() -> bool:
    """Whether the system shows its dark scheme: Qt's colour-scheme hint, else (a platform that does not say) a
    palette whose window is darker than its text. Only once the window is shown: the hint's enum is one of the
    Qt namespace's (see ``inspector.ui.sidebar``)."""
    scheme = QGuiApplication.styleHints().colorScheme()
    if scheme != later.Qt.ColorScheme.Unknown:
        return bool(scheme == later.Qt.ColorScheme.Dark)
    palette, role = QGuiApplication.palette(), later.QPalette.ColorRole
    return palette.color(role.Window).lightness() < palette.color(role.WindowText).lightness()


def tone(colors: tuple[str, str], dark: bool | None = None) -> str:
    """The colour of ``colors`` (light, dark) for the scheme shown (or ``dark`` when given)."""
    return colors[1] if (dark_scheme() if dark is None else dark) else colors[0]


@dataclass(frozen=True)
class SessionStatus:
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
