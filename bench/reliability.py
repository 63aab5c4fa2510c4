"""Reliability under faults and bad input, in figures.

1. Faults: tests/faults.py's proxy sits between the client and an emulator and, at 20% of requests (seed 1),
   answers 500, an HTML 502, 503, 429 with and without Retry-After, drops the connection before or after
   forwarding, stalls past the read timeout, truncates the JSON answer or answers JSON of the wrong shape.
   Through it, a TopicTail follows 10,000 messages published while it tails, and publish_all sends 5,000
   items. Each message is checked: handed over exactly once and in order, stored exactly once under the id the
   client reported, and every outcome the client could not know reported as unknown. The same two scenarios
   first run with no faults, as the baseline. Then the window tails 5,000 messages through the proxy (and
   without it): its longest UI-loop stall (a 5 ms timer's lateness) and the states it showed in words.
2. Bad input: the corpus in tests/corpus/ (every entry point: editor text, files, CLI arguments, profile
   fields, base and topic URLs, since-times, schemas, JMESPath filters, edit lists, payloads, server answers,
   the app's own files), the bounded Hypothesis fuzzing of the parsers and validators, and the CLI's bad
   arguments, run as their tests in a separate pytest process. A case that raises anything but the
   project's own error (or says it vaguely) fails its test: failures and errors are counted as uncaught.

3. Hardening (each part in its own bench/_hardening_*.py, which also runs alone):
   - tokens: shapes x contexts x encodings x the three ways text is scrubbed (``token_cases``, ``token_leaks``);
   - oversize answers: ``consume`` against 150 MiB with a length and 200 MB chunked without (``oversize_refused``);
   - the window against a server that answers HTML everywhere (``html_rendered``);
   - the CLI against a server whose words and ids hold terminal controls (``terminal_escapes``);
   - the paths a scripted session writes under umask 022 (``files_too_open``);
   - consume and publish through a CONNECT proxy to an HTTPS server with its own CA (``proxy_ok``).

Goal row: 0 lost, 0 duplicated, 0 uncaught; 0 token leaks, 0 rendered, 0 escapes, 0 files too open, both
true. Last line: {"faults_injected", "published", "received", "lost", "duplicated", "unknown_outcomes",
"bad_inputs", "uncaught", ..., "hardening": {"token_cases", "token_leaks", "html_rendered", "terminal_escapes",
"files_too_open", "oversize_refused", "proxy_ok"}}.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the fault proxy and the corpus live in tests/

from bench._gui_faults import gui_under_faults  # noqa: E402
from inspector.emulator.server import EmulatorConfig, EmulatorServer  # noqa: E402
from tests import corpus  # noqa: E402
from tests.faults import run_fault_scenarios  # noqa: E402

RATE = 0.2
SEED = 1
BAD_INPUT_TESTS = [
    "tests/unit/test_bad_inputs.py",
    "tests/unit/test_fuzz_parsers.py",
    "tests/integration/test_bad_inputs_cli.py",
]


def faults(rate: float) -> dict[str, Any]:
    """Both scenarios on a fresh emulator; an exception escaping them counts as uncaught."""
    with EmulatorServer(EmulatorConfig(port=0, rate_limit_rpm=0)) as emulator:
        started = time.perf_counter()
        try:
            figures = run_fault_scenarios(emulator, rate=rate, seed=SEED)
            figures["uncaught"] = 0
        except Exception as exc:  # noqa: BLE001 - the figure is whether anything escaped
            print(f"uncaught in the fault scenarios: {type(exc).__name__}: {exc}", file=sys.stderr)
            figures = {"faults_injected": 0, "published": 0, "received": 0, "lost": 0, "duplicated": 0}
            figures.update(unknown_outcomes=0, uncaught=1)
        figures["seconds"] = round(time.perf_counter() - started, 1)
    return figures


def bad_inputs() -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="reliability-") as scratch:
        report = Path(scratch) / "junit.xml"
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}", *BAD_INPUT_TESTS],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        suites = ET.parse(report).getroot()  # noqa: S314 - the report our own pytest run just wrote
    suite = suites if suites.tag == "testsuite" else suites[0]
    tests, failures, errors = (int(suite.get(key, 0)) for key in ("tests", "failures", "errors"))
    if run.returncode not in (0, 1):
        print(run.stdout[-2000:], run.stderr[-2000:], file=sys.stderr)
    return {
        "corpus_cases": corpus.count(),
        "tests": tests,
        "uncaught": failures + errors + (1 if run.returncode not in (0, 1) else 0),
        "corpus_by_entry_point": corpus.counts(),
    }


HARDENING_GOALS = {
    "token_leaks": 0,
    "html_rendered": 0,
    "terminal_escapes": 0,
    "files_too_open": 0,
    "oversize_refused": True,
    "proxy_ok": True,
}


def hardening() -> dict[str, Any]:
    """The hardening figures, each part in a process of its own (the window's part needs a QApplication)."""
    figures: dict[str, Any] = {}
    for part in ("tokens", "html", "terminal", "files", "proxy"):
        run = subprocess.run(
            [sys.executable, str(ROOT / "bench" / f"_hardening_{part}.py")],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        lines = run.stdout.strip().splitlines()
        if run.returncode != 0 or not lines:
            print(f"hardening part {part!r} failed:", run.stdout[-2000:], run.stderr[-2000:], file=sys.stderr)
            figures[f"{part}_failed"] = True
            continue
        figures.update(json.loads(lines[-1]))
    return figures


def main() -> None:
    hard = hardening()
    baseline = faults(0.0)
    faulted = faults(RATE)
    window_clean = gui_under_faults(rate=0.0, seed=SEED)
    window = gui_under_faults(rate=RATE, seed=SEED)
    bad = bad_inputs()
    uncaught = faulted["uncaught"] + baseline["uncaught"] + bad["uncaught"]
    rows = [
        ("faults injected", baseline["faults_injected"], faulted["faults_injected"], "-"),
        ("messages published", baseline["published"], faulted["published"], "-"),
        ("messages received by the tail", baseline["received"], faulted["received"], "all of the tail's"),
        ("lost", baseline["lost"], faulted["lost"], "0"),
        ("duplicated", baseline["duplicated"], faulted["duplicated"], "0"),
        ("unknown outcomes surfaced", baseline["unknown_outcomes"], faulted["unknown_outcomes"], "-"),
        ("seconds", baseline["seconds"], faulted["seconds"], "-"),
        ("window: messages received", window_clean["received"], window["received"], "all"),
        (
            "window: lost + duplicated",
            window_clean["lost"] + window_clean["duplicated"],
            window["lost"] + window["duplicated"],
            "0",
        ),
        ("window: faults injected", window_clean["faults_injected"], window["faults_injected"], "-"),
        ("window: longest UI stall (ms)", window_clean["max_stall_ms"], window["max_stall_ms"], "< 50"),
    ]
    print(f"{'':34} {'no faults':>10} {f'{RATE:.0%} faults':>11}   goal")
    for name, clean, dirty, goal in rows:
        print(f"{name:34} {clean:>10,} {dirty:>11,}   {goal}")
    print(f"faults by kind: {faulted.get('faults_by_kind', {})}")
    print("the window said:", *(f"  {text}" for text in window["states_in_words"][:8]), sep="\n")
    print(f"bad inputs tried: {bad['corpus_cases']} corpus cases {bad['corpus_by_entry_point']}")
    print(f"  as {bad['tests']} tests with the bounded fuzzing and the CLI's bad arguments")
    print(f"uncaught exceptions: {uncaught} (goal 0)")
    print("hardening:")
    for name, goal in HARDENING_GOALS.items():
        print(f"  {name:22} {hard.get(name, 'missing')!s:>8}   goal {goal}")
    peaks = (hard.get(f"{kind}_peak_mib") for kind in ("declared", "chunked", "baseline"))
    print(
        "  token cases tried: {}; oversize answers peaked at {} / {} MiB (one message: {})".format(
            hard.get("token_cases"), *peaks
        )
    )
    summary = {key: hard.get(key) for key in ("token_cases", *HARDENING_GOALS)}
    print(
        json.dumps(
            {
                "faults_injected": faulted["faults_injected"],
                "published": faulted["published"],
                "received": faulted["received"],
                "lost": faulted["lost"] + window["lost"],
                "duplicated": faulted["duplicated"] + window["duplicated"],
                "unknown_outcomes": faulted["unknown_outcomes"],
                "bad_inputs": bad["corpus_cases"],
                "uncaught": uncaught,
                "window_faults_injected": window["faults_injected"],
                "window_max_stall_ms": window["max_stall_ms"],
                "baseline": {key: baseline[key] for key in ("published", "received", "lost", "duplicated")},
                "hardening": summary,
            }
        )
    )


if __name__ == "__main__":
    main()
