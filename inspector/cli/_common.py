"""What every command shares: exit codes, the parser class and its help's examples, connection options and the
connection they make, the token source, the service check of a profile, topics by name or id, input reading and
the printers of words and JSON lines.

Light on purpose: every command line (``--help`` too) loads it for the parser, so it must not load the HTTP
client, asyncio or the keyring; their types are the type checker's only. The exit codes and ``UsageError`` live in
``inspector.cli.exits`` (the window's start loads those, not this) and are named here too.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from inspector.cli.exits import EXIT_FAILED as EXIT_FAILED
from inspector.cli.exits import EXIT_INTERRUPTED as EXIT_INTERRUPTED
from inspector.cli.exits import EXIT_OK as EXIT_OK
from inspector.cli.exits import EXIT_USAGE as EXIT_USAGE
from inspector.cli.exits import UsageError as UsageError
from inspector.core.errors import InspectorError, ValidationError
from inspector.core.network import (
    NetworkSettings,
    check_ca_file,
    check_proxy_url,
    configure,
    proxy_account,
    proxy_user,
)
from inspector.core.paths import read_text_file
from inspector.core.profiles import Profile, ProfileStore, check_profile
from inspector.core.regions import REGIONS, Endpoint, custom_endpoint, region
from inspector.core.secrets import (
    TOKEN_ENV,
    KeyringStore,
    KeyringToken,
    checked_token,
    env_token,
    remember_token,
)
from inspector.core.services import SERVICES
from inspector.core.terminal import dumps, escape_text

if TYPE_CHECKING:
    from inspector.core.http import TokenSource
    from inspector.core.topic_names import NamedTopic

# The commands a profile of each service is for: said when a profile is given to another service's command.
USED_BY: dict[str, str] = {
    "workato": "'consume', 'publish', 'replay' and 'topics'",
    "qala": "'qala publish' and 'qala session-token'",
    "boomi": "'boomi subscriptions'",
    "messaging": "'messages watch' and 'messages post'",
}


# A command's arguments in an old spelling read as today's, with the line that says the old one is going (None:
# they were today's). It raises UsageError for old words that have no spelling today.
Respelling = Callable[[list[str]], tuple[list[str], str | None]]


class HelpFormatter(argparse.HelpFormatter):
    """argparse's own, except that a paragraph with indented lines (an epilog's examples) keeps its lines as they
    are; the other paragraphs are filled to the terminal's width as before."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        paragraphs = re.split(r"\n[ \t]*\n", text.strip("\n"))
        return "\n\n".join(
            "\n".join(indent + line for line in paragraph.splitlines())
            if any(line.startswith(" ") for line in paragraph.splitlines())
            else super(HelpFormatter, self)._fill_text(paragraph, width, indent)
            for paragraph in paragraphs
        )


class Parser(argparse.ArgumentParser):
    """An argument parser whose error line shows the user's words escaped (they may hold terminal controls).

    ``respell`` keeps a command's old spellings working for a release: the namespace's ``deprecated`` holds the
    line to say (``main`` says it before running the command)."""

    def __init__(self, *args: Any, respell: Respelling | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)
        self.respell = respell

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if self.respell is None:
            return super().parse_known_args(args, namespace)
        try:
            words, deprecated = self.respell(list(sys.argv[1:] if args is None else args))
        except UsageError as exc:
            self.error(str(exc))
        namespace = argparse.Namespace() if namespace is None else namespace
        namespace.deprecated = deprecated
        return super().parse_known_args(words, namespace)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {escape_text(message)}\n")


if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[Parser]  # add_subparsers(): the parsers of a command's modes
else:
    Subparsers = argparse._SubParsersAction


def add_command(subparsers: Subparsers, name: str, **kwargs: Any) -> Parser:
    """A command (or one mode of a command) on ``subparsers``, taking ``-v`` after its name as well."""
    parser = subparsers.add_parser(name, **kwargs)
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help="log details to standard error (tokens are redacted)",
    )
    return parser


def add_modes(parser: argparse.ArgumentParser, dest: str, what: str = "MODE") -> Subparsers:
    """The subcommands of a command (``profile add|list|remove``): one of them is required."""
    return parser.add_subparsers(dest=dest, metavar=what, required=True, parser_class=Parser)


# ----- the help's examples --------------------------------------------------------------------------------------
TOKEN_NOTE = (
    f"The token: {TOKEN_ENV} when it is set (for scripts and CI), else the one stored in the OS keyring for the "
    "connection with 'topic-inspector token set'."
)
TOPIC_NOTE = (
    "A TOPIC is a topic id or a topic's name: a name is looked up in the topics the window saved for the profile, "
    "then through the Developer API's topic list."
)

# 'topic-inspector --help': an example per command (the command modules are not loaded for it).
MAIN_EPILOG = "\n\n".join(
    (
        "examples:\n"
        "  topic-inspector --demo\n"
        "  topic-inspector consume orders --profile Local --since 2h\n"
        "  echo '{\"id\": 1}' | topic-inspector publish orders --profile Local\n"
        "  topic-inspector replay start missed.jsonl --to orders --profile Local\n"
        "  topic-inspector topics list --region eu\n"
        "  topic-inspector archive search 'order 1234' --since 7d\n"
        "  topic-inspector qala publish events.json --profile Qala --topic orders\n"
        "  topic-inspector boomi subscriptions list --profile Boomi\n"
        "  topic-inspector messages watch APP --profile Messages\n"
        "  topic-inspector token set --profile Local\n"
        "  topic-inspector profile add Local --base-url http://127.0.0.1:9300\n"
        "  topic-inspector emulator",
        "Each command's --help has more examples: topic-inspector consume --help.",
        TOKEN_NOTE,
    )
)


def examples(parser: argparse.ArgumentParser, *lines: str, notes: Sequence[str] = (), token: bool = True) -> None:
    """The end of a command's --help: its examples (one command line each), ``notes``, and where the token comes
    from (``token``: the command sends one)."""
    shown = "examples:\n" + "\n".join(f"  {line}" for line in lines)
    parser.epilog = "\n\n".join((shown, *notes, *([TOKEN_NOTE] if token else [])))


# ----- connection options ---------------------------------------------------------------------------------------
def add_connection(parser: argparse.ArgumentParser) -> None:
    """Where a Workato command connects: a region, a base URL of one's own, or a saved profile."""
    group = parser.add_argument_group("connection (choose one)")
    where = group.add_mutually_exclusive_group()
    where.add_argument("--region", metavar="R", help=f"one of: {', '.join(REGIONS)}")
    where.add_argument("--base-url", metavar="URL", help="a base URL of your own, such as the local emulator")
    where.add_argument("--profile", metavar="P", help="a saved profile (see 'topic-inspector profile')")
    group.add_argument("--rate-limit", metavar="RPM", type=int, help="requests per minute (default: the region's)")
    add_network_options(group)


def add_service_connection(
    parser: argparse.ArgumentParser, *, environment: bool = False, account: bool = False
) -> None:
    """Where a command of another service connects: a profile of that service, or its address and options."""
    group = parser.add_argument_group("connection (choose one)")
    where = group.add_mutually_exclusive_group()
    where.add_argument("--profile", metavar="P", help="a saved profile of this service")
    where.add_argument("--base-url", metavar="URL", help="the service's address")
    if environment:
        group.add_argument("--environment", metavar="GUID", help="with --base-url: the environment id")
    if account:
        group.add_argument("--account", metavar="ID", help="with --base-url: the account id")
    group.add_argument("--rate-limit", metavar="RPM", type=int, help="requests per minute (default 60)")
    add_network_options(group)


def add_network_options(group: argparse._ActionsContainer) -> None:
    group.add_argument(
        "--proxy",
        metavar="URL",
        help="an HTTP proxy for https base URLs, http://[user@]host:port; its password is read from the keyring "
        "(default: the profile's, else HTTPS_PROXY or ALL_PROXY, except for the hosts in NO_PROXY)",
    )
    group.add_argument(
        "--ca-bundle",
        metavar="FILE",
        help="a PEM file of CA certificates to trust besides the system's (your company's CA); SSL_CERT_FILE and "
        "REQUESTS_CA_BUNDLE add theirs too (default: the profile's)",
    )


# ----- the connection -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Connection:
    endpoint: Endpoint
    account: str  # where the token lives in the keyring
    legacy_account: str | None = None  # where an earlier build kept it
    network: NetworkSettings = field(default_factory=NetworkSettings)  # the proxy and CA bundle of its clients


def keyring() -> KeyringStore:
    """The commands' keyring (a test swaps this module's ``KeyringStore`` for one in memory)."""
    return KeyringStore()


def connection(args: argparse.Namespace, *, service: str | None = "workato") -> Connection:
    """The connection of ``add_connection``'s options. A profile of another service than ``service`` is refused
    (``None``: any, as ``token`` stores the token of any profile)."""
    rpm = args.rate_limit
    if rpm is not None and rpm < 0:
        raise ValidationError("must be 0 (off) or more", where="--rate-limit")
    if args.profile:
        profile = ProfileStore().get(args.profile)
        if service is not None:
            check_service(profile, service, args.command)
        if rpm is not None:
            profile = replace(profile, rate_limit_rpm=rpm)
        return Connection(profile.endpoint(), profile.account, profile.legacy_account, network(args, profile))
    if args.base_url:
        endpoint = custom_endpoint(args.base_url, **({} if rpm is None else {"rate_limit_rpm": rpm}))
    elif args.region:
        endpoint = region(args.region)
        if rpm is not None:
            endpoint = replace(endpoint, rate_limit_rpm=rpm)
    else:
        raise UsageError("choose where to connect: --region R, --base-url URL or --profile P")
    return Connection(endpoint, f"endpoint:{endpoint.events_url}", network=network(args, None))


def check_service(profile: Profile, service: str, command: str) -> None:
    """A command speaks one service's API: a profile of another service is refused in words, before any request."""
    if profile.service == service:
        return
    wanted = SERVICES[service].label
    raise ValidationError(
        f"is a {profile.service_label} profile, not a {service} one: '{command}' speaks to {wanted}",
        where=f"profile {profile.name!r}",
        hint=f"use it with {USED_BY.get(profile.service, 'its own commands')}; for '{command}', a profile added "
        f"with 'topic-inspector profile add NAME --service {service} ...'",
    )


def service_connection(args: argparse.Namespace, service: str) -> tuple[Profile, TokenSource]:
    """The profile of ``add_service_connection``'s options (named, or made of --base-url and the service's
    options; checked either way) and the token for it."""
    if args.profile:
        profile = ProfileStore().get(args.profile)
        check_service(profile, service, args.command)
    elif args.base_url:
        profile = Profile(
            f"{service}:{args.base_url}",
            "custom",
            args.base_url,
            service=service,
            environment_id=getattr(args, "environment", None),
            account_id=getattr(args, "account", None),
            workflow_container=bool(getattr(args, "workflow_container", False)),
        )
    else:
        raise ValidationError("no connection", where="--profile or --base-url", hint="give one of the two")
    profile = check_profile(profile)
    if args.rate_limit is not None:
        if args.rate_limit < 0:
            raise ValidationError("must be 0 (off) or more", where="--rate-limit")
        profile = replace(profile, rate_limit_rpm=args.rate_limit)
    account = profile.account if args.profile else f"endpoint:{profile.endpoint().events_url}"
    legacy = profile.legacy_account if args.profile else None
    conn = Connection(profile.endpoint(), account, legacy, network(args, profile))
    return profile, token_source(conn)


def network(args: argparse.Namespace, profile: Profile | None) -> NetworkSettings:
    """``--proxy`` and ``--ca-bundle``, else the profile's, with the proxy's password from the keyring: used by
    every client this command makes (``configure``); the environment's proxies and CAs come on top."""
    proxy, proxy_where = getattr(args, "proxy", None), "--proxy"
    ca_bundle, ca_where = getattr(args, "ca_bundle", None), "--ca-bundle"
    if profile is not None and not proxy and profile.proxy:
        proxy, proxy_where = profile.proxy, f"profile {profile.name!r} proxy"
    if profile is not None and not ca_bundle and profile.ca_bundle:
        ca_bundle, ca_where = profile.ca_bundle, f"profile {profile.name!r} CA bundle"
    settings = NetworkSettings(
        check_proxy_url(proxy, where=proxy_where) if proxy else None,
        check_ca_file(ca_bundle, where=ca_where) if ca_bundle else None,
    )
    if settings.proxy and proxy_user(settings.proxy):
        password = keyring().get(proxy_account(settings.proxy))
        settings = replace(settings, proxy_password=password)
    configure(settings)
    return settings


def token_source(conn: Connection) -> TokenSource:
    """``TOPIC_INSPECTOR_TOKEN``, else the keyring's token as a source read again for each request, so a long
    ``consume --follow`` or ``replay`` does not hold the token between requests."""
    token = env_token()
    if token:
        return checked_token(token, f"the token in {TOKEN_ENV}")
    store = keyring()
    stored = store.get_moving(conn.account, conn.legacy_account)
    if stored:
        label = conn.endpoint.label
        fingerprint = remember_token(checked_token(stored, f"the token of {label} in {store.backend_name}"))
        return KeyringToken(store, conn.account, fingerprint=fingerprint, label=label)
    raise InspectorError(
        f"no token for {conn.endpoint.label}",
        hint=f"store one with 'topic-inspector token set' and the same connection options, or set {TOKEN_ENV}",
    )


# ----- topics by name or id -------------------------------------------------------------------------------------
def check_topic(text: str, *, where: str = "topic") -> None:
    """Refuse, before a token is asked for, a TOPIC that is neither an id nor a name ('0', '-1', '1.5', '')."""
    from inspector.core.topic_names import topic_id_in  # light, but only for the commands that take a topic

    topic_id_in(text, where=where)


async def find_topic(
    args: argparse.Namespace, conn: Connection, token: TokenSource, text: str, *, where: str = "topic"
) -> NamedTopic:
    """The topic a TOPIC argument names: an id (digits, or a topic's address) as it is; a name from the topics the
    window saved for ``--profile``, else from the Developer API's topic list. A name that matches nothing, or
    several topics, is a ``ValidationError`` (exit 2) that lists the close names or the ids."""
    from inspector.core.topic_names import NamedTopic, resolve_topic, saved_topics

    profile = getattr(args, "profile", None)
    place = f"in profile {profile!r}" if profile else f"at {conn.endpoint.label}"
    name = text.strip()
    shown = repr(name) if len(name) <= 40 else f"{name[:30]!r}…"

    async def listed() -> list[NamedTopic]:
        from inspector.core.services.workato import DeveloperApiClient  # the HTTP client: only to look a name up

        try:
            async with DeveloperApiClient(conn.endpoint, token) as client:
                return [NamedTopic(topic.id, topic.name) for topic in await client.list_topics()]
        except ValidationError:
            raise
        except InspectorError as exc:
            instead = "give the topic's id instead of its name"
            raise InspectorError(
                f"cannot look up the topic named {shown} {place}: the Developer API's topic list failed: {exc.message}",
                hint=f"{exc.hint}; or {instead}" if exc.hint else instead,
            ) from exc

    return await resolve_topic(
        text,
        where=where,
        place=place,
        saved=saved_topics(profile) if profile else (),
        list_topics=listed,
        hint=f"{shown} is not a topic id either (ids are digits); 'topic-inspector topics list' with the same "
        "connection options lists the names",
    )


def count(number: int, one: str, many: str | None = None) -> str:
    """``1 message``, ``2 messages``: a number and its noun, singular or plural."""
    return f"{number} {one if number == 1 else (many or one + 's')}"


# ----- input and output -----------------------------------------------------------------------------------------
def read_input(source: str) -> str:
    """The text of FILE, or of standard input for ``-`` (refused when it is a terminal: nothing was piped)."""
    if source == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise UsageError("give a FILE to publish, or pipe JSON into standard input")
        return sys.stdin.read()
    return read_text_file(Path(source).expanduser())


def source_name(source: str) -> str:
    return "standard input" if source == "-" else source


def write_out(data: bytes) -> None:
    """Bytes on standard output as they are (UTF-8 whatever the locale), after any text already written."""
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def json_line(row: Any) -> None:
    """One JSON line on standard output (terminal controls escaped), flushed: a pipe sees it at once."""
    sys.stdout.write(dumps(row) + "\n")
    sys.stdout.flush()
