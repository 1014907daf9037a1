"""Opening and creating workspaces: checks before touching a file, migrations.

A file is examined read-only before anything is written to it. Only a file
that is a facilitation workspace of this or an older schema is opened; an
older one is copied to a backup next to it and then upgraded.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Connection, Engine, MetaData, Table, inspect, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url

from .._exceptions import (
    DatabaseUnavailable,
    InvalidInput,
    NotAWorkspace,
    NotAWorkspaceDatabase,
    WorkspaceDamaged,
    WorkspaceError,
    WorkspaceExists,
    WorkspaceNotFound,
    WorkspaceTooNew,
    word,
)
from .._version import __version__
from ..i18n import N_
from ._engine import make_engine, sqlite_path, write

__all__ = ["HEAD", "REVISIONS", "create", "describe_location", "open_engine"]

REVISIONS = (
    "0001_initial",
    "0002_live",
    "0003_presence",
    "0004_consultation",
    "0005_table_note_withdrawn",
    "0006_findings",
    "0007_change_log",
    "0008_attendance",
    "0009_ties",
    "0010_join",
    "0011_timers",
    "0012_prepared",
    "0013_tables",
)
"""Every schema revision this version knows, oldest first (a test checks Alembic agrees)."""
HEAD = REVISIONS[-1]

SQLITE_MAGIC = b"SQLite format 3\x00"


def describe_location(location: str | Path) -> str:
    """A path or URL as it may be shown to a person (no password)."""
    path = sqlite_path(location)
    if path is not None:
        return str(path)
    return make_url(str(location)).render_as_string(hide_password=True)


# --- opening -------------------------------------------------------------------


def open_engine(location: str | Path) -> Engine:
    """Check, upgrade if needed, and return an engine for an existing workspace."""
    path = sqlite_path(location)
    if path is not None:
        revision = _examine_file(path)
        engine = make_engine(path)
        if revision != HEAD:
            _backup(path, revision)
            _upgrade(engine)
        return engine
    engine = make_engine(location)
    try:
        revision = _examine_server(engine, location)
    except WorkspaceError:
        engine.dispose()
        raise
    if revision is None:
        engine.dispose()
        raise WorkspaceNotFound(location=describe_location(location))
    if revision != HEAD:
        _upgrade(engine)
    return engine


def _examine_file(path: Path) -> str:
    """The schema revision of the workspace file at ``path``; raise if it is none."""
    where = str(path)
    if not path.exists():
        raise WorkspaceNotFound(location=where)
    if path.is_dir():
        raise NotAWorkspace(location=where, reason=word(N_("it is a folder")))
    size = path.stat().st_size
    if size == 0:
        raise NotAWorkspace(location=where, reason=word(N_("the file is empty")))
    with path.open("rb") as f:
        header = f.read(100)
    if not header.startswith(SQLITE_MAGIC):
        if SQLITE_MAGIC.startswith(header):
            raise WorkspaceDamaged(
                location=where, reason=word(N_("the file ends after {size} bytes"), size=size)
            )
        raise NotAWorkspace(location=where, reason=_what_it_is(header))
    if len(header) < 100:
        raise WorkspaceDamaged(
            location=where, reason=word(N_("the file ends after {size} bytes"), size=size)
        )
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    header_is_current = header[92:96] == header[24:28]
    if page_size < 512 or page_size & (page_size - 1):
        raise WorkspaceDamaged(location=where, reason=word(N_("its header cannot be read")))
    if (header_is_current and size < pages * page_size) or size % page_size:
        raise WorkspaceDamaged(
            location=where,
            reason=word(
                N_("the file is cut short: it has {size} of {expected} bytes"),
                size=size,
                expected=max(pages * page_size, size + page_size - size % page_size),
            ),
        )
    # Read without writing: "immutable" creates no side files; with a WAL file
    # present (another process is using it, or it was not closed), read-only mode.
    wal = path.with_name(path.name + "-wal")
    mode = "mode=ro" if wal.exists() else "immutable=1"
    try:
        connection = sqlite3.connect(f"file:{quote(str(path))}?{mode}", uri=True)
    except sqlite3.Error as error:  # pragma: no cover - permissions and the like
        raise NotAWorkspace(location=where, reason=str(error)) from error
    try:
        return _revision_of(connection, where)
    except sqlite3.DatabaseError as error:
        raise WorkspaceDamaged(location=where, reason=str(error)) from error
    finally:
        connection.close()


def _revision_of(connection: sqlite3.Connection, where: str) -> str:
    tables = {
        name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
    }
    if not {"alembic_version", "workspace"} <= tables:
        raise NotAWorkspace(
            location=where, reason=word(N_("it is an SQLite database of another program"))
        )
    versions = [v for (v,) in connection.execute("SELECT version_num FROM alembic_version")]
    return _known_revision(versions, where)


def _known_revision(versions: list[str], where: str) -> str:
    if len(versions) != 1:
        raise WorkspaceDamaged(location=where, reason=word(N_("its schema version is unclear")))
    (version,) = versions
    if version not in REVISIONS:
        raise WorkspaceTooNew(location=where, found=version, known=HEAD)
    return version


def _what_it_is(header: bytes) -> str:
    start = header.lstrip()
    if start[:1] in (b"{", b"["):
        return word(N_("it contains JSON text"))
    if start.startswith(b"%PDF"):
        return word(N_("it is a PDF document"))
    if start.startswith(b"PK\x03\x04"):
        return word(N_("it is a ZIP archive, for example an Excel or Word file"))
    try:
        decoded = header.decode("utf-8")
    except UnicodeDecodeError:
        decoded = ""
    if decoded and all(c.isprintable() or c.isspace() for c in decoded):
        return word(N_("it is a text file"))
    return word(N_("its content is not an SQLite database"))


def _examine_server(engine: Engine, location: str | Path) -> str | None:
    """The schema revision of a server database; ``None`` if it is empty."""
    where = describe_location(location)
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            if not tables:
                return None
            if not {"alembic_version", "workspace"} <= tables:
                raise NotAWorkspaceDatabase(
                    location=where, reason=word(N_("the database holds tables of another program"))
                )
            versions = list(
                connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
            )
    except sa_exc.OperationalError as error:
        engine.dispose()
        raise DatabaseUnavailable(location=where, reason=_first_line(error)) from error
    return _known_revision(versions, where)


def _first_line(error: Exception) -> str:
    detail = getattr(error, "orig", None) or error
    return str(detail).strip().splitlines()[0] if str(detail).strip() else type(error).__name__


def _backup(path: Path, revision: str) -> Path:
    """Copy an SQLite workspace before its schema is upgraded."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.before-upgrade-{revision}-{stamp}{path.suffix}")
    source = sqlite3.connect(str(path))
    try:
        destination = sqlite3.connect(str(target))
        with contextlib.closing(destination):
            source.backup(destination)
    finally:
        source.close()
    return target


@contextlib.contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """A write transaction for migrations.

    On SQLite, Alembic changes a table by building a new one and dropping the
    old; with foreign keys enforced, dropping the old one would also delete
    the rows of every table that refers to it with ON DELETE CASCADE. So the
    enforcement is off while migrating (it can only be switched outside a
    transaction), every reference is checked before the commit, and it is
    switched on again before the connection goes back to the pool.
    """
    if engine.dialect.name != "sqlite":
        with write(engine) as connection:
            yield connection
        return
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        raw.execute("PRAGMA foreign_keys = OFF")
        try:
            connection.execution_options(facilitation_write=True)
            with connection.begin():
                yield connection
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
                if broken is not None:
                    raise RuntimeError(f"a migration broke a reference: {tuple(broken)}")
        finally:
            raw.execute("PRAGMA foreign_keys = ON")


def _upgrade(engine: Engine) -> None:
    """Bring the schema to ``HEAD`` in one transaction (one upgrader at a time)."""
    with _migrating(engine) as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(4711)"))
        versions = list(
            connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        )
        if versions != [HEAD]:  # another process may have upgraded meanwhile
            _migrate(connection, HEAD)


def _migrate(connection: Connection, target: str) -> None:
    from alembic import command  # imported only when a schema changes: it is slow
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "facilitation.store:migrations")
    config.attributes["connection"] = connection
    command.upgrade(config, target)


# --- creating ------------------------------------------------------------------


def create(
    location: str | Path, title: str, description: str = "", *, revision: str = HEAD
) -> Engine:
    """Create a new, empty workspace and return its engine.

    ``revision`` is for tests of upgrades: a workspace as an older version made it.
    """
    title = (title or "").strip()
    if not title:
        raise InvalidInput(field=word(N_("Title")), problem=word(N_("must not be empty")))
    path = sqlite_path(location)
    if path is None:
        engine = make_engine(location)
        try:
            found = _examine_server(engine, location)
        except WorkspaceError:
            engine.dispose()
            raise
        if found is not None:
            engine.dispose()
            raise WorkspaceExists(location=describe_location(location))
        _fill_new(engine, title, description, revision)
        return engine
    if path.exists():
        raise WorkspaceExists(location=str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    # Build the workspace under a temporary name, then link it into place: a
    # workspace file either is complete or does not exist.
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.creating")
    try:
        with contextlib.closing(sqlite3.connect(temporary)) as raw:
            raw.execute("PRAGMA journal_mode = WAL")  # kept in the file from now on
        engine = make_engine(temporary)
        _fill_new(engine, title, description, revision)
        engine.dispose()
        # A journal left by a deleted workspace of the same name would be read into the
        # new one (SQLite matches a WAL file by its name, not by the database's content).
        if not path.exists():
            for stale in (f"{path}-wal", f"{path}-shm", f"{path}-journal"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(stale)
        try:
            os.link(temporary, path)
        except FileExistsError:
            raise WorkspaceExists(location=str(path)) from None
    finally:
        for leftover in (temporary, Path(f"{temporary}-wal"), Path(f"{temporary}-shm")):
            leftover.unlink(missing_ok=True)
    return make_engine(path)


def _fill_new(engine: Engine, title: str, description: str, revision: str) -> None:
    with _migrating(engine) as connection:
        _migrate(connection, revision)
        values = {
            "title": title,
            "description": description,
            "application": "facilitation",
            "created_with": __version__,
            "created_at": dt.datetime.now(dt.UTC),
            "facilitator_key": secrets.token_urlsafe(24),
        }
        # Reflected, so that a workspace at an older revision gets the columns it has.
        table = Table("workspace", MetaData(), autoload_with=connection)
        connection.execute(table.insert().values({k: v for k, v in values.items() if k in table.c}))
