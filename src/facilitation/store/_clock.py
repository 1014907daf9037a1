"""The meeting's clock: what happens at 0:00, minutes added, deadlines that close.

A part of :class:`~facilitation.store.Store`. A vote round, a round of the
tables and a consultation's phase started with a countdown have a deadline
(``ends_at``, ``phase_ends_at``) next to the meeting's countdown
(``meeting_live.timer_ends_at``, which the pages show). Where their setting says
``close`` (see :mod:`facilitation.clock`), they are closed at the deadline: read
as closed from then on, and the close is written once by whoever notices first
(:meth:`ClockStore.close_due`: the relay of ``facilitation serve``, the facilitator's
page and the wall, or a refused dot), with the deadline as its time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select, union_all, update

from .. import clock
from .._exceptions import InvalidInput, word
from ..i18n import N_
from ..models import AtZero, LiveState, VoteState
from . import _schema as s
from ._base import live_state, positive, put_live
from ._changes import Changes
from ._consultation import ConsultationStore
from ._records import fetch_one, now
from ._tables import close_due_table_rounds
from ._voting import close_due_rounds

__all__ = ["ClockStore", "DeadlineKeeper"]

_CLOSE = AtZero.CLOSE.value


class ClockStore(ConsultationStore):
    """The meeting's clock: minutes added, the timer stopped, deadlines that close (a
    consultation's phase moves on by itself, hence a :class:`ConsultationStore`)."""

    def add_time(self, meeting_id: int, seconds: int) -> LiveState:
        """Give the running countdown ``seconds`` more (the facilitator's +1 and +5 min).

        What runs on it moves with it: the deadline of the meeting's open vote rounds,
        its running round of the tables and its consultations' phase. A countdown
        already at 0:00 that only signalled starts again from now; a round its clock
        has closed stays closed. Without a countdown, :class:`~facilitation.InvalidInput`.
        """
        positive(seconds, N_("Timer"), allow_none=False)
        stamp = now()
        with self._write() as c:
            fetch_one(c, s.meeting, meeting_id)
            live = live_state(c, meeting_id)
            if live.timer_ends_at is None:
                raise InvalidInput(
                    field=word(N_("Timer")),
                    problem=word(N_("no countdown is running; start one first")),
                )
            for table, column, running in _running(meeting_id, stamp):
                rows = c.execute(select(table.c.id, column).where(*running)).all()
                for row_id, ends_at in rows:
                    c.execute(
                        update(table)
                        .where(table.c.id == row_id)
                        .values({column.name: clock.extended(ends_at, stamp, seconds)})
                    )
            put_live(
                c, meeting_id, timer_ends_at=clock.extended(live.timer_ends_at, stamp, seconds)
            )
            return live_state(c, meeting_id)

    def stop_timer(self, meeting_id: int) -> LiveState:
        """Stop the meeting's countdown; what ran on it no longer closes by itself."""
        stamp = now()
        with self._write() as c:
            fetch_one(c, s.meeting, meeting_id)
            for table, column, running in _running(meeting_id, stamp):
                c.execute(update(table).where(*running).values({column.name: None}))
            put_live(c, meeting_id, timer_ends_at=None)
            return live_state(c, meeting_id)

    def next_deadline(self) -> dt.datetime | None:
        """The earliest deadline still to close anything (in any meeting), if any."""
        with self._read() as c:
            return c.execute(select(func.min(_due_deadlines().c.at))).scalar()

    def close_due(self) -> int:
        """Close what the clock closes and whose deadline has passed, at its deadline:
        vote rounds, rounds of the tables, consultation phases; how many.

        Idempotent, and cheap when nothing is due (one read, nothing written): pages and
        relays may all call it; whoever comes first writes the close.
        """
        stamp = now()
        deadlines = _due_deadlines()
        with self._read() as c:
            due = c.execute(
                select(func.count()).select_from(deadlines).where(deadlines.c.at <= stamp)
            ).scalar_one()
        if not due:
            return 0
        with self._write() as c:
            return (
                close_due_rounds(c, stamp)
                + close_due_table_rounds(c, stamp)
                + self._close_due_phases(c, stamp)
            )


class DeadlineKeeper:
    """Closes what the clock closes soon after its deadline, for a loop that ticks often
    (the relay of a server, the facilitator's page, the wall).

    It knows the next deadline and asks the store again only after a change to what
    sets deadlines (rounds, consultations, the meeting's countdown): a dot costs nothing.
    """

    TABLES = frozenset({"vote_round", "table_round", "consultation", "meeting_live"})

    def __init__(self, store: ClockStore) -> None:
        self._store = store
        self._next: dt.datetime | None = None
        self._known = False

    def changed(self, changes: Changes | None) -> None:
        """Note what changed (``None``: anything may have)."""
        if changes is None or changes.any_of(self.TABLES):
            self._known = False

    def tick(self) -> int:
        """Close what is due now (if anything); how many were closed."""
        if not self._known:
            self._next, self._known = self._store.next_deadline(), True
        if self._next is None or now() < self._next:
            return 0
        self._known = False
        return self._store.close_due()


def _running(meeting_id: int, when: dt.datetime) -> list[tuple[Any, Any, list[Any]]]:
    """Per kind: its table, its deadline column and what selects its running deadlines in
    the meeting (a deadline passed that closes is over, not running)."""
    not_closed = lambda table, column: (  # noqa: E731
        (table.c.at_zero != _CLOSE) | (column > when)
    )
    vote, tables, cons = s.vote_round, s.table_round, s.consultation
    return [
        (vote, vote.c.ends_at, [
            vote.c.meeting_id == meeting_id, vote.c.state == VoteState.OPEN.value,
            vote.c.ends_at.is_not(None), not_closed(vote, vote.c.ends_at),
        ]),
        (tables, tables.c.ends_at, [
            tables.c.meeting_id == meeting_id, tables.c.started_at.is_not(None),
            tables.c.ended_at.is_(None), tables.c.ends_at.is_not(None),
            not_closed(tables, tables.c.ends_at),
        ]),
        (cons, cons.c.phase_ends_at, [
            cons.c.meeting_id == meeting_id, cons.c.phase_ends_at.is_not(None),
            not_closed(cons, cons.c.phase_ends_at),
        ]),
    ]  # fmt: skip


def _due_deadlines() -> Any:
    """Every deadline that closes something when it passes, of every kind: one column ``at``."""
    vote, tables, cons = s.vote_round, s.table_round, s.consultation
    return union_all(
        select(vote.c.ends_at.label("at")).where(
            vote.c.state == VoteState.OPEN.value, vote.c.at_zero == _CLOSE,
            vote.c.ends_at.is_not(None),
        ),
        select(tables.c.ends_at.label("at")).where(
            tables.c.started_at.is_not(None), tables.c.ended_at.is_(None),
            tables.c.at_zero == _CLOSE, tables.c.ends_at.is_not(None),
        ),
        select(cons.c.phase_ends_at.label("at")).where(
            cons.c.at_zero == _CLOSE, cons.c.phase_ends_at.is_not(None),
        ),
    ).subquery()  # fmt: skip
