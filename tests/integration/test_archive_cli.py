"""``topic-inspector archive ...`` and ``consume --archive``, each a real process, against the session's emulator
over loopback HTTP: what they print (JSON on standard output, words on standard error) and how they end."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

import pytest

from inspector.core.archive import Archive
from inspector.core.export import export_messages
from inspector.core.paths import AppPaths
from inspector.emulator.server import EmulatorServer
from tests.helpers import run_cli as run
from tests.unit.test_archive import messages, payloads


def published(emulator: EmulatorServer, topic: int, count: int) -> list[dict[str, object]]:
    items = payloads(count)
    proc = run(["publish", str(topic), "--base-url", emulator.url], token=emulator.token, stdin=json.dumps(items))
    assert proc.returncode == 0, proc.stderr
    return items


def test_consume_archive_keeps_what_it_read_once(emulator: EmulatorServer, topic: int) -> None:
    items = published(emulator, topic, 30)
    args = ["consume", str(topic), "--base-url", emulator.url, "--archive"]
    first = run(args, token=emulator.token)
    assert first.returncode == 0, first.stderr
    assert f"topic {topic}: 30 messages archived" in first.stderr
    again = run([*args, "--follow", "--max", "30"], token=emulator.token)
    assert again.returncode == 0, again.stderr
    assert "0 messages archived (30 messages already there)" in again.stderr

    found = run(["archive", "search", "declined", "--topic", str(topic)])
    assert found.returncode == 0, found.stderr
    records = [json.loads(line) for line in found.stdout.splitlines()]
    consumed = [json.loads(line) for line in first.stdout.splitlines()]
    declined = [c for c in consumed if "declined" in json.dumps(c["payload"])]
    assert records == declined[::-1]  # newest first, the same records consume printed
    assert f"{len(declined)} messages found, newest first (topic {topic} at {emulator.url}: {len(declined)})" in (
        found.stderr
    )
    assert len(items) == 30


def test_search_formats_a_condition_and_a_time_range(app_home: Path, tmp_path: Path) -> None:
    exported = tmp_path / "export.jsonl"
    exported.write_bytes(export_messages(messages(40), "jsonl"))
    imported = run(["archive", "import", str(exported), "--name", "may"])
    assert imported.returncode == 0, imported.stderr
    assert json.loads(imported.stdout) == {"profile": "import:may", "topic": 0, "added": 40, "duplicates": 0}
    assert "40 messages imported as import:may, topic 0" in imported.stderr

    condition = run(["archive", "search", "--jmespath", "payload.order >= `1035`", "--profile", "import:may"])
    assert [json.loads(line)["payload"]["order"] for line in condition.stdout.splitlines()] == [
        1039,
        1038,
        1037,
        1036,
        1035,
    ]
    ranged = run(
        ["archive", "search", "--since", "2024-05-01T09:10:00Z", "--until", "2024-05-01T09:13:00Z", "--format", "json"]
    )
    assert [r["message_id"] for r in json.loads(ranged.stdout)] == ["m12", "m11", "m10"]
    table = run(["archive", "search", "order", "--limit", "2", "--format", "csv"])
    rows = list(csv.reader(io.StringIO(table.stdout.removeprefix("\ufeff"))))
    assert rows[0][:2] == ["message_id", "time"]
    assert [r[0] for r in rows[1:]] == ["m39", "m38"]
    assert "2 messages found" in table.stderr
    assert "stopped at --limit 2" in table.stderr


def test_stats_prune_and_forget(app_home: Path, tmp_path: Path) -> None:
    exported = tmp_path / "export.jsonl"
    exported.write_bytes(export_messages(messages(12), "jsonl"))
    run(["archive", "import", str(exported), "--name", "one"])
    run(["archive", "import", str(exported), "--name", "two"])
    stats = run(["archive", "stats"])
    assert stats.returncode == 0, stats.stderr
    figures = json.loads(stats.stdout)
    assert figures["messages"] == 24
    assert [t["profile"] for t in figures["topics"]] == ["import:one", "import:two"]
    assert f"archive {AppPaths.current().data / 'archive.sqlite'}: 24 messages in 2 topics" in stats.stderr

    pruned = run(["archive", "prune", "--max-size", "2GB", "--max-age", "30d"])
    assert pruned.returncode == 0
    assert json.loads(pruned.stdout)["removed"] == 0
    assert "pruned 0 messages" in pruned.stderr

    forgot = run(["archive", "forget", "--topic", "0", "--profile", "import:one"])
    assert json.loads(forgot.stdout) == {"removed": 12}
    assert "forgot topic 0 at import:one: 12 messages removed" in forgot.stderr
    everything = run(["archive", "forget", "--all"])
    assert json.loads(everything.stdout) == {"removed": 12}
    assert json.loads(run(["archive", "stats"]).stdout)["messages"] == 0


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["search", '"'], "search words: '\"' has no letter or digit to search for"),
        (["search", "--jmespath", "payload.total > 100"], "hint: numbers need backticks: payload.total > `100`"),
        (["search", "x", "--since", "yesterday"], "--since: 'yesterday' is not a time"),
        (["search", "x", "--since", "1d", "--until", "2d"], "--until: '2d' is not after --since '1d'"),
        (["search", "x", "--limit", "0"], "--limit: must be 1 to 100,000"),
        (["search", "x", "--topic", "-1"], "--topic"),
        (["search", "x", "--profile", "Nope"], "profile: no profile named 'Nope'"),
        (["prune", "--max-size", "lots"], "--max-size: 'lots' is not a size"),
        (["prune", "--max-size", "10KB"], "below the smallest cap, 1.0 MB"),
        (["prune", "--max-age", "0"], "--max-age: '0' is no time at all"),
        (["forget"], "one of the arguments --topic --all is required"),
        (["forget", "--all", "--profile", "P"], "--profile goes with --topic"),
        (["import", "missing.jsonl", "--name", "x"], "missing.jsonl: cannot read the file: no such file"),
        (["import", "missing.jsonl", "--name", ""], "import name: must be 1 to 64 printable characters"),
    ],
)
def test_bad_input_exits_2_in_words(app_home: Path, args: list[str], words: str) -> None:
    proc = run(["archive", *args])
    assert proc.returncode == 2, proc.stderr
    assert words in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_damaged_archive_is_set_aside_with_words(app_home: Path, tmp_path: Path) -> None:
    path = AppPaths.current().data / "archive.sqlite"
    path.parent.mkdir(parents=True, mode=0o700)
    path.write_bytes(b"garbage " * 1000)
    exported = tmp_path / "export.jsonl"
    exported.write_bytes(export_messages(messages(3), "jsonl"))
    proc = run(["archive", "import", str(exported), "--name", "after"])
    assert proc.returncode == 0, proc.stderr
    assert f"warning: The message archive {path} could not be read (file is not a database)" in proc.stderr
    (aside,) = [p for p in path.parent.iterdir() if ".broken-" in p.name]
    assert aside.read_bytes() == b"garbage " * 1000
    with Archive() as archive:
        assert archive.stats().messages == 3
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_words_may_come_as_several_arguments(app_home: Path, tmp_path: Path) -> None:
    exported = tmp_path / "export.jsonl"
    exported.write_bytes(export_messages(messages(20), "jsonl"))
    run(["archive", "import", str(exported), "--name", "words"])
    together = run(["archive", "search", '"payment declined" decl*'])
    apart = run(["archive", "search", '"payment declined"', "decl*"])
    assert apart.returncode == 0, apart.stderr
    assert apart.stdout == together.stdout
    assert together.stdout
