"""The command line with bad arguments (``tests/corpus/cli.jsonl``), each in a real process.

Each case must exit with the status the help documents (2: bad input or usage), print one ``error: ...`` line with
the case's words on standard error, no traceback, and nothing on standard output. No case reaches the network:
every one is refused before a request (the base URL, when one is needed, is a loopback port nothing listens on).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests import corpus
from tests.corpus import Case
from tests.helpers import run_cli


def _params() -> list[Any]:
    params = []
    for case in corpus.load("cli"):
        marks = [pytest.mark.xfail(reason=case["known_bug"], strict=False)] if "known_bug" in case else []
        params.append(pytest.param(case, id=case["id"], marks=marks))
    return params


def _run(case: Case, folder: Path) -> tuple[int, str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    for name, spec in case.get("files", {}).items():
        (folder / name).write_bytes(corpus.bytes_of(spec | {"id": name}))
    args = [arg.replace("{tmp}", str(folder)) for arg in case["args"]]
    stdin = corpus.text_of(case) if "build" in case else case.get("stdin", "")
    result = run_cli(args, token="tok-never-sent" if case.get("token") else None, stdin=stdin, home=folder / "home")
    return result.returncode, result.stdout, result.stderr


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, str, str]]:
    """Every case run once, two at a time (this machine has two cores): the whole corpus in a few seconds."""
    root = tmp_path_factory.mktemp("bad-cli")
    cases = corpus.load("cli")
    with pytest.MonkeyPatch.context() as patch:
        # A keyring that holds nothing and never prompts: a case without a token must not wait on a keychain.
        patch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
        with ThreadPoolExecutor(max_workers=2) as pool:
            results = pool.map(lambda case: _run(case, root / case["id"]), cases)
            return {case["id"]: result for case, result in zip(cases, results, strict=True)}


@pytest.mark.parametrize("case", _params())
def test_bad_arguments_exit_with_one_error_line(case: Case, outcomes: dict[str, tuple[int, str, str]]) -> None:
    status, stdout, stderr = outcomes[case["id"]]
    assert "Traceback" not in stderr, stderr
    assert status == case["status"], stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error: ") or ": error: " in line]
    assert len(errors) == 1, stderr
    for words in corpus.expected_words(case):
        assert words in stderr, f"{words!r} not in {stderr!r}"
    assert stdout == ""


def test_the_documented_statuses_are_in_the_help() -> None:
    """The statuses the cases expect are the ones the help promises."""
    help_text = run_cli(["publish", "--help"]).stdout + run_cli(["replay", "--help"]).stdout
    assert "2 bad input" in " ".join(help_text.split())
    assert {case["status"] for case in corpus.load("cli")} == {2}
