"""Themed tables (Thementische, World Café): seating that mixes towns and rotates.

Participants sit at tables with a theme for a round (20–30 minutes), then
change tables; a host stays at her table, briefs the newcomers and keeps the
table's notes, which stay with the table across rounds. In the plenary the
notes of every table are harvested.

A seating is a mapping of table ids to the participants at that table. The
seating of a round is chosen so that, in this order of weight,

1. nobody comes back to a table (a theme) she has already visited,
2. people from the same municipality sit at different tables,
3. people from the same city network (a group of towns) are spread out,
4. people meet others they have not sat with yet,

with table sizes that differ by at most one. The search is deterministic for
a given ``seed``: the same people and history give the same seating.

>>> import datetime as dt
>>> from facilitation.models import Participant, ThemedTable
>>> now = dt.datetime(2026, 3, 12, tzinfo=dt.UTC)
>>> people = [Participant(id=i, name=f"P{i}", municipality_id=(i + 1) // 2, created_at=now)
...           for i in range(1, 7)]  # three towns, two people each
>>> tables = [ThemedTable(id=t, meeting_id=1, theme=f"T{t}") for t in (1, 2)]
>>> seating = mix(people, tables)
>>> sorted(len(seated) for seated in seating.values())
[3, 3]
>>> quality(seating, people).same_town
0
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ._exceptions import NotYourNote, TableRoundOver
from .models import Participant, TableNote, TableRound, ThemedTable

__all__ = [
    "DEFAULT_ROUND_MINUTES",
    "Quality",
    "Seating",
    "can_withdraw_note",
    "check_withdraw_note",
    "group_sizes",
    "history_of",
    "mix",
    "notes_go_to",
    "quality",
    "rotation",
    "round_is_running",
    "running_round",
    "schedule",
    "table_of",
]

DEFAULT_ROUND_MINUTES = 30
"""Minutes of a round at the themed tables (the Transferwerkstatt changes every 30)."""

Seating = dict[int, tuple[int, ...]]
"""Who sits at which table in one round: table id to participant ids."""

# How much each flaw of a seating weighs (see the module's docstring).
_REVISIT = 1000
_SAME_TOWN = 50
_SAME_NETWORK = 8
_MET_BEFORE = 3
_STARTS = 12  # greedy starts from different shuffles; the best seating wins


@dataclass(frozen=True, slots=True)
class Quality:
    """The flaws of a seating: the fewer, the better.

    ``revisits``: people back at a table they visited; ``same_town``: pairs
    from one municipality at one table; ``same_network``: pairs from one city
    network (other towns); ``met_before``: pairs who already sat together.
    """

    revisits: int
    same_town: int
    same_network: int
    met_before: int

    @property
    def cost(self) -> int:
        return (
            _REVISIT * self.revisits
            + _SAME_TOWN * self.same_town
            + _SAME_NETWORK * self.same_network
            + _MET_BEFORE * self.met_before
        )


def group_sizes(people: int, tables: int) -> list[int]:
    """Table sizes for ``people`` at ``tables`` tables, differing by at most one.

    >>> group_sizes(14, 4)
    [4, 4, 3, 3]
    """
    if tables <= 0:
        return []
    base, extra = divmod(people, tables)
    return [base + (1 if i < extra else 0) for i in range(tables)]


def history_of(
    seatings: Iterable[Mapping[int, Sequence[int]]],
) -> tuple[dict[int, set[int]], Counter[tuple[int, int]]]:
    """Which tables each person visited, and how often each pair sat together.

    >>> visited, met = history_of([{1: (10, 11), 2: (12,)}, {1: (12,), 2: (10, 11)}])
    >>> sorted(visited[10]), met[(10, 11)]
    ([1, 2], 2)
    """
    visited: dict[int, set[int]] = {}
    met: Counter[tuple[int, int]] = Counter()
    for seating in seatings:
        for table_id, seated in seating.items():
            for person in seated:
                visited.setdefault(person, set()).add(table_id)
            for a, b in itertools.combinations(sorted(set(seated)), 2):
                met[a, b] += 1
    return visited, met


class _Scorer:
    """Scores tables quickly while the search moves people around."""

    def __init__(
        self,
        people: Sequence[Participant],
        history: Sequence[Mapping[int, Sequence[int]]],
        network_of: Mapping[int, str],
    ) -> None:
        self.town = {p.id: p.municipality_id for p in people}
        self.network = {
            p.id: network_of.get(p.municipality_id) if p.municipality_id is not None else None
            for p in people
        }
        self.visited, self.met = history_of(history)

    def pair(self, a: int, b: int) -> tuple[int, int, int]:
        town_a, town_b = self.town.get(a), self.town.get(b)
        same_town = int(town_a is not None and town_a == town_b)
        net_a, net_b = self.network.get(a), self.network.get(b)
        same_network = int(not same_town and net_a is not None and net_a == net_b)
        met = self.met.get((min(a, b), max(a, b)), 0)
        return same_town, same_network, met

    def table(self, table_id: int, seated: Iterable[int], fixed: set[int]) -> Quality:
        members = list(seated)
        revisits = sum(1 for p in members if p not in fixed and table_id in self.visited.get(p, ()))
        town = network = met = 0
        for a, b in itertools.combinations(members, 2):
            t, n, m = self.pair(a, b)
            town, network, met = town + t, network + n, met + m
        return Quality(revisits, town, network, met)


def quality(
    seating: Mapping[int, Sequence[int]],
    people: Sequence[Participant],
    history: Sequence[Mapping[int, Sequence[int]]] = (),
    *,
    hosts: Iterable[int] = (),
    network_of: Mapping[int, str] | None = None,
) -> Quality:
    """How good ``seating`` is, after the rounds of ``history`` (hosts never "revisit")."""
    scorer = _Scorer(people, history, network_of or {})
    fixed = set(hosts)
    total = Quality(0, 0, 0, 0)
    for table_id, seated in seating.items():
        q = scorer.table(table_id, seated, fixed)
        total = Quality(
            total.revisits + q.revisits,
            total.same_town + q.same_town,
            total.same_network + q.same_network,
            total.met_before + q.met_before,
        )
    return total


def mix(
    people: Sequence[Participant],
    tables: Sequence[ThemedTable],
    history: Sequence[Mapping[int, Sequence[int]]] = (),
    *,
    network_of: Mapping[int, str] | None = None,
    seed: int = 0,
) -> Seating:
    """Seat ``people`` at ``tables`` for the next round (see the module's docstring).

    A greedy seating from several shuffled starts, each improved by swapping
    two people while that lowers the cost of :class:`Quality`; the best wins.

    Parameters
    ----------
    people
        The participants to seat (their ``municipality_id`` counts).
    tables
        The themed tables; a table's host, if she is among ``people``, always
        sits at her own table.
    history
        The seatings of the earlier rounds, to rotate against.
    network_of
        Municipality id to the key of its city network, to spread networks.
    seed
        Makes the search repeatable: the same input gives the same seating.

    Returns
    -------
    Seating
        Table id to the ids of the participants at it (sorted), every table
        included; sizes differ by at most one.

    >>> import datetime as dt
    >>> from facilitation.models import Participant, ThemedTable
    >>> now = dt.datetime(2026, 3, 12, tzinfo=dt.UTC)
    >>> people = [Participant(id=i, name=f"P{i}", created_at=now) for i in range(1, 10)]
    >>> tables = [ThemedTable(id=t, meeting_id=1, theme=f"T{t}", host_id=t) for t in (1, 2, 3)]
    >>> first = mix(people, tables)
    >>> all(t in first[t] for t in (1, 2, 3))  # every host at her own table
    True
    >>> second = mix(people, tables, [first])
    >>> quality(second, people, [first], hosts=(1, 2, 3)).revisits
    0
    """
    if not tables:
        return {}
    scorer = _Scorer(people, history, network_of or {})
    rng = random.Random(seed)
    best: Seating | None = None
    best_cost = 0
    # A few starts from different shuffles; the search from each is quick.
    for _attempt in range(_STARTS):
        seating = _search(people, tables, scorer, rng)
        cost = sum(
            scorer.table(t, seated, {h for h in (x.host_id for x in tables) if h}).cost
            for t, seated in seating.items()
        )
        if best is None or cost < best_cost:
            best, best_cost = seating, cost
        if cost == 0:
            break
    return best


def _search(
    people: Sequence[Participant],
    tables: Sequence[ThemedTable],
    scorer: _Scorer,
    rng: random.Random,
) -> Seating:
    """One greedy seating from a shuffled order, improved by swaps until none helps."""
    present = {p.id for p in people}
    table_ids = [t.id for t in tables]
    host_at = {t.host_id: t.id for t in tables if t.host_id in present}
    fixed = set(host_at)
    free = [p.id for p in people if p.id not in fixed]
    rng.shuffle(free)
    # Sizes: hosts count; the larger tables go to the tables that have a host already.
    sizes = group_sizes(len(people), len(tables))
    order = sorted(table_ids, key=lambda t: (t not in host_at.values(), table_ids.index(t)))
    capacity = dict(zip(order, sizes, strict=True))
    seats: dict[int, list[int]] = {t: [] for t in table_ids}
    for host, table_id in host_at.items():
        seats[table_id].append(host)

    def added_cost(table_id: int, person: int) -> int:
        cost = _REVISIT if table_id in scorer.visited.get(person, ()) else 0
        for other in seats[table_id]:
            town, network, met = scorer.pair(person, other)
            cost += _SAME_TOWN * town + _SAME_NETWORK * network + _MET_BEFORE * met
        return cost

    # Greedy: the hardest to place first (most visited tables, then the shuffled order).
    free.sort(key=lambda p: -len(scorer.visited.get(p, ())))
    for person in free:
        open_tables = [t for t in table_ids if len(seats[t]) < capacity[t]] or table_ids
        chosen = min(open_tables, key=lambda t: (added_cost(t, person), len(seats[t])))
        seats[chosen].append(person)

    def cost_of(table_id: int) -> int:
        return scorer.table(table_id, seats[table_id], fixed).cost

    # Improve by swapping two people at different tables while that lowers the cost.
    costs = {t: cost_of(t) for t in table_ids}
    improved = True
    passes = 0
    while improved and passes < 30:
        improved = False
        passes += 1
        for ta, tb in itertools.combinations(table_ids, 2):
            for a in [p for p in seats[ta] if p not in fixed]:
                for b in [p for p in seats[tb] if p not in fixed]:
                    ia, ib = seats[ta].index(a), seats[tb].index(b)
                    seats[ta][ia], seats[tb][ib] = b, a
                    after_a, after_b = cost_of(ta), cost_of(tb)
                    if after_a + after_b < costs[ta] + costs[tb]:
                        costs[ta], costs[tb] = after_a, after_b
                        improved = True
                        break
                    seats[ta][ia], seats[tb][ib] = a, b
                else:
                    continue
                break
    return {t: tuple(sorted(seats[t])) for t in table_ids}


def rotation(
    people: Sequence[Participant],
    tables: Sequence[ThemedTable],
    rounds: int,
    history: Sequence[Mapping[int, Sequence[int]]] = (),
    *,
    network_of: Mapping[int, str] | None = None,
    seed: int = 0,
) -> list[Seating]:
    """Seatings for ``rounds`` further rounds, each one mixed against all before it.

    >>> import datetime as dt
    >>> from facilitation.models import Participant, ThemedTable
    >>> now = dt.datetime(2026, 3, 12, tzinfo=dt.UTC)
    >>> people = [Participant(id=i, name=f"P{i}", created_at=now) for i in range(1, 13)]
    >>> tables = [ThemedTable(id=t, meeting_id=1, theme=f"T{t}") for t in (1, 2, 3, 4)]
    >>> plan = rotation(people, tables, 3)
    >>> quality(plan[2], people, plan[:2]).revisits
    0
    """
    done = list(history)
    planned: list[Seating] = []
    for number in range(rounds):
        seating = mix(people, tables, done, network_of=network_of, seed=seed + number)
        planned.append(seating)
        done.append(seating)
    return planned


def table_of(seating: Mapping[int, Sequence[int]], participant_id: int) -> int | None:
    """The table at which ``participant_id`` sits (``None``: at none).

    >>> table_of({1: (4, 5), 2: (6,)}, 6)
    2
    """
    for table_id, seated in seating.items():
        if participant_id in seated:
            return table_id
    return None


def round_is_running(table_round: TableRound) -> bool:
    """Whether a round has started and not ended."""
    return table_round.started_at is not None and table_round.ended_at is None


def running_round(rounds: Sequence[TableRound]) -> TableRound | None:
    """The round that runs now, or the last one started (notes may still come in)."""
    started = [r for r in rounds if r.started_at is not None]
    if not started:
        return None
    running = [r for r in started if r.ended_at is None]
    return max(running or started, key=lambda r: r.number)


def notes_go_to(rounds: Sequence[TableRound], round_id: int) -> bool:
    """Whether notes go to round ``round_id`` now: it is the :func:`running_round`.

    >>> import datetime as dt
    >>> from facilitation.models import TableRound
    >>> at = dt.datetime(2026, 3, 12, 10, 0, tzinfo=dt.UTC)
    >>> rounds = [TableRound(id=1, meeting_id=1, number=1, started_at=at),
    ...           TableRound(id=2, meeting_id=1, number=2)]
    >>> notes_go_to(rounds, 1), notes_go_to(rounds, 2)
    (True, False)
    """
    current = running_round(rounds)
    return current is not None and current.id == round_id


def check_withdraw_note(
    rounds: Sequence[TableRound], note: TableNote, participant_id: int | None
) -> None:
    """Raise unless ``participant_id`` may withdraw ``note`` (``None``: the facilitator).

    The facilitator may withdraw (hide) any note at any time. A participant
    only a note she wrote herself, and only while its round is the one notes
    go to (:func:`running_round`: the round that runs, or after the bell the
    last one started, until the next one starts), the same window in which
    she could write it. Her note once withdrawn stays so: asking again, even
    later, is no error (a double click, two tabs).

    Parameters
    ----------
    rounds
        Every round of the tables of the note's meeting.
    note
        The note to withdraw.
    participant_id
        Who withdraws it; ``None`` for the facilitator.

    Raises
    ------
    NotYourNote
        The note is not hers (someone else's, or recorded by the facilitator).
    TableRoundOver
        Her note's round is over: a later round has started.

    >>> import datetime as dt
    >>> from facilitation import TableRoundOver
    >>> from facilitation.i18n import language
    >>> from facilitation.models import TableNote, TableRound
    >>> at = dt.datetime(2026, 3, 12, 10, 0, tzinfo=dt.UTC)
    >>> first = TableRound(id=1, meeting_id=1, number=1, started_at=at)
    >>> note = TableNote(id=5, table_id=2, round_id=1, participant_id=7, text="Typo",
    ...                  created_at=at)
    >>> check_withdraw_note([first], note, 7)  # hers, while her round runs
    >>> second = TableRound(id=2, meeting_id=1, number=2, started_at=at + dt.timedelta(hours=1))
    >>> try:
    ...     check_withdraw_note([first, second], note, 7)
    ... except TableRoundOver as refused:
    ...     with language("en"):
    ...         print(str(refused).split(":")[0])
    Round 1 is over
    >>> check_withdraw_note([first, second], note, None)  # the facilitator, at any time
    """
    if participant_id is None:
        return
    if note.participant_id != participant_id or note.round_id is None:
        raise NotYourNote()
    if note.withdrawn_at is not None:
        return
    if not notes_go_to(rounds, note.round_id):
        number = next((r.number for r in rounds if r.id == note.round_id), note.round_id)
        raise TableRoundOver(number=number)


def can_withdraw_note(
    rounds: Sequence[TableRound], note: TableNote, participant_id: int | None
) -> bool:
    """Whether :func:`check_withdraw_note` lets ``participant_id`` withdraw ``note``
    (a page offers the button only then; the store checks again when it is clicked).

    >>> import datetime as dt
    >>> from facilitation.models import TableNote, TableRound
    >>> at = dt.datetime(2026, 3, 12, 10, 0, tzinfo=dt.UTC)
    >>> rounds = [TableRound(id=1, meeting_id=1, number=1, started_at=at)]
    >>> note = TableNote(id=5, table_id=2, round_id=1, participant_id=7, text="x", created_at=at)
    >>> can_withdraw_note(rounds, note, 7), can_withdraw_note(rounds, note, 8)
    (True, False)
    """
    try:
        check_withdraw_note(rounds, note, participant_id)
    except (NotYourNote, TableRoundOver):
        return False
    return True


def schedule(
    start: dt.datetime, rounds: Sequence[TableRound], *, change_minutes: int = 5
) -> list[tuple[dt.datetime, dt.datetime]]:
    """When each round starts and ends if they follow one another from ``start``.

    >>> import datetime as dt
    >>> from facilitation.models import TableRound
    >>> start = dt.datetime(2019, 3, 12, 10, 30)
    >>> plan = [TableRound(id=i, meeting_id=1, number=i) for i in (1, 2, 3)]
    >>> [(a.strftime("%H:%M"), b.strftime("%H:%M")) for a, b in schedule(start, plan)]
    [('10:30', '11:00'), ('11:05', '11:35'), ('11:40', '12:10')]
    """
    times = []
    at = start
    for table_round in sorted(rounds, key=lambda r: r.number):
        end = at + dt.timedelta(minutes=table_round.minutes)
        times.append((at, end))
        at = end + dt.timedelta(minutes=change_minutes)
    return times
