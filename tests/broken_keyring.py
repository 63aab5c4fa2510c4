"""A keyring whose every call fails with an error nothing expects, for a child process (``PYTHON_KEYRING_BACKEND=
tests.broken_keyring.BrokenKeyring``). Kept out of the modules the tests import: keyring's chainer takes in every
backend class defined in the process, so a test session that imported this one would read through it."""

from __future__ import annotations

from keyring.backend import KeyringBackend


class BrokenKeyring(KeyringBackend):
    """A keyring whose reads fail with an error nothing expects: a command that reads it writes a crash report."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError("the keyring broke in a way nobody expects")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError("the keyring broke in a way nobody expects")

    def delete_password(self, service: str, username: str) -> None:
        raise RuntimeError("the keyring broke in a way nobody expects")
