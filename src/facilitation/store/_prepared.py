"""What the facilitator corrected, deleted or hid of what she prepared, and what a
participant changed of her own challenge: one event table for every kind.

An aggregate that changes, deletes or hides a record notes it here, in the
same transaction (:func:`note_event`). Whether a record is hidden from the
protocol is its latest hide or show (:func:`hidden_ids`): the events are the
only place that says so, and the research data sees every one of them.

A part of :class:`~facilitation.store.Store`: every method is one transaction
(or part of the caller's, inside :meth:`~facilitation.store.Store.atomic`)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Table, insert, select

from .._exceptions import InvalidInput, word
from ..i18n import N_
from ..models import PreparedAction, PreparedEvent, PreparedKind
from . import _schema as s
from ._base import StoreBase, enum_field
from ._records import fetch, fetch_one, now, record

__all__ = ["HIDEABLE", "PreparedStore", "hidden_ids", "note_event", "rests_a_finding"]

HIDEABLE: dict[PreparedKind, Table] = {
    PreparedKind.AGENDA_ITEM: s.agenda_item,
    PreparedKind.VOTE_ROUND: s.vote_round,
    PreparedKind.TOPIC: s.topic,
    PreparedKind.CONSULTATION: s.consultation,
}
"""The kinds a facilitator may hide from the protocol, with their tables."""


def _plain(value: Any) -> Any:
    """A value as JSON holds it (dates and times as ISO text, enumerations as their value)."""
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return getattr(value, "value", value)


def note_event(
    c: Connection,
    kind: PreparedKind,
    record_id: int,
    action: PreparedAction,
    *,
    meeting_id: int | None,
    title: str = "",
    before: Mapping[str, Any] | None = None,
    participant_id: int | None = None,
) -> None:
    """Note, inside the caller's transaction, that a record was changed, deleted, hidden…

    ``before``: what it was (the values changed, or the whole record deleted).
    """
    c.execute(
        insert(s.prepared_event).values(
            meeting_id=meeting_id, kind=kind.value, record_id=record_id, action=action.value,
            title=title[:300],
            before=json.dumps({k: _plain(v) for k, v in (before or {}).items()},
                              ensure_ascii=False, sort_keys=True) if before else "",
            participant_id=participant_id, at=now(),
        )
    )  # fmt: skip


def hidden_ids(c: Connection, kind: PreparedKind, meeting_id: int | None = None) -> set[int]:
    """The records of ``kind`` (of a meeting) whose latest hide or show was a hide."""
    table = s.prepared_event
    query = (
        select(table.c.record_id, table.c.action)
        .where(
            table.c.kind == kind.value,
            table.c.action.in_([PreparedAction.HIDDEN.value, PreparedAction.SHOWN.value]),
        )
        .order_by(table.c.id)
    )
    if meeting_id is not None:
        query = query.where(table.c.meeting_id == meeting_id)
    latest: dict[int, str] = {}
    for record_id, action in c.execute(query):
        latest[record_id] = action
    return {rid for rid, action in latest.items() if action == PreparedAction.HIDDEN.value}


def rests_a_finding(c: Connection, kind: str, record_id: int) -> bool:
    """Whether a finding names the record as one of its sources (then it is kept)."""
    query = select(s.finding_source.c.id).where(
        s.finding_source.c.kind == kind, s.finding_source.c.ref_id == record_id
    )
    return c.execute(query.limit(1)).first() is not None


class PreparedStore(StoreBase):
    """Hiding prepared things from the protocol, and the events of every correction."""

    def prepared_events(self, meeting_id: int | None = None) -> list[PreparedEvent]:
        """Every correction, deletion, hide and withdrawal, in the order they happened."""
        where = [] if meeting_id is None else [s.prepared_event.c.meeting_id == meeting_id]
        with self._read() as c:
            return [record(PreparedEvent, row) for row in fetch(c, s.prepared_event, *where)]

    def hidden(self, meeting_id: int) -> dict[PreparedKind, set[int]]:
        """What of a meeting the facilitator hid from the protocol, by kind."""
        with self._read() as c:
            return {kind: hidden_ids(c, kind, meeting_id) for kind in HIDEABLE}

    def set_hidden(self, kind: PreparedKind | str, record_id: int, hidden: bool = True) -> None:
        """Hide an agenda item, vote round, topic or consultation from the protocol (or show
        it again). It stays in the workspace and in the research data; the change is an
        event. Hiding what is hidden already changes nothing."""
        kind = enum_field(PreparedKind, kind, N_("Kind"))
        if kind not in HIDEABLE:
            raise InvalidInput(
                field=word(N_("Kind")), problem=word(N_("this cannot be hidden from the protocol"))
            )
        with self._write() as c:
            row = fetch_one(c, HIDEABLE[kind], record_id, lock=True)
            if (record_id in hidden_ids(c, kind, row.meeting_id)) == bool(hidden):
                return
            action = PreparedAction.HIDDEN if hidden else PreparedAction.SHOWN
            note_event(c, kind, record_id, action, meeting_id=row.meeting_id, title=row.title)
