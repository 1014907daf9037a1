"""The store: the only code that reads and writes a workspace's database.

Every method is one short transaction, or part of the caller's inside
:meth:`Store.atomic`. Rules that must hold when many pages write at once (dots
in a round above all) are checked inside the same transaction that writes,
never before it in the user interface.

The aggregates (``_people``, ``_meetings``, ...) never call each other; what
a facilitator does in one click across several of them (open a round, show it
and start its timer; plan the rotation of the themed tables) is a method here,
one transaction over their methods.
"""

from __future__ import annotations

from collections.abc import Iterable

from .. import tables as seating_rules
from .._exceptions import NoTableRoundChosen
from ..consultation import DEFAULT_PHASE_MINUTES
from ..models import LiveState, Participant, Screen, TableRound, VoteRound
from ._actions import ActionStore
from ._consultation import ConsultationStore
from ._intake import IntakeStore
from ._meetings import MeetingStore
from ._people import PeopleStore
from ._tables import TableStore
from ._ties import TieStore
from ._voting import VotingStore

__all__ = ["DEFAULT_PHASE_MINUTES", "Store"]


class Store(
    PeopleStore,
    MeetingStore,
    IntakeStore,
    VotingStore,
    ConsultationStore,
    TableStore,
    ActionStore,
    TieStore,
):
    """A workspace opened for reading and writing.

    Get one with :func:`facilitation.open_workspace` or
    :func:`facilitation.create_workspace` (which give a
    :class:`~facilitation.research.Research`: this, plus pandas tables and
    networkx graphs); close it with :meth:`close` or use it in a ``with`` block.
    """

    def __enter__(self) -> Store:
        return self

    # --- a vote round in one click -------------------------------------------------------

    def open_round(
        self, round_id: int, *, show: bool = False, timer: bool | int = False
    ) -> VoteRound:
        """Open a round for dots (from draft, or again after closing).

        ``show``: the participants' pages and the wall show it; ``timer``: the
        countdown starts, with the round's own minutes (``True``) or for that
        many seconds. All of it in one transaction: no page sees the round open
        and not yet shown.
        """
        with self.atomic():
            vote_round = VotingStore.open_round(self, round_id)
            if show:
                self.show(vote_round.meeting_id, Screen.VOTE, round_id)
            seconds = vote_round.timer_seconds if timer is True else (timer or None)
            if seconds:
                self.start_timer(vote_round.meeting_id, seconds)
            return vote_round

    def close_round(self, round_id: int, *, stop_timer: bool = False) -> VoteRound:
        """Close a round: no more dots are placed or taken back; ``stop_timer`` too."""
        with self.atomic():
            vote_round = VotingStore.close_round(self, round_id)
            if stop_timer:
                self.stop_timer(vote_round.meeting_id)
            return vote_round

    def reveal_round(self, round_id: int, *, show: bool = False) -> VoteRound:
        """Reveal a closed round's result; ``show``: the pages and the wall show it."""
        with self.atomic():
            vote_round = VotingStore.reveal_round(self, round_id)
            if show:
                self.show(vote_round.meeting_id, Screen.RESULTS, round_id)
            return vote_round

    # --- themed tables in one click ------------------------------------------------------

    def plan_table_rounds(
        self,
        meeting_id: int,
        rounds: int,
        *,
        minutes: int = 30,
        present_only: bool = False,
        participant_ids: Iterable[int] | None = None,
    ) -> list[TableRound]:
        """Add rounds of the tables up to ``rounds`` and seat everyone in those not yet
        started, rotating against the rounds that ran and mixing towns and city networks
        (see :func:`facilitation.tables.rotation`); each of them lasts ``minutes``.

        Whom to seat: every participant registered for the meeting; with
        ``present_only`` those who have their page open for it (everyone while
        nobody has yet); or those of ``participant_ids``. One transaction: the plan is
        made from what it reads, and written whole or not at all. Returns the
        rounds that were seated.
        """
        with self.atomic():
            existing = self.table_rounds(meeting_id)
            for _ in range(len(existing), rounds):
                self.add_table_round(meeting_id, minutes=minutes)
            every_round = self.table_rounds(meeting_id)
            seatings = self.seatings(meeting_id)
            history = [seatings[r.id] for r in every_round if r.started_at is not None]
            waiting = [r for r in every_round if r.started_at is None]
            plan = seating_rules.rotation(
                self._to_seat(meeting_id, present_only, participant_ids), self.tables(meeting_id),
                len(waiting), history, network_of=self.city_networks(),
            )  # fmt: skip
            for table_round, seating in zip(waiting, plan, strict=True):
                self.seat(table_round.id, seating)
                if table_round.minutes != minutes:
                    self.set_round_minutes(table_round.id, minutes)
            return [self.table_round(r.id) for r in waiting]

    def mix_table_round(
        self,
        round_id: int,
        *,
        present_only: bool = False,
        participant_ids: Iterable[int] | None = None,
    ) -> TableRound:
        """Seat a round again, mixed against the rounds before it (one transaction); whom
        to seat as in :meth:`plan_table_rounds`."""
        with self.atomic():
            chosen = self.table_round(round_id)
            rounds = self.table_rounds(chosen.meeting_id)
            seatings = self.seatings(chosen.meeting_id)
            history = [seatings[r.id] for r in rounds if r.number < chosen.number]
            seating = seating_rules.mix(
                self._to_seat(chosen.meeting_id, present_only, participant_ids),
                self.tables(chosen.meeting_id), history, network_of=self.city_networks(),
                seed=chosen.number + len(history) * 7 + 1,
            )  # fmt: skip
            self.seat(round_id, seating)
            return chosen

    def show_harvest(self, meeting_id: int) -> LiveState:
        """End the running round of the tables, if any, and show the harvest of all tables
        (the subject is the last round that started). One transaction."""
        with self.atomic():
            started = [r for r in self.table_rounds(meeting_id) if r.started_at is not None]
            if not started:
                raise NoTableRoundChosen()
            for table_round in started:
                if seating_rules.round_is_running(table_round):
                    self.end_table_round(table_round.id)
            return self.show(meeting_id, Screen.TABLES, started[-1].id)

    def _to_seat(
        self, meeting_id: int, present_only: bool, participant_ids: Iterable[int] | None
    ) -> list[Participant]:
        people = self.participants(meeting_id)
        if participant_ids is not None:
            wanted = set(participant_ids)
            return [p for p in people if p.id in wanted]
        if present_only:
            seen = self.seen(meeting_id)
            return [p for p in people if p.id in seen] or people
        return people
