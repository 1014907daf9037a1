"""Challenges (the intake) and the topics merged from them.

A part of :class:`~facilitation.store.Store`: every method is one transaction
(or part of the caller's, inside :meth:`~facilitation.store.Store.atomic`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from .. import limits
from .._exceptions import (
    IntakeClosed,
    InvalidInput,
    NotInMeeting,
    NotYourChallenge,
    PreparedHoldsData,
    TooManyItems,
    word,
)
from ..i18n import N_
from ..models import Challenge, PreparedAction, PreparedKind, Topic, VoteState
from . import _schema as s
from ._base import TITLE, StoreBase, registered_for
from ._prepared import note_event, rests_a_finding
from ._records import bounded, fetch, fetch_one, locking, now, record, text_field

__all__ = ["IntakeStore"]


class IntakeStore(StoreBase):
    """Challenges (the intake) and the topics merged from them."""

    # --- challenges and topics ---------------------------------------------------------------

    def add_challenge(
        self,
        meeting_id: int,
        title: str,
        *,
        description: str = "",
        participant_id: int | None = None,
        municipality_id: int | None = None,
        tags: Iterable[str] = (),
    ) -> Challenge:
        """Add a challenge (Herausforderung). Its municipality defaults to the participant's."""
        values = _challenge_values(title, description, tags)
        with self._write() as c:
            fetch_one(c, s.meeting, meeting_id)
            return self._insert_challenge(c, meeting_id, participant_id, municipality_id, values)

    def _insert_challenge(
        self,
        c: Connection,
        meeting_id: int,
        participant_id: int | None,
        municipality_id: int | None,
        values: dict[str, Any],
    ) -> Challenge:
        if participant_id is not None:
            person = fetch_one(c, s.participant, participant_id)
            if municipality_id is None:
                municipality_id = person.municipality_id
        if municipality_id is not None:
            fetch_one(c, s.municipality, municipality_id)
        new_id = c.execute(
            insert(s.challenge).values(
                meeting_id=meeting_id, title=values["title"],
                description=values["description"], participant_id=participant_id,
                municipality_id=municipality_id, created_at=now(),
            )
        ).inserted_primary_key[0]  # fmt: skip
        for tag in values["tags"]:
            c.execute(insert(s.challenge_tag).values(challenge_id=new_id, tag=tag))
        return self._challenges(c, s.challenge.c.id == new_id)[0]

    def submit_challenge(
        self,
        meeting_id: int,
        participant_id: int,
        title: str,
        *,
        description: str = "",
        tags: Iterable[str] = (),
    ) -> Challenge:
        """A participant submits a challenge: only while the meeting's intake is open.

        Checked in the transaction that writes it, with the meeting's live state locked
        (on PostgreSQL) until then: no challenge lands after "close the intake".
        """
        values = _challenge_values(title, description, tags)
        with self._write() as c:
            self._check_intake(c, meeting_id, participant_id)
            return self._insert_challenge(c, meeting_id, participant_id, None, values)

    @staticmethod
    def _check_intake(c: Connection, meeting_id: int, participant_id: int) -> None:
        """The intake of the meeting is open (its live state locked until the transaction
        ends) and the participant is registered for it."""
        query = select(s.meeting_live.c.intake_open).where(
            s.meeting_live.c.meeting_id == meeting_id
        )
        if not c.execute(locking(c, query, share=True)).scalar():
            raise IntakeClosed()
        person = fetch_one(c, s.participant, participant_id)
        if not registered_for(c, meeting_id, participant_id):
            raise NotInMeeting(name=person.name)

    def _own_challenge(self, c: Connection, challenge_id: int, participant_id: int) -> Any:
        row = fetch_one(c, s.challenge, challenge_id, lock=True)
        if row.participant_id != participant_id or row.withdrawn_at is not None:
            raise NotYourChallenge()
        self._check_intake(c, row.meeting_id, participant_id)
        return row

    def edit_challenge(
        self,
        challenge_id: int,
        participant_id: int,
        title: str,
        *,
        description: str = "",
        tags: Iterable[str] | None = None,
    ) -> Challenge:
        """A participant corrects her own challenge while the intake is open (else
        :class:`~facilitation.IntakeClosed`; another's: :class:`~facilitation.NotYourChallenge`).
        What it said before is kept as an event. ``tags`` None keeps the tags."""
        values = _challenge_values(title, description, tags or ())
        with self._write() as c:
            row = self._own_challenge(c, challenge_id, participant_id)
            old = self._challenges(c, s.challenge.c.id == challenge_id)[0]
            before: dict[str, Any] = {
                k: getattr(old, k) for k in ("title", "description") if getattr(old, k) != values[k]
            }
            if tags is not None and tuple(sorted(values["tags"])) != old.tags:
                before["tags"] = old.tags
                c.execute(
                    delete(s.challenge_tag).where(s.challenge_tag.c.challenge_id == challenge_id)
                )
                for tag in values["tags"]:
                    c.execute(insert(s.challenge_tag).values(challenge_id=challenge_id, tag=tag))
            if before:
                c.execute(
                    update(s.challenge)
                    .where(s.challenge.c.id == challenge_id)
                    .values(title=values["title"], description=values["description"])
                )
                note_event(
                    c, PreparedKind.CHALLENGE, challenge_id, PreparedAction.EDITED,
                    meeting_id=row.meeting_id, title=row.title, before=before,
                    participant_id=participant_id,
                )  # fmt: skip
            return self._challenges(c, s.challenge.c.id == challenge_id)[0]

    def withdraw_challenge(self, challenge_id: int, participant_id: int) -> None:
        """A participant withdraws her own challenge while the intake is open: it leaves the
        wall, the topics and the exports, and is kept, marked withdrawn, with an event."""
        with self._write() as c:
            row = self._own_challenge(c, challenge_id, participant_id)
            stamp = now()
            c.execute(
                update(s.challenge)
                .where(s.challenge.c.id == challenge_id)
                .values(withdrawn_at=stamp)
            )
            c.execute(
                delete(s.topic_challenge).where(s.topic_challenge.c.challenge_id == challenge_id)
            )
            note_event(
                c, PreparedKind.CHALLENGE, challenge_id, PreparedAction.WITHDRAWN,
                meeting_id=row.meeting_id, title=row.title, participant_id=participant_id,
            )  # fmt: skip

    def challenges(
        self, meeting_id: int | None = None, *, withdrawn: bool = False
    ) -> list[Challenge]:
        """Challenges in the order they came in (of one meeting, or all); those their
        authors withdrew only with ``withdrawn``."""
        with self._read() as c:
            where = [] if meeting_id is None else [s.challenge.c.meeting_id == meeting_id]
            if not withdrawn:
                where.append(s.challenge.c.withdrawn_at.is_(None))
            return self._challenges(c, *where)

    @staticmethod
    def _challenges(c: Connection, *where: Any) -> list[Challenge]:
        rows = fetch(c, s.challenge, *where)
        ids = [row.id for row in rows]
        tags: dict[int, list[str]] = {}
        if ids:
            for challenge_id, tag in c.execute(
                select(s.challenge_tag.c.challenge_id, s.challenge_tag.c.tag)
                .where(s.challenge_tag.c.challenge_id.in_(ids))
                .order_by(s.challenge_tag.c.tag)
            ):
                tags.setdefault(challenge_id, []).append(tag)
        return [record(Challenge, row, tags=tuple(tags.get(row.id, ()))) for row in rows]

    def add_topic(
        self,
        meeting_id: int,
        title: str,
        *,
        description: str = "",
        challenge_ids: Iterable[int] = (),
    ) -> Topic:
        """Add a topic (Thema), merged from ``challenge_ids`` of the same meeting."""
        title = text_field(title, TITLE, limit=limits.TITLE)
        description = text_field(description, N_("Description"), limit=limits.TEXT, required=False)
        origins = list(dict.fromkeys(bounded(challenge_ids, N_("Challenges"), limit=limits.IDS)))
        with self._write() as c:
            fetch_one(c, s.meeting, meeting_id)
            for challenge_id in origins:
                origin = fetch_one(c, s.challenge, challenge_id)
                if origin.meeting_id != meeting_id:
                    raise InvalidInput(
                        field=word(N_("Challenges")),
                        problem=word(
                            N_("challenge {id} belongs to another meeting"), id=challenge_id
                        ),
                    )
                if origin.withdrawn_at is not None:
                    raise InvalidInput(
                        field=word(N_("Challenges")),
                        problem=word(
                            N_("“{title}” was withdrawn by its author"), title=origin.title
                        ),
                    )
            new_id = c.execute(
                insert(s.topic).values(
                    meeting_id=meeting_id, title=title, description=description, created_at=now()
                )
            ).inserted_primary_key[0]
            for challenge_id in origins:
                c.execute(
                    insert(s.topic_challenge).values(topic_id=new_id, challenge_id=challenge_id)
                )
            return self._topics(c, s.topic.c.id == new_id)[0]

    def topics(self, meeting_id: int | None = None) -> list[Topic]:
        with self._read() as c:
            where = [] if meeting_id is None else [s.topic.c.meeting_id == meeting_id]
            return self._topics(c, *where)

    def topic(self, topic_id: int) -> Topic:
        with self._read() as c:
            fetch_one(c, s.topic, topic_id)
            return self._topics(c, s.topic.c.id == topic_id)[0]

    def update_topic(
        self, topic_id: int, *, title: str | None = None, description: str | None = None
    ) -> Topic:
        """Rename a topic or change its description (at any time: dots stay where they are).
        What it was is kept as an event."""
        changes: dict[str, Any] = {}
        if title is not None:
            changes["title"] = text_field(title, TITLE, limit=300)
        if description is not None:
            changes["description"] = text_field(
                description, N_("Description"), limit=5000, required=False
            )
        with self._write() as c:
            row = fetch_one(c, s.topic, topic_id, lock=True)
            before = {k: getattr(row, k) for k, v in changes.items() if getattr(row, k) != v}
            if before:
                c.execute(update(s.topic).where(s.topic.c.id == topic_id).values(**changes))
                note_event(
                    c, PreparedKind.TOPIC, topic_id, PreparedAction.EDITED,
                    meeting_id=row.meeting_id, title=row.title, before=before,
                )  # fmt: skip
            return self._topics(c, s.topic.c.id == topic_id)[0]

    def split_topic(self, topic_id: int, challenge_ids: Iterable[int] | None = None) -> Topic:
        """Take challenges out of a topic again (all of them if ``challenge_ids`` is None):
        they can be merged anew. The topic stays (with its dots); kept as an event."""
        with self._write() as c:
            row = fetch_one(c, s.topic, topic_id, lock=True)
            linked = list(
                c.execute(
                    select(s.topic_challenge.c.challenge_id)
                    .where(s.topic_challenge.c.topic_id == topic_id)
                    .order_by(s.topic_challenge.c.challenge_id)
                ).scalars()
            )
            wanted = (
                linked if challenge_ids is None else [i for i in linked if i in set(challenge_ids)]
            )
            if wanted:
                c.execute(
                    delete(s.topic_challenge).where(
                        s.topic_challenge.c.topic_id == topic_id,
                        s.topic_challenge.c.challenge_id.in_(wanted),
                    )
                )
                note_event(
                    c, PreparedKind.TOPIC, topic_id, PreparedAction.SPLIT,
                    meeting_id=row.meeting_id, title=row.title, before={"challenge_ids": wanted},
                )  # fmt: skip
            return self._topics(c, s.topic.c.id == topic_id)[0]

    def delete_topic(self, topic_id: int) -> None:
        """Delete a topic that holds no dots, is in no round that was opened and on which no
        finding rests (else :class:`~facilitation.PreparedHoldsData`: rename or hide it).
        It leaves the rounds in preparation that list it (not the last topic of one); its
        challenges can be merged anew. Kept as an event."""
        with self._write() as c:
            row = fetch_one(c, s.topic, topic_id, lock=True)
            dots = c.execute(
                select(func.count()).where(s.dot_event.c.topic_id == topic_id)
            ).scalar_one()
            rounds = list(
                c.execute(
                    select(s.vote_round.c.id, s.vote_round.c.title, s.vote_round.c.state)
                    .join(s.round_topic, s.round_topic.c.round_id == s.vote_round.c.id)
                    .where(s.round_topic.c.topic_id == topic_id)
                )
            )
            if dots:
                raise PreparedHoldsData(title=row.title, what=word(N_("dots")))
            if any(r.state != VoteState.DRAFT.value for r in rounds):
                raise PreparedHoldsData(
                    title=row.title, what=word(N_("a vote round that was opened"))
                )
            if rests_a_finding(c, "topic", topic_id):
                raise PreparedHoldsData(title=row.title, what=word(N_("a finding's source")))
            for r in rounds:
                others = c.execute(
                    select(func.count()).where(
                        s.round_topic.c.round_id == r.id, s.round_topic.c.topic_id != topic_id
                    )
                ).scalar_one()
                if not others:
                    raise PreparedHoldsData(
                        title=row.title,
                        what=word(N_("the only topic of the vote round “{round}”"), round=r.title),
                    )
            challenge_ids = list(
                c.execute(
                    select(s.topic_challenge.c.challenge_id).where(
                        s.topic_challenge.c.topic_id == topic_id
                    )
                ).scalars()
            )
            c.execute(delete(s.topic).where(s.topic.c.id == topic_id))
            note_event(
                c, PreparedKind.TOPIC, topic_id, PreparedAction.DELETED,
                meeting_id=row.meeting_id, title=row.title,
                before={**dict(row._mapping), "challenge_ids": sorted(challenge_ids),
                        "round_ids": [r.id for r in rounds]},
            )  # fmt: skip

    @staticmethod
    def _topics(c: Connection, *where: Any) -> list[Topic]:
        rows = fetch(c, s.topic, *where)
        origins: dict[int, list[int]] = {}
        ids = [row.id for row in rows]
        if ids:
            for topic_id, challenge_id in c.execute(
                select(s.topic_challenge.c.topic_id, s.topic_challenge.c.challenge_id)
                .where(s.topic_challenge.c.topic_id.in_(ids))
                .order_by(s.topic_challenge.c.challenge_id)
            ):
                origins.setdefault(topic_id, []).append(challenge_id)
        return [record(Topic, row, challenge_ids=tuple(origins.get(row.id, ()))) for row in rows]


def _challenge_values(title: str, description: str, tags: Iterable[str]) -> dict[str, Any]:
    """A new challenge's title, description and tags, checked (see :mod:`facilitation.limits`)."""
    return {
        "title": text_field(title, TITLE, limit=limits.TITLE),
        "description": text_field(
            description, N_("Description"), limit=limits.TEXT, required=False
        ),
        "tags": _tags(tags),
    }


def _tags(tags: Iterable[str]) -> list[str]:
    """Keywords with their spaces tidied, each once: at most :data:`~facilitation.limits.TAGS`
    of at most :data:`~facilitation.limits.TAG` characters."""
    found = list(dict.fromkeys(t for t in (" ".join(str(tag).split()) for tag in tags) if t))
    if len(found) > limits.TAGS:
        raise TooManyItems(field=word(N_("Keywords")), count=len(found), limit=limits.TAGS)
    for tag in found:
        text_field(tag, N_("Keyword"), limit=limits.TAG)
    return found
