"""Dot-voting: rounds, their moves, every dot placed or taken back, tallies.

A part of :class:`~facilitation.store.Store`: every method is one transaction
(or part of the caller's, inside :meth:`~facilitation.store.Store.atomic`)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    select,
    true,
    update,
)

from .. import clock, limits, voting
from .._exceptions import (
    InvalidInput,
    NotInMeeting,
    PreparedHoldsData,
    RecordNotFound,
    RoundNotDraft,
    TimeIsUp,
    word,
)
from ..i18n import N_, translate
from ..models import (
    AtZero,
    ClosedBy,
    DotAction,
    DotEvent,
    PreparedAction,
    PreparedKind,
    Screen,
    Visibility,
    VoteRound,
    VoteState,
)
from . import _schema as s
from ._base import TITLE, StoreBase, enum_field, live_state, lock_meeting, positive, put_live
from ._prepared import note_event, rests_a_finding
from ._records import bounded, fetch, fetch_one, now, record, text_field

__all__ = ["VotingStore"]

_KEEP = object()  # update_round: leave the setting as it is

_ROUND_FIELDS = (
    "title", "topic_ids", "dots_per_person", "max_per_topic", "visibility", "state",
    "timer_seconds", "parent_round_id", "created_at",
)  # fmt: skip


class VotingStore(StoreBase):
    """Dot-voting: rounds, their moves, every dot placed or taken back, tallies."""

    # --- dot-voting --------------------------------------------------------------------------

    def create_round(
        self,
        meeting_id: int,
        topic_ids: Sequence[int],
        *,
        title: str = "",
        dots_per_person: int | None = None,
        max_per_topic: int | None = None,
        visibility: Visibility | str = Visibility.SECRET,
        timer_seconds: int | None = None,
        parent_round_id: int | None = None,
        at_zero: AtZero | str = AtZero.CLOSE,
    ) -> VoteRound:
        """Prepare a vote round over ``topic_ids`` (state: draft).

        Dots per person default to a third of the topics (at least 1, at most
        :data:`facilitation.voting.DOTS_CAP`); the cap per topic to at most 3.
        ``at_zero``: whether the round closes by itself when its countdown reaches
        0:00 (the default) or the pages only say that the time is up.
        """
        topic_ids = bounded(topic_ids, N_("Topics"), limit=limits.IDS)
        settings = {
            "title": title, "dots_per_person": dots_per_person, "max_per_topic": max_per_topic,
            "visibility": visibility, "timer_seconds": timer_seconds, "at_zero": at_zero,
        }  # fmt: skip
        _round_settings(len(dict.fromkeys(topic_ids)), **settings)  # checked before writing
        with self._write() as c:
            if parent_round_id is not None:
                fetch_one(c, s.vote_round, parent_round_id)
            return self._insert_round(c, meeting_id, topic_ids, parent_round_id, settings)

    def further_round(
        self,
        round_id: int,
        leading: int,
        *,
        title: str = "",
        dots_per_person: int | None = None,
        max_per_topic: int | None = None,
        visibility: Visibility | str = Visibility.SECRET,
        timer_seconds: int | None = None,
        at_zero: AtZero | str = AtZero.CLOSE,
    ) -> VoteRound:
        """Prepare a further round over the ``leading`` topics of a round (ties included).

        Only from a final result the room has seen (see :func:`facilitation.voting.check_final`):
        a secret round revealed, a live round closed or revealed; otherwise
        :class:`~facilitation.ResultNotFinal`. Checked, counted and written in one
        transaction, with the round locked (on PostgreSQL) so it cannot be reopened meanwhile.
        """
        settings = {
            "title": title, "dots_per_person": dots_per_person, "max_per_topic": max_per_topic,
            "visibility": visibility, "timer_seconds": timer_seconds, "at_zero": at_zero,
        }  # fmt: skip
        with self._write() as c:
            earlier = self._round(c, round_id, share=True)
            voting.check_final(earlier)
            events = [record(DotEvent, row) for row in
                      fetch(c, s.dot_event, s.dot_event.c.round_id == round_id)]  # fmt: skip
            counted = voting.tally(events, earlier.topic_ids)
            topics = voting.leaders(voting.ranking(counted, earlier.topic_ids), leading)
            return self._insert_round(c, earlier.meeting_id, topics, round_id, settings)

    def _insert_round(
        self,
        c: Connection,
        meeting_id: int,
        topic_ids: Sequence[int],
        parent_round_id: int | None,
        settings: dict[str, Any],
    ) -> VoteRound:
        """A new round in preparation, inside the caller's transaction (see create_round)."""
        topics = list(dict.fromkeys(topic_ids))
        title, dots, cap, visibility, timer_seconds, at_zero = _round_settings(
            len(topics), **settings
        )
        lock_meeting(c, meeting_id)  # the next number
        self._check_topics(c, meeting_id, topics)
        if not title.strip():  # numbered by the rounds that exist
            titles = c.execute(
                select(s.vote_round.c.title).where(s.vote_round.c.meeting_id == meeting_id)
            ).scalars()
            title = voting.next_title(translate(voting.DEFAULT_TITLE), titles)
        new_id = c.execute(
            insert(s.vote_round).values(
                meeting_id=meeting_id, title=text_field(title, TITLE, limit=limits.TITLE),
                dots_per_person=dots, max_per_topic=cap, visibility=visibility.value,
                state=VoteState.DRAFT.value, parent_round_id=parent_round_id,
                timer_seconds=timer_seconds, at_zero=at_zero.value, created_at=now(),
            )
        ).inserted_primary_key[0]  # fmt: skip
        c.execute(
            insert(s.round_topic),
            [
                {"round_id": new_id, "topic_id": topic_id, "position": i}
                for i, topic_id in enumerate(topics)
            ],
        )
        return self._round(c, new_id)

    def update_round(
        self,
        round_id: int,
        *,
        title: str | None = None,
        topic_ids: Sequence[int] | None = None,
        dots_per_person: int | None = None,
        max_per_topic: int | None = None,
        visibility: Visibility | str | None = None,
        timer_seconds: int | object | None = _KEEP,
        at_zero: AtZero | str | None = None,
    ) -> VoteRound:
        """Change a round: its title at any time, its topics and other settings while it is
        a draft (else :class:`~facilitation.RoundNotDraft`). ``None`` keeps a setting
        (``timer_seconds=None`` clears the timer). What it was is kept as an event."""
        with self._write() as c:
            current = self._round(c, round_id, lock=True)
            topics = current.topic_ids if topic_ids is None else tuple(dict.fromkeys(topic_ids))
            seen_now = current.visibility
            if visibility is not None:
                seen_now = enum_field(Visibility, visibility, N_("Visibility"))
            zero_now = current.at_zero
            if at_zero is not None:
                zero_now = enum_field(AtZero, at_zero, N_("At 0:00"))
            settings_changed = (
                topics != current.topic_ids
                or dots_per_person not in (None, current.dots_per_person)
                or max_per_topic not in (None, current.max_per_topic)
                or seen_now is not current.visibility
                or zero_now is not current.at_zero
                or (timer_seconds is not _KEEP and timer_seconds != current.timer_seconds)
            )
            if settings_changed and current.state is not VoteState.DRAFT:
                raise RoundNotDraft(title=current.title)
            new_title, dots, cap, seen, timer, zero = _round_settings(
                len(topics),
                title=current.title if title is None else title,
                dots_per_person=current.dots_per_person if dots_per_person is None
                else dots_per_person,
                max_per_topic=current.max_per_topic if max_per_topic is None else max_per_topic,
                visibility=seen_now,
                timer_seconds=current.timer_seconds if timer_seconds is _KEEP else timer_seconds,
                at_zero=zero_now,
            )  # fmt: skip
            new_title = text_field(new_title, TITLE, limit=limits.TITLE)
            changes = {
                "title": new_title, "dots_per_person": dots, "max_per_topic": cap,
                "visibility": seen, "timer_seconds": timer, "at_zero": zero,
            }  # fmt: skip
            before: dict[str, Any] = {
                k: getattr(current, k) for k, v in changes.items() if getattr(current, k) != v
            }
            if tuple(topics) != current.topic_ids:
                self._check_topics(c, current.meeting_id, topics)
                before["topic_ids"] = current.topic_ids
                c.execute(delete(s.round_topic).where(s.round_topic.c.round_id == round_id))
                c.execute(
                    insert(s.round_topic),
                    [{"round_id": round_id, "topic_id": t, "position": i}
                     for i, t in enumerate(topics)],
                )  # fmt: skip
            if before:
                changes["visibility"] = seen.value
                changes["at_zero"] = zero.value
                c.execute(
                    update(s.vote_round).where(s.vote_round.c.id == round_id).values(**changes)
                )
                note_event(
                    c, PreparedKind.VOTE_ROUND, round_id, PreparedAction.EDITED,
                    meeting_id=current.meeting_id, title=current.title, before=before,
                )  # fmt: skip
            return self._round(c, round_id)

    def delete_round(self, round_id: int) -> None:
        """Delete a round that holds no dots (and from which no further round was made, on
        which no finding rests); else :class:`~facilitation.PreparedHoldsData` (rename or
        hide it instead). If the pages show it, they show the waiting screen. The round
        as it was is kept as an event."""
        with self._write() as c:
            current = self._round(c, round_id, lock=True)
            dots = c.execute(
                select(func.count()).where(s.dot_event.c.round_id == round_id)
            ).scalar_one()
            further = c.execute(
                select(func.count()).where(s.vote_round.c.parent_round_id == round_id)
            ).scalar_one()
            actions = c.execute(
                select(func.count()).where(
                    s.action_item.c.origin == "vote", s.action_item.c.origin_id == round_id
                )
            ).scalar_one()
            what = (
                N_("dots") if dots else N_("a further round") if further
                else N_("actions") if actions
                else N_("a finding's source") if rests_a_finding(c, "vote_round", round_id)
                else None
            )  # fmt: skip
            if what is not None:
                raise PreparedHoldsData(title=current.title, what=word(what))
            live = live_state(c, current.meeting_id)
            if live.subject_id == round_id and live.screen in (Screen.VOTE, Screen.RESULTS):
                put_live(c, current.meeting_id, screen=Screen.WAITING.value, subject_id=None)
            c.execute(delete(s.vote_round).where(s.vote_round.c.id == round_id))
            note_event(
                c, PreparedKind.VOTE_ROUND, round_id, PreparedAction.DELETED,
                meeting_id=current.meeting_id, title=current.title,
                before={k: getattr(current, k) for k in _ROUND_FIELDS},
            )  # fmt: skip

    @staticmethod
    def _check_topics(c: Connection, meeting_id: int, topic_ids: Sequence[int]) -> None:
        for topic_id in topic_ids:
            if fetch_one(c, s.topic, topic_id).meeting_id != meeting_id:
                raise InvalidInput(
                    field=word(N_("Topics")),
                    problem=word(N_("topic {id} belongs to another meeting"), id=topic_id),
                )

    def vote_round(self, round_id: int) -> VoteRound:
        with self._read() as c:
            return self._round(c, round_id)

    def vote_rounds(self, meeting_id: int | None = None) -> list[VoteRound]:
        with self._read() as c:
            where = [] if meeting_id is None else [s.vote_round.c.meeting_id == meeting_id]
            return [self._round(c, row.id) for row in fetch(c, s.vote_round, *where)]

    @staticmethod
    def _round(
        c: Connection, round_id: int, *, lock: bool = False, share: bool = False
    ) -> VoteRound:
        row = fetch_one(c, s.vote_round, round_id, lock=lock, share=share)
        topics = tuple(
            c.execute(
                select(s.round_topic.c.topic_id)
                .where(s.round_topic.c.round_id == round_id)
                .order_by(s.round_topic.c.position)
            ).scalars()
        )
        return clock.vote_round_as_of(record(VoteRound, row, topic_ids=topics), now())

    def open_round(self, round_id: int) -> VoteRound:
        """Open a round for dots (from draft, or again after closing)."""
        return self._move_round(round_id, VoteState.OPEN, "opened_at")

    def close_round(self, round_id: int) -> VoteRound:
        """Close a round: no more dots are placed or taken back."""
        return self._move_round(round_id, VoteState.CLOSED, "closed_at")

    def reveal_round(self, round_id: int) -> VoteRound:
        """Reveal a closed round's result."""
        return self._move_round(round_id, VoteState.REVEALED, "revealed_at")

    def _move_round(self, round_id: int, state: VoteState, stamp: str) -> VoteRound:
        with self._write() as c:
            current = self._round(c, round_id, lock=True)
            if current.closed_by is ClosedBy.CLOCK and current.state is VoteState.CLOSED:
                close_due_rounds(c, now(), round_id)  # the clock closed it: written now, once
                if state is VoteState.CLOSED:
                    return self._round(c, round_id)  # closing it by hand as well: as it is
            voting.check_transition(current, state)
            values: dict[str, Any] = {"state": state.value, stamp: now()}
            if state is VoteState.OPEN:  # opened (again): no deadline until a timer starts
                values.update(ends_at=None, closed_by=None)
            elif state is VoteState.CLOSED:
                values["closed_by"] = ClosedBy.FACILITATOR.value
            c.execute(update(s.vote_round).where(s.vote_round.c.id == round_id).values(values))
            return self._round(c, round_id)

    def _set_round_deadline(self, round_id: int, ends_at: dt.datetime | None) -> VoteRound:
        """The deadline of an open round's countdown (see :meth:`Store.open_round`)."""
        with self._write() as c:
            c.execute(
                update(s.vote_round).where(s.vote_round.c.id == round_id).values(ends_at=ends_at)
            )
            return self._round(c, round_id)

    def place_dot(self, round_id: int, participant_id: int, topic_id: int) -> DotEvent:
        """Place one of a participant's dots on a topic.

        Checked in the same transaction that writes it: the round is open, the
        participant is registered for its meeting, has a dot left, and stays
        within the cap per topic. Raises a :class:`facilitation.VotingError`
        subclass otherwise.
        """
        return self._dot(round_id, participant_id, topic_id, DotAction.PLACE)

    def take_back_dot(self, round_id: int, participant_id: int, topic_id: int) -> DotEvent:
        """Take back one of the participant's own dots from a topic while the round is open."""
        return self._dot(round_id, participant_id, topic_id, DotAction.TAKE_BACK)

    def _dot(
        self, round_id: int, participant_id: int, topic_id: int, action: DotAction
    ) -> DotEvent:
        ids = {"round_id": round_id, "participant_id": participant_id, "topic_id": topic_id}
        postgres = self.dialect == "postgresql"
        with self._write() as c:
            # On PostgreSQL the person's row is locked (two tabs of one person take
            # turns) and the round's row shared (closing waits for dots in flight).
            # SQLite's BEGIN IMMEDIATE already lets one writer in at a time.
            if postgres and c.execute(_PERSON_LOCKED, ids).first() is None:
                raise RecordNotFound(kind=word(N_("participant")), id=participant_id)
            # Everything the rules need, in one statement (the write lock is held meanwhile).
            row = c.execute(_DOT_STATE_SHARED if postgres else _DOT_STATE, ids).first()
            if row is None:
                self._missing_for_dot(c, round_id, participant_id)
            if not row.registered:
                raise NotInMeeting(name=row.name)
            stamp = now()
            due = row.state == VoteState.OPEN.value and clock.is_due(
                AtZero(row.at_zero), row.ends_at, stamp
            )
            time_is_up = due or (
                row.state == VoteState.CLOSED.value and row.closed_by == ClosedBy.CLOCK.value
            )
            if not time_is_up:
                voting.check_dot(
                    action, VoteState(row.state), row.dots_per_person, row.max_per_topic,
                    in_round=bool(row.in_round), held=int(row.held), on_topic=int(row.on_topic),
                )  # fmt: skip
                values = {**ids, "action": action.value, "at": stamp}
                new_id = c.execute(_INSERT_DOT, values).inserted_primary_key[0]
        if time_is_up:  # the deadline passed: the dot is refused, the close written (once)
            if due:
                self._close_due_round(round_id)
            raise TimeIsUp()
        return DotEvent(id=new_id, **{**values, "action": action})

    def _close_due_round(self, round_id: int) -> None:
        """Write the close of a round whose clock has closed it (if nobody has yet)."""
        with self._write() as c:
            close_due_rounds(c, now(), round_id)

    @staticmethod
    def _missing_for_dot(c: Connection, round_id: int, participant_id: int) -> None:
        """Raise which of the participant and the round of a dot does not exist."""
        fetch_one(c, s.participant, participant_id)
        fetch_one(c, s.vote_round, round_id)

    @staticmethod
    def _held(c: Connection, round_id: int, participant_id: int) -> Counter[int]:
        rows = c.execute(_HELD, {"round_id": round_id, "participant_id": participant_id})
        return +Counter({topic: int(n) for topic, n in rows})

    def my_dots(self, round_id: int, participant_id: int) -> dict[int, int]:
        """The dots a participant holds now, per topic (only her own)."""
        with self._read() as c:
            return dict(self._held(c, round_id, participant_id))

    def dot_events(self, round_id: int | None = None) -> list[DotEvent]:
        """Every dot placed or taken back, in the order it happened."""
        with self._read() as c:
            where = [] if round_id is None else [s.dot_event.c.round_id == round_id]
            return [record(DotEvent, row) for row in fetch(c, s.dot_event, *where)]

    def tally(self, round_id: int, *, at: dt.datetime | None = None) -> dict[int, int]:
        """Dots per topic of a round, every topic included; at a moment if ``at`` is given."""
        vote_round = self.vote_round(round_id)
        return voting.tally(self.dot_events(round_id), vote_round.topic_ids, at=at)

    # --- the live workshop -------------------------------------------------------------------

    def dots_per_participant(self, round_id: int) -> dict[int, int]:
        """How many dots each participant holds now (for progress: never which topics)."""
        with self._read() as c:
            rows = c.execute(
                select(s.dot_event.c.participant_id, func.sum(_DELTA))
                .where(s.dot_event.c.round_id == round_id)
                .group_by(s.dot_event.c.participant_id)
            )
            return {participant: int(n) for participant, n in rows if n}


# Statements of the dot path, built once: it runs for every click of every person.
_DELTA = case((s.dot_event.c.action == DotAction.PLACE.value, 1), else_=-1)


_HELD = (
    select(s.dot_event.c.topic_id, func.sum(_DELTA))
    .where(
        s.dot_event.c.round_id == bindparam("round_id"),
        s.dot_event.c.participant_id == bindparam("participant_id"),
    )
    .group_by(s.dot_event.c.topic_id)
)


_MINE = (
    s.dot_event.c.round_id == bindparam("round_id"),
    s.dot_event.c.participant_id == bindparam("participant_id"),
)


# The person and the round of a click, whether she is registered for the round's meeting,
# whether the topic is in the round, the dots she holds in it and on the topic: one row,
# none if the person or the round does not exist.
_DOT_STATE = (
    select(
        s.participant.c.name,
        s.vote_round.c.state,
        s.vote_round.c.at_zero,
        s.vote_round.c.ends_at,
        s.vote_round.c.closed_by,
        s.vote_round.c.dots_per_person,
        s.vote_round.c.max_per_topic,
        exists()
        .where(
            s.meeting_participant.c.meeting_id == s.vote_round.c.meeting_id,
            s.meeting_participant.c.participant_id == s.participant.c.id,
        )
        .label("registered"),
        exists()
        .where(
            s.round_topic.c.round_id == s.vote_round.c.id,
            s.round_topic.c.topic_id == bindparam("topic_id"),
        )
        .label("in_round"),
        select(func.coalesce(func.sum(_DELTA), 0)).where(*_MINE).scalar_subquery().label("held"),
        select(func.coalesce(func.sum(_DELTA), 0))
        .where(*_MINE, s.dot_event.c.topic_id == bindparam("topic_id"))
        .scalar_subquery()
        .label("on_topic"),
    )
    .select_from(s.participant.join(s.vote_round, true()))
    .where(
        s.participant.c.id == bindparam("participant_id"),
        s.vote_round.c.id == bindparam("round_id"),
    )
)


_DOT_STATE_SHARED = _DOT_STATE.with_for_update(read=True, of=s.vote_round)


_PERSON_LOCKED = (
    select(s.participant.c.id)
    .where(s.participant.c.id == bindparam("participant_id"))
    .with_for_update()
)


_INSERT_DOT = insert(s.dot_event)


def _round_settings(
    n_topics: int,
    *,
    title: str,
    dots_per_person: int | None,
    max_per_topic: int | None,
    visibility: Visibility | str,
    timer_seconds: int | None,
    at_zero: AtZero | str = AtZero.CLOSE,
) -> tuple[str, int, int, Visibility, int | None, AtZero]:
    """A new round's settings for ``n_topics`` topics, checked, with their defaults."""
    if not n_topics:
        raise InvalidInput(
            field=word(N_("Topics")), problem=word(N_("choose at least one topic to vote on"))
        )
    dots = voting.default_dots_per_person(n_topics) if dots_per_person is None else dots_per_person
    positive(dots, N_("Dots per person"), allow_none=False)
    cap = voting.default_max_per_topic(dots) if max_per_topic is None else max_per_topic
    positive(cap, N_("Dots per topic"), allow_none=False)
    positive(timer_seconds, N_("Timer"))
    visibility = enum_field(Visibility, visibility, N_("Visibility"))
    return title, dots, cap, visibility, timer_seconds, enum_field(AtZero, at_zero, N_("At 0:00"))


def close_due_rounds(c: Connection, when: dt.datetime, round_id: int | None = None) -> int:
    """Write the close of every open round (or of ``round_id``) whose clock closes it and
    whose deadline has passed, at its deadline, by the clock, inside the caller's
    transaction; how many.

    Idempotent: a round closed already (by anyone) is not touched again.
    """
    which = [] if round_id is None else [s.vote_round.c.id == round_id]
    return c.execute(
        update(s.vote_round)
        .where(
            *which,
            s.vote_round.c.state == VoteState.OPEN.value,
            s.vote_round.c.at_zero == AtZero.CLOSE.value,
            s.vote_round.c.ends_at <= when,
        )
        .values(
            state=VoteState.CLOSED.value,
            closed_at=s.vote_round.c.ends_at,
            closed_by=ClosedBy.CLOCK.value,
        )
    ).rowcount
