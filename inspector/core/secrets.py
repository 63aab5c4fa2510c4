"""Tokens live only in the OS keyring (service ``topic-inspector``), or in memory for one session.

Never in a file: a plaintext or "null" keyring backend counts as no keyring at all. ``TOPIC_INSPECTOR_TOKEN``
overrides the keyring for scripts and CI.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple, Protocol

from inspector.core import later
from inspector.core.errors import AuthError, InspectorError, ValidationError

# Where they were defined before (the window, the CLI and the rate limiters import them from here).
from inspector.core.scrub import fingerprints_in_use as fingerprints_in_use
from inspector.core.scrub import remember_token as remember_token
from inspector.core.scrub import token_fingerprint as token_fingerprint

if TYPE_CHECKING:
    import asyncio

    import keyring.backend

SERVICE = "topic-inspector"
TOKEN_ENV = "TOPIC_INSPECTOR_TOKEN"  # noqa: S105 - the name of a variable, not a secret
KEYRING_TIMEOUT = 10.0  # seconds a keyring call may take (an unlock prompt waits for the user)

# Backends that do not keep a secret safe: they fail, drop it, or write it to a file in clear text.
_UNSAFE_BACKENDS = ("fail", "null", "plaintext", "chainer")


class SecretStoreError(InspectorError):
    pass


class KeyringUnavailableError(SecretStoreError):
    """The keyring holds the token but did not give it now (locked, or not answering): worth trying again."""

    retryable = True


class SecretStore(Protocol):
    @property
    def backend_name(self) -> str: ...

    @property
    def is_system(self) -> bool: ...

    def warning(self) -> str: ...

    def get(self, account: str) -> str | None: ...

    def set(self, account: str, secret: str) -> None: ...

    def delete(self, account: str) -> bool: ...


def _backend_ok(backend: keyring.backend.KeyringBackend) -> bool:
    kind = f"{type(backend).__module__}.{type(backend).__name__}".lower()
    if "chainer" in kind:
        return any(_backend_ok(b) for b in getattr(backend, "backends", []))
    return not any(word in kind for word in _UNSAFE_BACKENDS) and getattr(backend, "priority", 1) > 0


def _unchain(backend: keyring.backend.KeyringBackend) -> keyring.backend.KeyringBackend:
    """Use the best safe backend of a chain directly, so the UI can name where a token really is."""
    members = getattr(backend, "backends", None)
    if "chainer" not in type(backend).__module__ or not members:
        return backend
    safe = [b for b in members if _backend_ok(b)]
    return max(safe, key=lambda b: b.priority) if safe else backend


class KeyringStore:
    """The OS keyring through ``keyring`` (Secret Service, macOS Keychain, Windows Credential Locker)."""

    def __init__(self, backend: keyring.backend.KeyringBackend | None = None) -> None:
        # keyring (and the D-Bus, crypto and platform modules its backends load) only when a store is made:
        # the window makes one off its thread after it is shown, a command when it needs a token.
        self._errors = later.keyring.errors
        self._backend = _unchain(backend or later.keyring.get_keyring())

    @property
    def backend_name(self) -> str:
        return str(getattr(self._backend, "name", type(self._backend).__name__))

    @property
    def is_system(self) -> bool:
        return _backend_ok(self._backend)

    def warning(self) -> str:
        if self.is_system:
            return ""
        return (
            "No OS keyring is available (no Secret Service, Keychain or Credential Locker). Tokens can be kept "
            "in memory for this session only; install and unlock a keyring (for example gnome-keyring) to save them."
        )

    def _require(self) -> None:
        if not self.is_system:
            raise SecretStoreError(
                "no OS keyring is available to store the token",
                hint=f"unlock or install a keyring (gnome-keyring, KWallet), or set {TOKEN_ENV} for this shell",
            )

    def get(self, account: str) -> str | None:
        if not self.is_system:
            return None
        try:
            value = self._backend.get_password(SERVICE, account)
        except self._errors.KeyringError as exc:
            raise SecretStoreError(f"the keyring could not be read: {exc}", hint="unlock the keyring") from None
        return str(value) if value is not None else None

    def get_moving(self, account: str, legacy: str | None) -> str | None:
        """``get(account)``; a token still kept under an older ``legacy`` account is moved to ``account`` first."""
        found = self.get(account)
        if found is None and legacy and legacy != account:
            found = self.get(legacy)
            if found is not None:
                self.set(account, found)
                self.delete(legacy)
        return found

    def set(self, account: str, secret: str) -> None:
        self._require()
        try:
            self._backend.set_password(SERVICE, account, secret)
        except self._errors.KeyringError as exc:
            raise SecretStoreError(f"the keyring refused the token: {exc}", hint="unlock the keyring") from None

    def delete(self, account: str) -> bool:
        self._require()
        try:
            self._backend.delete_password(SERVICE, account)
        except self._errors.PasswordDeleteError:
            return False
        except self._errors.KeyringError as exc:
            raise SecretStoreError(f"the keyring could not delete the token: {exc}") from None
        return True


class MemoryStore:
    """Session-only tokens, kept in this process and gone when it ends (when there is no OS keyring)."""

    def __init__(self) -> None:
        self._secrets: dict[str, str] = {}

    backend_name = "memory (this session only)"
    is_system = False

    def warning(self) -> str:
        return "Tokens are kept in memory for this session only and are forgotten when the app closes."

    def get(self, account: str) -> str | None:
        return self._secrets.get(account)

    def values(self) -> list[str]:
        """Every token kept (for scrubbing them from crash reports)."""
        return list(self._secrets.values())

    def set(self, account: str, secret: str) -> None:
        self._secrets[account] = secret

    def delete(self, account: str) -> bool:
        return self._secrets.pop(account, None) is not None


def token_key(source: str | Callable[[], object]) -> str:
    """The fingerprint of a token source's token (rate limiters and client registries), without keeping the
    token: a token as is, a ``KeyringToken`` by the fingerprint it carries, a plain callable by what it gives."""
    if isinstance(source, str):
        return token_fingerprint(source)
    fingerprint = getattr(source, "fingerprint", None)
    if isinstance(fingerprint, str):
        return fingerprint
    value = source()
    if not isinstance(value, str):  # an awaitable without a fingerprint cannot be keyed here
        close = getattr(value, "close", None)
        if close is not None:
            close()
        raise TypeError("a token source that is awaited needs a 'fingerprint' attribute")
    return token_fingerprint(value)


class KeyringToken:
    """A token that stays in the keyring: each request reads it (``await source()``) and drops it when done.

    So a long-running window or ``tail`` holds the token only while a request is being made, not between
    requests. Concurrent requests share one read. A keyring that is locked or does not answer within
    ``timeout`` raises ``KeyringUnavailableError`` (retryable: a tail backs off and tries again); a token that
    was deleted meanwhile raises ``AuthError``. ``fingerprint`` keys the rate limiter and the client registry.
    """

    def __init__(
        self, store: SecretStore, account: str, *, fingerprint: str, label: str, timeout: float = KEYRING_TIMEOUT
    ) -> None:
        self._store = store
        self._account = account
        self.fingerprint = fingerprint
        self.label = label
        self.timeout = timeout
        self._reading: asyncio.Future[str | None] | None = None

    def __repr__(self) -> str:
        return f"KeyringToken({self.label!r}, {self._store.backend_name})"

    async def __call__(self) -> str:
        reading = self._reading
        if reading is None:  # one read at a time: a locked keyring must not gather a thread per request
            reading = self._reading = later.asyncio.ensure_future(
                later.asyncio.to_thread(self._store.get, self._account)
            )
            reading.add_done_callback(self._forget)
        try:
            value = await later.asyncio.wait_for(later.asyncio.shield(reading), self.timeout)
        except TimeoutError:
            raise KeyringUnavailableError(
                f"the keyring did not give the token of {self.label} within {self.timeout:g} s (is it locked?)",
                hint="unlock the keyring (it may be asking for its password); the request is tried again",
            ) from None
        except SecretStoreError as exc:
            raise KeyringUnavailableError(
                f"the keyring did not give the token of {self.label}: {exc.message}",
                hint="unlock the keyring; the request is tried again",
            ) from None
        if value is None:
            raise AuthError(
                f"the token of {self.label} is no longer in {self._store.backend_name}",
                hint="edit the profile and paste the token again",
            )
        value = checked_token(value, f"the token of {self.label} in {self._store.backend_name}")
        remember_token(value)  # by its prints only, so a crash report can scrub it
        return value

    def _forget(self, reading: asyncio.Future[str | None]) -> None:
        if self._reading is reading:  # the value is the caller's now; this object keeps no copy of it
            self._reading = None


def env_token() -> str | None:
    value = os.environ.get(TOKEN_ENV, "").strip()
    return value or None


class TokenProblem(NamedTuple):
    words: str  # what is wrong, after "the token": "is empty", "contains a space at character 4 of 7"
    hint: str


def token_problem(value: str) -> TokenProblem | None:
    """What makes ``value`` (trimmed) unfit to be a token, and how to fix it; None when it is fit."""
    if not value:
        return TokenProblem("is empty", "paste the API client token from Workato")
    for position, ch in enumerate(value, 1):
        if 0x21 <= ord(ch) <= 0x7E:  # an HTTP header carries printable ASCII only
            continue
        hint = "paste the token alone"
        if ch == " ":
            what = "a space"
        elif ch.isspace() or ord(ch) < 32 or 0x7F <= ord(ch) <= 0x9F:
            what = f"a control character (U+{ord(ch):04X})"
        else:
            what = f"{ch!r} (U+{ord(ch):04X}), which no API token has"
            hint += ": copied text can bring typographic quotes or dashes along with it"
        return TokenProblem(f"contains {what} at character {position} of {len(value)}", hint)
    return None


def check_token_text(token: str) -> str:
    """Trim a pasted token and refuse what cannot be one (empty, spaces or control characters inside)."""
    value = token.strip()
    if value.lower().startswith("bearer "):
        value = value[7:].strip()
    problem = token_problem(value)
    if problem is not None:
        raise ValidationError(problem.words, where="token", hint=problem.hint)
    return value


def checked_token(value: str, what: str) -> str:
    """A token read from the keyring, the environment or a session, trimmed, or an ``AuthError`` saying in words
    what is wrong with it (``what`` names where it came from); never sent as it is."""
    try:
        return check_token_text(value)
    except ValidationError as exc:
        raise AuthError(
            f"{what} {exc.reason}; nothing was sent",
            hint="store the token again (paste the API client token alone)",
        ) from None
