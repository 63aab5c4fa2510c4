"""The one way the window keeps a task alive (inspector.ui.tasks): kept until it ends, cancelled on close, and
a failure goes to the crash report path; and the table the window makes a service's panel from."""

from __future__ import annotations

import asyncio

import pytest

from inspector.core.services import SERVICES
from inspector.ui.eventloop import EventLoop
from inspector.ui.services import PANEL_LABELS, PANELS, panel_factory
from inspector.ui.tasks import Tasks


def test_a_task_is_kept_until_it_ends_and_a_failure_is_reported(qloop: EventLoop) -> None:
    failures: list[tuple[BaseException, str]] = []
    tasks = Tasks(lambda error, where: failures.append((error, where)))

    async def fine() -> int:
        await asyncio.sleep(0)
        return 7

    async def broken() -> None:
        raise RuntimeError("a bug")

    async def scenario() -> None:
        task = tasks.spawn(fine())
        assert len(tasks) == 1
        assert tasks.busy
        assert await task == 7
        await asyncio.gather(tasks.spawn(broken()), return_exceptions=True)
        await asyncio.sleep(0)  # the done callbacks run

    qloop.run_until_complete(scenario())
    assert len(tasks) == 0
    assert not tasks.busy
    assert len(failures) == 1
    error, where = failures[0]
    assert isinstance(error, RuntimeError)
    assert "broken" in where


def test_without_a_handler_a_failure_reaches_the_loops_exception_handler(qloop: EventLoop) -> None:
    seen: list[dict[str, object]] = []
    qloop.set_exception_handler(lambda _loop, context: seen.append(context))
    tasks = Tasks()

    async def broken() -> None:
        raise ValueError("a bug")

    async def scenario() -> None:
        await asyncio.gather(tasks.spawn(broken()), return_exceptions=True)
        await asyncio.sleep(0)

    try:
        qloop.run_until_complete(scenario())
    finally:
        qloop.set_exception_handler(None)
    assert len(seen) == 1
    assert isinstance(seen[0]["exception"], ValueError)


def test_cancel_all_cancels_and_waits_and_reports_nothing(qloop: EventLoop) -> None:
    failures: list[tuple[BaseException, str]] = []
    tasks = Tasks(lambda error, where: failures.append((error, where)))
    ended: list[str] = []

    async def forever() -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            ended.append("ended")

    async def scenario() -> None:
        tasks.spawn(forever())
        tasks.spawn(forever())
        await asyncio.sleep(0)
        await tasks.cancel_all()

    qloop.run_until_complete(scenario())
    assert ended == ["ended", "ended"]
    assert len(tasks) == 0
    assert failures == []


@pytest.mark.parametrize("capability", sorted(PANELS))
def test_every_panel_in_the_table_loads(capability: str) -> None:
    assert callable(panel_factory(capability))
    assert capability in PANEL_LABELS
    assert any(capability in service.capabilities for service in SERVICES.values())


def test_every_labelled_panel_has_a_factory() -> None:
    assert PANEL_LABELS.keys() == PANELS.keys()
