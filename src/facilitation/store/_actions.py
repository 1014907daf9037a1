"""Action items and every report on them.

A part of :class:`~facilitation.store.Store`: every method is one transaction
(or part of the caller's, inside :meth:`~facilitation.store.Store.atomic`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert, update

from .. import limits
from .._exceptions import InvalidInput, word
from ..i18n import N_
from ..models import ActionItem, ActionStatus, ActionUpdate
from . import _schema as s
from ._base import TITLE, StoreBase, enum_field
from ._records import fetch, fetch_one, now, record, text_field

__all__ = ["ActionStore"]


class ActionStore(StoreBase):
    """Action items and every report on them."""

    # --- action items ------------------------------------------------------------------------

    def add_action(
        self,
        title: str,
        *,
        meeting_id: int | None = None,
        owner_id: int | None = None,
        due: dt.date | None = None,
        status: ActionStatus | str = ActionStatus.OPEN,
        origin: str = "direct",
        origin_id: int | None = None,
        notes: str = "",
    ) -> ActionItem:
        """Add an action item (Aufgabe, Vereinbarung)."""
        title = text_field(title, TITLE, limit=limits.LONG_TITLE)
        status = enum_field(ActionStatus, status, N_("Status"))
        if origin not in ("consultation", "table", "vote", "direct"):
            raise InvalidInput(
                field=word(N_("Origin")),
                problem=word(N_("must be consultation, table, vote or direct")),
            )
        stamp = now()
        with self._write() as c:
            if meeting_id is not None:
                fetch_one(c, s.meeting, meeting_id)
            if owner_id is not None:
                fetch_one(c, s.participant, owner_id)
            new_id = c.execute(
                insert(s.action_item).values(
                    title=title, meeting_id=meeting_id, owner_id=owner_id, due=due,
                    status=status.value, origin=origin, origin_id=origin_id,
                    notes=text_field(notes, N_("Notes"), limit=limits.TEXT, required=False),
                    created_at=stamp, updated_at=stamp,
                )
            ).inserted_primary_key[0]  # fmt: skip
            return record(ActionItem, fetch_one(c, s.action_item, new_id))

    def actions(
        self, *, status: Iterable[ActionStatus | str] | None = None, meeting_id: int | None = None
    ) -> list[ActionItem]:
        """Action items, by due date; filtered by status or by the meeting that agreed them."""
        where = []
        if status is not None:
            where.append(s.action_item.c.status.in_([ActionStatus(x).value for x in status]))
        if meeting_id is not None:
            where.append(s.action_item.c.meeting_id == meeting_id)
        with self._read() as c:
            rows = fetch(
                c,
                s.action_item,
                *where,
                order=(s.action_item.c.due.is_(None), s.action_item.c.due, s.action_item.c.id),
            )
        return [record(ActionItem, row) for row in rows]

    def action(self, action_id: int) -> ActionItem:
        with self._read() as c:
            return record(ActionItem, fetch_one(c, s.action_item, action_id))

    def update_action(
        self,
        action_id: int,
        *,
        status: ActionStatus | str | None = None,
        note: str = "",
        meeting_id: int | None = None,
        owner_id: int | None = None,
        due: dt.date | None = None,
        title: str | None = None,
        notes: str | None = None,
    ) -> ActionItem:
        """Change an action; a change of status or a note is kept as an update, with the
        meeting at which it was reported (the monitoring across meetings)."""
        with self._write() as c:
            current = fetch_one(c, s.action_item, action_id, lock=True)
            changes: dict[str, Any] = {"updated_at": now()}
            if title is not None:
                changes["title"] = text_field(title, TITLE, limit=limits.LONG_TITLE)
            if notes is not None:
                changes["notes"] = text_field(notes, N_("Notes"), limit=limits.TEXT, required=False)
            if owner_id is not None:
                fetch_one(c, s.participant, owner_id)
                changes["owner_id"] = owner_id
            if due is not None:
                changes["due"] = due
            if status is not None:
                changes["status"] = enum_field(ActionStatus, status, N_("Status")).value
            if meeting_id is not None:
                fetch_one(c, s.meeting, meeting_id)
            if status is not None or note:
                c.execute(
                    insert(s.action_update).values(
                        action_id=action_id,
                        status=changes.get("status", current.status),
                        note=text_field(note, N_("Note"), limit=limits.TEXT, required=False),
                        meeting_id=meeting_id,
                        at=changes["updated_at"],
                    )
                )
            c.execute(
                update(s.action_item).where(s.action_item.c.id == action_id).values(**changes)
            )
            return record(ActionItem, fetch_one(c, s.action_item, action_id))

    def action_updates(self, action_id: int | None = None) -> list[ActionUpdate]:
        with self._read() as c:
            where = [] if action_id is None else [s.action_update.c.action_id == action_id]
            return [record(ActionUpdate, row) for row in fetch(c, s.action_update, *where)]
