"""The command line's parser and its table of commands.

``COMMANDS`` is where the commands' laziness lives: each command's module as a ``"module:function"`` string and
its line in ``--help``. ``build_parser`` imports the module of the one command on the command line and gives every
other command a stub parser with its help line, so ``topic-inspector --help`` imports no command's module, and a
command's module imports what it uses at its top, heavy or not (the HTTP client, asyncio, the journal).

``inspector.cli.main`` loads this module only for a command line: the window's start needs no parser.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import NamedTuple

from inspector import __version__
from inspector.cli._common import MAIN_EPILOG, Parser, add_command
from inspector.services import load, service_commands

__all__ = ["COMMANDS", "Command", "build_parser", "chosen_command", "parse"]


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


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """``argv`` read by the parser of its command (argparse exits with its usage line on a bad one)."""
    return build_parser(argv).parse_args(argv)
