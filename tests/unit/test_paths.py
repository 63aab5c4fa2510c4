"""atomic_write: whole files only, and no pile of temporary files left by killed writes."""

from __future__ import annotations

import os
import time
from pathlib import Path

from inspector.core.paths import STALE_TEMP_SECS, atomic_write


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
