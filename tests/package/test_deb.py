"""The Linux package as a user gets it: build the .deb, install it with apt-get, run the installed program from
outside the checkout with a clean HOME, use the real Secret Service through it, uninstall, and check that
nothing is left. Runs when PACKAGE_TESTS=1 (``.ci/run`` sets it); it needs root for apt-get."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspector import APP_ID

ROOT = Path(__file__).resolve().parents[2]
COMMAND = Path("/usr/bin/topic-inspector")
INSTALL_DIR = Path("/opt/topic-inspector")
# What the installed program may say on stderr during a passing self-test: nothing at all.
EXPECTED_STDERR: tuple[str, ...] = ()

pytestmark = pytest.mark.timeout(900)


def apt_get(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    return subprocess.run(["apt-get", "-y", "-q", *args], capture_output=True, text=True, env=env, check=False)


def installed() -> bool:
    answer = subprocess.run(["dpkg-query", "-W", "-f=${Status}", "topic-inspector"], capture_output=True, text=True)
    return answer.stdout.strip() == "install ok installed"


@pytest.fixture(scope="module")
def package() -> dict[str, object]:
    """``make package``, as the README says; its last line is JSON with the path and the sizes."""
    if os.geteuid() != 0:
        pytest.fail("the package test installs with apt-get and needs root (run it in CI or a throwaway machine)")
    build = subprocess.run(
        ["make", "--no-print-directory", "package"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert build.returncode == 0, f"make package failed:\n{build.stdout[-3000:]}\n{build.stderr[-3000:]}"
    figures: dict[str, object] = json.loads(
        next(line for line in reversed(build.stdout.splitlines()) if line.startswith("{"))
    )
    print(f"\n.deb {figures['deb_mb']} MB, installed {figures['installed_mb']} MB")
    return figures


@pytest.fixture(scope="module")
def install(package: dict[str, object]) -> Iterator[dict[str, object]]:
    answer = apt_get("install", "--reinstall", str(package["deb"]))
    if answer.returncode != 0 and "Unable to locate" in answer.stderr + answer.stdout:
        apt_get("update", "-qq")  # a fresh machine without package lists
        answer = apt_get("install", "--reinstall", str(package["deb"]))
    assert answer.returncode == 0, f"apt-get install failed:\n{answer.stdout[-3000:]}\n{answer.stderr[-3000:]}"
    try:
        yield package
    finally:
        if installed():
            apt_get("purge", "topic-inspector")


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """What a user's shell would have: no venv, no PYTHONPATH, no checkout; a fresh HOME."""
    env = {
        "HOME": str(home),
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_RUNTIME_DIR": str(home / "runtime"),
    }
    (home / "runtime").mkdir(mode=0o700, parents=True, exist_ok=True)
    for name in ("DBUS_SESSION_BUS_ADDRESS",):  # the private Secret Service that `make test` runs under
        if name in os.environ:
            env[name] = os.environ[name]
    env.update(extra)
    return env


def test_package_sizes_are_within_budget(package: dict[str, object]) -> None:
    assert float(str(package["installed_mb"])) <= 150
    assert float(str(package["deb_mb"])) <= 70


def test_installed_files_are_where_a_desktop_looks(install: dict[str, object]) -> None:
    assert COMMAND.is_symlink()
    assert COMMAND.resolve() == INSTALL_DIR / "topic-inspector"
    desktop = Path(f"/usr/share/applications/{APP_ID}.desktop")
    assert "Exec=topic-inspector" in desktop.read_text(encoding="utf-8")
    assert Path(f"/usr/share/metainfo/{APP_ID}.metainfo.xml").is_file()
    for size in (16, 48, 256, 512):
        assert Path(f"/usr/share/icons/hicolor/{size}x{size}/apps/{APP_ID}.png").is_file()
    assert Path(f"/usr/share/icons/hicolor/scalable/apps/{APP_ID}.svg").is_file()
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr


def test_installed_self_test_passes_outside_the_checkout_with_a_clean_home(
    install: dict[str, object], tmp_path: Path
) -> None:
    home = tmp_path / "home"
    work = tmp_path / "elsewhere"
    work.mkdir()
    run = subprocess.run(
        [str(COMMAND), "--self-test"],
        cwd=work,
        env=clean_env(home),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, f"self-test failed:\n{run.stdout}\n{run.stderr}"
    assert "(packaged)" in run.stdout
    # Qt finds its plugins in the installed folder, from the qt.conf PySide6's QtCore registers (the spec drops
    # PyInstaller's PySide6 hook, which set QT_PLUGIN_PATH)
    assert f"; Qt plugins: {INSTALL_DIR}/_internal/PySide6/Qt/plugins)" in run.stdout
    assert "self-test passed" in run.stdout
    for step in ("runtime", "keyring", "emulator", "publish", "schema", "tail", "window"):
        assert f"self-test: {step}: ok" in run.stdout
    unexpected = [line for line in run.stderr.splitlines() if line.strip() and line not in EXPECTED_STDERR]
    assert unexpected == [], "unexpected lines on stderr:\n" + "\n".join(unexpected)
    # keyring's backends were found through its packaged entry points, the Secret Service one among them
    keyring_line = next(line for line in run.stdout.splitlines() if line.startswith("self-test: keyring"))
    assert "SecretService" in keyring_line
    if "DBUS_SESSION_BUS_ADDRESS" in os.environ:
        assert "in use: SecretService" in keyring_line
    assert not (home / ".config" / "topic-inspector").exists()  # the self-test keeps to a temporary folder


def test_installed_command_keeps_a_token_in_the_real_secret_service(install: dict[str, object], tmp_path: Path) -> None:
    if not os.environ.get("TOPIC_INSPECTOR_SECRET_SERVICE"):
        pytest.fail("run under scripts/with-keyring (make test does) for a Secret Service")
    env = clean_env(tmp_path / "home")
    where = ["--base-url", "http://127.0.0.1:9"]

    def cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(COMMAND), *args, *where], input=stdin, env=env, cwd=tmp_path, capture_output=True, text=True
        )

    stored = cli("token", "set", stdin="packaged-app-token-1234\n")
    assert stored.returncode == 0, stored.stderr
    assert "stored in SecretService" in stored.stdout, stored.stdout
    status = cli("token", "status")
    assert status.returncode == 0, status.stderr
    assert "stored in SecretService" in status.stdout, status.stdout
    assert "packaged-app-token-1234" not in stored.stdout + status.stdout + stored.stderr + status.stderr
    removed = cli("token", "delete")
    assert removed.returncode == 0, removed.stderr
    assert "deleted" in removed.stdout
    gone = cli("token", "status")
    assert gone.returncode == 1
    assert "not stored" in gone.stdout


def test_uninstall_leaves_nothing_behind(install: dict[str, object]) -> None:
    answer = apt_get("purge", "topic-inspector")
    assert answer.returncode == 0, answer.stdout + answer.stderr
    assert not installed()
    assert not INSTALL_DIR.exists()
    assert not COMMAND.exists()
    assert not Path(f"/usr/share/applications/{APP_ID}.desktop").exists()
    assert not list(Path("/usr/share/icons/hicolor").glob(f"*/apps/{APP_ID}.*"))
    assert not list(Path("/opt").glob("topic-inspector*"))
