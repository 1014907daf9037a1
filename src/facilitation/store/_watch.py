"""How a page learns that another page changed the workspace, and what changed.

Every page is its own kernel process; they share nothing but the store. Each
write transaction adds a row to ``change_log`` naming the tables it wrote
(see :mod:`._changes`); a page re-reads only what those touch. Learning that
there is a new row must cost next to nothing:

- **Under a server** (``facilitation serve``): one relay per server process
  group (:func:`relay`) watches the database and writes the latest change
  rows to a small file (the *feed*, named by ``FACILITATION_CHANGE_FEED``);
  each kernel only looks at that file's size and time, a few times a second,
  and reads it when it changed. A hundred pages cost the database one
  listener, not a hundred (PostgreSQL's ``LISTEN`` slows every commit with
  ``NOTIFY`` by the number of listeners).
- **On its own** (a notebook, a test, a feed that went silent): the watcher
  watches the database itself. SQLite: ``PRAGMA data_version`` on a
  connection of its own, which changes when any other connection commits
  (:meth:`ChangeWatcher.wait` sleeps on the kernel's file notifications).
  PostgreSQL: it listens for ``NOTIFY facilitation``, sent by every write.
  Then it reads the new change rows, one query.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import sqlite3
import struct
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from ._changes import EVERYTHING, Changes, decode

log = logging.getLogger(__name__)

__all__ = ["CHANNEL", "FEED_ENV", "ChangeWatcher", "relay"]

CHANNEL = "facilitation"
FEED_ENV = "FACILITATION_CHANGE_FEED"
_POLL_S = 0.02  # where there are no file notifications
_LOOKBACK = 200  # ids this far back may still commit (PostgreSQL numbers before commit)
_FEED_ROWS = 200  # change rows a new feed starts with
_FEED_BYTES = 1 << 20  # a feed this long is started anew
_LIMIT = 5000  # change rows read at once; more: the page re-reads everything
_BEAT_S = 2.0  # a relay rewrites its feed at least this often
_SILENT_S = 10.0  # a feed this long unchanged: its relay is gone, watch the database


class ChangeWatcher:
    """``changes()``: what others committed since the last call (None if nothing).

    ``changed()`` only says whether anyone committed; ``wait(timeout)`` blocks
    until someone commits (or ``timeout`` seconds pass). With ``feed`` (a
    relay's file, see :func:`relay`) the watcher reads that file instead of
    the database, and watches the database itself only if the feed goes
    silent.
    """

    def __init__(self, engine: Engine, *, feed: str | Path | None = None) -> None:
        self._engine = engine
        self._sqlite: sqlite3.Connection | None = None
        self._pg: Any = None
        self._version: int | None = None
        self._files: _FileEvents | None = None  # made by the first wait()
        self._files_tried = False
        self._last = 0
        self._seen: set[int] = set()
        self._feed: _Feed | None = None
        if feed is not None:
            found = _Feed.open(Path(feed))
            if found is not None and found.silent_for() < _SILENT_S:
                self._feed = found
                return
        self._connect()
        self._reset()

    def _max_id(self) -> int:
        """The newest change row's id (0 without any, or without a change log)."""
        query = "SELECT coalesce(max(id), 0) FROM change_log"
        try:
            if self._sqlite is not None:
                return int(self._sqlite.execute(query).fetchone()[0])
            return int(self._pg.execute(query).fetchone()[0])
        except Exception:
            with contextlib.suppress(Exception):
                if self._pg is not None:
                    self._pg.rollback()
            return 0

    def _connect(self) -> None:
        if self._engine.dialect.name == "sqlite":
            self._sqlite = sqlite3.connect(self._engine.url.database, check_same_thread=False)
            self._version = self._data_version()
        else:
            import psycopg

            url = self._engine.url.set(drivername="postgresql")
            self._pg = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)
            self._pg.execute(f"LISTEN {CHANNEL}")

    @property
    def listening(self) -> bool:
        """Whether this watcher holds a connection of its own to the database."""
        return self._sqlite is not None or self._pg is not None

    def _data_version(self) -> int:
        assert self._sqlite is not None
        return self._sqlite.execute("PRAGMA data_version").fetchone()[0]

    def changed(self) -> bool:
        if self._feed is not None:
            return self._feed_changes() is not None
        if self._sqlite is not None:
            if self._files is not None:
                self._files.drain()
            version = self._data_version()
            if version != self._version:
                self._version = version
                return True
            return False
        got = False
        for _ in self._pg.notifies(timeout=0, stop_after=1000):
            got = True
        return got

    # --- what changed ------------------------------------------------------------------

    def changes(self) -> Changes | None:
        """What was committed since the last call: None if nothing, else its topics
        (:data:`EVERYTHING` when some may have been missed)."""
        if self._feed is not None:
            return self._feed_changes()
        if not self.changed():
            return None
        rows = self._rows()
        if rows is None or sum(1 for i, _t in rows if i not in self._seen) >= _LIMIT:
            self._reset()  # no log, or too much to say: all of it
            return EVERYTHING
        return self._take(rows)

    def _reset(self) -> None:
        """Start afresh from the newest change (the page re-reads everything)."""
        self._last = self._max_id()
        self._seen = {i for i, _t in self._rows() or []}

    def _rows(self) -> list[tuple[int, str]] | None:
        """The change rows that may be new (one query); None without a change log."""
        since = max(0, self._last - _LOOKBACK)
        limit = _LIMIT + _LOOKBACK
        query = f"SELECT id, topics FROM change_log WHERE id > {{}} ORDER BY id LIMIT {limit}"
        try:
            if self._sqlite is not None:
                found = self._sqlite.execute(query.format("?"), (since,)).fetchall()
            else:
                found = self._pg.execute(query.format("%s"), (since,)).fetchall()
        except Exception:  # no change log (an old workspace): anything may have changed
            with contextlib.suppress(Exception):
                if self._pg is not None:
                    self._pg.rollback()
            return None
        return [(int(i), str(t)) for i, t in found]

    def _take(self, rows: list[tuple[int, str]] | None) -> Changes | None:
        """Note ``rows`` as seen; the topics of those not seen before."""
        if not rows:
            return None
        # Read from the database, the rows start before the newest seen; if not, the log
        # was pruned past rows this page never saw.
        missed = self._feed is None and bool(self._seen) and rows[0][0] > self._last + 1
        topics: set[tuple[str, int | None]] = set()
        new = False
        for row_id, text in rows:
            if row_id in self._seen or row_id <= self._last - _LOOKBACK:
                continue
            new = True
            self._seen.add(row_id)
            topics |= decode(text)
            self._last = max(self._last, row_id)
        floor = self._last - _LOOKBACK
        self._seen = {i for i in self._seen if i > floor}
        if missed:
            return EVERYTHING
        return Changes(frozenset(topics)) if new else None

    def _feed_changes(self) -> Changes | None:
        assert self._feed is not None
        found = self._feed.read_new()
        if found is None:
            if self._feed.silent_for() > _SILENT_S:  # the relay is gone: look ourselves
                self._feed = None
                self._connect()
                self._reset()
                return EVERYTHING
            return None
        rows, restarted = found
        if restarted and rows and rows[0][0] > self._last + 1:
            self._take(rows)  # a new feed that starts after rows this page never saw
            return EVERYTHING
        return self._take(rows)

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for someone's commit; whether there was one."""
        deadline = time.monotonic() + max(0.0, timeout)
        if self._feed is not None:
            while not self.changed():
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                time.sleep(min(0.05, left))
            return True
        if self._sqlite is None:
            got = False
            for _ in self._pg.notifies(timeout=max(0.0, timeout), stop_after=1):
                got = True
            return self.changed() or got
        if not self._files_tried:
            self._files_tried = True
            self._files = _FileEvents.for_database(self._engine.url.database)
        while True:
            if self.changed():
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            if self._files is not None:
                self._files.wait(left)
            else:
                time.sleep(min(_POLL_S, left))

    def close(self) -> None:
        with contextlib.suppress(Exception):
            if self._files is not None:
                self._files.close()
            if self._sqlite is not None:
                self._sqlite.close()
            if self._pg is not None:
                self._pg.close()


class _Feed:
    """A relay's file as a page reads it: an append-only list of change rows, one a line
    (``"41 dot_event:7,meeting_live"``); a page reads only what was appended since."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._inode: int | None = None
        self._offset = 0
        self._beat = time.time()

    @classmethod
    def open(cls, path: Path) -> _Feed | None:
        """The feed, read from its end on (what came before is not news); None if absent."""
        feed = cls(path)
        try:
            info = os.stat(path)
        except OSError:
            return None
        feed._inode, feed._offset, feed._beat = info.st_ino, info.st_size, info.st_mtime
        return feed

    def read_new(self) -> tuple[list[tuple[int, str]], bool] | None:
        """The rows appended since the last look, and whether the file was started anew
        meanwhile (rows may be missing then); None if there is nothing new."""
        try:
            info = os.stat(self.path)
        except OSError:
            return None
        self._beat = info.st_mtime
        restarted = info.st_ino != self._inode
        if restarted:
            self._inode, self._offset = info.st_ino, 0
        elif info.st_size <= self._offset:
            return None
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self._offset)
                data = handle.read()
        except OSError:
            return None
        complete = data.rfind(b"\n") + 1  # a line being written is read next time
        self._offset += complete
        rows = []
        for line in data[:complete].splitlines():
            number, _sep, topics = line.decode("utf-8", "replace").partition(" ")
            if number.isdigit():
                rows.append((int(number), topics))
        return rows, restarted

    def silent_for(self) -> float:
        """Seconds since the relay last wrote or touched the feed."""
        return time.time() - self._beat


def relay(location: str | Path, feed: str | Path, *, stop: Any = None) -> None:
    """Watch the workspace for one server's pages and keep ``feed`` up to date.

    The one connection of a server (group) that watches the database: it
    appends each new change row to ``feed`` (one line, one ``write``) and
    touches the file at least every two seconds, so that pages know it is
    alive. A long feed is started anew with its last rows (pages notice by the
    file's identity). It also closes what the clock closes at its deadline
    (:class:`~facilitation.store._clock.DeadlineKeeper`), so that a vote closes at 0:00
    with no page open. Runs until ``stop`` (a threading.Event) is set, or forever.
    """
    from ._clock import ClockStore, DeadlineKeeper
    from ._engine import make_engine

    path = Path(feed)
    engine = make_engine(location)
    watcher = ChangeWatcher(engine)
    keeper = DeadlineKeeper(ClockStore(engine, location))  # closes at 0:00 with no page open
    recent: list[tuple[int, str]] = []
    _start_feed(path, recent)
    beat = time.monotonic()
    try:
        while stop is None or not stop.is_set():
            if watcher.wait(0.5):
                found = watcher._rows() or []
                fresh = [row for row in found if row[0] not in watcher._seen]
                watcher._take(found)
                if fresh:
                    keeper.changed(None)
                    with open(path, "a", encoding="utf-8") as handle:
                        handle.write("".join(f"{i} {t}\n" for i, t in fresh))
                    recent = (recent + fresh)[-_FEED_ROWS:]
                    beat = time.monotonic()
                    if path.stat().st_size > _FEED_BYTES:
                        _start_feed(path, recent)
            try:
                keeper.tick()
            except Exception:  # the database away for a moment: the next tick tries again
                log.exception("closing what the clock closes failed")
            if time.monotonic() - beat >= _BEAT_S:
                os.utime(path)
                beat = time.monotonic()
    finally:
        watcher.close()
        engine.dispose()


def _start_feed(path: Path, rows: list[tuple[int, str]]) -> None:
    """A new feed file holding ``rows``, put in place in one step."""
    aside = path.with_name(f".{path.name}.{os.getpid()}")
    aside.write_text("".join(f"{i} {t}\n" for i, t in rows), encoding="utf-8")
    os.replace(aside, path)


class _FileEvents:
    """inotify on the folder of an SQLite database: its file or journal was written."""

    _IN_MODIFY = 0x00000002
    _IN_CLOSE_WRITE = 0x00000008
    _IN_CREATE = 0x00000100
    _IN_NONBLOCK = os.O_NONBLOCK
    _IN_CLOEXEC = 0o2000000
    _libc: Any = None

    def __init__(self, fd: int, names: set[bytes]) -> None:
        self._fd = fd
        self._names = names

    @classmethod
    def for_database(cls, database: str | None) -> _FileEvents | None:
        """Notifications for ``database`` and its ``-wal``/``-journal``; ``None`` if unavailable."""
        if not database or not sys.platform.startswith("linux"):
            return None
        try:
            if cls._libc is None:
                import ctypes  # only for wait(): the pages' loop never needs it
                import ctypes.util

                libc = ctypes.util.find_library("c") or "libc.so.6"
                cls._libc = ctypes.CDLL(libc, use_errno=True)
            path = Path(database).resolve()
            fd = cls._libc.inotify_init1(cls._IN_NONBLOCK | cls._IN_CLOEXEC)
            if fd < 0:
                return None
            mask = cls._IN_MODIFY | cls._IN_CLOSE_WRITE | cls._IN_CREATE
            if cls._libc.inotify_add_watch(fd, str(path.parent).encode(), mask) < 0:
                os.close(fd)
                return None
        except (OSError, AttributeError):
            return None
        names = {path.name.encode(), f"{path.name}-wal".encode(), f"{path.name}-journal".encode()}
        return cls(fd, names)

    def wait(self, timeout: float) -> bool:
        """Block until one of the database's files is written, or ``timeout``; drain events."""
        try:
            ready, _, _ = select.select([self._fd], [], [], timeout)
        except (OSError, ValueError):  # closed meanwhile (the page is going away)
            time.sleep(min(timeout, _POLL_S))
            return False
        return bool(ready) and self.drain()

    def drain(self) -> bool:
        """Read pending events; whether one concerned the database's files."""
        hit = False
        while True:
            try:
                data = os.read(self._fd, 64 * 1024)
            except (BlockingIOError, InterruptedError):
                return hit
            except OSError:
                return hit
            if not data:
                return hit
            offset = 0
            while offset + 16 <= len(data):
                _wd, _mask, _cookie, length = struct.unpack_from("iIII", data, offset)
                name = data[offset + 16 : offset + 16 + length].rstrip(b"\0")
                hit = hit or name in self._names
                offset += 16 + length

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._fd)
