"""Dot-voting: pure functions over vote rounds and dot events.

The store calls these inside one transaction to decide whether a dot may be
placed or taken back; the user interface and the exports call them to count.

>>> default_dots_per_person(7)
2
>>> for rank in ranking({1: 5, 2: 3, 3: 5, 4: 0}):
...     print(rank)
Rank(position=1, topic_id=1, dots=5, tied=True)
Rank(position=1, topic_id=3, dots=5, tied=True)
Rank(position=3, topic_id=2, dots=3, tied=False)
Rank(position=4, topic_id=4, dots=0, tied=False)
>>> leaders(ranking({1: 5, 2: 3, 3: 3, 4: 1}), 2)
[1, 2, 3]
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ._exceptions import (
    InvalidTransition,
    NoDotsLeft,
    NothingToTakeBack,
    ResultNotFinal,
    RoundNotOpen,
    TopicCapReached,
    TopicNotInRound,
    word,
)
from .attendance import Roll, share
from .i18n import N_
from .models import VOTE_STATE_WORDS, DotAction, DotEvent, Visibility, VoteRound, VoteState

__all__ = [
    "DEFAULT_TITLE",
    "DOTS_CAP",
    "Progress",
    "Rank",
    "check_dot",
    "check_final",
    "check_place",
    "check_take_back",
    "check_transition",
    "default_dots_per_person",
    "default_max_per_topic",
    "dots_left",
    "holdings",
    "is_numbered_title",
    "leaders",
    "next_title",
    "progress",
    "ranking",
    "round_in_play",
    "tally",
    "voters",
]

DOTS_CAP = 10
"""The most dots per person the default gives, however many topics there are."""

DEFAULT_TITLE = N_("Vote {number}")
"""A round's title when none is given, numbered by :func:`next_title` (marked for translation)."""

_ACTION_WORDS = {
    VoteState.OPEN: N_("opened"),
    VoteState.CLOSED: N_("closed"),
    VoteState.REVEALED: N_("revealed"),
    VoteState.DRAFT: N_("put back into preparation"),
}


@dataclass(frozen=True, slots=True)
class Rank:
    """A topic's place in a round's result. Topics with equal dots share a place."""

    position: int
    topic_id: int
    dots: int
    tied: bool


def default_dots_per_person(n_topics: int, cap: int = DOTS_CAP) -> int:
    """A third of the topics, at least 1, at most ``cap``.

    >>> [default_dots_per_person(n) for n in (1, 3, 6, 14, 60)]
    [1, 1, 2, 4, 10]
    """
    return max(1, min(cap, n_topics // 3))


def default_max_per_topic(dots_per_person: int) -> int:
    """At most three dots of one person on one topic (and never more than she has).

    >>> default_max_per_topic(2), default_max_per_topic(5)
    (2, 3)
    """
    return max(1, min(3, dots_per_person))


def next_title(template: str, existing: Iterable[str]) -> str:
    """The title of a new round: ``template`` (with ``{number}``) numbered by the rounds
    that exist, the next free number if that one is taken.

    >>> next_title("Vote {number}", [])
    'Vote 1'
    >>> next_title("Vote {number}", ["Vote 1"])
    'Vote 2'
    >>> next_title("Vote {number}", ["Which first?", "Vote 2"])
    'Vote 3'
    """
    taken = set(existing)
    number = len(taken) + 1
    while template.format(number=number) in taken:
        number += 1
    return template.format(number=number)


def is_numbered_title(title: str, template: str) -> bool:
    """Whether ``title`` is a title :func:`next_title` gives (the protocol then does not
    repeat it after its own number).

    >>> is_numbered_title("Vote 3", "Vote {number}"), is_numbered_title("Vote on", "Vote {number}")
    (True, False)
    """
    head, _, tail = template.partition("{number}")
    return re.fullmatch(re.escape(head) + r"\d+" + re.escape(tail), title.strip()) is not None


def holdings(events: Iterable[DotEvent], participant_id: int | None = None) -> Counter[int]:
    """Dots held per topic after ``events`` (of one participant if given)."""
    held: Counter[int] = Counter()
    for event in events:
        if participant_id is None or event.participant_id == participant_id:
            held[event.topic_id] += event.delta
    return +held


def tally(
    events: Iterable[DotEvent], topic_ids: Iterable[int] = (), *, at: dt.datetime | None = None
) -> dict[int, int]:
    """Dots per topic, every topic of ``topic_ids`` included (with 0).

    With ``at``, the tally as it stood at that moment: every event is kept
    with its time, so any moment of a round can be recomputed.
    """
    counted = {topic_id: 0 for topic_id in topic_ids}
    for event in events:
        if at is None or event.at <= at:
            counted[event.topic_id] = counted.get(event.topic_id, 0) + event.delta
    return counted


def voters(events: Iterable[DotEvent]) -> set[int]:
    """Participants who hold at least one dot now."""
    per_person: Counter[tuple[int, int]] = Counter()
    for event in events:
        per_person[event.participant_id, event.topic_id] += event.delta
    return {participant for (participant, _), n in per_person.items() if n > 0}


def dots_left(vote_round: VoteRound, held: Mapping[int, int]) -> int:
    """How many dots a participant holding ``held`` may still place."""
    return max(0, vote_round.dots_per_person - sum(held.values()))


def check_place(vote_round: VoteRound, held: Mapping[int, int], topic_id: int) -> None:
    """Raise the reason why a participant holding ``held`` may not place a dot on ``topic_id``."""
    check_dot(DotAction.PLACE, vote_round.state, vote_round.dots_per_person,
              vote_round.max_per_topic, in_round=topic_id in vote_round.topic_ids,
              held=sum(held.values()), on_topic=held.get(topic_id, 0))  # fmt: skip


def check_take_back(vote_round: VoteRound, held: Mapping[int, int], topic_id: int) -> None:
    """Raise the reason why a participant holding ``held`` may not take a dot back."""
    check_dot(DotAction.TAKE_BACK, vote_round.state, vote_round.dots_per_person,
              vote_round.max_per_topic, in_round=topic_id in vote_round.topic_ids,
              held=sum(held.values()), on_topic=held.get(topic_id, 0))  # fmt: skip


def check_dot(
    action: DotAction,
    state: VoteState,
    dots_per_person: int,
    max_per_topic: int,
    *,
    in_round: bool,
    held: int,
    on_topic: int,
) -> None:
    """Raise the reason why a participant may not place (take back) a dot on a topic.

    The rules of :func:`check_place` and :func:`check_take_back`, from what a
    click needs: the round's state and limits, whether the topic is in the
    round, the dots she holds in it and those on the topic. The store reads
    exactly these in one statement, inside the transaction that writes the dot.

    >>> check_dot(DotAction.PLACE, VoteState.OPEN, 3, 2, in_round=True, held=2, on_topic=1)
    >>> try:
    ...     check_dot(DotAction.PLACE, VoteState.OPEN, 3, 2, in_round=True, held=3, on_topic=0)
    ... except NoDotsLeft:
    ...     print("all three dots are placed")
    all three dots are placed
    """
    if state is not VoteState.OPEN:
        raise RoundNotOpen(state=word(VOTE_STATE_WORDS[state]))
    if not in_round:
        raise TopicNotInRound()
    if action is DotAction.PLACE:
        if held >= dots_per_person:
            raise NoDotsLeft(dots_per_person=dots_per_person)
        if on_topic >= max_per_topic:
            raise TopicCapReached(max_per_topic=max_per_topic)
    elif on_topic <= 0:
        raise NothingToTakeBack()


def check_transition(vote_round: VoteRound, new_state: VoteState) -> None:
    """Raise :class:`InvalidTransition` unless the round may move to ``new_state``."""
    if not vote_round.state.can_become(new_state):
        raise InvalidTransition(
            state=word(VOTE_STATE_WORDS[vote_round.state]),
            action=word(_ACTION_WORDS[new_state]),
        )


def check_final(vote_round: VoteRound) -> None:
    """Raise :class:`ResultNotFinal` unless ``vote_round``'s result is final and seen.

    A further round takes the leaders of a result the room has seen: a secret
    round once revealed, a live round (whose tally was shown all along) once
    closed. Never of a partial tally, and never of a secret one.

    >>> import dataclasses, datetime as dt
    >>> from facilitation.i18n import language
    >>> closed = VoteRound(id=1, meeting_id=1, title="Runde", topic_ids=(1, 2),
    ...                    dots_per_person=1, max_per_topic=1, state=VoteState.CLOSED,
    ...                    created_at=dt.datetime.now())
    >>> try:
    ...     check_final(closed)  # secret, and nobody has seen the result yet
    ... except ResultNotFinal as refused:
    ...     with language("en"):
    ...         print(str(refused).split(". ")[-1])
    Reveal the result first.
    >>> check_final(dataclasses.replace(closed, visibility=Visibility.LIVE))  # final enough
    """
    secret = vote_round.visibility is Visibility.SECRET
    state = vote_round.state
    if state is VoteState.REVEALED or (state is VoteState.CLOSED and not secret):
        return
    if state is VoteState.DRAFT:
        todo = N_("Let the room vote first.")
    elif state is VoteState.CLOSED:
        todo = N_("Reveal the result first.")
    elif secret:
        todo = N_("Close it and reveal the result.")
    else:
        todo = N_("Close it first.")
    raise ResultNotFinal(state=word(VOTE_STATE_WORDS[state]), todo=word(todo))


def ranking(counted: Mapping[int, int], order: Sequence[int] = ()) -> list[Rank]:
    """Topics by dots, most first; equal dots share a place (1, 1, 3, ...).

    Topics with equal dots keep the order of ``order`` (the round's order),
    then their ids; the ``tied`` flag says the place is shared, so a tie is
    shown as a tie and never broken silently.
    """
    position_in_round = {topic_id: i for i, topic_id in enumerate(order)}
    topics = sorted(
        counted,
        key=lambda t: (-counted[t], position_in_round.get(t, len(position_in_round)), t),
    )
    per_count = Counter(counted.values())
    ranks: list[Rank] = []
    for index, topic_id in enumerate(topics):
        dots = counted[topic_id]
        position = ranks[-1].position if ranks and ranks[-1].dots == dots else index + 1
        ranks.append(Rank(position, topic_id, dots, tied=per_count[dots] > 1))
    return ranks


def leaders(ranks: Sequence[Rank], n: int) -> list[int]:
    """The topics of the first ``n`` places, and every topic tied with the last of them."""
    if n <= 0 or not ranks:
        return []
    cut = ranks[min(n, len(ranks)) - 1].dots
    return [rank.topic_id for rank in ranks if rank.position <= n or rank.dots == cut]


def round_in_play(rounds: Sequence[VoteRound], shown: int | None = None) -> int | None:
    """The round whose dots count now: the last one open, else ``shown`` (the one on the screens).

    >>> at = dt.datetime(2026, 11, 22, 10, 0)
    >>> first = VoteRound(id=1, meeting_id=1, title="1", topic_ids=(1, 2), dots_per_person=1,
    ...                   max_per_topic=1, state=VoteState.REVEALED, created_at=at)
    >>> second = VoteRound(id=2, meeting_id=1, title="2", topic_ids=(1, 2), dots_per_person=1,
    ...                    max_per_topic=1, state=VoteState.OPEN, created_at=at)
    >>> round_in_play([first, second], shown=1), round_in_play([first], shown=1)
    (2, 1)
    """
    open_rounds = [r.id for r in rounds if r.state is VoteState.OPEN]
    return open_rounds[-1] if open_rounds else shown


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a room is in a round: who placed dots, of how many, who placed all."""

    voted: int
    expected: int
    done: int


def progress(vote_round: VoteRound, held: Mapping[int, int], attendance: Roll) -> Progress:
    """A round's progress, counted over those present (the one rule of
    :func:`facilitation.attendance.share`).

    ``held`` is the dots each participant holds now; ``attendance`` the meeting's roll.

    >>> from .attendance import roll
    >>> at = dt.datetime(2026, 11, 22, 10, 0)
    >>> r = VoteRound(id=1, meeting_id=1, title="", topic_ids=(1, 2, 3), dots_per_person=2,
    ...               max_per_topic=1, state=VoteState.OPEN, created_at=at)
    >>> here = roll(1, [7, 8, 9, 10], opened={7: at, 8: at, 9: at}, events=[])
    >>> progress(r, {7: 2, 8: 1, 99: 2}, here)
    Progress(voted=2, expected=3, done=1)
    """
    voted = [p for p, n in held.items() if n > 0]
    counted = share(attendance, voted)
    done = share(attendance, [p for p in voted if held[p] >= vote_round.dots_per_person])
    return Progress(voted=counted.done, expected=counted.of, done=done.done)
