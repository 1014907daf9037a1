"""The store: the only code that reads and writes a workspace's database.

Every method is one short transaction. Rules that must hold when many pages
write at once (dots in a round above all) are checked inside the same
transaction that writes, never before it in the user interface.
"""

from __future__ import annotations

import datetime as dt
import secrets
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    and_,
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
from sqlalchemy.exc import IntegrityError

from .. import consultation, tables, voting
from .._exceptions import (
    IntakeClosed,
    InvalidInput,
    MunicipalityAlreadyChosen,
    NoRole,
    NotAtTable,
    NotInMeeting,
    RecordNotFound,
    TableRoundNotRunning,
    UnknownJoinCode,
    UnknownLink,
    word,
)
from ..consultation import DEFAULT_PHASE_MINUTES
from ..i18n import N_, translate
from ..models import (
    ActionItem,
    ActionStatus,
    ActionUpdate,
    AgendaItem,
    Challenge,
    Consultation,
    ConsultationEntry,
    ConsultationPhase,
    ConsultationRole,
    ConsultationVariant,
    DotAction,
    DotEvent,
    EntryKind,
    Group,
    LiveState,
    Meeting,
    MeetingFormat,
    Municipality,
    Participant,
    PhaseChange,
    RoleAssignment,
    Screen,
    TableAssignment,
    TableNote,
    TableRound,
    ThemedTable,
    Tie,
    TieType,
    Topic,
    Visibility,
    VoteRound,
    VoteState,
    Workspace,
)
from . import _schema as s
from ._engine import read, write
from ._network import NetworkStore
from ._open import describe_location
from ._records import fetch, fetch_one, locking, now, put, record, text_field
from ._watch import ChangeWatcher

__all__ = ["DEFAULT_PHASE_MINUTES", "Store"]


_TITLE = N_("Title")
_NAME = N_("Name")
_TEXT = N_("Text")


def _enum(kind: type, value: Any, field: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise InvalidInput(
            field=word(field),
            problem=word(N_("{value!r} is not one of: {allowed}"), value=value, allowed=allowed),
        ) from None


def _positive(value: int | float | None, field: str, *, allow_none: bool = True) -> Any:
    if value is None and allow_none:
        return None
    if value is None or value <= 0:
        raise InvalidInput(field=word(field), problem=word(N_("must be greater than zero")))
    return value


def _fold(text: str) -> str:
    """Text for matching as a person types: case and accents ignored."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ß", "ss")


def _ags_taken(ags: str, name: str) -> InvalidInput:
    return InvalidInput(
        field=word(N_("Official key (AGS)")),
        problem=word(N_("{ags} already belongs to {name}"), ags=ags, name=name),
    )


class Store(NetworkStore):
    """A workspace opened for reading and writing.

    Get one with :func:`facilitation.open_workspace` or
    :func:`facilitation.create_workspace`; close it with :meth:`close` or use
    it in a ``with`` block. For analysis it gives pandas tables and networkx
    graphs (see :class:`~facilitation.store._network.NetworkStore`).
    """

    def __init__(self, engine: Engine, location: str | Path) -> None:
        self.engine = engine
        self.location = describe_location(location)

    def __repr__(self) -> str:
        return f"<Store {self.location}>"

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    # --- the workspace -----------------------------------------------------------

    def info(self) -> Workspace:
        """The workspace record: title, description, creation time."""
        with read(self.engine) as c:
            return record(Workspace, c.execute(select(s.workspace)).one())

    def update_info(self, *, title: str | None = None, description: str | None = None) -> Workspace:
        changes: dict[str, Any] = {}
        if title is not None:
            changes["title"] = text_field(title, _TITLE, limit=200)
        if description is not None:
            changes["description"] = text_field(
                description, N_("Description"), limit=5000, required=False
            )
        with write(self.engine) as c:
            if changes:
                c.execute(update(s.workspace).values(**changes))
        return self.info()

    def facilitator_key(self) -> str:
        """The secret that opens the facilitator and projector pages."""
        with read(self.engine) as c:
            return c.execute(select(s.workspace.c.facilitator_key)).scalar_one()

    # --- municipalities and groups ---------------------------------------------

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
            with write(self.engine) as c:
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
        values["name"] = text_field(values["name"], _NAME, limit=200)
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
        values["source"] = (values["source"] or "").strip()
        return values

    def municipalities(self) -> list[Municipality]:
        with read(self.engine) as c:
            rows = fetch(c, s.municipality, order=(s.municipality.c.name,))
        return [record(Municipality, row) for row in rows]

    def municipality(self, municipality_id: int) -> Municipality:
        with read(self.engine) as c:
            return record(Municipality, fetch_one(c, s.municipality, municipality_id))

    def municipality_by_ags(self, ags: str) -> Municipality | None:
        with read(self.engine) as c:
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
        key = text_field(key, N_("Key"), limit=80)
        name = text_field(name, _NAME, limit=300)
        taken = InvalidInput(
            field=word(N_("Key")), problem=word(N_("{key} is already taken"), key=key)
        )
        try:
            with write(self.engine) as c:
                if c.execute(
                    select(s.municipality_group.c.id).where(s.municipality_group.c.key == key)
                ).first():
                    raise taken
                group_id = c.execute(
                    insert(s.municipality_group).values(key=key, name=name, kind=kind)
                ).inserted_primary_key[0]
                for municipality_id in dict.fromkeys(municipality_ids):
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
        with read(self.engine) as c:
            rows = fetch(c, s.municipality_group)
            members: dict[int, list[int]] = {}
            for group_id, municipality_id in c.execute(
                select(s.group_member.c.group_id, s.group_member.c.municipality_id).order_by(
                    s.group_member.c.group_id, s.group_member.c.municipality_id
                )
            ):
                members.setdefault(group_id, []).append(municipality_id)
        return [record(Group, row, municipality_ids=tuple(members.get(row.id, ()))) for row in rows]

    # --- meetings and agenda -----------------------------------------------------

    def add_meeting(
        self,
        title: str,
        *,
        date: dt.date | None = None,
        place: str = "",
        format: MeetingFormat | str = MeetingFormat.PEER_LEARNING,
        host_municipality_id: int | None = None,
    ) -> Meeting:
        """Add a meeting (Treffen, Werkstatt) of the series."""
        values = {
            "title": text_field(title, _TITLE, limit=300),
            "date": date,
            "place": text_field(place, N_("Place"), limit=300, required=False),
            "format": _enum(MeetingFormat, format, N_("Format")).value,
            "host_municipality_id": host_municipality_id,
            "created_at": now(),
        }
        with write(self.engine) as c:
            if host_municipality_id is not None:
                fetch_one(c, s.municipality, host_municipality_id)
            new_id = c.execute(insert(s.meeting).values(**values)).inserted_primary_key[0]
            return record(Meeting, fetch_one(c, s.meeting, new_id))

    def meetings(self) -> list[Meeting]:
        """Meetings of the series, by date."""
        with read(self.engine) as c:
            rows = fetch(
                c, s.meeting, order=(s.meeting.c.date.is_(None), s.meeting.c.date, s.meeting.c.id)
            )
        return [record(Meeting, row) for row in rows]

    def meeting(self, meeting_id: int) -> Meeting:
        with read(self.engine) as c:
            return record(Meeting, fetch_one(c, s.meeting, meeting_id))

    def update_meeting(self, meeting_id: int, **changes: Any) -> Meeting:
        """Change a meeting's title, date, place, format or host."""
        allowed = {"title", "date", "place", "format", "host_municipality_id"}
        unknown = set(changes) - allowed
        if unknown:
            raise TypeError(f"cannot change {', '.join(sorted(unknown))} of a meeting")
        if "title" in changes:
            changes["title"] = text_field(changes["title"], _TITLE, limit=300)
        if "place" in changes:
            changes["place"] = text_field(changes["place"], N_("Place"), limit=300, required=False)
        if "format" in changes:
            changes["format"] = _enum(MeetingFormat, changes["format"], N_("Format")).value
        with write(self.engine) as c:
            fetch_one(c, s.meeting, meeting_id)
            if changes.get("host_municipality_id") is not None:
                fetch_one(c, s.municipality, changes["host_municipality_id"])
            c.execute(update(s.meeting).where(s.meeting.c.id == meeting_id).values(**changes))
            return record(Meeting, fetch_one(c, s.meeting, meeting_id))

    def add_agenda_item(
        self,
        meeting_id: int,
        title: str,
        *,
        starts_at: dt.time | None = None,
        minutes: int | None = None,
        kind: str = "other",
    ) -> AgendaItem:
        """Append an item to a meeting's agenda."""
        title = text_field(title, _TITLE, limit=300)
        if minutes is not None and minutes < 0:
            raise InvalidInput(field=word(N_("Minutes")), problem=word(N_("must not be negative")))
        with write(self.engine) as c:
            _lock_meeting(c, meeting_id)  # the next number
            position = (
                c.execute(
                    select(func.coalesce(func.max(s.agenda_item.c.position), 0)).where(
                        s.agenda_item.c.meeting_id == meeting_id
                    )
                ).scalar_one()
                + 1
            )
            new_id = c.execute(
                insert(s.agenda_item).values(
                    meeting_id=meeting_id, position=position, title=title,
                    starts_at=starts_at, minutes=minutes, kind=kind,
                )
            ).inserted_primary_key[0]  # fmt: skip
            return record(AgendaItem, fetch_one(c, s.agenda_item, new_id))

    def agenda(self, meeting_id: int) -> list[AgendaItem]:
        with read(self.engine) as c:
            rows = fetch(
                c, s.agenda_item, s.agenda_item.c.meeting_id == meeting_id,
                order=(s.agenda_item.c.position,),
            )  # fmt: skip
        return [record(AgendaItem, row) for row in rows]

    # --- participants --------------------------------------------------------------

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
        with write(self.engine) as c:
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
        with read(self.engine) as c:
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
        with read(self.engine) as c:
            return [record(Participant, row) for row in c.execute(query)]

    def update_participant(self, participant_id: int, **changes: Any) -> Participant:
        """Change a participant's name, role, municipality, e-mail or consent."""
        allowed = {"name", "role", "municipality_id", "email", "consent_named"}
        unknown = set(changes) - allowed
        if unknown:
            raise TypeError(f"cannot change {', '.join(sorted(unknown))} of a participant")
        if "name" in changes:
            changes["name"] = text_field(changes["name"], _NAME, limit=200)
        if "role" in changes:
            changes["role"] = text_field(changes["role"], N_("Role"), limit=200, required=False)
        if "email" in changes:
            changes["email"] = _email(changes["email"])
        with write(self.engine) as c:
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
        with write(self.engine) as c:
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
        with write(self.engine) as c:
            fetch_one(c, s.meeting, meeting_id)
            fetch_one(c, s.participant, participant_id)
            # Insert, or nothing if she is registered: also when two pages do it at once.
            put(c, s.meeting_participant,
                {"meeting_id": meeting_id, "participant_id": participant_id}, {})  # fmt: skip

    def unregister(self, meeting_id: int, participant_id: int) -> None:
        with write(self.engine) as c:
            c.execute(
                delete(s.meeting_participant).where(
                    s.meeting_participant.c.meeting_id == meeting_id,
                    s.meeting_participant.c.participant_id == participant_id,
                )
            )

    def is_registered(self, meeting_id: int, participant_id: int) -> bool:
        """Whether a participant is registered for a meeting."""
        with read(self.engine) as c:
            return _is_registered(c, meeting_id, participant_id)

    # --- personal links --------------------------------------------------------------

    def create_link(self, participant_id: int) -> str:
        """A new personal link token for a participant (earlier links stay valid)."""
        with write(self.engine) as c:
            fetch_one(c, s.participant, participant_id)
            return _insert_link(c, participant_id)

    def personal_links(self, meeting_id: int) -> dict[int, str]:
        """Each registered participant's newest valid personal link token, by participant id.

        Whoever has none yet gets one, in one transaction: two facilitator tabs
        asking at the same moment make one link per person, not two.
        """
        with read(self.engine) as c:
            links = _newest_links(c, meeting_id)
        if all(links.values()):
            return links  # type: ignore[return-value]
        with write(self.engine) as c:
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
        with write(self.engine) as c:
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
        with write(self.engine) as c:
            c.execute(
                update(s.participant_link)
                .where(
                    s.participant_link.c.token == token, s.participant_link.c.revoked_at.is_(None)
                )
                .values(revoked_at=now())
            )

    def participant_for_link(self, token: str) -> Participant:
        """The participant a personal link belongs to; :class:`UnknownLink` if none."""
        with read(self.engine) as c:
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

    # --- challenges and topics --------------------------------------------------------

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
        with write(self.engine) as c:
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
        with write(self.engine) as c:
            query = select(s.meeting_live.c.intake_open).where(
                s.meeting_live.c.meeting_id == meeting_id
            )
            if not c.execute(locking(c, query, share=True)).scalar():
                raise IntakeClosed()
            person = fetch_one(c, s.participant, participant_id)
            if not _is_registered(c, meeting_id, participant_id):
                raise NotInMeeting(name=person.name)
            return self._insert_challenge(c, meeting_id, participant_id, None, values)

    def challenges(self, meeting_id: int | None = None) -> list[Challenge]:
        """Challenges in the order they came in (of one meeting, or all)."""
        with read(self.engine) as c:
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
        title = text_field(title, _TITLE, limit=300)
        description = text_field(description, N_("Description"), limit=5000, required=False)
        origins = list(dict.fromkeys(challenge_ids))
        with write(self.engine) as c:
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
        with read(self.engine) as c:
            where = [] if meeting_id is None else [s.topic.c.meeting_id == meeting_id]
            return self._topics(c, *where)

    def topic(self, topic_id: int) -> Topic:
        with read(self.engine) as c:
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

    # --- dot-voting ---------------------------------------------------------------------

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
    ) -> VoteRound:
        """Prepare a vote round over ``topic_ids`` (state: draft).

        Dots per person default to a third of the topics (at least 1, at most
        :data:`facilitation.voting.DOTS_CAP`); the cap per topic to at most 3.
        """
        settings = {
            "title": title, "dots_per_person": dots_per_person, "max_per_topic": max_per_topic,
            "visibility": visibility, "timer_seconds": timer_seconds,
        }  # fmt: skip
        _round_settings(len(dict.fromkeys(topic_ids)), **settings)  # checked before writing
        with write(self.engine) as c:
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
    ) -> VoteRound:
        """Prepare a further round over the ``leading`` topics of a round (ties included).

        Only from a final result the room has seen (see :func:`facilitation.voting.check_final`):
        a secret round revealed, a live round closed or revealed; otherwise
        :class:`~facilitation.ResultNotFinal`. Checked, counted and written in one
        transaction, with the round locked (on PostgreSQL) so it cannot be reopened meanwhile.
        """
        settings = {
            "title": title, "dots_per_person": dots_per_person, "max_per_topic": max_per_topic,
            "visibility": visibility, "timer_seconds": timer_seconds,
        }  # fmt: skip
        with write(self.engine) as c:
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
        title, dots, cap, visibility, timer_seconds = _round_settings(len(topics), **settings)
        _lock_meeting(c, meeting_id)  # the next number
        for topic_id in topics:
            if fetch_one(c, s.topic, topic_id).meeting_id != meeting_id:
                raise InvalidInput(
                    field=word(N_("Topics")),
                    problem=word(N_("topic {id} belongs to another meeting"), id=topic_id),
                )
        if not title:
            count = c.execute(
                select(func.count()).where(s.vote_round.c.meeting_id == meeting_id)
            ).scalar_one()
            title = translate(N_("Vote {number}")).format(number=count + 1)
        new_id = c.execute(
            insert(s.vote_round).values(
                meeting_id=meeting_id, title=text_field(title, _TITLE, limit=300),
                dots_per_person=dots, max_per_topic=cap, visibility=visibility.value,
                state=VoteState.DRAFT.value, parent_round_id=parent_round_id,
                timer_seconds=timer_seconds, created_at=now(),
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

    def vote_round(self, round_id: int) -> VoteRound:
        with read(self.engine) as c:
            return self._round(c, round_id)

    def vote_rounds(self, meeting_id: int | None = None) -> list[VoteRound]:
        with read(self.engine) as c:
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
        return record(VoteRound, row, topic_ids=topics)

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
        with write(self.engine) as c:
            current = self._round(c, round_id, lock=True)
            voting.check_transition(current, state)
            c.execute(
                update(s.vote_round)
                .where(s.vote_round.c.id == round_id)
                .values(state=state.value, **{stamp: now()})
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
        with write(self.engine) as c:
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
            voting.check_dot(
                action, VoteState(row.state), row.dots_per_person, row.max_per_topic,
                in_round=bool(row.in_round), held=int(row.held), on_topic=int(row.on_topic),
            )  # fmt: skip
            values = {**ids, "action": action.value, "at": now()}
            new_id = c.execute(_INSERT_DOT, values).inserted_primary_key[0]
        return DotEvent(id=new_id, **{**values, "action": action})

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
        with read(self.engine) as c:
            return dict(self._held(c, round_id, participant_id))

    def dot_events(self, round_id: int | None = None) -> list[DotEvent]:
        """Every dot placed or taken back, in the order it happened."""
        with read(self.engine) as c:
            where = [] if round_id is None else [s.dot_event.c.round_id == round_id]
            return [record(DotEvent, row) for row in fetch(c, s.dot_event, *where)]

    def tally(self, round_id: int, *, at: dt.datetime | None = None) -> dict[int, int]:
        """Dots per topic of a round, every topic included; at a moment if ``at`` is given."""
        vote_round = self.vote_round(round_id)
        return voting.tally(self.dot_events(round_id), vote_round.topic_ids, at=at)

    # --- collegial consultation ------------------------------------------------------------

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
    ) -> Consultation:
        """Prepare a collegial consultation (kollegiale Beratung), starting with the casting.

        The minutes per phase default to the variant's (Tietze's for the
        standard). A Fliegende Werkstatt is the host town's case: without
        ``municipality_id`` it is the meeting's host municipality.
        """
        title = text_field(title, _TITLE, limit=300)
        rules = consultation.variant(variant)
        minutes = {phase.value: value for phase, value in rules.phase_minutes.items()}
        minutes.update(_phase_minutes(phase_minutes or {}))
        key_question = text_field(key_question, N_("Key question"), limit=2000, required=False)
        chosen = consultation.method(method)
        with write(self.engine) as c:
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
                    municipality_id=municipality_id, created_at=now(),
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
        with read(self.engine) as c:
            return self._consultation(c, consultation_id)

    def consultations(self, meeting_id: int | None = None) -> list[Consultation]:
        with read(self.engine) as c:
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
            "municipality_id",
        }  # fmt: skip
        unknown = set(changes) - allowed
        if unknown:
            raise TypeError(f"cannot change {', '.join(sorted(unknown))} of a consultation")
        if "title" in changes:
            changes["title"] = text_field(changes["title"], _TITLE, limit=300)
        if "key_question" in changes:
            changes["key_question"] = text_field(
                changes["key_question"], N_("Key question"), limit=2000, required=False
            )
        if "method" in changes:
            chosen = consultation.method(changes["method"])
            changes["method"] = chosen.key if chosen else None
        if "variant" in changes:
            changes["variant"] = consultation.variant(changes["variant"]).key.value
        for flag in ("confidential", "include_in_export"):
            if flag in changes:
                changes[flag] = bool(changes[flag])
        with write(self.engine) as c:
            fetch_one(c, s.consultation, consultation_id, lock=True)
            if changes.get("municipality_id") is not None:
                fetch_one(c, s.municipality, changes["municipality_id"])
            if changes:
                c.execute(
                    update(s.consultation)
                    .where(s.consultation.c.id == consultation_id)
                    .values(**changes)
                )
            return self._consultation(c, consultation_id)

    def set_phase_minutes(
        self, consultation_id: int, phase_minutes: Mapping[ConsultationPhase | str, int]
    ) -> Consultation:
        """Change the planned minutes of some phases (a running phase's clock follows)."""
        minutes = _phase_minutes(phase_minutes)
        with write(self.engine) as c:
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
        phase = _enum(ConsultationPhase, phase, N_("Phase"))
        with write(self.engine) as c:
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

        with write(self.engine) as c:
            return self._move(c, consultation_id, target, start_timer)

    def _move(
        self,
        c: Connection,
        consultation_id: int,
        target: Callable[[ConsultationPhase], ConsultationPhase | None],
        start_timer: bool,
    ) -> Consultation:
        current = self._consultation(c, consultation_id, lock=True)
        phase = target(current.phase)
        if phase is None:  # a step beyond either end: nothing happens
            return current
        consultation.check_move(current, self._roles(c, consultation_id), phase)
        stamp = now()
        c.execute(
            update(s.consultation)
            .where(s.consultation.c.id == consultation_id)
            .values(phase=phase.value, phase_started_at=stamp)
        )
        c.execute(
            insert(s.consultation_phase_change).values(
                consultation_id=consultation_id, phase=phase.value, at=stamp
            )
        )
        if start_timer:
            minutes = current.phase_minutes.get(phase.value, 0)
            ends = stamp + dt.timedelta(minutes=minutes) if minutes else None
            _put_live(c, current.meeting_id, timer_ends_at=ends)
        return self._consultation(c, consultation_id)

    def phase_changes(self, consultation_id: int | None = None) -> list[PhaseChange]:
        """When each phase began, in order (of one consultation, or of all)."""
        with read(self.engine) as c:
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
        wanted = {
            pid: None if role is None else _enum(ConsultationRole, role, N_("Role"))
            for pid, role in roles.items()
        }
        with write(self.engine) as c:
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
                if not _is_registered(c, current.meeting_id, pid):
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
        with read(self.engine) as c:
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
        with read(self.engine) as c:
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
        text = text_field(text, _TEXT, limit=5000)
        kind = _enum(EntryKind, kind, N_("Kind"))
        with write(self.engine) as c:
            current = fetch_one(c, s.consultation, consultation_id)
            if participant_id is not None:
                fetch_one(c, s.participant, participant_id)
            phase_value = (
                _enum(ConsultationPhase, phase, N_("Phase")).value if phase else current.phase
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
        text = text_field(text, _TEXT, limit=5000)
        kind = _enum(EntryKind, kind, N_("Kind"))
        with write(self.engine) as c:
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
        if not _is_registered(c, current.meeting_id, participant_id):
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
        with read(self.engine) as c:
            rows = fetch(c, s.consultation_entry, *where)
        return [record(ConsultationEntry, row) for row in rows]

    def entries_for(self, consultation_id: int, participant_id: int) -> list[ConsultationEntry]:
        """The entries a participant may read on her page.

        The notes of a consultation are confidential to its meeting: someone
        not registered for that meeting is refused (:class:`~facilitation.NotInMeeting`).
        Questions and ideas are the group's; notes and observations their
        author's, the moderator's and the secretary's.
        """
        with read(self.engine) as c:
            row = fetch_one(c, s.consultation, consultation_id)
            person = fetch_one(c, s.participant, participant_id)
            if not _is_registered(c, row.meeting_id, participant_id):
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
        with write(self.engine) as c:
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
        with write(self.engine) as c:
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
        title = text_field(title, _TITLE, limit=500)
        notes = text_field(notes, N_("Notes"), limit=5000, required=False)
        with write(self.engine) as c:
            current, entry = self._entry_locked(c, entry_id)
            if participant_id is not None:
                current, role = self._as_participant(c, entry.consultation_id, participant_id)
                consultation.check_take(current, role)
                owner_id = participant_id if owner_id is None else owner_id
            if owner_id is not None:
                owner = fetch_one(c, s.participant, owner_id)
                if participant_id is not None and not _is_registered(
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
        with read(self.engine) as c:
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
        text = text_field(text, N_("Key question"), limit=2000)
        with write(self.engine) as c:
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
        with write(self.engine) as c:
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

    # --- cooperation ties ------------------------------------------------------------------

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
        tie_type = _enum(TieType, type, N_("Type"))
        if source_id == target_id:
            raise InvalidInput(
                field=word(N_("Tie")),
                problem=word(N_("a municipality cannot have a tie with itself")),
            )
        _positive(weight, N_("Strength"), allow_none=False)
        if directed is None:
            directed = tie_type is TieType.LEARNS_FROM
        with write(self.engine) as c:
            fetch_one(c, s.municipality, source_id)
            fetch_one(c, s.municipality, target_id)
            if meeting_id is not None:
                fetch_one(c, s.meeting, meeting_id)
            if declared_by is not None:
                fetch_one(c, s.participant, declared_by)
            new_id = c.execute(
                insert(s.tie).values(
                    source_id=source_id, target_id=target_id, type=tie_type.value,
                    topic=text_field(topic, N_("Topic"), limit=200, required=False),
                    weight=float(weight), directed=bool(directed), meeting_id=meeting_id,
                    declared_by=declared_by, source=source, created_at=now(),
                )
            ).inserted_primary_key[0]  # fmt: skip
            return record(Tie, fetch_one(c, s.tie, new_id))

    def ties(self, meeting_id: int | None = None) -> list[Tie]:
        with read(self.engine) as c:
            where = [] if meeting_id is None else [s.tie.c.meeting_id == meeting_id]
            return [record(Tie, row) for row in fetch(c, s.tie, *where)]

    # --- action items ----------------------------------------------------------------------

    def add_action(
        self,
        title: str,
        *,
        meeting_id: int | None = None,
        owner_id: int | None = None,
        due: dt.date | None = None,
        status: ActionStatus | str = ActionStatus.OPEN,
        origin: str = "direct",
        origin_id: int | None = None,
        notes: str = "",
    ) -> ActionItem:
        """Add an action item (Aufgabe, Vereinbarung)."""
        title = text_field(title, _TITLE, limit=500)
        status = _enum(ActionStatus, status, N_("Status"))
        if origin not in ("consultation", "table", "vote", "direct"):
            raise InvalidInput(
                field=word(N_("Origin")),
                problem=word(N_("must be consultation, table, vote or direct")),
            )
        stamp = now()
        with write(self.engine) as c:
            if meeting_id is not None:
                fetch_one(c, s.meeting, meeting_id)
            if owner_id is not None:
                fetch_one(c, s.participant, owner_id)
            new_id = c.execute(
                insert(s.action_item).values(
                    title=title, meeting_id=meeting_id, owner_id=owner_id, due=due,
                    status=status.value, origin=origin, origin_id=origin_id,
                    notes=text_field(notes, N_("Notes"), limit=5000, required=False),
                    created_at=stamp, updated_at=stamp,
                )
            ).inserted_primary_key[0]  # fmt: skip
            return record(ActionItem, fetch_one(c, s.action_item, new_id))

    def actions(
        self, *, status: Iterable[ActionStatus | str] | None = None, meeting_id: int | None = None
    ) -> list[ActionItem]:
        """Action items, by due date; filtered by status or by the meeting that agreed them."""
        where = []
        if status is not None:
            where.append(s.action_item.c.status.in_([ActionStatus(x).value for x in status]))
        if meeting_id is not None:
            where.append(s.action_item.c.meeting_id == meeting_id)
        with read(self.engine) as c:
            rows = fetch(
                c,
                s.action_item,
                *where,
                order=(s.action_item.c.due.is_(None), s.action_item.c.due, s.action_item.c.id),
            )
        return [record(ActionItem, row) for row in rows]

    def action(self, action_id: int) -> ActionItem:
        with read(self.engine) as c:
            return record(ActionItem, fetch_one(c, s.action_item, action_id))

    def update_action(
        self,
        action_id: int,
        *,
        status: ActionStatus | str | None = None,
        note: str = "",
        meeting_id: int | None = None,
        owner_id: int | None = None,
        due: dt.date | None = None,
        title: str | None = None,
        notes: str | None = None,
    ) -> ActionItem:
        """Change an action; a change of status or a note is kept as an update, with the
        meeting at which it was reported (the monitoring across meetings)."""
        with write(self.engine) as c:
            current = fetch_one(c, s.action_item, action_id, lock=True)
            changes: dict[str, Any] = {"updated_at": now()}
            if title is not None:
                changes["title"] = text_field(title, _TITLE, limit=500)
            if notes is not None:
                changes["notes"] = text_field(notes, N_("Notes"), limit=5000, required=False)
            if owner_id is not None:
                fetch_one(c, s.participant, owner_id)
                changes["owner_id"] = owner_id
            if due is not None:
                changes["due"] = due
            if status is not None:
                changes["status"] = _enum(ActionStatus, status, N_("Status")).value
            if meeting_id is not None:
                fetch_one(c, s.meeting, meeting_id)
            if status is not None or note:
                c.execute(
                    insert(s.action_update).values(
                        action_id=action_id,
                        status=changes.get("status", current.status),
                        note=text_field(note, N_("Note"), limit=5000, required=False),
                        meeting_id=meeting_id,
                        at=changes["updated_at"],
                    )
                )
            c.execute(
                update(s.action_item).where(s.action_item.c.id == action_id).values(**changes)
            )
            return record(ActionItem, fetch_one(c, s.action_item, action_id))

    def action_updates(self, action_id: int | None = None) -> list[ActionUpdate]:
        with read(self.engine) as c:
            where = [] if action_id is None else [s.action_update.c.action_id == action_id]
            return [record(ActionUpdate, row) for row in fetch(c, s.action_update, *where)]

    # --- themed tables -------------------------------------------------------------------

    def add_table(self, meeting_id: int, theme: str, *, host_id: int | None = None) -> ThemedTable:
        """Add a themed table (Thementisch) with an optional host who stays at it."""
        theme = text_field(theme, N_("Theme"), limit=300)
        with write(self.engine) as c:
            _lock_meeting(c, meeting_id)  # the next number
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
            changes["theme"] = text_field(changes["theme"], N_("Theme"), limit=300)
        with write(self.engine) as c:
            fetch_one(c, s.themed_table, table_id)
            if changes.get("host_id") is not None:
                fetch_one(c, s.participant, changes["host_id"])
            if changes:
                c.execute(
                    update(s.themed_table).where(s.themed_table.c.id == table_id).values(**changes)
                )
            return record(ThemedTable, fetch_one(c, s.themed_table, table_id))

    def tables(self, meeting_id: int) -> list[ThemedTable]:
        with read(self.engine) as c:
            rows = fetch(
                c, s.themed_table, s.themed_table.c.meeting_id == meeting_id,
                order=(s.themed_table.c.position,),
            )  # fmt: skip
        return [record(ThemedTable, row) for row in rows]

    def add_table_round(self, meeting_id: int, *, minutes: int = 30) -> TableRound:
        """Add the next round of table rotation."""
        _positive(minutes, N_("Minutes"), allow_none=False)
        with write(self.engine) as c:
            _lock_meeting(c, meeting_id)  # the next number
            number = (
                c.execute(
                    select(func.coalesce(func.max(s.table_round.c.number), 0)).where(
                        s.table_round.c.meeting_id == meeting_id
                    )
                ).scalar_one()
                + 1
            )
            new_id = c.execute(
                insert(s.table_round).values(meeting_id=meeting_id, number=number, minutes=minutes)
            ).inserted_primary_key[0]
            return record(TableRound, fetch_one(c, s.table_round, new_id))

    def table_round(self, round_id: int) -> TableRound:
        with read(self.engine) as c:
            return record(TableRound, fetch_one(c, s.table_round, round_id))

    def table_rounds(self, meeting_id: int) -> list[TableRound]:
        with read(self.engine) as c:
            rows = fetch(
                c, s.table_round, s.table_round.c.meeting_id == meeting_id,
                order=(s.table_round.c.number,),
            )  # fmt: skip
        return [record(TableRound, row) for row in rows]

    def set_round_minutes(self, round_id: int, minutes: int) -> TableRound:
        """Change how long a round lasts (a running round's countdown is not moved)."""
        _positive(minutes, N_("Minutes"), allow_none=False)
        with write(self.engine) as c:
            fetch_one(c, s.table_round, round_id)
            c.execute(
                update(s.table_round).where(s.table_round.c.id == round_id).values(minutes=minutes)
            )
            return record(TableRound, fetch_one(c, s.table_round, round_id))

    def start_table_round(self, round_id: int) -> TableRound:
        """Start a round: its clock and the meeting's countdown start, every page shows it.

        A round still running in the meeting ends now; starting a round again
        (after a false start) restarts its clock.
        """
        with write(self.engine) as c:
            meeting_id = fetch_one(c, s.table_round, round_id).meeting_id
            # Every round of the meeting, locked in order: a note in flight (which holds them
            # shared) is written before this round starts, or sees that it has.
            rounds = _rounds_of(c, meeting_id, lock=True)
            table_round = next(r for r in rounds if r.id == round_id)
            stamp = now()
            c.execute(
                update(s.table_round)
                .where(
                    s.table_round.c.meeting_id == table_round.meeting_id,
                    s.table_round.c.id != round_id,
                    s.table_round.c.started_at.is_not(None),
                    s.table_round.c.ended_at.is_(None),
                )
                .values(ended_at=stamp)
            )
            c.execute(
                update(s.table_round)
                .where(s.table_round.c.id == round_id)
                .values(started_at=stamp, ended_at=None)
            )
            _put_live(
                c, table_round.meeting_id, screen=Screen.TABLES.value, subject_id=round_id,
                timer_ends_at=stamp + dt.timedelta(minutes=table_round.minutes),
            )  # fmt: skip
            return record(TableRound, fetch_one(c, s.table_round, round_id))

    def end_table_round(self, round_id: int) -> TableRound:
        """End a round (the bell): its clock stops, and so does the meeting's countdown."""
        with write(self.engine) as c:
            table_round = record(TableRound, fetch_one(c, s.table_round, round_id, lock=True))
            if table_round.started_at is None:
                raise TableRoundNotRunning(number=table_round.number)
            if table_round.ended_at is None:
                c.execute(
                    update(s.table_round)
                    .where(s.table_round.c.id == round_id)
                    .values(ended_at=now())
                )
                _put_live(c, table_round.meeting_id, timer_ends_at=None)
            return record(TableRound, fetch_one(c, s.table_round, round_id))

    def assign(self, round_id: int, table_id: int, participant_ids: Iterable[int]) -> None:
        """Seat participants at a table for a round (each sits at one table per round)."""
        with write(self.engine) as c:
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
        with write(self.engine) as c:
            fetch_one(c, s.table_round, round_id, lock=True)  # as in seat()
            self._seat(c, round_id, None, participant_id)

    def seat(self, round_id: int, seating: Mapping[int, Iterable[int]]) -> list[TableAssignment]:
        """Seat a whole round at once (what :func:`facilitation.tables.mix` proposes).

        The round's earlier seating is replaced. Every table must belong to the
        round's meeting, every participant be registered for it and sit once.
        """
        with write(self.engine) as c:
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
                    if not _is_registered(c, table_round.meeting_id, participant_id):
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
        with read(self.engine) as c:
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
        with read(self.engine) as c:
            for round_ in fetch(c, s.table_round, s.table_round.c.meeting_id == meeting_id):
                found[round_.id] = {}
            for round_id, table_id, participant_id in c.execute(query):
                found[round_id].setdefault(table_id, []).append(participant_id)
        return {r: {t: tuple(p) for t, p in seating.items()} for r, seating in found.items()}

    def table_of(self, round_id: int, participant_id: int) -> ThemedTable | None:
        """The table where a participant sits in a round: her seat, or the table she hosts."""
        with read(self.engine) as c:
            return self._table_of(c, round_id, participant_id)

    @staticmethod
    def _table_of(c: Connection, round_id: int, participant_id: int) -> ThemedTable | None:
        table_round = fetch_one(c, s.table_round, round_id)
        hosted = c.execute(
            select(s.themed_table)
            .where(
                s.themed_table.c.meeting_id == table_round.meeting_id,
                s.themed_table.c.host_id == participant_id,
            )
            .order_by(s.themed_table.c.position)
        ).first()
        if hosted is not None:
            return record(ThemedTable, hosted)
        seated = c.execute(
            select(s.themed_table)
            .join(s.table_assignment, s.table_assignment.c.table_id == s.themed_table.c.id)
            .where(
                s.table_assignment.c.round_id == round_id,
                s.table_assignment.c.participant_id == participant_id,
            )
        ).first()
        return record(ThemedTable, seated) if seated is not None else None

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
        text = text_field(text, _TEXT, limit=5000)
        with write(self.engine) as c:
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
        text = text_field(text, _TEXT, limit=5000)
        with write(self.engine) as c:
            meeting_id = fetch_one(c, s.table_round, round_id).meeting_id
            # The meeting's rounds stay as read (shared locks) until the note is written:
            # the next round cannot start, nor the seating change, in between.
            rounds = _rounds_of(c, meeting_id, share=True)
            table_round = next(r for r in rounds if r.id == round_id)
            person = fetch_one(c, s.participant, participant_id)
            if not _is_registered(c, table_round.meeting_id, participant_id):
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
        with read(self.engine) as c:
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
        with read(self.engine) as c:
            for row in c.execute(query):
                notes = found.setdefault(row.of_table, [])
                if row.text is not None:
                    notes.append(record(TableNote, row))
        return found

    def table_notes_for(self, table_id: int, participant_id: int) -> list[TableNote]:
        """A table's notes as a participant reads them: only one of the table's meeting,
        and never a withdrawn note."""
        with read(self.engine) as c:
            table = fetch_one(c, s.themed_table, table_id)
            person = fetch_one(c, s.participant, participant_id)
            if not _is_registered(c, table.meeting_id, participant_id):
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
        with write(self.engine) as c:
            table_id = fetch_one(c, s.table_note, note_id).table_id
            meeting_id = fetch_one(c, s.themed_table, table_id).meeting_id
            # The meeting's rounds stay as read (shared locks, as for a new note) until the
            # note is marked: the next round cannot start in between. Then the note itself.
            rounds = _rounds_of(c, meeting_id, share=True)
            note = record(TableNote, fetch_one(c, s.table_note, note_id, lock=True))
            if participant_id is not None:
                person = fetch_one(c, s.participant, participant_id)
                if not _is_registered(c, meeting_id, participant_id):
                    raise NotInMeeting(name=person.name)
            tables.check_withdraw_note(rounds, note, participant_id)
            if note.withdrawn_at is None:
                c.execute(
                    update(s.table_note)
                    .where(s.table_note.c.id == note_id)
                    .values(withdrawn_at=now())
                )
            return record(TableNote, fetch_one(c, s.table_note, note_id))

    # --- the live workshop ---------------------------------------------------------------

    def watch(self) -> ChangeWatcher:
        """A cheap way to learn that any page changed the workspace (see ``_watch``)."""
        return ChangeWatcher(self.engine)

    def current_meeting(self) -> Meeting | None:
        """The meeting that is running now (chosen by the facilitator), if any."""
        with read(self.engine) as c:
            meeting_id = c.execute(select(s.workspace.c.current_meeting_id)).scalar()
            return record(Meeting, fetch_one(c, s.meeting, meeting_id)) if meeting_id else None

    def set_current_meeting(self, meeting_id: int | None) -> None:
        with write(self.engine) as c:
            if meeting_id is not None:
                fetch_one(c, s.meeting, meeting_id)
            c.execute(update(s.workspace).values(current_meeting_id=meeting_id))

    def live(self, meeting_id: int) -> LiveState:
        """What the meeting shows now."""
        with read(self.engine) as c:
            row = c.execute(
                select(s.meeting_live).where(s.meeting_live.c.meeting_id == meeting_id)
            ).first()
        return record(LiveState, row) if row is not None else LiveState(meeting_id=meeting_id)

    def _set_live(self, meeting_id: int, **values: Any) -> LiveState:
        with write(self.engine) as c:
            fetch_one(c, s.meeting, meeting_id)
            _put_live(c, meeting_id, **values)
        return self.live(meeting_id)

    def show(
        self, meeting_id: int, screen: Screen | str, subject_id: int | None = None
    ) -> LiveState:
        """Put ``screen`` on the participants' pages (``vote``/``results`` need a round)."""
        screen = _enum(Screen, screen, N_("Screen"))
        subjects = {
            Screen.VOTE: (s.vote_round, N_("choose a vote round of this meeting")),
            Screen.RESULTS: (s.vote_round, N_("choose a vote round of this meeting")),
            Screen.CONSULTATION: (s.consultation, N_("choose a consultation of this meeting")),
            Screen.TABLES: (s.table_round, N_("choose a round of the tables of this meeting")),
        }
        if screen not in subjects:
            subject_id = None
        values: dict[str, Any] = {"screen": screen.value, "subject_id": subject_id}
        if screen is Screen.INTAKE:
            values["intake_open"] = True
        with write(self.engine) as c:  # the subject checked where the screen is written
            if screen in subjects:
                table, problem = subjects[screen]
                query = select(table.c.meeting_id).where(table.c.id == subject_id)
                row = c.execute(query).first()
                if subject_id is None or row is None or row.meeting_id != meeting_id:
                    raise InvalidInput(field=word(N_("Screen")), problem=word(problem))
            fetch_one(c, s.meeting, meeting_id)
            _put_live(c, meeting_id, **values)
        return self.live(meeting_id)

    def set_intake(self, meeting_id: int, open_: bool) -> LiveState:
        """Open or close the intake of challenges."""
        return self._set_live(meeting_id, intake_open=bool(open_))

    def start_timer(self, meeting_id: int, seconds: int) -> LiveState:
        """Start a countdown shown on the projector and the participants' pages."""
        _positive(seconds, N_("Timer"), allow_none=False)
        return self._set_live(meeting_id, timer_ends_at=now() + dt.timedelta(seconds=seconds))

    def stop_timer(self, meeting_id: int) -> LiveState:
        return self._set_live(meeting_id, timer_ends_at=None)

    def open_join(self, meeting_id: int) -> str:
        """Let newcomers join this meeting with a short code; returns the code."""
        code = "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))
        self._set_live(meeting_id, join_code=code)
        return code

    def close_join(self, meeting_id: int) -> None:
        self._set_live(meeting_id, join_code=None)

    def join(
        self,
        code: str,
        name: str,
        *,
        role: str = "",
        municipality_id: int | None = None,
        consent_named: bool = False,
    ) -> tuple[Participant, str]:
        """A newcomer joins the meeting of join code ``code``: her record and personal link.

        In one transaction with the look-up of the code, which stays valid (locked, on
        PostgreSQL) until she is added: nobody joins after "close joining".
        """
        code = (code or "").strip().upper()
        if not code:
            raise UnknownJoinCode()
        with write(self.engine) as c:
            query = select(s.meeting_live.c.meeting_id).where(s.meeting_live.c.join_code == code)
            meeting_id = c.execute(locking(c, query, share=True)).scalar()
            if meeting_id is None:
                raise UnknownJoinCode()
            values = _participant_values(name, role, municipality_id, None, consent_named)
            person = self._insert_participant(c, values, meeting_id)
            return person, _insert_link(c, person.id)

    def links(self, participant_id: int) -> list[str]:
        """The valid personal link tokens of a participant, newest first."""
        with read(self.engine) as c:
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

    def mark_seen(self, meeting_id: int, participant_id: int) -> None:
        """Note that a participant has her page open for a meeting."""
        stamp = now()
        with write(self.engine) as c:
            put(
                c, s.presence, {"meeting_id": meeting_id, "participant_id": participant_id},
                {"last_seen_at": stamp}, on_insert={"first_seen_at": stamp},
            )  # fmt: skip

    def seen(self, meeting_id: int) -> dict[int, dt.datetime]:
        """Participants who have opened their page for a meeting, with when they last did."""
        query = select(s.presence.c.participant_id, s.presence.c.last_seen_at).where(
            s.presence.c.meeting_id == meeting_id
        )
        with read(self.engine) as c:
            return {participant: at for participant, at in c.execute(query)}

    def dots_per_participant(self, round_id: int) -> dict[int, int]:
        """How many dots each participant holds now (for progress: never which topics)."""
        with read(self.engine) as c:
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


def _put_live(c: Connection, meeting_id: int, **values: Any) -> None:
    """Change what a meeting shows now, inside the caller's transaction."""
    put(c, s.meeting_live, {"meeting_id": meeting_id}, {**values, "updated_at": now()})


def _phase_minutes(given: Mapping[ConsultationPhase | str, int]) -> dict[str, int]:
    """Minutes per phase, checked: known phases (not the end), whole minutes, none negative."""
    minutes = {}
    for phase, value in given.items():
        known = _enum(ConsultationPhase, phase, N_("Phase"))
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


def _round_settings(
    n_topics: int,
    *,
    title: str,
    dots_per_person: int | None,
    max_per_topic: int | None,
    visibility: Visibility | str,
    timer_seconds: int | None,
) -> tuple[str, int, int, Visibility, int | None]:
    """A new round's settings for ``n_topics`` topics, checked, with their defaults."""
    if not n_topics:
        raise InvalidInput(
            field=word(N_("Topics")), problem=word(N_("choose at least one topic to vote on"))
        )
    dots = voting.default_dots_per_person(n_topics) if dots_per_person is None else dots_per_person
    _positive(dots, N_("Dots per person"), allow_none=False)
    cap = voting.default_max_per_topic(dots) if max_per_topic is None else max_per_topic
    _positive(cap, N_("Dots per topic"), allow_none=False)
    _positive(timer_seconds, N_("Timer"))
    return title, dots, cap, _enum(Visibility, visibility, N_("Visibility")), timer_seconds


def _lock_meeting(c: Connection, meeting_id: int) -> None:
    """Check that the meeting exists and hold it (on PostgreSQL) while the caller numbers
    something of it: two clicks at once get numbers one after the other.

    ``FOR NO KEY UPDATE``: rows that merely refer to the meeting can still be added.
    """
    query = select(s.meeting.c.id).where(s.meeting.c.id == meeting_id)
    if c.dialect.name == "postgresql":
        query = query.with_for_update(key_share=True)
    if c.execute(query).first() is None:
        raise RecordNotFound(kind=word(N_("meeting")), id=meeting_id)


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
    return [record(TableRound, row) for row in c.execute(query)]


def _is_registered(c: Connection, meeting_id: int, participant_id: int) -> bool:
    return (
        c.execute(
            select(s.meeting_participant.c.participant_id).where(
                s.meeting_participant.c.meeting_id == meeting_id,
                s.meeting_participant.c.participant_id == participant_id,
            )
        ).first()
        is not None
    )


def _participant_values(
    name: str, role: str, municipality_id: int | None, email: str | None, consent_named: bool
) -> dict[str, Any]:
    """A new participant's columns, checked."""
    return {
        "name": text_field(name, _NAME, limit=200),
        "role": text_field(role, N_("Role"), limit=200, required=False),
        "municipality_id": municipality_id,
        "email": _email(email),
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


def _insert_link(c: Connection, participant_id: int) -> str:
    """A new personal link token for a participant, inside the caller's transaction."""
    token = secrets.token_urlsafe(18)
    c.execute(
        insert(s.participant_link).values(
            token=token, participant_id=participant_id, created_at=now()
        )
    )
    return token


def _challenge_values(title: str, description: str, tags: Iterable[str]) -> dict[str, Any]:
    """A new challenge's title, description and tags, checked."""
    return {
        "title": text_field(title, _TITLE, limit=300),
        "description": text_field(description, N_("Description"), limit=5000, required=False),
        "tags": list(dict.fromkeys(t for t in (_tag(tag) for tag in tags) if t)),
    }


def _email(value: str | None) -> str | None:
    cleaned = (value or "").strip()
    if not cleaned:
        return None
    local, at, domain = cleaned.partition("@")
    if not (local and at and "." in domain and " " not in cleaned and len(cleaned) <= 320):
        raise InvalidInput(
            field=word(N_("E-mail")),
            problem=word(N_("{value} is not an e-mail address"), value=cleaned),
        )
    return cleaned


def _tag(value: str) -> str:
    return " ".join(str(value).split())[:80]
