"""Shared fixtures: offscreen Qt, a private app folder per test, and a real emulator over loopback HTTP."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import itertools
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from inspector.core.ratelimit import Limiters
from inspector.core.regions import Endpoint, custom_endpoint
from inspector.core.services.workato import EventStreamsClient
from inspector.emulator.server import EmulatorConfig, EmulatorServer
from inspector.ui.qt import import_qt

import_qt()  # the suite imports as the window does: without PySide's __feature__ hook (inspector/ui/qt.py)

_topic_ids = itertools.count(1000)

# Hypothesis tries the same examples on every run and machine: a test never passes or fails by chance.
settings.register_profile("fixed", derandomize=True, database=None, print_blob=True)
settings.load_profile("fixed")


@pytest.fixture(autouse=True)
def app_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own app folder: no test writes to the real user directories."""
    home = tmp_path / "app-home"
    monkeypatch.setenv("TOPIC_INSPECTOR_HOME", str(home))
    monkeypatch.delenv("TOPIC_INSPECTOR_TOKEN", raising=False)
    return home


@pytest.fixture
def limiters() -> Limiters:
    """A registry of request budgets (one per base URL and token), as the window's context or a CLI run owns one."""
    return Limiters()


@pytest.fixture(scope="session")
def emulator() -> Iterator[EmulatorServer]:
    """One emulator for the session, rate limit off. Tests isolate themselves with the ``topic`` fixture."""
    server = EmulatorServer(EmulatorConfig(port=0, rate_limit_rpm=0))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def topic(emulator: EmulatorServer) -> int:
    """A new, empty topic without a schema."""
    assert emulator.store is not None
    return emulator.store.create_topic(f"test-{next(_topic_ids)}").id


@pytest.fixture
def endpoint(emulator: EmulatorServer) -> Endpoint:
    return custom_endpoint(emulator.url, rate_limit_rpm=0)


@pytest.fixture
async def client(endpoint: Endpoint, emulator: EmulatorServer) -> AsyncIterator[EventStreamsClient]:
    async with EventStreamsClient(endpoint, emulator.token) as c:
        yield c


# The package test builds and installs the .deb (minutes, root): only when asked for, as `.ci/run` does.
PACKAGE_TESTS = os.environ.get("PACKAGE_TESTS") == "1"
collect_ignore = [] if PACKAGE_TESTS else ["package"]


def pytest_report_header() -> str:
    return "package tests: " + ("on" if PACKAGE_TESTS else "off (set PACKAGE_TESTS=1 to build and install the .deb)")
