"""What the archive's window parts share: the app's archive (opened off the UI thread), a call into it off the UI
thread, and the words for an archived topic (its profile and saved name, or its address)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from inspector.core.archive import IMPORT_PREFIX, IMPORT_TOPIC, Archive, ArchiveError, default_path, profile_address
from inspector.core.services import CONSUME

if TYPE_CHECKING:
    from inspector.core.profiles import Profile
    from inspector.ui.context import AppContext

T = TypeVar("T")


async def app_archive(ctx: AppContext) -> Archive:
    """The window's archive (the context's, which its tabs write through), opened off the UI thread on first use.
    Raises ``ArchiveError`` with the words of why it cannot be opened."""
    archive = await ctx.open_archive()
    if archive is None:
        raise ArchiveError(ctx.archive_problem or "the message archive cannot be opened")
    return archive


OFF_AND_EMPTY = "The archive is off (File → Archive settings…) and holds nothing."


async def kept_archive(ctx: AppContext) -> Archive | None:
    """The window's archive, unless it is off and was never made: then None (nothing is kept, and reading it would
    make it)."""
    if not ctx.workspace.archive.enabled:
        path = ctx.archive_path or default_path()
        if not await asyncio.to_thread(path.exists):
            return None
    return await app_archive(ctx)


async def off_thread(archive: Archive, call: Callable[[Archive], T]) -> T:
    """``call(archive)`` in a worker thread of its own: a search, an import or a prune may take seconds, and the
    context's reader thread (``AppContext.archive_call``) is the topic tabs' history."""
    return await asyncio.to_thread(call, archive)


def topic_profiles(ctx: AppContext) -> dict[str, list[Profile]]:
    """The profiles that read topics, by the address the archive files their topics under."""
    found: dict[str, list[Profile]] = {}
    for profile in ctx.profiles():
        if CONSUME in profile.capabilities:
            found.setdefault(profile_address(profile), []).append(profile)
    return found


def topic_words(ctx: AppContext, address: str, topic: int) -> str:
    """An archived topic as the window names it: "Local · orders (12)", "import customer-may", or its address
    and id when no profile here reads it."""
    if address.startswith(IMPORT_PREFIX) and topic == IMPORT_TOPIC:
        return f"import {address.removeprefix(IMPORT_PREFIX)}"
    profiles = topic_profiles(ctx).get(address, [])
    for profile in profiles:
        entry = ctx.workspace.topic(profile.name, topic)
        if entry is not None:
            return f"{profile.name} · {entry.label}"
    if profiles:
        return f"{profiles[0].name} · topic {topic}"
    return f"topic {topic} at {address}"


def reading_profile(ctx: AppContext, address: str) -> Profile | None:
    """The profile whose tabs read the topics kept under ``address`` (the first, when several share it)."""
    profiles = topic_profiles(ctx).get(address, [])
    return profiles[0] if profiles else None


def count_words(number: int, one: str, many: str | None = None) -> str:
    """``1 message``, ``2 messages``, ``1,000 messages``."""
    return f"{number:,} {one if number == 1 else (many or one + 's')}"


def size_words(size: int) -> str:
    """A size in words: MB, or GB from a thousand MB (as the command line says it)."""
    return f"{size / 1e9:,.1f} GB" if size >= 1e9 else f"{size / 1e6:,.1f} MB"
