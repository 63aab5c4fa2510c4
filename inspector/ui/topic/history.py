"""A topic tab's part of the message archive: what its tail receives is kept (the writer's thread does the SQLite
work, the window's thread only queues each batch), its newest archived messages are shown when the tab opens
(offline too), and older ones are loaded, a page at a time, when the user scrolls above the first row.

While a backlog pours in (``busy``: thousands of messages a second, far above what a rate-limited tail brings),
the batches are held and handed to the writer once it slows down: the writer's indexing would otherwise take the
processor from the table. A kill meanwhile loses nothing: the tail goes on after the newest archived message.

The archive's reads run in the archive's reader thread (``AppContext.archive_call``), where its modules load too
(``inspector.ui.later``), and their rows go into the table in one insert. The rows are numbered by their place
in the topic's archive: the first archived message is ``#`` 1, so older pages go in above the first row with the
numbers just before it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from inspector.core.rows import MESSAGE_ID, RawRow
from inspector.ui import later
from inspector.ui.tasks import Tasks

if TYPE_CHECKING:
    import asyncio

    from inspector.core.archive import Archive, ArchivedMessage, ArchiveError, ArchiveWriter
    from inspector.core.archive.store import PageRow
    from inspector.core.models import Message
    from inspector.core.profiles import Profile
    from inspector.ui.context import AppContext
    from inspector.ui.topic.model import MessageTableModel

    Newest = tuple[list[RawRow], int, ArchivedMessage | None]  # rows, how many are older, the newest message
    Older = tuple[list[RawRow], bool]  # rows, whether the archive has more before them

FIRST_PAGE = 1000  # the newest archived messages shown when a tab opens, before anything else
OLDER_PAGE = 1000  # the older ones loaded each time the user scrolls above the first row
FLUSH_SECS = 5.0  # how long a page waits for the writer to commit the table's first row
HOLD_ROWS = 100_000  # while busy, at most this many rows are held back from the writer


def read_newest(archive: Archive, address: str, topic: int, limit: int) -> Newest:
    """The topic's newest ``limit`` archived messages as rows numbered by their place in its archive, how many
    are older, and the newest message (where its tail goes on). In the archive's reader thread."""
    page = archive.newest(address, topic, limit)
    if not page:
        return [], 0, None
    older = archive.count(address, topic, before_key=page[0].key)
    return [message.raw_row(older + n) for n, message in enumerate(page)], older, page[-1]


def read_older(
    archive: Archive,
    writer: ArchiveWriter | None,
    where: tuple[str, int],
    first: tuple[str, int],
    limit: int,
    table: list[RawRow],
) -> Older:
    """Up to ``limit`` messages archived before the table's first row (``first``: its id and seq) of the topic
    ``where`` (its address and id), numbered up to just before it; none the table holds already. In the archive's
    reader thread."""
    address, topic = where
    first_id, first_seq = first
    key = archive.key_of(address, topic, first_id)
    if key is None and writer is not None and writer.flush(FLUSH_SECS):  # the first row may be on its way
        key = archive.key_of(address, topic, first_id)
    if key is None:
        return [], False  # not archived: received while the archive was off, or forgotten since
    held = {row[MESSAGE_ID] for row in table}  # a tail started before the archive's newest holds some of them
    kept: list[PageRow] = []
    more = True
    while not kept and more:
        page = archive.page(address, topic, key, min(limit, first_seq))  # plain tuples: no collector pauses
        if not page:
            return [], False
        key = page[0][0]
        more = bool(archive.page(address, topic, key, 1))
        kept = [item for item in page if item[1] not in held]
    start = first_seq - len(kept)
    return [table_row(start + n, item) for n, item in enumerate(kept)], more and start > 0


def table_row(seq: int, item: PageRow) -> RawRow:
    """A row of ``Archive.page`` as a row of the table, numbered ``seq`` (as ``ArchivedMessage.raw_row``)."""
    _, message_id, time_text, time_us, text = item
    size = len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))
    return (seq, message_id, time_us / 1_000_000, text, size, time_text)


class TopicArchive(QObject):
    """The archive of one topic of one profile address, for its tab's session and table.

    ``enabled`` follows the profile's setting (and the app's: ``AppContext.archive_on``); off, nothing is kept or
    read. ``changed`` says the count's words may have changed; ``notice`` has words for the tab (the archive
    could not be read, or was found damaged and set aside)."""

    changed = Signal()
    notice = Signal(str)

    def __init__(
        self, ctx: AppContext, profile: Profile, topic: int, model: MessageTableModel, *, enabled: bool = True
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.profile = profile
        self._address: str | None = None
        self.topic = topic
        self.model = model
        self.enabled = enabled
        self.shown = 0  # messages shown from the archive when the tab opened
        self.loading = False  # a page of older messages is being read
        self._ids: set[str] = set()  # the ids shown from the archive: the tail's copies are not shown again
        self._tasks = Tasks()
        self._first: tuple[str, int] | None = None  # the first row when the archive last had nothing before it
        self._held: list[list[RawRow]] = []  # the tail's batches held while a backlog pours in (``busy``)
        self._held_rows = 0
        self._busy = False
        model.rowsDropped.connect(self._dropped)
        ctx.archive_events.notice.connect(self.notice)

    @property
    def address(self) -> str:
        """Where the profile's topics are filed in the archive (its events URL)."""
        if self._address is None:
            self._address = later.archive.profile_address(self.profile)
        return self._address

    # ----- what the tail receives ---------------------------------------------------------------------------
    def keep(self, rows: list[RawRow]) -> None:
        """Queue a batch of the tail's rows for the archive's writer (it converts and commits them in its thread);
        while ``busy``, hold it until the backlog has poured in."""
        if not self.enabled or not self.ctx.workspace.archive.enabled:
            return
        if self._busy and self._held_rows < HOLD_ROWS:
            self._held.append(rows)
            self._held_rows += len(rows)
            return
        self.release()
        writer = self.ctx.archive_writer
        if writer is not None:
            writer.add_rows(self.address, self.topic, rows)

    @property
    def busy(self) -> bool:
        return self._busy

    @busy.setter
    def busy(self, busy: bool) -> None:
        """Whether a backlog pours in (the session says so at each flush); when it stops, the held rows go."""
        self._busy = busy
        if not busy and self._held:
            self.release()

    def release(self) -> None:
        """Hand the held batches to the writer, in order."""
        held, self._held, self._held_rows = self._held, [], 0
        writer = self.ctx.archive_writer
        if held and writer is not None:
            writer.add_rows(self.address, self.topic, [row for rows in held for row in rows])

    def fresh(self, batch: list[Message]) -> list[Message]:
        """The messages of ``batch`` the table does not show already from the archive."""
        ids = self._ids
        return [message for message in batch if message.message_id not in ids] if ids else batch

    def retarget(self, profile: Profile, enabled: bool) -> None:
        """The profile was edited: its address (where new messages are kept) or its archive setting changed."""
        self.profile, self._address, self.enabled = profile, None, enabled
        if enabled and self.ctx.archive_writer is None:
            self._tasks.spawn(self.ctx.open_archive())

    # ----- the history shown when the tab opens -------------------------------------------------------------
    async def open(self) -> ArchivedMessage | None:
        """Show the topic's newest archived messages in the (empty) table at once, in one insert, then fill it
        up to the row cap in the background. Returns the newest archived message (where the tail goes on); None
        when there is none, the archive is off or cannot be read (the tab is told why)."""
        if not self.enabled or not self.ctx.workspace.archive.enabled:
            return None
        archive = await self.ctx.open_archive()
        if archive is None or self.model.next_seq():
            return None
        try:
            rows, older, newest = await self.ctx.archive_call(
                read_newest, archive, self.address, self.topic, FIRST_PAGE
            )
        except later.archive.ArchiveError as exc:
            self._problem(exc)
            return None
        if not rows or self.model.next_seq():  # cleared or restarted meanwhile: the table is the tail's
            return None
        self.model.append_rows(rows)
        self.shown = len(rows)
        self._ids.update(row[MESSAGE_ID] for row in rows)
        self.model.older_in_archive = older > 0
        self.changed.emit()
        if older:
            self.spawn_older(self.model.row_cap - self.model.total, beyond_cap=False)
        return newest

    # ----- older messages, as the user scrolls up -----------------------------------------------------------
    def load_older(self) -> asyncio.Task[int] | None:
        """The user scrolled above the first row: the page of messages archived before it goes in above it,
        beyond the row cap (the cap holds them too). None when there is nothing to load (or it is loading)."""
        return self.spawn_older(OLDER_PAGE, beyond_cap=True)

    def spawn_older(self, limit: int, *, beyond_cap: bool) -> asyncio.Task[int] | None:
        """Read up to ``limit`` messages archived before the first row, off the window's thread, and put them
        above it (``beyond_cap``: see ``MessageTableModel.prepend_rows``); the task gives how many went in."""
        rows = self.model.all_rows()
        if self.loading or limit <= 0 or not rows or self.model.first_seq() <= 0 or not self.enabled:
            return None
        first = (rows[0][MESSAGE_ID], self.model.first_seq())
        if first == self._first:
            return None  # nothing was archived before this row when last asked
        self.loading = True
        return self._tasks.spawn(self._older(first, limit, beyond_cap))

    async def _older(self, first: tuple[str, int], limit: int, beyond_cap: bool) -> int:
        try:
            archive = await self.ctx.open_archive()
            if archive is None:
                return 0
            writer, where = self.ctx.archive_writer, (self.address, self.topic)
            table = list(self.model.all_rows())
            rows, more = await self.ctx.archive_call(read_older, archive, writer, where, first, limit, table)
        except later.archive.ArchiveError as exc:
            self._problem(exc)
            return 0
        finally:
            self.loading = False
        if self.model.first_seq() != first[1] or not self.model.total:
            return 0  # the table changed meanwhile (rows dropped, cleared): the user scrolls again
        added = self.model.prepend_rows(rows, beyond_cap=beyond_cap)
        self._ids.update(row[MESSAGE_ID] for row in rows[len(rows) - added :])
        self.model.older_in_archive = more
        if not more:
            self._first = (self.model.all_rows()[0][MESSAGE_ID], self.model.first_seq())
        self.changed.emit()
        return added

    def _dropped(self, shown: int) -> None:
        """Rows left the top for the row cap: they are in the archive, a scroll up away."""
        if self.enabled and not self.model.older_in_archive:
            self.model.older_in_archive = True
            self.changed.emit()

    def _problem(self, exc: ArchiveError) -> None:
        if isinstance(exc, later.archive.ArchiveDamagedError):  # set aside, a new one started: the window says so
            self.ctx.archive_events.notice.emit(exc.message)
        else:
            self.notice.emit(f"The message archive could not be read: {exc.describe()}")

    async def stop(self) -> None:
        self.busy = False  # what is held goes to the writer, which commits it before the window closes
        await self._tasks.cancel_all()
