"""Turning rows into domain records, and small helpers shared by the store."""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing
from collections.abc import Iterable
from enum import Enum
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Connection, Row, Select, Table, select

from .._exceptions import InvalidInput, RecordNotFound, TextTooLong, TooManyItems, word
from ..i18n import N_

R = TypeVar("R")

__all__ = ["bounded", "fetch", "fetch_one", "locking", "now", "put", "record", "text_field"]

KIND_WORDS = {
    "meeting": N_("meeting"),
    "participant": N_("participant"),
    "municipality": N_("municipality"),
    "municipality_group": N_("group"),
    "challenge": N_("challenge"),
    "topic": N_("topic"),
    "vote_round": N_("vote round"),
    "consultation": N_("consultation"),
    "consultation_entry": N_("consultation entry"),
    "tie": N_("tie"),
    "action_item": N_("action item"),
    "themed_table": N_("themed table"),
    "table_round": N_("table round"),
    "table_note": N_("table note"),
    "agenda_item": N_("agenda item"),
    "finding": N_("finding"),
    "finding_source": N_("source of a finding"),
}


def now() -> dt.datetime:
    """The current time, UTC."""
    return dt.datetime.now(dt.UTC)


@cache
def _converters(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    converters: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        hint = hints[field.name]
        options = typing.get_args(hint) or (hint,)
        for option in options:
            if isinstance(option, type) and issubclass(option, Enum):
                converters[field.name] = option
            elif option is bool:
                converters[field.name] = bool
    return converters


def record(cls: type[R], row: Row[Any] | dict[str, Any], **extra: Any) -> R:
    """A record of type ``cls`` from a row (plus ``extra`` fields)."""
    values = dict(row._mapping if isinstance(row, Row) else row)
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    values = {k: v for k, v in values.items() if k in names}
    values.update(extra)
    for name, convert in _converters(cls).items():
        if values.get(name) is not None:
            values[name] = convert(values[name])
    return cls(**values)


def locking(connection: Connection, query: Select[Any], *, share: bool = False) -> Select[Any]:
    """``query`` locking the rows it reads until the transaction ends: ``FOR UPDATE``
    (``FOR SHARE`` with ``share``) on PostgreSQL, where transactions run side by side.

    On SQLite it is left as it is: a write transaction holds the database's one
    write lock from its start (``BEGIN IMMEDIATE``), so nobody changes a row it read.
    """
    if connection.dialect.name == "postgresql":
        return query.with_for_update(read=share)
    return query


def fetch_one(
    connection: Connection,
    table: Table,
    record_id: int,
    *,
    lock: bool = False,
    share: bool = False,
) -> Row:
    """The row ``record_id`` of ``table``; :class:`RecordNotFound` if there is none.

    ``lock`` (or ``share``) locks it until the transaction ends (see :func:`locking`).
    """
    query = select(table).where(table.c.id == record_id)
    if lock or share:
        query = locking(connection, query, share=share and not lock)
    row = connection.execute(query).first()
    if row is None:
        raise RecordNotFound(kind=word(KIND_WORDS.get(table.name, table.name)), id=record_id)
    return row


def fetch(
    connection: Connection, table: Table, *where: Any, order: tuple[Any, ...] = ()
) -> list[Row]:
    """The rows of ``table`` matching ``where``, by ``order`` (default: by id)."""
    query = select(table).where(*where).order_by(*(order or (table.c.id,)))
    return list(connection.execute(query))


def put(
    connection: Connection,
    table: Table,
    key: dict[str, Any],
    values: dict[str, Any],
    *,
    on_insert: dict[str, Any] | None = None,
) -> None:
    """Update the row of ``table`` with ``key`` to ``values``, or insert it (with ``on_insert``).

    Inside the caller's transaction; the key columns must be the table's primary key
    (or another unique constraint). One statement, ``INSERT … ON CONFLICT DO UPDATE``:
    two pages that write the first row at the same moment on PostgreSQL do not both
    insert it (one updates the row the other inserted).
    """
    # Imported here: a page on SQLite never loads the PostgreSQL dialect (memory per kernel).
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    statement = dialect_insert(table).values(**key, **values, **(on_insert or {}))
    if values:
        statement = statement.on_conflict_do_update(index_elements=list(key), set_=values)
    else:
        statement = statement.on_conflict_do_nothing(index_elements=list(key))
    connection.execute(statement)


def text_field(value: str | None, field: str, *, limit: int, required: bool = True) -> str:
    """``value`` stripped, checked for emptiness and length.

    Longer than ``limit`` (one of :mod:`facilitation.limits`): :class:`TextTooLong`.
    """
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise InvalidInput(field=word(field), problem=word(N_("must not be empty")))
    if len(cleaned) > limit:
        raise TextTooLong(field=word(field), length=len(cleaned), limit=limit)
    return cleaned


def bounded(items: Iterable[R] | None, field: str, *, limit: int) -> list[R]:
    """``items`` as a list, refused with :class:`TooManyItems` if it holds more than ``limit``
    (one of :mod:`facilitation.limits`): before any of them is looked at or written."""
    found = list(items or ())
    if len(found) > limit:
        raise TooManyItems(field=word(field), count=len(found), limit=limit)
    return found
