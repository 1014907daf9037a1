"""What happens at 0:00 (issue 20): a round closes by itself at its deadline, or only
signals; the facilitator adds minutes; on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import facilitation
from facilitation import InvalidInput, Store, TimeIsUp
from facilitation.export import tables
from facilitation.i18n import language
from facilitation.models import AtZero, ClosedBy, ConsultationPhase, VoteState


@pytest.fixture(autouse=True)
def german() -> Iterator[None]:
    with language("de"):
        yield


@pytest.fixture
def room(fresh_store: Store) -> dict[str, Any]:
    store = fresh_store
    meeting = store.add_meeting("Treffen").id
    people = [store.add_participant(n, meeting_id=meeting).id for n in ("Anna", "Bernd")]
    topics = [store.add_topic(meeting, t).id for t in ("Schulen", "Busse", "Ärzte")]
    return {"store": store, "meeting": meeting, "people": people, "topics": topics}


def until(check: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait (briefly, a few times a second) until ``check()`` holds."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.1)


def past(moment: dt.datetime | None) -> Callable[[], bool]:
    return lambda: moment is not None and dt.datetime.now(dt.UTC) > moment


def test_a_vote_closes_by_itself_at_its_deadline(room) -> None:
    store, meeting, (anna, bernd), topics = (
        room[k] for k in ("store", "meeting", "people", "topics")
    )
    vote = store.create_round(meeting, topics, timer_seconds=1)
    assert vote.at_zero is AtZero.CLOSE  # the default for votes
    vote = store.open_round(vote.id, show=True, timer=True)
    assert vote.state is VoteState.OPEN
    assert vote.ends_at == store.live(meeting).timer_ends_at  # the round runs on the countdown
    store.place_dot(vote.id, anna, topics[0])  # in time
    assert store.next_deadline() == vote.ends_at
    until(past(vote.ends_at))
    # Read as closed at its deadline, before anyone has written it.
    seen = store.vote_round(vote.id)
    assert (seen.state, seen.closed_at, seen.closed_by) == (
        VoteState.CLOSED,
        vote.ends_at,
        ClosedBy.CLOCK,
    )
    with pytest.raises(TimeIsUp) as refused:
        store.place_dot(vote.id, bernd, topics[1])
    assert str(refused.value).startswith("Die Zeit für diese Abstimmung ist um")
    with pytest.raises(TimeIsUp):
        store.take_back_dot(vote.id, anna, topics[0])
    # The refused dot wrote the close: at the deadline, by the clock; nothing is left due.
    assert store.next_deadline() is None
    assert store.close_due() == 0
    assert store.tally(vote.id) == {topics[0]: 1, topics[1]: 0, topics[2]: 0}
    # Closing it by hand as well (a click in flight) changes nothing; revealing works.
    assert store.close_round(vote.id, stop_timer=True).closed_by is ClosedBy.CLOCK
    assert store.reveal_round(vote.id).state is VoteState.REVEALED
    # The research data see who closed it, and when.
    row = next(r for r in tables(store)["vote_rounds"] if r["id"] == vote.id)
    assert row["closed_by"] == "clock"
    assert row["closed_at"] == vote.ends_at.isoformat()


def test_whoever_notices_first_writes_the_close_once(room, location) -> None:
    store, meeting, topics = room["store"], room["meeting"], room["topics"]
    vote = store.open_round(store.create_round(meeting, topics, timer_seconds=1).id, timer=True)
    other = facilitation.open_workspace(location)  # another page's kernel, or the relay
    try:
        assert other.close_due() == 0  # not yet due
        until(past(vote.ends_at))
        assert [other.close_due(), store.close_due(), other.close_due()] == [1, 0, 0]
    finally:
        other.close()
    closed = store.vote_round(vote.id)
    assert (closed.state, closed.closed_at, closed.closed_by) == (
        VoteState.CLOSED,
        vote.ends_at,
        ClosedBy.CLOCK,
    )
    # Opened again, it runs without a deadline until a timer starts.
    again = store.open_round(vote.id)
    assert (again.state, again.ends_at, again.closed_by) == (VoteState.OPEN, None, None)
    assert store.close_round(vote.id).closed_by is ClosedBy.FACILITATOR


def test_a_vote_that_only_signals_stays_open(room) -> None:
    store, meeting, (anna, _bernd), topics = (
        room[k] for k in ("store", "meeting", "people", "topics")
    )
    vote = store.create_round(meeting, topics, timer_seconds=1, at_zero="signal")
    vote = store.open_round(vote.id, show=True, timer=True)
    assert store.next_deadline() is None  # nothing will close
    until(past(vote.ends_at))
    assert store.close_due() == 0
    assert store.vote_round(vote.id).state is VoteState.OPEN
    store.place_dot(vote.id, anna, topics[0])  # still counts: the facilitator closes it
    with pytest.raises(InvalidInput):
        store.create_round(meeting, topics, at_zero="sometimes")


def test_the_facilitator_adds_minutes(room) -> None:
    store, meeting, (anna, _bernd), topics = (
        room[k] for k in ("store", "meeting", "people", "topics")
    )
    with pytest.raises(InvalidInput) as refused:
        store.add_time(meeting, 60)  # no countdown runs
    assert "Countdown" in str(refused.value)
    vote = store.open_round(store.create_round(meeting, topics, timer_seconds=60).id, timer=True)
    live = store.add_time(meeting, 60)
    assert live.timer_ends_at - vote.ends_at == dt.timedelta(seconds=60)
    assert store.vote_round(vote.id).ends_at == live.timer_ends_at
    live = store.add_time(meeting, 300)
    assert live.timer_ends_at - vote.ends_at == dt.timedelta(seconds=360)
    assert store.next_deadline() == live.timer_ends_at
    with pytest.raises(InvalidInput):
        store.add_time(meeting, 0)
    # Stopping the countdown stops what ran on it: the round no longer closes by itself.
    store.stop_timer(meeting)
    assert store.vote_round(vote.id).ends_at is None
    assert store.next_deadline() is None
    store.place_dot(vote.id, anna, topics[0])

    # A countdown at 0:00 that only signalled starts again from now.
    signal = store.create_round(meeting, topics, timer_seconds=1, at_zero=AtZero.SIGNAL)
    signal = store.open_round(signal.id, timer=True)
    until(past(signal.ends_at))
    before = dt.datetime.now(dt.UTC)
    live = store.add_time(meeting, 60)
    assert live.timer_ends_at >= before + dt.timedelta(seconds=60)
    assert store.vote_round(signal.id).ends_at == live.timer_ends_at


def test_a_round_of_the_tables_ends_by_itself_or_signals(room) -> None:
    store, meeting = room["store"], room["meeting"]
    store.add_table(meeting, "Mobilität")
    first = store.add_table_round(meeting, minutes=1)
    second = store.add_table_round(meeting, minutes=1, at_zero="signal")
    assert (first.at_zero, second.at_zero) == (AtZero.CLOSE, AtZero.SIGNAL)
    started = store.start_table_round(first.id, seconds=1)
    assert started.ends_at == store.live(meeting).timer_ends_at
    until(past(started.ends_at))
    ended = store.table_round(first.id)
    assert (ended.ended_at, ended.ended_by) == (started.ends_at, ClosedBy.CLOCK)
    assert store.close_due() == 1 and store.close_due() == 0
    assert store.end_table_round(first.id).ended_at == started.ends_at  # the bell, late
    # The next round only signals at 0:00: it runs until the facilitator ends it.
    running = store.start_table_round(second.id, seconds=1)
    until(past(running.ends_at))
    assert store.close_due() == 0
    assert store.table_round(second.id).ended_at is None
    assert store.end_table_round(second.id).ended_by is ClosedBy.FACILITATOR
    assert store.set_table_round_at_zero(second.id, "close").at_zero is AtZero.CLOSE


def test_a_consultation_phase_signals_by_default_and_its_clock_moves(room) -> None:
    store, meeting = room["store"], room["meeting"]
    case = store.add_consultation(meeting, "Fall")
    assert case.at_zero is AtZero.SIGNAL  # the default for consultation phases
    case = store.set_phase(case.id, ConsultationPhase.CASTING, start_timer=True)
    assert case.phase_ends_at == store.live(meeting).timer_ends_at
    live = store.add_time(meeting, 60)
    assert store.consultation(case.id).phase_ends_at == live.timer_ends_at
    assert store.next_deadline() is None  # it only signals
    closing = store.update_consultation(case.id, at_zero="close")
    assert closing.at_zero is AtZero.CLOSE
    assert store.next_deadline() == live.timer_ends_at
    store.stop_timer(meeting)
    assert store.consultation(case.id).phase_ends_at is None


def test_a_consultation_phase_that_closes_moves_on_at_its_deadline(room) -> None:
    store, meeting, (anna, bernd) = room["store"], room["meeting"], room["people"]
    case = store.add_consultation(meeting, "Fall", at_zero="close")
    store.set_role(case.id, anna, "case_giver")
    store.set_role(case.id, bernd, "consultant")
    case = store.set_phase(case.id, ConsultationPhase.CASE_ACCOUNT, start_timer=True)
    deadline = case.phase_ends_at
    assert store.next_deadline() == deadline
    later = deadline + dt.timedelta(seconds=1)
    # As the clock would at the deadline (the phase lasts minutes; a test does not wait).
    with store._write() as c:
        assert store._close_due_phases(c, later) == 1
    moved = store.consultation(case.id)
    assert (moved.phase, moved.phase_started_at, moved.phase_ends_at) == (
        ConsultationPhase.KEY_QUESTION,
        deadline,
        None,
    )
    assert [p.at for p in store.phase_changes(case.id)][-1] == deadline
    # The next phase's clock was not started: nothing more closes by itself.
    assert store.next_deadline() is None
    # Where the next phase is not ready (no key question yet), the phase stays: signalled.
    case = store.set_phase(case.id, ConsultationPhase.KEY_QUESTION, start_timer=True)
    with store._write() as c:
        store._close_due_phases(c, case.phase_ends_at + dt.timedelta(seconds=1))
    stays = store.consultation(case.id)
    assert (stays.phase, stays.phase_ends_at) == (ConsultationPhase.KEY_QUESTION, None)
