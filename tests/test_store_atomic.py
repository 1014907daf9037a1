"""One transaction across calls (Store.atomic) and the store's one-click operations,
on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading

import pytest

import facilitation
from facilitation import InvalidInput, InvalidTransition, NoTableRoundChosen, RecordNotFound
from facilitation.models import Screen, VoteState


def test_an_atomic_block_writes_all_or_nothing(fresh_store) -> None:
    with fresh_store.atomic():
        first = fresh_store.add_meeting("Auftakt")
        fresh_store.add_agenda_item(first.id, "Begrüßung")
    assert [m.title for m in fresh_store.meetings()] == ["Auftakt"]
    assert [a.title for a in fresh_store.agenda(first.id)] == ["Begrüßung"]

    with pytest.raises(RecordNotFound), fresh_store.atomic():
        second = fresh_store.add_meeting("Zweites Treffen")
        fresh_store.add_agenda_item(second.id, "Rückblick")
        fresh_store.add_agenda_item(999, "Nirgends")  # fails: the whole block goes
    assert [m.title for m in fresh_store.meetings()] == ["Auftakt"]


def test_a_call_that_fails_inside_the_block_leaves_nothing_behind(fresh_store) -> None:
    with fresh_store.atomic():
        meeting = fresh_store.add_meeting("Auftakt")
        with pytest.raises(InvalidInput):
            fresh_store.add_participant("Anna", email="keine-adresse")  # refused, caught
        fresh_store.add_participant("Bernd", meeting_id=meeting.id)
        with fresh_store.atomic():  # nested: part of the outer block
            fresh_store.add_participant("Clara", meeting_id=meeting.id)
    assert [p.name for p in fresh_store.participants(meeting.id)] == ["Bernd", "Clara"]
    assert [p.name for p in fresh_store.participants()] == ["Bernd", "Clara"]


def test_the_block_reads_its_own_writes_and_nobody_else_sees_them_before_the_end(
    fresh_store, location
) -> None:
    other = facilitation.open_workspace(location)
    seen_elsewhere: list[list[str]] = []
    try:
        with fresh_store.atomic():
            fresh_store.add_meeting("Auftakt")
            assert [m.title for m in fresh_store.meetings()] == ["Auftakt"]  # its own write
            seen_elsewhere.append([m.title for m in other.meetings()])  # another page
            # Another thread of the same page (the live loop) reads in its own transaction.
            thread = threading.Thread(
                target=lambda: seen_elsewhere.append([m.title for m in fresh_store.meetings()])
            )
            thread.start()
            thread.join(timeout=30)
        assert seen_elsewhere == [[], []]
        assert [m.title for m in other.meetings()] == ["Auftakt"]
    finally:
        other.close()


@pytest.fixture
def vote(fresh_store):
    meeting = fresh_store.add_meeting("Auftakt")
    topics = [fresh_store.add_topic(meeting.id, f"Thema {i}").id for i in range(6)]
    vote_round = fresh_store.create_round(meeting.id, topics, timer_seconds=300)
    return fresh_store, meeting, vote_round


def test_opening_a_round_shows_it_and_starts_its_timer_in_one_step(vote) -> None:
    store, meeting, vote_round = vote
    opened = store.open_round(vote_round.id, show=True, timer=True)
    assert opened.state is VoteState.OPEN
    live = store.live(meeting.id)
    assert (live.screen, live.subject_id) == (Screen.VOTE, vote_round.id)
    assert live.timer_ends_at is not None
    closed = store.close_round(vote_round.id, stop_timer=True)
    assert closed.state is VoteState.CLOSED and store.live(meeting.id).timer_ends_at is None
    store.reveal_round(vote_round.id, show=True)
    live = store.live(meeting.id)
    assert (live.screen, live.subject_id) == (Screen.RESULTS, vote_round.id)


def test_a_step_that_fails_leaves_the_round_as_it_was(vote) -> None:
    store, meeting, vote_round = vote
    with pytest.raises(InvalidInput):
        store.open_round(vote_round.id, show=True, timer=-5)  # a countdown below zero
    assert store.vote_round(vote_round.id).state is VoteState.DRAFT
    assert store.live(meeting.id).screen is Screen.WAITING
    with pytest.raises(InvalidTransition):
        store.reveal_round(vote_round.id, show=True)  # a draft cannot be revealed
    assert store.live(meeting.id).screen is Screen.WAITING
    # Without the options: only the round moves (as before).
    store.open_round(vote_round.id)
    assert store.live(meeting.id).screen is Screen.WAITING


def test_planning_the_tables_adds_rounds_and_seats_everyone(fresh_store) -> None:
    store = fresh_store
    meeting = store.add_meeting("Transferwerkstatt")
    towns = [store.add_municipality(f"Stadt {i}") for i in range(4)]
    people = [
        store.add_participant(f"P{i}", municipality_id=towns[i % 4].id, meeting_id=meeting.id)
        for i in range(12)
    ]
    for theme in ("Wohnen", "Mobilität", "Daseinsvorsorge"):
        store.add_table(meeting.id, theme)
    with pytest.raises(NoTableRoundChosen):
        store.show_harvest(meeting.id)  # nothing has run yet

    seated = store.plan_table_rounds(meeting.id, 3, minutes=20)
    assert [r.number for r in seated] == [1, 2, 3]
    assert all(r.minutes == 20 for r in seated)
    seatings = store.seatings(meeting.id)
    for table_round in seated:
        everyone = sorted(p for group in seatings[table_round.id].values() for p in group)
        assert everyone == sorted(p.id for p in people)

    store.start_table_round(seated[0].id)
    store.mark_seen(meeting.id, people[0].id)
    store.mark_seen(meeting.id, people[1].id)
    # Planned again with only those in the room: the round that ran keeps its seating.
    again = store.plan_table_rounds(meeting.id, 3, minutes=20, present_only=True)
    assert [r.number for r in again] == [2, 3]
    assert store.seatings(meeting.id)[seated[0].id] == seatings[seated[0].id]
    in_room = {p for group in store.seatings(meeting.id)[seated[1].id].values() for p in group}
    assert in_room == {people[0].id, people[1].id}

    store.mix_table_round(seated[1].id)  # everyone again
    mixed = {p for group in store.seatings(meeting.id)[seated[1].id].values() for p in group}
    assert mixed == {p.id for p in people}

    live = store.show_harvest(meeting.id)
    assert (live.screen, live.subject_id) == (Screen.TABLES, seated[0].id)
    assert store.table_round(seated[0].id).ended_at is not None
