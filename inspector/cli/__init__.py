"""``topic-inspector``: the GUI with no arguments; headless commands over the same core otherwise.

Each command lives in a module of its own (``inspector.cli.consume``...) with ``add(parser)``, which fills the
command's parser and sets ``run``: the function ``main`` calls with the parsed arguments.

Start-up laziness lives in tables: ``STARTS`` here names, as ``"module:function"`` strings, what ``main`` starts:
the parser (``inspector.cli.commands``, whose ``COMMANDS`` names each command's module), the window, the
self-test, the terminal demo and the crash report. So the window starts without loading argparse or any
command's code, and ``topic-inspector --help`` without any command's module. The window's own table is
``inspector.ui.later``.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from inspector.cli.exits import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, UsageError
from inspector.core import redact
from inspector.core.errors import InspectorError, PublishInputError, ValidationError
from inspector.core.terminal import escape_text, say
from inspector.services import load
from inspector.ui import has_screen

if TYPE_CHECKING:
    import argparse

__all__ = ["EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE", "STARTS", "main"]


# What main starts besides a command, as "module:function", imported only when it starts.
STARTS: dict[str, str] = {
    "command line": "inspector.cli.commands:parse",  # argparse and the parser's table of commands
    "Qt": "inspector.ui.qt:import_qt",  # PySide6, first, without its __feature__ import hook
    "window": "inspector.ui.app:run",  # the window
    "self-test": "inspector.ui.selftest:run_self_test",  # Qt, the emulator, the keyring's backends
    "terminal demo": "inspector.cli.demo:run_terminal_demo",  # the emulator and the HTTP client
    "crash report": "inspector.core.crash:write_report",  # only on a bug
    "known tokens": "inspector.core.crash:known_tokens",
}


class _EscapingFormatter(logging.Formatter):
    """Log lines on standard error show a server's words, never obey them (``terminal.escape_text``)."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return escape_text(super().formatMessage(record))


def _setup_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_EscapingFormatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(redact.RedactingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    if not verbose:
        logging.getLogger("httpx").setLevel(logging.WARNING)
    # qasync's executor logs the arguments and results of what runs in its threads at DEBUG: keyring reads and
    # writes, whose argument or result is a token that no filter can recognise as one.
    logging.getLogger("qasync").setLevel(logging.INFO)


def _run_gui(demo: bool) -> int:
    if not has_screen():
        if demo:
            print(
                "No screen here (DISPLAY and WAYLAND_DISPLAY are unset): running the demo in the terminal.",
                file=sys.stderr,
            )
            return int(load(STARTS["terminal demo"])())
        say(
            "error: no screen to open the window on (DISPLAY and WAYLAND_DISPLAY are unset)",
            "  hint: run it in a desktop session, or use the commands ('topic-inspector --help')",
        )
        return EXIT_FAILED
    # Until the window is shown, nearly all that is made lives as long as the app (modules, classes, Qt's
    # wrappers): the garbage collector's passes over it are wasted. The window turns it back on once shown and
    # frozen (inspector.ui.app.freeze_startup_objects).
    gc.disable()
    load(STARTS["Qt"])()
    return int(load(STARTS["window"])(demo=demo))


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    window = not argv or argv == ["--demo"]
    args = None if window else load(STARTS["command line"])(argv)
    _setup_logging(bool(args and args.verbose))
    try:
        return _run_gui(demo=bool(argv)) if args is None else _dispatch(args)
    except KeyboardInterrupt:
        say("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except PublishInputError as exc:
        for problem in exc.problems[:20]:
            say(f"error: {problem.message}")
        if len(exc.problems) > 20:
            say(f"... and {len(exc.problems) - 20} more")
        say("nothing was sent")
        return EXIT_USAGE
    except (UsageError, ValidationError) as exc:
        _say_error(exc)
        return EXIT_USAGE
    except InspectorError as exc:
        _say_error(exc)
        return EXIT_FAILED
    except Exception as exc:  # noqa: BLE001 - a bug: reported in a file rather than as a traceback
        return _crashed(exc, getattr(args, "command", None))


def _say_error(error: Exception) -> None:
    """An error on standard error: its message and its hint, each one line with the server's words escaped."""
    hint = error.hint if isinstance(error, InspectorError) else ""
    say(f"error: {error.message if isinstance(error, InspectorError) else error}", *([f"  hint: {hint}"] * bool(hint)))


def _crashed(error: Exception, command: str | None) -> int:
    where = f"the command 'topic-inspector {command}'" if command else "the window"
    try:
        path = load(STARTS["crash report"])(error, where, tokens=load(STARTS["known tokens"])())
    except OSError as exc:
        say(f"error: unexpected {type(error).__name__} in {where} (no crash report: {exc})")
        return EXIT_FAILED
    say(
        f"error: unexpected {type(error).__name__} in {where}; this is a bug in Topic Inspector",
        f"  hint: a crash report was saved to {path} (it holds no token); please send it with what you did",
    )
    return EXIT_FAILED


def _dispatch(args: argparse.Namespace) -> int:
    if args.self_test or args.demo:
        if args.command is not None or (args.self_test and args.demo):
            raise UsageError("--self-test and --demo take no command")
        if args.demo:
            return _run_gui(demo=True)
        return int(load(STARTS["self-test"])())
    if args.command is None:
        return _run_gui(demo=False)
    if args.deprecated:
        say(args.deprecated)
    run: Callable[[argparse.Namespace], int] = args.run
    return run(args)
