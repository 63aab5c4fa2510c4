"""The command line's modes and refusals: ``replay start|resume|list|report`` (and the spellings before them, each
saying in one line that it is going), arities checked by the parser, and a profile of one service refused, in
words, by another service's command."""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from inspector import cli
from inspector.cli import commands
from inspector.cli._common import USED_BY
from inspector.cli.replay import today
from inspector.core.profiles import Profile, ProfileStore
from inspector.core.services import SERVICES
from inspector.emulator.server import EmulatorServer
from tests.helpers import run_cli

GOES = "the old spelling goes in the next release"
GUID = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"


# ----- the command table ---------------------------------------------------------------------------------------
# Run ``topic-inspector ARGS`` in a fresh interpreter, then say (last line) which command modules and heavy parts
# were loaded by then.
PROBE = """
import json, sys
from inspector.cli import main
from inspector.cli.commands import COMMANDS
try:
    main(sys.argv[1:])
except SystemExit:
    pass
heavy = ("asyncio", "httpx", "keyring", "sqlite3", "jsonschema", "uvicorn", "PySide6", "qasync")
modules = {command.path.partition(":")[0] for command in COMMANDS.values()}
loaded = {"heavy": [m for m in heavy if m in sys.modules], "commands": sorted(modules & set(sys.modules))}
print(json.dumps({**loaded, "count": len(COMMANDS)}))
"""


def probe(argv: list[str]) -> tuple[dict[str, Any], str]:
    """What ``topic-inspector ARGV`` loaded, and what it wrote (standard output and error)."""
    env = {**os.environ, "COLUMNS": "200"}  # argparse wraps --help at the terminal's width
    run = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, timeout=60, check=True, env=env
    )
    *said, last = run.stdout.splitlines()
    return json.loads(last), "\n".join(said) + run.stderr


def test_help_lists_every_command_and_loads_none_of_their_modules_nor_heavy_parts() -> None:
    """``topic-inspector --help`` imports no command's module: the HTTP client, asyncio, the keyring, the journal's
    SQLite and Qt load only when a command runs (or the window opens)."""
    loaded, said = probe(["--help"])
    assert loaded == {"heavy": [], "commands": [], "count": 11}, said
    for name, command in commands.COMMANDS.items():
        assert re.search(rf"^ +{name} +{re.escape(command.help)}$", said, re.MULTILINE), said


def test_the_window_starts_without_the_parser() -> None:
    """No arguments open the window: ``main`` loads neither argparse's parser nor any command's code for it
    (bench/startup.py). Without a screen it says so and stops there."""
    env = {
        key: value for key, value in os.environ.items() if key not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    code = (
        "import json, sys\n"
        "from inspector.cli import main\n"
        "status = main([])\n"
        "names = ('argparse', 'inspector.cli._common', 'inspector.cli.commands')\n"
        "print(json.dumps({'status': status, 'loaded': [n for n in names if n in sys.modules]}))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True, env=env)
    assert json.loads(run.stdout.splitlines()[-1]) == {"status": 1, "loaded": []}, run.stderr
    assert "no screen to open the window on" in run.stderr


def test_a_commands_help_loads_its_module_only_and_not_qt() -> None:
    loaded, said = probe(["-v", "consume", "--help"])
    assert loaded["commands"] == ["inspector.cli.consume"], said
    assert not {"PySide6", "qasync"} & set(loaded["heavy"])
    assert "Read a topic's messages" in said  # its full parser


def test_a_typo_is_an_invalid_choice_and_loads_no_command_module() -> None:
    loaded, said = probe(["-v", "consum", "1"])
    assert loaded["commands"] == [], said
    assert "argument COMMAND: invalid choice: 'consum' (choose from 'consume', 'publish'," in said


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        ([], None),
        (["--help"], None),
        (["-v", "--demo", "consume", "1"], "consume"),
        (["--verbose", "profile", "list"], "profile"),
        (["replay", "--list"], "replay"),
        (["consum", "publish"], None),  # the first word names no command: argparse says so
    ],
)
def test_the_command_is_the_first_word_that_is_not_an_option(argv: list[str], command: str | None) -> None:
    assert commands.chosen_command(argv) == command
    parser = commands.build_parser(argv)
    filled = [name for name, action in _commands(parser).items() if action._actions[2:]]  # more than -h and -v
    assert filled == ([command] if command else [])


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    [subparsers] = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
    return dict(subparsers.choices)


# ----- replay's modes ------------------------------------------------------------------------------------------
def test_replay_start_list_report_and_resume(emulator: EmulatorServer, topic: int, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"n": n}) + "\n" for n in range(150)), encoding="utf-8")
    home = tmp_path / "home"
    connect = ["--base-url", emulator.url, "--rate-limit", "0"]
    started = run_cli(["replay", "start", str(source), "--to", str(topic), *connect], token=emulator.token, home=home)
    assert started.returncode == 0, started.stderr
    assert GOES not in started.stderr

    listing = run_cli(["replay", "list"], home=home)
    assert listing.returncode == 0, listing.stderr
    assert "(done): 150/150 published" in listing.stdout
    assert listing.stderr == ""
    job = listing.stdout.split()[1]
    report = run_cli(["replay", "report", job], home=home)
    assert report.returncode == 0, report.stderr
    assert json.loads(report.stdout)["published"] == 150

    resumed = run_cli(["replay", "resume", job, *connect], token=emulator.token, home=home)
    assert resumed.returncode == 0, resumed.stderr
    assert f"job {job}: 0 to send" in resumed.stderr
    assert GOES not in resumed.stderr
    assert emulator.store is not None
    assert emulator.store.count(topic) == 150  # a done job sends nothing again


@pytest.mark.parametrize(
    ("old", "new", "line"),
    [
        (["--list"], ["list"], "'replay --list' is now 'replay list'"),
        (["--report", "J", "--journal", "p"], ["report", "J", "--journal", "p"], "'replay --report JOB' is now"),
        (
            ["--base-url", "U", "--resume", "J", "--check-unknown"],
            ["resume", "J", "--base-url", "U", "--check-unknown"],
            "'replay --resume JOB' is now 'replay resume JOB'",
        ),
        (["--resume=J", "-v"], ["resume", "J", "-v"], "'replay --resume JOB' is now 'replay resume JOB'"),
        (["f.jsonl", "--to", "5"], ["start", "f.jsonl", "--to", "5"], "is now 'replay start FILE --to TOPIC'"),
        (["--to=5", "f.jsonl"], ["start", "--to=5", "f.jsonl"], "is now 'replay start FILE --to TOPIC'"),
        (["list"], ["list"], None),
        (["start", "f", "--to", "5"], ["start", "f", "--to", "5"], None),
        (["--help"], ["--help"], None),
    ],
)
def test_the_old_replay_spellings_read_as_todays(old: list[str], new: list[str], line: str | None) -> None:
    words, said = today(old)
    assert words == new
    if line is None:
        assert said is None
    else:
        assert said is not None
        assert line in said
        assert said.endswith(GOES)


def test_each_old_replay_spelling_says_once_that_it_is_going(tmp_path: Path) -> None:
    listing = run_cli(["replay", "--list"], home=tmp_path)
    assert listing.returncode == 0, listing.stderr
    assert listing.stderr.splitlines()[0] == f"'replay --list' is now 'replay list'; {GOES}"
    assert listing.stderr.count(GOES) == 1
    assert "no replay jobs" in listing.stderr
    report = run_cli(["replay", "--report", "nope"], home=tmp_path)
    assert report.returncode == 2
    assert report.stderr.splitlines()[0] == f"'replay --report JOB' is now 'replay report JOB'; {GOES}"
    assert "no replay job 'nope'" in report.stderr
    missing = tmp_path / "missing.jsonl"
    start = run_cli(["replay", str(missing), "--to", "5", "--base-url", "http://127.0.0.1:9"], token="t", home=tmp_path)
    assert start.returncode == 2
    said = f"'replay FILE --to TOPIC' is now 'replay start FILE --to TOPIC'; {GOES}"
    assert start.stderr.splitlines()[0] == said
    assert "cannot read the file" in start.stderr


# ----- arities: the parser's ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["replay", "start", "f", "--base-url", "http://127.0.0.1:9"], "the following arguments are required: --to"),
        (["replay", "resume"], "the following arguments are required: JOB"),
        (["replay", "report"], "the following arguments are required: JOB"),
        (["replay", "start", "f", "--to", "1", "--check-unknown"], "unrecognized arguments: --check-unknown"),
        (["replay", "list", "extra"], "unrecognized arguments: extra"),
        (["profile", "add", "p"], "one of the arguments --region --base-url is required"),
        (["profile", "add", "p", "--region", "eu", "--base-url", "https://x.example"], "not allowed with"),
        (["profile", "remove"], "the following arguments are required: NAME"),
        (["qala", "session-token"], "the following arguments are required: GROUP"),
        (["messages", "post", "app", "u:1", "--workflow", "w", "--label", "l"], "required: --transaction"),
        (["messages", "post", "app", "--transaction", "t", "--workflow", "w", "--label", "l"], "SELECTOR"),
        (["boomi", "subscriptions", "get"], "the following arguments are required: ID"),
        (["boomi", "subscriptions", "get", "a", "b"], "unrecognized arguments: b"),
        (["boomi", "subscriptions", "update", "changes.json"], "one of the arguments ID --all is required"),
        (["boomi", "subscriptions", "update", "--all", "a", "f.json"], "not allowed with argument --all"),
        (["boomi", "subscriptions", "delete"], "one of the arguments ID --all is required"),
        (["boomi", "subscriptions", "delete", "a", "--all"], "not allowed with argument ID"),
        (["boomi", "subscriptions", "bulk", "delete"], "the following arguments are required: ID"),
        (["boomi", "subscriptions", "bulk", "purge", "a"], "invalid choice: 'purge'"),
    ],
)
def test_arities_are_checked_by_the_parser(argv: list[str], words: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        commands.build_parser().parse_args(argv)
    assert exited.value.code == 2
    assert words in capsys.readouterr().err


def test_boomi_update_takes_all_before_or_after_the_file() -> None:
    for argv in (["--all", "subs.json"], ["subs.json", "--all"]):
        args = commands.build_parser().parse_args(["boomi", "subscriptions", "update", *argv, "--account", "a"])
        assert (args.id, args.all, args.file) == (None, True, "subs.json")
    args = commands.build_parser().parse_args(["boomi", "subscriptions", "update", "ID", "f.json"])
    assert (args.id, args.all, args.file) == ("ID", False, "f.json")


# ----- a profile of another service -----------------------------------------------------------------------------
@pytest.fixture
def main() -> Iterator[Callable[[list[str]], int]]:
    """``cli.main`` in this process; the logging it sets up is put back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in ("httpx", "qasync")}
    yield cli.main
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, saved in levels.items():
        logging.getLogger(name).setLevel(saved)


@pytest.fixture
def profiles() -> None:
    store = ProfileStore()
    store.upsert(Profile("W", "custom", "https://events.example.com"))
    store.upsert(Profile("Q", "custom", "https://qala.example.com", service="qala", environment_id=GUID))
    store.upsert(Profile("B", "custom", "https://boomi.example.com", service="boomi", account_id="acct_1"))
    store.upsert(Profile("M", "custom", "https://messages.example.com", service="messaging"))


@pytest.mark.usefixtures("profiles")
@pytest.mark.parametrize(
    ("argv", "profile", "service"),
    [
        (["consume", "1", "--profile", "Q"], "Q", "workato"),
        (["publish", "1", "--profile", "B"], "B", "workato"),
        (["replay", "start", "in.jsonl", "--to", "1", "--profile", "M"], "M", "workato"),
        (["replay", "resume", "JOB", "--profile", "Q"], "Q", "workato"),
        (["replay", "in.jsonl", "--to", "1", "--profile", "Q"], "Q", "workato"),
        (["topics", "list", "--profile", "B"], "B", "workato"),
        (["qala", "session-token", GUID, "--profile", "W"], "W", "qala"),
        (["boomi", "subscriptions", "list", "--profile", "M"], "M", "boomi"),
        (["messages", "watch", "app-1", "--profile", "Q"], "Q", "messaging"),
        (
            [
                "messages",
                "post",
                "app-1",
                "u:1",
                "--transaction",
                "t",
                "--workflow",
                "w",
                "--label",
                "l",
                "--profile",
                "B",
            ],
            "B",
            "messaging",
        ),
    ],
)
def test_a_profile_of_another_service_is_refused_in_words(
    main: Callable[[list[str]], int],
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    profile: str,
    service: str,
) -> None:
    """Refused before a token is asked for or a request made (no token is set: going on would fail with 1)."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, err
    own = ProfileStore().get(profile)
    command = argv[0]
    assert errors[0] == (
        f"error: profile {profile!r}: is a {own.service_label} profile, not a {service} one: '{command}' speaks to "
        f"{SERVICES[service].label}"
    )
    assert f"  hint: use it with {USED_BY[own.service]}; for '{command}'" in err
    assert f"--service {service}" in err


def test_every_service_says_which_commands_its_profiles_are_for() -> None:
    assert set(USED_BY) == set(SERVICES)
