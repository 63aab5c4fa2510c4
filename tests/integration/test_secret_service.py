"""Tokens in the real OS keyring: gnome-keyring on a private D-Bus session (``scripts/with-keyring``, which
``make test`` and CI use). Outside it these tests are skipped, never faked."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from inspector.core.profiles import Profile
from inspector.core.secrets import SERVICE, KeyringStore
from tests.helpers import run_cli

pytestmark = pytest.mark.secret_service

if os.environ.get("TOPIC_INSPECTOR_SECRET_SERVICE") != "1":
    pytest.skip("needs scripts/with-keyring (run 'make test')", allow_module_level=True)


def cli(args: list[str], home: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return run_cli(args, stdin=stdin, home=home)


def test_backend_is_the_secret_service() -> None:
    store = KeyringStore()
    assert store.is_system, store.backend_name
    assert "SecretService" in store.backend_name


def test_token_set_status_use_delete(tmp_path: Path) -> None:
    from inspector.emulator.server import EmulatorConfig, EmulatorServer

    home = tmp_path / "home"
    token = "ti-Ss7Rw2Lm9Xb4Ts8Vn1Pz5Yc3-"
    with EmulatorServer(EmulatorConfig(port=0, rate_limit_rpm=0, token=token)) as server:
        conn = ["--base-url", server.url]
        stored = cli(["token", "set", *conn], home, stdin=token + "\n")
        assert stored.returncode == 0, stored.stderr
        assert "stored in SecretService Keyring" in stored.stdout
        assert token not in stored.stdout + stored.stderr
        assert KeyringStore().get(f"endpoint:{server.url}") == token

        status = cli(["token", "status", *conn], home)
        assert status.returncode == 0
        assert "stored in" in status.stdout
        assert token not in status.stdout

        published = cli(["publish", "2", *conn], home, stdin='{"from": "keyring"}')
        assert published.returncode == 0, published.stderr
        consumed = cli(["consume", "2", *conn, "-v"], home)
        assert consumed.returncode == 0
        assert '"from":"keyring"' in consumed.stdout
        assert token not in consumed.stderr  # even at debug level

        assert cli(["token", "delete", *conn], home).returncode == 0
        assert KeyringStore().get(f"endpoint:{server.url}") is None
        gone = cli(["consume", "2", *conn], home)
        assert gone.returncode == 1
        assert "no token" in gone.stderr

    written = [p for p in home.rglob("*") if p.is_file()]
    for path in written:
        assert token.encode() not in path.read_bytes(), path


def test_profile_token_lives_under_the_service_name(tmp_path: Path) -> None:
    home = tmp_path / "home"
    token = "ti-Ss2Lm9Xb4Ts8Vn1P."
    assert cli(["profile", "add", "Prod EU", "--region", "eu"], home).returncode == 0
    assert cli(["token", "set", "--profile", "Prod EU"], home, stdin=token).returncode == 0
    import keyring

    account = Profile("Prod EU", "eu").account  # by name and address
    assert keyring.get_password(SERVICE, account) == token
    assert cli(["profile", "remove", "Prod EU"], home).returncode == 0
    assert keyring.get_password(SERVICE, account) is None
    for path in home.rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes()
