"""Crash reports: what they hold, that no token is in them in any form, how many are kept, the fatal log, and the
CLI's answer to a bug."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from inspector import __version__, cli
from inspector.cli import profile as profile_command
from inspector.core import crash
from inspector.core.secrets import KeyringToken, MemoryStore, fingerprints_in_use, remember_token
from tests.helpers import token_forms, token_leaks


def raised(message: str) -> RuntimeError:
    def deep() -> None:
        raise RuntimeError(message)

    try:
        deep()
    except RuntimeError as exc:
        return exc
    raise AssertionError("not raised")


def new_token() -> str:
    return "ti-Cu7Rw2Lm9Xb4Ts8Vn1Pz5Yc3-+/="  # fixed; "-+/=" are the edges that once leaked


def test_a_report_says_what_where_and_which_version(app_home: Path) -> None:
    path = crash.write_report(raised("the table lost a row"), "the live table")
    assert path.parent == app_home / "log"
    assert path.name.startswith("crash-")
    assert path.suffix == ".txt"
    text = path.read_text()
    assert f"Topic Inspector {__version__} crash report" in text
    assert "where:    the live table" in text
    assert "RuntimeError: the table lost a row" in text
    assert "in deep" in text  # the traceback's lines
    assert "raise RuntimeError(message)" in text


def test_known_tokens_are_scrubbed_in_every_form() -> None:
    token = new_token()
    textual = ("raw", "url-encoded", "form-encoded", "json", "hex", "HEX")
    textual += tuple(f"{name}@{shift}" for name in ("base64", "base64url") for shift in range(3))
    forms = token_forms(token)
    text = "\n".join(f"{name}: {forms[name].decode()}" for name in textual)  # what a text report can hold
    report = crash.format_report(raised(f"echoed {token}\n{text}"), "a test", tokens=[token])
    assert token_leaks(report, token) == []
    assert report.count("[token]") >= len(textual)


def test_keyring_tokens_are_found_by_their_prints_without_being_held() -> None:
    token = "ti-" + "Zq8_w-Lk3" * 3 + "-"  # ends in "-": a run's edge once cut it off
    fingerprint = remember_token(token)
    held = KeyringToken(MemoryStore(), "acct", fingerprint=fingerprint, label="profile 'p'")
    words = [f"Bearer {token}", f"header b'Bearer {token}'", f"token={token}.", f"({token})", f"{token}:", f"x{token}"]
    report = crash.format_report(raised("; ".join(words)), "a test")
    assert held.fingerprint in fingerprints_in_use()
    assert token_leaks(report, token) == [], report
    assert report.count("[token]") == 3  # the other three are redacted as the logs are (Bearer twice, token=)


def test_authorization_headers_are_redacted_as_in_the_logs() -> None:
    report = crash.format_report(raised("headers: {'Authorization': 'Bearer abc.def.ghi'}"), "a test")
    assert "abc.def.ghi" not in report
    assert "[redacted]" in report


def test_only_the_newest_reports_are_kept(app_home: Path) -> None:
    paths = [crash.write_report(raised(f"error {n}"), "a test") for n in range(crash.KEEP + 5)]
    kept = sorted((app_home / "log").glob("crash-*.txt"))
    assert kept == sorted(paths[-crash.KEEP :])


def test_a_fatal_error_leaves_its_stack_in_the_fatal_log(app_home: Path) -> None:
    code = (
        "import ctypes\n"
        "from inspector.core.crash import enable_fatal_log\n"
        "print(enable_fatal_log(), flush=True)\n"
        "def doomed():\n"
        "    ctypes.string_at(0)\n"
        "doomed()\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode != 0
    fatal = app_home / "log" / "fatal.log"
    assert run.stdout.strip() == str(fatal)
    text = fatal.read_text()
    assert "Fatal Python error: Segmentation fault" in text
    assert "in doomed" in text


def test_the_cli_answers_a_bug_with_a_report_and_no_traceback(
    app_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    token = new_token()
    monkeypatch.setenv("TOPIC_INSPECTOR_TOKEN", token)

    def broken(*args: object) -> int:
        raise KeyError(f"no such field in {token}")

    monkeypatch.setattr(profile_command, "run_list", broken)
    assert cli.main(["profile", "list"]) == cli.EXIT_FAILED
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert (
        lines[0]
        == "error: unexpected KeyError in the command 'topic-inspector profile'; this is a bug in Topic Inspector"
    )
    assert "Traceback" not in err
    [report] = (app_home / "log").glob("crash-*.txt")
    assert f"a crash report was saved to {report} (it holds no token)" in lines[1]
    text = report.read_text()
    assert "KeyError" in text
    assert "in broken" in text
    assert token_leaks(text, token) == []
