"""The asyncio loop on Qt's event loop: qasync's, with timers that end when their handle is cancelled.

qasync keeps a Qt timer running for every ``call_later`` until it fires, cancelled or not. Each HTTP request
schedules time-outs that are cancelled when the answer comes, so draining a backlog at a few hundred requests a
second left ~10,000 dead timers alive, each re-sorted into Qt's timer list and each holding its handle for the
length of the time-out. Here a cancelled handle stops its Qt timer at once.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from typing import Any

import qasync
from PySide6.QtCore import QObject, QTimerEvent
from PySide6.QtWidgets import QApplication


class _Timers(QObject):
    def __init__(self) -> None:
        super().__init__()
        self._handles: dict[int, _QtTimerHandle] = {}
        self.stopped = False

    def add(self, handle: _QtTimerHandle, delay: float) -> None:
        timer_id = self.startTimer(max(0, round(delay * 1000)))
        handle.timer_id = timer_id
        self._handles[timer_id] = handle

    def cancel(self, handle: _QtTimerHandle) -> None:
        if self._handles.pop(handle.timer_id, None) is not None:
            self.killTimer(handle.timer_id)

    def timerEvent(self, event: QTimerEvent) -> None:
        timer_id = event.timerId()
        self.killTimer(timer_id)
        handle = self._handles.pop(timer_id, None)
        if handle is not None and not self.stopped and not handle.cancelled():
            handle._run()

    def stop(self) -> None:
        self.stopped = True
        for timer_id in self._handles:
            self.killTimer(timer_id)
        self._handles.clear()


class _QtTimerHandle(asyncio.Handle):
    __slots__ = ("_timers", "timer_id")

    def __init__(
        self,
        callback: Callable[..., object],
        args: tuple[Any, ...],
        loop: asyncio.AbstractEventLoop,
        timers: _Timers,
        context: contextvars.Context | None,
    ) -> None:
        super().__init__(callback, args, loop, context=context)
        self._timers = timers
        self.timer_id = -1

    def cancel(self) -> None:
        if not self.cancelled():
            self._timers.cancel(self)
        super().cancel()


class EventLoop(qasync.QEventLoop):  # type: ignore[misc]
    """``qasync.QEventLoop`` whose ``call_soon``/``call_later``/``call_at`` timers stop when cancelled."""

    def __init__(self, app: QApplication, *, already_running: bool = False) -> None:
        self._qt_timers = _Timers()
        super().__init__(app, already_running=already_running)

    def call_later(
        self, delay: float, callback: Callable[..., object], *args: Any, context: contextvars.Context | None = None
    ) -> asyncio.Handle:
        if asyncio.iscoroutinefunction(callback):
            raise TypeError("coroutines cannot be used with call_later")
        if not callable(callback):
            raise TypeError(f"callback must be callable: {type(callback).__name__}")
        handle = _QtTimerHandle(callback, args, self, self._qt_timers, context)
        self._qt_timers.add(handle, delay)
        return handle

    def close(self) -> None:
        super().close()
        self._qt_timers.stop()
