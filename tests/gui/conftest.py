"""GUI tests: offscreen Qt with a qasync loop, the app's context on an in-memory keyring."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication

from inspector.core.secrets import KeyringStore
from inspector.ui.context import AppContext
from inspector.ui.eventloop import EventLoop
from tests.helpers import InMemoryKeyring


def delete_widgets(qapp: QApplication) -> None:
    """Delete every top-level widget now, on the main thread, and collect what pointed at them.

    Left to the garbage collector, a widget could be finalised on an emulator's thread in a later test, and
    Qt objects must die on the thread that made them.
    """
    for widget in qapp.topLevelWidgets():
        widget.deleteLater()
    qapp.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    qapp.processEvents()
    gc.collect()


@pytest.fixture(autouse=True)
def _widgets_die_here(qapp: QApplication) -> Iterator[None]:
    yield
    delete_widgets(qapp)


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[EventLoop]:
    """The app's asyncio loop on the test's QApplication (modelled on qasync's own test fixture)."""
    qapp.setQuitOnLastWindowClosed(False)
    loop = EventLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    yield loop
    try:
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        assert not pending, f"tasks left running: {pending}"
    finally:
        delete_widgets(qapp)  # while the loop and the application still exist
        loop.close()
        asyncio.set_event_loop(None)
        del loop
        # Collect Qt objects (qasync's timers among them) here, on the main thread: left to the collector,
        # they could be finalised on an emulator thread ("Timers cannot be stopped from another thread").
        gc.collect()


@pytest.fixture
def keyring_backend() -> InMemoryKeyring:
    return InMemoryKeyring()


@pytest.fixture
def ctx(keyring_backend: InMemoryKeyring) -> AppContext:
    return AppContext(keyring_store=KeyringStore(keyring_backend))
