"""The window holds a keyring profile's token only while a request is being made.

A session through the window (live tail, single and batch publish from the Publish panel, topic list, a replay
job, *Update token…*), against an emulator in its own process, with a keyring that keeps the token out of
this process's heap (``ReversingKeyring``). The test holds the token only reversed. While tabs are open and
clients are ready for the next request, a search of every object the garbage collector reaches finds no token.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from inspector.core.backoff import Backoff
from inspector.core.models import Outcome
from inspector.core.profiles import Profile
from inspector.core.replay import JobState
from inspector.core.secrets import KeyringStore
from inspector.ui.context import AppContext
from inspector.ui.eventloop import EventLoop
from inspector.ui.main_window import MainWindow
from tests.helpers import EmulatorProcess, ReversingKeyring, emulator_holding, token_holders, wait_until

TOPIC = 4


@pytest.fixture
def reversed_token() -> str:
    # Held only reversed, so the test itself keeps no copy of the token; fixed, so no run depends on chance.
    return "-Hw3Qz8Lk2Vb7Nc5Xp1Rt9Ym4Jd6-iug-it"


@pytest.fixture
def emulator(tmp_path: Path, reversed_token: str) -> Iterator[EmulatorProcess]:
    with emulator_holding(tmp_path, reversed_token, f"{TOPIC}:orders") as server:
        yield server


def test_a_window_session_keeps_no_token_between_requests(
    qloop: EventLoop, emulator: EmulatorProcess, reversed_token: str, tmp_path: Path
) -> None:
    reversing = ReversingKeyring()
    ctx = AppContext(keyring_store=KeyringStore(reversing))

    async def scenario() -> None:
        profile = ctx.profile_store.upsert(Profile("Memory", "custom", emulator.url, rate_limit_rpm=0))
        assert await ctx.set_token(profile, reversed_token[::-1]) == f"stored in {reversing.name}"
        window = MainWindow(ctx)
        window.show()
        await window.start_background()
        assert await window.list_topics(profile) >= 1  # the Developer API, with the token

        ctx.workspace.add_topic("Memory", TOPIC, "orders")
        window.refresh_tree()
        view = await window.open_topic("Memory", TOPIC)
        assert view is not None
        assert view.publisher is not None
        await wait_until(lambda: view.session.status.kind == "live", what="live")
        view.publisher.set_text(json.dumps({"n": 0}))
        single = await view.publisher.publish_now()
        assert single is not None
        assert [r.outcome for r in single] == [Outcome.SUCCESS]
        view.publisher.set_text(json.dumps([{"n": n} for n in range(1, 151)]))
        batch = await view.publisher.publish_now()
        assert batch is not None
        assert {r.outcome for r in batch} == {Outcome.SUCCESS}
        await wait_until(lambda: view.model.rowCount() == 151, what="151 rows")

        # A replay job of 151 rows into the same topic.
        dialog = window.replay_rows(view, view.rows_for_action())
        assert dialog is not None
        dialog.choose("Memory", TOPIC)  # the destination is always chosen, even the source topic
        dialog.replay_button.click()
        await wait_until(lambda: view.model.rowCount() == 302, what="the replayed rows")
        [job] = ctx.journal.jobs()
        await wait_until(lambda: ctx.journal.job(job.id).state is JobState.DONE, what="the job to finish")
        reads = reversing.reads
        assert reads >= 6  # the token was read for the requests: list, tail, publishes, replay

        # *Update token…* (here: the same token again), then the tab goes on with it.
        await ctx.set_token(profile, reversed_token[::-1])
        await window.restart_profile("Memory")
        view.publisher.set_text(json.dumps({"n": "after update"}))
        after = await view.publisher.publish_now()
        assert after is not None
        assert [r.outcome for r in after] == [Outcome.SUCCESS]
        await wait_until(lambda: view.model.rowCount() == 303, what="the row published after the update")

        # The tail waits in its next long poll: that request holds the token while it is open. Paused, the
        # tab, its clients and the job list stay as they are, ready for the next request: nothing holds it.
        await view.session.stop()
        assert reversing.reads > reads
        assert token_holders(reversed_token) == []

        # The search would have found it: the session's token as a string, as the window kept it before.
        kept = await ctx.get_token(profile)
        assert kept is not None
        assert token_holders(reversed_token) != []
        del kept
        assert token_holders(reversed_token) == []

        window.close()
        await window.shutdown()
        await ctx.aclose()

    qloop.run_until_complete(scenario())


def test_a_locked_keyring_is_said_in_the_tab_and_the_tail_resumes_when_unlocked(
    qloop: EventLoop, emulator: EmulatorProcess, reversed_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    reversing = ReversingKeyring()
    ctx = AppContext(keyring_store=KeyringStore(reversing))
    monkeypatch.setattr("inspector.core.tail.Backoff", lambda: Backoff(0.05, 0.3))

    async def scenario() -> None:
        profile = ctx.profile_store.upsert(Profile("Locked", "custom", emulator.url, rate_limit_rpm=0))
        await ctx.set_token(profile, reversed_token[::-1])
        ctx.workspace.add_topic("Locked", TOPIC, "orders")
        window = MainWindow(ctx)
        window.show()
        await window.start_background()
        before = reversing.reads
        view = await window.open_topic("Locked", TOPIC)
        assert view is not None
        assert view.publisher is not None
        await wait_until(lambda: view.session.status.kind == "live", what="live")
        # Opening reads the token once (to make its source), the first request once, and the long poll after it
        # once: the lock must come after that third read, or the long poll could not read the token either.
        await wait_until(lambda: reversing.reads >= before + 3, what="the long poll's token read")
        await asyncio.sleep(0.05)  # from the read to the wire: no await on the keyring in between

        reversing.locked = True  # the screen locked, and the keyring with it
        # The open long poll has its token; a message from elsewhere ends it, and the next one needs the keyring.
        async with httpx.AsyncClient(base_url=emulator.url) as other:
            answer = await other.post(
                f"/api/v1/topics/{TOPIC}/publish",
                json={"n": 0},
                headers={"Authorization": f"Bearer {reversed_token[::-1]}"},
            )
            assert answer.status_code == 200, answer.text
        await wait_until(lambda: view.model.rowCount() == 1, what="the message from elsewhere")
        view.publisher.set_text(json.dumps({"n": 1}))
        refused = await view.publisher.publish_now()
        assert refused is not None
        assert [r.outcome for r in refused] == [Outcome.FAILED]
        assert "the keyring did not give the token of profile 'Locked'" in (refused[0].error or "")
        await wait_until(lambda: view.session.status.kind == "backoff", what="the tail waiting for the keyring")
        assert "the keyring did not give the token of profile 'Locked'" in view.status_label.text()
        assert view.session.status.problem != "auth"  # not a rejected token: nothing to update

        reversing.locked = False
        await wait_until(lambda: view.session.status.kind == "live", what="live again after the unlock")
        view.publisher.set_text(json.dumps({"n": 2}))
        sent = await view.publisher.publish_now()
        assert sent is not None
        assert [r.outcome for r in sent] == [Outcome.SUCCESS]
        await wait_until(lambda: view.model.rowCount() == 2, what="the message published after the unlock")

        window.close()
        await window.shutdown()
        await ctx.aclose()

    qloop.run_until_complete(scenario())
