"""Challenges (the intake) and the topics merged from them.

A part of :class:`~facilitation.store.Store`: every method is one transaction
(or part of the caller's, inside :meth:`~facilitation.store.Store.atomic`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, insert, select

from .. import limits
from .._exceptions import IntakeClosed, InvalidInput, NotInMeeting, TooManyItems, word
from ..i18n import N_
from ..models import Challenge, Topic
from . import _schema as s
from ._base import TITLE, StoreBase, registered_for
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
            query = select(s.meeting_live.c.intake_open).where(
                s.meeting_live.c.meeting_id == meeting_id
            )
            if not c.execute(locking(c, query, share=True)).scalar():
                raise IntakeClosed()
            person = fetch_one(c, s.participant, participant_id)
            if not registered_for(c, meeting_id, participant_id):
                raise NotInMeeting(name=person.name)
            return self._insert_challenge(c, meeting_id, participant_id, None, values)

    def challenges(self, meeting_id: int | None = None) -> list[Challenge]:
        """Challenges in the order they came in (of one meeting, or all)."""
        with self._read() as c:
            where = [] if meeting_id is None else [s.challenge.c.meeting_id == meeting_id]
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
                if fetch_one(c, s.challenge, challenge_id).meeting_id != meeting_id:
                    raise InvalidInput(
                        field=word(N_("Challenges")),
                        problem=word(
                            N_("challenge {id} belongs to another meeting"), id=challenge_id
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
