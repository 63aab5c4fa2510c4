"""The one way the window keeps a task alive: ``Tasks.spawn`` holds a strong reference until the task ends,
``cancel_all`` cancels and awaits the ones still running (when their owner closes), and a failure nobody caught
goes to the window's crash report (``MainWindow.report_unexpected``).

Owners: the window, each topic session, publish panel, filter, replay jobs panel, service panel and dialog. A
task that ends in an error of the service is said in words by the task itself; what reaches ``on_failure`` is
a bug. Without an ``on_failure``, the loop's exception handler gets it, which the app points at the crash
report (``inspector.ui.app.report_crashes``).

asyncio is imported when the first task starts (``inspector.ui.later``): the window is shown before it is loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from inspector.ui import later

if TYPE_CHECKING:
    import asyncio

T = TypeVar("T")
OnFailure = Callable[[BaseException, str], object]  # the error, and where it happened in words


class Tasks:
    """The tasks one owner started, each kept until it ends."""

    def __init__(self, on_failure: OnFailure | None = None) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()
        self._on_failure = on_failure

    def spawn(self, coroutine: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        """Run ``coroutine`` on the loop, kept until it ends."""
        where = f"a background task ({getattr(coroutine, '__qualname__', 'task')})"
        task = later.asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(lambda done: self._done(done, where))
        return task

    def _done(self, task: asyncio.Task[Any], where: str) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is None:
            return
        if self._on_failure is not None:
            self._on_failure(error, where)
        else:
            task.get_loop().call_exception_handler({"message": where, "exception": error, "task": task})

    @property
    def busy(self) -> bool:
        return any(not task.done() for task in self._tasks)

    def __len__(self) -> int:
        return len(self._tasks)

    def cancel(self) -> list[asyncio.Task[Any]]:
        """Cancel the tasks still running (they end at their next step); returns them."""
        tasks = [task for task in self._tasks if not task.done()]
        for task in tasks:
            task.cancel()
        return tasks

    async def cancel_all(self) -> None:
        """Cancel the tasks still running and wait until they have ended."""
        await self.join(self.cancel())

    async def join(self, tasks: list[asyncio.Task[Any]] | None = None) -> None:
        """Wait until the tasks still running (or ``tasks``) have ended, whatever their outcome."""
        tasks = [task for task in self._tasks if not task.done()] if tasks is None else tasks
        if tasks:
            await later.asyncio.gather(*tasks, return_exceptions=True)
