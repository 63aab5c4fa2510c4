"""The exit codes of ``topic-inspector`` and the error of a command line it cannot run.

Apart from ``_common`` because ``main`` needs them at every start, the window's too, which loads no parser.
"""

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class UsageError(Exception):
    """The command line asks for something the command cannot do (exit 2, nothing sent)."""
