"""Start-up time: from process start to the main window shown, for the source install and the packaged one,
beside a bare PySide6 program that shows an empty window, all in the same run.

Each program is started as a new process (offscreen) and timed from just before the spawn to the line it
prints once its window is shown and painted (the app prints it when TOPIC_INSPECTOR_STARTUP_PROBE is set, then
quits). The app starts as a user's would: a saved profile with three topics, two of them open. After one
warm-up start of each, the three are started in turn ROUNDS times; the ratio is the median of the rounds'
ratios (each round's programs ran seconds apart, which cancels the machine's drift). Goal: the app within 1.5x
of the bare program.

The packaged app is dist/topic-inspector/topic-inspector; it is built from packaging/topic-inspector.spec
first when missing (that needs PyInstaller: `pip install -e '.[package]'` or `make package`).

Last line: {"ratio", "app_ms", "bare_ms", "packaged_ms", ...}
"""

from __future__ import annotations

import compileall
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 15
GOAL = 1.5
PACKAGED = ROOT / "dist" / "topic-inspector" / "topic-inspector"
MARKER = "startup_ms="

BARE = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1200, 800)
window.show()


def shown() -> None:
    print("startup_ms=0", flush=True)
    window.close()
    app.quit()


QTimer.singleShot(0, shown)
app.exec()
"""


def time_to_window(command: list[str], env: dict[str, str]) -> float:
    """Milliseconds from spawning ``command`` to its start-up line; the process is then left to quit."""
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(MARKER):
            elapsed = (time.perf_counter() - started) * 1000
            break
    else:
        proc.wait()
        raise SystemExit(f"{command[0]} ended without showing its window:\n{proc.stderr.read() if proc.stderr else ''}")
    proc.stdout.read()
    if proc.wait(timeout=60) != 0:
        raise SystemExit(f"{command[0]} failed after showing its window:\n{proc.stderr.read() if proc.stderr else ''}")
    return elapsed


def ensure_packaged() -> None:
    if PACKAGED.is_file():
        return
    if importlib.util.find_spec("PyInstaller") is None:
        raise SystemExit("no packaged app and no PyInstaller: run `make package` (or pip install -e '.[package]')")
    print("building the packaged app (dist/topic-inspector) ...", file=sys.stderr, flush=True)
    spec = importlib.util.spec_from_file_location("build_deb", ROOT / "packaging" / "build_deb.py")
    assert spec is not None
    assert spec.loader is not None
    build_deb = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_deb)
    build_deb.freeze(ROOT / "build", ROOT / "dist")


def saved_home(home: Path) -> None:
    """A profile and three topics, two open, as the window saves them (the app folder of a returning user)."""
    code = (
        "from inspector.core.profiles import Profile, ProfileStore\n"
        "from inspector.core.workspace import WorkspaceStore\n"
        "ProfileStore().upsert(Profile('Production', 'custom', 'http://127.0.0.1:9', rate_limit_rpm=60))\n"
        "store = WorkspaceStore()\n"
        "workspace = store.load()\n"
        "for topic, name in ((1, 'orders'), (2, 'audit-events'), (3, 'payments')):\n"
        "    workspace.add_topic('Production', topic, name)\n"
        "workspace.open_topics = [('Production', 1), ('Production', 2)]\n"
        "store.save(workspace)\n"
    )
    env = dict(os.environ, TOPIC_INSPECTOR_HOME=str(home))
    subprocess.run([sys.executable, "-c", code], env=env, check=True)


def main() -> None:
    ensure_packaged()
    # As an installed copy runs: with its bytecode compiled (pip compiles a wheel's modules when it installs
    # it; PyInstaller bundles bytecode), also where PYTHONDONTWRITEBYTECODE keeps a source tree from it.
    compileall.compile_dir(str(ROOT / "inspector"), quiet=1)
    with tempfile.TemporaryDirectory(prefix="startup-bench-") as scratch:
        bare = Path(scratch) / "bare_window.py"
        bare.write_text(BARE, encoding="utf-8")
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("DISPLAY", "WAYLAND_DISPLAY", "TOPIC_INSPECTOR_TOKEN")
        }
        env.update(
            QT_QPA_PLATFORM="offscreen",
            TOPIC_INSPECTOR_HOME=str(Path(scratch) / "home"),
            TOPIC_INSPECTOR_STARTUP_PROBE="1",
        )
        saved_home(Path(scratch) / "home")
        programs = {
            "bare": [sys.executable, str(bare)],
            "app": [str(Path(sys.executable).with_name("topic-inspector"))],
            "packaged": [str(PACKAGED)],
        }
        if not Path(programs["app"][0]).is_file():
            programs["app"] = [sys.executable, "-m", "inspector"]
        times: dict[str, list[float]] = {name: [] for name in programs}
        for command in programs.values():  # warm-up: caches, .pyc files, the first app folder
            time_to_window(command, env)
        for _ in range(ROUNDS):
            for name, command in programs.items():
                times[name].append(time_to_window(command, env))

    medians = {name: statistics.median(values) for name, values in times.items()}
    ratio = statistics.median(a / b for a, b in zip(times["app"], times["bare"], strict=True))
    packaged_ratio = statistics.median(p / b for p, b in zip(times["packaged"], times["bare"], strict=True))
    print(f"{'program':<10} {'median ms':>10} {'min ms':>8} {'max ms':>8}")
    for name, values in times.items():
        print(f"{name:<10} {medians[name]:>10.1f} {min(values):>8.1f} {max(values):>8.1f}")
    print(f"app / bare: {ratio:.2f} (goal <= {GOAL}); packaged / bare: {packaged_ratio:.2f}")
    print(
        json.dumps(
            {
                "ratio": round(ratio, 3),
                "app_ms": round(medians["app"], 1),
                "bare_ms": round(medians["bare"], 1),
                "packaged_ms": round(medians["packaged"], 1),
                "packaged_ratio": round(packaged_ratio, 3),
                "rounds": ROUNDS,
                "goal": GOAL,
            }
        )
    )


if __name__ == "__main__":
    main()
