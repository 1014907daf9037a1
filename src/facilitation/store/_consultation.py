"""Collegial consultation: phases, roles, entries, and the case giver's key
question, method and next steps.

A part of :class:`~facilitation.store.Store`: every method is one transaction
(or part of the caller's, inside :meth:`~facilitation.store.Store.atomic`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, select, update

from .. import consultation, limits
from .._exceptions import (
    InvalidInput,
    NoRole,
    NotInMeeting,
    PhaseNotReady,
    PreparedHoldsData,
    word,
)
from ..i18n import N_
from ..models import (
    ActionItem,
    ActionStatus,
    AtZero,
    Consultation,
    ConsultationEntry,
    ConsultationPhase,
    ConsultationRole,
    ConsultationVariant,
    EntryKind,
    Participant,
    PhaseChange,
    PreparedAction,
    PreparedKind,
    RoleAssignment,
    Screen,
)
from . import _schema as s
from ._base import TEXT, TITLE, StoreBase, enum_field, live_state, put_live, registered_for
from ._prepared import note_event, rests_a_finding
from ._records import bounded, fetch, fetch_one, now, put, record, text_field

__all__ = ["ConsultationStore"]


class ConsultationStore(StoreBase):
    """Collegial consultation: phases, roles, entries, and the case giver's key
    question, method and next steps.
    """

    # --- collegial consultation --------------------------------------------------------------

    def add_consultation(
        self,
        meeting_id: int,
        title: str,
        *,
        variant: ConsultationVariant | str = ConsultationVariant.STANDARD,
        key_question: str = "",
        method: str | None = None,
        confidential: bool = True,
        include_in_export: bool = False,
        phase_minutes: Mapping[ConsultationPhase | str, int] | None = None,
        municipality_id: int | None = None,
        at_zero: AtZero | str = AtZero.SIGNAL,
    ) -> Consultation:
        """Prepare a collegial consultation (kollegiale Beratung), starting with the casting.

        The minutes per phase default to the variant's (Tietze's for the
        standard). A Fliegende Werkstatt is the host town's case: without
        ``municipality_id`` it is the meeting's host municipality. ``at_zero``: when a
        phase's countdown reaches 0:00 the pages say that the time is up (the default),
        or the consultation moves on to the next phase by itself.
        """
        title = text_field(title, TITLE, limit=limits.TITLE)
        at_zero = enum_field(AtZero, at_zero, N_("At 0:00"))
        rules = consultation.variant(variant)
        minutes = {phase.value: value for phase, value in rules.phase_minutes.items()}
        minutes.update(_phase_minutes(phase_minutes or {}))
        key_question = text_field(
            key_question, N_("Key question"), limit=limits.KEY_QUESTION, required=False
        )
        chosen = consultation.method(method)
        with self._write() as c:
            meeting = fetch_one(c, s.meeting, meeting_id)
            if municipality_id is None and rules.consultants_from_elsewhere:
                municipality_id = meeting.host_municipality_id
            if municipality_id is not None:
                fetch_one(c, s.municipality, municipality_id)
            new_id = c.execute(
                insert(s.consultation).values(
                    meeting_id=meeting_id, title=title, variant=rules.key.value,
                    key_question=key_question, method=chosen.key if chosen else None,
                    phase=ConsultationPhase.CASTING.value, phase_started_at=None,
                    confidential=confidential, include_in_export=include_in_export,
                    municipality_id=municipality_id, at_zero=at_zero.value, created_at=now(),
                )
            ).inserted_primary_key[0]  # fmt: skip
            c.execute(
                insert(s.consultation_phase_plan),
                [
                    {"consultation_id": new_id, "phase": phase, "minutes": value}
                    for phase, value in minutes.items()
                ],
            )
            return self._consultation(c, new_id)

    def consultation(self, consultation_id: int) -> Consultation:
        with self._read() as c:
            return self._consultation(c, consultation_id)

    def consultations(self, meeting_id: int | None = None) -> list[Consultation]:
        with self._read() as c:
            where = [] if meeting_id is None else [s.consultation.c.meeting_id == meeting_id]
            return [self._consultation(c, row.id) for row in fetch(c, s.consultation, *where)]

    @staticmethod
    def _consultation(c: Connection, consultation_id: int, *, lock: bool = False) -> Consultation:
        row = fetch_one(c, s.consultation, consultation_id, lock=lock)
        plan = {
            phase: minutes
            for phase, minutes in c.execute(
                select(
                    s.consultation_phase_plan.c.phase, s.consultation_phase_plan.c.minutes
                ).where(s.consultation_phase_plan.c.consultation_id == consultation_id)
            )
        }
        return record(Consultation, row, phase_minutes=plan)

    def update_consultation(self, consultation_id: int, **changes: Any) -> Consultation:
        """Change the title, key question, method, variant, the case's town, confidentiality
        or the inclusion in exports (the facilitator's page does this at any time)."""
        allowed = {
            "title", "key_question", "method", "confidential", "include_in_export", "variant",
            "municipality_id", "at_zero",
        }  # fmt: skip
        unknown = set(changes) - allowed
        if unknown:
            raise TypeError(f"cannot change {', '.join(sorted(unknown))} of a consultation")
        if "title" in changes:
            changes["title"] = text_field(changes["title"], TITLE, limit=limits.TITLE)
        if "key_question" in changes:
            changes["key_question"] = text_field(
                changes["key_question"],
                N_("Key question"),
                limit=limits.KEY_QUESTION,
                required=False,
            )
        if "method" in changes:
            chosen = consultation.method(changes["method"])
            changes["method"] = chosen.key if chosen else None
        if "variant" in changes:
            changes["variant"] = consultation.variant(changes["variant"]).key.value
        if "at_zero" in changes:
            changes["at_zero"] = enum_field(AtZero, changes["at_zero"], N_("At 0:00")).value
        for flag in ("confidential", "include_in_export"):
            if flag in changes:
                changes[flag] = bool(changes[flag])
        with self._write() as c:
            row = fetch_one(c, s.consultation, consultation_id, lock=True)
            if changes.get("municipality_id") is not None:
                fetch_one(c, s.municipality, changes["municipality_id"])
            before = {k: getattr(row, k) for k, v in changes.items() if getattr(row, k) != v}
            if before:
                c.execute(
                    update(s.consultation)
                    .where(s.consultation.c.id == consultation_id)
                    .values(**changes)
                )
                note_event(
                    c, PreparedKind.CONSULTATION, consultation_id, PreparedAction.EDITED,
                    meeting_id=row.meeting_id, title=row.title, before=before,
                )  # fmt: skip
            return self._consultation(c, consultation_id)

    def delete_consultation(self, consultation_id: int) -> None:
        """Delete a consultation that never began: no phase was started, nobody wrote
        anything, no action or finding comes from it (else
        :class:`~facilitation.PreparedHoldsData`: rename or hide it). Its casting goes with
        it; if the pages show it, they show the waiting screen. Kept as an event."""
        with self._write() as c:
            current = self._consultation(c, consultation_id, lock=True)

            def count(table: Any, *where: Any) -> int:
                return c.execute(select(func.count()).select_from(table).where(*where)).scalar_one()

            what = (
                N_("entries") if count(s.consultation_entry,
                                       s.consultation_entry.c.consultation_id == consultation_id)
                else N_("a phase that was started")
                if count(s.consultation_phase_change,
                         s.consultation_phase_change.c.consultation_id == consultation_id)
                else N_("actions")
                if count(s.action_item, s.action_item.c.origin == "consultation",
                         s.action_item.c.origin_id == consultation_id)
                else N_("a finding's source")
                if rests_a_finding(c, "consultation", consultation_id)
                else None
            )  # fmt: skip
            if what is not None:
                raise PreparedHoldsData(title=current.title, what=word(what))
            roles = self._roles(c, consultation_id)
            live = live_state(c, current.meeting_id)
            if live.subject_id == consultation_id and live.screen is Screen.CONSULTATION:
                put_live(c, current.meeting_id, screen=Screen.WAITING.value, subject_id=None)
            c.execute(delete(s.consultation).where(s.consultation.c.id == consultation_id))
            note_event(
                c, PreparedKind.CONSULTATION, consultation_id, PreparedAction.DELETED,
                meeting_id=current.meeting_id, title=current.title,
                before={
                    "title": current.title, "variant": current.variant,
                    "key_question": current.key_question, "method": current.method,
                    "municipality_id": current.municipality_id,
                    "roles": {str(r.participant_id): r.role.value for r in roles},
                },
            )  # fmt: skip

    def set_phase_minutes(
        self, consultation_id: int, phase_minutes: Mapping[ConsultationPhase | str, int]
    ) -> Consultation:
        """Change the planned minutes of some phases (a running phase's clock follows)."""
        minutes = _phase_minutes(phase_minutes)
        with self._write() as c:
            fetch_one(c, s.consultation, consultation_id, lock=True)
            for phase, value in minutes.items():
                put(
                    c, s.consultation_phase_plan,
                    {"consultation_id": consultation_id, "phase": phase}, {"minutes": value},
                )  # fmt: skip
            return self._consultation(c, consultation_id)

    def set_phase(
        self,
        consultation_id: int,
        phase: ConsultationPhase | str,
        *,
        start_timer: bool = False,
    ) -> Consultation:
        """Move a consultation to ``phase`` (forward or back); its clock starts now.

        Refused with :class:`~facilitation.PhaseNotReady` while what the phase
        needs is missing (a case giver and a consultant from the case account
        on, the key question from the method choice on, the method from the
        consultation on). Every change is logged (:meth:`phase_changes`). With
        ``start_timer`` the meeting's countdown is set to the phase's minutes.
        """
        phase = enum_field(ConsultationPhase, phase, N_("Phase"))
        with self._write() as c:
            return self._move(c, consultation_id, lambda _current: phase, start_timer)

    def step_phase(
        self, consultation_id: int, steps: int = 1, *, start_timer: bool = True
    ) -> Consultation:
        """Move a consultation ``steps`` phases on (negative: back), counted from where it is
        when the change is written: two clicks from two pages move it twice, never past
        the end or before the casting."""

        def target(current: ConsultationPhase) -> ConsultationPhase | None:
            moved = current
            for _ in range(abs(steps)):
                neighbour = (
                    consultation.next_phase(moved)
                    if steps > 0
                    else consultation.previous_phase(moved)
                )
                moved = neighbour if neighbour is not None else moved
            return None if moved is current and steps else moved

        with self._write() as c:
            return self._move(c, consultation_id, target, start_timer)

    def _move(
        self,
        c: Connection,
        consultation_id: int,
        target: Callable[[ConsultationPhase], ConsultationPhase | None],
        start_timer: bool,
        at: dt.datetime | None = None,
    ) -> Consultation:
        current = self._consultation(c, consultation_id, lock=True)
        phase = target(current.phase)
        if phase is None:  # a step beyond either end: nothing happens
            return current
        consultation.check_move(current, self._roles(c, consultation_id), phase)
        stamp = at or now()
        c.execute(
            update(s.consultation)
            .where(s.consultation.c.id == consultation_id)
            .values(phase=phase.value, phase_started_at=stamp, phase_ends_at=None)
        )
        c.execute(
            insert(s.consultation_phase_change).values(
                consultation_id=consultation_id, phase=phase.value, at=stamp
            )
        )
        if start_timer:
            minutes = current.phase_minutes.get(phase.value, 0)
            ends = stamp + dt.timedelta(minutes=minutes) if minutes else None
            put_live(c, current.meeting_id, timer_ends_at=ends)
            c.execute(
                update(s.consultation)
                .where(s.consultation.c.id == consultation_id)
                .values(phase_ends_at=ends)
            )
        return self._consultation(c, consultation_id)

    def _close_due_phases(self, c: Connection, when: dt.datetime) -> int:
        """Move on every consultation whose phase's clock closes it and has passed its
        deadline: to the next phase, begun at the deadline (its clock not started), inside
        the caller's transaction; how many. Idempotent: a moved phase has no deadline.
        Where the next phase is not ready (see :meth:`set_phase`), the phase stays and
        its time is only signalled."""
        due = c.execute(
            select(s.consultation.c.id, s.consultation.c.phase_ends_at).where(
                s.consultation.c.at_zero == AtZero.CLOSE.value,
                s.consultation.c.phase_ends_at <= when,
            )
        ).all()
        for consultation_id, deadline in due:
            try:
                with c.begin_nested():
                    self._move(c, consultation_id, consultation.next_phase, False, at=deadline)
            except PhaseNotReady:
                pass
            c.execute(  # not moved (not ready, or the end): the time is up, and signalled
                update(s.consultation)
                .where(
                    s.consultation.c.id == consultation_id,
                    s.consultation.c.phase_ends_at <= when,
                )
                .values(phase_ends_at=None)
            )
        return len(due)

    def phase_changes(self, consultation_id: int | None = None) -> list[PhaseChange]:
        """When each phase began, in order (of one consultation, or of all)."""
        with self._read() as c:
            table = s.consultation_phase_change
            where = [] if consultation_id is None else [table.c.consultation_id == consultation_id]
            rows = fetch(c, table, *where, order=(table.c.at, table.c.id))
        return [record(PhaseChange, row) for row in rows]

    def set_role(
        self, consultation_id: int, participant_id: int, role: ConsultationRole | str | None
    ) -> None:
        """Give a participant a role in a consultation (``None`` removes it).

        The participant must be registered for the consultation's meeting; the
        variant's casting rules hold (see :func:`facilitation.consultation.check_role`).
        """
        self.set_roles(consultation_id, {participant_id: role}, replace=False)

    def set_roles(
        self,
        consultation_id: int,
        roles: Mapping[int, ConsultationRole | str | None],
        *,
        replace: bool = True,
    ) -> list[RoleAssignment]:
        """Cast several roles in one go (with ``replace``, everybody else loses hers)."""
        bounded(roles, N_("Roles"), limit=limits.IDS)
        wanted = {
            pid: None if role is None else enum_field(ConsultationRole, role, N_("Role"))
            for pid, role in roles.items()
        }
        with self._write() as c:
            current = self._consultation(c, consultation_id, lock=True)
            people = {pid: record(Participant, fetch_one(c, s.participant, pid)) for pid in wanted}
            cast = (
                []
                if replace
                else [r for r in self._roles(c, consultation_id) if r.participant_id not in wanted]
            )
            town = ""
            if current.municipality_id is not None:
                town = fetch_one(c, s.municipality, current.municipality_id).name
            for pid, role in wanted.items():
                if role is None:
                    continue
                person = people[pid]
                if not registered_for(c, current.meeting_id, pid):
                    raise NotInMeeting(name=person.name)
                names = self._names(c, [r.participant_id for r in cast])
                consultation.check_role(current, cast, person, role, names=names, town=town)
                cast.append(
                    RoleAssignment(consultation_id=consultation_id, participant_id=pid, role=role)
                )
            gone = s.consultation_role.c.consultation_id == consultation_id
            if not replace:
                gone = and_(gone, s.consultation_role.c.participant_id.in_(list(wanted)))
            c.execute(delete(s.consultation_role).where(gone))
            kept = {r.participant_id for r in self._roles(c, consultation_id)}
            new = [r for r in cast if r.participant_id not in kept]
            if new:
                c.execute(
                    insert(s.consultation_role),
                    [
                        {"consultation_id": consultation_id, "participant_id": r.participant_id,
                         "role": r.role.value}
                        for r in new
                    ],
                )  # fmt: skip
            return self._roles(c, consultation_id)

    @staticmethod
    def _names(c: Connection, participant_ids: Iterable[int]) -> dict[int, str]:
        ids = list(participant_ids)
        if not ids:
            return {}
        rows = c.execute(
            select(s.participant.c.id, s.participant.c.name).where(s.participant.c.id.in_(ids))
        )
        return {pid: name for pid, name in rows}

    def roles(self, consultation_id: int) -> list[RoleAssignment]:
        with self._read() as c:
            return self._roles(c, consultation_id)

    @staticmethod
    def _roles(c: Connection, consultation_id: int) -> list[RoleAssignment]:
        rows = c.execute(
            select(s.consultation_role)
            .where(s.consultation_role.c.consultation_id == consultation_id)
            .order_by(s.consultation_role.c.role, s.consultation_role.c.participant_id)
        )
        return [record(RoleAssignment, row) for row in rows]

    def my_consultations(
        self, meeting_id: int, participant_id: int
    ) -> dict[int, tuple[ConsultationRole, ConsultationPhase]]:
        """The consultations of a meeting in which a participant has a role: role and phase."""
        query = (
            select(s.consultation.c.id, s.consultation_role.c.role, s.consultation.c.phase)
            .join(s.consultation_role, s.consultation_role.c.consultation_id == s.consultation.c.id)
            .where(
                s.consultation.c.meeting_id == meeting_id,
                s.consultation_role.c.participant_id == participant_id,
            )
        )
        with self._read() as c:
            return {
                cid: (ConsultationRole(role), ConsultationPhase(phase))
                for cid, role, phase in c.execute(query)
            }

    def add_entry(
        self,
        consultation_id: int,
        text: str,
        *,
        kind: EntryKind | str = EntryKind.IDEA,
        participant_id: int | None = None,
        phase: ConsultationPhase | str | None = None,
    ) -> ConsultationEntry:
        """Add a question, idea, note or observation as the facilitator records it (in the
        current phase by default), or as loaded from data. A participant's own entries go
        through :meth:`submit_entry`, which checks her role and the phase."""
        text = text_field(text, TEXT, limit=limits.TEXT)
        kind = enum_field(EntryKind, kind, N_("Kind"))
        with self._write() as c:
            current = fetch_one(c, s.consultation, consultation_id)
            if participant_id is not None:
                fetch_one(c, s.participant, participant_id)
            phase_value = (
                enum_field(ConsultationPhase, phase, N_("Phase")).value if phase else current.phase
            )
            return self._insert_entry(c, consultation_id, participant_id, phase_value, kind, text)

    @staticmethod
    def _insert_entry(
        c: Connection,
        consultation_id: int,
        participant_id: int | None,
        phase: str,
        kind: EntryKind,
        text: str,
    ) -> ConsultationEntry:
        new_id = c.execute(
            insert(s.consultation_entry).values(
                consultation_id=consultation_id, participant_id=participant_id, phase=phase,
                kind=kind.value, text=text, taken=False, created_at=now(),
            )
        ).inserted_primary_key[0]  # fmt: skip
        return record(ConsultationEntry, fetch_one(c, s.consultation_entry, new_id))

    def submit_entry(
        self,
        consultation_id: int,
        participant_id: int,
        text: str,
        *,
        kind: EntryKind | str = EntryKind.IDEA,
    ) -> ConsultationEntry:
        """A participant adds a question, idea, note or observation from her page.

        Checked in the transaction that writes it: she is registered for the
        meeting, has a role in this consultation, and her role adds this kind
        of entry in the current phase (consultants: questions in the case
        account, ideas in the consultation; the case giver only listens then).
        Raises :class:`~facilitation.ConsultationError` otherwise.
        """
        text = text_field(text, TEXT, limit=limits.TEXT)
        kind = enum_field(EntryKind, kind, N_("Kind"))
        with self._write() as c:
            current, role = self._as_participant(c, consultation_id, participant_id)
            consultation.check_entry(current, role, kind)
            return self._insert_entry(
                c, consultation_id, participant_id, current.phase.value, kind, text
            )

    def _as_participant(
        self, c: Connection, consultation_id: int, participant_id: int, *, need_role: bool = True
    ) -> tuple[Consultation, ConsultationRole | None]:
        """The consultation (locked) and a participant's role in it, checked to be hers."""
        current = self._consultation(c, consultation_id, lock=True)
        person = fetch_one(c, s.participant, participant_id)
        if not registered_for(c, current.meeting_id, participant_id):
            raise NotInMeeting(name=person.name)
        role = consultation.role_of(self._roles(c, consultation_id), participant_id)
        if role is None and need_role and current.phase is not ConsultationPhase.DONE:
            raise NoRole(name=person.name)
        return current, role

    def _entry_locked(self, c: Connection, entry_id: int) -> tuple[Consultation, ConsultationEntry]:
        """An entry and its consultation, read after the consultation is locked.

        Every change of an entry (withdrawn, taken, left, made into a next step) locks
        its consultation first, so on PostgreSQL it never acts on an entry as it was
        before a change that another page has just committed.
        """
        consultation_id = fetch_one(c, s.consultation_entry, entry_id).consultation_id
        current = self._consultation(c, consultation_id, lock=True)
        entry = record(ConsultationEntry, fetch_one(c, s.consultation_entry, entry_id))
        return current, entry

    def entries(self, consultation_id: int, *, withdrawn: bool = False) -> list[ConsultationEntry]:
        """Every entry of a consultation, as the facilitator sees them (withdrawn ones only
        with ``withdrawn``). Participants read through :meth:`entries_for`."""
        where = [s.consultation_entry.c.consultation_id == consultation_id]
        if not withdrawn:
            where.append(s.consultation_entry.c.withdrawn_at.is_(None))
        with self._read() as c:
            rows = fetch(c, s.consultation_entry, *where)
        return [record(ConsultationEntry, row) for row in rows]

    def entries_for(self, consultation_id: int, participant_id: int) -> list[ConsultationEntry]:
        """The entries a participant may read on her page.

        The notes of a consultation are confidential to its meeting: someone
        not registered for that meeting is refused (:class:`~facilitation.NotInMeeting`).
        Questions and ideas are the group's; notes and observations their
        author's, the moderator's and the secretary's.
        """
        with self._read() as c:
            row = fetch_one(c, s.consultation, consultation_id)
            person = fetch_one(c, s.participant, participant_id)
            if not registered_for(c, row.meeting_id, participant_id):
                raise NotInMeeting(name=person.name)
            role = consultation.role_of(self._roles(c, consultation_id), participant_id)
            rows = fetch(
                c, s.consultation_entry, s.consultation_entry.c.consultation_id == consultation_id
            )
        entries = [record(ConsultationEntry, r) for r in rows]
        return [e for e in entries if consultation.visible_to(e, participant_id, role)]

    def withdraw_entry(
        self, entry_id: int, *, participant_id: int | None = None
    ) -> ConsultationEntry:
        """Withdraw an entry: its author while its phase lasts, or the facilitator at any time
        (to hide it from the screens). It is kept, marked withdrawn, out of every view; it
        is no longer taken, and the next steps made of it go as when it is left (see
        :meth:`mark_taken`)."""
        with self._write() as c:
            current, entry = self._entry_locked(c, entry_id)
            if participant_id is not None:
                self._as_participant(c, entry.consultation_id, participant_id, need_role=False)
            consultation.check_withdraw(current, entry, participant_id)
            if entry.withdrawn_at is None:
                c.execute(
                    update(s.consultation_entry)
                    .where(s.consultation_entry.c.id == entry_id)
                    .values(withdrawn_at=now(), taken=False)
                )
                _let_go_of_steps(c, entry_id)
            return record(ConsultationEntry, fetch_one(c, s.consultation_entry, entry_id))

    def mark_taken(
        self, entry_id: int, taken: bool = True, *, participant_id: int | None = None
    ) -> ConsultationEntry:
        """Mark an idea as taken (or not): the case giver does it in the closing, the
        facilitator (no ``participant_id``) at any time. Only what the consultation
        contributed can be taken (:func:`facilitation.consultation.takeable`).

        Leaving an idea (``taken=False``) lets go of the next steps made of it, in the
        same transaction (as :meth:`withdraw_entry` does): a step nobody has reported on
        is deleted, one with updates is marked dropped, a done one stays done."""
        with self._write() as c:
            current, entry = self._entry_locked(c, entry_id)
            if participant_id is not None:
                current, role = self._as_participant(c, entry.consultation_id, participant_id)
                consultation.check_take(current, role)
            self._take(c, current, entry, taken)
            return record(ConsultationEntry, fetch_one(c, s.consultation_entry, entry_id))

    @staticmethod
    def _take(c: Connection, current: Consultation, entry: ConsultationEntry, taken: bool) -> None:
        if taken:
            consultation.check_takeable(entry, current)
        c.execute(
            update(s.consultation_entry)
            .where(s.consultation_entry.c.id == entry.id)
            .values(taken=bool(taken))
        )
        if not taken:
            _let_go_of_steps(c, entry.id)

    def add_next_step(
        self,
        entry_id: int,
        title: str,
        *,
        participant_id: int | None = None,
        owner_id: int | None = None,
        due: dt.date | None = None,
        notes: str = "",
    ) -> ActionItem:
        """Turn an idea the case giver takes into a next step: an action item with an owner
        and a date (origin "consultation"), the idea marked as taken, in one transaction.

        ``participant_id`` is the case giver acting from her page (checked: her role,
        the closing); the owner defaults to her and must belong to the meeting.
        """
        title = text_field(title, TITLE, limit=limits.LONG_TITLE)
        notes = text_field(notes, N_("Notes"), limit=limits.TEXT, required=False)
        with self._write() as c:
            current, entry = self._entry_locked(c, entry_id)
            if participant_id is not None:
                current, role = self._as_participant(c, entry.consultation_id, participant_id)
                consultation.check_take(current, role)
                owner_id = participant_id if owner_id is None else owner_id
            if owner_id is not None:
                owner = fetch_one(c, s.participant, owner_id)
                if participant_id is not None and not registered_for(
                    c, current.meeting_id, owner_id
                ):
                    raise NotInMeeting(name=owner.name)
            self._take(c, current, entry, True)
            stamp = now()
            new_id = c.execute(
                insert(s.action_item).values(
                    title=title, meeting_id=current.meeting_id, owner_id=owner_id, due=due,
                    status=ActionStatus.OPEN.value, origin="consultation",
                    origin_id=current.id, entry_id=entry.id, notes=notes,
                    created_at=stamp, updated_at=stamp,
                )
            ).inserted_primary_key[0]  # fmt: skip
            return record(ActionItem, fetch_one(c, s.action_item, new_id))

    def next_steps(self, consultation_id: int) -> list[ActionItem]:
        """The action items agreed in a consultation, in the order they were made."""
        with self._read() as c:
            rows = fetch(
                c, s.action_item, s.action_item.c.origin == "consultation",
                s.action_item.c.origin_id == consultation_id,
            )  # fmt: skip
        return [record(ActionItem, row) for row in rows]

    def set_key_question(
        self, consultation_id: int, text: str, *, participant_id: int | None = None
    ) -> Consultation:
        """Write down the key question: the case giver or the moderator in the key question
        phase, the facilitator (no ``participant_id``) at any time."""
        text = text_field(text, N_("Key question"), limit=limits.KEY_QUESTION)
        with self._write() as c:
            if participant_id is not None:
                current, role = self._as_participant(c, consultation_id, participant_id)
                consultation.check_key_question(current, role)
            else:
                self._consultation(c, consultation_id, lock=True)
            c.execute(
                update(s.consultation)
                .where(s.consultation.c.id == consultation_id)
                .values(key_question=text)
            )
            return self._consultation(c, consultation_id)

    def choose_method(
        self, consultation_id: int, method: str, *, participant_id: int | None = None
    ) -> Consultation:
        """Choose the method: the case giver or the moderator in the method choice, the
        facilitator (no ``participant_id``) at any time."""
        chosen = consultation.method(method)
        if chosen is None:
            raise InvalidInput(
                field=word(N_("Method")),
                problem=word(
                    N_("choose one of: {allowed}"), allowed=", ".join(consultation.METHODS)
                ),
            )
        with self._write() as c:
            if participant_id is not None:
                current, role = self._as_participant(c, consultation_id, participant_id)
                consultation.check_method_choice(current, role)
            else:
                self._consultation(c, consultation_id, lock=True)
            c.execute(
                update(s.consultation)
                .where(s.consultation.c.id == consultation_id)
                .values(method=chosen.key)
            )
            return self._consultation(c, consultation_id)


def _phase_minutes(given: Mapping[ConsultationPhase | str, int]) -> dict[str, int]:
    """Minutes per phase, checked: known phases (not the end), whole minutes, none negative."""
    minutes = {}
    for phase, value in given.items():
        known = enum_field(ConsultationPhase, phase, N_("Phase"))
        if known is ConsultationPhase.DONE:
            raise InvalidInput(
                field=word(N_("Phase")), problem=word(N_("the end of a consultation has no time"))
            )
        if int(value) < 0:
            raise InvalidInput(field=word(N_("Minutes")), problem=word(N_("must not be negative")))
        minutes[known.value] = int(value)
    return minutes


def _let_go_of_steps(c: Connection, entry_id: int) -> None:
    """The next steps made of an entry that is no longer taken (left or withdrawn), inside
    the caller's transaction.

    A step nobody has reported on (no update) was made in the closing and goes with
    the idea: it is deleted. One with updates is part of the monitoring across
    meetings: it is kept, marked dropped, with an update saying so. A step already
    done or dropped stays as it is.
    """
    steps = fetch(c, s.action_item, s.action_item.c.entry_id == entry_id)
    if not steps:
        return
    reported = set(
        c.execute(
            select(s.action_update.c.action_id).where(
                s.action_update.c.action_id.in_([step.id for step in steps])
            )
        ).scalars()
    )
    stamp = now()
    for step in steps:
        if step.id not in reported:
            c.execute(delete(s.action_item).where(s.action_item.c.id == step.id))
        elif ActionStatus(step.status).is_open:
            c.execute(
                update(s.action_item)
                .where(s.action_item.c.id == step.id)
                .values(status=ActionStatus.DROPPED.value, updated_at=stamp)
            )
            c.execute(
                insert(s.action_update).values(
                    action_id=step.id, status=ActionStatus.DROPPED.value, note="", at=stamp
                )
            )
