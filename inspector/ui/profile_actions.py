"""The window's profile actions: Add profile…, Edit profile…, Remove profile, and a tab's "Set token…" / "Update
token…" (the profile dialog), with what saving or removing a profile does to the open tabs.

Loaded with the window, so it imports nothing heavy: the dialog and the message box load when first opened, through
the window's start-up table (``inspector.ui.later``).
"""

from __future__ import annotations

from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, cast

from inspector.ui import later
from inspector.ui.widgets import plain_message_box

if TYPE_CHECKING:
    import asyncio

    from PySide6.QtWidgets import QStatusBar, QWidget

    from inspector.core.profiles import Profile
    from inspector.ui.context import AppContext
    from inspector.ui.dialogs import ProfileDialog
    from inspector.ui.services._common import ServicePanel
    from inspector.ui.sidebar import TopicKey
    from inspector.ui.topic.view import TopicView

T = TypeVar("T")


class ProfileWindow(Protocol):
    """What the profile actions use of the main window (``MainWindow``), named here so that this module does not
    import the window's (which imports this one)."""

    views: dict[TopicKey, TopicView]
    service_views: dict[tuple[str, str], ServicePanel]

    def statusBar(self) -> QStatusBar: ...

    def spawn(self, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]: ...

    def selected_profile(self) -> Profile | None: ...

    def refresh_tree(self) -> None: ...

    def _mark_dirty(self, *args: object) -> None: ...

    def _update_tab_titles(self) -> None: ...

    async def close_topic(self, key: TopicKey) -> None: ...

    async def open_service(self, profile_name: str, capability: str) -> ServicePanel | None: ...

    async def close_service(self, key: tuple[str, str]) -> None: ...


class ProfileActions:
    """The profiles of ``window``: the dialog that adds or edits one (and its token), removing one, and carrying
    the open tabs over to a profile's new name, address or token. The window's menus reach these through its
    methods of the same names (``MainWindow.add_profile``, ...)."""

    def __init__(self, window: ProfileWindow, ctx: AppContext) -> None:
        self.window = window
        self.parent = cast("QWidget", window)  # the window itself: the dialogs' parent
        self.ctx = ctx

    def add_profile(self) -> None:
        self.profile_dialog(None)

    def edit_selected_profile(self) -> None:
        profile = self.window.selected_profile()
        if profile is None:
            self.window.statusBar().showMessage("Select a profile first.", 5000)
        elif self.ctx.is_demo(profile):
            self.window.statusBar().showMessage("The demo profile cannot be edited.", 5000)
        else:
            self.profile_dialog(profile)

    def profile_dialog(self, profile: Profile | None) -> ProfileDialog:
        dialog: ProfileDialog = later.dialogs.ProfileDialog(
            self.parent,
            profile=profile,
            token_note=self.ctx.token_note(profile),
            test_connection=self.ctx.test_connection,
            existing_names={p.name for p in self.ctx.profiles()},
            keyring_warning=self.ctx.keyring_warning,
        )
        dialog.setObjectName("profile-dialog")

        def finished(result: int) -> None:
            if result and dialog.result_profile is not None:
                self.ctx.keep_proxy_password(dialog.result_profile, dialog.result_proxy_password)
                self.window.spawn(self.save_profile(profile, dialog.result_profile, dialog.result_token))
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.open()
        return dialog

    async def save_profile(self, original: Profile | None, profile: Profile, token: str | None) -> None:
        views = self.window.views
        if original is not None and original.account != profile.account:  # renamed, or moved to another address
            old_token = await self.ctx.get_token(original)
            await self.ctx.delete_token(original)
            if token is None and old_token and original.endpoint().events_url == profile.endpoint().events_url:
                token = old_token  # renamed only: a token stays with the address it was entered for
        if original is not None and original.name != profile.name:
            self.ctx.profile_store.remove(original.name)
            self.ctx.workspace.rename_profile(original.name, profile.name)
            self.ctx.publishing.rename_profile(original.name, profile.name)
            for key in [k for k in views if k[0] == original.name]:
                view = views.pop(key)
                views[(profile.name, key[1])] = view
                view.set_profile_name(profile.name)
            self.window._update_tab_titles()
        self.ctx.profile_store.upsert(profile)
        where = await self.ctx.set_token(profile, token) if token else self.ctx.token_note(profile)
        self.window.statusBar().showMessage(f"Profile {profile.name!r} saved; token {where}.", 8000)
        self.window._mark_dirty()
        self.window.refresh_tree()
        await self.restart_profile(profile.name)

    def remove_selected_profile(self) -> None:
        profile = self.window.selected_profile()
        if profile is None or self.ctx.is_demo(profile):
            self.window.statusBar().showMessage("Select a profile of your own first.", 5000)
            return
        box = plain_message_box(
            later.QMessageBox.Icon.Question,
            "Remove profile",
            f"Remove the profile {profile.name!r}, its topics and its stored token?",
            later.QMessageBox.StandardButton.Yes | later.QMessageBox.StandardButton.No,
            self.parent,
        )

        def finished(result: int) -> None:
            if result == later.QMessageBox.StandardButton.Yes:
                self.window.spawn(self.remove_profile(profile))
            box.deleteLater()

        box.finished.connect(finished)
        box.open()

    async def remove_profile(self, profile: Profile) -> None:
        for key in [k for k in self.window.views if k[0] == profile.name]:
            await self.window.close_topic(key)
        self.ctx.profile_store.remove(profile.name)
        await self.ctx.delete_token(profile)
        self.ctx.workspace.forget_profile(profile.name)
        self.ctx.publishing.forget_profile(profile.name)
        self.window._mark_dirty()
        self.window.refresh_tree()

    def ask_token(self, view: TopicView) -> None:
        """A tab's "Set token…" / "Update token…": the profile dialog, where a token typed and saved starts the
        tabs of that profile that wait for one."""
        profile = self.ctx.profile(view.session.profile_name)
        if profile is None:
            self.window.statusBar().showMessage(f"The profile {view.session.profile_name!r} no longer exists.", 8000)
        elif self.ctx.is_demo(profile):
            self.window.statusBar().showMessage("The demo profile cannot be edited.", 5000)
        else:
            self.profile_dialog(profile)

    async def restart_profile(self, name: str) -> None:
        """After a profile's token or address changed: its open topics carry on with the new one."""
        profile = self.ctx.profile(name)
        if profile is None:
            return
        token = await self.ctx.token_source(profile)
        for service_key in [k for k in self.window.service_views if k[0] == name]:  # reopened with the new token
            await self.window.close_service(service_key)
            await self.window.open_service(*service_key)
        for key, view in list(self.window.views.items()):
            if key[0] == name and token:
                # its table and Publish panel use the new client; a tab that waited for a token starts reading
                view.token_arrived(token)
