"""What happens when a countdown reaches 0:00: pure rules over records, no I/O.

A vote round, a table round and a consultation each have a setting
(:class:`~facilitation.models.AtZero`): close by itself at the deadline (the
default for votes and table rounds), or only signal that the time is up (the
default for consultation phases). A round whose deadline has passed with
``close`` *is* closed, whether or not anyone has written so yet: the store reads
it as closed at its deadline (:func:`vote_round_as_of`, :func:`table_round_as_of`),
refuses dots after it, and whichever page or relay notices first writes the close
once, with the deadline as its time and the clock as who closed it.

>>> import datetime as dt
>>> from facilitation.models import VoteRound, VoteState
>>> start = dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC)
>>> vote = VoteRound(id=1, meeting_id=1, title="Runde", topic_ids=(1,), dots_per_person=1,
...                  max_per_topic=1, state=VoteState.OPEN, created_at=start,
...                  ends_at=start + dt.timedelta(minutes=1))
>>> vote_round_as_of(vote, start + dt.timedelta(seconds=59)).state
<VoteState.OPEN: 'open'>
>>> closed = vote_round_as_of(vote, start + dt.timedelta(minutes=2))
>>> closed.state, closed.closed_at == vote.ends_at, closed.closed_by
(<VoteState.CLOSED: 'closed'>, True, <ClosedBy.CLOCK: 'clock'>)
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from .models import AtZero, ClosedBy, TableRound, VoteRound, VoteState

__all__ = ["extended", "is_due", "table_round_as_of", "vote_round_as_of"]


def is_due(at_zero: AtZero, ends_at: dt.datetime | None, when: dt.datetime) -> bool:
    """Whether a countdown that closes by itself has reached its deadline at ``when``."""
    return at_zero is AtZero.CLOSE and ends_at is not None and ends_at <= when


def vote_round_as_of(vote_round: VoteRound, when: dt.datetime) -> VoteRound:
    """The round as it is at ``when``: closed at its deadline if its clock closes it."""
    if vote_round.state is VoteState.OPEN and is_due(vote_round.at_zero, vote_round.ends_at, when):
        return dataclasses.replace(
            vote_round,
            state=VoteState.CLOSED,
            closed_at=vote_round.ends_at,
            closed_by=ClosedBy.CLOCK,
        )
    return vote_round


def table_round_as_of(table_round: TableRound, when: dt.datetime) -> TableRound:
    """The round of the tables as it is at ``when``: ended at its deadline if its clock
    ends it."""
    running = table_round.started_at is not None and table_round.ended_at is None
    if running and is_due(table_round.at_zero, table_round.ends_at, when):
        return dataclasses.replace(
            table_round, ended_at=table_round.ends_at, ended_by=ClosedBy.CLOCK
        )
    return table_round


def extended(ends_at: dt.datetime, when: dt.datetime, seconds: int) -> dt.datetime:
    """A deadline ``seconds`` later; one already passed (only signalled) counts from ``when``.

    >>> t = dt.datetime(2026, 5, 4, 10, 0, tzinfo=dt.UTC)
    >>> extended(t, t - dt.timedelta(seconds=30), 60) - t
    datetime.timedelta(seconds=60)
    >>> extended(t, t + dt.timedelta(seconds=30), 60) - t
    datetime.timedelta(seconds=90)
    """
    return max(ends_at, when) + dt.timedelta(seconds=seconds)
