"""Database engines: an SQLite file by default, PostgreSQL by URL.

SQLite is run in WAL mode (readers never wait for writers), with foreign keys
on, a busy timeout, and write transactions that take the write lock at their
start (``BEGIN IMMEDIATE``), so that a transaction never has to give up half
way with "database is locked" when another process writes at the same moment.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

from ._changes import forget, install, note_changes

__all__ = ["BUSY_TIMEOUT_S", "is_url", "make_engine", "read", "sqlite_path", "write"]

BUSY_TIMEOUT_S = 60.0


def is_url(location: str | Path) -> bool:
    """Whether ``location`` is a database URL rather than a file path.

    >>> is_url("postgresql+psycopg://facilitation@localhost/ostsachsen")
    True
    >>> is_url("workspace/ostsachsen.db")
    False
    """
    return "://" in str(location)


def sqlite_path(location: str | Path) -> Path | None:
    """The file of an SQLite workspace, or ``None`` for another database."""
    if not is_url(location):
        return Path(location).expanduser().resolve()
    url = make_url(str(location))
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(url.database).expanduser().resolve()
    return None


def make_engine(location: str | Path) -> Engine:
    """An engine for a workspace file path or database URL."""
    path = sqlite_path(location)
    if path is not None:
        engine = create_engine(
            f"sqlite+pysqlite:///{path}",
            connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
        )
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        install(engine)
        return engine
    url = make_url(str(location))
    if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    engine = create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=4)
    install(engine)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event emit BEGIN itself (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    immediate = connection.get_execution_options().get("facilitation_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextlib.contextmanager
def write(engine: Engine) -> Iterator[Connection]:
    """A short write transaction: committed at the end, rolled back on error.

    Before it commits it notes what it wrote in ``change_log`` (see
    :mod:`._changes`), so that the pages re-read only what changed.
    """
    with engine.connect() as connection:
        connection.execution_options(facilitation_write=True)
        forget(connection)
        try:
            with connection.begin():
                yield connection
                # On PostgreSQL with NOTIFY, delivered at commit to each server's one
                # listener (see _watch.py).
                postgres = connection.dialect.name == "postgresql"
                note_changes(connection, notify="facilitation" if postgres else None)
        finally:
            forget(connection)


@contextlib.contextmanager
def read(engine: Engine) -> Iterator[Connection]:
    """A read transaction: one consistent snapshot of the workspace."""
    with engine.connect() as connection, connection.begin():
        yield connection
