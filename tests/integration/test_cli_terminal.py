"""The CLI against a server whose words a terminal would obey (tests/hostile_terminal.py), in real processes: no
control reaches standard output or error, a message id that is not printable is refused, CSV is neutralised; and
``consume --format json|csv`` against the emulator."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest

from inspector.core.export import export_messages
from inspector.core.services.workato import EventStreamsClient
from inspector.emulator.server import EmulatorServer
from tests.helpers import run_cli
from tests.hostile_terminal import SESSION, TOKEN, Run, hostile_messages, hostile_server, hostile_session

BOM = "\ufeff"


@pytest.fixture(scope="module")
def session() -> Iterator[dict[str, Run]]:
    """The scripted session, once for the module (each command is a process of its own)."""
    with hostile_server() as url:
        yield {run.name: run for run in hostile_session(url)}


def csv_rows(text: str) -> list[list[str]]:
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text.removeprefix(BOM), newline="")))


@pytest.mark.parametrize("name", [name for name, _ in SESSION])
def test_no_control_from_the_server_reaches_the_terminal(session: dict[str, Run], name: str) -> None:
    run = session[name]
    assert run.escapes == 0, (run.result.stdout, run.result.stderr)
    # A CSV cell keeps its line breaks (quoted, as CSV allows): only words and JSON are one line per item.
    words = run.result.stderr + ("" if "csv" in run.args else run.result.stdout)
    assert not [line for line in words.splitlines() if line.startswith("error: forged")]


def test_the_servers_error_is_shown_escaped_with_its_hint(session: dict[str, Run]) -> None:
    result = session["401"].result
    assert result.returncode == 1
    first, hint = result.stderr.splitlines()
    assert first.startswith("error: token rejected by 127.0.0.1:")
    assert "\\x1b]0;pwned\\x07 \\x1b[2J \\x1b]8;;https://evil.example/\\x1b\\click" in first
    assert "\\x9b31m \\u202egnp.exe \\u2066x\\u2069 \\r\\nerror: forged line \\x7f \\x00" in first
    assert hint.startswith("  hint: check the token")


def test_log_lines_show_the_reason_phrase_escaped(session: dict[str, Run]) -> None:
    stderr = session["401 verbose"].result.stderr
    assert "Unauthorized \\x9b2J\\x1b[2J" in stderr


def test_a_status_line_shows_the_servers_words_escaped(session: dict[str, Run]) -> None:
    result = session["503 then messages"].result
    assert result.returncode == 0
    backing_off = result.stderr.splitlines()[0]
    assert backing_off.startswith("topic 5: 127.0.0.1:")
    assert "service error: \\x1b]0;pwned\\x07" in backing_off
    assert "; reconnecting in " in backing_off


def test_a_message_id_a_terminal_would_obey_is_refused_in_words(session: dict[str, Run]) -> None:
    result = session["bad id"].result
    assert result.stdout == ""
    assert "answered with JSON of the wrong shape: message 0 has a 'message_id' holding the unprintable " in (
        result.stderr
    )
    assert "U+001B" in result.stderr
    assert "pwned" not in result.stderr


def test_jsonl_decodes_to_what_the_server_sent(session: dict[str, Run]) -> None:
    result = session["jsonl"].result
    assert result.returncode == 0, result.stderr
    assert [json.loads(line) for line in result.stdout.splitlines()] == hostile_messages()
    assert "\\u009b31m" in result.stdout
    assert "\\u202e" in result.stdout


def test_format_json_is_one_array_that_decodes_to_what_the_server_sent(session: dict[str, Run]) -> None:
    result = session["json"].result
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == hostile_messages()
    assert result.stdout.startswith("[\n  {\n")


def test_format_csv_neutralises_formulas_in_ids_headers_and_cells(session: dict[str, Run]) -> None:
    result = session["csv"].result
    assert result.returncode == 0, result.stderr
    header, first, second = csv_rows(result.stdout)
    assert header[:5] == ["message_id", "time", "text", "'=cmd", "n"]
    assert header[7].startswith("\\x1b]0;pwned\\x07")
    assert first[0] == "'=1+2"
    assert first[3] == '\'=HYPERLINK("http://evil")'
    assert dict(zip(header, second, strict=True)) | {header[7]: "1"} == dict(
        zip(header, ["m-2", "2026-03-01T12:00:00Z", "", "", "-5", "'-5", "'@SUM(1)", "1"], strict=True)
    )


def test_publish_results_and_topics_are_json_with_escapes(session: dict[str, Run]) -> None:
    published = [json.loads(line) for line in session["batch publish"].result.stdout.splitlines()]
    assert published[1] == {"index": 1, "result": "success", "message_id": "id\u202e1"}
    assert "\\u202e" in session["batch publish"].result.stdout
    topics = [json.loads(line) for line in session["topics"].result.stdout.splitlines()]
    assert topics[0]["name"].startswith("\x1b]0;pwned\x07")


# ----- consume --format against the emulator --------------------------------------------------------------------


async def test_consume_format_csv_and_json_are_the_windows_export(
    emulator: EmulatorServer, topic: int, client: EventStreamsClient
) -> None:
    payloads = [{"n": n, "formula": "=1+2", "name": "Zoë"} for n in range(3)]
    await client.publish_batch(topic, payloads)
    messages = await client.consume(topic)
    base = ["consume", str(topic), "--base-url", emulator.url, "--rate-limit", "0"]
    for fmt in ("csv", "json", "jsonl"):
        result = run_cli([*base, "--format", fmt], token=emulator.token)
        assert result.returncode == 0, result.stderr
        # run_cli reads text: its universal newlines turn CSV's CRLF into LF (the unit tests check the CRLF).
        assert result.stdout == export_messages(messages, fmt).decode("utf-8").replace("\r\n", "\n")
        assert "topic" in result.stderr
        assert "3 messages" in result.stderr
    rows = csv_rows(run_cli([*base, "--format", "csv"], token=emulator.token).stdout)
    assert rows[0] == ["message_id", "time", "n", "formula", "name"]
    assert [row[2:] for row in rows[1:]] == [[str(n), "'=1+2", "Zoë"] for n in range(3)]


async def test_follow_with_max_writes_the_csv_when_it_stops(
    emulator: EmulatorServer, topic: int, client: EventStreamsClient
) -> None:
    await client.publish_batch(topic, [{"n": n} for n in range(3)])
    args = ["consume", str(topic), "--base-url", emulator.url, "--follow", "--wait", "1", "--max", "2"]
    result = run_cli([*args, "--format", "csv"], token=emulator.token)
    assert result.returncode == 0, result.stderr
    assert [row[2] for row in csv_rows(result.stdout)] == ["n", "0", "1"]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_follow_without_max_is_refused_for_a_whole_document(fmt: str) -> None:
    result = run_cli(["consume", "1", "--base-url", "http://127.0.0.1:9", "--follow", "--format", fmt], token=TOKEN)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"error: --format {fmt} with --follow needs --max N: a {fmt.upper()} document is written whole when consume "
        "ends (after N messages); use --format jsonl to print messages as they arrive\n"
    )


def test_an_unknown_format_is_a_usage_error() -> None:
    result = run_cli(["consume", "1", "--base-url", "http://127.0.0.1:9", "--format", "xml"], token=TOKEN)
    assert result.returncode == 2
    assert "argument --format: invalid choice: 'xml' (choose from 'jsonl', 'json', 'csv')" in result.stderr
