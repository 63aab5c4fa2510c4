"""The app's folders (the same as platformdirs' on Linux), and atomic_write: whole files only, and no pile of
temporary files left by killed writes."""

from __future__ import annotations

import os
import pwd
import sys
import time
from pathlib import Path

import platformdirs
import pytest

from inspector.core.paths import APP_NAME, HOME_ENV, STALE_TEMP_SECS, AppPaths, atomic_write

XDG = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME")


def _platformdirs() -> AppPaths:
    return AppPaths(
        Path(platformdirs.user_config_dir(APP_NAME)),
        Path(platformdirs.user_data_dir(APP_NAME)),
        Path(platformdirs.user_cache_dir(APP_NAME)),
        Path(platformdirs.user_log_dir(APP_NAME)),
    )


@pytest.mark.skipif(sys.platform in ("darwin", "win32"), reason="the XDG folders are the app's own on Linux and BSD")
@pytest.mark.parametrize(
    ("home", "xdg"),
    [
        ("/home/ada", {}),
        ("/home/ada/", {}),
        ("/home/ada", dict.fromkeys(XDG, "")),
        ("/home/ada", {"XDG_CONFIG_HOME": "/srv/conf/", "XDG_DATA_HOME": "/srv/data", "XDG_STATE_HOME": "/srv/st"}),
        ("/home/ada", {"XDG_CACHE_HOME": "/tmp/c", "XDG_CONFIG_HOME": "relative/conf", "XDG_DATA_HOME": "~/data"}),
        ("", {}),  # HOME set but empty: the account's home folder
        ("relative/home", {"XDG_STATE_HOME": "/var/state"}),
        (None, {}),  # HOME unset
    ],
)
def test_the_folders_are_the_xdg_ones_platformdirs_would_give(
    home: str | None, xdg: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(HOME_ENV, raising=False)
    for name in XDG:
        monkeypatch.delenv(name, raising=False)
    for name, value in xdg.items():
        monkeypatch.setenv(name, value)
    if home is None:
        monkeypatch.delenv("HOME", raising=False)
    else:
        monkeypatch.setenv("HOME", home)
    ours = AppPaths.current()
    assert ours == _platformdirs()
    if home in (None, "", "relative/home"):
        assert ours.data == Path(pwd.getpwuid(os.getuid()).pw_dir, ".local/share", APP_NAME)


def test_one_folder_holds_everything_when_topic_inspector_home_is_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(HOME_ENV, str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", "/srv/conf")
    paths = AppPaths.current()
    assert paths.all() == (tmp_path / "config", tmp_path / "data", tmp_path / "cache", tmp_path / "log")


def test_a_write_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "state" / "drafts.json"
    atomic_write(target, b'{"a": 1}')
    atomic_write(target, b'{"a": 2}')
    assert target.read_bytes() == b'{"a": 2}'
    assert [p.name for p in target.parent.iterdir()] == ["drafts.json"]


def test_temporary_files_of_killed_writes_are_removed_when_old(tmp_path: Path) -> None:
    target = tmp_path / "workspace.json"
    stale = tmp_path / ".workspace.json.abc123.tmp"  # what a process killed mid-write leaves
    young = tmp_path / ".workspace.json.def456.tmp"  # another process's write, in progress
    other = tmp_path / ".drafts.json.ghi789.tmp"  # another file's: not this write's business
    for leftover in (stale, young, other):
        leftover.write_bytes(b'{"half": ')
    old = time.time() - STALE_TEMP_SECS - 60
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    atomic_write(target, b"{}")
    assert not stale.exists()
    assert young.exists()
    assert other.exists()
    assert target.read_bytes() == b"{}"
