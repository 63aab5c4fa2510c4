"""Files other users cannot read: after a scripted session under umask 022 (CLI, emulator, crash, window), every
folder the app made is 0700 and every file 0600 (tests/private_files.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.private_files import modes, scripted_session


@pytest.mark.slow
def test_a_scripted_session_leaves_only_folders_0700_and_files_0600(app_home: Path, tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    scripted_session(app_home, scratch)
    found = modes(app_home)
    written = {
        "./",
        "config/profiles.json",
        "data/replay.sqlite",
        "data/workspace.json",
        "data/publishing.json",
        "log/fatal.log",
        "emulator/data.sqlite",
        "emulator/data.sqlite-wal",
        "emulator/data.sqlite-shm",
    }
    assert written <= set(found), f"the session did not write what it should: {sorted(found)}"
    assert any(path.startswith("log/crash-") for path in found), "no crash report was written"
    wrong = {path: oct(mode) for path, mode in found.items() if mode != (0o700 if path.endswith("/") else 0o600)}
    assert wrong == {}, "folders must be 0700 and files 0600 whatever the umask"
