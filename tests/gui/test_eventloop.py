"""The app's asyncio loop on Qt: callbacks in order, delays kept, and a cancelled timer gone at once."""

from __future__ import annotations

import asyncio
import time

from inspector.ui.eventloop import EventLoop


def test_callbacks_run_in_order_and_delays_are_kept(qloop: EventLoop) -> None:
    seen: list[str] = []

    async def main() -> float:
        begin = time.monotonic()
        done = asyncio.get_running_loop().create_future()
        qloop.call_later(0.05, lambda: done.set_result(time.monotonic()))
        for name in "abc":
            qloop.call_soon(seen.append, name)
        ended: float = await done
        return ended - begin

    assert qloop.run_until_complete(main()) >= 0.045
    assert seen == ["a", "b", "c"]


def test_a_cancelled_timer_is_stopped_and_released_at_once(qloop: EventLoop) -> None:
    fired: list[int] = []

    async def main() -> None:
        handles = [qloop.call_later(30, fired.append, n) for n in range(1000)]  # like a request's time-outs
        for handle in handles:
            handle.cancel()
        await asyncio.sleep(0.01)

    qloop.run_until_complete(main())
    assert fired == []
    assert qloop._qt_timers._handles == {}  # no Qt timer left running for 30 s, no handle kept alive


def test_timeouts_and_sleep_work_on_it(qloop: EventLoop) -> None:
    async def slow() -> None:
        await asyncio.sleep(10)

    async def main() -> bool:
        try:
            async with asyncio.timeout(0.02):
                await slow()
        except TimeoutError:
            return True
        return False

    assert qloop.run_until_complete(main())
    assert qloop._qt_timers._handles == {}
