"""Where the app keeps its files: the platform's folders, or one folder given by TOPIC_INSPECTOR_HOME (tests,
portable). On Linux and the BSDs these are the XDG Base Directory folders, worked out here (the rule is short, and
platformdirs takes about 5 ms to import before the window's first frame: bench/startup.py); on macOS and Windows,
platformdirs'."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from inspector.core import later
from inspector.core.errors import ValidationError

APP_NAME = "topic-inspector"
HOME_ENV = "TOPIC_INSPECTOR_HOME"


@dataclass(frozen=True)  # no slots: made twice, and the window imports this module before it is shown
class AppPaths:
    """The app's folders: the platform's, or all under ``TOPIC_INSPECTOR_HOME`` when it is set."""

    config: Path
    data: Path
    cache: Path
    log: Path

    @classmethod
    def current(cls) -> AppPaths:
        home = os.environ.get(HOME_ENV)
        if home:
            root = Path(home)
            return cls(root / "config", root / "data", root / "cache", root / "log")
        if sys.platform in ("darwin", "win32"):
            dirs = later.platformdirs
            return cls(
                Path(dirs.user_config_dir(APP_NAME)),
                Path(dirs.user_data_dir(APP_NAME)),
                Path(dirs.user_cache_dir(APP_NAME)),
                Path(dirs.user_log_dir(APP_NAME)),
            )
        return cls(
            _xdg("XDG_CONFIG_HOME", ".config"),
            _xdg("XDG_DATA_HOME", ".local/share"),
            _xdg("XDG_CACHE_HOME", ".cache"),
            _xdg("XDG_STATE_HOME", ".local/state") / "log",  # the log folder in the state one, as platformdirs has it
        )

    def all(self) -> tuple[Path, ...]:
        return (self.config, self.data, self.cache, self.log)

    @property
    def demo(self) -> Path:
        """The window's demo keeps its own profiles, workspace, drafts and replay jobs here (never the user's):
        kept between demo runs, so the next one reopens the tabs left open. The emulator's data is not: it is
        a temporary database, deleted when the demo ends."""
        return self.data / "demo"


def _xdg(variable: str, default: str) -> Path:
    """The app's folder in an XDG base folder: ``variable`` when it holds an absolute path (the spec ignores a
    relative one), else ``default`` in the home folder. The same folders as platformdirs' (tests/unit/test_paths.py)."""
    base = os.environ.get(variable, "")
    return Path(base if os.path.isabs(base) else Path(_home(), default), APP_NAME)


def _home() -> str:
    """``HOME`` when it is an absolute path; else the account's home folder."""
    home = os.environ.get("HOME", "")
    return home if os.path.isabs(home) else later.pwd.getpwuid(os.getuid()).pw_dir


PRIVATE_DIR = 0o700  # the app's folders: only their owner may list or enter them
PRIVATE_FILE = 0o600  # the app's files (tokens are not in them, but payloads, ids and names are)
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")  # files SQLite keeps beside a database, with the same data


def _app_folders() -> tuple[Path, ...]:
    """The folders the app owns whole: ``TOPIC_INSPECTOR_HOME``, or each platform folder from its
    ``topic-inspector`` part down (``~/.local/state/topic-inspector``, not ``~/.local/state``)."""
    home = os.environ.get(HOME_ENV)
    if home:
        return (Path(os.path.abspath(home)),)
    roots = []
    for folder in AppPaths.current().all():
        folder = Path(os.path.abspath(folder))
        named = [p for p in (folder, *folder.parents) if p.name == APP_NAME]
        roots.append(named[-1] if named else folder)
    return tuple(roots)


def _tighten(path: Path, mode: int) -> None:
    """Set ``path``'s permissions to ``mode`` when they differ; a path of another user's is left as it is."""
    with contextlib.suppress(OSError):
        if path.stat().st_mode & 0o777 != mode:
            os.chmod(path, mode)


def ensure_private_dir(path: Path) -> Path:
    """Make the folder ``path`` and its missing parents 0700, whatever the umask; tighten the app's own folders
    (see ``_app_folders``) on the way to 0700 too, as an earlier version left them 0755. Other folders that
    exist already (the one the user exports to) are left as they are. Returns ``path``."""
    path = Path(path)
    missing: list[Path] = []
    probe = path
    while not probe.is_dir() and probe.parent != probe:
        missing.append(probe)
        probe = probe.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            if not folder.is_dir():  # a file, or a link to nowhere, of that name
                raise
            continue  # another process made it a moment ago: tightened below if it is the app's
        os.chmod(folder, PRIVATE_DIR)  # mkdir's mode lost what the umask took away
    absolute = Path(os.path.abspath(path))
    roots = _app_folders()
    for folder in (absolute, *absolute.parents):
        if not any(folder == root or root in folder.parents for root in roots):
            break
        _tighten(folder, PRIVATE_DIR)
    return path


def private_file(path: Path, *, companions: tuple[str, ...] = ()) -> Path:
    """Make sure ``path`` is a file only its owner may read or write (0600, whatever the umask) in a private
    folder, before a library opens it by name (SQLite, a log). An existing file is tightened, and so are the
    files beside it named ``path`` plus one of ``companions`` (``SQLITE_COMPANIONS``: SQLite creates those with
    the database's own permissions). Returns ``path``."""
    path = Path(path)
    ensure_private_dir(path.parent)
    os.close(os.open(path, os.O_RDONLY | os.O_CREAT, PRIVATE_FILE))  # creates it, never truncates it
    for name in (path, *(path.with_name(path.name + suffix) for suffix in companions)):
        _tighten(name, PRIVATE_FILE)
    return path


STALE_TEMP_SECS = 600.0  # a write takes milliseconds: a temporary file this old was left by a killed process


def atomic_write(path: Path, data: bytes) -> None:
    """Write a file so a crash leaves either the old or the new content, never a torn one. Temporary files an
    earlier, killed write left beside it are removed (another process's write in progress is far younger).
    The file is private (0600, from ``mkstemp``); so is a folder made for it (see ``ensure_private_dir``)."""
    ensure_private_dir(path.parent)
    now = time.time()
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        with contextlib.suppress(OSError):
            if now - stale.stat().st_mtime > STALE_TEMP_SECS:
                stale.unlink()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if hasattr(os, "O_DIRECTORY"):
        dir_fd = os.open(path.parent, os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


# Byte order marks of the encodings a file saved "as Unicode" is often in; UTF-32 first (it starts like UTF-16).
_OTHER_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


def read_text_file(path: Path) -> str:
    """A UTF-8 text file the user chose; every failure is a ``ValidationError`` naming the file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ValidationError("cannot read the file: no such file", where=str(path)) from None
    except OSError as exc:
        raise ValidationError(f"cannot read the file ({exc.strerror or exc})", where=str(path)) from None
    except ValueError:  # a NUL character in the name
        raise ValidationError("cannot read the file: its name holds a NUL character", where=repr(str(path))) from None
    for bom, encoding in _OTHER_BOMS:
        if data.startswith(bom):
            raise ValidationError(
                f"is {encoding} text, not UTF-8", where=str(path), hint="save the file as UTF-8 and open it again"
            )
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ValidationError(
            f"is not a text file: it holds a NUL byte (byte {nul})",
            where=str(path),
            hint="choose a JSON or JSON Lines file saved as UTF-8 (UTF-16 text without a byte order mark reads so too)",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ValidationError(
            f"is not UTF-8 text (byte {exc.start}, line {line})",
            where=str(path),
            hint="save the file as UTF-8 (it may be in Latin-1 or Windows-1252)",
        ) from None
    # What reading in text mode did before: universal newlines.
    return text.replace("\r\n", "\n").replace("\r", "\n")
