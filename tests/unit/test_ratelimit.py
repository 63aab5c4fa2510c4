"""The sliding-window request budget, driven by a fake clock (and a short real window for acquire)."""

from __future__ import annotations

import asyncio
import time

import pytest

from inspector.core.ratelimit import (
    SAFETY_SECS,
    WINDOW_SECS,
    Limiters,
    RateLimiter,
    Usage,
    limiter_for,
    token_fingerprint,
)


class FakeClock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def take(limiter: RateLimiter, clock: FakeClock) -> None:
    """What acquire() does once a slot is free, without an event loop."""
    assert limiter.delay() == 0
    limiter._starts.append(clock())


async def test_acquire_takes_free_slots_immediately(clock: FakeClock) -> None:
    limiter = RateLimiter(3, clock=clock)
    for _ in range(3):
        await limiter.acquire()
    assert limiter.usage() == Usage(3, 3, 0.0)
    assert limiter.delay() == pytest.approx(WINDOW_SECS + SAFETY_SECS)


def test_rpm_3_allows_3_then_waits_for_window_and_safety(clock: FakeClock) -> None:
    limiter = RateLimiter(3, clock=clock)
    for _ in range(3):
        take(limiter, clock)
        clock.advance(1.0)
    # starts at 1000, 1001, 1002; now 1003: the first slot frees at 1000 + 60 + SAFETY
    assert limiter.delay() == pytest.approx(WINDOW_SECS + SAFETY_SECS - 3.0)
    clock.advance(WINDOW_SECS - 3.0)
    assert limiter.delay() == pytest.approx(SAFETY_SECS)
    clock.advance(SAFETY_SECS - 0.01)
    assert limiter.delay() == pytest.approx(0.01)
    clock.advance(0.01)
    assert limiter.delay() == 0
    take(limiter, clock)
    # the second start (1001) is next to leave the window
    assert limiter.delay() == pytest.approx(1.0)


def test_delay_is_positive_until_the_window_passes(clock: FakeClock) -> None:
    limiter = RateLimiter(3, window=10.0, clock=clock)
    for _ in range(3):
        take(limiter, clock)
    for _ in range(10):
        assert limiter.delay() > 0
        clock.advance(1.0)
    assert limiter.delay() == pytest.approx(SAFETY_SECS)
    clock.advance(SAFETY_SECS)
    assert limiter.delay() == 0


def test_pause_holds_delay(clock: FakeClock) -> None:
    limiter = RateLimiter(100, clock=clock)
    limiter.pause(5.0)
    assert limiter.delay() == pytest.approx(5.0)
    assert limiter.usage().paused_for == pytest.approx(5.0)
    clock.advance(2.0)
    assert limiter.delay() == pytest.approx(3.0)
    clock.advance(3.0)
    assert limiter.delay() == 0
    assert limiter.usage().paused_for == 0.0


def test_shorter_pause_does_not_cut_a_longer_one(clock: FakeClock) -> None:
    limiter = RateLimiter(10, clock=clock)
    limiter.pause(30.0)
    limiter.pause(1.0)
    assert limiter.delay() == pytest.approx(30.0)


def test_negative_pause_is_ignored(clock: FakeClock) -> None:
    limiter = RateLimiter(10, clock=clock)
    limiter.pause(-5.0)
    assert limiter.delay() == 0


def test_pause_and_full_window_take_the_longer_wait(clock: FakeClock) -> None:
    limiter = RateLimiter(1, window=10.0, clock=clock)
    take(limiter, clock)
    limiter.pause(2.0)
    assert limiter.delay() == pytest.approx(10.0 + SAFETY_SECS)
    limiter.pause(20.0)
    assert limiter.delay() == pytest.approx(20.0)


def test_pause_applies_to_an_unlimited_limiter(clock: FakeClock) -> None:
    limiter = RateLimiter(0, clock=clock)
    limiter.pause(4.0)
    assert limiter.delay() == pytest.approx(4.0)
    assert limiter.usage() == Usage(0, 0, 4.0)


def test_usage_numbers(clock: FakeClock) -> None:
    limiter = RateLimiter(4, window=10.0, clock=clock)
    assert limiter.usage() == Usage(0, 4, 0.0)
    assert limiter.usage().fraction == 0.0
    take(limiter, clock)
    clock.advance(5.0)
    take(limiter, clock)
    usage = limiter.usage()
    assert (usage.used, usage.limit, usage.paused_for) == (2, 4, 0.0)
    assert usage.fraction == 0.5
    clock.advance(5.0)  # the first start is exactly one window old: out of "used", still held for SAFETY
    assert limiter.usage().used == 1
    assert len(limiter._starts) == 2
    clock.advance(SAFETY_SECS)
    assert limiter.usage().used == 1
    assert len(limiter._starts) == 1
    clock.advance(5.0)
    assert limiter.usage() == Usage(0, 4, 0.0)


def test_rpm_0_is_unlimited(clock: FakeClock) -> None:
    limiter = RateLimiter(0, clock=clock)
    for _ in range(1000):
        take(limiter, clock)
    assert limiter.delay() == 0
    usage = limiter.usage()
    assert usage.limit == 0
    assert usage.fraction == 0.0


def test_negative_rpm_refused() -> None:
    with pytest.raises(ValueError, match="rpm must be >= 0"):
        RateLimiter(-1)


def test_defaults() -> None:
    limiter = RateLimiter(60)
    assert limiter.window == WINDOW_SECS == 60.0
    assert limiter.delay() == 0


async def test_acquire_waits_out_a_short_real_window() -> None:
    window = 0.2
    limiter = RateLimiter(2, window=window, clock=time.monotonic)
    started = time.monotonic()
    await limiter.acquire()
    await limiter.acquire()
    assert time.monotonic() - started < window
    await limiter.acquire()
    waited = time.monotonic() - started
    assert waited >= window + SAFETY_SECS - 0.01
    assert waited < window + SAFETY_SECS + 1.0
    assert limiter.usage().used == 1  # the first two are now more than a window old


async def test_acquire_waits_out_a_pause() -> None:
    limiter = RateLimiter(0, clock=time.monotonic)
    limiter.pause(0.15)
    started = time.monotonic()
    await limiter.acquire()
    assert time.monotonic() - started >= 0.14


async def test_acquire_is_cancellable_and_takes_no_slot() -> None:
    limiter = RateLimiter(1, window=30.0, clock=time.monotonic)
    await limiter.acquire()
    waiting = asyncio.ensure_future(limiter.acquire())
    await asyncio.sleep(0.02)
    assert not waiting.done()
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert len(limiter._starts) == 1


# --- Limiters: one budget per (base URL, token) -------------------------------------------------------------


def test_shared_limiter_same_url_and_token_share(limiters: Limiters) -> None:
    first = limiters.get("https://event-streams.workato.com", "tok-A", 60)
    second = limiters.get("https://event-streams.workato.com", "tok-A", 60)
    assert first is second
    assert first.rpm == 60


def test_shared_limiter_url_is_normalised(limiters: Limiters) -> None:
    first = limiters.get("https://Event-Streams.Workato.com/", "tok-A", 60)
    assert limiters.get("https://event-streams.workato.com", "tok-A", 60) is first


def test_shared_limiter_keeps_the_first_rpm(limiters: Limiters) -> None:
    first = limiters.get("https://x.example.com", "tok-A", 60)
    assert limiters.get("https://x.example.com", "tok-A", 5) is first
    assert first.rpm == 60


def test_shared_limiter_other_token_or_url_is_separate(limiters: Limiters) -> None:
    base = limiters.get("https://x.example.com", "tok-A", 60)
    other_token = limiters.get("https://x.example.com", "tok-B", 60)
    other_url = limiters.get("https://y.example.com", "tok-A", 60)
    assert other_token is not base
    assert other_url is not base
    assert other_url is not other_token


def test_shared_limiter_state_is_shared(limiters: Limiters) -> None:
    first = limiters.get("https://x.example.com", "tok-A", 60)
    first.pause(10.0)
    assert limiters.get("https://x.example.com", "tok-A", 60).delay() > 9.0
    assert limiters.get("https://x.example.com", "tok-B", 60).delay() == 0


def test_registry_never_holds_the_token(limiters: Limiters) -> None:
    token = "wrk-super-secret-token-0123456789"
    limiters.get("https://x.example.com", token, 60)
    assert len(limiters.budget_keys()) == 1
    for key in limiters.budget_keys():
        assert token not in repr(key)
        assert all(token not in part for part in key)
    assert ("https://x.example.com", token_fingerprint(token)) in limiters.budget_keys()
    assert token not in repr(limiters)


def test_two_registries_do_not_share(limiters: Limiters) -> None:
    """Each app (the window's context, a CLI run) owns its registry: nothing is shared through the module."""
    assert Limiters().get("https://x.example.com", "tok-A", 60) is not limiters.get(
        "https://x.example.com", "tok-A", 60
    )


def test_a_client_takes_a_limiter_the_registry_or_has_its_own(limiters: Limiters) -> None:
    given = RateLimiter(5)
    assert limiter_for(given, "https://x.example.com", "tok-A", 60) is given
    shared = limiter_for(limiters, "https://x.example.com", "tok-A", 60)
    assert shared is limiters.get("https://x.example.com", "tok-A", 60)
    own = limiter_for(None, "https://x.example.com", "tok-A", 60)
    assert own.rpm == 60
    assert own is not shared
    assert own is not limiter_for(None, "https://x.example.com", "tok-A", 60)


def test_token_fingerprint() -> None:
    fingerprint = token_fingerprint("tok-A")
    assert fingerprint == token_fingerprint("tok-A")
    assert fingerprint != token_fingerprint("tok-B")
    assert len(fingerprint) == 32
    assert int(fingerprint, 16) >= 0
    assert "tok-A" not in fingerprint
