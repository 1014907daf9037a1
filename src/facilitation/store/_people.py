"""Municipalities and their groups, participants, their registration for
meetings, personal links and joining with a code.

A part of :class:`~facilitation.store.Store`: every method is one transaction
(or part of the caller's, inside :meth:`~facilitation.store.Store.atomic`)."""

from __future__ import annotations

import datetime as dt
import secrets
import unicodedata
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from .. import limits
from .._exceptions import (
    AlreadyJoined,
    InvalidInput,
    MunicipalityAlreadyChosen,
    UnknownJoinCode,
    UnknownLink,
    word,
)
from ..i18n import N_
from ..models import Group, Municipality, Participant
from ..roster import email_address
from . import _schema as s
from ._base import NAME, StoreBase, registered_for
from ._records import bounded, fetch, fetch_one, locking, now, put, record, text_field

__all__ = ["PeopleStore"]

LINK_LENGTH = 64
"""The longest personal link token (and page key) the workspace holds."""
JOIN_CODE_LENGTH = 32
"""The longest join code the workspace holds."""


class PeopleStore(StoreBase):
    """Municipalities and their groups, participants, their registration for
    meetings, personal links and joining with a code.
    """

    # --- municipalities and groups -----------------------------------------------------------

    def add_municipality(
        self,
        name: str,
        *,
        ags: str | None = None,
        state: str | None = None,
        district: str | None = None,
        latitude: float | None = None,
        longitude: float | None = None,
        population: int | None = None,
        population_date: dt.date | None = None,
        source: str = "",
    ) -> Municipality:
        """Add a municipality (Kommune). ``ags`` is the 8-digit official key."""
        values = self._municipality_values(
            name=name, ags=ags, state=state, district=district, latitude=latitude,
            longitude=longitude, population=population, population_date=population_date,
            source=source,
        )  # fmt: skip
        ags = values["ags"]
        try:
            with self._write() as c:
                if ags is not None:
                    taken = c.execute(
                        select(s.municipality.c.name).where(s.municipality.c.ags == ags)
                    ).scalar()
                    if taken is not None:
                        raise _ags_taken(ags, taken)
                new_id = c.execute(insert(s.municipality).values(**values)).inserted_primary_key[0]
                return record(Municipality, fetch_one(c, s.municipality, new_id))
        except IntegrityError:  # PostgreSQL: another writer took the key meanwhile (a double click)
            holder = self.municipality_by_ags(ags) if ags is not None else None
            if holder is None:
                raise
            raise _ags_taken(ags, holder.name) from None

    @staticmethod
    def _municipality_values(**values: Any) -> dict[str, Any]:
        values["name"] = text_field(values["name"], NAME, limit=limits.NAME)
        ags = (values["ags"] or "").strip() or None
        if ags is not None and not (ags.isdigit() and len(ags) == 8):
            raise InvalidInput(
                field=word(N_("Official key (AGS)")),
                problem=word(N_("must be 8 digits, for example 14625020 for Bautzen")),
            )
        values["ags"] = ags
        state = (values["state"] or "").strip().upper() or None
        if state is not None and not (len(state) == 2 and state.isalpha()):
            raise InvalidInput(
                field=word(N_("State")),
                problem=word(N_("must be a two-letter code such as SN, BB, ST or TH")),
            )
        values["state"] = state
        for field, label, low, high in (
            ("latitude", N_("Latitude"), -90, 90),
            ("longitude", N_("Longitude"), -180, 180),
        ):
            value = values[field]
            if value is not None and not (low <= float(value) <= high):
                raise InvalidInput(
                    field=word(label),
                    problem=word(N_("must lie between {low} and {high}"), low=low, high=high),
                )
        if values["population"] is not None and int(values["population"]) < 0:
            raise InvalidInput(
                field=word(N_("Population")), problem=word(N_("must not be negative"))
            )
        values["source"] = text_field(
            values["source"], N_("Source"), limit=limits.TEXT, required=False
        )
        if values["district"] is not None:
            text_field(values["district"], N_("District"), limit=limits.NAME, required=False)
        return values

    def municipalities(self) -> list[Municipality]:
        with self._read() as c:
            rows = fetch(c, s.municipality, order=(s.municipality.c.name,))
        return [record(Municipality, row) for row in rows]

    def municipality(self, municipality_id: int) -> Municipality:
        with self._read() as c:
            return record(Municipality, fetch_one(c, s.municipality, municipality_id))

    def municipality_by_ags(self, ags: str) -> Municipality | None:
        with self._read() as c:
            row = c.execute(select(s.municipality).where(s.municipality.c.ags == ags)).first()
        return record(Municipality, row) if row is not None else None

    def find_municipalities(self, text: str, limit: int = 10) -> list[Municipality]:
        """Municipalities whose name contains ``text`` (case and accents ignored).

        Names that start with the text come first, as a person expects while typing.
        """
        wanted = _fold(text.strip())
        if not wanted:
            return []
        found = [
            m for m in self.municipalities() if wanted in _fold(m.name) or m.ags == text.strip()
        ]
        found.sort(key=lambda m: (not _fold(m.name).startswith(wanted), _fold(m.name)))
        return found[:limit]

    def add_group(
        self,
        key: str,
        name: str,
        *,
        kind: str = "city_network",
        municipality_ids: Iterable[int] = (),
    ) -> Group:
        """Add a named group of municipalities (a city network, a region, a sub-group)."""
        key = text_field(key, N_("Key"), limit=limits.GROUP_KEY)
        name = text_field(name, NAME, limit=limits.TITLE)
        taken = InvalidInput(
            field=word(N_("Key")), problem=word(N_("{key} is already taken"), key=key)
        )
        try:
            with self._write() as c:
                if c.execute(
                    select(s.municipality_group.c.id).where(s.municipality_group.c.key == key)
                ).first():
                    raise taken
                group_id = c.execute(
                    insert(s.municipality_group).values(key=key, name=name, kind=kind)
                ).inserted_primary_key[0]
                members = bounded(
                    municipality_ids, N_("Municipalities"), limit=limits.MUNICIPALITIES
                )
                for municipality_id in dict.fromkeys(members):
                    fetch_one(c, s.municipality, municipality_id)
                    c.execute(
                        insert(s.group_member).values(
                            group_id=group_id, municipality_id=municipality_id
                        )
                    )
        except IntegrityError:  # PostgreSQL: another writer took the key meanwhile
            if not any(group.key == key for group in self.groups()):
                raise
            raise taken from None
        return next(g for g in self.groups() if g.id == group_id)

    def groups(self) -> list[Group]:
        with self._read() as c:
            rows = fetch(c, s.municipality_group)
            members: dict[int, list[int]] = {}
            for group_id, municipality_id in c.execute(
                select(s.group_member.c.group_id, s.group_member.c.municipality_id).order_by(
                    s.group_member.c.group_id, s.group_member.c.municipality_id
                )
            ):
                members.setdefault(group_id, []).append(municipality_id)
        return [record(Group, row, municipality_ids=tuple(members.get(row.id, ()))) for row in rows]

    def city_networks(self) -> dict[int, str]:
        """Municipality id to the key of its group (a city network), for mixing tables.

        A municipality in several groups counts with the last of them.
        """
        return {m: g.key for g in self.groups() for m in g.municipality_ids}

    # --- participants ------------------------------------------------------------------------

    def add_participant(
        self,
        name: str,
        *,
        role: str = "",
        municipality_id: int | None = None,
        email: str | None = None,
        consent_named: bool = False,
        meeting_id: int | None = None,
    ) -> Participant:
        """Add a participant; with ``meeting_id`` also register her for that meeting."""
        values = _participant_values(name, role, municipality_id, email, consent_named)
        with self._write() as c:
            return self._insert_participant(c, values, meeting_id)

    @staticmethod
    def _insert_participant(
        c: Connection, values: dict[str, Any], meeting_id: int | None
    ) -> Participant:
        if values["municipality_id"] is not None:
            fetch_one(c, s.municipality, values["municipality_id"])
        new_id = c.execute(insert(s.participant).values(**values)).inserted_primary_key[0]
        if meeting_id is not None:
            fetch_one(c, s.meeting, meeting_id)
            c.execute(
                insert(s.meeting_participant).values(meeting_id=meeting_id, participant_id=new_id)
            )
        return record(Participant, fetch_one(c, s.participant, new_id))

    def participant(self, participant_id: int) -> Participant:
        with self._read() as c:
            return record(Participant, fetch_one(c, s.participant, participant_id))

    def participants(self, meeting_id: int | None = None) -> list[Participant]:
        """All participants of the series, or those registered for one meeting."""
        query = select(s.participant).order_by(s.participant.c.name, s.participant.c.id)
        if meeting_id is not None:
            query = query.join(
                s.meeting_participant,
                and_(
                    s.meeting_participant.c.participant_id == s.participant.c.id,
                    s.meeting_participant.c.meeting_id == meeting_id,
                ),
            )
        with self._read() as c:
            return [record(Participant, row) for row in c.execute(query)]

    def update_participant(self, participant_id: int, **changes: Any) -> Participant:
        """Change a participant's name, role, municipality, e-mail or consent."""
        allowed = {"name", "role", "municipality_id", "email", "consent_named"}
        unknown = set(changes) - allowed
        if unknown:
            raise TypeError(f"cannot change {', '.join(sorted(unknown))} of a participant")
        if "name" in changes:
            changes["name"] = text_field(changes["name"], NAME, limit=limits.NAME)
        if "role" in changes:
            changes["role"] = text_field(
                changes["role"], N_("Role"), limit=limits.ROLE, required=False
            )
        if "email" in changes:
            changes["email"] = email_address(changes["email"])
        with self._write() as c:
            fetch_one(c, s.participant, participant_id)
            if changes.get("municipality_id") is not None:
                fetch_one(c, s.municipality, changes["municipality_id"])
            c.execute(
                update(s.participant).where(s.participant.c.id == participant_id).values(**changes)
            )
            return record(Participant, fetch_one(c, s.participant, participant_id))

    def set_own_municipality(self, participant_id: int, municipality_id: int) -> Participant:
        """A participant names her own municipality on her page: once.

        Refused with :class:`~facilitation.MunicipalityAlreadyChosen` when she has one
        (choosing the same again changes nothing): after that only the facilitator
        changes it (:meth:`update_participant`). Her row is locked while this is
        checked, so two tabs choosing at once cannot both set it.
        """
        with self._write() as c:
            person = fetch_one(c, s.participant, participant_id, lock=True)
            fetch_one(c, s.municipality, municipality_id)
            if person.municipality_id not in (None, municipality_id):
                home = fetch_one(c, s.municipality, person.municipality_id)
                raise MunicipalityAlreadyChosen(name=home.name)
            c.execute(
                update(s.participant)
                .where(s.participant.c.id == participant_id)
                .values(municipality_id=municipality_id)
            )
            return record(Participant, fetch_one(c, s.participant, participant_id))

    def register(self, meeting_id: int, participant_id: int) -> None:
        """Register a participant for a meeting (doing it twice changes nothing)."""
        with self._write() as c:
            fetch_one(c, s.meeting, meeting_id)
            fetch_one(c, s.participant, participant_id)
            # Insert, or nothing if she is registered: also when two pages do it at once.
            put(c, s.meeting_participant,
                {"meeting_id": meeting_id, "participant_id": participant_id}, {})  # fmt: skip

    def unregister(self, meeting_id: int, participant_id: int) -> None:
        with self._write() as c:
            c.execute(
                delete(s.meeting_participant).where(
                    s.meeting_participant.c.meeting_id == meeting_id,
                    s.meeting_participant.c.participant_id == participant_id,
                )
            )

    def is_registered(self, meeting_id: int, participant_id: int) -> bool:
        """Whether a participant is registered for a meeting."""
        with self._read() as c:
            return registered_for(c, meeting_id, participant_id)

    # --- personal links ----------------------------------------------------------------------

    def create_link(self, participant_id: int) -> str:
        """A new personal link token for a participant (earlier links stay valid)."""
        with self._write() as c:
            fetch_one(c, s.participant, participant_id)
            return _insert_link(c, participant_id)

    def personal_links(self, meeting_id: int) -> dict[int, str]:
        """Each registered participant's newest valid personal link token, by participant id.

        Whoever has none yet gets one, in one transaction: two facilitator tabs
        asking at the same moment make one link per person, not two.
        """
        with self._read() as c:
            links = _newest_links(c, meeting_id)
        if all(links.values()):
            return links  # type: ignore[return-value]
        with self._write() as c:
            missing = [person for person, token in links.items() if token is None]
            # PostgreSQL: the other tab waits here, then finds the links made.
            c.execute(locking(c, select(s.participant.c.id).where(s.participant.c.id.in_(missing))))
            links = _newest_links(c, meeting_id)
            for person, token in links.items():
                if token is None:
                    links[person] = _insert_link(c, person)
        return links  # type: ignore[return-value]

    def renew_link(self, participant_id: int) -> str:
        """Revoke all of a participant's links and make a new one (a lost or passed-on link)."""
        with self._write() as c:
            fetch_one(c, s.participant, participant_id, lock=True)  # two renewals take turns
            c.execute(
                update(s.participant_link)
                .where(
                    s.participant_link.c.participant_id == participant_id,
                    s.participant_link.c.revoked_at.is_(None),
                )
                .values(revoked_at=now())
            )
            return _insert_link(c, participant_id)

    def revoke_link(self, token: str) -> None:
        with self._write() as c:
            c.execute(
                update(s.participant_link)
                .where(
                    s.participant_link.c.token == token, s.participant_link.c.revoked_at.is_(None)
                )
                .values(revoked_at=now())
            )

    def participant_for_link(self, token: str) -> Participant:
        """The participant a personal link belongs to; :class:`UnknownLink` if none."""
        if not token or len(token) > LINK_LENGTH:
            raise UnknownLink()  # no link is that long: not worth a query
        with self._read() as c:
            row = c.execute(
                select(s.participant)
                .join(s.participant_link, s.participant_link.c.participant_id == s.participant.c.id)
                .where(
                    s.participant_link.c.token == token, s.participant_link.c.revoked_at.is_(None)
                )
            ).first()
        if row is None:
            raise UnknownLink()
        return record(Participant, row)

    # --- the live workshop -------------------------------------------------------------------

    def join(
        self,
        code: str,
        name: str,
        *,
        role: str = "",
        municipality_id: int | None = None,
        consent_named: bool = False,
        page: str | None = None,
    ) -> tuple[Participant, str]:
        """A newcomer joins the meeting of join code ``code``: her record and personal link.

        In one transaction with the look-up of the code, which stays valid (locked, on
        PostgreSQL) until she is added: nobody joins after "close joining".

        Joining is idempotent. ``page`` is the key of the page that joins (its kernel
        makes it; the browser never sees it): the same page joining again with the
        same name and municipality (a double click) gets the same participant and
        link; with other details it is refused with :class:`~facilitation.AlreadyJoined`
        (forged join messages make no crowd). Whoever joins again with the same name
        and municipality within :data:`~facilitation.limits.JOIN_WINDOW_SECONDS` of her
        first join, from any page, is the same participant too. Joins of one meeting
        take turns (its live state is locked), so two at once cannot both add her.
        """
        code = (code or "").strip().upper()
        if not code or len(code) > JOIN_CODE_LENGTH:
            raise UnknownJoinCode()
        if page is not None and not 0 < len(page) <= LINK_LENGTH:
            raise ValueError("a page key has 1 to 64 characters")
        values = _participant_values(name, role, municipality_id, None, consent_named)
        with self._write() as c:
            query = select(s.meeting_live.c.meeting_id).where(s.meeting_live.c.join_code == code)
            meeting_id = c.execute(locking(c, query)).scalar()
            if meeting_id is None:
                raise UnknownJoinCode()
            joined = _joined(c, meeting_id, page, values)
            if joined is not None:
                return joined
            person = self._insert_participant(c, values, meeting_id)
            return person, _insert_link(c, person.id, join_page=page)

    def links(self, participant_id: int) -> list[str]:
        """The valid personal link tokens of a participant, newest first."""
        with self._read() as c:
            return list(
                c.execute(
                    select(s.participant_link.c.token)
                    .where(
                        s.participant_link.c.participant_id == participant_id,
                        s.participant_link.c.revoked_at.is_(None),
                    )
                    .order_by(s.participant_link.c.created_at.desc())
                ).scalars()
            )


def _fold(text: str) -> str:
    """Text for matching as a person types: case and accents ignored."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ß", "ss")


def _ags_taken(ags: str, name: str) -> InvalidInput:
    return InvalidInput(
        field=word(N_("Official key (AGS)")),
        problem=word(N_("{ags} already belongs to {name}"), ags=ags, name=name),
    )


def _participant_values(
    name: str, role: str, municipality_id: int | None, email: str | None, consent_named: bool
) -> dict[str, Any]:
    """A new participant's columns, checked."""
    return {
        "name": text_field(name, NAME, limit=limits.NAME),
        "role": text_field(role, N_("Role"), limit=limits.ROLE, required=False),
        "municipality_id": municipality_id,
        "email": email_address(email),
        "consent_named": bool(consent_named),
        "created_at": now(),
    }


def _newest_links(c: Connection, meeting_id: int) -> dict[int, str | None]:
    """The newest valid link token of each participant registered for a meeting (or None)."""
    link = s.participant_link
    registered = s.meeting_participant
    rows = c.execute(
        select(registered.c.participant_id, link.c.token)
        .select_from(
            registered.outerjoin(
                link,
                and_(
                    link.c.participant_id == registered.c.participant_id,
                    link.c.revoked_at.is_(None),
                ),
            )
        )
        .where(registered.c.meeting_id == meeting_id)
        .order_by(registered.c.participant_id, link.c.created_at, link.c.token)
    )
    links: dict[int, str | None] = {}
    for person, token in rows:
        links[person] = token if token is not None else links.get(person)
    return links


def _insert_link(c: Connection, participant_id: int, *, join_page: str | None = None) -> str:
    """A new personal link token for a participant, inside the caller's transaction."""
    token = secrets.token_urlsafe(18)
    c.execute(
        insert(s.participant_link).values(
            token=token, participant_id=participant_id, created_at=now(), join_page=join_page
        )
    )
    return token


def _joined(
    c: Connection, meeting_id: int, page: str | None, values: dict[str, Any]
) -> tuple[Participant, str] | None:
    """The participant and link of an earlier join that this one repeats, or None.

    The page's own earlier join, if it joined: the same participant for the same
    details (while her link is valid), :class:`AlreadyJoined` otherwise. Else whoever
    joined this meeting with the same name and municipality within the join window.
    """
    link, person = s.participant_link, s.participant
    joins = (
        select(person, link.c.token, link.c.revoked_at)
        .join(link, link.c.participant_id == person.c.id)
        .join(
            s.meeting_participant,
            and_(
                s.meeting_participant.c.participant_id == person.c.id,
                s.meeting_participant.c.meeting_id == meeting_id,
            ),
        )
        .where(link.c.join_page.is_not(None))
    )
    if page is not None:
        earlier = c.execute(
            select(person, link.c.token, link.c.revoked_at)
            .join(link, link.c.participant_id == person.c.id)
            .where(link.c.join_page == page)
        ).first()
        if earlier is not None:
            if earlier.revoked_at is None and _same_person(earlier, values):
                return record(Participant, earlier), earlier.token
            raise AlreadyJoined(name=earlier.name)
    since = now() - dt.timedelta(seconds=limits.JOIN_WINDOW_SECONDS)
    recent = c.execute(
        joins.where(link.c.created_at >= since, link.c.revoked_at.is_(None)).order_by(
            link.c.created_at
        )
    )
    for row in recent:
        if _same_person(row, values):
            return record(Participant, row), row.token
    return None


def _same_person(row: Any, values: dict[str, Any]) -> bool:
    """Whether a participant's row has the name (case and spaces aside) and municipality."""
    return row.municipality_id == values["municipality_id"] and _fold(
        " ".join(row.name.split())
    ) == _fold(" ".join(values["name"].split()))
