"""How a page learns that another page changed the workspace.

Every page is its own kernel process; they share nothing but the store. A page
polls a watcher a few times a second; the check must cost next to nothing:

- SQLite: ``PRAGMA data_version`` on a connection of its own. It changes when
  any other connection commits, and reads no table.
- PostgreSQL: every write transaction sends ``NOTIFY facilitation``; the
  watcher listens on a connection of its own and drains the notifications.
"""

from __future__ import annotations

import contextlib
import sqlite3
from typing import Any

from sqlalchemy import Engine

__all__ = ["CHANNEL", "ChangeWatcher"]

CHANNEL = "facilitation"


class ChangeWatcher:
    """``changed()`` is true when someone committed a change since the last call."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._sqlite: sqlite3.Connection | None = None
        self._pg: Any = None
        self._version: int | None = None
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
            version = self._data_version()
            if version != self._version:
                self._version = version
                return True
            return False
        got = False
        for _ in self._pg.notifies(timeout=0, stop_after=1000):
            got = True
        return got

    def close(self) -> None:
        with contextlib.suppress(Exception):
            if self._sqlite is not None:
                self._sqlite.close()
            if self._pg is not None:
                self._pg.close()
