"""``topic-inspector``: the GUI with no arguments; headless commands over the same core otherwise.

Each command lives in a module of its own (``inspector.cli.consume``...) with ``add(parser)``, which fills the
command's parser and sets ``run``: the function ``main`` calls with the parsed arguments.

Start-up laziness lives in ``COMMANDS``: each command's module as a ``"module:function"`` string and its line in
``--help``; and in ``STARTS``, the same for the window, the self-test, the terminal demo and the crash report.
``main`` imports the module of the one command on its command line and gives every other command a stub parser
with its help line. So ``topic-inspector --help`` (and the window) imports no command's module, and a command's
module imports what it uses at its top, heavy or not (the HTTP client, asyncio, the journal). The window's own
table is ``inspector.ui.later``.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Callable, Sequence
from typing import NamedTuple

from inspector import __version__
from inspector.cli._common import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    MAIN_EPILOG,
    Parser,
    UsageError,
    add_command,
)
from inspector.core import redact
from inspector.core.errors import InspectorError, PublishInputError, ValidationError
from inspector.core.terminal import escape_text, say
from inspector.services import load, service_commands
from inspector.ui import has_screen

__all__ = ["COMMANDS", "EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE", "build_parser", "main"]


class Command(NamedTuple):
    path: str  # "module:function" that fills the command's parser (imported only when the command is chosen)
    help: str  # its line in 'topic-inspector --help'


# The commands, in the order of --help. The services' commands come from the registry (inspector.services).
COMMANDS: dict[str, Command] = {
    **{name: Command(*row) for name, row in service_commands().items()},
    "token": Command("inspector.cli.token:add", "store, check or delete a token in the OS keyring"),
    "profile": Command("inspector.cli.profile:add", "add, list or remove connection profiles"),
    "archive": Command("inspector.cli.archive:add", "search, import and prune the archive of received messages"),
    "emulator": Command("inspector.cli.emulator:add", "run the local emulator of the Workato Event Streams API"),
}

# What main starts besides a command, as "module:function", imported only when it starts.
STARTS: dict[str, str] = {
    "window": "inspector.ui.app:run",  # Qt
    "self-test": "inspector.ui.selftest:run_self_test",  # Qt, the emulator, the keyring's backends
    "terminal demo": "inspector.cli.demo:run_terminal_demo",  # the emulator and the HTTP client
    "crash report": "inspector.core.crash:write_report",  # only on a bug
    "known tokens": "inspector.core.crash:known_tokens",
}


def chosen_command(argv: Sequence[str]) -> str | None:
    """The command a command line runs: its first word that is not an option (the options before a command take no
    value), if that word names one."""
    word = next((word for word in argv if not word.startswith("-")), None)
    return word if word in COMMANDS else None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser of ``topic-inspector``: for ``argv``, the full parser of its command only and a stub with the help
    line for each other (enough for ``--help`` and argparse's "invalid choice"); without, every command's in full."""
    parser = Parser(
        prog="topic-inspector", description="Inspect, publish to and replay event-stream topics.", epilog=MAIN_EPILOG
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to standard error")
    parser.add_argument(
        "--demo", action="store_true", help="open the window on the built-in emulator with live sample traffic"
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help=(
            "check this installation: publish to and tail the built-in emulator, load the keyring backends and "
            "open the window (offscreen without a screen); exit 0 when all passed"
        ),
    )
    parser.set_defaults(run=None, deprecated=None)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    filled = set(COMMANDS) if argv is None else {chosen_command(argv)}
    for name, command in COMMANDS.items():
        command_parser = add_command(commands, name, help=command.help)  # a stub, unless filled here
        if name in filled:
            load(command.path)(command_parser)
    return parser


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
    return int(load(STARTS["window"])(demo=demo))


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    window = not argv or argv == ["--demo"]
    args = None if window else build_parser(argv).parse_args(argv)
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
