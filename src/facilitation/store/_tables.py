"""Themed tables: tables, rounds, seatings, notes.

A part of :class:`~facilitation.store.Store`: every method is one transaction
(or part of the caller's, inside :meth:`~facilitation.store.Store.atomic`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, select, update

from .. import clock, limits, tables
from .._exceptions import (
    InvalidInput,
    NotAtTable,
    NotInMeeting,
    TableHoldsData,
    TableRoundHoldsData,
    TableRoundNotRunning,
    word,
)
from ..i18n import N_
from ..models import (
    AtZero,
    ClosedBy,
    Screen,
    TableAssignment,
    TableChange,
    TableNote,
    TableRound,
    ThemedTable,
)
from . import _schema as s
from ._base import (
    TEXT,
    StoreBase,
    enum_field,
    lock_meeting,
    positive,
    put_live,
    registered_for,
)
from ._records import bounded, fetch, fetch_one, locking, now, record, text_field

__all__ = ["TableStore"]


class TableStore(StoreBase):
    """Themed tables: tables, rounds, seatings, notes."""

    # --- themed tables -----------------------------------------------------------------------

    def add_table(self, meeting_id: int, theme: str, *, host_id: int | None = None) -> ThemedTable:
        """Add a themed table (Thementisch) with an optional host who stays at it."""
        theme = text_field(theme, N_("Theme"), limit=limits.THEME)
        with self._write() as c:
            lock_meeting(c, meeting_id)  # the next number
            if host_id is not None:
                fetch_one(c, s.participant, host_id)
            position = c.execute(
                select(func.count()).where(s.themed_table.c.meeting_id == meeting_id)
            ).scalar_one()
            new_id = c.execute(
                insert(s.themed_table).values(
                    meeting_id=meeting_id, theme=theme, host_id=host_id, position=position
                )
            ).inserted_primary_key[0]
            return record(ThemedTable, fetch_one(c, s.themed_table, new_id))

    def update_table(self, table_id: int, **changes: Any) -> ThemedTable:
        """Change a table's theme or host (``host_id=None``: no host)."""
        unknown = set(changes) - {"theme", "host_id"}
        if unknown:
            raise TypeError(f"cannot change {', '.join(sorted(unknown))} of a table")
        if "theme" in changes:
            changes["theme"] = text_field(changes["theme"], N_("Theme"), limit=limits.THEME)
        with self._write() as c:
            fetch_one(c, s.themed_table, table_id)
            if changes.get("host_id") is not None:
                fetch_one(c, s.participant, changes["host_id"])
            if changes:
                c.execute(
                    update(s.themed_table).where(s.themed_table.c.id == table_id).values(**changes)
                )
            return record(ThemedTable, fetch_one(c, s.themed_table, table_id))

    def prepare_tables(
        self,
        meeting_id: int,
        themes: Iterable[str],
        *,
        rounds: int | None = None,
        minutes: int | None = None,
    ) -> list[ThemedTable]:
        """Add a table for each of ``themes`` (blank ones are left out: no table without a
        theme) and, if there is at least one, ``rounds`` rounds of ``minutes`` (the default
        length unless given). One transaction; returns the tables added."""
        wanted = [theme for theme in themes if theme and theme.strip()]
        if rounds is not None:
            tables.check_round_count(rounds)
        with self.atomic():
            added = [self.add_table(meeting_id, theme) for theme in wanted]
            for _ in range((rounds or 0) if added else 0):
                self.add_table_round(
                    meeting_id, minutes=tables.DEFAULT_ROUND_MINUTES if minutes is None else minutes
                )
            return added

    def move_table(self, table_id: int, offset: int) -> list[ThemedTable]:
        """Move a table ``offset`` places up (negative) or down among its meeting's tables;
        returns them in their new order."""
        with self._write() as c:
            meeting_id = fetch_one(c, s.themed_table, table_id).meeting_id
            lock_meeting(c, meeting_id)  # two moves at once: one after the other
            ids = [t.id for t in _tables_of(c, meeting_id)]
            at = ids.index(table_id)
            ids.insert(max(0, min(len(ids) - 1, at + offset)), ids.pop(at))
            for position, each in enumerate(ids):
                c.execute(
                    update(s.themed_table)
                    .where(s.themed_table.c.id == each, s.themed_table.c.position != position)
                    .values(position=position)
                )
            return _tables_of(c, meeting_id)

    def delete_table(self, table_id: int) -> None:
        """Delete a table that holds nothing participants contributed: no note (not even a
        withdrawn one) and no seat in a round that started. Its seats in rounds still to
        come go with it; the deletion is kept as a :class:`~facilitation.models.TableChange`.

        Raises
        ------
        TableHoldsData
            It holds notes or seats of a round that ran: rename or hide it instead.
        """
        with self._write() as c:
            table = record(ThemedTable, fetch_one(c, s.themed_table, table_id))
            lock_meeting(c, table.meeting_id)
            # The meeting's rounds locked (a note in flight holds them shared): a note or
            # a round start is written before this looks, or sees the table gone.
            _rounds_of(c, table.meeting_id, lock=True)
            if _table_holds_data(c, table_id):
                raise TableHoldsData(theme=table.theme)
            c.execute(delete(s.table_assignment).where(s.table_assignment.c.table_id == table_id))
            c.execute(delete(s.themed_table).where(s.themed_table.c.id == table_id))
            for position, each in enumerate(_tables_of(c, table.meeting_id)):
                if each.position != position:
                    c.execute(
                        update(s.themed_table)
                        .where(s.themed_table.c.id == each.id)
                        .values(position=position)
                    )
            _note_change(c, table.meeting_id, "table_deleted", table_id=table_id, label=table.theme)

    def hide_table(self, table_id: int, hidden: bool = True) -> ThemedTable:
        """Hide a table from the protocol (``hidden=False``: show it again). It stays on
        record with its notes and seats; each change is kept as a
        :class:`~facilitation.models.TableChange`. Hiding it again changes nothing."""
        with self._write() as c:
            table = record(ThemedTable, fetch_one(c, s.themed_table, table_id, lock=True))
            if (table.hidden_at is not None) != hidden:
                c.execute(
                    update(s.themed_table)
                    .where(s.themed_table.c.id == table_id)
                    .values(hidden_at=now() if hidden else None)
                )
                kind = "table_hidden" if hidden else "table_shown"
                _note_change(c, table.meeting_id, kind, table_id=table_id, label=table.theme)
            return record(ThemedTable, fetch_one(c, s.themed_table, table_id))

    def table_holds_data(self, table_id: int) -> bool:
        """Whether a table holds notes or seats of a round that started (then it can be
        renamed and hidden, not deleted)."""
        with self._read() as c:
            fetch_one(c, s.themed_table, table_id)
            return _table_holds_data(c, table_id)

    def table_changes(self, meeting_id: int | None = None) -> list[TableChange]:
        """Tables and rounds deleted, hidden or shown again, oldest first (of one meeting,
        or of every meeting): for the research data."""
        where = [] if meeting_id is None else [s.table_change.c.meeting_id == meeting_id]
        with self._read() as c:
            rows = fetch(c, s.table_change, *where, order=(s.table_change.c.id,))
        return [record(TableChange, row) for row in rows]

    def tables(self, meeting_id: int) -> list[ThemedTable]:
        """The themed tables of a meeting in their order (hidden ones too, marked)."""
        with self._read() as c:
            return _tables_of(c, meeting_id)

    def add_table_round(
        self, meeting_id: int, *, minutes: int = 30, at_zero: AtZero | str = AtZero.CLOSE
    ) -> TableRound:
        """Add the next round of table rotation; ``at_zero``: whether it ends by itself when
        its countdown reaches 0:00 (the default) or the pages only say that the time is up."""
        positive(minutes, N_("Minutes"), allow_none=False)
        at_zero = enum_field(AtZero, at_zero, N_("At 0:00"))
        with self._write() as c:
            lock_meeting(c, meeting_id)  # the next number
            number = (
                c.execute(
                    select(func.coalesce(func.max(s.table_round.c.number), 0)).where(
                        s.table_round.c.meeting_id == meeting_id
                    )
                ).scalar_one()
                + 1
            )
            new_id = c.execute(
                insert(s.table_round).values(
                    meeting_id=meeting_id, number=number, minutes=minutes, at_zero=at_zero.value
                )
            ).inserted_primary_key[0]
            return _table_round(fetch_one(c, s.table_round, new_id))

    def delete_table_round(self, round_id: int) -> None:
        """Delete a round that has not started and holds no note; the rounds after it move
        up one number. Kept as a :class:`~facilitation.models.TableChange`.

        Raises
        ------
        TableRoundHoldsData
            It has started (or is on the screens) or holds notes: hide it instead.
        """
        with self._write() as c:
            meeting_id = fetch_one(c, s.table_round, round_id).meeting_id
            lock_meeting(c, meeting_id)
            rounds = _rounds_of(c, meeting_id, lock=True)
            chosen = next(r for r in rounds if r.id == round_id)
            live = c.execute(
                select(s.meeting_live.c.screen, s.meeting_live.c.subject_id).where(
                    s.meeting_live.c.meeting_id == meeting_id
                )
            ).first()
            on_screen = live is not None and (live.screen, live.subject_id) == (
                Screen.TABLES.value,
                round_id,
            )
            notes = c.execute(
                select(func.count()).where(s.table_note.c.round_id == round_id)
            ).scalar_one()
            if chosen.started_at is not None or notes or on_screen:
                raise TableRoundHoldsData(number=chosen.number)
            c.execute(delete(s.table_assignment).where(s.table_assignment.c.round_id == round_id))
            c.execute(delete(s.table_round).where(s.table_round.c.id == round_id))
            for later in sorted(rounds, key=lambda r: r.number):
                if later.number > chosen.number:  # one by one, upwards: numbers stay unique
                    c.execute(
                        update(s.table_round)
                        .where(s.table_round.c.id == later.id)
                        .values(number=later.number - 1)
                    )
            label = str(chosen.number)
            _note_change(c, meeting_id, "round_deleted", round_id=round_id, label=label)

    def hide_table_round(self, round_id: int, hidden: bool = True) -> TableRound:
        """Hide a round from the protocol (a false start; ``hidden=False``: show it
        again). It stays on record with its seats and notes; each change is kept as a
        :class:`~facilitation.models.TableChange`."""
        with self._write() as c:
            chosen = record(TableRound, fetch_one(c, s.table_round, round_id, lock=True))
            if (chosen.hidden_at is not None) != hidden:
                c.execute(
                    update(s.table_round)
                    .where(s.table_round.c.id == round_id)
                    .values(hidden_at=now() if hidden else None)
                )
                kind = "round_hidden" if hidden else "round_shown"
                _note_change(
                    c, chosen.meeting_id, kind, round_id=round_id, label=str(chosen.number)
                )
            return record(TableRound, fetch_one(c, s.table_round, round_id))

    def table_round(self, round_id: int) -> TableRound:
        with self._read() as c:
            return _table_round(fetch_one(c, s.table_round, round_id))

    def table_rounds(self, meeting_id: int) -> list[TableRound]:
        with self._read() as c:
            rows = fetch(
                c, s.table_round, s.table_round.c.meeting_id == meeting_id,
                order=(s.table_round.c.number,),
            )  # fmt: skip
        return [_table_round(row) for row in rows]

    def set_round_minutes(self, round_id: int, minutes: int) -> TableRound:
        """Change how long a round lasts (a running round's countdown is not moved)."""
        positive(minutes, N_("Minutes"), allow_none=False)
        with self._write() as c:
            fetch_one(c, s.table_round, round_id)
            c.execute(
                update(s.table_round).where(s.table_round.c.id == round_id).values(minutes=minutes)
            )
            return _table_round(fetch_one(c, s.table_round, round_id))

    def set_table_round_at_zero(self, round_id: int, at_zero: AtZero | str) -> TableRound:
        """Whether a round ends by itself when its countdown reaches 0:00, or only signals."""
        at_zero = enum_field(AtZero, at_zero, N_("At 0:00"))
        with self._write() as c:
            fetch_one(c, s.table_round, round_id)
            c.execute(
                update(s.table_round)
                .where(s.table_round.c.id == round_id)
                .values(at_zero=at_zero.value)
            )
            return _table_round(fetch_one(c, s.table_round, round_id))

    def start_table_round(self, round_id: int, *, seconds: int | None = None) -> TableRound:
        """Start a round: its clock and the meeting's countdown start, every page shows it.

        A round still running in the meeting ends now; starting a round again
        (after a false start) restarts its clock. The clock runs the round's minutes, or
        ``seconds`` if given (a short round, or a test).
        """
        positive(seconds, N_("Timer"))
        with self._write() as c:
            meeting_id = fetch_one(c, s.table_round, round_id).meeting_id
            # Every round of the meeting, locked in order: a note in flight (which holds them
            # shared) is written before this round starts, or sees that it has.
            rounds = _rounds_of(c, meeting_id, lock=True)
            table_round = next(r for r in rounds if r.id == round_id)
            stamp = now()
            close_due_table_rounds(
                c, stamp, s.table_round.c.meeting_id == meeting_id
            )  # at deadline
            c.execute(
                update(s.table_round)
                .where(
                    s.table_round.c.meeting_id == table_round.meeting_id,
                    s.table_round.c.id != round_id,
                    s.table_round.c.started_at.is_not(None),
                    s.table_round.c.ended_at.is_(None),
                )
                .values(ended_at=stamp, ended_by=ClosedBy.FACILITATOR.value)
            )
            ends = stamp + dt.timedelta(seconds=seconds or table_round.minutes * 60)
            c.execute(
                update(s.table_round)
                .where(s.table_round.c.id == round_id)
                .values(started_at=stamp, ends_at=ends, ended_at=None, ended_by=None)
            )
            put_live(
                c, table_round.meeting_id, screen=Screen.TABLES.value, subject_id=round_id,
                timer_ends_at=ends,
            )  # fmt: skip
            return _table_round(fetch_one(c, s.table_round, round_id))

    def end_table_round(self, round_id: int) -> TableRound:
        """End a round (the bell): its clock stops, and so does the meeting's countdown."""
        with self._write() as c:
            table_round = _table_round(fetch_one(c, s.table_round, round_id, lock=True))
            if table_round.started_at is None:
                raise TableRoundNotRunning(number=table_round.number)
            if table_round.ended_by is ClosedBy.CLOCK:  # its clock ended it: written once
                close_due_table_rounds(c, now(), s.table_round.c.id == round_id)
            elif table_round.ended_at is None:
                c.execute(
                    update(s.table_round)
                    .where(s.table_round.c.id == round_id)
                    .values(ended_at=now(), ended_by=ClosedBy.FACILITATOR.value)
                )
                put_live(c, table_round.meeting_id, timer_ends_at=None)
            return _table_round(fetch_one(c, s.table_round, round_id))

    def assign(self, round_id: int, table_id: int, participant_ids: Iterable[int]) -> None:
        """Seat participants at a table for a round (each sits at one table per round)."""
        participant_ids = bounded(participant_ids, N_("Participants"), limit=limits.IDS)
        with self._write() as c:
            # Locked as in seat(): a note in flight sees the seating before or after.
            table_round = fetch_one(c, s.table_round, round_id, lock=True)
            table = fetch_one(c, s.themed_table, table_id)
            if table.meeting_id != table_round.meeting_id:
                raise InvalidInput(
                    field=word(N_("Table")), problem=word(N_("belongs to another meeting"))
                )
            for participant_id in dict.fromkeys(participant_ids):
                fetch_one(c, s.participant, participant_id)
                self._seat(c, round_id, table_id, participant_id)

    @staticmethod
    def _seat(c: Connection, round_id: int, table_id: int | None, participant_id: int) -> None:
        c.execute(
            delete(s.table_assignment).where(
                s.table_assignment.c.round_id == round_id,
                s.table_assignment.c.participant_id == participant_id,
            )
        )
        if table_id is not None:
            c.execute(
                insert(s.table_assignment).values(
                    round_id=round_id, table_id=table_id, participant_id=participant_id
                )
            )

    def unassign(self, round_id: int, participant_id: int) -> None:
        """Take a participant off the tables of a round."""
        with self._write() as c:
            fetch_one(c, s.table_round, round_id, lock=True)  # as in seat()
            self._seat(c, round_id, None, participant_id)

    def seat(self, round_id: int, seating: Mapping[int, Iterable[int]]) -> list[TableAssignment]:
        """Seat a whole round at once (what :func:`facilitation.tables.mix` proposes).

        The round's earlier seating is replaced. Every table must belong to the
        round's meeting, every participant be registered for it and sit once.
        """
        seating = {table: list(people) for table, people in seating.items()}
        bounded([p for people in seating.values() for p in people], N_("Participants"),
                limit=limits.IDS)  # fmt: skip
        with self._write() as c:
            table_round = fetch_one(c, s.table_round, round_id, lock=True)
            own = {
                t.id
                for t in fetch(
                    c, s.themed_table, s.themed_table.c.meeting_id == table_round.meeting_id
                )
            }
            seen: set[int] = set()
            rows = []
            for table_id, people in seating.items():
                if table_id not in own:
                    fetch_one(c, s.themed_table, table_id)
                    raise InvalidInput(
                        field=word(N_("Table")), problem=word(N_("belongs to another meeting"))
                    )
                for participant_id in people:
                    person = fetch_one(c, s.participant, participant_id)
                    if not registered_for(c, table_round.meeting_id, participant_id):
                        raise NotInMeeting(name=person.name)
                    if participant_id in seen:
                        raise InvalidInput(
                            field=word(N_("Seating")),
                            problem=word(N_("{name} sits at two tables"), name=person.name),
                        )
                    seen.add(participant_id)
                    rows.append(
                        {
                            "round_id": round_id,
                            "table_id": table_id,
                            "participant_id": participant_id,
                        }
                    )
            c.execute(delete(s.table_assignment).where(s.table_assignment.c.round_id == round_id))
            if rows:
                c.execute(insert(s.table_assignment), rows)
        return self.assignments(round_id)

    def assignments(self, round_id: int) -> list[TableAssignment]:
        with self._read() as c:
            rows = c.execute(
                select(s.table_assignment)
                .where(s.table_assignment.c.round_id == round_id)
                .order_by(s.table_assignment.c.table_id, s.table_assignment.c.participant_id)
            )
            return [record(TableAssignment, row) for row in rows]

    def seatings(self, meeting_id: int) -> dict[int, dict[int, tuple[int, ...]]]:
        """Every round's seating of a meeting: round id to (table id to participant ids)."""
        query = (
            select(
                s.table_assignment.c.round_id,
                s.table_assignment.c.table_id,
                s.table_assignment.c.participant_id,
            )
            .join(s.table_round, s.table_round.c.id == s.table_assignment.c.round_id)
            .where(s.table_round.c.meeting_id == meeting_id)
            .order_by(
                s.table_round.c.number,
                s.table_assignment.c.table_id,
                s.table_assignment.c.participant_id,
            )
        )
        found: dict[int, dict[int, list[int]]] = {}
        with self._read() as c:
            for round_ in fetch(c, s.table_round, s.table_round.c.meeting_id == meeting_id):
                found[round_.id] = {}
            for round_id, table_id, participant_id in c.execute(query):
                found[round_id].setdefault(table_id, []).append(participant_id)
        return {r: {t: tuple(p) for t, p in seating.items()} for r, seating in found.items()}

    def table_of(self, round_id: int, participant_id: int) -> ThemedTable | None:
        """The table where a participant sits in a round: her seat, or else (not seated at
        all) the table she hosts."""
        with self._read() as c:
            return self._table_of(c, round_id, participant_id)

    @staticmethod
    def _table_of(c: Connection, round_id: int, participant_id: int) -> ThemedTable | None:
        seated = c.execute(
            select(s.themed_table)
            .join(s.table_assignment, s.table_assignment.c.table_id == s.themed_table.c.id)
            .where(
                s.table_assignment.c.round_id == round_id,
                s.table_assignment.c.participant_id == participant_id,
            )
        ).first()
        if seated is not None:
            return record(ThemedTable, seated)
        table_round = fetch_one(c, s.table_round, round_id)
        hosted = c.execute(
            select(s.themed_table)
            .where(
                s.themed_table.c.meeting_id == table_round.meeting_id,
                s.themed_table.c.host_id == participant_id,
            )
            .order_by(s.themed_table.c.position)
        ).first()
        return record(ThemedTable, hosted) if hosted is not None else None

    def add_table_note(
        self,
        table_id: int,
        text: str,
        *,
        participant_id: int | None = None,
        round_id: int | None = None,
    ) -> TableNote:
        """Add a note to a table as the facilitator records it (or as loaded from data);
        notes stay with the table across rounds. Participants use :meth:`submit_table_note`."""
        text = text_field(text, TEXT, limit=limits.TEXT)
        with self._write() as c:
            table = fetch_one(c, s.themed_table, table_id)
            if (
                round_id is not None
                and fetch_one(c, s.table_round, round_id).meeting_id != table.meeting_id
            ):
                raise InvalidInput(
                    field=word(N_("Round")), problem=word(N_("belongs to another meeting"))
                )
            if participant_id is not None:
                fetch_one(c, s.participant, participant_id)
            return self._insert_note(c, table_id, round_id, participant_id, text)

    @staticmethod
    def _insert_note(
        c: Connection, table_id: int, round_id: int | None, participant_id: int | None, text: str
    ) -> TableNote:
        new_id = c.execute(
            insert(s.table_note).values(
                table_id=table_id, round_id=round_id, participant_id=participant_id,
                text=text, created_at=now(),
            )
        ).inserted_primary_key[0]  # fmt: skip
        return record(TableNote, fetch_one(c, s.table_note, new_id))

    def submit_table_note(self, round_id: int, participant_id: int, text: str) -> TableNote:
        """A participant adds a note to the table where she sits (or which she hosts).

        Checked in the transaction that writes it: she is registered for the
        meeting, the round has started and no later round has (notes may still
        come in after the bell), and she has a seat in it.
        """
        text = text_field(text, TEXT, limit=limits.TEXT)
        with self._write() as c:
            meeting_id = fetch_one(c, s.table_round, round_id).meeting_id
            # The meeting's rounds stay as read (shared locks) until the note is written:
            # the next round cannot start, nor the seating change, in between.
            rounds = _rounds_of(c, meeting_id, share=True)
            table_round = next(r for r in rounds if r.id == round_id)
            person = fetch_one(c, s.participant, participant_id)
            if not registered_for(c, table_round.meeting_id, participant_id):
                raise NotInMeeting(name=person.name)
            if not tables.notes_go_to(rounds, round_id):
                raise TableRoundNotRunning(number=table_round.number)
            table = self._table_of(c, round_id, participant_id)
            if table is None:
                raise NotAtTable(name=person.name, number=table_round.number)
            return self._insert_note(c, table.id, round_id, participant_id, text)

    def table_notes(self, table_id: int, *, withdrawn: bool = False) -> list[TableNote]:
        """A table's notes from every round, in the order they were written (withdrawn
        ones only with ``withdrawn``, for the facilitator and for research)."""
        where = [s.table_note.c.table_id == table_id]
        if not withdrawn:
            where.append(s.table_note.c.withdrawn_at.is_(None))
        with self._read() as c:
            rows = fetch(c, s.table_note, *where)
        return [record(TableNote, row) for row in rows]

    def meeting_table_notes(
        self, meeting_id: int, *, withdrawn: bool = False
    ) -> dict[int, list[TableNote]]:
        """The notes of every table of a meeting, by table id, in one read (a table without
        notes has an empty list); withdrawn ones only with ``withdrawn``."""
        note, table = s.table_note, s.themed_table
        joined = [note.c.table_id == table.c.id]
        if not withdrawn:
            joined.append(note.c.withdrawn_at.is_(None))
        query = (
            select(table.c.id.label("of_table"), note)
            .select_from(table.outerjoin(note, and_(*joined)))
            .where(table.c.meeting_id == meeting_id)
            .order_by(table.c.id, note.c.id)
        )
        found: dict[int, list[TableNote]] = {}
        with self._read() as c:
            for row in c.execute(query):
                notes = found.setdefault(row.of_table, [])
                if row.text is not None:
                    notes.append(record(TableNote, row))
        return found

    def table_notes_for(self, table_id: int, participant_id: int) -> list[TableNote]:
        """A table's notes as a participant reads them: only one of the table's meeting,
        and never a withdrawn note."""
        with self._read() as c:
            table = fetch_one(c, s.themed_table, table_id)
            person = fetch_one(c, s.participant, participant_id)
            if not registered_for(c, table.meeting_id, participant_id):
                raise NotInMeeting(name=person.name)
            rows = fetch(
                c, s.table_note, s.table_note.c.table_id == table_id,
                s.table_note.c.withdrawn_at.is_(None),
            )  # fmt: skip
        return [record(TableNote, row) for row in rows]

    def withdraw_table_note(self, note_id: int, *, participant_id: int | None = None) -> TableNote:
        """Withdraw a table's note: its author while its round is the one notes go to (see
        :func:`facilitation.tables.check_withdraw_note`), or the facilitator at any time (to
        hide it from the screens). It is kept, marked withdrawn, out of every view, the
        harvest, the protocol and the data exports; only the workspace keeps it, with
        ``withdrawn_at``.

        Checked in the transaction that writes it: she is registered for the meeting, the
        note is hers and no later round has started. Withdrawing it again changes nothing.
        """
        with self._write() as c:
            table_id = fetch_one(c, s.table_note, note_id).table_id
            meeting_id = fetch_one(c, s.themed_table, table_id).meeting_id
            # The meeting's rounds stay as read (shared locks, as for a new note) until the
            # note is marked: the next round cannot start in between. Then the note itself.
            rounds = _rounds_of(c, meeting_id, share=True)
            note = record(TableNote, fetch_one(c, s.table_note, note_id, lock=True))
            if participant_id is not None:
                person = fetch_one(c, s.participant, participant_id)
                if not registered_for(c, meeting_id, participant_id):
                    raise NotInMeeting(name=person.name)
            tables.check_withdraw_note(rounds, note, participant_id)
            if note.withdrawn_at is None:
                c.execute(
                    update(s.table_note)
                    .where(s.table_note.c.id == note_id)
                    .values(withdrawn_at=now())
                )
            return record(TableNote, fetch_one(c, s.table_note, note_id))


def _rounds_of(
    c: Connection, meeting_id: int, *, lock: bool = False, share: bool = False
) -> list[TableRound]:
    """The rounds of the tables of a meeting; with ``lock`` or ``share`` locked (on
    PostgreSQL) in the order of their ids, as every caller locks them, so that two
    transactions never wait for each other in a circle."""
    query = select(s.table_round).where(s.table_round.c.meeting_id == meeting_id)
    query = query.order_by(s.table_round.c.id)
    if lock or share:
        query = locking(c, query, share=share and not lock)
    return [_table_round(row) for row in c.execute(query)]


def _table_round(row: Any) -> TableRound:
    """A round of the tables as it is now (ended at its deadline if its clock ends it)."""
    return clock.table_round_as_of(record(TableRound, row), now())


def close_due_table_rounds(c: Connection, when: dt.datetime, *which: Any) -> int:
    """Write the end of every running round of the tables (of those ``which`` selects) whose
    clock ends it and whose deadline has passed, at its deadline, by the clock, inside the
    caller's transaction; how many. Idempotent."""
    return c.execute(
        update(s.table_round)
        .where(
            *which,
            s.table_round.c.started_at.is_not(None),
            s.table_round.c.ended_at.is_(None),
            s.table_round.c.at_zero == AtZero.CLOSE.value,
            s.table_round.c.ends_at <= when,
        )
        .values(ended_at=s.table_round.c.ends_at, ended_by=ClosedBy.CLOCK.value)
    ).rowcount


def _tables_of(c: Connection, meeting_id: int) -> list[ThemedTable]:
    rows = fetch(
        c, s.themed_table, s.themed_table.c.meeting_id == meeting_id,
        order=(s.themed_table.c.position, s.themed_table.c.id),
    )  # fmt: skip
    return [record(ThemedTable, row) for row in rows]


def _table_holds_data(c: Connection, table_id: int) -> bool:
    """Whether a table has a note (withdrawn ones too) or a seat in a round that started."""
    if c.execute(
        select(s.table_note.c.id).where(s.table_note.c.table_id == table_id).limit(1)
    ).first():
        return True
    seat = (
        select(s.table_assignment.c.round_id)
        .join(s.table_round, s.table_round.c.id == s.table_assignment.c.round_id)
        .where(s.table_assignment.c.table_id == table_id, s.table_round.c.started_at.is_not(None))
        .limit(1)
    )
    return c.execute(seat).first() is not None


def _note_change(
    c: Connection,
    meeting_id: int,
    kind: str,
    *,
    table_id: int | None = None,
    round_id: int | None = None,
    label: str = "",
) -> None:
    c.execute(
        insert(s.table_change).values(
            meeting_id=meeting_id, kind=kind, table_id=table_id, round_id=round_id,
            label=label[:300], created_at=now(),
        )
    )  # fmt: skip
