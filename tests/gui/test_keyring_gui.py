"""The window's tokens in the real Secret Service (gnome-keyring on a private bus, via scripts/with-keyring)."""

from __future__ import annotations

import asyncio
import os

import httpx
import keyring
import pytest
import qasync
from PySide6.QtWidgets import QDialogButtonBox

from inspector.core.paths import AppPaths
from inspector.core.secrets import SERVICE
from inspector.emulator.server import EmulatorConfig, EmulatorServer
from inspector.ui.context import AppContext
from inspector.ui.main_window import MainWindow
from tests.helpers import wait_until

pytestmark = pytest.mark.secret_service

if os.environ.get("TOPIC_INSPECTOR_SECRET_SERVICE") != "1":
    pytest.skip("needs scripts/with-keyring (run 'make test')", allow_module_level=True)


def test_profile_token_goes_to_the_secret_service_and_nowhere_else(qloop: qasync.QEventLoop) -> None:
    token = "ti-Kq7Rw2Lm9Xb4Ts8Vn1Pz5Yc3-"  # fixed (ending in "-", a token shape that once leaked)
    with EmulatorServer(EmulatorConfig(port=0, rate_limit_rpm=0, token=token)) as server:

        async def scenario() -> None:
            ctx = AppContext()  # the real keyring, looked up off the event loop
            assert ctx.keyring is None
            assert await ctx.open_keyring() is ctx.keyring
            assert ctx.keyring is not None
            assert "SecretService" in ctx.keyring.backend_name
            window = MainWindow(ctx)
            window.show()
            dialog = window._profile_dialog(None)
            dialog.name.setText("Keyring test")
            dialog.region.setCurrentIndex(dialog.region.findData("custom"))
            dialog.base_url.setText(server.url)
            dialog.token.setText(token)
            dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
            await wait_until(lambda: keyring.get_password(SERVICE, f"profile:Keyring test@{server.url}") == token)
            profile = ctx.profile("Keyring test")
            assert profile is not None
            assert ctx.token_note(profile).startswith("stored in SecretService")
            ctx.workspace.add_topic("Keyring test", 2)
            view = await window.open_topic("Keyring test", 2)
            assert view is not None
            headers = {"Authorization": f"Bearer {token}"}
            url = f"{server.url}/api/v1/topics/2/publish"
            await asyncio.to_thread(httpx.post, url, json={"k": 1}, headers=headers)
            await wait_until(lambda: view.model.rowCount() == 1)
            window.close()
            await window.shutdown()
            await ctx.aclose()

        qloop.run_until_complete(scenario())
    try:
        written = [p for folder in AppPaths.current().all() if folder.exists() for p in folder.rglob("*")]
        files = [p for p in written if p.is_file()]
        assert any(p.name == "workspace.json" for p in files)
        for path in files:
            assert token.encode() not in path.read_bytes(), path
    finally:
        keyring.delete_password(SERVICE, f"profile:Keyring test@{server.url}")
