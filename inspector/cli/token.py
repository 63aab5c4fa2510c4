"""``topic-inspector token set|delete|status``: a connection's token in the OS keyring."""

from __future__ import annotations

import argparse
import getpass
import sys

from inspector.cli._common import EXIT_FAILED, EXIT_OK, Parser, add_connection, connection, examples, keyring
from inspector.core.secrets import TOKEN_ENV, check_token_text, env_token
from inspector.core.terminal import say


def add(token: Parser) -> None:
    token.description = (
        f"Tokens are read from standard input or a hidden prompt and kept only in the OS keyring. {TOKEN_ENV} "
        "overrides the keyring for scripts and CI."
    )
    token.add_argument("action", choices=["set", "delete", "status"])
    add_connection(token)
    examples(
        token,
        "topic-inspector token set --profile Local",
        "printf '%s' \"$TOKEN\" | topic-inspector token set --region eu",
        "topic-inspector token status --profile Local",
        "topic-inspector token delete --profile Local",
        notes=(f"Scripts and CI can skip the keyring: {TOKEN_ENV}=... topic-inspector consume orders --region eu",),
        token=False,
    )
    token.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    conn = connection(args, service=None)  # a token of any service's profile
    store = keyring()
    if args.action == "status":
        stored = store.get_moving(conn.account, conn.legacy_account) is not None
        where = f"stored in {store.backend_name}" if stored else "not stored"
        say(f"token for {conn.endpoint.label}: {where}", file=sys.stdout)
        if not store.is_system:
            say(store.warning(), file=sys.stdout)
        if env_token():
            say(f"{TOKEN_ENV} is set and overrides the keyring in this shell", file=sys.stdout)
        return EXIT_OK if stored else EXIT_FAILED
    if args.action == "delete":
        removed = store.delete(conn.account)
        say(f"token for {conn.endpoint.label}: {'deleted' if removed else 'none was stored'}", file=sys.stdout)
        return EXIT_OK
    if sys.stdin is not None and not sys.stdin.isatty():
        text = sys.stdin.readline()
    else:
        text = getpass.getpass(f"Token for {conn.endpoint.label} (input hidden): ")
    token = check_token_text(text)
    store.set(conn.account, token)
    say(f"token for {conn.endpoint.label}: stored in {store.backend_name}", file=sys.stdout)
    return EXIT_OK
