"""The window on a company network (tests/proxy.py): the profile dialog's Proxy, Proxy password and CA bundle
fields, and a profile with a proxy and a CA bundle that reads and publishes through the proxy; without the CA, or
with a wrong proxy password, the topic's status says why in words."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QLineEdit

from inspector.core import network
from inspector.core.models import Outcome
from inspector.core.network import CA_ENV
from inspector.core.profiles import Profile
from inspector.ui.context import AppContext
from inspector.ui.eventloop import EventLoop
from inspector.ui.main_window import MainWindow
from tests.gui.test_main_window import close, ids
from tests.helpers import InMemoryKeyring, wait_until
from tests.proxy import CA_NAME, TOKEN, Network, company_network

USER, PASSWORD = "alice", "s3cret-proxy-pw"


@pytest.fixture(autouse=True)
def clean_network(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY", *CA_ENV):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def corp(tmp_path: Path) -> Iterator[Network]:
    with company_network(tmp_path / "corp", credentials=(USER, PASSWORD)) as net:
        yield net


def test_the_profile_dialog_keeps_a_proxy_a_ca_bundle_and_the_proxy_password_in_the_keyring(
    qloop: EventLoop, ctx: AppContext, keyring_backend: InMemoryKeyring, tmp_path: Path, corp: Network
) -> None:
    async def scenario() -> None:
        window = MainWindow(ctx)
        window.show()
        dialog = window._profile_dialog(None)
        for field, name in ((dialog.proxy, "Proxy"), (dialog.proxy_password, "Proxy password")):
            assert field.accessibleName() == name
            assert field.isVisibleTo(dialog)
        assert dialog.ca_bundle.accessibleName() == "CA bundle"
        assert dialog.proxy_password.echoMode() == QLineEdit.EchoMode.Password
        proxy = f"http://{USER}@127.0.0.1:{corp.proxy.port}"
        dialog.name.setText("Corp")
        dialog.region.setCurrentIndex(dialog.region.findData("custom"))
        dialog.base_url.setText(corp.url)
        dialog.token.setText(TOKEN)
        dialog.proxy.setText(proxy)
        dialog.proxy_password.setText(PASSWORD)
        missing = tmp_path / "no-such-ca.pem"
        dialog.ca_bundle.setText(str(missing))
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        assert dialog.error.text().startswith(f"profile 'Corp' CA bundle: {missing} cannot be read")
        dialog.ca_bundle.setText(str(corp.tls.ca_file))
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
        assert dialog.result_profile is not None
        assert (dialog.result_profile.proxy, dialog.result_profile.ca_bundle) == (proxy, str(corp.tls.ca_file))
        assert dialog.proxy_password.text() == ""
        account = ("topic-inspector", network.proxy_account(proxy))
        await wait_until(lambda: account in keyring_backend.items, what="the proxy password in the keyring")
        assert keyring_backend.items[account] == PASSWORD
        assert PASSWORD not in ctx.profile_store.path.read_text()
        saved = ctx.profile("Corp")
        assert saved is not None
        assert saved.proxy == proxy
        await close(window, ctx)

    qloop.run_until_complete(scenario())


async def _profile(ctx: AppContext, corp: Network, keyring: InMemoryKeyring, *, ca: bool, password: str) -> int:
    proxy = f"http://{USER}@127.0.0.1:{corp.proxy.port}"
    bundle = str(corp.tls.ca_file) if ca else None
    profile = ctx.profile_store.upsert(Profile("Corp", "custom", corp.url, 0, proxy=proxy, ca_bundle=bundle))
    await ctx.set_token(profile, TOKEN)
    keyring.items[("topic-inspector", network.proxy_account(proxy))] = password
    topic = corp.topic()
    ctx.workspace.add_topic("Corp", topic, "orders")
    return topic


def test_the_window_reads_and_publishes_through_the_proxy_with_the_profiles_ca(
    qloop: EventLoop, ctx: AppContext, keyring_backend: InMemoryKeyring, corp: Network
) -> None:
    async def scenario() -> None:
        topic = await _profile(ctx, corp, keyring_backend, ca=True, password=PASSWORD)
        window = MainWindow(ctx)
        window.show()
        view = await window.open_topic("Corp", topic)
        assert view is not None
        assert view.publisher is not None
        await wait_until(lambda: view.session.status.kind == "live", what="live")
        view.publisher.set_text('{"through": "the proxy"}')
        results = await view.publisher.publish_now()
        assert results is not None
        assert [r.outcome for r in results] == [Outcome.SUCCESS]
        await wait_until(lambda: ids(view) == [results[0].message_id], what="the message read back")
        assert set(corp.proxy.tunnels) == {corp.url.removeprefix("https://")}
        await close(window, ctx)

    qloop.run_until_complete(scenario())


@pytest.mark.parametrize(
    ("ca", "password", "words"),
    [
        (False, PASSWORD, f"the server's certificate is not trusted (issuer {CA_NAME}"),
        (True, "wrong-pw", "the proxy refused the connection (407: proxy authentication required)"),
    ],
)
def test_the_window_says_why_the_proxy_or_the_certificate_refused(
    ca: bool,
    password: str,
    words: str,
    qloop: EventLoop,
    ctx: AppContext,
    keyring_backend: InMemoryKeyring,
    corp: Network,
) -> None:
    async def scenario() -> None:
        topic = await _profile(ctx, corp, keyring_backend, ca=ca, password=password)
        window = MainWindow(ctx)
        window.show()
        view = await window.open_topic("Corp", topic)
        assert view is not None
        await wait_until(lambda: view.session.status.kind == "error", what="the error")
        assert words in view.session.status.text
        assert words in view.status_label.text()
        assert "wrong-pw" not in view.status_label.text()
        await close(window, ctx)

    qloop.run_until_complete(scenario())
