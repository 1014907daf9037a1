"""What every part of the store stands on: the engine, transactions, shared checks.

Each aggregate of the workspace (people, meetings and their live state, intake,
voting, consultation, tables, actions, ties) is a class in a module of its own
over :class:`StoreBase`; :class:`~facilitation.store.Store` is all of them.
A method of an aggregate reads with :meth:`StoreBase._read` and writes with
:meth:`StoreBase._write`, and never calls a method of another aggregate: what
two aggregates share is a function over a connection, here.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select

from .._exceptions import InvalidInput, RecordNotFound, word
from ..i18n import N_
from ..models import LiveState
from . import _schema as s
from ._engine import read, write
from ._open import describe_location
from ._records import now, put, record

__all__ = [
    "NAME",
    "TEXT",
    "TITLE",
    "StoreBase",
    "enum_field",
    "live_state",
    "lock_meeting",
    "positive",
    "put_live",
    "registered_for",
]

TITLE = N_("Title")
NAME = N_("Name")
TEXT = N_("Text")


class StoreBase:
    """A workspace's database, and the transactions the store's methods run in."""

    def __init__(self, engine: Engine, location: str | Path) -> None:
        self.engine = engine
        self.location = describe_location(location)
        # The transaction of an atomic() block, per thread and task: the live loop of a
        # page, in a thread of its own, never writes into a block a button began.
        self._atomic: ContextVar[Connection | None] = ContextVar("atomic", default=None)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.location}>"

    def __enter__(self) -> StoreBase:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    @contextlib.contextmanager
    def atomic(self) -> Iterator[None]:
        """One transaction for every call of the store inside the block.

        Either all of them are written or, if one raises, none: open a round,
        show it and start its timer, and no page ever sees the round open but
        not shown. A call that fails inside the block and is caught there leaves
        nothing behind either (each call is a savepoint). Blocks may nest; the
        outermost commits. Other threads and other pages see nothing until then.

        >>> import tempfile, facilitation
        >>> store = facilitation.create_workspace(tempfile.mkdtemp() + "/w.db", "Reihe")
        >>> with store.atomic():
        ...     first = store.add_meeting("Auftakt")
        ...     second = store.add_meeting("Zweites Treffen")
        >>> [m.title for m in store.meetings()]
        ['Auftakt', 'Zweites Treffen']
        """
        if self._atomic.get() is not None:
            yield
            return
        with write(self.engine) as connection:
            token = self._atomic.set(connection)
            try:
                yield
            finally:
                self._atomic.reset(token)

    @contextlib.contextmanager
    def _write(self) -> Iterator[Connection]:
        """A write transaction: its own, or a savepoint in the :meth:`atomic` block."""
        connection = self._atomic.get()
        if connection is None:
            with write(self.engine) as connection:
                yield connection
        else:
            with connection.begin_nested():
                yield connection

    @contextlib.contextmanager
    def _read(self) -> Iterator[Connection]:
        """A read transaction: its own snapshot, or the :meth:`atomic` block's (which sees
        what the block wrote so far)."""
        connection = self._atomic.get()
        if connection is None:
            with read(self.engine) as connection:
                yield connection
        else:
            yield connection


def enum_field(kind: type, value: Any, field: str) -> Any:
    """``value`` as a member of the enumeration ``kind``, or a clear refusal naming ``field``."""
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        shown = value if not isinstance(value, str) or len(value) <= 40 else value[:40] + "…"
        raise InvalidInput(
            field=word(field),
            problem=word(N_("{value!r} is not one of: {allowed}"), value=shown, allowed=allowed),
        ) from None


def positive(value: int | float | None, field: str, *, allow_none: bool = True) -> Any:
    """``value`` if it is greater than zero (or None, if allowed); a refusal otherwise."""
    if value is None and allow_none:
        return None
    if value is None or value <= 0:
        raise InvalidInput(field=word(field), problem=word(N_("must be greater than zero")))
    return value


def lock_meeting(c: Connection, meeting_id: int) -> None:
    """Check that the meeting exists and hold it (on PostgreSQL) while the caller numbers
    something of it: two clicks at once get numbers one after the other.

    ``FOR NO KEY UPDATE``: rows that merely refer to the meeting can still be added.
    """
    query = select(s.meeting.c.id).where(s.meeting.c.id == meeting_id)
    if c.dialect.name == "postgresql":
        query = query.with_for_update(key_share=True)
    if c.execute(query).first() is None:
        raise RecordNotFound(kind=word(N_("meeting")), id=meeting_id)


def put_live(c: Connection, meeting_id: int, **values: Any) -> None:
    """Change what a meeting shows now, inside the caller's transaction."""
    put(c, s.meeting_live, {"meeting_id": meeting_id}, {**values, "updated_at": now()})


def live_state(c: Connection, meeting_id: int) -> LiveState:
    """What a meeting shows now (the waiting screen if nothing was ever shown)."""
    row = c.execute(select(s.meeting_live).where(s.meeting_live.c.meeting_id == meeting_id)).first()
    return record(LiveState, row) if row is not None else LiveState(meeting_id=meeting_id)


def registered_for(c: Connection, meeting_id: int, participant_id: int) -> bool:
    """Whether a participant is registered for a meeting, inside the caller's transaction."""
    return (
        c.execute(
            select(s.meeting_participant.c.participant_id).where(
                s.meeting_participant.c.meeting_id == meeting_id,
                s.meeting_participant.c.participant_id == participant_id,
            )
        ).first()
        is not None
    )
