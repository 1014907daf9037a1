"""Many processes voting at once on one workspace: nothing lost, no limit exceeded.

Every page of a workshop is its own kernel process; only the store is shared.
These tests start real OS processes that place and take back dots in the same
open round at the same moment, some of them as the same person (two tabs).
"""

from __future__ import annotations

import multiprocessing
import random
import traceback
from collections import Counter
from pathlib import Path

import pytest

import facilitation
from facilitation import VotingError, voting

PROCESSES = 30
PEOPLE = 20  # so that 10 people vote from two tabs at once
ATTEMPTS = 60
TOPICS = 7
DOTS = 3
CAP = 2


def _voter(location: str, round_id: int, participant_id: int, seed: int, start, results) -> None:
    """One browser tab: random clicks on "place" and "take back"."""
    rng = random.Random(seed)
    accepted: list[tuple[int, str, int]] = []  # (event id, action, topic)
    refused: Counter[str] = Counter()
    failures: list[str] = []
    try:
        store = facilitation.open_workspace(location)
        vote_round = store.vote_round(round_id)
        start.wait(timeout=60)
        for _ in range(ATTEMPTS):
            topic = rng.choice(vote_round.topic_ids)
            try:
                if rng.random() < 0.65:
                    event = store.place_dot(round_id, participant_id, topic)
                else:
                    event = store.take_back_dot(round_id, participant_id, topic)
                accepted.append((event.id, event.action.value, topic))
            except VotingError as refusal:
                refused[type(refusal).__name__] += 1
        store.close()
    except Exception:  # anything else, "database is locked" above all, fails the test
        failures.append(traceback.format_exc())
    results.put((participant_id, accepted, dict(refused), failures))


def _vote_at_once(location: str) -> None:
    store = facilitation.create_workspace(location, "Gleichzeitig abstimmen")
    meeting = store.add_meeting("Auftakt")
    people = [store.add_participant(f"Person {i}", meeting_id=meeting.id).id for i in range(PEOPLE)]
    topics = [store.add_topic(meeting.id, f"Thema {i}").id for i in range(TOPICS)]
    vote_round = store.create_round(meeting.id, topics, dots_per_person=DOTS, max_per_topic=CAP)
    store.open_round(vote_round.id)

    context = multiprocessing.get_context("spawn")
    start = context.Event()
    results = context.Queue()
    tabs = [
        context.Process(
            target=_voter,
            args=(location, vote_round.id, people[i % PEOPLE], 1000 + i, start, results),
        )
        for i in range(PROCESSES)
    ]
    for tab in tabs:
        tab.start()
    start.set()
    reports = [results.get(timeout=300) for _ in tabs]
    for tab in tabs:
        tab.join(timeout=60)

    failures = [failure for *_, found in reports for failure in found]
    assert not failures, failures[0]
    accepted = {event_id: (person, action, topic) for person, events, _, _ in reports
                for event_id, action, topic in events}  # fmt: skip
    refusals = sum((Counter(refused) for _, _, refused, _ in reports), Counter())

    events = store.dot_events(vote_round.id)
    # Nothing lost, nothing invented: the store holds exactly the accepted calls.
    assert {e.id: (e.participant_id, e.action.value, e.topic_id) for e in events} == accepted
    # The tally equals the one computed from the successful calls.
    expected = Counter({topic: 0 for topic in topics})
    for _, action, topic in accepted.values():
        expected[topic] += 1 if action == "place" else -1
    assert store.tally(vote_round.id) == dict(expected)
    # No one ever held more than allowed, at any moment, in total or per topic.
    held: dict[int, Counter[int]] = {}
    for event in events:  # in commit order
        mine = held.setdefault(event.participant_id, Counter())
        mine[event.topic_id] += event.delta
        assert mine[event.topic_id] >= 0
        assert mine[event.topic_id] <= CAP
        assert sum(mine.values()) <= DOTS
    for person in people:
        assert store.my_dots(vote_round.id, person) == dict(+held.get(person, Counter()))
    # The contest was real: limits were hit and refused, not just avoided.
    assert refusals["NoDotsLeft"] + refusals["TopicCapReached"] > 0
    assert len(events) > PROCESSES * 5
    assert voting.voters(events) <= set(people)
    store.close()


@pytest.mark.slow
def test_thirty_processes_vote_on_sqlite(tmp_path: Path) -> None:
    _vote_at_once(str(tmp_path / "gleichzeitig.db"))


@pytest.mark.slow
@pytest.mark.postgres
def test_thirty_processes_vote_on_postgresql(postgres_url: str) -> None:
    _vote_at_once(postgres_url)


def _closer(location: str, round_id: int, start) -> None:
    store = facilitation.open_workspace(location)
    start.wait(timeout=60)
    store.close_round(round_id)
    store.close()


@pytest.mark.slow
def test_no_dot_lands_after_the_round_is_closed(tmp_path: Path) -> None:
    """The facilitator closes the round while twelve tabs keep clicking."""
    location = str(tmp_path / "schliessen.db")
    store = facilitation.create_workspace(location, "Schließen")
    meeting = store.add_meeting("Auftakt")
    people = [store.add_participant(f"P{i}", meeting_id=meeting.id).id for i in range(12)]
    topics = [store.add_topic(meeting.id, f"T{i}").id for i in range(9)]
    vote_round = store.create_round(meeting.id, topics, dots_per_person=3, max_per_topic=3)
    store.open_round(vote_round.id)

    context = multiprocessing.get_context("spawn")
    start = context.Event()
    results = context.Queue()
    tabs = [
        context.Process(target=_voter, args=(location, vote_round.id, person, i, start, results))
        for i, person in enumerate(people)
    ]
    closer = context.Process(target=_closer, args=(location, vote_round.id, start))
    for process in [*tabs, closer]:
        process.start()
    start.set()
    reports = [results.get(timeout=300) for _ in tabs]
    for process in [*tabs, closer]:
        process.join(timeout=60)
    assert not [f for *_, found in reports for f in found]

    closed = store.vote_round(vote_round.id)
    assert closed.state is facilitation.models.VoteState.CLOSED
    assert all(event.at <= closed.closed_at for event in store.dot_events(vote_round.id))
    store.close()
