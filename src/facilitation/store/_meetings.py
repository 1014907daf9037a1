"""The workspace record, meetings and their agenda, and the live state: what each
meeting shows now, the timer, the intake, the join code, who has her page open.

A part of :class:`~facilitation.store.Store`: every method is one transaction
(or part of the caller's, inside :meth:`~facilitation.store.Store.atomic`)."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from .. import limits
from .._exceptions import InvalidInput, word
from ..i18n import N_
from ..models import (
    AgendaItem,
    LiveState,
    Meeting,
    MeetingFormat,
    PreparedAction,
    PreparedKind,
    Screen,
    Workspace,
)
from . import _schema as s
from ._base import TITLE, StoreBase, enum_field, live_state, lock_meeting, positive, put_live
from ._prepared import note_event
from ._records import fetch, fetch_one, now, put, record, text_field
from ._watch import FEED_ENV, ChangeWatcher

__all__ = ["MeetingStore"]


class MeetingStore(StoreBase):
    """The workspace record, meetings and their agenda, and the live state: what each
    meeting shows now, the timer, the intake, the join code, who has her page open.
    """

    # --- the workspace -----------------------------------------------------------------------

    def info(self) -> Workspace:
        """The workspace record: title, description, creation time."""
        with self._read() as c:
            return record(Workspace, c.execute(select(s.workspace)).one())

    def update_info(self, *, title: str | None = None, description: str | None = None) -> Workspace:
        changes: dict[str, Any] = {}
        if title is not None:
            changes["title"] = text_field(title, TITLE, limit=limits.NAME)
        if description is not None:
            changes["description"] = text_field(
                description, N_("Description"), limit=limits.TEXT, required=False
            )
        with self._write() as c:
            if changes:
                c.execute(update(s.workspace).values(**changes))
        return self.info()

    def facilitator_key(self) -> str:
        """The secret that opens the facilitator and projector pages."""
        with self._read() as c:
            return c.execute(select(s.workspace.c.facilitator_key)).scalar_one()

    # --- meetings and agenda -----------------------------------------------------------------

    def add_meeting(
        self,
        title: str,
        *,
        date: dt.date | None = None,
        place: str = "",
        format: MeetingFormat | str = MeetingFormat.PEER_LEARNING,
        host_municipality_id: int | None = None,
    ) -> Meeting:
        """Add a meeting (Treffen, Werkstatt) of the series."""
        values = {
            "title": text_field(title, TITLE, limit=limits.TITLE),
            "date": date,
            "place": text_field(place, N_("Place"), limit=limits.PLACE, required=False),
            "format": enum_field(MeetingFormat, format, N_("Format")).value,
            "host_municipality_id": host_municipality_id,
            "created_at": now(),
        }
        with self._write() as c:
            if host_municipality_id is not None:
                fetch_one(c, s.municipality, host_municipality_id)
            new_id = c.execute(insert(s.meeting).values(**values)).inserted_primary_key[0]
            return record(Meeting, fetch_one(c, s.meeting, new_id))

    def meetings(self) -> list[Meeting]:
        """Meetings of the series, by date."""
        with self._read() as c:
            rows = fetch(
                c, s.meeting, order=(s.meeting.c.date.is_(None), s.meeting.c.date, s.meeting.c.id)
            )
        return [record(Meeting, row) for row in rows]

    def meeting(self, meeting_id: int) -> Meeting:
        with self._read() as c:
            return record(Meeting, fetch_one(c, s.meeting, meeting_id))

    def update_meeting(self, meeting_id: int, **changes: Any) -> Meeting:
        """Change a meeting's title, date, place, format or host."""
        allowed = {"title", "date", "place", "format", "host_municipality_id"}
        unknown = set(changes) - allowed
        if unknown:
            raise TypeError(f"cannot change {', '.join(sorted(unknown))} of a meeting")
        if "title" in changes:
            changes["title"] = text_field(changes["title"], TITLE, limit=limits.TITLE)
        if "place" in changes:
            changes["place"] = text_field(
                changes["place"], N_("Place"), limit=limits.PLACE, required=False
            )
        if "format" in changes:
            changes["format"] = enum_field(MeetingFormat, changes["format"], N_("Format")).value
        with self._write() as c:
            row = fetch_one(c, s.meeting, meeting_id, lock=True)
            if changes.get("host_municipality_id") is not None:
                fetch_one(c, s.municipality, changes["host_municipality_id"])
            before = {k: getattr(row, k) for k, v in changes.items() if getattr(row, k) != v}
            if before:
                c.execute(update(s.meeting).where(s.meeting.c.id == meeting_id).values(**changes))
                note_event(
                    c, PreparedKind.MEETING, meeting_id, PreparedAction.EDITED,
                    meeting_id=meeting_id, title=row.title, before=before,
                )  # fmt: skip
            return record(Meeting, fetch_one(c, s.meeting, meeting_id))

    def add_agenda_item(
        self,
        meeting_id: int,
        title: str,
        *,
        starts_at: dt.time | None = None,
        minutes: int | None = None,
        kind: str = "other",
    ) -> AgendaItem:
        """Append an item to a meeting's agenda."""
        title = text_field(title, TITLE, limit=limits.TITLE)
        _check_minutes(minutes)
        with self._write() as c:
            lock_meeting(c, meeting_id)  # the next number
            position = (
                c.execute(
                    select(func.coalesce(func.max(s.agenda_item.c.position), 0)).where(
                        s.agenda_item.c.meeting_id == meeting_id
                    )
                ).scalar_one()
                + 1
            )
            new_id = c.execute(
                insert(s.agenda_item).values(
                    meeting_id=meeting_id, position=position, title=title,
                    starts_at=starts_at, minutes=minutes, kind=kind,
                )
            ).inserted_primary_key[0]  # fmt: skip
            return record(AgendaItem, fetch_one(c, s.agenda_item, new_id))

    def agenda(self, meeting_id: int) -> list[AgendaItem]:
        with self._read() as c:
            rows = fetch(
                c, s.agenda_item, s.agenda_item.c.meeting_id == meeting_id,
                order=(s.agenda_item.c.position,),
            )  # fmt: skip
        return [record(AgendaItem, row) for row in rows]

    def update_agenda_item(self, item_id: int, **changes: Any) -> AgendaItem:
        """Change an agenda item's title, start, minutes or kind (``None`` clears a time).

        An agenda item holds nothing participants gave: it can be changed at any time.
        What it was is kept as an event.
        """
        allowed = {"title", "starts_at", "minutes", "kind"}
        unknown = set(changes) - allowed
        if unknown:
            raise TypeError(f"cannot change {', '.join(sorted(unknown))} of an agenda item")
        if "title" in changes:
            changes["title"] = text_field(changes["title"], TITLE, limit=300)
        if "kind" in changes:
            changes["kind"] = text_field(changes["kind"], N_("Kind"), limit=40)
        _check_minutes(changes.get("minutes"))
        with self._write() as c:
            row = fetch_one(c, s.agenda_item, item_id, lock=True)
            before = {k: getattr(row, k) for k, v in changes.items() if getattr(row, k) != v}
            if before:
                c.execute(
                    update(s.agenda_item).where(s.agenda_item.c.id == item_id).values(**changes)
                )
                note_event(
                    c, PreparedKind.AGENDA_ITEM, item_id, PreparedAction.EDITED,
                    meeting_id=row.meeting_id, title=row.title, before=before,
                )  # fmt: skip
            return record(AgendaItem, fetch_one(c, s.agenda_item, item_id))

    def move_agenda_item(self, item_id: int, steps: int) -> list[AgendaItem]:
        """Move an item ``steps`` places down its agenda (negative: up), never past an end;
        returns the agenda in its new order. Times stay as they were set."""
        with self._write() as c:
            row = fetch_one(c, s.agenda_item, item_id)
            lock_meeting(c, row.meeting_id)
            ids = list(
                c.execute(
                    select(s.agenda_item.c.id)
                    .where(s.agenda_item.c.meeting_id == row.meeting_id)
                    .order_by(s.agenda_item.c.position, s.agenda_item.c.id)
                ).scalars()
            )
            old = ids.index(item_id)
            new = max(0, min(len(ids) - 1, old + int(steps)))
            if new != old:
                ids.insert(new, ids.pop(old))
                for position, other in enumerate(ids, 1):
                    c.execute(
                        update(s.agenda_item)
                        .where(s.agenda_item.c.id == other)
                        .values(position=position)
                    )
                note_event(
                    c, PreparedKind.AGENDA_ITEM, item_id, PreparedAction.MOVED,
                    meeting_id=row.meeting_id, title=row.title, before={"position": old + 1},
                )  # fmt: skip
        return self.agenda(row.meeting_id)

    def delete_agenda_item(self, item_id: int) -> None:
        """Delete an agenda item (it holds nothing participants gave); kept as an event."""
        with self._write() as c:
            row = fetch_one(c, s.agenda_item, item_id, lock=True)
            c.execute(delete(s.agenda_item).where(s.agenda_item.c.id == item_id))
            note_event(
                c, PreparedKind.AGENDA_ITEM, item_id, PreparedAction.DELETED,
                meeting_id=row.meeting_id, title=row.title, before=dict(row._mapping),
            )  # fmt: skip

    # --- the live workshop -------------------------------------------------------------------

    def watch(self) -> ChangeWatcher:
        """A cheap way to learn what any page changed in the workspace (see ``_watch``):
        through the server's feed if it has one (``FACILITATION_CHANGE_FEED``)."""
        return ChangeWatcher(self.engine, feed=os.environ.get(FEED_ENV) or None)

    def current_meeting(self) -> Meeting | None:
        """The meeting that is running now (chosen by the facilitator), if any."""
        with self._read() as c:
            meeting_id = c.execute(select(s.workspace.c.current_meeting_id)).scalar()
            return record(Meeting, fetch_one(c, s.meeting, meeting_id)) if meeting_id else None

    def set_current_meeting(self, meeting_id: int | None) -> None:
        with self._write() as c:
            if meeting_id is not None:
                fetch_one(c, s.meeting, meeting_id)
            c.execute(update(s.workspace).values(current_meeting_id=meeting_id))

    def live(self, meeting_id: int) -> LiveState:
        """What the meeting shows now."""
        with self._read() as c:
            return live_state(c, meeting_id)

    def _set_live(self, meeting_id: int, **values: Any) -> LiveState:
        with self._write() as c:
            fetch_one(c, s.meeting, meeting_id)
            put_live(c, meeting_id, **values)
            return live_state(c, meeting_id)

    def show(
        self, meeting_id: int, screen: Screen | str, subject_id: int | None = None
    ) -> LiveState:
        """Put ``screen`` on the participants' pages (``vote``/``results`` need a round)."""
        screen = enum_field(Screen, screen, N_("Screen"))
        subjects = {
            Screen.VOTE: (s.vote_round, N_("choose a vote round of this meeting")),
            Screen.RESULTS: (s.vote_round, N_("choose a vote round of this meeting")),
            Screen.CONSULTATION: (s.consultation, N_("choose a consultation of this meeting")),
            Screen.TABLES: (s.table_round, N_("choose a round of the tables of this meeting")),
        }
        if screen not in subjects:
            subject_id = None
        values: dict[str, Any] = {"screen": screen.value, "subject_id": subject_id}
        if screen is Screen.INTAKE:
            values["intake_open"] = True
        with self._write() as c:  # the subject checked where the screen is written
            if screen in subjects:
                table, problem = subjects[screen]
                query = select(table.c.meeting_id).where(table.c.id == subject_id)
                row = c.execute(query).first()
                if subject_id is None or row is None or row.meeting_id != meeting_id:
                    raise InvalidInput(field=word(N_("Screen")), problem=word(problem))
            fetch_one(c, s.meeting, meeting_id)
            put_live(c, meeting_id, **values)
        return self.live(meeting_id)

    def set_intake(self, meeting_id: int, open_: bool) -> LiveState:
        """Open or close the intake of challenges (closing it also ends the one ahead)."""
        if open_:
            return self._set_live(meeting_id, intake_open=True)
        return self._set_live(meeting_id, intake_open=False, intake_ahead=False)

    def set_intake_ahead(self, meeting_id: int, open_: bool) -> LiveState:
        """Open the intake ahead of the meeting (the "Interessenbekundung"): participants
        submit their challenges from their own links, at home, while the meeting's pages
        show the waiting screen; or close it."""
        return self._set_live(meeting_id, intake_open=bool(open_), intake_ahead=bool(open_))

    def start_timer(self, meeting_id: int, seconds: int) -> LiveState:
        """Start a countdown shown on the projector and the participants' pages."""
        positive(seconds, N_("Timer"), allow_none=False)
        return self._set_live(meeting_id, timer_ends_at=now() + dt.timedelta(seconds=seconds))

    def stop_timer(self, meeting_id: int) -> LiveState:
        return self._set_live(meeting_id, timer_ends_at=None)

    def open_join(self, meeting_id: int) -> str:
        """Let newcomers join this meeting with a short code; returns the code."""
        code = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))
        self._set_live(meeting_id, join_code=code)
        return code

    def close_join(self, meeting_id: int) -> None:
        self._set_live(meeting_id, join_code=None)

    def mark_seen(self, meeting_id: int, participant_id: int) -> None:
        """Note that a participant has her page open for a meeting."""
        stamp = now()
        with self._write() as c:
            put(
                c, s.presence, {"meeting_id": meeting_id, "participant_id": participant_id},
                {"last_seen_at": stamp}, on_insert={"first_seen_at": stamp},
            )  # fmt: skip

    def seen(self, meeting_id: int) -> dict[int, dt.datetime]:
        """Participants who have opened their page for a meeting, with when they last did."""
        query = select(s.presence.c.participant_id, s.presence.c.last_seen_at).where(
            s.presence.c.meeting_id == meeting_id
        )
        with self._read() as c:
            return {participant: at for participant, at in c.execute(query)}


def _check_minutes(minutes: int | None) -> None:
    """An agenda item's minutes: none, or not negative."""
    if minutes is not None and minutes < 0:
        raise InvalidInput(field=word(N_("Minutes")), problem=word(N_("must not be negative")))
