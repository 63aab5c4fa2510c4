"""``topic-inspector --self-test``: does this installed copy work? What every package check runs.

It starts the embedded emulator on a free loopback port, publishes a single message and a batch through the
client, tails them back and compares order and content, checks that the OS keyring backends load, then opens
the main window (offscreen when there is no screen), watches the same messages arrive in its live table and
publishes one more from its Publish panel. Nothing of the user's is read or written: profiles, drafts and the
journal go to a temporary folder, and no token is stored. Exit status 0 when every step passed; otherwise 1,
with the step and the reason on standard error.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import os
import platform
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from typing import Any, TextIO

import keyring.backend
from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QLibraryInfo, qVersion
from PySide6.QtWidgets import QApplication

from inspector import __version__
from inspector.core.models import Message, Outcome
from inspector.core.paths import HOME_ENV
from inspector.core.profiles import Profile
from inspector.core.publisher import publish_all
from inspector.core.regions import custom_endpoint
from inspector.core.secrets import KeyringStore
from inspector.core.services.workato import EventStreamsClient
from inspector.core.tail import TopicTail
from inspector.ui import has_screen
from inspector.ui.app import install_qt_message_handler
from inspector.ui.context import AppContext
from inspector.ui.eventloop import EventLoop
from inspector.ui.main_window import MainWindow

SINGLE = {"self_test": "single", "text": "naïve café ✓ — 東京", "nested": {"list": [1, 2.5, None, True]}}
BATCH_SIZE = 150  # two requests: a full batch of 100 and one of 50
STEP_TIMEOUT = 30.0
SCHEMA_TOPIC = 1  # the emulator's sample "orders" topic, which has a schema

# The keyring backend modules the platform's OS keyring needs (keyring finds them through entry points,
# which a frozen build only has when it carries keyring's metadata).
NATIVE_BACKENDS = {
    "linux": ("keyring.backends.SecretService",),
    "win32": ("keyring.backends.Windows",),
    "darwin": ("keyring.backends.macOS",),
}


class SelfTestFailure(Exception):
    def __init__(self, step: str, reason: str) -> None:
        super().__init__(f"{step}: {reason}")
        self.step = step
        self.reason = reason


def batch_payloads() -> list[dict[str, Any]]:
    return [{"self_test": "batch", "n": n, "pad": "x" * (n % 7)} for n in range(BATCH_SIZE)]


class Report:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.started = time.perf_counter()

    def ok(self, step: str, detail: str) -> None:
        print(f"self-test: {step}: ok ({detail})", file=self.out, flush=True)


def expect(condition: bool, step: str, reason: str) -> None:
    if not condition:
        raise SelfTestFailure(step, reason)


@contextlib.contextmanager
def _private_home() -> Iterator[str]:
    """Profiles, workspace, drafts and the replay journal in a temporary folder, removed afterwards."""
    previous = os.environ.get(HOME_ENV)
    with tempfile.TemporaryDirectory(prefix="topic-inspector-self-test-") as home:
        os.environ[HOME_ENV] = home
        try:
            yield home
        finally:
            if previous is None:
                os.environ.pop(HOME_ENV, None)
            else:
                os.environ[HOME_ENV] = previous


def check_runtime(report: Report) -> None:
    """The versions, and Qt's plugin folder: it must hold the platform plugins the window is shown with."""
    frozen = "packaged" if getattr(sys, "frozen", False) else "source"
    plugins = QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)
    if not os.path.isdir(os.path.join(plugins, "platforms")):
        raise SelfTestFailure("runtime", f"Qt's plugin folder {plugins} holds no platform plugins")
    report.ok(
        "runtime",
        f"Topic Inspector {__version__} ({frozen}), Python {platform.python_version()}, "
        f"PySide6 {pyside_version}, Qt {qVersion()}, {platform.system()} {platform.machine()}; Qt plugins: {plugins}",
    )


def check_keyring(report: Report) -> None:
    """The platform's keyring backends load (found through keyring's entry points), and which one is in use."""
    step = "keyring"
    for module in NATIVE_BACKENDS.get(sys.platform, ()):
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise SelfTestFailure(step, f"the backend {module} does not load: {exc}") from None
    keyring.backend.get_all_keyring()  # loads every backend registered under the keyring.backends entry point
    loaded = {f"{cls.__module__}" for cls in keyring.backend.KeyringBackend._classes}
    missing = [m for m in NATIVE_BACKENDS.get(sys.platform, ()) if m not in loaded]
    expect(
        not missing,
        step,
        f"keyring did not find {', '.join(missing)} through its entry points (is keyring's metadata packaged?)",
    )
    names = sorted({getattr(cls, "name", cls.__name__) for cls in keyring.backend.KeyringBackend._classes})
    store = KeyringStore()
    in_use = (
        f"in use: {store.backend_name}"
        if store.is_system
        else "no OS keyring reachable now: tokens would be kept for the session only"
    )
    report.ok(step, f"backends loaded: {', '.join(names)}; {in_use}")


async def check_client(report: Report, url: str, token: str, topic: int) -> list[str]:
    """Single and batch publish through the client, then a tail from the beginning: same order, same content."""
    endpoint = custom_endpoint(url, rate_limit_rpm=0)
    async with EventStreamsClient(endpoint, token) as client:
        single_id = await client.publish(topic, SINGLE)
        results = await publish_all(client, topic, batch_payloads())
        failed = [r for r in results if r.outcome is not Outcome.SUCCESS]
        expect(not failed, "publish", f"{len(failed)} of {BATCH_SIZE} batch items not published: {failed[:1]}")
        ids = [single_id] + [str(r.message_id) for r in results]
        report.ok("publish", f"1 single and {BATCH_SIZE} in a batch of 2 requests")
        refused = (await publish_all(client, SCHEMA_TOPIC, [{"order_id": "seven"}]))[0]
        expect(
            refused.outcome is Outcome.FAILED and "order_id" in (refused.error or ""),
            "schema",
            f"an order that breaks the topic's schema was not refused by name: {refused}",
        )
        report.ok("schema", f"a payload that breaks the topic's schema is refused: {refused.error}")

        received: list[Message] = []
        tail = TopicTail(client, topic, received.extend, follow=False)
        await asyncio.wait_for(tail.run(), STEP_TIMEOUT)
    expect(len(received) == len(ids), "tail", f"{len(received)} messages came back, {len(ids)} were published")
    expect([m.message_id for m in received] == ids, "tail", "messages came back in another order")
    expected = [SINGLE, *batch_payloads()]
    wrong = next((i for i, m in enumerate(received) if m.payload != expected[i]), None)
    expect(wrong is None, "tail", f"message {wrong} came back with other content")
    report.ok("tail", f"{len(received)} messages back in order with the same content")
    return ids


async def check_window(report: Report, url: str, token: str, topic: int, ids: list[str]) -> None:
    """The main window shows the topic's messages in its live table, and its Publish panel publishes."""
    step = "window"
    null_keyring = importlib.import_module("keyring.backends.null").Keyring()
    ctx = AppContext(keyring_store=KeyringStore(null_keyring))  # the token stays in this process
    window = MainWindow(ctx)
    try:
        profile = ctx.profile_store.upsert(Profile("Self-test", "custom", url, rate_limit_rpm=0))
        await ctx.set_token(profile, token)
        ctx.workspace.add_topic(profile.name, topic, "self-test")
        window.refresh_tree()
        window.show()
        view = await window.open_topic(profile.name, topic)
        expect(view is not None, step, "the topic view did not open")
        assert view is not None

        def shown() -> list[str]:
            rows = (view.model.row_at(r) for r in range(view.model.rowCount()))
            return [row.message_id for row in rows if row is not None]

        await _until(lambda: len(shown()) >= len(ids), step, f"the live table to show {len(ids)} messages")
        expect(shown() == ids, step, "the live table shows other messages or another order")
        panel = view.publisher
        expect(panel is not None, step, "the topic view has no Publish panel")
        assert panel is not None
        panel.set_text('{"self_test": "window"}')
        results = await panel.publish_now()
        expect(
            results is not None and [r.outcome for r in results] == [Outcome.SUCCESS],
            step,
            f"the Publish panel did not publish: {panel.check_label.text() or panel.summary_label.text()}",
        )
        assert results is not None
        await _until(lambda: shown()[-1:] == [results[0].message_id], step, "the panel's message in the table")
        report.ok(step, f"{len(ids) + 1} messages in the live table, 1 published from the Publish panel")
    finally:
        window.close()
        await window.shutdown()
        await ctx.aclose()
        window.deleteLater()


async def _until(condition: Any, step: str, what: str) -> None:
    deadline = time.monotonic() + STEP_TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise SelfTestFailure(step, f"timed out after {STEP_TIMEOUT:.0f} s waiting for {what}")
        await asyncio.sleep(0.02)


def run_self_test(out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    report = Report(out)
    if not has_screen():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    step = "start"
    try:
        with _private_home():
            check_runtime(report)
            step = "keyring"
            check_keyring(report)
            step = "emulator"
            # here, not at the top: a build without the emulator's server (uvicorn) fails "at emulator", in words
            from inspector.emulator.server import EmulatorConfig, EmulatorServer

            with tempfile.TemporaryDirectory(prefix="topic-inspector-self-test-data-") as data:
                config = EmulatorConfig(port=0, rate_limit_rpm=0, data=os.path.join(data, "emulator.sqlite"))
                with EmulatorServer(config) as server:
                    assert server.store is not None
                    topic = server.store.create_topic("self-test").id
                    report.ok(step, f"listening on {server.url}, topic {topic}")
                    step = "window"
                    _run_on_qt_loop(report, server.url, server.token, topic)
    except SelfTestFailure as failure:
        print(f"self-test FAILED at {failure.step}: {failure.reason}", file=err, flush=True)
        return 1
    except Exception as exc:  # noqa: BLE001 - anything else is a failure of this copy, said with its trace
        print(f"self-test FAILED at {step}: {type(exc).__name__}: {exc}", file=err, flush=True)
        traceback.print_exc(file=err)
        return 1
    print(f"self-test passed in {time.perf_counter() - report.started:.1f} s", file=out, flush=True)
    return 0


def _run_on_qt_loop(report: Report, url: str, token: str, topic: int) -> None:
    install_qt_message_handler()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setQuitOnLastWindowClosed(False)  # closing the window must not end the loop before the cleanup
    loop = EventLoop(app)
    asyncio.set_event_loop(loop)

    async def steps() -> None:
        ids = await check_client(report, url, token, topic)
        await check_window(report, url, token, topic, ids)

    try:
        with loop:
            loop.run_until_complete(steps())
    finally:
        asyncio.set_event_loop(None)
