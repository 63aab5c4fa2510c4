"""The other services in the window: the profile dialog asks for what each service needs, the sidebar offers a
profile's capabilities (not its vendor), their panels open in tabs and close cleanly, a subscription's topic
opens as a live tab, and the demo shows one profile of each service."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from inspector.core.profiles import Profile
from inspector.emulator.server import EmulatorServer
from inspector.emulator.traffic import DEMO_ACCOUNT, DEMO_ENVIRONMENT
from inspector.ui.context import AppContext
from inspector.ui.eventloop import EventLoop
from inspector.ui.main_window import MainWindow
from inspector.ui.sidebar import KindRole, NameRole, ServiceRole
from tests.helpers import wait_until


def sidebar(window: MainWindow) -> dict[str, list[tuple[str, str]]]:
    """Each profile's children in the sidebar: (kind, text)."""
    shown: dict[str, list[tuple[str, str]]] = {}
    model = window.tree_model
    for r in range(model.rowCount()):
        parent = model.item(r)
        shown[parent.text()] = [
            (parent.child(c).data(KindRole), parent.child(c).text()) for c in range(parent.rowCount())
        ]
    return shown


def select(window: MainWindow, profile: str, capability: str) -> None:
    model = window.tree_model
    for r in range(model.rowCount()):
        parent = model.item(r)
        for c in range(parent.rowCount()):
            child = parent.child(c)
            if child.data(NameRole) == profile and child.data(ServiceRole) == capability:
                window.tree.setCurrentIndex(child.index())
                return
    raise AssertionError(f"no {capability} item under {profile}")


def test_the_profile_dialog_shows_each_services_fields(qloop: EventLoop, qapp: QApplication, ctx: AppContext) -> None:
    async def scenario() -> None:
        window = MainWindow(ctx)
        window.show()
        dialog = window._profile_dialog(None)
        shown = {
            service: (
                dialog.region.isVisibleTo(dialog),
                dialog.environment_id.isVisibleTo(dialog),
                dialog.account_id.isVisibleTo(dialog),
                dialog.workflow_container.isVisibleTo(dialog),
                dialog.test_button.isVisibleTo(dialog),
            )
            for service in ("workato", "qala", "boomi", "messaging")
            if dialog.service.setCurrentIndex(dialog.service.findData(service)) is None
        }
        assert shown == {
            "workato": (True, False, False, False, True),
            "qala": (False, True, False, False, False),
            "boomi": (False, False, True, False, False),
            "messaging": (False, False, False, True, False),
        }
        dialog.service.setCurrentIndex(dialog.service.findData("qala"))
        dialog.name.setText("Q")
        dialog.base_url.setText("https://qala.example.com")
        dialog.environment_id.setText("production")
        dialog.token.setText("tok-123")
        dialog.buttons.accepted.emit()
        assert "environment id: 'production' is not a GUID" in dialog.error.text()
        dialog.environment_id.setText(DEMO_ENVIRONMENT)
        dialog.buttons.accepted.emit()
        assert dialog.result_profile is not None
        assert dialog.result_profile.service == "qala"
        assert dialog.result_profile.environment_id == DEMO_ENVIRONMENT
        window.close()
        await window.shutdown()
        await ctx.aclose()

    qloop.run_until_complete(scenario())


def test_service_profiles_offer_their_capabilities_and_open_panels(
    qloop: EventLoop, ctx: AppContext, emulator: EmulatorServer
) -> None:
    async def scenario() -> None:
        for profile in (
            Profile("Q", "custom", emulator.url, 0, service="qala", environment_id=DEMO_ENVIRONMENT),
            Profile("B", "custom", emulator.url, 0, service="boomi", account_id="acct_window"),
            Profile("M", "custom", emulator.url, 0, service="messaging"),
            Profile("W", "custom", emulator.url, 0),
        ):
            saved = ctx.profile_store.upsert(profile)
            await ctx.set_token(saved, emulator.token)
        assert emulator.store is not None
        topic = emulator.store.create_topic("window-orders").id
        ctx.workspace.add_topic("W", topic, "window-orders")
        window = MainWindow(ctx)
        window.show()
        await window.start_background()
        window.refresh_tree()
        tree = sidebar(window)
        assert tree["Q"] == [("service", f"Publish events · environment {DEMO_ENVIRONMENT[:8]}…")]
        assert tree["B"] == [("service", "Subscriptions · account acct_window")]
        assert tree["M"] == [("service", "App messages")]
        assert tree["W"] == [("topic", f"window-orders ({topic})")]

        select(window, "Q", "publish_events")
        window.open_selected()
        await wait_until(lambda: ("Q", "publish_events") in window.service_views, what="the Qala panel")
        qala = window.service_views[("Q", "publish_events")]
        assert window.tabs.currentWidget() is qala
        assert window.tabs.tabText(window.tabs.currentIndex()) == "Q · Publish events"

        boomi_panel = await window.open_service("B", "manage_subscriptions")
        messages_panel = await window.open_service("M", "watch_messages")
        assert boomi_panel is not None
        assert messages_panel is not None
        assert await window.open_service("B", "manage_subscriptions") is boomi_panel  # shown again, not twice
        assert await window.open_service("M", "publish_events") is None  # not what a messaging profile does

        # A subscription sending to a topic this window reads opens that topic.
        assert window.can_open_topic_named("window-orders")
        assert not window.can_open_topic_named("elsewhere")
        boomi_panel.openTopicRequested.emit("window-orders")  # type: ignore[attr-defined]
        await wait_until(lambda: ("W", topic) in window.views, what="the topic's tab")

        # Add topic is for profiles that read topics.
        window.tree.setCurrentIndex(window.tree_model.item(0).index())
        selected = window.selected_profile()
        assert selected is not None
        if "consume" not in selected.capabilities:
            window.add_topic()
            assert "has no topics to read" in window.statusBar().currentMessage()

        # Closing a tab stops its panel.
        window._close_tab_at(window.tabs.indexOf(messages_panel))
        await wait_until(lambda: ("M", "watch_messages") not in window.service_views, what="the tab closed")
        window.close()
        await window.shutdown()
        await ctx.aclose()
        assert window.service_views == {}

    qloop.run_until_complete(scenario())


def test_the_demo_shows_one_profile_of_each_service(qloop: EventLoop, ctx: AppContext) -> None:
    async def scenario() -> None:
        profile = await ctx.start_demo()
        window = MainWindow(ctx)
        window.show()
        window.refresh_tree()
        tree = sidebar(window)
        assert [p.service for p in ctx.demo_profiles] == ["workato", "qala", "boomi", "messaging"]
        assert tree[profile.name] == [("topic", "orders (1)"), ("topic", "audit-events (2)")]
        assert tree["Demo Boomi (local)"] == [("service", f"Subscriptions · account {DEMO_ACCOUNT}")]
        boomi = await window.open_service("Demo Boomi (local)", "manage_subscriptions")
        assert boomi is not None
        await wait_until(lambda: boomi.table.model().rowCount() == 3, what="the demo's subscriptions")  # type: ignore[attr-defined]
        messages = await window.open_service("Demo app messages (local)", "watch_messages")
        assert messages is not None
        messages.watch("demo-app")  # type: ignore[attr-defined]
        await wait_until(lambda: messages.tree.model().rowCount() > 0, what="the demo app's transactions")  # type: ignore[attr-defined]
        window.close()
        await window.shutdown()
        await ctx.aclose()

    qloop.run_until_complete(scenario())
