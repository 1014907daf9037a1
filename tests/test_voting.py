"""The pure dot-voting functions of facilitation.voting, over records built by hand."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import Counter

import pytest

from facilitation import (
    InvalidTransition,
    NoDotsLeft,
    NothingToTakeBack,
    RoundNotOpen,
    TopicCapReached,
    TopicNotInRound,
    VotingError,
)
from facilitation.models import DotAction, DotEvent, VoteRound, VoteState
from facilitation.voting import (
    DOTS_CAP,
    Rank,
    check_place,
    check_take_back,
    check_transition,
    default_dots_per_person,
    default_max_per_topic,
    dots_left,
    holdings,
    leaders,
    ranking,
    tally,
    voters,
)

T0 = dt.datetime(2026, 3, 12, 9, 0, tzinfo=dt.UTC)


def make_round(
    *,
    topic_ids: tuple[int, ...] = (1, 2, 3),
    dots_per_person: int = 3,
    max_per_topic: int = 2,
    state: VoteState = VoteState.OPEN,
) -> VoteRound:
    return VoteRound(
        id=1,
        meeting_id=1,
        title="Welche Themen bearbeiten wir?",
        topic_ids=topic_ids,
        dots_per_person=dots_per_person,
        max_per_topic=max_per_topic,
        state=state,
        created_at=T0,
    )


_ids = itertools.count(1)


def event(
    participant_id: int, topic_id: int, action: DotAction = DotAction.PLACE, minute: int = 0
) -> DotEvent:
    return DotEvent(
        id=next(_ids),
        round_id=1,
        participant_id=participant_id,
        topic_id=topic_id,
        action=action,
        at=T0 + dt.timedelta(minutes=minute),
    )


def place(participant_id: int, topic_id: int, minute: int = 0) -> DotEvent:
    return event(participant_id, topic_id, DotAction.PLACE, minute)


def take_back(participant_id: int, topic_id: int, minute: int = 0) -> DotEvent:
    return event(participant_id, topic_id, DotAction.TAKE_BACK, minute)


# --- defaults --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n_topics", "expected"),
    [(0, 1), (1, 1), (2, 1), (3, 1), (5, 1), (6, 2), (7, 2), (9, 3), (14, 4), (30, 10), (31, 10),
     (60, 10), (1000, DOTS_CAP)],
)  # fmt: skip
def test_default_dots_per_person_is_a_third_at_least_one_at_most_the_cap(n_topics, expected):
    assert default_dots_per_person(n_topics) == expected


def test_default_dots_per_person_respects_a_given_cap():
    assert default_dots_per_person(60, cap=5) == 5
    assert default_dots_per_person(9, cap=5) == 3
    assert default_dots_per_person(1, cap=5) == 1


@pytest.mark.parametrize(
    ("dots_per_person", "expected"), [(0, 1), (1, 1), (2, 2), (3, 3), (4, 3), (10, 3)]
)
def test_default_max_per_topic_is_at_most_three_and_never_more_than_the_dots(
    dots_per_person, expected
):
    assert default_max_per_topic(dots_per_person) == expected


def test_dots_left_counts_down_and_never_below_zero():
    vote_round = make_round(dots_per_person=3)
    assert dots_left(vote_round, {}) == 3
    assert dots_left(vote_round, {1: 1, 2: 1}) == 1
    assert dots_left(vote_round, {1: 2, 2: 1}) == 0
    assert dots_left(vote_round, {1: 5}) == 0


# --- checks ----------------------------------------------------------------------


def test_check_place_accepts_a_dot_within_the_rules():
    vote_round = make_round(dots_per_person=3, max_per_topic=2)
    check_place(vote_round, {}, 1)
    check_place(vote_round, {1: 1}, 1)
    check_place(vote_round, {1: 2}, 2)


@pytest.mark.parametrize("state", [VoteState.DRAFT, VoteState.CLOSED, VoteState.REVEALED])
def test_check_place_and_take_back_refuse_a_round_that_is_not_open(state):
    vote_round = make_round(state=state)
    with pytest.raises(RoundNotOpen) as placed:
        check_place(vote_round, {}, 1)
    with pytest.raises(RoundNotOpen) as taken:
        check_take_back(vote_round, {1: 1}, 1)
    state_en = {"draft": "in preparation", "closed": "closed", "revealed": "revealed"}[state]
    state_de = {"draft": "in Vorbereitung", "closed": "geschlossen", "revealed": "aufgedeckt"}
    for error in (placed.value, taken.value):
        assert isinstance(error, VotingError)
        assert f"(it is {state_en})" in error.message("en")
        assert f"(sie ist {state_de[state]})" in error.message("de")


def test_not_open_is_reported_before_anything_else():
    vote_round = make_round(state=VoteState.CLOSED, dots_per_person=1)
    with pytest.raises(RoundNotOpen):
        check_place(vote_round, {1: 1}, 99)
    with pytest.raises(RoundNotOpen):
        check_take_back(vote_round, {}, 99)


def test_check_place_refuses_a_topic_outside_the_round():
    with pytest.raises(TopicNotInRound):
        check_place(make_round(topic_ids=(1, 2, 3)), {}, 4)


def test_check_place_refuses_when_all_dots_are_placed():
    vote_round = make_round(dots_per_person=3, max_per_topic=3)
    with pytest.raises(NoDotsLeft) as caught:
        check_place(vote_round, {1: 2, 2: 1}, 3)
    assert caught.value.details == {"dots_per_person": 3}
    assert "all 3 of your dots" in caught.value.message("en")
    assert "alle 3 Punkte" in caught.value.message("de")


def test_check_place_refuses_more_than_the_cap_on_one_topic():
    vote_round = make_round(dots_per_person=5, max_per_topic=2)
    with pytest.raises(TopicCapReached) as caught:
        check_place(vote_round, {1: 2}, 1)
    assert caught.value.details == {"max_per_topic": 2}
    assert "already have 2 dots" in caught.value.message("en")
    check_place(vote_round, {1: 2}, 2)  # other topics are still fine


def test_no_dots_left_wins_over_the_cap_when_both_apply():
    vote_round = make_round(dots_per_person=2, max_per_topic=2)
    with pytest.raises(NoDotsLeft):
        check_place(vote_round, {1: 2}, 1)


def test_check_take_back_accepts_an_own_dot_and_refuses_otherwise():
    vote_round = make_round()
    check_take_back(vote_round, {2: 1}, 2)
    with pytest.raises(NothingToTakeBack):
        check_take_back(vote_round, {2: 1}, 1)
    with pytest.raises(NothingToTakeBack):
        check_take_back(vote_round, {}, 1)
    with pytest.raises(TopicNotInRound):
        check_take_back(vote_round, {7: 1}, 7)


ALLOWED = {
    (VoteState.DRAFT, VoteState.OPEN),
    (VoteState.OPEN, VoteState.CLOSED),
    (VoteState.CLOSED, VoteState.OPEN),
    (VoteState.CLOSED, VoteState.REVEALED),
}


@pytest.mark.parametrize(
    ("old", "new"),
    list(itertools.product(VoteState, VoteState)),
    ids=[f"{a}-{b}" for a, b in itertools.product(VoteState, VoteState)],
)
def test_check_transition_for_every_pair_of_states(old, new):
    vote_round = make_round(state=old)
    assert old.can_become(new) == ((old, new) in ALLOWED)
    if (old, new) in ALLOWED:
        check_transition(vote_round, new)
        return
    with pytest.raises(InvalidTransition) as caught:
        check_transition(vote_round, new)
    english = caught.value.message("en")
    german = caught.value.message("de")
    assert english.startswith("A vote that is ")
    assert german.startswith("Eine Punktabfrage, die ")
    assert "{" not in english + german


def test_invalid_transition_names_state_and_action_in_both_languages():
    with pytest.raises(InvalidTransition) as caught:
        check_transition(make_round(state=VoteState.REVEALED), VoteState.OPEN)
    assert caught.value.message("en") == "A vote that is revealed cannot be opened."
    assert caught.value.message("de") == (
        "Eine Punktabfrage, die aufgedeckt ist, kann nicht geöffnet werden."
    )


# --- counting --------------------------------------------------------------------


def test_tally_includes_every_topic_of_the_round_and_sums_the_events():
    events = [place(1, 1), place(1, 1), place(2, 1), place(2, 3), take_back(1, 1)]
    assert tally(events, (1, 2, 3)) == {1: 2, 2: 0, 3: 1}
    assert tally([], (1, 2)) == {1: 0, 2: 0}
    assert tally([]) == {}
    # a topic outside the given ids is still counted
    assert tally([place(1, 9)], (1,)) == {1: 0, 9: 1}


def test_tally_at_a_moment_recomputes_the_past():
    events = [
        place(1, 1, minute=0),
        place(2, 1, minute=1),
        place(1, 2, minute=2),
        take_back(1, 1, minute=3),
        place(1, 3, minute=4),
    ]
    topics = (1, 2, 3)
    assert tally(events, topics, at=T0 - dt.timedelta(seconds=1)) == {1: 0, 2: 0, 3: 0}
    assert tally(events, topics, at=T0) == {1: 1, 2: 0, 3: 0}  # an event at the moment counts
    assert tally(events, topics, at=T0 + dt.timedelta(minutes=2, seconds=30)) == {
        1: 2,
        2: 1,
        3: 0,
    }
    assert tally(events, topics, at=T0 + dt.timedelta(minutes=3)) == {1: 1, 2: 1, 3: 0}
    assert tally(events, topics, at=T0 + dt.timedelta(hours=1)) == tally(events, topics)
    assert tally(events, topics) == {1: 1, 2: 1, 3: 1}


def test_holdings_per_participant_and_overall():
    events = [place(1, 1), place(1, 1), place(1, 2), take_back(1, 2), place(2, 2), place(2, 3)]
    assert holdings(events) == Counter({1: 2, 2: 1, 3: 1})
    assert holdings(events, 1) == Counter({1: 2})
    assert 2 not in holdings(events, 1)  # taken back to zero: not held
    assert holdings(events, 2) == Counter({2: 1, 3: 1})
    assert holdings(events, 3) == Counter()
    assert holdings([]) == Counter()


def test_voters_are_those_who_hold_a_dot_now():
    events = [place(1, 1), place(2, 1), take_back(2, 1), place(3, 2), place(3, 2)]
    assert voters(events) == {1, 3}
    assert voters([*events, take_back(1, 1)]) == {3}
    assert voters([]) == set()


def test_delta_of_a_dot_event():
    assert place(1, 1).delta == 1
    assert take_back(1, 1).delta == -1


# --- ranking and leaders ----------------------------------------------------------


def test_ranking_shares_positions_on_ties_and_flags_them():
    assert ranking({1: 5, 2: 3, 3: 5, 4: 0}) == [
        Rank(1, 1, 5, True),
        Rank(1, 3, 5, True),
        Rank(3, 2, 3, False),
        Rank(4, 4, 0, False),
    ]


def test_ranking_with_everything_tied():
    ranks = ranking({3: 2, 1: 2, 2: 2})
    assert [r.position for r in ranks] == [1, 1, 1]
    assert all(r.tied for r in ranks)
    assert [r.topic_id for r in ranks] == [1, 2, 3]


def test_ranking_keeps_the_round_order_among_ties_then_ids():
    counted = {10: 1, 20: 4, 30: 1, 40: 1, 50: 0}
    ranks = ranking(counted, order=(40, 20, 10))
    assert [r.topic_id for r in ranks] == [20, 40, 10, 30, 50]
    assert [r.position for r in ranks] == [1, 2, 2, 2, 5]
    assert [r.tied for r in ranks] == [False, True, True, True, False]


def test_ranking_of_nothing_is_empty():
    assert ranking({}) == []
    assert leaders([], 3) == []


@pytest.mark.parametrize(
    ("counted", "n", "expected"),
    [
        ({1: 5, 2: 3, 3: 3, 4: 1}, 2, [1, 2, 3]),  # tie at the cut: both come along
        ({1: 5, 2: 3, 3: 3, 4: 1}, 3, [1, 2, 3]),
        ({1: 5, 2: 3, 3: 3, 4: 1}, 1, [1]),
        ({1: 5, 2: 5, 3: 5, 4: 1}, 1, [1, 2, 3]),  # tie at the top
        ({1: 5, 2: 4, 3: 3, 4: 1}, 2, [1, 2]),
        ({1: 5, 2: 4}, 5, [1, 2]),  # fewer topics than asked for
        ({1: 0, 2: 0}, 1, [1, 2]),
        ({1: 5, 2: 4}, 0, []),
        ({1: 5, 2: 4}, -1, []),
    ],
)
def test_leaders_include_every_topic_tied_at_the_cut(counted, n, expected):
    assert leaders(ranking(counted), n) == expected


def test_leaders_follow_the_ranking_order():
    ranks = ranking({1: 2, 2: 2, 3: 7}, order=(2, 1, 3))
    assert leaders(ranks, 2) == [3, 2, 1]


# --- a randomized check of the rules -------------------------------------------------


@pytest.mark.parametrize("seed", [1, 7, 42, 2026])
def test_accepted_events_never_exceed_the_dots_or_the_cap(seed):
    rng = random.Random(seed)
    dots_per_person = rng.randint(1, 5)
    max_per_topic = rng.randint(1, dots_per_person)
    vote_round = make_round(
        topic_ids=(1, 2, 3, 4), dots_per_person=dots_per_person, max_per_topic=max_per_topic
    )
    participants = (1, 2, 3)
    events: list[DotEvent] = []
    accepted = refused = 0
    for minute in range(400):
        person = rng.choice(participants)
        topic = rng.choice((1, 2, 3, 4, 5))  # 5 is not in the round
        action = rng.choice((DotAction.PLACE, DotAction.PLACE, DotAction.TAKE_BACK))
        held = holdings(events, person)
        check = check_place if action is DotAction.PLACE else check_take_back
        try:
            check(vote_round, held, topic)
        except VotingError as error:
            refused += 1
            # the reason given is the true one
            if topic == 5:
                assert isinstance(error, TopicNotInRound)
            elif isinstance(error, NoDotsLeft):
                assert sum(held.values()) == dots_per_person
            elif isinstance(error, TopicCapReached):
                assert held[topic] == max_per_topic
            elif isinstance(error, NothingToTakeBack):
                assert held[topic] == 0
            else:  # pragma: no cover - would be a bug
                pytest.fail(f"unexpected {error!r}")
            continue
        accepted += 1
        events.append(event(person, topic, action, minute))
        for someone in participants:
            now_held = holdings(events, someone)
            assert sum(now_held.values()) <= dots_per_person
            assert all(0 < n <= max_per_topic for n in now_held.values())
            assert dots_left(vote_round, now_held) == dots_per_person - sum(now_held.values())
        # the per-person sums always add up to the tally
        assert sum(tally(events, vote_round.topic_ids).values()) == sum(
            sum(holdings(events, p).values()) for p in participants
        )
    assert accepted > 20 and refused > 20
    assert 5 not in tally(events)
