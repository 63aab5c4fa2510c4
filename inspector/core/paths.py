"""Where the app keeps its files: platformdirs, or one folder given by TOPIC_INSPECTOR_HOME (tests, portable)."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from inspector.core.errors import ValidationError

APP_NAME = "topic-inspector"
HOME_ENV = "TOPIC_INSPECTOR_HOME"


@dataclass(frozen=True, slots=True)
class AppPaths:
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
        return cls(
            Path(platformdirs.user_config_dir(APP_NAME)),
            Path(platformdirs.user_data_dir(APP_NAME)),
            Path(platformdirs.user_cache_dir(APP_NAME)),
            Path(platformdirs.user_log_dir(APP_NAME)),
        )

    def all(self) -> tuple[Path, ...]:
        return (self.config, self.data, self.cache, self.log)


STALE_TEMP_SECS = 600.0  # a write takes milliseconds: a temporary file this old was left by a killed process


def atomic_write(path: Path, data: bytes) -> None:
    """Write a file so a crash leaves either the old or the new content, never a torn one. Temporary files an
    earlier, killed write left beside it are removed (another process's write in progress is far younger)."""
    path.parent.mkdir(parents=True, exist_ok=True)
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
