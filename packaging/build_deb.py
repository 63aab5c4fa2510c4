"""Build the Linux package: ``python packaging/build_deb.py`` (what ``make package`` runs).

1. renders the icons (``packaging/icons.py build/icons``),
2. freezes the app with PyInstaller from ``packaging/topic-inspector.spec`` into ``dist/topic-inspector/``,
3. lays out the package: the app under ``/opt/topic-inspector``, the command ``/usr/bin/topic-inspector``, the
   desktop entry, the AppStream metainfo and the hicolor icons under ``/usr/share``,
4. works out ``Depends`` from the system libraries the frozen binaries link (as ``dpkg-shlibdeps`` would),
5. builds ``dist/topic-inspector_VERSION_ARCH.deb`` with ``dpkg-deb`` and checks the size budgets.

Icon caches and the desktop database are refreshed by the triggers of Debian's own packages, so the package
needs no maintainer scripts, and removing it leaves nothing behind. The last line printed is JSON with the
package's path and sizes.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "topic-inspector"
APP_ID = "io.github.topicinspector.TopicInspector"
INSTALL_DIR = Path("/opt") / PACKAGE
MAX_INSTALLED_MB = 150
MAX_DEB_MB = 70
MAINTAINER = "Topic Inspector developers <topic-inspector@users.noreply.github.com>"
DESCRIPTION = """Inspect, publish to and replay event-stream topics
 A desktop app for event-stream topics over HTTP, first for the Workato Event
 Streams API: a live message table fed by long polling, a JSON editor for single
 and batch publishing with a result per item, journaled replay that never sends
 twice, export and import, and tokens kept only in the OS keyring.
 .
 It comes with a local emulator of the API for offline work and a demo
 (topic-inspector --demo); topic-inspector --self-test checks the installation."""
# Libraries every Debian system has (libc6's), which need no line of their own in Depends.
ALWAYS_THERE = {"libc6"}


class BuildError(Exception):
    pass


def run(command: Sequence[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    print("+", " ".join(command), flush=True)
    try:
        return subprocess.run(command, check=True, text=True, **kwargs)  # type: ignore[call-overload,no-any-return]
    except FileNotFoundError:
        raise BuildError(f"{command[0]} is not installed (Debian: dpkg-dev, binutils)") from None
    except subprocess.CalledProcessError as exc:
        raise BuildError(f"{' '.join(command)} failed with status {exc.returncode}") from None


def version() -> str:
    match = re.search(r'__version__ = "([^"]+)"', (ROOT / "inspector" / "__init__.py").read_text(encoding="utf-8"))
    if match is None:
        raise BuildError("no __version__ in inspector/__init__.py")
    return match.group(1)


def freeze(build: Path, dist: Path) -> Path:
    run([sys.executable, str(ROOT / "packaging" / "icons.py"), str(build / "icons")])
    run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(dist),
            "--workpath",
            str(build / "pyinstaller"),
            str(ROOT / "packaging" / "topic-inspector.spec"),
        ],
        cwd=ROOT,
    )
    frozen = dist / PACKAGE
    if not (frozen / PACKAGE).is_file():
        raise BuildError(f"PyInstaller did not produce {frozen / PACKAGE}")
    return frozen


def elf_files(folder: Path) -> Iterable[Path]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(4) == b"\x7fELF":
                    yield path


def system_libraries(frozen: Path) -> set[str]:
    """The libraries outside the bundle that its binaries link, resolved as the frozen app resolves them."""
    bundle_dirs = [frozen / "_internal", frozen / "_internal" / "PySide6" / "Qt" / "lib"]
    env = dict(os.environ, LD_LIBRARY_PATH=os.pathsep.join(str(d) for d in bundle_dirs))
    found: set[str] = set()
    missing: set[str] = set()
    for path in elf_files(frozen):
        listing = subprocess.run(["ldd", str(path)], capture_output=True, text=True, env=env, check=False).stdout
        for line in listing.splitlines():
            parts = line.split()
            if "=>" not in parts:
                continue
            target = parts[parts.index("=>") + 1]
            if target == "not":
                missing.add(parts[0])
            elif not Path(target).resolve().is_relative_to(frozen.resolve()):
                found.add(str(Path(target)))
    if missing:
        raise BuildError(f"libraries found neither in the bundle nor on this system: {', '.join(sorted(missing))}")
    return found


def debian_packages(libraries: Iterable[str]) -> list[str]:
    """``dpkg -S`` for each library (trying the /usr-merged twin of /lib paths)."""
    packages: set[str] = set()
    for library in sorted(libraries):
        candidates = [library]
        if library.startswith("/lib"):
            candidates.append("/usr" + library)
        elif library.startswith("/usr/lib"):
            candidates.append(library.removeprefix("/usr"))
        owner = None
        for candidate in candidates:
            answer = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True, check=False)
            if answer.returncode == 0:
                owner = answer.stdout.split(":", 1)[0].strip()
                break
        if owner is None:
            raise BuildError(f"no Debian package owns {library}: install it from a package before building")
        packages.add(owner)
    return sorted(packages - ALWAYS_THERE)


def layout(frozen: Path, build: Path) -> Path:
    root = build / "deb" / "root"
    if root.exists():
        shutil.rmtree(root)
    app_dir = root / INSTALL_DIR.relative_to("/")
    shutil.copytree(frozen, app_dir, symlinks=True)
    bin_dir = root / "usr" / "bin"
    bin_dir.mkdir(parents=True)
    (bin_dir / PACKAGE).symlink_to(INSTALL_DIR / PACKAGE)
    share = root / "usr" / "share"
    linux = ROOT / "packaging" / "linux"
    for source, target in (
        (linux / f"{APP_ID}.desktop", share / "applications" / f"{APP_ID}.desktop"),
        (linux / f"{APP_ID}.metainfo.xml", share / "metainfo" / f"{APP_ID}.metainfo.xml"),
    ):
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    shutil.copytree(build / "icons" / "hicolor", share / "icons" / "hicolor")
    doc = share / "doc" / PACKAGE
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        f"Upstream-Name: {PACKAGE}\n\nFiles: *\nCopyright: Topic Inspector developers\nLicense: MIT\n"
        " The bundled Python, Qt for Python (PySide6, LGPL-3.0) and Python packages keep their own licenses,\n"
        f" included under {INSTALL_DIR}/_internal.\n",
        encoding="utf-8",
    )
    for path in root.rglob("*"):  # what dpkg installs: root-owned, world-readable, no stray write bits
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() or os.access(path, os.X_OK) else 0o644)
    return root


def tree_size(folder: Path) -> int:
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def control(root: Path, depends: list[str], arch: str) -> None:
    installed_kib = (tree_size(root) + 1023) // 1024
    debian = root / "DEBIAN"
    debian.mkdir()
    (debian / "control").write_text(
        f"Package: {PACKAGE}\n"
        f"Version: {version()}\n"
        f"Architecture: {arch}\n"
        f"Maintainer: {MAINTAINER}\n"
        f"Installed-Size: {installed_kib}\n"
        f"Depends: {', '.join(depends)}\n"
        "Recommends: gnome-keyring | kwalletmanager | keepassxc\n"
        "Section: devel\n"
        "Priority: optional\n"
        "Homepage: https://github.com/topicinspector/topic-inspector\n"
        f"Description: {DESCRIPTION}\n",
        encoding="utf-8",
    )


def build_deb(*, skip_freeze: bool = False) -> dict[str, object]:
    build, dist = ROOT / "build", ROOT / "dist"
    frozen = dist / PACKAGE if skip_freeze else freeze(build, dist)
    arch = run(["dpkg", "--print-architecture"], capture_output=True).stdout.strip()
    depends = debian_packages(system_libraries(frozen))
    root = layout(frozen, build)
    installed = tree_size(root)
    control(root, depends, arch)
    deb = dist / f"{PACKAGE}_{version()}_{arch}.deb"
    deb.unlink(missing_ok=True)
    run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", str(root), str(deb)])
    figures: dict[str, object] = {
        "deb": str(deb),
        "deb_mb": round(deb.stat().st_size / 1e6, 1),
        "installed_mb": round(installed / 1e6, 1),
        "max_deb_mb": MAX_DEB_MB,
        "max_installed_mb": MAX_INSTALLED_MB,
        "depends": depends,
    }
    print(f"package:        {deb}")
    print(f"installed size: {figures['installed_mb']} MB (budget {MAX_INSTALLED_MB} MB)")
    print(f".deb size:      {figures['deb_mb']} MB (budget {MAX_DEB_MB} MB)")
    print(f"depends:        {', '.join(depends)}")
    over = [
        f"{what} {size} MB is over its {limit} MB budget"
        for what, size, limit in (
            ("the installed size", installed / 1e6, MAX_INSTALLED_MB),
            ("the .deb", deb.stat().st_size / 1e6, MAX_DEB_MB),
        )
        if size > limit
    ]
    if over:
        raise BuildError("; ".join(over))
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the Topic Inspector .deb (Debian, Ubuntu).")
    parser.add_argument("--skip-freeze", action="store_true", help="package dist/topic-inspector as it is")
    args = parser.parse_args(argv)
    if shutil.which("dpkg-deb") is None:
        print("error: dpkg-deb is missing: the .deb is built on Debian or Ubuntu (package dpkg)", file=sys.stderr)
        return 1
    try:
        figures = build_deb(skip_freeze=args.skip_freeze)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
