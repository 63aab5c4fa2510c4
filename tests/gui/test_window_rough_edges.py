"""The rough edges a new user hit (issue 16): a profile without a token sends nothing and its tabs start once a
token is set; tab titles name the profile when two look alike; the banners fold and close and follow the dark
scheme; the demo keeps to its own folder and tokens; icons on the main actions, crisp at 2x."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import qasync
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from inspector.core.profiles import Profile, ProfileStore
from inspector.core.secrets import KeyringStore
from inspector.core.workspace import WorkspaceStore
from inspector.emulator.app import create_app
from inspector.emulator.context import EmulatorSettings
from inspector.emulator.server import EmulatorServer
from inspector.emulator.store import Store
from inspector.ui.context import DEMO_PROFILE, AppContext
from inspector.ui.dialogs import ProfileDialog
from inspector.ui.main_window import MainWindow
from inspector.ui.sidebar import dot
from inspector.ui.status import BANNER_BACKGROUND
from tests.gui.test_main_window import close, local_profile, run
from tests.helpers import AppServer, InMemoryKeyring, wait_until

TOKEN = "counting-server-token-0123456789abcdef"


class Counting:
    """An ASGI app in front of another that counts the HTTP requests reaching it."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.requests: list[str] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.requests.append(f"{scope['method']} {scope['path']}")
        await self.app(scope, receive, send)


@pytest.fixture
def counting() -> Iterator[tuple[AppServer, Counting, int]]:
    """An emulator (one topic) behind a request counter, over loopback HTTP."""
    store = Store(":memory:")
    topic = store.create_topic("orders").id
    app = create_app(
        store, EmulatorSettings(token=TOKEN, rate_limit_rpm=0, developer_rate_limit_rpm=0, max_wait_secs=1)
    )
    counter = Counting(app)
    server = AppServer(counter, "counting-emulator")
    server.start()
    yield server, counter, topic
    app.state.emulator.close()
    server.stop()


def test_a_profile_without_a_token_sends_nothing_and_its_tabs_start_once_one_is_set(
    qloop: qasync.QEventLoop, keyring_backend: InMemoryKeyring, counting: tuple[AppServer, Counting, int]
) -> None:
    server, counter, topic = counting
    # the last run: a tab open on a profile whose token is gone (no keyring then, a session token that ended)
    ProfileStore().upsert(Profile("Local", "custom", server.url, rate_limit_rpm=0))
    store = WorkspaceStore()
    workspace = store.load()
    workspace.add_topic("Local", topic, "orders")
    workspace.open_topics = [("Local", topic)]
    store.save(workspace)

    async def scenario() -> None:
        ctx = AppContext(keyring_store=KeyringStore(keyring_backend))
        window = MainWindow(ctx)
        window.show()
        await window.start_background()  # reopens the saved tab
        view = window.views[("Local", topic)]
        await asyncio.sleep(0.3)  # what a tail would have sent by now, it would have
        assert counter.requests == []
        assert view.session.waiting_for_token
        assert not view.session.running
        assert view.token_bar.isVisibleTo(view)
        assert "No token for 'Local'" in view.token_bar_label.text()
        assert view.session.status.kind != "stopped"
        item = window.tree.topic_item(("Local", topic))
        assert item is not None
        assert "no token for 'Local'" in item.toolTip()  # the sidebar says why, not "stopped"
        window.update_status_bar()
        assert "no token" in window.state_label.text()

        view.set_token_button.click()  # "Set token…" on the tab's bar: the profile dialog
        dialog = window.findChild(ProfileDialog, "profile-dialog")
        assert isinstance(dialog, ProfileDialog)
        assert dialog.name.text() == "Local"
        dialog.token.setText(TOKEN)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        await wait_until(lambda: view.session.status.kind == "live", what="the tab to start with the token")
        assert not view.token_bar.isVisibleTo(view)
        assert counter.requests
        headers = {"Authorization": f"Bearer {TOKEN}"}
        async with httpx.AsyncClient(base_url=server.url, trust_env=False) as http:
            answer = await http.post(f"/api/v1/topics/{topic}/publish", json={"n": 1}, headers=headers)
        assert answer.status_code == 200
        await wait_until(lambda: view.model.rowCount() == 1, what="the message")
        await close(window, ctx)

    run(qloop, scenario())


def test_tab_titles_name_the_profile_when_two_look_alike(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int
) -> None:
    async def scenario() -> None:
        await local_profile(ctx, emulator, topic)
        production = ctx.profile_store.upsert(Profile("Production", "custom", emulator.url, rate_limit_rpm=0))
        await ctx.set_token(production, emulator.token)
        ctx.workspace.add_topic("Production", topic, "mine")
        window = MainWindow(ctx)
        window.show()
        local = await window.open_topic("Local", topic)
        assert local is not None
        assert window.tabs.tabText(0) == f"mine ({topic})"  # alone: the topic's name is enough
        other = await window.open_topic("Production", topic)
        assert other is not None
        titles = [window.tabs.tabText(i) for i in range(2)]
        assert titles == [f"mine ({topic}) · Local", f"mine ({topic}) · Production"]
        assert window.tabs.tabToolTip(1) == f"mine ({topic}) — topic {topic} of the profile Production"
        await window.close_topic(("Production", topic))
        assert window.tabs.tabText(0) == f"mine ({topic})"
        await close(window, ctx)

    run(qloop, scenario())


def test_banners_fold_close_and_follow_the_dark_scheme(qtbot: QtBot, ctx: AppContext) -> None:
    ctx.workspace.notice = "The saved workspace could not be read (bad JSON). It was kept as workspace.json.broken."
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1024, 700)
    window.show()
    notice = window.notices.workspace_notice
    assert notice.isVisible()
    assert notice.close_button.accessibleName() == "Dismiss the workspace notice"
    assert notice.fold_button.accessibleName() == "Show less"
    tall = notice.sizeHint().height()

    notice.fold_button.click()  # one line: the first sentence
    assert notice.label.text() == "The saved workspace could not be read (bad JSON)."
    assert notice.fold_button.text() == notice.fold_button.accessibleName() == "Show more"
    assert notice.sizeHint().height() <= tall
    notice.fold_button.click()
    assert notice.label.text() == ctx.workspace.notice

    window.apply_color_scheme(dark=True)
    assert BANNER_BACKGROUND[1] in notice.styleSheet()
    window.apply_color_scheme(dark=False)
    assert BANNER_BACKGROUND[0] in notice.styleSheet()

    notice.close_button.click()
    assert not notice.isVisible()
    window.notices.workspace_notice.show_text("something else")  # dismissed: it stays closed this session
    assert not notice.isVisible()

    window.show_demo_banner("http://127.0.0.1:1234")
    assert window.demo_banner.isVisible()
    assert "Demo mode" in window.demo_banner.text()
    window.close()


def test_the_demo_keeps_to_its_own_folder_and_tokens(
    qloop: qasync.QEventLoop, keyring_backend: InMemoryKeyring, app_home: Path, qapp: QApplication
) -> None:
    mine = Profile("Mine", "custom", "http://127.0.0.1:9", rate_limit_rpm=0)
    ProfileStore().upsert(mine)
    store = WorkspaceStore()
    workspace = store.load()
    workspace.add_topic("Mine", 5, "five")
    workspace.open_topics = [("Mine", 5)]
    store.save(workspace)
    real = {p: p.read_bytes() for p in app_home.rglob("*.json")}

    async def demo_run(*, add: bool) -> tuple[list[tuple[str, int]], list[str]]:
        ctx = AppContext(demo=True, keyring_store=KeyringStore(keyring_backend))
        assert ctx.keyring is None
        assert ctx.keyring_warning == ""
        window = MainWindow(ctx)
        window.show()
        await ctx.start_demo()
        window.refresh_tree()
        assert not window.notices.keyring_warning.isVisible()  # the demo needs no token of the user's
        await window.start_background()
        opened = sorted(window.views)
        if add:  # a profile of one's own, added in the demo, with a token; one of its two tabs closed
            added = ctx.profile_store.upsert(Profile("Added in the demo", "custom", "http://127.0.0.1:9"))
            assert await ctx.set_token(added, "demo-added-token") == "kept in memory for this session only"
            await window.close_topic((DEMO_PROFILE, 2))
        names = [p.name for p in ctx.profiles()]
        await close(window, ctx)
        return opened, names

    first, _ = qloop.run_until_complete(demo_run(add=True))
    assert first == [(DEMO_PROFILE, 1), (DEMO_PROFILE, 2)]
    second, names = qloop.run_until_complete(demo_run(add=False))
    assert second == [(DEMO_PROFILE, 1)]  # the tabs the last demo left open
    assert "Added in the demo" in names
    assert "Mine" not in names  # the user's own profiles are not the demo's
    assert keyring_backend.items == {}  # no token went to the keyring
    assert {p: p.read_bytes() for p in real} == real  # the user's profiles and workspace as they were
    demo = app_home / "data" / "demo"
    assert json.loads((demo / "workspace.json").read_text())["open_topics"] == [[DEMO_PROFILE, 1]]
    assert "Added in the demo" in (demo / "profiles.json").read_text()


def test_icons_on_the_main_actions_crisp_at_2x(qtbot: QtBot, ctx: AppContext) -> None:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    assert window.open_action.icon().isNull()  # not before the first frame
    window.menus.set_shortcuts()  # as start_background does
    main = (window.add_profile_action, window.add_topic_action, window.open_action, window.close_tab_action)
    for action in (*main, window.refresh_topics_action, window.quit_action, window.about_action):
        assert not action.icon().isNull(), action.text()
        sharp = action.icon().pixmap(QSize(16, 16), 2.0)
        assert sharp.devicePixelRatio() == 2.0
        assert sharp.width() == 32, action.text()  # drawn for the scale, not a 16-pixel one stretched
    state = dot("#2e9d45").pixmap(QSize(12, 12), 2.0)
    assert (state.width(), state.devicePixelRatio()) == (24, 2.0)
    window.close()
