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

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .. import consultation as consultation_rules
from .. import tables as seating_rules
from .._exceptions import NobodyPresent, NoTableRoundChosen, RosterHasRefusals
from ..consultation import DEFAULT_PHASE_MINUTES
from ..i18n import translate
from ..models import (
    AtZero,
    Finding,
    FindingStatus,
    LiveState,
    Meeting,
    Participant,
    RoleAssignment,
    Screen,
    TableRound,
    VoteRound,
)
from ..roster import RosterPlan, RowStatus, plan_roster
from ..tabular import Table
from ..templates import template as meeting_template
from ._actions import ActionStore
from ._attendance import AttendanceStore
from ._clock import ClockStore
from ._consultation import ConsultationStore
from ._directory import DirectoryStore
from ._findings import FindingStore
from ._intake import IntakeStore
from ._meetings import MeetingStore
from ._people import PeopleStore
from ._prepared import PreparedStore
from ._tables import TableStore
from ._ties import TieStore
from ._voting import VotingStore

__all__ = ["DEFAULT_PHASE_MINUTES", "Store"]


class Store(
    ClockStore,
    PeopleStore,
    MeetingStore,
    IntakeStore,
    VotingStore,
    ConsultationStore,
    TableStore,
    ActionStore,
    TieStore,
    FindingStore,
    AttendanceStore,
    DirectoryStore,
    PreparedStore,
):
    """A workspace opened for reading and writing.

    Get one with :func:`facilitation.open_workspace` or
    :func:`facilitation.create_workspace` (which give a
    :class:`~facilitation.research.Research`: this, plus pandas tables and
    networkx graphs); close it with :meth:`close` or use it in a ``with`` block.
    """

    def __enter__(self) -> Store:
        return self

    # --- a meeting prepared in one step -------------------------------------------------

    def prepare_meeting(
        self,
        title: str = "",
        *,
        template: str | None = None,
        date: dt.date | None = None,
        place: str = "",
        copy_from: int | None = None,
        copy_agenda: bool = True,
        copy_participants: bool = True,
        case_titles: Sequence[str] | None = None,
        lang: str | None = None,
        table_themes: Iterable[str] = (),
        table_rounds: int | None = None,
        round_minutes: int | None = None,
    ) -> Meeting:
        """Add a meeting, prepared from a template and an earlier meeting, in one transaction.

        ``template`` (a key of :data:`facilitation.templates.TEMPLATES`) gives the
        format, the agenda with its times and the live parts prepared (themed
        tables and their rounds, consultations), in ``lang``; without ``title``
        the meeting is called by the template's name. ``case_titles``: the cases of
        the template's consultations, in order; one is prepared for each title given
        (an empty title: none, add it later), for every one of the template's with
        its generic title if None. ``copy_from``: an earlier meeting whose agenda
        (``copy_agenda``: it replaces the template's, which the page says) and
        participants (``copy_participants``) are taken over.

        ``table_themes``: the themed tables, one per theme (blank ones are left out,
        a table is never made without a theme); with at least one, ``table_rounds``
        rounds of ``round_minutes`` (the template's numbers unless given).
        """
        chosen = meeting_template(template) if template else None
        with self.atomic():
            source = self.meeting(copy_from) if copy_from is not None else None
            if not title.strip() and chosen is not None:
                title = translate(chosen.name, lang)
            elif not title.strip() and source is not None:
                title = source.title
            meeting = self.add_meeting(
                title, date=date, place=place,
                format=chosen.format if chosen else (source.format if source else "other"),
                host_municipality_id=source.host_municipality_id if source else None,
            )  # fmt: skip
            if source is not None and copy_agenda:
                for item in self.agenda(source.id):
                    self.add_agenda_item(
                        meeting.id, item.title, starts_at=item.starts_at,
                        minutes=item.minutes, kind=item.kind,
                    )  # fmt: skip
            elif chosen is not None:
                for step in chosen.agenda:
                    self.add_agenda_item(
                        meeting.id, translate(step.title, lang), starts_at=step.starts,
                        minutes=step.minutes, kind=step.kind,
                    )  # fmt: skip
            self.prepare_tables(
                meeting.id, table_themes,
                rounds=chosen.table_rounds if table_rounds is None and chosen else table_rounds,
                minutes=chosen.round_minutes if round_minutes is None and chosen else round_minutes,
            )  # fmt: skip
            if chosen is not None:
                for number, (generic, variant) in enumerate(chosen.consultations):
                    if case_titles is None:
                        case = translate(generic, lang)
                    else:
                        case = case_titles[number] if number < len(case_titles) else ""
                    if case.strip():
                        self.add_consultation(meeting.id, case, variant=variant)
            if source is not None and copy_participants:
                for person in self.participants(source.id):
                    self.register(meeting.id, person.id)
            return self.meeting(meeting.id)

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
                live = self.start_timer(vote_round.meeting_id, seconds)
                vote_round = self._set_round_deadline(round_id, live.timer_ends_at)
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

    # --- the review of the findings -------------------------------------------------------

    def open_review(
        self, meeting_id: int, finding_ids: Iterable[int], *, show: bool = True
    ) -> list[Finding]:
        """Put findings up for review and (``show``) the review on the meeting's pages, in
        one transaction. Findings in review that are not among ``finding_ids`` stay so."""
        with self.atomic():
            found = self.set_finding_status(list(finding_ids), FindingStatus.REVIEW)
            if show:
                self.show(meeting_id, Screen.REVIEW)
            return found

    # --- themed tables in one click ------------------------------------------------------

    def plan_table_rounds(
        self,
        meeting_id: int,
        rounds: int,
        *,
        minutes: int = 30,
        present_only: bool = False,
        participant_ids: Iterable[int] | None = None,
        at_zero: AtZero | str | None = None,
    ) -> list[TableRound]:
        """Make the tables have ``rounds`` rounds and seat everyone in those not yet
        started, rotating against the rounds that ran and mixing towns and city networks
        (see :func:`facilitation.tables.rotation`); each of them lasts ``minutes`` and,
        with ``at_zero``, ends by itself at 0:00 or only signals (see add_table_round).
        Rounds are added, or the last ones deleted (only rounds that have not started and
        hold no note: :class:`~facilitation.TableRoundHoldsData` otherwise).

        Whom to seat: every participant registered for the meeting; with
        ``present_only`` those who have their page open for it (everyone while
        nobody has yet); or those of ``participant_ids``. One transaction: the plan is
        made from what it reads, and written whole or not at all. Returns the
        rounds that were seated.
        """
        with self.atomic():
            existing = self.table_rounds(meeting_id)
            seating_rules.check_round_count(rounds)
            for _ in range(len(existing), rounds):
                self.add_table_round(meeting_id, minutes=minutes)
            for extra in reversed(existing[rounds:]):
                self.delete_table_round(extra.id)
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
                if at_zero is not None and table_round.at_zero != at_zero:
                    self.set_table_round_at_zero(table_round.id, at_zero)
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
            present = self.attendance(meeting_id).present
            return [p for p in people if p.id in present] or people
        return people

    def present_participants(self, meeting_id: int) -> list[Participant]:
        """The participants present at a meeting (see :meth:`attendance`), by name."""
        with self.atomic():
            present = self.attendance(meeting_id).present
            return [p for p in self.participants(meeting_id) if p.id in present]

    def suggest_casting(
        self, consultation_id: int, *, case_giver_ids: Iterable[int] = ()
    ) -> list[RoleAssignment]:
        """Cast a consultation as :func:`facilitation.consultation.suggest_casting` suggests,
        from the participants present only (one transaction; everybody else loses her role).

        Raises
        ------
        NobodyPresent
            Nobody is present at the consultation's meeting yet.
        """
        with self.atomic():
            current = self.consultation(consultation_id)
            people = self.present_participants(current.meeting_id)
            if not people:
                raise NobodyPresent()
            cast = consultation_rules.suggest_casting(
                people, current, case_giver_ids=case_giver_ids
            )
            return self.set_roles(consultation_id, cast)

    # --- a list of participants in one step ----------------------------------------------

    def plan_participants(
        self, table: Table, *, shipped: Iterable[Mapping[str, Any]] = ()
    ) -> RosterPlan:
        """What importing ``table`` would do, row by row: the preview of an import.

        Reads the workspace and writes nothing (see :func:`facilitation.roster.plan_roster`).
        """
        return plan_roster(table, self.municipalities(), self.participants(), shipped)

    def import_participants(
        self,
        table: Table,
        *,
        meeting_id: int | None = None,
        shipped: Iterable[Mapping[str, Any]] = (),
        skip_refused: bool = False,
    ) -> RosterPlan:
        """Import a list of participants in one transaction, all of it or nothing.

        Planned again inside the transaction (another tab may have imported
        meanwhile): new participants are added, each with a personal link;
        those the workspace knows are left as they are; with ``meeting_id``
        everyone is registered for that meeting. Municipalities the rows need
        are added first (from ``shipped``, or from a row's key and name). If a
        row is refused, nothing is imported and
        :class:`~facilitation.RosterHasRefusals` says so, unless ``skip_refused``:
        then the other rows are. Returns the plan that was carried out.
        """
        with self.atomic():
            plan = self.plan_participants(table, shipped=shipped)
            if plan.refused and not skip_refused:
                raise RosterHasRefusals(
                    name=plan.source, refused=len(plan.refused), rows=len(plan.rows)
                )
            if meeting_id is not None:
                self.meeting(meeting_id)  # RecordNotFound before anything is written
            added: dict[str, int] = {}
            for town in plan.towns_to_add:
                values = {k: v for k, v in town.values.items() if k in _TOWN_FIELDS and v}
                made = self.add_municipality(**_town_values(values))
                added[town.key] = made.id
            for row in plan.rows:
                if row.status is RowStatus.REFUSED:
                    continue
                if row.status is RowStatus.KNOWN:
                    if meeting_id is not None:
                        self.register(meeting_id, row.participant_id)
                    continue
                town = row.town
                municipality_id = None
                if town is not None:
                    municipality_id = town.municipality_id or added[town.key]
                person = self.add_participant(
                    row.name, role=row.role, municipality_id=municipality_id, email=row.email,
                    consent_named=row.consent_named, meeting_id=meeting_id,
                )  # fmt: skip
                self.create_link(person.id)
            return plan


_TOWN_FIELDS = (
    "name", "ags", "state", "district", "latitude", "longitude", "population",
    "population_date", "source",
)  # fmt: skip


def _town_values(values: dict[str, Any]) -> dict[str, Any]:
    """A municipality's columns (as text, from a file) as :meth:`add_municipality` takes them."""
    out = dict(values)
    for name, kind in (("latitude", float), ("longitude", float), ("population", int)):
        if isinstance(out.get(name), str):
            out[name] = kind(out[name].replace(",", "."))
    if isinstance(out.get("population_date"), str):
        out["population_date"] = dt.date.fromisoformat(out["population_date"])
    name = out.pop("name")
    return {"name": name, **out}
