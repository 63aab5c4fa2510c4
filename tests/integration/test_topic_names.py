"""The command line takes topics by name as well as by id, and ``--since`` as a duration, against the emulator over
real HTTP: names from the window's saved topics of a profile, else from the Developer API's topic list; no match
and several matches refused in words (exit 2) before anything is sent; and every command's ``--help`` with its
examples and the token's variable."""

from __future__ import annotations

import itertools
import json
import re
import time
from pathlib import Path

import pytest

from inspector.cli import commands
from inspector.core.profiles import Profile, ProfileStore
from inspector.core.secrets import TOKEN_ENV
from inspector.core.workspace import TopicEntry, Workspace, WorkspaceStore
from inspector.emulator.server import EmulatorServer
from tests.helpers import run_cli

_names = itertools.count(1)


def unique(word: str) -> str:
    """A topic name no other test of the session's emulator uses (the emulator is shared)."""
    return f"tn{next(_names)}-{word}"


@pytest.fixture
def local(emulator: EmulatorServer) -> list[str]:
    """A profile 'Local' on the emulator (no rate limit); the connection options that name it."""
    ProfileStore().upsert(Profile("Local", "custom", emulator.url, 0))
    return ["--profile", "Local"]


def new_topic(emulator: EmulatorServer, name: str, messages: int = 0) -> int:
    assert emulator.store is not None
    topic = emulator.store.create_topic(name).id
    if messages:
        emulator.store.publish(topic, [json.dumps({"n": n}) for n in range(messages)])
    return topic


def consumed(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line)["payload"] for line in stdout.splitlines()]


# ----- names through the Developer API --------------------------------------------------------------------------
def test_consume_by_name_reads_that_topic(emulator: EmulatorServer, local: list[str], app_home: Path) -> None:
    name = unique("orders")
    topic = new_topic(emulator, name, messages=3)
    new_topic(emulator, unique("orders"), messages=5)  # a neighbour whose name starts alike

    result = run_cli(["consume", name, *local], token=emulator.token, home=app_home)

    assert result.returncode == 0, result.stderr
    assert consumed(result.stdout) == [{"n": 0}, {"n": 1}, {"n": 2}]
    assert f"topic {topic} ({name}): 3 messages" in result.stderr


def test_a_name_is_matched_regardless_of_case_when_no_name_is_exact(
    emulator: EmulatorServer, local: list[str], app_home: Path
) -> None:
    name = unique("Audit")
    new_topic(emulator, name, messages=1)
    result = run_cli(["consume", name.upper(), *local], token=emulator.token, home=app_home)
    assert result.returncode == 0, result.stderr
    assert "1 message;" in result.stderr  # one: singular


def test_publish_and_replay_take_names(emulator: EmulatorServer, local: list[str], app_home: Path) -> None:
    assert emulator.store is not None
    name = unique("inbox")
    topic = new_topic(emulator, name)

    published = run_cli(["publish", name, *local], token=emulator.token, stdin='{"a": 1}', home=app_home)
    assert published.returncode == 0, published.stderr
    assert f"topic {topic} ({name}): 1 published, 0 failed" in published.stderr

    source = app_home.parent / "in.jsonl"
    source.write_text('{"b": 1}\n{"b": 2}\n', encoding="utf-8")
    replayed = run_cli(["replay", "start", str(source), "--to", name, *local], token=emulator.token, home=app_home)
    assert replayed.returncode == 0, replayed.stderr
    assert f"to send to topic {topic} ({name}) at " in replayed.stderr
    assert emulator.store.count(topic) == 3
    listing = run_cli(["replay", "list"], home=app_home)
    assert f"to topic {topic} ({name}) at " in listing.stdout  # the journal names the destination by both


def test_a_name_that_matches_nothing_says_so_with_the_close_names(
    emulator: EmulatorServer, local: list[str], app_home: Path
) -> None:
    name = unique("shipments")
    new_topic(emulator, name)
    typo = name[:-1]  # "tn4-shipment"

    result = run_cli(["consume", typo, *local], token=emulator.token, home=app_home)

    assert result.returncode == 2, result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"error: topic: no topic named {typo!r} in profile 'Local'; did you mean {name!r}")
    assert "topics list" in result.stderr  # the hint: where to see the names
    assert result.stdout == ""


def test_a_name_that_two_topics_have_names_both_ids_and_sends_nothing(
    emulator: EmulatorServer, local: list[str], app_home: Path
) -> None:
    assert emulator.store is not None
    name = unique("twins")
    first, second = new_topic(emulator, name), new_topic(emulator, name)

    result = run_cli(["publish", name, *local], token=emulator.token, stdin='{"a": 1}', home=app_home)

    assert result.returncode == 2, result.stderr
    assert f"error: topic: 2 topics are named {name!r} in profile 'Local': {first} and {second}" in result.stderr
    assert "give the id" in result.stderr
    assert emulator.store.count(first) == emulator.store.count(second) == 0
    by_id = run_cli(["publish", str(second), *local], token=emulator.token, stdin='{"a": 1}', home=app_home)
    assert by_id.returncode == 0, by_id.stderr
    assert f"topic {second}: 1 published" in by_id.stderr  # an id stays an id, named by it alone


def test_without_a_profile_the_place_is_the_address(emulator: EmulatorServer, app_home: Path) -> None:
    name = unique("nowhere")
    connect = ["--base-url", emulator.url, "--rate-limit", "0"]
    result = run_cli(["replay", "start", "-", "--to", name, *connect], token=emulator.token, stdin="{}", home=app_home)
    assert result.returncode == 2, result.stderr
    assert f"error: --to: no topic named {name!r} at {emulator.url}" in result.stderr


# ----- names from the window's saved topics ---------------------------------------------------------------------
def test_the_profiles_saved_topics_come_first(emulator: EmulatorServer, local: list[str], app_home: Path) -> None:
    """A name the window saved for the profile (here one the server does not know) needs no topic list."""
    saved = new_topic(emulator, unique("server-name"), messages=2)
    decoy = new_topic(emulator, unique("decoy"), messages=1)
    store = WorkspaceStore()
    store.save(Workspace(topics={"Local": [TopicEntry(saved, "my orders")], "Other": [TopicEntry(decoy, "mine")]}))

    result = run_cli(["consume", "my orders", *local], token=emulator.token, home=app_home)
    assert result.returncode == 0, result.stderr
    assert consumed(result.stdout) == [{"n": 0}, {"n": 1}]
    assert f"topic {saved} (my orders): 2 messages" in result.stderr

    other = run_cli(["consume", "mine", *local], token=emulator.token, home=app_home)  # another profile's name
    assert other.returncode == 2, other.stderr
    assert "no topic named 'mine' in profile 'Local'" in other.stderr


def test_an_unreadable_workspace_is_left_as_it_is(emulator: EmulatorServer, local: list[str], app_home: Path) -> None:
    """The window sets a broken workspace file aside when it starts; a command only reads around it."""
    name = unique("fallback")
    topic = new_topic(emulator, name, messages=1)
    store = WorkspaceStore()
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_text("{not json", encoding="utf-8")

    result = run_cli(["consume", name, *local], token=emulator.token, home=app_home)

    assert result.returncode == 0, result.stderr
    assert f"topic {topic} ({name}): 1 message;" in result.stderr
    assert store.path.read_text(encoding="utf-8") == "{not json"


# ----- --since as a duration ------------------------------------------------------------------------------------
def test_since_a_duration_reads_only_the_messages_of_that_span(
    emulator: EmulatorServer, local: list[str], app_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert emulator.store is not None
    name = unique("recent")
    topic = new_topic(emulator, name)
    with monkeypatch.context() as patch:  # published three hours ago, by the emulator's clock
        patch.setattr(emulator.store, "_clock", lambda: time.time() - 3 * 3600)
        emulator.store.publish(topic, [json.dumps({"old": n}) for n in range(2)])
    emulator.store.publish(topic, [json.dumps({"new": n}) for n in range(2)])

    recent = run_cli(["consume", name, *local, "--since", "2h"], token=emulator.token, home=app_home)
    assert recent.returncode == 0, recent.stderr
    assert consumed(recent.stdout) == [{"new": 0}, {"new": 1}]

    day = run_cli(["consume", str(topic), *local, "--since", "1d"], token=emulator.token, home=app_home)
    assert day.returncode == 0, day.stderr
    assert consumed(day.stdout) == [{"old": 0}, {"old": 1}, {"new": 0}, {"new": 1}]


def test_a_bad_since_says_both_forms_before_asking_for_a_token(app_home: Path) -> None:
    result = run_cli(["consume", "orders", "--base-url", "http://127.0.0.1:9", "--since", "2x"], home=app_home)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines()[0] == (
        "error: --since: '2x' is not a time: give RFC 3339 (2024-05-01T09:00:00Z) or a duration like 30m, 2h, 1d"
    )


# ----- the help -------------------------------------------------------------------------------------------------
def test_the_help_names_the_token_variable_and_an_example_of_every_command() -> None:
    said = run_cli(["--help"]).stdout
    assert TOKEN_ENV in said
    examples = said.split("examples:", 1)[1]
    for name in commands.COMMANDS:
        assert re.search(rf"^  .*\btopic-inspector {name}\b", examples, re.MULTILINE), name


@pytest.mark.parametrize("command", ["consume", "publish", "replay", "qala", "boomi", "messages"])
def test_each_commands_help_shows_examples_and_the_token_variable(command: str) -> None:
    said = run_cli([command, "--help"]).stdout
    assert f"examples:\n  topic-inspector {command} " in said, said
    assert TOKEN_ENV in said
