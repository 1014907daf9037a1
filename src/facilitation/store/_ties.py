"""Cooperation ties between municipalities.

A part of :class:`~facilitation.store.Store`: every method is one transaction
(or part of the caller's, inside :meth:`~facilitation.store.Store.atomic`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select

from .. import limits
from .._exceptions import (
    InvalidInput,
    NetworkClosed,
    NoHomeMunicipality,
    NotInMeeting,
    NotYourTie,
    TieAlreadyDeclared,
    TooManyItems,
    word,
)
from ..i18n import N_
from ..models import STRENGTHS, LiveState, NetworkDisplay, Screen, Tie, TieType
from . import _schema as s
from ._base import StoreBase, enum_field, live_state, positive, put_live, registered_for
from ._records import fetch, fetch_one, locking, now, record, text_field

__all__ = ["TieStore"]


class TieStore(StoreBase):
    """Cooperation ties between municipalities: loaded from data, declared by participants
    while the meeting shows the network, taken back; how the wall shows the network."""

    # --- cooperation ties --------------------------------------------------------------------

    def add_tie(
        self,
        source_id: int,
        target_id: int,
        *,
        type: TieType | str = TieType.COOPERATES,
        topic: str = "",
        weight: float = 1.0,
        directed: bool | None = None,
        meeting_id: int | None = None,
        declared_by: int | None = None,
        source: str = "",
    ) -> Tie:
        """Add a tie between two municipalities.

        "learns from" ties are directed by default, the others undirected.
        """
        tie_type = enum_field(TieType, type, N_("Type"))
        if source_id == target_id:
            raise InvalidInput(
                field=word(N_("Tie")),
                problem=word(N_("a municipality cannot have a tie with itself")),
            )
        positive(weight, N_("Strength"), allow_none=False)
        if directed is None:
            directed = tie_type is TieType.LEARNS_FROM
        with self._write() as c:
            fetch_one(c, s.municipality, source_id)
            fetch_one(c, s.municipality, target_id)
            if meeting_id is not None:
                fetch_one(c, s.meeting, meeting_id)
            if declared_by is not None:
                fetch_one(c, s.participant, declared_by)
            new_id = c.execute(
                insert(s.tie).values(
                    source_id=source_id, target_id=target_id, type=tie_type.value,
                    topic=text_field(topic, N_("Topic"), limit=limits.TIE_TOPIC, required=False),
                    weight=float(weight), directed=bool(directed), meeting_id=meeting_id,
                    declared_by=declared_by, created_at=now(),
                    source=text_field(source, N_("Source"), limit=limits.TEXT, required=False),
                )
            ).inserted_primary_key[0]  # fmt: skip
            return record(Tie, fetch_one(c, s.tie, new_id))

    def ties(self, meeting_id: int | None = None) -> list[Tie]:
        with self._read() as c:
            where = [] if meeting_id is None else [s.tie.c.meeting_id == meeting_id]
            return [record(Tie, row) for row in fetch(c, s.tie, *where)]

    # --- participants declare ties -----------------------------------------------------

    def show_network(self, meeting_id: int, display: NetworkDisplay | None = None) -> LiveState:
        """Show the cooperation network: participants enter ties, the wall shows it."""
        display = display or NetworkDisplay()
        with self._write() as c:
            fetch_one(c, s.meeting, meeting_id)
            put_live(c, meeting_id, screen=Screen.NETWORK.value, subject_id=display.code)
            return live_state(c, meeting_id)

    @staticmethod
    def network_display(live: LiveState) -> NetworkDisplay:
        """How the wall shows the network now (the default if another screen is shown)."""
        return NetworkDisplay.from_code(live.subject_id if live.screen is Screen.NETWORK else None)

    def declare_ties(
        self,
        meeting_id: int,
        participant_id: int,
        partner_id: int,
        *,
        type: TieType | str = TieType.COOPERATES,
        topics: Iterable[str] = (),
        weight: int = 2,
    ) -> list[Tie]:
        """A participant declares that her municipality cooperates with (learns from …) another.

        One tie per topic (one without a topic if none is given), directed
        for "learns from". Checked in the transaction that writes: the
        meeting shows the network, she is registered for it, her own
        municipality is known and is not the partner, the strength is 1, 2
        or 3, and she has not entered the same tie in this meeting before
        (then :class:`~facilitation.TieAlreadyDeclared`; topics already
        entered are left out, the others added).
        """
        kind = enum_field(TieType, type, N_("Type"))
        if weight not in STRENGTHS:
            raise InvalidInput(
                field=word(N_("Strength")),
                problem=word(N_("must be 1, 2 or 3")),
            )
        # One tie per topic: a click enters at most limits.TIES_PER_ACTION of them.
        wanted = list(dict.fromkeys(" ".join(str(t).split()) for t in topics if str(t).strip()))
        if len(wanted) > limits.TIES_PER_ACTION:
            raise TooManyItems(
                field=word(N_("Topics")), count=len(wanted), limit=limits.TIES_PER_ACTION
            )
        for topic in wanted:
            text_field(topic, N_("Topic"), limit=limits.TIE_TOPIC)
        wanted = wanted or [""]
        with self._write() as c:
            # Her row is locked: a double click, or two tabs, take turns (on PostgreSQL;
            # SQLite lets one writer in at a time anyway), so the second sees the first's tie.
            person = fetch_one(c, s.participant, participant_id, lock=True)
            _check_network_open(c, meeting_id)
            if not registered_for(c, meeting_id, participant_id):
                raise NotInMeeting(name=person.name)
            home = person.municipality_id
            if home is None:
                raise NoHomeMunicipality()
            partner = fetch_one(c, s.municipality, partner_id)
            if partner_id == home:
                raise InvalidInput(
                    field=word(N_("Tie")),
                    problem=word(N_("a municipality cannot have a tie with itself")),
                )
            mine = (
                s.tie.c.meeting_id == meeting_id,
                s.tie.c.declared_by == participant_id,
                s.tie.c.source_id == home,
                s.tie.c.target_id == partner_id,
                s.tie.c.type == kind.value,
            )
            entered = {
                row.topic.casefold() for row in c.execute(select(s.tie.c.topic).where(*mine))
            }
            new = [t for t in wanted if t.casefold() not in entered]
            if not new:
                raise TieAlreadyDeclared(partner=partner.name)
            # One statement for all of them (one round trip however many topics), read back.
            at = now()
            c.execute(
                insert(s.tie),
                [
                    {"source_id": home, "target_id": partner_id, "type": kind.value,
                     "topic": topic, "weight": float(weight),
                     "directed": kind is TieType.LEARNS_FROM, "meeting_id": meeting_id,
                     "declared_by": participant_id, "source": "", "created_at": at}
                    for topic in new
                ],
            )  # fmt: skip
            # Topics entered before differ from these (case aside): these rows are the new ones.
            return [record(Tie, row) for row in fetch(c, s.tie, *mine, s.tie.c.topic.in_(new))]

    def withdraw_tie(self, tie_id: int, participant_id: int) -> None:
        """A participant takes back a tie she entered (while the network is open)."""
        with self._write() as c:
            tie = fetch_one(c, s.tie, tie_id)
            if tie.declared_by != participant_id:
                raise NotYourTie()
            _check_network_open(c, tie.meeting_id)
            c.execute(delete(s.tie).where(s.tie.c.id == tie_id))

    def remove_tie(self, tie_id: int) -> None:
        """Remove a tie (the facilitator corrects a mistake)."""
        with self._write() as c:
            fetch_one(c, s.tie, tie_id)
            c.execute(delete(s.tie).where(s.tie.c.id == tie_id))

    def ties_declared_by(self, participant_id: int, meeting_id: int | None = None) -> list[Tie]:
        """The ties a participant entered (in one meeting, or in all)."""
        with self._read() as c:
            where = [s.tie.c.declared_by == participant_id]
            if meeting_id is not None:
                where.append(s.tie.c.meeting_id == meeting_id)
            return [record(Tie, row) for row in fetch(c, s.tie, *where)]

    def network_version(self) -> tuple[Any, ...]:
        """A cheap fingerprint of the ties and municipalities: it changes when they change."""
        with self._read() as c:
            ties = c.execute(select(func.count(), func.max(s.tie.c.id), func.sum(s.tie.c.id))).one()
            towns = c.execute(
                select(func.count(), func.max(s.municipality.c.id), func.sum(s.municipality.c.id))
            ).one()
            groups = c.execute(select(func.count()).select_from(s.group_member)).scalar_one()
        return (*ties, *towns, groups)


def _check_network_open(c: Connection, meeting_id: int | None) -> None:
    """Raise :class:`NetworkClosed` unless the meeting shows the network; the live state
    stays so (locked, on PostgreSQL) until the caller's transaction ends."""
    query = select(s.meeting_live.c.screen).where(s.meeting_live.c.meeting_id == meeting_id)
    live = c.execute(locking(c, query, share=True)).first()
    if live is None or live.screen != Screen.NETWORK.value:
        raise NetworkClosed()
