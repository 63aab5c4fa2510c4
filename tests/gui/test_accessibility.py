"""Every control of the window has an accessible name (issue 16), read as a screen reader reads it: through
``QAccessible.queryAccessibleInterface`` at 1024x700, with a topic's tab on each of its pages, a panel of each
other service, and the dialogs the window opens (each without a modal loop), the command palette and the
keyboard shortcuts among them. The file dialogs are Qt's own and left out."""

from __future__ import annotations

import asyncio

import qasync
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)

from inspector.core.profiles import Profile
from inspector.emulator.server import EmulatorServer
from inspector.emulator.traffic import DEMO_ACCOUNT, DEMO_ENVIRONMENT
from inspector.ui.context import AppContext
from inspector.ui.main_window import MainWindow
from inspector.ui.services import PANEL_LABELS
from tests.gui.test_main_window import close, run
from tests.gui.test_workspace_1024 import workspace

CONTROLS = (
    QAbstractButton,  # push, tool (the "»" of a bar too), check and radio buttons
    QLineEdit,
    QComboBox,
    QTextEdit,
    QPlainTextEdit,
    QAbstractItemView,  # tables, trees, lists
    QAbstractSpinBox,
    QTabBar,
)


def where(widget: QWidget) -> str:
    """A control and the widgets it sits in, for the failure message."""
    parts = []
    current: QWidget | None = widget
    while current is not None and len(parts) < 6:
        name = current.accessibleName() or current.objectName()
        parts.append(f"{type(current).__name__}{f' {name!r}' if name else ''}")
        current = current.parentWidget()
    text = widget.text() if isinstance(widget, QAbstractButton | QLineEdit) else ""
    return f"{' in '.join(parts)}{f' (shows {text!r})' if text else ''}"


def unnamed(root: QWidget) -> list[str]:
    """The controls under ``root`` that show and whose accessible name is empty. A control's own parts (a table's
    header, a spin box's or an editable combo box's field) are read as the control."""
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not isinstance(widget, CONTROLS) or isinstance(widget, QHeaderView) or not widget.isVisible():
            continue
        parent = widget.parentWidget()
        if isinstance(widget, QLineEdit) and isinstance(parent, QComboBox | QAbstractSpinBox):
            continue
        interface = QAccessible.queryAccessibleInterface(widget)
        name = interface.text(QAccessible.Text.Name) if interface is not None else ""
        if not name.strip():
            found.append(where(widget))
    return found


def all_unnamed() -> list[str]:
    QApplication.processEvents()
    return [f for top in QApplication.topLevelWidgets() if top.isVisible() for f in unnamed(top)]


def test_every_control_has_an_accessible_name(
    qloop: qasync.QEventLoop, ctx: AppContext, emulator: EmulatorServer, topic: int
) -> None:
    async def scenario() -> None:
        for name, service, more in (
            ("Qala here", "qala", {"environment_id": DEMO_ENVIRONMENT}),
            ("Boomi here", "boomi", {"account_id": DEMO_ACCOUNT}),
            ("Messages here", "messaging", {}),
        ):
            profile = ctx.profile_store.upsert(Profile(name, "custom", emulator.url, 0, service=service, **more))
            await ctx.set_token(profile, emulator.token)
        window, view, _second = await workspace(ctx, emulator, topic)
        ctx.workspace.notice = "A notice."
        window.notices.workspace_notice.show_text("A notice, to see its buttons.")
        window.show_demo_banner("http://127.0.0.1:1234")
        offenders: dict[str, list[str]] = {}

        view.table.selectRow(2)
        offenders["the Messages page"] = all_unnamed()
        for index in range(view.detail_tabs.count()):  # the detail's tabs: payload, tree, schema, rate
            view.detail_tabs.setCurrentIndex(index)
            offenders[f"the detail's {view.detail_tabs.tabText(index)!r} tab"] = all_unnamed()
        view.show_publish()
        offenders["the Publish page"] = all_unnamed()
        view.show_messages()

        for profile in ctx.profiles():
            for capability in PANEL_LABELS:
                if capability in profile.capabilities:
                    panel = await window.open_service(profile.name, capability)
                    assert panel is not None
                    await asyncio.sleep(0.2)  # its first answer shown
                    offenders[f"{profile.name}'s {PANEL_LABELS[capability]} panel"] = all_unnamed()
                    await window.close_service((profile.name, capability))
        window.tabs.setCurrentWidget(view)

        def dialog(what: str) -> None:
            offenders[what] = all_unnamed()
            for top in QApplication.topLevelWidgets():
                if top is not window and top.isVisible():
                    top.close()

        window._profile_dialog(ctx.profile("Local"))
        dialog("the profile dialog")
        window.tree.setCurrentIndex(window.tree_model.index(0, 0))
        window.add_topic()
        dialog("the Add topic dialog")
        window.ask_row_cap()
        dialog("the row limit dialog")
        window.about()
        dialog("About")
        window.show_shortcuts()
        dialog("Keyboard shortcuts")
        view.table.selectRow(0)
        view.table.selectionModel().select(
            view.model.index(1, 0),
            view.table.selectionModel().SelectionFlag.Select | view.table.selectionModel().SelectionFlag.Rows,
        )
        view.compare_selected()
        dialog("Compare two messages")
        replay = window.replay_rows(view, view.rows_for_action())
        assert replay is not None
        dialog("Replay to…")
        window.jobs_dock.show()
        offenders["the replay jobs"] = all_unnamed()
        palette = window.open_palette()
        offenders["the command palette"] = all_unnamed()
        palette.close_palette()

        found = {what: names for what, names in offenders.items() if names}
        assert not found, "controls without an accessible name:\n" + "\n".join(
            f"{what}: {name}" for what, names in found.items() for name in names
        )
        await close(window, ctx)

    run(qloop, scenario())


def test_the_windows_own_controls_are_named(qloop: qasync.QEventLoop, ctx: AppContext) -> None:
    window = MainWindow(ctx)
    window.resize(1024, 700)
    window.show()
    qloop.run_until_complete(window.start_background())
    assert window.tree.accessibleName() == "Profiles and topics"
    assert window.tabs.accessibleName() == "Open tabs"
    for banner in window.notices.banners():
        assert banner.close_button.accessibleName().startswith("Dismiss the ")
    window.close()
    qloop.run_until_complete(window.shutdown())
    qloop.run_until_complete(ctx.aclose())
