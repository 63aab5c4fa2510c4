"""What the topic actions do (``inspector.ui.topics.actions``), loaded when one is first used: read the topic,
open its dialog, and once the Developer API has answered, bring the window along — the sidebar, the workspace,
the topic's tab (renamed, its schema shown, cleared after a purge, closed after a delete) and the status bar."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QWidget

from inspector.core.errors import InspectorError, ValidationError
from inspector.core.fieldlist import Field
from inspector.core.jsoninput import parse_publish_input
from inspector.core.models import Topic
from inspector.core.schemacheck import SchemaTest, check_schema_change
from inspector.core.services.workato import DeveloperApiClient, retention_words
from inspector.core.tail import StartPosition
from inspector.core.validation import counted as count
from inspector.ui.topics.confirm import PURGE, ConfirmDialog
from inspector.ui.topics.schema_editor import InferSources
from inspector.ui.topics.topic_dialog import Progress, TopicDialog, TopicSettings

if TYPE_CHECKING:
    from inspector.core.http import TokenSource
    from inspector.core.profiles import Profile
    from inspector.ui.context import AppContext
    from inspector.ui.topic.view import TopicView
    from inspector.ui.topics.actions import AdminWindow

NO_SCHEMA = "No schema is known for this topic."


def say(window: AdminWindow, words: str, ms: int = 10_000) -> None:
    window.statusBar().showMessage(words, ms)


def parent_of(window: AdminWindow) -> QWidget:
    return window.tree.window()


def named(topic: Topic) -> str:
    return f"topic {topic.id} ({topic.name!r})"


async def developer(
    window: AdminWindow, ctx: AppContext, profile: Profile
) -> tuple[DeveloperApiClient, TokenSource] | None:
    """The profile's Developer API client and its token (None, said, when no token is stored)."""
    token = await ctx.token_source(profile)
    if not token:
        say(window, f"{profile.name}: no token stored; edit the profile to add one.")
        return None
    return ctx.developer_client(profile, token), token


async def read_topic(window: AdminWindow, client: DeveloperApiClient, profile: Profile, topic_id: int) -> Topic | None:
    """The topic as the Developer API has it now (its real name, schema and retention); said when it cannot."""
    say(window, f"{profile.name}: reading topic {topic_id}…", 0)
    try:
        topic = await client.get_topic(topic_id)
    except InspectorError as exc:
        say(window, f"{profile.name}: cannot read topic {topic_id} — {exc.describe()}")
        return None
    window.statusBar().clearMessage()
    return topic


def save_workspace(window: AdminWindow, ctx: AppContext) -> None:
    try:
        ctx.save_workspace()
    except OSError as exc:
        say(window, f"Could not save the workspace: {exc}")


# ----- where *Infer* reads ----------------------------------------------------------------------------------
def sources(view: TopicView | None) -> InferSources:
    """The topic's tab (or, for a new topic, the tab shown) as a source of payloads for *Infer*."""
    if view is None:
        return InferSources(why_not="open a topic's tab first (its messages and its Publish text are read)")

    def messages() -> tuple[str, list[Any]]:
        chosen = len(view.table.selectionModel().selectedRows())
        rows = view.rows_for_action()
        words = f"the {count(len(rows), 'selected message')}" if chosen else f"the {count(len(rows), 'message')}"
        return f"{words} shown in {view.entry.label}", [row.payload for row in rows]

    publisher = view.publisher
    return InferSources(messages, publisher.editor.toPlainText if publisher is not None else None)


def history_payloads(ctx: AppContext, profile_name: str, topic_id: int) -> list[tuple[str, object]]:
    """The Publish panel's history for the topic, each item named as the list shows it (newest first)."""
    found: list[tuple[str, object]] = []
    for number, entry in enumerate(ctx.publishing.history(profile_name, topic_id), start=1):
        if not entry.text:
            continue
        try:
            items = parse_publish_input(entry.text).items
        except ValidationError:
            continue
        found += [(f"history entry {number} item {item}", value) for item, value in enumerate(items, start=1)]
    return found


# ----- New topic… and Edit topic… ---------------------------------------------------------------------------
async def new_topic(window: AdminWindow, ctx: AppContext, profile: Profile) -> TopicDialog | None:
    connected = await developer(window, ctx, profile)
    if connected is None:
        return None
    client = connected[0]

    async def save(settings: TopicSettings) -> Topic:
        return await client.create_topic(
            settings.name,
            settings.schema(),
            retention_secs=settings.retention_secs,
            description=settings.description,
        )

    dialog = TopicDialog(
        parent_of(window), profile_name=profile.name, topic=None, save=save, sources=sources(window.current_view())
    )
    dialog.saved.connect(lambda topic: created(window, ctx, profile, topic))
    return _open(dialog)


def _open(dialog: TopicDialog) -> TopicDialog:
    dialog.setObjectName("topic-dialog")
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog


async def edit_topic(window: AdminWindow, ctx: AppContext, profile: Profile, topic_id: int) -> TopicDialog | None:
    connected = await developer(window, ctx, profile)
    if connected is None:
        return None
    client, token = connected
    topic = await read_topic(window, client, profile, topic_id)
    if topic is None:
        return None

    async def save(settings: TopicSettings) -> Topic:
        return await client.update_topic(topic.id, **settings.changes(topic))

    async def test_schema(fields: tuple[Field, ...], progress: Progress) -> SchemaTest:
        extra = history_payloads(ctx, profile.name, topic.id)
        events = ctx.client(profile, token)
        return await check_schema_change(events, topic.id, fields, extra=extra, on_progress=progress)

    view = window.views.get((profile.name, topic.id))
    dialog = TopicDialog(
        parent_of(window),
        profile_name=profile.name,
        topic=topic,
        save=save,
        test_schema=test_schema,
        sources=sources(view),
    )
    dialog.saved.connect(lambda after: edited(window, ctx, profile, topic, after))
    return _open(dialog)


def _describe(topic: Topic) -> str:
    fields = len(topic.schema or [])
    kept = f", messages kept {retention_words(topic.retention_secs)}" if topic.retention_secs else ""
    return f"{count(fields, 'top-level field')}{kept}"


def created(window: AdminWindow, ctx: AppContext, profile: Profile, topic: Topic) -> None:
    entry = ctx.workspace.add_topic(profile.name, topic.id, topic.name)
    entry.schema = topic.schema or None
    window.refresh_tree()
    save_workspace(window, ctx)
    say(window, f"{profile.name}: created {named(topic)}: {_describe(topic)}.")
    window.spawn(window.open_topic(profile.name, topic.id))


def edited(window: AdminWindow, ctx: AppContext, profile: Profile, before: Topic, after: Topic) -> None:
    entry = ctx.workspace.add_topic(profile.name, after.id, after.name)
    entry.schema = after.schema or None
    changed = [
        words
        for words, old, new in (
            ("name", before.name, after.name),
            ("description", before.description, after.description),
            ("retention", before.retention_secs, after.retention_secs),
            ("schema", before.schema, after.schema),
        )
        if old != new
    ]
    view = window.views.get((profile.name, after.id))
    if view is not None:
        window.tabs.setTabText(window.tabs.indexOf(view), entry.label)
        view.set_schema(entry.schema)  # the Schema tab, the rows' marks and the filter
        if view.publisher is not None:
            view.publisher.reload_schema()
    window.refresh_tree()
    save_workspace(window, ctx)
    said = ", ".join(changed) or "nothing changed"
    say(window, f"{profile.name}: saved {named(after)} ({said}): {_describe(after)}.")


# ----- Purge… and Delete… -----------------------------------------------------------------------------------
async def confirm_topic(
    window: AdminWindow, ctx: AppContext, profile: Profile, topic_id: int, verb: str
) -> ConfirmDialog | None:
    """Read the topic (its real name), then ask for its name typed before purging or deleting it."""
    connected = await developer(window, ctx, profile)
    if connected is None:
        return None
    client = connected[0]
    topic = await read_topic(window, client, profile, topic_id)
    if topic is None:
        return None

    async def act() -> None:
        if verb == PURGE:
            await client.purge_topic(topic.id)
        else:
            await client.delete_topic(topic.id)

    dialog = ConfirmDialog(parent_of(window), verb=verb, topic=topic, profile_name=profile.name, act=act)
    dialog.setObjectName(f"{verb}-topic-dialog")
    if verb == PURGE:
        dialog.done_.connect(lambda _topic: purged(window, ctx, profile, topic))
    else:
        dialog.done_.connect(lambda _topic: window.spawn(deleted(window, ctx, profile, topic)))
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog


def purged(window: AdminWindow, ctx: AppContext, profile: Profile, topic: Topic) -> None:
    """The topic's tab is emptied and reads the topic again from its (now empty) start."""
    entry = ctx.workspace.topic(profile.name, topic.id)
    if entry is not None:
        entry.cursor = None  # the messages it pointed after are gone
    view = window.views.get((profile.name, topic.id))
    if view is not None:
        paused = view.session.status.kind == "paused"
        view.clear()
        view.session.start(StartPosition.beginning())
        if paused:
            view.session.pause()
    save_workspace(window, ctx)
    say(window, f"{profile.name}: purged {named(topic)}: its messages are deleted; the topic and its schema stay.")


async def deleted(window: AdminWindow, ctx: AppContext, profile: Profile, topic: Topic) -> None:
    """The topic's tab is closed and the topic leaves the sidebar and the workspace."""
    await window.close_topic((profile.name, topic.id))
    ctx.workspace.remove_topic(profile.name, topic.id)
    window.refresh_tree()
    save_workspace(window, ctx)
    say(window, f"{profile.name}: deleted {named(topic)} with its messages and its schema.")
