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

with table sizes that differ by at most one. Nobody sits alone while she could
sit with others: at most ⌈people/3⌉ tables are used in a round (groups of three
or more, or of two where the count demands it), the others stay empty that
round and are used first in the next (the themes rotate). The search is
deterministic for a given ``seed``: the same people and history give the same
seating.

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

from ._exceptions import InvalidInput, NotYourNote, TableRoundOver, word
from .i18n import N_
from .models import Participant, TableNote, TableRound, ThemedTable

__all__ = [
    "DEFAULT_ROUND_MINUTES",
    "MAX_ROUNDS",
    "Quality",
    "Seating",
    "can_withdraw_note",
    "check_round_count",
    "check_withdraw_note",
    "group_sizes",
    "history_of",
    "max_tables",
    "mix",
    "notes_go_to",
    "quality",
    "rotation",
    "round_is_running",
    "running_round",
    "schedule",
    "table_of",
    "tables_in_use",
]

DEFAULT_ROUND_MINUTES = 30
"""Minutes of a round at the themed tables (the Transferwerkstatt changes every 30)."""
MAX_ROUNDS = 12
"""The most rounds the tables of one meeting may have."""

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


def max_tables(people: int) -> int:
    """How many tables ``people`` may use at most in a round: ⌈people/3⌉, so that every
    group has three people, or two where the count leaves no other way (one person: one).

    >>> [max_tables(n) for n in (0, 1, 2, 3, 4, 7, 12, 13)]
    [0, 1, 1, 1, 2, 3, 4, 5]
    """
    return -(-people // 3)


def check_round_count(rounds: int) -> int:
    """``rounds`` if the tables of a meeting may have that many rounds (0 to
    :data:`MAX_ROUNDS`); :class:`~facilitation.InvalidInput` otherwise.

    >>> check_round_count(3)
    3
    """
    if isinstance(rounds, bool) or not isinstance(rounds, int) or not 0 <= rounds <= MAX_ROUNDS:
        raise InvalidInput(
            field=word(N_("Rounds")),
            problem=word(N_("must be between {low} and {high}"), low=0, high=MAX_ROUNDS),
        )
    return rounds


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
        self._pair_costs: dict[tuple[int, int], int] | None = None

    def pair(self, a: int, b: int) -> tuple[int, int, int]:
        town_a, town_b = self.town.get(a), self.town.get(b)
        same_town = int(town_a is not None and town_a == town_b)
        net_a, net_b = self.network.get(a), self.network.get(b)
        same_network = int(not same_town and net_a is not None and net_a == net_b)
        met = self.met.get((min(a, b), max(a, b)), 0)
        return same_town, same_network, met

    def pair_costs(self) -> dict[tuple[int, int], int]:
        """What each pair costs at one table (both ways round; pairs that cost nothing left
        out), worked out once for every search."""
        if self._pair_costs is None:
            self._pair_costs = {}
            for a, b in itertools.combinations(self.town, 2):
                town, network, met = self.pair(a, b)
                cost = _SAME_TOWN * town + _SAME_NETWORK * network + _MET_BEFORE * met
                if cost:
                    self._pair_costs[a, b] = self._pair_costs[b, a] = cost
        return self._pair_costs

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
        The themed tables; a table's host, if she is among ``people`` and her
        table is in use, sits at her own table.
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
        included: those of :func:`tables_in_use` with sizes that differ by at
        most one, the others empty this round.

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
    empty: Seating = {t.id: () for t in tables}
    used = tables_in_use(people, tables, history)
    if not used:
        return empty
    scorer = _Scorer(people, history, network_of or {})
    rng = random.Random(seed)
    fixed = {t.host_id for t in used if t.host_id is not None}
    best: Seating = {}
    best_cost = 0
    # A few starts from different shuffles; the search from each is quick.
    for attempt in range(_STARTS):
        seating = _search(people, used, scorer, rng)
        cost = sum(scorer.table(t, seated, fixed).cost for t, seated in seating.items())
        if attempt == 0 or cost < best_cost:
            best, best_cost = seating, cost
        if cost == 0:
            break
    return empty | best


def tables_in_use(
    people: Sequence[Participant],
    tables: Sequence[ThemedTable],
    history: Sequence[Mapping[int, Sequence[int]]] = (),
) -> list[ThemedTable]:
    """The tables ``people`` sit at in the next round, at most :func:`max_tables` of them.

    Tables whose host is among ``people`` first, then those used least in ``history``
    (so that over the rounds every theme gets its turn), then in their order. A host
    whose table is not used this round sits with the others like anyone.

    >>> import datetime as dt
    >>> from facilitation.models import Participant, ThemedTable
    >>> now = dt.datetime(2026, 3, 12, tzinfo=dt.UTC)
    >>> people = [Participant(id=i, name=f"P{i}", created_at=now) for i in range(1, 8)]
    >>> tables = [ThemedTable(id=t, meeting_id=1, theme=f"T{t}") for t in range(1, 9)]
    >>> [t.id for t in tables_in_use(people, tables)]
    [1, 2, 3]
    >>> [t.id for t in tables_in_use(people, tables, [{1: (1, 2, 3), 2: (4, 5), 3: (6, 7)}])]
    [4, 5, 6]
    """
    present = {p.id for p in people}
    limit = min(len(tables), max_tables(len(present)))
    uses: Counter[int] = Counter(
        table_id for seating in history for table_id, seated in seating.items() if seated
    )
    order = sorted(
        range(len(tables)),
        key=lambda i: (tables[i].host_id not in present, uses[tables[i].id], i),
    )
    return [tables[i] for i in sorted(order[:limit])]


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
    pair_cost = scorer.pair_costs()

    def revisit(person: int, table_id: int) -> int:
        return _REVISIT if table_id in scorer.visited.get(person, ()) else 0

    def added_cost(table_id: int, person: int, without: int | None = None) -> int:
        """What ``person`` adds at ``table_id`` (``without`` one who leaves it)."""
        cost = revisit(person, table_id)
        for other in seats[table_id]:
            if other != without and other != person:
                cost += pair_cost.get((person, other), 0)
        return cost

    # Greedy: the hardest to place first (most visited tables, then the shuffled order).
    free.sort(key=lambda p: -len(scorer.visited.get(p, ())))
    for person in free:
        open_tables = [t for t in table_ids if len(seats[t]) < capacity[t]] or table_ids
        chosen = min(open_tables, key=lambda t: (added_cost(t, person), len(seats[t])))
        seats[chosen].append(person)

    # Improve by swapping two people at different tables while that lowers the cost.
    improved = True
    passes = 0
    while improved and passes < 30:
        improved = False
        passes += 1
        for ta, tb in itertools.combinations(table_ids, 2):
            for a in [p for p in seats[ta] if p not in fixed]:
                for b in [p for p in seats[tb] if p not in fixed]:
                    before = added_cost(ta, a) + added_cost(tb, b)
                    after = added_cost(ta, b, without=a) + added_cost(tb, a, without=b)
                    if after < before:
                        seats[ta][seats[ta].index(a)] = b
                        seats[tb][seats[tb].index(b)] = a
                        improved = True
                        break  # a has moved: on with the next one at ta
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
