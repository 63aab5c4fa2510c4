"""The state of an open topic in words and colour, for the tree, the tab and the status bar."""

from __future__ import annotations

import html
import time
from dataclasses import dataclass


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
        return f"<span style='color:{self.color}'>●</span> {html.escape(words, quote=False)}"

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
