"""What changed: each write transaction notes the tables it wrote, and whose rows.

A page shows a few things (the open round, her own dots, the live state); it
needs to read again only when one of them changed. So every write
transaction adds one row to ``change_log`` before it commits: the tables it
wrote, each with the participant whose row it was where the statement names
one (a dot is ``dot_event:7``), else the table alone (``meeting_live``). A
page's loop gets these as :class:`Changes` and re-reads only what they touch.

Nothing is listed by hand: the tables come from the statements themselves
(an engine event), so a new table or a new store method is covered too.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, event

__all__ = [
    "EVERYTHING",
    "KEEP",
    "Changes",
    "decode",
    "encode",
    "forget",
    "install",
    "note_changes",
    "query_count",
]

_TOUCHED = "facilitation_touched"
_HAS_LOG = "facilitation_has_change_log"
_NOT_NOTED = frozenset({"change_log", "alembic_version"})
_SAFE = re.compile(r"[a-z_]+(:[0-9]+)?(,[a-z_]+(:[0-9]+)?)*")
KEEP = 20_000  # change rows kept; a page further behind re-reads everything
_PRUNE_EVERY = 1000

Topic = tuple[str, "int | None"]


@dataclass(frozen=True)
class Changes:
    """What changed since a page last looked; ``topics`` None: anything may have.

    >>> changes = Changes(frozenset({("dot_event", 7), ("meeting_live", None)}))
    >>> changes.any_of({"vote_round", "meeting_live"}), changes.any_of({"tie"})
    (True, False)
    >>> changes.mine("dot_event", 7), changes.mine("dot_event", 8)
    (True, False)
    >>> EVERYTHING.any_of({"tie"}) and EVERYTHING.mine("dot_event", 8)
    True
    """

    topics: frozenset[Topic] | None = None

    @property
    def everything(self) -> bool:
        return self.topics is None

    def tables(self) -> frozenset[str] | None:
        return None if self.topics is None else frozenset(t for t, _p in self.topics)

    def any_of(self, tables: Iterable[str]) -> bool:
        """Whether any row of one of ``tables`` changed (whoever's)."""
        if self.topics is None:
            return True
        wanted = set(tables)
        return any(table in wanted for table, _p in self.topics)

    def mine(self, table: str, participant_id: int | None) -> bool:
        """Whether a row of ``table`` changed that may be ``participant_id``'s own."""
        if self.topics is None:
            return True
        return (table, None) in self.topics or (table, participant_id) in self.topics

    def __or__(self, other: Changes) -> Changes:
        if self.topics is None or other.topics is None:
            return EVERYTHING
        return Changes(self.topics | other.topics)


EVERYTHING = Changes(None)


def encode(topics: Iterable[Topic]) -> str:
    """``dot_event:7,meeting_live`` (sorted, each once).

    >>> encode([("meeting_live", None), ("dot_event", 7), ("dot_event", 7)])
    'dot_event:7,meeting_live'
    """
    return ",".join(sorted({t if p is None else f"{t}:{p}" for t, p in topics}))


def decode(text: str) -> set[Topic]:
    """The topics of one change row.

    >>> sorted(decode("dot_event:7,meeting_live"), key=str)
    [('dot_event', 7), ('meeting_live', None)]
    """
    out: set[Topic] = set()
    for part in filter(None, text.split(",")):
        table, _sep, who = part.partition(":")
        out.add((table, int(who) if who.isdigit() else None))
    return out


def install(engine: Engine) -> None:
    """Note every INSERT, UPDATE and DELETE run on ``engine``'s connections."""
    event.listen(engine, "before_cursor_execute", _note)


_queries = 0


def query_count() -> int:
    """How many statements this process has sent to its workspaces' databases."""
    return _queries


def _note(
    conn: Connection, _cursor: Any, statement: str, _params: Any, context: Any, _many: bool
) -> None:
    global _queries
    if not statement.startswith("BEGIN"):  # SQLite's BEGIN (PostgreSQL's is implicit)
        _queries += 1
    if context is None or not (context.isinsert or context.isupdate or context.isdelete):
        return
    compiled = getattr(context, "compiled", None)
    table = getattr(getattr(compiled, "statement", None), "table", None)
    name = getattr(table, "name", None)
    if name is None or name in _NOT_NOTED:
        return
    touched = conn.info.setdefault(_TOUCHED, set())
    people = set()
    if context.isinsert or context.isupdate:
        for params in context.compiled_parameters or ():
            people.add(params.get("participant_id"))
    if not people or None in people or len(people) > 8:
        touched.add((name, None))
    else:
        touched.update((name, p) for p in people)


def note_changes(conn: Connection, *, notify: str | None = None) -> None:
    """Add the transaction's change row (if it wrote anything) just before it commits;
    with ``notify`` (PostgreSQL), in the same round trip as ``NOTIFY notify``.

    The row holds only table names and ids (never anything typed by a person), so it is
    written as a literal: one statement, one round trip, for every write.
    """
    touched = conn.info.pop(_TOUCHED, None)
    if not touched or not _has_log(conn):
        if notify:
            conn.exec_driver_sql(f"NOTIFY {notify}")
        return
    topics = encode(touched)
    if not _SAFE.fullmatch(topics):  # pragma: no cover - table names and ids only
        raise ValueError(f"unexpected change topics {topics!r}")
    statement = f"INSERT INTO change_log (topics) VALUES ('{topics}')"
    if notify:
        statement += f"; NOTIFY {notify}"
    conn.exec_driver_sql(statement)
    if random.random() < 1 / _PRUNE_EVERY:  # now and then: keep the newest KEEP rows
        newest = conn.exec_driver_sql("SELECT max(id) FROM change_log").scalar() or 0
        conn.exec_driver_sql(f"DELETE FROM change_log WHERE id <= {int(newest) - KEEP}")


def forget(conn: Connection) -> None:
    """Drop what a rolled-back transaction noted."""
    conn.info.pop(_TOUCHED, None)


def _has_log(conn: Connection) -> bool:
    """Whether the database has ``change_log`` yet (not before migration 0007 ran)."""
    if conn.info.get(_HAS_LOG):
        return True
    if conn.dialect.name == "postgresql":
        found = conn.exec_driver_sql("SELECT to_regclass('change_log') IS NOT NULL").scalar()
    else:
        query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'change_log'"
        found = conn.exec_driver_sql(query).first() is not None
    if found:
        conn.info[_HAS_LOG] = True  # once there, it stays: asked once per connection
    return bool(found)
