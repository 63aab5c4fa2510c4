"""The UI loop's stalls, as the GUI benchmarks measure them: how late a 5 ms Qt timer fires."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer


class StallMeter:
    """A 5 ms timer; records how late each tick fires."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, (now - self._last) * 1000 - 5)
        self._last = now

    def start(self) -> None:
        self._last = time.perf_counter()
        self.worst = 0.0
        self.timer.start()
