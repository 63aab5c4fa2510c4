"""``topic-inspector`` commands run as a user would: real processes against the emulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import PySide6
import pytest

from inspector.emulator.server import EmulatorServer
from tests.helpers import run_cli as run


def test_no_arguments_opens_the_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    monkeypatch.setenv("TOPIC_INSPECTOR_STARTUP_PROBE", "1")  # report the shown window, then quit
    proc = run([])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("startup_ms=")
    assert proc.stderr == ""


def test_self_test_passes_and_leaves_the_app_folder_alone(app_home: Path) -> None:
    """What every package check runs, here on the source install: all steps, nothing on stderr."""
    proc = run(["--self-test"], timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    steps = [line.split(":")[1].strip() for line in proc.stdout.splitlines() if line.startswith("self-test: ")]
    assert steps == ["runtime", "keyring", "emulator", "publish", "schema", "tail", "window"]
    assert "(source)" in proc.stdout
    plugins = Path(PySide6.__file__).parent / "Qt" / "plugins"
    assert f"; Qt plugins: {plugins})" in proc.stdout  # PySide6's own folder, from the qt.conf its QtCore registers
    assert "152 messages in the live table" in proc.stdout
    assert proc.stdout.rstrip().splitlines()[-1].startswith("self-test passed in ")
    assert proc.stderr == ""
    assert not app_home.exists()  # profiles, drafts and the journal went to a temporary folder


def test_self_test_without_a_screen_goes_offscreen(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    proc = run(["--self-test"], timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stderr == ""


def test_self_test_failure_names_the_step_and_the_reason() -> None:
    """A keyring backend that does not load (as in a frozen build without keyring's metadata) fails the test."""
    code = (
        "import sys; from inspector.ui import selftest; "
        "selftest.NATIVE_BACKENDS[sys.platform] = ('keyring.backends.Missing',); "
        "raise SystemExit(selftest.run_self_test())"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith("self-test FAILED at keyring: the backend keyring.backends.Missing does not load")
    assert "self-test passed" not in proc.stdout


def test_self_test_fails_when_qt_has_no_platform_plugins(tmp_path: Path) -> None:
    """A package that lost Qt's plugins (or a qt.conf pointing elsewhere) says so before it opens any window."""
    code = (
        "import types; from inspector.ui import selftest; "
        "selftest.QLibraryInfo = types.SimpleNamespace("
        f"LibraryPath=selftest.QLibraryInfo.LibraryPath, path=lambda _which: {str(tmp_path)!r}); "
        "raise SystemExit(selftest.run_self_test())"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 1
    assert proc.stderr.startswith(f"self-test FAILED at runtime: Qt's plugin folder {tmp_path} holds no platform")


def test_self_test_takes_no_command() -> None:
    proc = run(["--self-test", "consume", "1"])
    assert proc.returncode == 2
    assert "--self-test and --demo take no command" in proc.stderr


def test_without_a_screen_the_window_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    proc = run([])
    assert proc.returncode == 1
    assert "no screen to open the window on" in proc.stderr


def test_publish_array_then_consume_jsonl(emulator: EmulatorServer, topic: int) -> None:
    items = [{"n": n, "text": "é"} for n in range(250)]
    proc = run(["publish", str(topic), "--base-url", emulator.url], token=emulator.token, stdin=json.dumps(items))
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [line["index"] for line in lines] == list(range(250))
    assert all(line["result"] == "success" and line["message_id"] for line in lines)
    assert "250 published, 0 failed" in proc.stderr

    consumed = run(["consume", str(topic), "--base-url", emulator.url], token=emulator.token)
    assert consumed.returncode == 0, consumed.stderr
    messages = [json.loads(line) for line in consumed.stdout.splitlines()]
    assert [m["payload"] for m in messages] == items
    assert [m["message_id"] for m in messages] == [line["message_id"] for line in lines]
    assert set(messages[0]) == {"message_id", "time", "payload"}

    half = run(
        ["consume", str(topic), "--base-url", emulator.url, "--after", lines[199]["message_id"]], token=emulator.token
    )
    assert [json.loads(x)["payload"]["n"] for x in half.stdout.splitlines()] == list(range(200, 250))
    limited = run(
        ["consume", str(topic), "--base-url", emulator.url, "--max", "7", "--batch-size", "3"], token=emulator.token
    )
    assert len(limited.stdout.splitlines()) == 7
    assert f"--after {messages[6]['message_id']}" in limited.stderr


def test_publish_single_object_and_jsonl_file(emulator: EmulatorServer, topic: int, tmp_path: Path) -> None:
    single = run(["publish", str(topic), "--base-url", emulator.url], token=emulator.token, stdin='{"a": 1}')
    assert single.returncode == 0
    assert json.loads(single.stdout)["index"] == 0
    jsonl = tmp_path / "items.jsonl"
    jsonl.write_text('{"b": 1}\n\n{"b": 2}\n', encoding="utf-8")
    proc = run(["publish", str(topic), str(jsonl), "--base-url", emulator.url], token=emulator.token)
    assert proc.returncode == 0
    assert len(proc.stdout.splitlines()) == 2


def test_partial_failure_exits_1(emulator: EmulatorServer) -> None:
    proc = run(["publish", "1", "--base-url", emulator.url], token=emulator.token, stdin='[{"order_id": 1}]')
    assert proc.returncode == 1
    assert "'status' is required" in json.loads(proc.stdout)["error"]
    assert "0 published, 1 failed" in proc.stderr


@pytest.mark.parametrize(
    ("stdin", "words"),
    [
        ('{"a": ', "line 1, col 7"),
        ("[1, 2]", "item 0: must be a JSON object"),
        ("", "is empty"),
        ('{"a": 1}\n{"b": oops}\n', "line 2"),
        ('"text"', "must be a JSON object, an array"),
    ],
)
def test_bad_publish_input_exits_2_and_sends_nothing(
    emulator: EmulatorServer, topic: int, stdin: str, words: str
) -> None:
    proc = run(["publish", str(topic), "--base-url", emulator.url], token=emulator.token, stdin=stdin)
    assert proc.returncode == 2, proc.stderr
    assert words in proc.stderr
    assert proc.stdout == ""
    assert emulator.store is not None
    assert emulator.store.count(topic) == 0


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["consume", "abc"], "not a topic id"),
        (["consume", "1", "--batch-size", "51"], "--batch-size"),
        (["consume", "1", "--since", "yesterday"], "RFC 3339"),
        (["consume", "1", "--after", "x", "--since", "now"], "not allowed with"),
        (["consume", "1", "--wait", "61", "--follow"], "--wait"),
        (["consume", "1", "--max", "0"], "--max"),
    ],
)
def test_bad_arguments_exit_2(emulator: EmulatorServer, args: list[str], words: str) -> None:
    proc = run([*args, "--base-url", emulator.url], token=emulator.token)
    assert proc.returncode == 2
    assert words in proc.stderr


def test_connection_problems_exit_at_once(emulator: EmulatorServer) -> None:
    bad_token = run(["consume", "1", "--base-url", emulator.url], token="nope")
    assert bad_token.returncode == 1
    assert "token rejected" in bad_token.stderr
    missing = run(["consume", "424242", "--base-url", emulator.url], token=emulator.token)
    assert missing.returncode == 1
    assert "topic 424242 not found" in missing.stderr
    insecure = run(["consume", "1", "--base-url", "http://example.com"], token="t")
    assert insecure.returncode == 2
    assert "plain http is refused" in insecure.stderr
    nowhere = run(["consume", "1"], token="t")
    assert nowhere.returncode == 2
    assert "--region" in nowhere.stderr
    no_token = run(["consume", "1", "--base-url", emulator.url])
    assert no_token.returncode == 1
    assert "no token" in no_token.stderr


def test_no_command_takes_a_token_argument() -> None:
    for command in ("consume", "publish", "topics", "token", "profile"):
        help_text = run([command, "--help"]).stdout
        assert "--token" not in help_text, command


def test_topics_list(emulator: EmulatorServer) -> None:
    proc = run(
        ["topics", "list", "--base-url", emulator.url, "--include-schema", "--name", "orders"], token=emulator.token
    )
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert rows[0]["id"] == 1
    assert rows[0]["schema"][0]["name"] == "order_id"


def test_profiles_and_follow(emulator: EmulatorServer, topic: int, tmp_path: Path) -> None:
    home = tmp_path / "home"
    added = run(["profile", "add", "local", "--base-url", emulator.url, "--rate-limit", "0"], home=home)
    assert added.returncode == 0, added.stderr
    assert "local" in run(["profile", "list"], home=home).stdout
    assert emulator.token not in (home / "config" / "profiles.json").read_text()
    env = {**os.environ, "TOPIC_INSPECTOR_TOKEN": emulator.token, "TOPIC_INSPECTOR_HOME": str(home)}
    follower = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "inspector",
            "consume",
            str(topic),
            "--profile",
            "local",
            "--follow",
            "--wait",
            "5",
            "--max",
            "3",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        for n in range(3):
            assert (
                run(
                    ["publish", str(topic), "--profile", "local"],
                    token=emulator.token,
                    home=home,
                    stdin=json.dumps({"n": n}),
                ).returncode
                == 0
            )
        out, err = follower.communicate(timeout=30)
    finally:
        follower.kill()
    assert follower.returncode == 0, err
    assert [json.loads(line)["payload"]["n"] for line in out.splitlines()] == [0, 1, 2]
    unknown = run(["consume", "1", "--profile", "nope"], token="t", home=home)
    assert unknown.returncode == 2
    assert "no profile named 'nope'" in unknown.stderr


def test_emulator_command_prints_url_and_token() -> None:
    args = [sys.executable, "-m", "inspector", "emulator", "--port", "0", "--token", "abc", "--topic", "5:things"]
    with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as proc:
        try:
            assert proc.stdout is not None
            first = proc.stdout.readline()
            assert "listening on http://127.0.0.1:" in first
            rest = [proc.stdout.readline() for _ in range(3)]
            assert "token:  abc" in rest[0]
            assert "5 (things)" in rest[1]
        finally:
            proc.terminate()
            proc.wait(10)


def test_emulator_rejects_bad_topic_spec() -> None:
    proc = run(["emulator", "--topic", "x:y"])
    assert proc.returncode == 2
    assert "positive topic id" in proc.stderr
    schema = run(["emulator", "--topic", "3:a:/no/such/file.json"])
    assert schema.returncode == 2
    assert "cannot read schema file" in schema.stderr
