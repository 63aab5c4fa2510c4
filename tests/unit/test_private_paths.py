"""Private folders and files whatever the umask: the replay journal and the emulator's database with their
``-wal``/``-shm``, folders an earlier version left open, and folders the user chose (left as they are)."""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from inspector.core.paths import atomic_write, ensure_private_dir, private_file
from inspector.core.profiles import Profile, ProfileStore
from inspector.core.replay import Journal, ReplayItem
from inspector.emulator.store import Store
from tests.private_files import umask


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _journal(path: Path) -> Callable[[], None]:
    journal = Journal(path)
    journal.create("test", {"label": "here"}, [ReplayItem({"n": 1})])
    return journal.close


def _store(path: Path) -> Callable[[], None]:
    store = Store(str(path))
    store.publish(store.create_topic("t").id, ['{"n": 1}'])
    return store.close


@pytest.mark.parametrize("mask", [0o022, 0o002, 0o000])
@pytest.mark.parametrize("opener", [_journal, _store], ids=["replay journal", "emulator data"])
def test_an_open_database_and_its_wal_and_shm_are_private(
    app_home: Path, mask: int, opener: Callable[[Path], Callable[[], None]]
) -> None:
    path = app_home / "data" / "new" / "db.sqlite"
    with umask(mask):
        close = opener(path)
    try:
        for name in ("db.sqlite", "db.sqlite-wal", "db.sqlite-shm"):
            assert oct(mode(path.with_name(name))) == oct(0o600), name
        for folder in (app_home, app_home / "data", app_home / "data" / "new"):
            assert oct(mode(folder)) == oct(0o700), folder
    finally:
        close()


def test_what_an_earlier_version_left_open_is_tightened(app_home: Path) -> None:
    with umask(0o022):
        (app_home / "data").mkdir(parents=True)
        (app_home / "config").mkdir()
        db = app_home / "data" / "replay.sqlite"
        sqlite3.connect(db).close()
        assert mode(db) == 0o644
        Journal().close()
        ProfileStore().upsert(Profile("P", "custom", "http://127.0.0.1:9300"))
    assert oct(mode(db)) == oct(0o600)
    for folder in (app_home / "data", app_home / "config"):
        assert oct(mode(folder)) == oct(0o700), folder
    assert oct(mode(app_home / "config" / "profiles.json")) == oct(0o600)


def test_a_folder_the_user_chose_keeps_its_mode_and_folders_made_for_a_file_are_private(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    with umask(0o022):
        shared.mkdir()
        shared.chmod(0o755)
        atomic_write(shared / "export.jsonl", b"{}\n")
        atomic_write(tmp_path / "new" / "deeper" / "export.csv", b"a\n")
        private_file(tmp_path / "logs" / "fatal.log")
    assert oct(mode(shared)) == oct(0o755)  # the user's folder: not ours to change
    assert oct(mode(shared / "export.jsonl")) == oct(0o600)
    for folder in (tmp_path / "new", tmp_path / "new" / "deeper", tmp_path / "logs"):
        assert oct(mode(folder)) == oct(0o700), folder
    assert oct(mode(tmp_path / "logs" / "fatal.log")) == oct(0o600)


def test_an_existing_file_keeps_its_content_and_a_file_in_the_way_of_a_folder_is_an_error(tmp_path: Path) -> None:
    log = tmp_path / "fatal.log"
    log.write_text("earlier crash\n")
    private_file(log)
    assert log.read_text() == "earlier crash\n"
    with pytest.raises(FileExistsError):
        ensure_private_dir(log / "below")
