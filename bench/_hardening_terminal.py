"""How many raw control characters a hostile server got onto the CLI's standard output and error: the scripted
session of tests/hostile_terminal.py (errors, a reason phrase in the log, status lines, payloads as JSON Lines,
JSON and CSV, publish results, topic names, and a message id holding ESC, which must be refused), each command in
its own process.

``measure()`` returns ``{"terminal_escapes": N}``: ESC, other C0 controls but tab and line feed, a carriage return
not ending a line, DEL, C1, bidi controls and bytes that are not UTF-8; the goal is 0. Run alone, it prints that
as one JSON line (``HARDENING_TERMINAL_VERBOSE=1`` names the commands that let some through).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the hostile server and its session live in tests/


def measure() -> dict[str, int]:
    from tests.hostile_terminal import hostile_server, hostile_session

    home = os.environ.get("TOPIC_INSPECTOR_HOME")
    with tempfile.TemporaryDirectory(prefix="topic-inspector-terminal-") as folder, hostile_server() as url:
        os.environ["TOPIC_INSPECTOR_HOME"] = folder  # never the user's profiles, tokens or folders
        try:
            runs = hostile_session(url)
        finally:
            if home is None:
                os.environ.pop("TOPIC_INSPECTOR_HOME", None)
            else:
                os.environ["TOPIC_INSPECTOR_HOME"] = home
    if os.environ.get("HARDENING_TERMINAL_VERBOSE"):
        for run in runs:
            if run.escapes:
                print(f"{run.name}: {run.escapes} ({' '.join(run.args)})", file=sys.stderr)
    return {"terminal_escapes": sum(run.escapes for run in runs)}


if __name__ == "__main__":
    print(json.dumps(measure()))
