"""Who attended a meeting: the roll, and the one rule behind every "x of N" on the pages.

Registered is not present. A registered participant is *present* from her first
page opening in the meeting (the store notes it in ``presence``) or when the
facilitator checks her in by hand (someone without a device); the facilitator
corrects it with an event (checked in, excused, absent) that keeps its time.
The latest of these counts, a correction by hand before a page opening at the
same moment; whoever has none of them is *absent*.

Every count of the room on the facilitator's page and on the wall ("7 of 7 have
placed dots") is :func:`share`: of those present (and, where the caller names
them, who may take part now), how many did it.

>>> at = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)
>>> later = at + dt.timedelta(minutes=5)
>>> events = [AttendanceEvent(id=1, meeting_id=1, participant_id=3, status=Attendance.EXCUSED,
...                           at=at)]
>>> r = roll(1, [1, 2, 3, 4], opened={1: at, 2: at}, events=events)
>>> sorted(r.present), sorted(r.excused), sorted(r.absent)
([1, 2], [3], [4])
>>> share(r, did=[1, 3])
Share(done=1, of=2)
>>> share(r, did=[1], may_take_part=[1])
Share(done=1, of=1)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from .i18n import N_

__all__ = [
    "ATTENDANCE_WORDS",
    "Attendance",
    "AttendanceEvent",
    "Roll",
    "Share",
    "Standing",
    "roll",
    "share",
]


class Attendance(StrEnum):
    """Whether a registered participant attended a meeting."""

    PRESENT = "present"
    EXCUSED = "excused"
    ABSENT = "absent"


ATTENDANCE_WORDS = {
    Attendance.PRESENT: N_("present"),
    Attendance.EXCUSED: N_("excused"),
    Attendance.ABSENT: N_("absent"),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class AttendanceEvent:
    """The facilitator checked a participant in, excused her or marked her absent."""

    id: int
    meeting_id: int
    participant_id: int
    status: Attendance
    at: dt.datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Standing:
    """One registered participant's attendance: since when, and whether by hand."""

    participant_id: int
    status: Attendance
    since: dt.datetime | None = None  # None: absent, and nothing ever said otherwise
    by_hand: bool = False  # the facilitator's event decided it (else her page opening)
    opened_at: dt.datetime | None = None  # her first page opening in the meeting


@dataclass(frozen=True, slots=True)
class Roll:
    """The attendance of every registered participant of one meeting."""

    meeting_id: int
    standings: tuple[Standing, ...]

    def of(self, participant_id: int) -> Standing | None:
        """Her standing (None: she is not registered for the meeting)."""
        for standing in self.standings:
            if standing.participant_id == participant_id:
                return standing
        return None

    def _with(self, status: Attendance) -> frozenset[int]:
        return frozenset(s.participant_id for s in self.standings if s.status is status)

    @property
    def registered(self) -> frozenset[int]:
        return frozenset(s.participant_id for s in self.standings)

    @property
    def present(self) -> frozenset[int]:
        return self._with(Attendance.PRESENT)

    @property
    def excused(self) -> frozenset[int]:
        return self._with(Attendance.EXCUSED)

    @property
    def absent(self) -> frozenset[int]:
        return self._with(Attendance.ABSENT)


def roll(
    meeting_id: int,
    registered: Iterable[int],
    opened: Mapping[int, dt.datetime],
    events: Iterable[AttendanceEvent],
) -> Roll:
    """The roll of a meeting: each registered participant's latest word on her attendance.

    Parameters
    ----------
    meeting_id
        The meeting.
    registered
        Its registered participants (the roll keeps their order).
    opened
        Participant to her first page opening in the meeting.
    events
        The facilitator's events (of any meeting and person: the others are left aside).

    Returns
    -------
    Roll
        One :class:`Standing` per registered participant.

    >>> at = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)
    >>> absent = AttendanceEvent(id=1, meeting_id=1, participant_id=1,
    ...                          status=Attendance.ABSENT, at=at)
    >>> roll(1, [1], {1: at}, [absent]).of(1).status  # the correction wins a tie
    <Attendance.ABSENT: 'absent'>
    >>> roll(1, [1], {1: at + dt.timedelta(hours=1)}, [absent]).of(1).status  # she came later
    <Attendance.PRESENT: 'present'>
    """
    latest: dict[int, AttendanceEvent] = {}
    for event in events:
        if event.meeting_id != meeting_id:
            continue
        held = latest.get(event.participant_id)
        if held is None or (event.at, event.id) >= (held.at, held.id):
            latest[event.participant_id] = event
    standings = []
    for person in dict.fromkeys(registered):
        first = opened.get(person)
        event = latest.get(person)
        if event is not None and (first is None or event.at >= first):
            standing = Standing(
                participant_id=person, status=Attendance(event.status), since=event.at,
                by_hand=True, opened_at=first,
            )  # fmt: skip
        elif first is not None:
            standing = Standing(
                participant_id=person, status=Attendance.PRESENT, since=first, opened_at=first
            )
        else:
            standing = Standing(participant_id=person, status=Attendance.ABSENT)
        standings.append(standing)
    return Roll(meeting_id, tuple(standings))


@dataclass(frozen=True, slots=True)
class Share:
    """ "{done} of {of}": how many of those counted did something."""

    done: int
    of: int


def share(
    attendance: Roll, did: Iterable[int], *, may_take_part: Iterable[int] | None = None
) -> Share:
    """The one rule for every "x of N" about the room, on the facilitator's page and the wall.

    N is those present (and among them, if given, those who may take part now:
    the consultants of a phase, say); x is how many of them are among ``did``.
    Someone who is not counted (absent, excused, not registered) is in neither.

    >>> r = Roll(1, (Standing(participant_id=1, status=Attendance.PRESENT),
    ...              Standing(participant_id=2, status=Attendance.ABSENT)))
    >>> share(r, did=[1, 2, 99])
    Share(done=1, of=1)
    """
    counted = attendance.present
    if may_take_part is not None:
        counted = counted & frozenset(may_take_part)
    return Share(done=len(counted & frozenset(did)), of=len(counted))
