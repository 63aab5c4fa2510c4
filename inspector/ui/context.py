"""What the window shares: profiles, tokens (keyring or this session only), clients per base URL, the message
archive, the demo.

The demo (``--demo``) keeps its profiles, workspace, drafts and replay jobs in a folder of its own
(``AppPaths.demo``), its tokens in memory and its archive with its emulator's data: it never writes to the user's
profiles, workspace, keyring or archive."""

from __future__ import annotations

import functools
import logging
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, Signal

from inspector.core import network
from inspector.core.paths import AppPaths
from inspector.core.profiles import Profile, ProfileStore
from inspector.core.secrets import (
    KEYRING_TIMEOUT,
    KeyringStore,
    KeyringToken,
    MemoryStore,
    SecretStoreError,
    env_token,
    remember_token,
    token_key,
)
from inspector.core.workspace import Workspace, WorkspaceStore
from inspector.ui import later
from inspector.ui.tasks import Tasks

# asyncio, the HTTP client, the replay journal, the keyring and the emulator are loaded when first needed
# (inspector.ui.later), after the window is shown: importing them up front tripled the time to the window.
if TYPE_CHECKING:
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    from inspector.core.archive import Archive, ArchiveWriter
    from inspector.core.drafts import PublishStore
    from inspector.core.http import HttpPool, TokenSource
    from inspector.core.network import NetworkSettings
    from inspector.core.ratelimit import Limiters
    from inspector.core.replay import Journal
    from inspector.core.services.workato import DeveloperApiClient, EventStreamsClient
    from inspector.emulator.server import EmulatorServer

log = logging.getLogger("inspector.ui.context")
DEMO_PROFILE = "Demo (local)"
T = TypeVar("T")


async def _keyring_call(call: Callable[..., T], *args: object) -> T:
    """A keyring call off the event loop, within ``KEYRING_TIMEOUT`` (a locked keychain may never answer)."""
    return await later.asyncio.wait_for(later.asyncio.to_thread(call, *args), KEYRING_TIMEOUT)


def _open_archive_file(path: Path | None) -> Archive:
    """The archive at ``path`` (None: the app's), its modules loaded in this thread (the archive's reader)."""
    return later.archive.Archive(path)


class ArchiveEvents(QObject):
    """The archive's words for the window, said from any thread (the writer's): a damaged file set aside, messages
    that could not be kept. A queued signal: its slots run on the window's thread."""

    notice = Signal(str)


class AppContext:
    def __init__(self, *, demo: bool = False, keyring_store: KeyringStore | None = None) -> None:
        self.demo_mode = False
        self.folder: Path | None = None  # where drafts and replay jobs go (None: the app's data folder)
        self.profile_store = ProfileStore()
        self.workspace_store = WorkspaceStore()
        self.workspace: Workspace = self.workspace_store.load() if not demo else Workspace()
        if demo:
            self._use_demo_folder()
        self.keyring: KeyringStore | None = None
        self.keyring_warning = ""
        self._keyring_lookup: asyncio.Future[None] | None = None
        if keyring_store is not None:
            self._use_keyring(keyring_store)
        self.session_tokens = MemoryStore()
        self.demo_profile: Profile | None = None  # the Workato one
        self.demo_profiles: list[Profile] = []  # one of each service, on the demo's emulator
        self._demo_server: EmulatorServer | None = None
        self._demo_dir: tempfile.TemporaryDirectory[str] | None = None
        self._traffic = Tasks()  # the demo's sample traffic, cancelled at the end
        self._clients: dict[tuple[str, str, NetworkSettings], EventStreamsClient] = {}
        self._networks: dict[NetworkSettings, NetworkSettings] = {}  # a profile's, and with its proxy's password
        self._proxy_passwords = MemoryStore()  # typed in the profile dialog (and kept in the keyring)
        self._proxy_writes = Tasks()  # awaited at the end
        # The message archive: opened when a topic tab first opens (``open_archive``), off the event loop.
        self.archive_path: Path | None = None  # None: archive.sqlite in the app's data folder
        self.archive_events = ArchiveEvents()
        self.archive_problem = ""  # why the archive could not be opened, in words
        self.archive_writer: ArchiveWriter | None = None
        self._archive: Archive | None = None
        self._archive_opening: asyncio.Future[Archive | None] | None = None
        self._archive_reader: ThreadPoolExecutor | None = None

    @functools.cached_property
    def pool(self) -> HttpPool:
        """One connection pool per base URL (and proxy and CA bundle), shared by every client."""
        return later.http.HttpPool()

    @functools.cached_property
    def limiters(self) -> Limiters:
        """One request budget per (base URL, token), shared by every client the window makes: no 429 of our own."""
        return later.ratelimit.Limiters()

    @functools.cached_property
    def publishing(self) -> PublishStore:
        """Drafts, templates and publish history, read when a topic first opens."""
        return later.drafts.PublishStore(self.folder)

    @functools.cached_property
    def journal(self) -> Journal:
        """The replay jobs (SQLite), opened on first use."""
        return later.replay.Journal(self.folder / "replay.sqlite" if self.folder else None)

    def _use_demo_folder(self) -> None:
        """From now on the profiles, workspace, drafts and replay jobs are the demo's own (``AppPaths.demo``),
        and tokens stay in memory: nothing the demo does reaches the user's files or keyring."""
        self.demo_mode = True
        self.folder = AppPaths.current().demo
        self.profile_store = ProfileStore(self.folder / "profiles.json")
        self.workspace_store = WorkspaceStore(self.folder / "workspace.json")
        self.workspace = self.workspace_store.load()
        self.keyring, self.keyring_warning = None, ""

    # ----- the message archive ---------------------------------------------------------------------------
    def archive_on(self, profile: Profile) -> bool:
        """Whether the topic tabs of ``profile`` keep what they receive in the archive (and show it again)."""
        return self.workspace.archive.enabled and profile.archive

    async def open_archive(self) -> Archive | None:
        """The app's message archive, and its writer (``archive_writer``), opened once, in the archive's reader
        thread. None when it cannot be opened: ``archive_problem`` says why (and ``archive_events`` said it)."""
        if self._archive_opening is None:  # not a ``Tasks`` task: its outcome goes to every caller
            self._archive_opening = later.asyncio.ensure_future(self._open_archive())
        return await later.asyncio.shield(self._archive_opening)

    async def _open_archive(self) -> Archive | None:
        self._archive_reader = later.ThreadPoolExecutor(1, thread_name_prefix="archive-reader")
        try:
            archive = await self.archive_call(_open_archive_file, self.archive_path)
        except later.archive.ArchiveError as exc:
            self.archive_problem = f"Messages are not archived in this session: {exc.describe()}"
            self.archive_events.notice.emit(self.archive_problem)
            return None
        settings = self.workspace.archive
        self._archive = archive
        # The writer's thread says what went wrong (the file set aside at open among it) through the signal.
        self.archive_writer = later.archive.ArchiveWriter(
            archive=archive,
            max_bytes=settings.max_bytes,
            max_age_days=settings.max_age_days,
            on_notice=self.archive_events.notice.emit,
        )
        return archive

    async def archive_call(self, call: Callable[..., T], *args: Any) -> T:
        """``call(*args)`` in the archive's reader thread: one SQLite connection (and page cache) for the
        window's reads, never the event loop's thread."""
        loop = later.asyncio.get_running_loop()
        return await loop.run_in_executor(self._archive_reader, call, *args)

    async def _close_archive(self) -> None:
        if self._archive_opening is not None:
            await later.asyncio.gather(self._archive_opening, return_exceptions=True)
        writer, reader, archive = self.archive_writer, self._archive_reader, self._archive
        self.archive_writer = self._archive_reader = self._archive = None
        if writer is not None:
            await later.asyncio.to_thread(writer.close, 30.0)  # commits what is waiting
        if reader is not None:
            await later.asyncio.to_thread(reader.shutdown)
        if archive is not None:
            archive.close()

    # ----- the OS keyring ---------------------------------------------------------------------------------
    def _use_keyring(self, store: KeyringStore) -> None:
        if self.demo_mode:
            return  # the demo keeps its tokens in memory (and needs none of the user's)
        self.keyring = store if store.is_system else None
        self.keyring_warning = "" if self.keyring else store.warning()

    async def open_keyring(self) -> KeyringStore | None:
        """The OS keyring, looked up once and off the event loop: keyring loads its backends and asks D-Bus,
        which can take a while (or hang on a locked keychain). None when there is no usable keyring, and in the
        demo, which never reads or writes the user's keyring."""
        if self.demo_mode:
            return None
        if self.keyring is None and not self.keyring_warning:
            if self._keyring_lookup is None:  # not a ``Tasks`` task: its outcome goes to every caller
                self._keyring_lookup = later.asyncio.ensure_future(self._look_up_keyring())
            await later.asyncio.shield(self._keyring_lookup)
        return self.keyring

    async def _look_up_keyring(self) -> None:
        try:
            store = await _keyring_call(KeyringStore)
        except TimeoutError:
            self.keyring_warning = (
                f"The OS keyring did not answer within {KEYRING_TIMEOUT:.0f} s. Tokens are kept in memory for this "
                "session only; unlock the keyring and restart the app to save them."
            )
            return
        self._use_keyring(store)

    # ----- profiles ---------------------------------------------------------------------------------------
    def profiles(self) -> list[Profile]:
        saved = self.profile_store.load()
        return self.demo_profiles + saved

    def profile(self, name: str) -> Profile | None:
        return next((p for p in self.profiles() if p.name == name), None)

    def is_demo(self, profile: Profile) -> bool:
        return any(profile.name == demo.name for demo in self.demo_profiles)

    # ----- tokens -----------------------------------------------------------------------------------------
    def token_note(self, profile: Profile | None) -> str:
        """What the token field says instead of the token: where it is kept."""
        if profile is None:
            return "paste the API client token"
        if self.session_tokens.get(profile.account):
            return "kept in memory for this session (leave empty to keep it)"
        if self.keyring is not None:
            return f"stored in {self.keyring.backend_name} (leave empty to keep it)"
        if self.demo_mode:
            return "the demo keeps tokens in memory until it ends"
        if not self.keyring_warning:  # not looked up yet (see open_keyring)
            return "the OS keyring is being checked"
        return "no token stored"

    async def get_token(self, profile: Profile) -> str | None:
        remembered = self.session_tokens.get(profile.account)
        if remembered:
            return remembered
        keyring = await self.open_keyring()
        if keyring is None:
            return env_token()
        try:
            found = await _keyring_call(keyring.get_moving, profile.account, profile.legacy_account)
        except (TimeoutError, SecretStoreError) as exc:
            log.warning("keyring read for %s failed: %s", profile.name, exc)
            return None
        return found or env_token()

    def tokens_in_memory(self) -> list[str]:
        """The tokens this process holds between requests (session tokens, ``TOPIC_INSPECTOR_TOKEN``): what a
        crash report must not show. Keyring tokens are not among them: they are read for each request."""
        return self.session_tokens.values() + self._proxy_passwords.values() + later.crash.known_tokens()

    async def token_source(self, profile: Profile) -> TokenSource | None:
        """What the profile's clients send: a token kept in the keyring is read again for each request (so the
        window does not hold it between requests); a session or ``TOPIC_INSPECTOR_TOKEN`` token is itself.
        None when there is no token."""
        await self.prepare_network(profile)  # before the clients this token is for are made
        remembered = self.session_tokens.get(profile.account)
        if remembered:
            return remembered
        found = await self.get_token(profile)
        if found is None or self.keyring is None or found == env_token():
            return found  # a token unfit to send is refused, in words, by the transport before anything is sent
        # Each read checks the token (KeyringToken); its prints let a crash report scrub it.
        fingerprint = remember_token(found.strip())
        return KeyringToken(self.keyring, profile.account, fingerprint=fingerprint, label=f"profile {profile.name!r}")

    async def set_token(self, profile: Profile, token: str) -> str:
        """Keep the token (keyring, else this session); returns where it went, in words."""
        keyring = await self.open_keyring()
        if keyring is not None:
            try:
                await _keyring_call(keyring.set, profile.account, token)
                self.session_tokens.delete(profile.account)
                return f"stored in {keyring.backend_name}"
            except (TimeoutError, SecretStoreError) as exc:
                log.warning("keyring write for %s failed: %s", profile.name, exc)
        self.session_tokens.set(profile.account, token)
        return "kept in memory for this session only"

    async def delete_token(self, profile: Profile) -> None:
        self.session_tokens.delete(profile.account)
        keyring = await self.open_keyring()
        if keyring is not None:
            try:
                for account in (profile.account, profile.legacy_account):
                    await _keyring_call(keyring.delete, account)
            except (TimeoutError, SecretStoreError) as exc:
                log.warning("keyring delete for %s failed: %s", profile.name, exc)

    # ----- the network: a profile's proxy and CA bundle ----------------------------------------------------
    def network(self, profile: Profile) -> NetworkSettings:
        """The profile's proxy and CA bundle, with the proxy's password once ``prepare_network`` has read it."""
        return self._networks.get(profile.network, profile.network)

    async def prepare_network(self, profile: Profile) -> NetworkSettings:
        """Read the proxy's password (typed this session, else the keyring's) and build the TLS context of the
        profile's CAs, both off the event loop: the clients made afterwards use them without waiting."""
        settings = profile.network
        if settings.proxy and network.proxy_user(settings.proxy):
            account = network.proxy_account(settings.proxy)
            password = self._proxy_passwords.get(account)
            keyring = None if password else await self.open_keyring()
            if keyring is not None:
                try:
                    password = await _keyring_call(keyring.get, account)
                except (TimeoutError, SecretStoreError) as exc:
                    log.warning("keyring read of the proxy password for %s failed: %s", profile.name, exc)
            settings = replace(settings, proxy_password=password)
        await later.connection.prepare(profile.endpoint().events_url, settings)
        self._networks[profile.network] = settings
        return settings

    def keep_proxy_password(self, profile: Profile, password: str | None) -> None:
        """A proxy password typed in the profile dialog: used from now on, and saved in the keyring meanwhile."""

        if password and profile.proxy and network.proxy_user(profile.proxy):
            account = network.proxy_account(profile.proxy)
            self._proxy_passwords.set(account, password)
            self._proxy_writes.spawn(self._store_proxy_password(account, password))

    async def _store_proxy_password(self, account: str, password: str) -> None:
        keyring = await self.open_keyring()
        if keyring is None:
            return  # kept for this session only
        try:
            await _keyring_call(keyring.set, account, password)
        except (TimeoutError, SecretStoreError) as exc:
            log.warning("keyring write of a proxy password failed: %s", exc)

    # ----- clients ----------------------------------------------------------------------------------------
    def http(self, profile: Profile, base_url: str) -> httpx.AsyncClient:
        """The shared connection pool of a base URL, through the profile's proxy and with its CAs."""
        return self.pool.get(base_url, self.network(profile))

    def client(self, profile: Profile, token: TokenSource) -> EventStreamsClient:
        """One client per (profile, token, network), on the shared connection pool of its base URL."""
        key = (profile.name, token_key(token), self.network(profile))
        client = self._clients.get(key)
        if client is None or client.endpoint != profile.endpoint():
            endpoint = profile.endpoint()
            client = later.workato.EventStreamsClient(
                endpoint, token, http=self.http(profile, endpoint.events_url), limiter=self.limiters
            )
            self._clients[key] = client
        return client

    def developer_client(self, profile: Profile, token: TokenSource) -> DeveloperApiClient:
        endpoint = profile.endpoint()
        return later.workato.DeveloperApiClient(
            endpoint, token, http=self.http(profile, endpoint.developer_url), limiter=self.limiters
        )

    async def test_connection(self, profile: Profile, token: str | None, topic_id: int) -> tuple[bool, str]:
        token = token or await self.get_token(profile)
        if not token:
            return False, "No token: paste one first."
        endpoint = profile.endpoint()
        settings = await self.prepare_network(profile)
        async with (
            later.http.new_http_client(endpoint.events_url, settings) as http,
            later.workato.EventStreamsClient(endpoint, token, http=http, limiter=self.limiters) as client,
        ):
            return await later.workato.check_connection(client, topic_id)

    # ----- demo -------------------------------------------------------------------------------------------
    async def start_demo(self) -> Profile:
        """The emulator on a free loopback port with a temporary database, sample topics and live traffic. The
        tabs the last demo left open open again (its workspace is kept in ``AppPaths.demo``); the first demo
        opens both sample topics."""
        if not self.demo_mode:
            self._use_demo_folder()
        first_run = not self.workspace_store.path.exists()
        traffic = later.traffic
        self._demo_dir = tempfile.TemporaryDirectory(prefix="topic-inspector-demo-")
        if self._archive_opening is None:  # the demo's messages are kept with its emulator's, and go with them
            self.archive_path = Path(self._demo_dir.name) / "archive.sqlite"
        config = later.server.demo_config(f"{self._demo_dir.name}/demo.sqlite")  # a random token, in memory only
        server = later.server.EmulatorServer(config)
        await later.asyncio.to_thread(server.start)
        self._demo_server = server
        self.demo_profile = Profile(DEMO_PROFILE, "custom", server.url, rate_limit_rpm=0)
        url = server.url
        self.demo_profiles = [
            self.demo_profile,
            Profile("Demo Qala (local)", "custom", url, 0, service="qala", environment_id=traffic.DEMO_ENVIRONMENT),
            Profile("Demo Boomi (local)", "custom", url, 0, service="boomi", account_id=traffic.DEMO_ACCOUNT),
            Profile("Demo app messages (local)", "custom", url, 0, service="messaging"),
        ]
        for profile in self.demo_profiles:
            self.session_tokens.set(profile.account, server.token)
        await traffic.seed_demo_subscriptions(url, server.token)
        self._traffic.spawn(traffic.generate_traffic(url, server.token, per_second=4.0))
        self._traffic.spawn(traffic.generate_app_messages(url, server.token, traffic.DEMO_APP))
        for topic_id, name in ((1, "orders"), (2, "audit-events")):
            self.workspace.add_topic(DEMO_PROFILE, topic_id, name)
        for profile in self.demo_profiles:  # the last demo's messages went with its database: no cursor to resume
            for kept in self.workspace.topics_of(profile.name):
                kept.cursor = None
        assert server.store is not None
        orders = server.store.get_topic(1)
        entry = self.workspace.topic(DEMO_PROFILE, 1)
        if orders is not None and entry is not None:
            entry.schema = orders.schema
        if first_run:
            self.workspace.open_topics = [(DEMO_PROFILE, 1), (DEMO_PROFILE, 2)]
        return self.demo_profile

    def save_workspace(self) -> None:
        """Save what the window remembers (in the demo, to the demo's own folder)."""
        self.workspace_store.save(self.workspace)

    async def aclose(self) -> None:
        await self._traffic.cancel_all()
        await self._proxy_writes.join()
        self._clients.clear()
        if self._keyring_lookup is not None and not self._keyring_lookup.done():
            self._keyring_lookup.cancel()
            await later.asyncio.gather(self._keyring_lookup, return_exceptions=True)
        if "pool" in self.__dict__:
            await self.pool.aclose()
        if "journal" in self.__dict__:
            self.journal.close()
        await self._close_archive()
        if self._demo_server is not None:
            await later.asyncio.to_thread(self._demo_server.stop)
        if self._demo_dir is not None:
            self._demo_dir.cleanup()
