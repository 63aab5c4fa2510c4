"""A token kept in the keyring is held in memory only while a request is being made.

The emulator runs in its own process with a fresh token, and the keyring keeps the token outside this process's
Python heap: the real Secret Service when ``scripts/with-keyring`` provides one (``make test``), otherwise a
backend that stores it reversed. The test itself holds the token only reversed. So after the requests, a search
of every object the garbage collector can reach (``token_holders``) finds the token only where the client kept
it; a client given the token as a string is the search's positive control.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector.core.backoff import Backoff
from inspector.core.errors import AuthError, InspectorError, NotFoundError, TransportError
from inspector.core.models import Message, Outcome
from inspector.core.publisher import publish_all
from inspector.core.ratelimit import Limiters
from inspector.core.regions import custom_endpoint
from inspector.core.secrets import (
    SERVICE,
    KeyringStore,
    KeyringToken,
    KeyringUnavailableError,
    token_fingerprint,
)
from inspector.core.services.workato import DeveloperApiClient, EventStreamsClient
from inspector.core.tail import TailState, TailStatus, TopicTail
from tests.helpers import (
    EmulatorProcess,
    ReversingKeyring,
    emulator_holding,
    free_port,
    next_uuid,
    token_holders,
    wait_until,
)

SECRET_SERVICE = os.environ.get("TOPIC_INSPECTOR_SECRET_SERVICE") == "1"
TOPIC = 3


@pytest.fixture
def reversed_token() -> str:
    return "-Mw3Qz8Lk2Vb7Nc5Xp1Rt9Ym4Jd6-mem-it"  # held only reversed; fixed


@pytest.fixture
def emulator(tmp_path: Path, reversed_token: str) -> Iterator[EmulatorProcess]:
    with emulator_holding(tmp_path, reversed_token, f"{TOPIC}:memory") as server:
        yield server


@pytest.fixture
def account() -> str:
    return f"profile:memory-test-{next_uuid()[:8]}"


@pytest.fixture
def reversing() -> ReversingKeyring:
    return ReversingKeyring()


@pytest.fixture(params=["secret-service", "reversing"] if SECRET_SERVICE else ["reversing"])
def store(request: pytest.FixtureRequest, reversing: ReversingKeyring, account: str) -> Iterator[KeyringStore]:
    """Where the token is kept: the real Secret Service (under ``scripts/with-keyring``), or ``reversing``."""
    kept = KeyringStore() if request.param == "secret-service" else KeyringStore(reversing)
    assert kept.is_system, kept.backend_name
    yield kept
    with contextlib.suppress(InspectorError):
        kept.delete(account)


def keyring_token(store: KeyringStore, account: str, reversed_token: str, *, timeout: float = 10.0) -> KeyringToken:
    store.set(account, reversed_token[::-1])
    return KeyringToken(
        store, account, fingerprint=token_fingerprint(reversed_token[::-1]), label="profile 'Memory'", timeout=timeout
    )


async def drain(client: EventStreamsClient, *, backoff: Backoff | None = None) -> list[Message]:
    received: list[Message] = []
    await TopicTail(client, TOPIC, received.extend, follow=False, backoff=backoff).run()
    return received


async def test_the_search_finds_a_token_that_a_client_keeps(emulator: EmulatorProcess, reversed_token: str) -> None:
    """The positive control: a client made with the token itself keeps it, and the search says where."""
    endpoint = custom_endpoint(emulator.url, rate_limit_rpm=0)
    async with EventStreamsClient(endpoint, reversed_token[::-1]) as client:
        await client.publish(TOPIC, {"n": 1})
        assert any("ApiTransport" in where or "dict" in where for where in token_holders(reversed_token))
    del client
    assert token_holders(reversed_token) == []


async def test_a_keyring_token_is_read_for_each_request_and_not_kept(
    emulator: EmulatorProcess, store: KeyringStore, account: str, reversed_token: str, limiters: Limiters
) -> None:
    source = keyring_token(store, account, reversed_token)
    assert token_holders(reversed_token) == []
    endpoint = custom_endpoint(emulator.url, rate_limit_rpm=0)
    async with (
        EventStreamsClient(endpoint, source, limiter=limiters) as client,
        DeveloperApiClient(endpoint, source) as developer,
    ):
        first = await client.publish(TOPIC, {"n": 0})
        batch = await client.publish_batch(TOPIC, [{"n": n} for n in range(1, 11)])
        assert batch.failed == 0
        results = await publish_all(client, TOPIC, [{"n": n} for n in range(11, 261)])
        assert [r.outcome for r in results] == [Outcome.SUCCESS] * 250
        received = await drain(client)
        assert received[0].message_id == first
        assert [m.payload["n"] for m in received] == list(range(261))
        assert TOPIC in {t.id for t in await developer.list_topics()}

        # The clients are alive and ready for more, and nothing holds the token.
        assert token_holders(reversed_token) == []
        assert repr(source) == f"KeyringToken(\"profile 'Memory'\", {store.backend_name})"
        # The app's registry keys the budget by the token's fingerprint: a second client of the same source shares it.
        assert client.limiter is EventStreamsClient(endpoint, source, limiter=limiters).limiter

        # It still works: the next request reads the token again.
        assert await client.consume(TOPIC, after_message_id=received[-1].message_id) == []
    assert token_holders(reversed_token) == []


async def test_failed_requests_and_their_errors_keep_no_token(
    emulator: EmulatorProcess, reversing: ReversingKeyring, account: str, reversed_token: str
) -> None:
    """Errors are kept (a tab's status, publish results, logs): neither they, their tracebacks nor the errors
    they were raised from may hold the request, and so the Authorization header."""
    source = keyring_token(KeyringStore(reversing), account, reversed_token)
    kept: list[BaseException] = []
    endpoint = custom_endpoint(emulator.url, rate_limit_rpm=0)
    async with EventStreamsClient(endpoint, source, read_timeout=0.2) as client:
        with pytest.raises(NotFoundError) as not_found:  # 404: an answer that is an error
            await client.publish(999, {"n": 1})
        kept.append(not_found.value)
        results = await publish_all(client, 999, [{"n": 1}])
        assert results[0].outcome is Outcome.FAILED
    closed = custom_endpoint(f"http://127.0.0.1:{free_port()}", rate_limit_rpm=0)
    async with EventStreamsClient(closed, source) as nobody:
        with pytest.raises(TransportError) as refused:  # httpx's ConnectError inside
            await nobody.publish(TOPIC, {"n": 1})
        kept.append(refused.value)
    with socket.socket() as silent:  # takes connections (the kernel's backlog) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        mute = custom_endpoint(f"http://127.0.0.1:{silent.getsockname()[1]}", rate_limit_rpm=0)
        async with EventStreamsClient(mute, source, read_timeout=0.2) as waiting:
            with pytest.raises(TransportError) as timed_out:  # httpx's ReadTimeout inside, with the request
                await waiting.publish(TOPIC, {"n": 1})
        kept.append(timed_out.value)
    assert [type(e).__name__ for e in kept] == ["NotFoundError", "TransportError", "TransportError"]
    assert "did not answer in time" in kept[2].message
    assert all(e.__traceback__ is not None for e in kept)
    assert token_holders(reversed_token) == []
    del results


async def test_a_locked_keyring_pauses_the_tail_in_words_and_it_resumes_when_unlocked(
    emulator: EmulatorProcess, reversing: ReversingKeyring, account: str, reversed_token: str
) -> None:
    source = keyring_token(KeyringStore(reversing), account, reversed_token)
    endpoint = custom_endpoint(emulator.url, rate_limit_rpm=0)
    statuses: list[TailStatus] = []
    received: list[Message] = []
    async with EventStreamsClient(endpoint, source) as client:
        await client.publish_batch(TOPIC, [{"n": n} for n in range(5)])
        reversing.locked = True
        tail = TopicTail(
            client,
            TOPIC,
            received.extend,
            wait_secs=1,
            on_status=statuses.append,
            backoff=Backoff(0.05, 0.2),
        )
        runner = asyncio.create_task(tail.run())
        await wait_until(lambda: len([s for s in statuses if s.state is TailState.BACKING_OFF]) >= 3)
        waiting = statuses[-1]
        assert waiting.state is TailState.BACKING_OFF
        assert isinstance(waiting.error, KeyringUnavailableError)
        assert "the keyring did not give the token of profile 'Memory'" in waiting.detail
        assert "unlock the keyring" in waiting.error.hint
        assert received == []
        # A publish meanwhile fails before anything is sent: FAILED, not unknown.
        [result] = await publish_all(client, TOPIC, [{"n": 5}])
        assert result.outcome is Outcome.FAILED
        assert "keyring" in (result.error or "")

        reversing.locked = False
        await client.publish_batch(TOPIC, [{"n": n} for n in range(5, 8)])
        await wait_until(lambda: len(received) == 8, what="all 8 messages after the unlock")
        tail.stop()
        await runner
    assert [m.payload["n"] for m in received] == list(range(8))
    assert statuses[-1].state is TailState.STOPPED


async def test_a_keyring_that_does_not_answer_times_out_with_one_read_in_flight(
    reversing: ReversingKeyring, account: str, reversed_token: str
) -> None:
    source = keyring_token(KeyringStore(reversing), account, reversed_token, timeout=0.1)
    reversing.delay = 0.6  # an unlock prompt nobody answers yet
    errors = await asyncio.gather(*(source() for _ in range(5)), return_exceptions=True)
    assert all(isinstance(e, KeyringUnavailableError) for e in errors), errors
    assert "within 0.1 s (is it locked?)" in str(errors[0])
    assert reversing.reads == 1  # five requests waited on one read, not five threads
    await asyncio.sleep(0.7)  # the read ends; the next request starts a new one
    reversing.delay = 0.0
    assert await source() == reversed_token[::-1]
    assert reversing.reads == 2


async def test_a_token_deleted_from_the_keyring_ends_the_tail_with_words(
    emulator: EmulatorProcess, reversing: ReversingKeyring, account: str, reversed_token: str
) -> None:
    store = KeyringStore(reversing)
    source = keyring_token(store, account, reversed_token)
    store.delete(account)
    assert (SERVICE, account) not in reversing.reversed
    endpoint = custom_endpoint(emulator.url, rate_limit_rpm=0)
    async with EventStreamsClient(endpoint, source) as client:
        with pytest.raises(AuthError) as gone:
            await drain(client)
    assert gone.value.message == f"the token of profile 'Memory' is no longer in {store.backend_name}"
    assert gone.value.status is None
    assert "paste the token again" in gone.value.hint
