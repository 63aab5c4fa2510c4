"""How many paths the app leaves open to other users: the scripted session of tests/private_files.py (CLI commands,
the emulator with --data, a crash report, the window with its fatal log) under umask 022 in a temporary app folder,
then every folder and file in it whose mode gives its group or anyone any access.

``measure()`` returns ``{"files_too_open": N}``; the goal is 0. Run alone, it prints that as one JSON line
(``HARDENING_FILES_VERBOSE=1`` lists the paths on standard error).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the scripted session lives in tests/


def measure() -> dict[str, int]:
    from tests.private_files import scripted_session, too_open

    with tempfile.TemporaryDirectory(prefix="topic-inspector-files-") as folder:
        home, scratch = Path(folder, "home"), Path(folder, "scratch")  # never the user's own folders
        scratch.mkdir()
        scripted_session(home, scratch)
        found = too_open(home)
    if os.environ.get("HARDENING_FILES_VERBOSE"):
        print("\n".join(f"{mode} {path}" for path, mode in sorted(found.items())), file=sys.stderr)
    return {"files_too_open": len(found)}


if __name__ == "__main__":
    print(json.dumps(measure()))
