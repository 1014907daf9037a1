"""What the series learned: findings, their sources, the participants' answers and dots.

A part of :class:`~facilitation.store.Store`: every method is one transaction
(or part of the caller's, inside :meth:`~facilitation.store.Store.atomic`).
The rules of the review (:mod:`facilitation.findings`) are checked in the
transaction that writes an answer or a dot: only a participant registered
for the meeting whose pages show the review, a finding that is up for
review, her dots within her allowance. Answers and dots are events: nothing
is overwritten, her latest answer counts.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from sqlalchemy import Connection, case, func, insert, select, update

from .. import findings as review_rules
from .. import limits
from .._exceptions import InvalidInput, NotInMeeting, RecordNotFound, word
from ..i18n import N_
from ..models import (
    AgreementEvent,
    DotAction,
    Finding,
    FindingKind,
    FindingSource,
    FindingStatus,
    PriorityDot,
    SourceKind,
    Stance,
)
from . import _schema as s
from ._base import TITLE, StoreBase, enum_field, live_state, registered_for
from ._records import bounded, fetch, fetch_one, now, record, text_field

__all__ = ["FindingStore"]

# Where the record a source points to lives (the network's source is a meeting).
_SOURCE_TABLES = {
    SourceKind.CHALLENGE: s.challenge,
    SourceKind.TOPIC: s.topic,
    SourceKind.VOTE_ROUND: s.vote_round,
    SourceKind.CONSULTATION: s.consultation,
    SourceKind.TABLE_NOTE: s.table_note,
    SourceKind.ACTION: s.action_item,
    SourceKind.NETWORK: s.meeting,
}
_DELTA = case((s.priority_dot.c.action == DotAction.PLACE.value, 1), else_=-1)
COMMENT = N_("Comment")


class FindingStore(StoreBase):
    """Findings and recommendations, their sources, answers and priority dots."""

    # --- findings ------------------------------------------------------------------

    def add_finding(
        self,
        title: str,
        *,
        kind: FindingKind | str = FindingKind.FINDING,
        text: str = "",
        addressee: str = "",
        theme: str = "",
    ) -> Finding:
        """Draft a finding or a recommendation (participants see it once it is in review)."""
        values = {
            "kind": enum_field(FindingKind, kind, N_("Kind")).value,
            "title": text_field(title, TITLE, limit=limits.LONG_TITLE),
            "text": text_field(text, N_("Text"), limit=limits.LONG_TEXT, required=False),
            "addressee": text_field(
                addressee, N_("Addressee"), limit=limits.ADDRESSEE, required=False
            ),
            "theme": text_field(theme, N_("Theme"), limit=limits.THEME, required=False),
            "status": FindingStatus.DRAFT.value,
        }
        stamp = now()
        with self._write() as c:
            last = c.execute(select(func.max(s.finding.c.position))).scalar()
            new_id = c.execute(
                insert(s.finding).values(
                    **values, position=(last or 0) + 1, created_at=stamp, updated_at=stamp
                )
            ).inserted_primary_key[0]
            return record(Finding, fetch_one(c, s.finding, new_id))

    def update_finding(self, finding_id: int, **changes: Any) -> Finding:
        """Change a finding's ``title``, ``text``, ``kind``, ``addressee``, ``theme``,
        ``status`` or ``position``. Answers already given stay (they are events)."""
        checks = {
            "title": lambda v: text_field(v, TITLE, limit=limits.LONG_TITLE),
            "text": lambda v: text_field(v, N_("Text"), limit=limits.LONG_TEXT, required=False),
            "addressee": lambda v: text_field(
                v, N_("Addressee"), limit=limits.ADDRESSEE, required=False
            ),
            "theme": lambda v: text_field(v, N_("Theme"), limit=limits.THEME, required=False),
            "kind": lambda v: enum_field(FindingKind, v, N_("Kind")).value,
            "status": lambda v: enum_field(FindingStatus, v, N_("Status")).value,
            "position": lambda v: int(v),
        }
        unknown = sorted(set(changes) - set(checks))
        if unknown:
            raise InvalidInput(
                field=", ".join(unknown), problem=word(N_("is not a field of a finding"))
            )
        values = {name: checks[name](value) for name, value in changes.items()}
        with self._write() as c:
            fetch_one(c, s.finding, finding_id, lock=True)
            if values:
                c.execute(
                    update(s.finding)
                    .where(s.finding.c.id == finding_id)
                    .values(**values, updated_at=now())
                )
            return record(Finding, fetch_one(c, s.finding, finding_id))

    def set_finding_status(
        self, finding_ids: list[int] | tuple[int, ...], status: FindingStatus | str
    ) -> list[Finding]:
        """Put several findings up for review (or conclude them) in one transaction."""
        status = enum_field(FindingStatus, status, N_("Status"))
        finding_ids = bounded(finding_ids, N_("Findings"), limit=limits.IDS)
        with self.atomic():
            return [self.update_finding(i, status=status) for i in finding_ids]

    def finding(self, finding_id: int) -> Finding:
        with self._read() as c:
            return record(Finding, fetch_one(c, s.finding, finding_id))

    def findings(self, status: FindingStatus | str | None = None) -> list[Finding]:
        """The findings in their order (``position``), optionally of one status."""
        where = []
        if status is not None:
            status = enum_field(FindingStatus, status, N_("Status"))
            where.append(s.finding.c.status == status.value)
        with self._read() as c:
            rows = fetch(c, s.finding, *where, order=(s.finding.c.position, s.finding.c.id))
            return [record(Finding, row) for row in rows]

    # --- sources ----------------------------------------------------------------------

    def add_source(
        self, finding_id: int, kind: SourceKind | str, ref_id: int, *, note: str = ""
    ) -> FindingSource:
        """Link a finding to a record it rests on (for the network: the meeting's id).

        Linking the same record again only changes the note.
        """
        kind = enum_field(SourceKind, kind, N_("Source"))
        note = text_field(note, N_("Note"), limit=limits.NOTE, required=False)
        table = _SOURCE_TABLES[kind]
        with self._write() as c:
            fetch_one(c, s.finding, finding_id, lock=True)
            if c.execute(select(table.c.id).where(table.c.id == ref_id)).first() is None:
                raise RecordNotFound(kind=word(_KIND_OF[kind]), id=ref_id)
            key = (
                s.finding_source.c.finding_id == finding_id,
                s.finding_source.c.kind == kind.value,
                s.finding_source.c.ref_id == ref_id,
            )
            row = c.execute(select(s.finding_source).where(*key)).first()
            if row is None:
                values = {"finding_id": finding_id, "kind": kind.value, "ref_id": ref_id}
                new_id = c.execute(
                    insert(s.finding_source).values(**values, note=note)
                ).inserted_primary_key[0]
            else:
                new_id = row.id
                c.execute(update(s.finding_source).where(*key).values(note=note))
            return record(FindingSource, fetch_one(c, s.finding_source, new_id))

    def remove_source(self, source_id: int) -> None:
        with self._write() as c:
            fetch_one(c, s.finding_source, source_id)
            c.execute(s.finding_source.delete().where(s.finding_source.c.id == source_id))

    def finding_sources(self, finding_id: int | None = None) -> list[FindingSource]:
        """The sources of one finding (or of all), in the order they were linked."""
        where = [] if finding_id is None else [s.finding_source.c.finding_id == finding_id]
        with self._read() as c:
            return [record(FindingSource, row) for row in fetch(c, s.finding_source, *where)]

    # --- the review: answers ---------------------------------------------------------------

    def answer(
        self,
        meeting_id: int,
        finding_id: int,
        participant_id: int,
        stance: Stance | str,
        comment: str = "",
    ) -> AgreementEvent:
        """A participant agrees, objects or only comments on a finding in review.

        Checked in the transaction that writes: the meeting's pages show the
        review, she is registered for it, the finding is up for review, a
        comment-only answer has a comment. Her new answer replaces her earlier
        one in the counts; the earlier one is kept.
        """
        stance = enum_field(Stance, stance, N_("Answer"))
        comment = text_field(comment, COMMENT, limit=limits.COMMENT, required=False)
        with self._write() as c:
            finding = self._review_checks(c, meeting_id, finding_id, participant_id)
            review_rules.check_answer(finding, live_state(c, meeting_id), stance, comment)
            values = {
                "finding_id": finding_id, "participant_id": participant_id,
                "meeting_id": meeting_id, "stance": stance.value, "comment": comment,
                "at": now(),
            }  # fmt: skip
            new_id = c.execute(insert(s.agreement_event).values(**values)).inserted_primary_key[0]
        return AgreementEvent(id=new_id, **{**values, "stance": stance})

    def _review_checks(
        self, c: Connection, meeting_id: int, finding_id: int, participant_id: int
    ) -> Finding:
        """Lock the person (her two tabs take turns), check she may answer; the finding."""
        query = select(s.participant).where(s.participant.c.id == participant_id)
        if c.dialect.name == "postgresql":
            query = query.with_for_update()
        person = c.execute(query).first()
        if person is None:
            raise RecordNotFound(kind=word(N_("participant")), id=participant_id)
        fetch_one(c, s.meeting, meeting_id)
        if not registered_for(c, meeting_id, participant_id):
            raise NotInMeeting(name=person.name)
        return record(Finding, fetch_one(c, s.finding, finding_id, share=True))

    def agreement_events(
        self, finding_id: int | None = None, *, participant_id: int | None = None
    ) -> list[AgreementEvent]:
        """Every answer given, in the order given (of one finding, of one person)."""
        where = []
        if finding_id is not None:
            where.append(s.agreement_event.c.finding_id == finding_id)
        if participant_id is not None:
            where.append(s.agreement_event.c.participant_id == participant_id)
        with self._read() as c:
            return [record(AgreementEvent, row) for row in fetch(c, s.agreement_event, *where)]

    def my_answers(self, participant_id: int) -> dict[int, AgreementEvent]:
        """A participant's current answer to each finding she answered (only her own)."""
        latest = review_rules.current_answers(self.agreement_events(participant_id=participant_id))
        return {finding_id: event for (finding_id, _), event in latest.items()}

    def agreement(self, *, at: dt.datetime | None = None) -> dict[int, review_rules.Agreement]:
        """The counts of every finding, by the latest answers (as they stood ``at``)."""
        with self._read() as c:
            ids = [row.id for row in c.execute(select(s.finding.c.id))]
            events = [record(AgreementEvent, row) for row in fetch(c, s.agreement_event)]
        return review_rules.agreement(events, ids, at=at)

    # --- the review: priority dots ---------------------------------------------------------

    def place_priority_dot(
        self, meeting_id: int, finding_id: int, participant_id: int
    ) -> PriorityDot:
        """Give one of her priority dots to a finding in review (within her allowance)."""
        return self._priority(meeting_id, finding_id, participant_id, DotAction.PLACE)

    def take_back_priority_dot(
        self, meeting_id: int, finding_id: int, participant_id: int
    ) -> PriorityDot:
        """Take back one of her own priority dots from a finding in review."""
        return self._priority(meeting_id, finding_id, participant_id, DotAction.TAKE_BACK)

    def _priority(
        self, meeting_id: int, finding_id: int, participant_id: int, action: DotAction
    ) -> PriorityDot:
        with self._write() as c:
            finding = self._review_checks(c, meeting_id, finding_id, participant_id)
            in_review = c.execute(
                select(func.count())
                .select_from(s.finding)
                .where(s.finding.c.status == FindingStatus.REVIEW.value)
            ).scalar_one()
            held = self._held_priority(c, participant_id)
            review_rules.check_priority_dot(
                finding, live_state(c, meeting_id), action, in_review=int(in_review),
                held=sum(held.values()), on_finding=held.get(finding_id, 0),
            )  # fmt: skip
            values = {
                "finding_id": finding_id, "participant_id": participant_id,
                "meeting_id": meeting_id, "action": action.value, "at": now(),
            }  # fmt: skip
            new_id = c.execute(insert(s.priority_dot).values(**values)).inserted_primary_key[0]
        return PriorityDot(id=new_id, **{**values, "action": action})

    @staticmethod
    def _held_priority(c: Connection, participant_id: int) -> Counter[int]:
        """Her dots now, per finding in review (dots on concluded findings are spent)."""
        rows = c.execute(
            select(s.priority_dot.c.finding_id, func.sum(_DELTA))
            .join(s.finding, s.finding.c.id == s.priority_dot.c.finding_id)
            .where(
                s.priority_dot.c.participant_id == participant_id,
                s.finding.c.status == FindingStatus.REVIEW.value,
            )
            .group_by(s.priority_dot.c.finding_id)
        )
        return +Counter({finding_id: int(n) for finding_id, n in rows})

    def my_priority_dots(self, participant_id: int) -> dict[int, int]:
        """The priority dots she holds now, per finding in review (only her own)."""
        with self._read() as c:
            return dict(self._held_priority(c, participant_id))

    def priority_dots(self, finding_id: int | None = None) -> list[PriorityDot]:
        """Every priority dot placed or taken back, in the order it happened."""
        where = [] if finding_id is None else [s.priority_dot.c.finding_id == finding_id]
        with self._read() as c:
            return [record(PriorityDot, row) for row in fetch(c, s.priority_dot, *where)]

    def priority_tally(self) -> dict[int, int]:
        """Priority dots per finding, every finding included."""
        with self._read() as c:
            ids = [row.id for row in c.execute(select(s.finding.c.id))]
            dots = [record(PriorityDot, row) for row in fetch(c, s.priority_dot)]
        return review_rules.priority_tally(dots, ids)


_KIND_OF = {
    SourceKind.CHALLENGE: N_("challenge"),
    SourceKind.TOPIC: N_("topic"),
    SourceKind.VOTE_ROUND: N_("vote round"),
    SourceKind.CONSULTATION: N_("consultation"),
    SourceKind.TABLE_NOTE: N_("table note"),
    SourceKind.ACTION: N_("action item"),
    SourceKind.NETWORK: N_("meeting"),
}
