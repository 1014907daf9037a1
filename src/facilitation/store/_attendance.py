"""Who attended a meeting: the roll, read from page openings and the facilitator's events.

A part of :class:`~facilitation.store.Store`: every method is one transaction
(or part of the caller's, inside :meth:`~facilitation.store.Store.atomic`).
The rule itself is :func:`facilitation.attendance.roll`."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select

from .._exceptions import NotInMeeting
from ..attendance import Attendance, AttendanceEvent, Roll, roll
from ..i18n import N_
from ..models import Participant
from . import _schema as s
from ._base import StoreBase, enum_field, registered_for
from ._records import fetch, fetch_one, now, record

__all__ = ["AttendanceStore"]


class AttendanceStore(StoreBase):
    """Who attended a meeting, and the facilitator's corrections."""

    def set_attendance(
        self, meeting_id: int, participant_id: int, status: Attendance | str
    ) -> AttendanceEvent | None:
        """Check a registered participant in by hand, excuse her, or mark her absent.

        Kept as an event with its time; the latest word counts (see
        :func:`facilitation.attendance.roll`). Saying what already holds (a
        double click) writes nothing and returns None.

        Raises
        ------
        NotInMeeting
            She is not registered for the meeting.
        """
        status = enum_field(Attendance, status, N_("Attendance"))
        with self._write() as c:
            fetch_one(c, s.meeting, meeting_id)
            person = record(Participant, fetch_one(c, s.participant, participant_id))
            if not registered_for(c, meeting_id, participant_id):
                raise NotInMeeting(name=person.name)
            standing = self._roll(c, meeting_id, [participant_id]).of(participant_id)
            if standing is not None and standing.status is status:
                return None
            values = {"meeting_id": meeting_id, "participant_id": participant_id,
                      "status": status.value, "at": now()}  # fmt: skip
            new_id = c.execute(insert(s.attendance_event).values(**values)).inserted_primary_key[0]
            return record(AttendanceEvent, fetch_one(c, s.attendance_event, new_id))

    def attendance_events(self, meeting_id: int | None = None) -> list[AttendanceEvent]:
        """The facilitator's attendance events, of one meeting or all, in order."""
        where = () if meeting_id is None else (s.attendance_event.c.meeting_id == meeting_id,)
        with self._read() as c:
            rows = fetch(c, s.attendance_event, *where, order=(s.attendance_event.c.id,))
        return [record(AttendanceEvent, row) for row in rows]

    def attendance(self, meeting_id: int) -> Roll:
        """The roll of a meeting: each registered participant present, excused or absent."""
        with self._read() as c:
            fetch_one(c, s.meeting, meeting_id)
            registered = c.execute(
                select(s.meeting_participant.c.participant_id)
                .where(s.meeting_participant.c.meeting_id == meeting_id)
                .order_by(s.meeting_participant.c.participant_id)
            ).scalars()
            return self._roll(c, meeting_id, list(registered))

    @staticmethod
    def _roll(c: Connection, meeting_id: int, registered: list[int]) -> Roll:
        opened = select(s.presence.c.participant_id, s.presence.c.first_seen_at).where(
            s.presence.c.meeting_id == meeting_id
        )
        events = fetch(
            c, s.attendance_event, s.attendance_event.c.meeting_id == meeting_id,
            order=(s.attendance_event.c.id,),
        )  # fmt: skip
        return roll(
            meeting_id,
            registered,
            {person: at for person, at in c.execute(opened)},
            [record(AttendanceEvent, row) for row in events],
        )
