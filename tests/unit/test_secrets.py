"""Secret stores: an in-memory keyring backend, the refusal of unsafe backends, the session-only store."""

from __future__ import annotations

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null

from inspector.core.errors import ValidationError
from inspector.core.secrets import KeyringStore, MemoryStore, SecretStoreError, check_token_text
from tests.helpers import InMemoryKeyring


def test_keyring_store_round_trip_under_service_name() -> None:
    backend = InMemoryKeyring()
    store = KeyringStore(backend)
    assert store.is_system
    assert store.warning() == ""
    store.set("profile:Prod", "tok-1")
    assert backend.items == {("topic-inspector", "profile:Prod"): "tok-1"}
    assert store.get("profile:Prod") == "tok-1"
    assert store.delete("profile:Prod") is True
    assert store.delete("profile:Prod") is False
    assert store.get("profile:Prod") is None


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring()])
def test_unsafe_backends_are_refused_in_words(backend: KeyringBackend) -> None:
    store = KeyringStore(backend)
    assert not store.is_system
    assert "No OS keyring" in store.warning()
    assert store.get("x") is None
    with pytest.raises(SecretStoreError, match="no OS keyring"):
        store.set("x", "secret")


def test_plaintext_backend_is_never_used() -> None:
    class PlaintextKeyring(InMemoryKeyring):
        pass

    PlaintextKeyring.__module__ = "keyrings.alt.file"
    assert not KeyringStore(PlaintextKeyring()).is_system


def test_memory_store_is_session_only() -> None:
    store = MemoryStore()
    assert not store.is_system
    store.set("a", "t")
    assert store.get("a") == "t"
    assert store.delete("a")
    assert store.get("a") is None


@pytest.mark.parametrize(("text", "expected"), [("  abc \n", "abc"), ("Bearer xyz", "xyz")])
def test_token_text_is_trimmed(text: str, expected: str) -> None:
    assert check_token_text(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "two words", "tab\tinside"])
def test_bad_token_text_is_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        check_token_text(text)


def test_a_chain_is_unwrapped_to_its_best_safe_backend() -> None:
    best = InMemoryKeyring()

    class Chain(InMemoryKeyring):  # stands for keyring's ChainerBackend, whose members are process-wide
        backends = (null.Keyring(), best)

    Chain.__module__ = "keyring.backends.chainer"
    store = KeyringStore(Chain())
    assert store.is_system
    store.set("a", "t")
    assert best.items == {("topic-inspector", "a"): "t"}
