"""How a page learns that another page changed the workspace.

Every page is its own kernel process; they share nothing but the store. The
check must cost next to nothing, and reads no table:

- SQLite: ``PRAGMA data_version`` on a connection of its own. It changes when
  any other connection commits. :meth:`ChangeWatcher.wait` sleeps on the
  kernel's file notifications (inotify, Linux) for the database's files, so a
  page can wake up the moment someone commits instead of asking on a timer;
  elsewhere it asks every few milliseconds.
- PostgreSQL: every write transaction sends ``NOTIFY facilitation``; the
  watcher listens on a connection of its own and drains the notifications
  (:meth:`~ChangeWatcher.wait` blocks on that connection's socket).
"""

from __future__ import annotations

import contextlib
import os
import select
import sqlite3
import struct
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

__all__ = ["CHANNEL", "ChangeWatcher"]

CHANNEL = "facilitation"
_POLL_S = 0.02  # where there are no file notifications


class ChangeWatcher:
    """``changed()`` is true when someone committed a change since the last call.

    ``wait(timeout)`` blocks until someone commits (or ``timeout`` seconds
    pass) and then answers as ``changed()`` does.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sqlite: sqlite3.Connection | None = None
        self._pg: Any = None
        self._version: int | None = None
        self._files: _FileEvents | None = None  # made by the first wait()
        self._files_tried = False
        if engine.dialect.name == "sqlite":
            self._sqlite = sqlite3.connect(engine.url.database, check_same_thread=False)
            self._version = self._data_version()
        else:
            import psycopg

            url = engine.url.set(drivername="postgresql")
            self._pg = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)
            self._pg.execute(f"LISTEN {CHANNEL}")

    def _data_version(self) -> int:
        assert self._sqlite is not None
        return self._sqlite.execute("PRAGMA data_version").fetchone()[0]

    def changed(self) -> bool:
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

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for someone's commit; whether there was one."""
        deadline = time.monotonic() + max(0.0, timeout)
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
