"""The store's record methods, on SQLite and on PostgreSQL (the ``fresh_store`` fixture)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import types
import typing
from collections.abc import Callable, Iterator
from enum import Enum
from typing import Any

import pytest

from facilitation import (
    FacilitationError,
    InvalidInput,
    InvalidTransition,
    NoDotsLeft,
    NothingToTakeBack,
    NotInMeeting,
    RecordNotFound,
    RoundNotOpen,
    Store,
    TextTooLong,
    TopicCapReached,
    TopicNotInRound,
    UnknownLink,
)
from facilitation import voting as voting_rules
from facilitation.i18n import language
from facilitation.models import (
    ActionStatus,
    ConsultationEntry,
    ConsultationPhase,
    ConsultationRole,
    DotAction,
    EntryKind,
    MeetingFormat,
    TableAssignment,
    TieType,
    Visibility,
    VoteState,
)
from facilitation.store import DEFAULT_PHASE_MINUTES


@pytest.fixture(autouse=True)
def german() -> Iterator[None]:
    with language("de"):
        yield


def invalid(call: Callable[[], Any]) -> str:
    """Call, expect :class:`InvalidInput`, and return its German message."""
    with pytest.raises(InvalidInput) as caught:
        call()
    return str(caught.value)


def refused(call: Callable[[], Any]) -> str:
    """Call, expect a :class:`FacilitationError` of a rule, and return its German message."""
    with pytest.raises(FacilitationError) as caught:
        call()
    return str(caught.value)


def check_types(record: Any) -> None:
    """Every field of a record has the type its dataclass declares."""
    hints = typing.get_type_hints(type(record))
    for field in dataclasses.fields(record):
        value = getattr(record, field.name)
        hint = hints[field.name]
        optional = typing.get_origin(hint) in (typing.Union, types.UnionType)
        options = [o for o in typing.get_args(hint) if o is not type(None)] if optional else [hint]
        if value is None:
            assert optional, f"{field.name} is None"
            continue
        (kind,) = options
        if typing.get_origin(kind) is not None:  # tuple[int, ...], dict[str, int]
            assert isinstance(value, typing.get_origin(kind)), (field.name, value)
        elif issubclass(kind, Enum):
            assert type(value) is kind, (field.name, value)
        elif kind is dt.datetime:
            assert type(value) is dt.datetime, (field.name, value)
            assert value.tzinfo is dt.UTC, (field.name, value)
        elif kind is float:
            assert type(value) in (float, int), (field.name, value)
        else:
            assert type(value) is kind, (field.name, value)


# --- the workspace -------------------------------------------------------------------------------


def test_workspace_info_and_its_changes(fresh_store):
    info = fresh_store.info()
    assert info.title == "Peer-Learning Test"
    assert info.description == ""
    check_types(info)
    changed = fresh_store.update_info(title="  Ostsachsen  ", description="Reihe 2026")
    assert (changed.title, changed.description) == ("Ostsachsen", "Reihe 2026")
    assert changed.created_at == info.created_at
    assert invalid(lambda: fresh_store.update_info(title=" ")) == "Titel: darf nicht leer sein"
    assert fresh_store.info() == changed
    assert fresh_store.dialect in ("sqlite", "postgresql")
    assert len(fresh_store.facilitator_key()) >= 20


# --- municipalities and groups -------------------------------------------------------------------


def test_municipality_with_every_field(fresh_store):
    goerlitz = fresh_store.add_municipality(
        " Görlitz ", ags="14626110", state="sn", district="Görlitz", latitude=51.1528,
        longitude=14.9872, population=55784, population_date=dt.date(2023, 12, 31),
        source=" Destatis ",
    )  # fmt: skip
    assert goerlitz.name == "Görlitz"
    assert goerlitz.state == "SN"
    assert goerlitz.source == "Destatis"
    assert (goerlitz.latitude, goerlitz.longitude) == (51.1528, 14.9872)
    assert goerlitz.population_date == dt.date(2023, 12, 31)
    check_types(goerlitz)
    bare = fresh_store.add_municipality("Zittau", ags="  ")
    assert (bare.ags, bare.state, bare.latitude, bare.population) == (None, None, None, None)
    assert fresh_store.municipality(goerlitz.id) == goerlitz
    assert fresh_store.municipality_by_ags("14626110") == goerlitz
    assert fresh_store.municipality_by_ags("00000000") is None
    assert fresh_store.municipalities() == [goerlitz, bare]  # by name


@pytest.mark.parametrize("ags", ["1462611", "146261100", "1462611a", "14 62611"])
def test_official_key_must_have_eight_digits(sqlite_store, ags):
    message = invalid(lambda: sqlite_store.add_municipality("Görlitz", ags=ags))
    assert message.startswith("Amtlicher Gemeindeschlüssel (AGS): muss aus 8 Ziffern bestehen")
    assert sqlite_store.municipalities() == []


def test_municipality_values_are_checked(fresh_store):
    add = fresh_store.add_municipality
    assert invalid(lambda: add("Görlitz", state="Sachsen")).startswith("Bundesland: ")
    assert invalid(lambda: add("Görlitz", latitude=200)) == (
        "Breitengrad: muss zwischen -90 und 90 liegen"
    )
    assert invalid(lambda: add("Görlitz", longitude=-180.5)) == (
        "Längengrad: muss zwischen -180 und 180 liegen"
    )
    assert invalid(lambda: add("Görlitz", population=-1)) == (
        "Einwohnerzahl: darf nicht negativ sein"
    )
    assert invalid(lambda: add("")) == "Name: darf nicht leer sein"
    first = add("Görlitz", ags="14626110")
    message = invalid(lambda: add("Zgorzelec", ags="14626110"))
    assert message == "Amtlicher Gemeindeschlüssel (AGS): 14626110 gehört bereits zu Görlitz"
    assert fresh_store.municipalities() == [first]
    # the edges of the ranges are fine
    edge = add("Nordpol", latitude=90, longitude=-180, population=0)
    assert (edge.latitude, edge.longitude, edge.population) == (90, -180, 0)


def test_find_municipalities_ignores_case_and_accents_and_puts_prefixes_first(fresh_store):
    names = ["Görlitz", "Weißwasser/O.L.", "Großschönau", "Ebersbach-Neugersdorf",
             "Neustadt in Sachsen", "Neukirch/Lausitz", "Bad Muskau"]  # fmt: skip
    made = {name: fresh_store.add_municipality(name) for name in names}
    fresh_store.add_municipality("Zittau", ags="14626610")

    def found(text: str, **options: Any) -> list[str]:
        return [m.name for m in fresh_store.find_municipalities(text, **options)]

    assert found("gorlitz") == ["Görlitz"]
    assert found("GÖRLITZ") == ["Görlitz"]
    assert found("görl") == ["Görlitz"]
    assert found("weisswasser") == ["Weißwasser/O.L."]
    assert found("Weißwasser") == ["Weißwasser/O.L."]
    assert found("grossschonau") == ["Großschönau"]
    assert found("neu") == ["Neukirch/Lausitz", "Neustadt in Sachsen", "Ebersbach-Neugersdorf"]
    assert found("neu", limit=2) == ["Neukirch/Lausitz", "Neustadt in Sachsen"]
    assert found("  muskau ") == ["Bad Muskau"]
    assert found("14626610") == ["Zittau"]
    assert found("") == []
    assert found("   ") == []
    assert found("Dresden") == []
    assert fresh_store.find_municipalities("görlitz") == [made["Görlitz"]]


def test_groups_of_municipalities(fresh_store):
    a = fresh_store.add_municipality("Görlitz")
    b = fresh_store.add_municipality("Zittau")
    c = fresh_store.add_municipality("Löbau")
    east = fresh_store.add_group("ost", "Städte im Osten", municipality_ids=[c.id, a.id, a.id])
    assert east.key == "ost"
    assert east.kind == "city_network"
    assert east.municipality_ids == (a.id, c.id)
    empty = fresh_store.add_group("leer", "Noch leer", kind="region")
    assert fresh_store.groups() == [east, empty]
    assert empty.municipality_ids == ()
    with pytest.raises(RecordNotFound):
        fresh_store.add_group("falsch", "Mit Unbekannter", municipality_ids=[b.id, 999])
    assert [g.key for g in fresh_store.groups()] == ["ost", "leer"]  # nothing half-written
    assert invalid(lambda: fresh_store.add_group("", "X")) == "Kürzel: darf nicht leer sein"


def test_a_group_key_is_taken_only_once(fresh_store):
    first = fresh_store.add_group("ost", "Städte im Osten")
    message = invalid(lambda: fresh_store.add_group("ost", "Noch einmal Osten"))
    assert message.startswith("Kürzel: ")
    assert "ost" in message
    assert fresh_store.groups() == [first]


# --- meetings and agenda -------------------------------------------------------------------------


def test_meetings_and_their_agenda(fresh_store):
    host = fresh_store.add_municipality("Görlitz")
    kickoff = fresh_store.add_meeting(
        "Auftakt", date=dt.date(2026, 3, 12), place="Rathaus Görlitz", format="forum",
        host_municipality_id=host.id,
    )  # fmt: skip
    assert kickoff.format is MeetingFormat.FORUM
    assert kickoff.date == dt.date(2026, 3, 12)
    check_types(kickoff)
    earlier = fresh_store.add_meeting("Vortreffen", date=dt.date(2026, 1, 20))
    assert earlier.format is MeetingFormat.PEER_LEARNING
    assert earlier.place == ""
    assert fresh_store.meetings() == [earlier, kickoff]  # by date
    assert fresh_store.meeting(kickoff.id) == kickoff

    moved = fresh_store.update_meeting(earlier.id, date=dt.date(2026, 4, 1), format="digital")
    assert moved.format is MeetingFormat.DIGITAL
    assert fresh_store.meetings() == [kickoff, moved]
    with pytest.raises(TypeError):
        fresh_store.update_meeting(earlier.id, created_at=dt.datetime.now(dt.UTC))
    assert invalid(lambda: fresh_store.add_meeting("X", format="party")).startswith("Format: ")
    with pytest.raises(RecordNotFound):
        fresh_store.add_meeting("X", host_municipality_id=999)

    welcome = fresh_store.add_agenda_item(
        kickoff.id, "Begrüßung", starts_at=dt.time(9, 30), minutes=15, kind="talk"
    )
    vote = fresh_store.add_agenda_item(kickoff.id, "Punktabfrage", minutes=0)
    other = fresh_store.add_agenda_item(moved.id, "Rückblick")
    harvest = fresh_store.add_agenda_item(kickoff.id, "Ernte im Plenum")
    assert [i.position for i in (welcome, vote, harvest)] == [1, 2, 3]
    assert other.position == 1  # positions count per meeting
    assert fresh_store.agenda(kickoff.id) == [welcome, vote, harvest]
    assert welcome.starts_at == dt.time(9, 30)
    for item in (welcome, vote):
        check_types(item)
    assert invalid(lambda: fresh_store.add_agenda_item(kickoff.id, "X", minutes=-5)) == (
        "Minuten: darf nicht negativ sein"
    )
    with pytest.raises(RecordNotFound):
        fresh_store.add_agenda_item(999, "Nirgends")


def test_undated_meetings_and_actions_sort_the_same_on_every_database(fresh_store):
    """Meetings without a date and actions without a due date come last, on both databases."""
    undated = fresh_store.add_meeting("Termin offen")
    dated = fresh_store.add_meeting("Auftakt", date=dt.date(2026, 3, 12))
    assert [m.title for m in fresh_store.meetings()] == [dated.title, undated.title]
    someday = fresh_store.add_action("Irgendwann")
    soon = fresh_store.add_action("Bald", due=dt.date(2026, 4, 1))
    assert [a.title for a in fresh_store.actions()] == [soon.title, someday.title]


def test_changing_a_reference_to_an_unknown_record_is_refused(fresh_store):
    meeting = fresh_store.add_meeting("Auftakt")
    person = fresh_store.add_participant("Anna")
    with pytest.raises(RecordNotFound) as caught:
        fresh_store.update_participant(person.id, municipality_id=999)
    assert str(caught.value) == "Kommune Nr. 999 gibt es in diesem Arbeitsbereich nicht."
    with pytest.raises(RecordNotFound):
        fresh_store.update_meeting(meeting.id, host_municipality_id=999)
    assert fresh_store.participant(person.id) == person
    assert fresh_store.meeting(meeting.id) == meeting


# --- participants and links ----------------------------------------------------------------------


def test_participants_and_their_meetings(fresh_store):
    town = fresh_store.add_municipality("Görlitz")
    kickoff = fresh_store.add_meeting("Auftakt")
    second = fresh_store.add_meeting("Zweites Treffen")
    anna = fresh_store.add_participant(
        "Anna Schmidt", role="Bürgermeisterin", municipality_id=town.id,
        email=" anna@goerlitz.example ", consent_named=True, meeting_id=kickoff.id,
    )  # fmt: skip
    assert anna.email == "anna@goerlitz.example"
    assert anna.consent_named is True
    check_types(anna)
    bernd = fresh_store.add_participant("Bernd Müller", email="")
    assert bernd.email is None
    assert bernd.consent_named is False
    assert fresh_store.participants() == [anna, bernd]
    assert fresh_store.participants(kickoff.id) == [anna]
    assert fresh_store.participants(second.id) == []

    fresh_store.register(kickoff.id, bernd.id)
    fresh_store.register(kickoff.id, bernd.id)  # twice changes nothing
    fresh_store.register(second.id, bernd.id)
    assert fresh_store.participants(kickoff.id) == [anna, bernd]
    fresh_store.unregister(kickoff.id, anna.id)
    fresh_store.unregister(kickoff.id, anna.id)
    assert fresh_store.participants(kickoff.id) == [bernd]
    assert fresh_store.participants(second.id) == [bernd]
    assert fresh_store.participants() == [anna, bernd]  # still in the series

    renamed = fresh_store.update_participant(bernd.id, name="Bernd Müller-Lüdenscheidt")
    assert renamed.name == "Bernd Müller-Lüdenscheidt"
    assert fresh_store.participant(bernd.id) == renamed
    with pytest.raises(TypeError):
        fresh_store.update_participant(bernd.id, id=5)
    with pytest.raises(RecordNotFound):
        fresh_store.register(kickoff.id, 999)
    with pytest.raises(RecordNotFound):
        fresh_store.register(999, anna.id)
    with pytest.raises(RecordNotFound):
        fresh_store.add_participant("Clara", meeting_id=999)
    assert len(fresh_store.participants()) == 2  # nothing half-written


def test_personal_links(fresh_store):
    anna = fresh_store.add_participant("Anna")
    bernd = fresh_store.add_participant("Bernd")
    first = fresh_store.create_link(anna.id)
    second = fresh_store.create_link(anna.id)
    bernds = fresh_store.create_link(bernd.id)
    assert len({first, second, bernds}) == 3
    assert all(len(token) >= 20 for token in (first, second, bernds))
    assert fresh_store.participant_for_link(first) == anna
    assert fresh_store.participant_for_link(second) == anna
    assert fresh_store.participant_for_link(bernds) == bernd

    fresh_store.revoke_link(first)
    with pytest.raises(UnknownLink) as caught:
        fresh_store.participant_for_link(first)
    assert "nicht (mehr) gültig" in str(caught.value)
    assert fresh_store.participant_for_link(second) == anna  # other links stay valid
    fresh_store.revoke_link(first)  # again: nothing happens
    fresh_store.revoke_link("no-such-token")
    for token in ("no-such-token", "", first.upper() if first.upper() != first else "x" + first):
        with pytest.raises(UnknownLink):
            fresh_store.participant_for_link(token)
    with pytest.raises(RecordNotFound):
        fresh_store.create_link(999)


def test_personal_links_of_a_meeting_are_made_once_and_renewed_at_once(fresh_store):
    meeting = fresh_store.add_meeting("Auftakt").id
    anna = fresh_store.add_participant("Anna", meeting_id=meeting).id
    bernd = fresh_store.add_participant("Bernd", meeting_id=meeting).id
    fresh_store.add_participant("Clara")  # not registered for the meeting: no link made
    old = fresh_store.create_link(anna)
    newest = fresh_store.create_link(anna)
    links = fresh_store.personal_links(meeting)
    assert set(links) == {anna, bernd}
    assert links[anna] == newest and fresh_store.links(bernd) == [links[bernd]]
    assert fresh_store.personal_links(meeting) == links  # asked again: nothing new
    assert fresh_store.participant_for_link(old).id == anna

    renewed = fresh_store.renew_link(anna)
    assert fresh_store.links(anna) == [renewed]
    for token in (old, newest):
        with pytest.raises(UnknownLink):
            fresh_store.participant_for_link(token)
    assert fresh_store.personal_links(meeting)[anna] == renewed
    with pytest.raises(RecordNotFound):
        fresh_store.renew_link(999)
    assert fresh_store.personal_links(fresh_store.add_meeting("Leer").id) == {}


# --- challenges and topics -----------------------------------------------------------------------


def test_challenges_with_tags_and_municipality(fresh_store):
    goerlitz = fresh_store.add_municipality("Görlitz")
    zittau = fresh_store.add_municipality("Zittau")
    meeting = fresh_store.add_meeting("Auftakt")
    other = fresh_store.add_meeting("Später")
    anna = fresh_store.add_participant("Anna", municipality_id=goerlitz.id)
    nobody = fresh_store.add_participant("Ohne Kommune")

    own = fresh_store.add_challenge(
        meeting.id, "Leerstand in der Innenstadt", description="Läden stehen leer.",
        participant_id=anna.id, tags=["  Innenstadt ", "Demografie", "Innen  stadt", "",
                                      "Demografie", "x" * 40],
    )  # fmt: skip
    assert own.municipality_id == goerlitz.id  # the participant's by default
    assert own.tags == ("Demografie", "Innen stadt", "Innenstadt", "x" * 40)
    with pytest.raises(TextTooLong):  # a longer keyword is refused, not cut
        fresh_store.add_challenge(meeting.id, "Zu lang", tags=["x" * 61])
    check_types(own)
    elsewhere = fresh_store.add_challenge(
        meeting.id, "Busverbindungen", participant_id=anna.id, municipality_id=zittau.id
    )
    assert elsewhere.municipality_id == zittau.id
    assert elsewhere.tags == ()
    anonymous = fresh_store.add_challenge(meeting.id, "Fachkräfte", participant_id=nobody.id)
    assert anonymous.municipality_id is None
    later = fresh_store.add_challenge(other.id, "Digitalisierung")

    assert fresh_store.challenges(meeting.id) == [own, elsewhere, anonymous]
    assert fresh_store.challenges() == [own, elsewhere, anonymous, later]
    with pytest.raises(RecordNotFound):
        fresh_store.add_challenge(999, "Nirgends")
    with pytest.raises(RecordNotFound):
        fresh_store.add_challenge(meeting.id, "Von Unbekannt", participant_id=999)
    with pytest.raises(RecordNotFound):
        fresh_store.add_challenge(meeting.id, "Unbekannte Kommune", municipality_id=999)
    assert len(fresh_store.challenges()) == 4


def test_topics_keep_the_challenges_they_came_from(fresh_store):
    meeting = fresh_store.add_meeting("Auftakt")
    other = fresh_store.add_meeting("Später")
    c1 = fresh_store.add_challenge(meeting.id, "Leerstand")
    c2 = fresh_store.add_challenge(meeting.id, "Läden schließen")
    c3 = fresh_store.add_challenge(other.id, "Anderes Treffen")
    merged = fresh_store.add_topic(
        meeting.id, "Innenstädte beleben", description="zusammengeführt",
        challenge_ids=[c2.id, c1.id, c2.id],
    )  # fmt: skip
    assert merged.challenge_ids == (c1.id, c2.id)
    check_types(merged)
    fresh = fresh_store.add_topic(meeting.id, "Neues Thema")
    assert fresh.challenge_ids == ()
    assert fresh_store.topics(meeting.id) == [merged, fresh]
    assert fresh_store.topic(merged.id) == merged

    message = invalid(lambda: fresh_store.add_topic(meeting.id, "Gemischt", challenge_ids=[c3.id]))
    assert message == f"Herausforderungen: Herausforderung {c3.id} gehört zu einem anderen Treffen"
    assert fresh_store.topics() == [merged, fresh]
    with pytest.raises(RecordNotFound) as caught:
        fresh_store.topic(999)
    assert str(caught.value) == "Thema Nr. 999 gibt es in diesem Arbeitsbereich nicht."


# --- dot-voting ----------------------------------------------------------------------------------


@pytest.fixture
def voting(fresh_store: Store) -> dict[str, Any]:
    """A meeting with six topics and three registered participants."""
    meeting = fresh_store.add_meeting("Auftakt")
    people = [fresh_store.add_participant(name, meeting_id=meeting.id)
              for name in ("Anna", "Bernd", "Clara")]  # fmt: skip
    topics = [fresh_store.add_topic(meeting.id, f"Thema {i}") for i in range(1, 7)]
    return {"store": fresh_store, "meeting": meeting, "people": people, "topics": topics}


def test_vote_round_defaults(voting):
    store, meeting, topics = voting["store"], voting["meeting"], voting["topics"]
    extra = [store.add_topic(meeting.id, f"Mehr {i}") for i in range(40)]
    every = [t.id for t in topics + extra]
    # (number of topics, dots per person, cap per topic)
    for n, dots, cap in [(1, 1, 1), (2, 1, 1), (3, 1, 1), (6, 2, 2), (9, 3, 3), (12, 4, 3),
                         (46, 10, 3)]:  # fmt: skip
        vote_round = store.create_round(meeting.id, every[:n])
        assert (vote_round.dots_per_person, vote_round.max_per_topic) == (dots, cap), n
        assert vote_round.dots_per_person == max(1, min(voting_rules.DOTS_CAP, n // 3))
    first = store.vote_rounds(meeting.id)[0]
    assert first.title == "Punktabfrage 1"
    assert [r.title for r in store.vote_rounds()] == [f"Punktabfrage {i}" for i in range(1, 8)]
    assert first.state is VoteState.DRAFT
    assert first.visibility is Visibility.SECRET
    assert (first.opened_at, first.closed_at, first.revealed_at) == (None, None, None)
    check_types(first)

    chosen = store.create_round(
        meeting.id, [every[3], every[1], every[3]], title="Favoriten", dots_per_person=5,
        max_per_topic=4, visibility="live", timer_seconds=300,
    )  # fmt: skip
    assert chosen.topic_ids == (every[3], every[1])  # order kept, duplicates dropped
    assert (chosen.dots_per_person, chosen.max_per_topic) == (5, 4)
    assert chosen.visibility is Visibility.LIVE
    assert chosen.timer_seconds == 300
    assert store.vote_round(chosen.id) == chosen


def test_vote_round_settings_are_checked(voting):
    store, meeting, topics = voting["store"], voting["meeting"], voting["topics"]
    ids = [t.id for t in topics]
    other = store.add_meeting("Anderes Treffen")
    foreign = store.add_topic(other.id, "Fremd")
    assert invalid(lambda: store.create_round(meeting.id, [])).startswith("Themen: ")
    assert invalid(lambda: store.create_round(meeting.id, [ids[0], foreign.id])) == (
        f"Themen: Thema {foreign.id} gehört zu einem anderen Treffen"
    )
    assert invalid(lambda: store.create_round(meeting.id, ids, dots_per_person=-1)) == (
        "Punkte pro Person: muss größer als null sein"
    )
    assert invalid(lambda: store.create_round(meeting.id, ids, max_per_topic=-2)).startswith(
        "Punkte pro Thema: "
    )
    assert invalid(lambda: store.create_round(meeting.id, ids, timer_seconds=0)).startswith(
        "Zeitvorgabe: "
    )
    assert invalid(lambda: store.create_round(meeting.id, ids, visibility="halb")).startswith(
        "Sichtbarkeit: "
    )
    with pytest.raises(RecordNotFound):
        store.create_round(meeting.id, [999])
    assert store.vote_rounds() == []


def test_zero_or_negative_numbers_of_dots_and_minutes_are_refused(voting):
    store, meeting = voting["store"], voting["meeting"]
    ids = [t.id for t in voting["topics"]]
    assert invalid(lambda: store.create_round(meeting.id, ids, dots_per_person=0)) == (
        "Punkte pro Person: muss größer als null sein"
    )
    assert invalid(lambda: store.create_round(meeting.id, ids, max_per_topic=0)) == (
        "Punkte pro Thema: muss größer als null sein"
    )
    assert store.vote_rounds() == []
    message = invalid(
        lambda: store.add_consultation(meeting.id, "Fall", phase_minutes={"casting": -5})
    )
    assert "negativ" in message
    assert store.consultations() == []


def test_vote_round_transitions(voting):
    store, meeting, topics = voting["store"], voting["meeting"], voting["topics"]
    vote_round = store.create_round(meeting.id, [t.id for t in topics])
    for wrong in (store.close_round, store.reveal_round):
        with pytest.raises(InvalidTransition) as caught:
            wrong(vote_round.id)
    assert str(caught.value) == (
        "Eine Punktabfrage, die in Vorbereitung ist, kann nicht aufgedeckt werden."
    )
    opened = store.open_round(vote_round.id)
    assert opened.state is VoteState.OPEN
    assert opened.opened_at is not None and opened.opened_at.tzinfo is dt.UTC
    with pytest.raises(InvalidTransition):
        store.open_round(vote_round.id)
    with pytest.raises(InvalidTransition):
        store.reveal_round(vote_round.id)
    closed = store.close_round(vote_round.id)
    assert closed.state is VoteState.CLOSED
    assert closed.closed_at >= closed.opened_at
    reopened = store.open_round(vote_round.id)
    assert reopened.state is VoteState.OPEN
    assert reopened.opened_at >= closed.closed_at
    store.close_round(vote_round.id)
    revealed = store.reveal_round(vote_round.id)
    assert revealed.state is VoteState.REVEALED
    assert revealed.revealed_at is not None
    check_types(revealed)
    for wrong in (store.open_round, store.close_round, store.reveal_round):
        with pytest.raises(InvalidTransition):
            wrong(vote_round.id)
    assert store.vote_round(vote_round.id) == revealed
    with pytest.raises(RecordNotFound):
        store.open_round(999)


def test_placing_and_taking_back_dots_follows_the_rules(voting):
    store, meeting = voting["store"], voting["meeting"]
    anna, bernd, _ = voting["people"]
    t1, t2, t3, t4, *_ = (t.id for t in voting["topics"])
    outside = store.add_topic(meeting.id, "Nicht in der Runde").id
    vote_round = store.create_round(
        meeting.id, [t1, t2, t3, t4], dots_per_person=3, max_per_topic=2
    ).id

    with pytest.raises(RoundNotOpen) as caught:
        store.place_dot(vote_round, anna.id, t1)
    assert "sie ist in Vorbereitung" in str(caught.value)
    store.open_round(vote_round)

    store.place_dot(vote_round, anna.id, t1)
    store.place_dot(vote_round, anna.id, t1)
    with pytest.raises(TopicCapReached) as caught:
        store.place_dot(vote_round, anna.id, t1)
    assert "2 Punkte auf diesem Thema" in str(caught.value)
    store.place_dot(vote_round, anna.id, t2)
    with pytest.raises(NoDotsLeft) as caught:
        store.place_dot(vote_round, anna.id, t3)
    assert "alle 3 Punkte" in str(caught.value)
    with pytest.raises(TopicNotInRound):
        store.place_dot(vote_round, bernd.id, outside)
    with pytest.raises(TopicNotInRound):
        store.take_back_dot(vote_round, anna.id, outside)
    with pytest.raises(NothingToTakeBack):
        store.take_back_dot(vote_round, anna.id, t3)
    with pytest.raises(NothingToTakeBack):
        store.take_back_dot(vote_round, bernd.id, t1)  # only one's own dots

    # moving a dot: take one back, place it elsewhere
    store.take_back_dot(vote_round, anna.id, t1)
    store.place_dot(vote_round, anna.id, t3)
    assert store.my_dots(vote_round, anna.id) == {t1: 1, t2: 1, t3: 1}
    assert store.my_dots(vote_round, bernd.id) == {}

    # registration is checked: not registered (any more) means no dots
    guest = store.add_participant("Gast ohne Anmeldung")
    with pytest.raises(NotInMeeting) as caught:
        store.place_dot(vote_round, guest.id, t1)
    assert str(caught.value).startswith("Gast ohne Anmeldung ist für dieses Treffen nicht")
    store.unregister(meeting.id, bernd.id)
    with pytest.raises(NotInMeeting):
        store.place_dot(vote_round, bernd.id, t1)
    with pytest.raises(RecordNotFound):
        store.place_dot(vote_round, 999, t1)
    with pytest.raises(RecordNotFound):
        store.place_dot(999, anna.id, t1)

    store.close_round(vote_round)
    with pytest.raises(RoundNotOpen) as caught:
        store.take_back_dot(vote_round, anna.id, t1)
    assert "sie ist geschlossen" in str(caught.value)
    # refused attempts left no trace
    assert len(store.dot_events(vote_round)) == 5
    assert store.tally(vote_round) == {t1: 1, t2: 1, t3: 1, t4: 0}


def test_every_dot_is_kept_with_its_time_and_any_moment_can_be_recomputed(voting):
    store, meeting = voting["store"], voting["meeting"]
    anna, bernd, clara = voting["people"]
    t1, t2, t3, *_ = (t.id for t in voting["topics"])
    vote_round = store.create_round(meeting.id, [t1, t2, t3], dots_per_person=2).id
    other_round = store.create_round(meeting.id, [t1, t2], dots_per_person=1).id
    store.open_round(vote_round)
    store.open_round(other_round)

    steps = [(anna, t1, "place"), (bernd, t2, "place"), (anna, t2, "place"),
             (clara, t2, "place"), (anna, t1, "take_back"), (anna, t3, "place"),
             (bernd, t2, "take_back"), (bernd, t1, "place")]  # fmt: skip
    returned, seen = [], []
    for person, topic, action in steps:
        do = store.place_dot if action == "place" else store.take_back_dot
        returned.append(do(vote_round, person.id, topic))
        seen.append(store.tally(vote_round))  # what the wall showed just after
    store.place_dot(other_round, clara.id, t1)

    events = store.dot_events(vote_round)
    assert events == returned
    assert [(e.participant_id, e.topic_id, e.action) for e in events] == [
        (p.id, t, DotAction(a)) for p, t, a in steps
    ]
    assert [e.id for e in events] == sorted(e.id for e in events)
    assert all(a.at < b.at for a, b in itertools.pairwise(events))
    for event in events:
        check_types(event)
    assert len(store.dot_events()) == len(steps) + 1

    assert store.tally(vote_round, at=events[0].at - dt.timedelta(seconds=1)) == {
        t1: 0, t2: 0, t3: 0
    }  # fmt: skip
    for event, then in zip(events, seen, strict=True):
        assert store.tally(vote_round, at=event.at) == then
    assert store.tally(vote_round) == seen[-1] == {t1: 1, t2: 2, t3: 1}
    assert store.tally(other_round) == {t1: 1, t2: 0}
    assert voting_rules.voters(events) == {anna.id, bernd.id, clara.id}


def test_further_round_over_the_leaders_including_ties(voting):
    store, meeting = voting["store"], voting["meeting"]
    anna, bernd, clara = voting["people"]
    t1, t2, t3, t4, t5, _ = (t.id for t in voting["topics"])
    first = store.create_round(meeting.id, [t1, t2, t3, t4, t5], dots_per_person=3)
    store.open_round(first.id)
    for person, topic in [(anna, t2), (anna, t3), (anna, t4), (bernd, t2), (bernd, t3),
                          (bernd, t4), (clara, t1), (clara, t5), (clara, t2)]:  # fmt: skip
        store.place_dot(first.id, person.id, topic)
    store.close_round(first.id)
    assert store.tally(first.id) == {t1: 1, t2: 3, t3: 2, t4: 2, t5: 1}
    store.reveal_round(first.id)  # a further round takes the leaders the room has seen

    further = store.further_round(first.id, 2, title="Stichwahl", dots_per_person=1)
    assert further.topic_ids == (t2, t3, t4)  # t3 and t4 share the second place
    assert further.parent_round_id == first.id
    assert further.title == "Stichwahl"
    assert further.state is VoteState.DRAFT
    assert further.dots_per_person == 1
    only_top = store.further_round(first.id, 1)
    assert only_top.topic_ids == (t2,)
    tied_tail = store.further_round(first.id, 4)
    assert tied_tail.topic_ids == (t2, t3, t4, t1, t5)


# --- collegial consultation ----------------------------------------------------------------------


def test_consultation_phases_and_minutes(fresh_store):
    meeting = fresh_store.add_meeting("Werkstatt")
    standard = fresh_store.add_consultation(meeting.id, "Fall Görlitz")
    assert standard.phase is ConsultationPhase.CASTING
    assert standard.phase_started_at is None
    assert standard.phase_minutes == DEFAULT_PHASE_MINUTES
    assert set(standard.phase_minutes) == {p.value for p in ConsultationPhase} - {"done"}
    assert standard.confidential is True
    assert standard.include_in_export is False
    assert standard.variant == "standard"
    check_types(standard)

    flying = fresh_store.add_consultation(
        meeting.id, "Fliegende Werkstatt Weißwasser", variant="fliegende_werkstatt",
        key_question="Wie gewinnen wir junge Familien?", method="kopfstand",
        phase_minutes={ConsultationPhase.CONSULTATION: 45, "closing": 10},
        confidential=False, include_in_export=True,
    )  # fmt: skip
    # The variant's own minutes (a longer account on site), then the ones given.
    assert flying.phase_minutes == {
        **DEFAULT_PHASE_MINUTES, "case_account": 30, "key_question": 10, "consultation": 45,
        "closing": 10,
    }  # fmt: skip
    assert flying.key_question == "Wie gewinnen wir junge Familien?"
    assert (flying.confidential, flying.include_in_export) == (False, True)
    assert fresh_store.consultations(meeting.id) == [standard, flying]

    # A phase waits for what it needs: roles, then the key question, then the method.
    anna = fresh_store.add_participant("Anna", meeting_id=meeting.id)
    bernd = fresh_store.add_participant("Bernd", meeting_id=meeting.id)
    assert refused(lambda: fresh_store.set_phase(standard.id, "key_question")) == (
        "Die Phase „Schlüsselfrage“ kann noch nicht beginnen: keine Fallgeberin und kein "
        "Fallgeber besetzt; keine Beraterin und kein Berater besetzt."
    )
    fresh_store.set_roles(standard.id, {anna.id: "case_giver", bernd.id: "consultant"})
    moved = fresh_store.set_phase(standard.id, "key_question")
    assert moved.phase is ConsultationPhase.KEY_QUESTION
    assert moved.phase_started_at is not None and moved.phase_started_at.tzinfo is dt.UTC
    back = fresh_store.set_phase(standard.id, ConsultationPhase.CASE_ACCOUNT)  # back is allowed
    assert back.phase is ConsultationPhase.CASE_ACCOUNT
    assert back.phase_started_at >= moved.phase_started_at
    assert refused(lambda: fresh_store.set_phase(standard.id, ConsultationPhase.DONE)) == (
        "Die Phase „Beendet“ kann noch nicht beginnen: die Schlüsselfrage ist noch nicht "
        "festgehalten; noch keine Methode gewählt."
    )
    changed = fresh_store.update_consultation(standard.id, key_question="Neu?", method="hypothesen")
    done = fresh_store.set_phase(standard.id, ConsultationPhase.DONE)
    assert fresh_store.consultation(standard.id) == done
    assert (changed.key_question, changed.method) == ("Neu?", "hypothesen")

    assert invalid(lambda: fresh_store.set_phase(standard.id, "pause")).startswith("Phase: ")
    assert invalid(lambda: fresh_store.update_consultation(standard.id, method="raten")).startswith(
        "Methode: "
    )
    assert invalid(lambda: fresh_store.add_consultation(meeting.id, "X", variant="y")) == (
        "Variante: muss standard oder fliegende_werkstatt sein"
    )
    assert invalid(
        lambda: fresh_store.add_consultation(meeting.id, "X", phase_minutes={"lunch": 5})
    ).startswith("Phase: ")
    assert len(fresh_store.consultations()) == 2


def test_consultation_roles(fresh_store):
    meeting = fresh_store.add_meeting("Werkstatt")
    anna = fresh_store.add_participant("Anna", meeting_id=meeting.id)
    bernd = fresh_store.add_participant("Bernd", meeting_id=meeting.id)
    clara = fresh_store.add_participant("Clara", meeting_id=meeting.id)
    guest = fresh_store.add_participant("Gast")
    consultation = fresh_store.add_consultation(meeting.id, "Fall").id

    fresh_store.set_role(consultation, anna.id, ConsultationRole.CASE_GIVER)
    fresh_store.set_role(consultation, bernd.id, "moderator")
    fresh_store.set_role(consultation, clara.id, "consultant")
    roles = fresh_store.roles(consultation)
    assert {(r.participant_id, r.role) for r in roles} == {
        (anna.id, ConsultationRole.CASE_GIVER),
        (bernd.id, ConsultationRole.MODERATOR),
        (clara.id, ConsultationRole.CONSULTANT),
    }
    for role in roles:
        check_types(role)

    fresh_store.set_role(consultation, clara.id, "secretary")  # one role per person
    fresh_store.set_role(consultation, bernd.id, None)  # removed
    assert {(r.participant_id, r.role) for r in fresh_store.roles(consultation)} == {
        (anna.id, ConsultationRole.CASE_GIVER),
        (clara.id, ConsultationRole.SECRETARY),
    }
    with pytest.raises(NotInMeeting) as caught:
        fresh_store.set_role(consultation, guest.id, "observer")
    assert "Gast" in str(caught.value)
    fresh_store.set_role(consultation, guest.id, None)  # removing is always fine
    assert invalid(lambda: fresh_store.set_role(consultation, anna.id, "chef")).startswith(
        "Funktion: "
    )
    assert len(fresh_store.roles(consultation)) == 2
    with pytest.raises(RecordNotFound):
        fresh_store.set_role(999, anna.id, "observer")


def test_consultation_entries_in_the_current_phase(fresh_store):
    meeting = fresh_store.add_meeting("Werkstatt")
    anna = fresh_store.add_participant("Anna", meeting_id=meeting.id)
    consultation = fresh_store.add_consultation(meeting.id, "Fall").id
    question = fresh_store.add_entry(consultation, "Seit wann?", kind="question")
    assert question.phase is ConsultationPhase.CASTING
    assert question.kind is EntryKind.QUESTION
    assert question.participant_id is None
    bernd = fresh_store.add_participant("Bernd", meeting_id=meeting.id)
    fresh_store.set_roles(consultation, {bernd.id: "case_giver", anna.id: "consultant"})
    fresh_store.update_consultation(consultation, key_question="Wie?", method="brainstorming")
    fresh_store.set_phase(consultation, ConsultationPhase.CONSULTATION)
    idea = fresh_store.add_entry(consultation, "Zwischennutzung", participant_id=anna.id)
    assert (idea.phase, idea.kind, idea.taken) == (
        ConsultationPhase.CONSULTATION, EntryKind.IDEA, False
    )  # fmt: skip
    note = fresh_store.add_entry(consultation, "Protokoll", kind=EntryKind.NOTE, phase="closing")
    assert note.phase is ConsultationPhase.CLOSING
    check_types(idea)

    taken = fresh_store.mark_taken(idea.id)
    assert taken.taken is True
    assert fresh_store.entries(consultation) == [question, taken, note]
    assert fresh_store.mark_taken(idea.id, False).taken is False
    assert isinstance(taken, ConsultationEntry)
    assert invalid(lambda: fresh_store.add_entry(consultation, " ")) == "Text: darf nicht leer sein"
    assert invalid(lambda: fresh_store.add_entry(consultation, "x", kind="joke")).startswith(
        "Art: "
    )
    with pytest.raises(RecordNotFound):
        fresh_store.mark_taken(999)
    with pytest.raises(RecordNotFound):
        fresh_store.add_entry(999, "Nirgends")


# --- ties ----------------------------------------------------------------------------------------


def test_ties_between_municipalities(fresh_store):
    a = fresh_store.add_municipality("Görlitz")
    b = fresh_store.add_municipality("Zittau")
    c = fresh_store.add_municipality("Löbau")
    meeting = fresh_store.add_meeting("Netzwerktreffen")
    anna = fresh_store.add_participant("Anna")

    cooperation = fresh_store.add_tie(a.id, b.id, topic="Tourismus")
    assert cooperation.type is TieType.COOPERATES
    assert cooperation.directed is False
    assert cooperation.weight == 1.0
    check_types(cooperation)
    learning = fresh_store.add_tie(
        c.id, a.id, type="learns_from", weight=2.5, meeting_id=meeting.id, declared_by=anna.id
    )
    assert learning.type is TieType.LEARNS_FROM
    assert learning.directed is True  # "learns from" points one way by default
    assert (learning.meeting_id, learning.declared_by, learning.weight) == (
        meeting.id,
        anna.id,
        2.5,
    )
    undirected = fresh_store.add_tie(b.id, c.id, type=TieType.LEARNS_FROM, directed=False)
    assert undirected.directed is False
    directed = fresh_store.add_tie(b.id, a.id, type="partner_network", directed=True, source="x")
    assert directed.directed is True

    assert invalid(lambda: fresh_store.add_tie(a.id, a.id)) == (
        "Beziehung: eine Kommune kann keine Beziehung zu sich selbst haben"
    )
    for weight in (0, -1.5):
        assert invalid(lambda w=weight: fresh_store.add_tie(a.id, b.id, weight=w)) == (
            "Stärke: muss größer als null sein"
        )
    assert invalid(lambda: fresh_store.add_tie(a.id, b.id, type="hates")).startswith("Art: ")
    with pytest.raises(RecordNotFound):
        fresh_store.add_tie(a.id, 999)
    assert fresh_store.ties() == [cooperation, learning, undirected, directed]
    assert fresh_store.ties(meeting.id) == [learning]


# --- action items --------------------------------------------------------------------------------


def test_actions_keep_their_history_and_can_be_filtered(fresh_store):
    kickoff = fresh_store.add_meeting("Auftakt", date=dt.date(2026, 3, 12))
    second = fresh_store.add_meeting("Zweites Treffen", date=dt.date(2026, 6, 4))
    anna = fresh_store.add_participant("Anna")
    bernd = fresh_store.add_participant("Bernd")
    survey = fresh_store.add_action(
        "Leerstand erfassen", meeting_id=kickoff.id, owner_id=anna.id, due=dt.date(2026, 5, 1),
        origin="consultation", origin_id=1, notes="mit IHK",
    )  # fmt: skip
    assert survey.status is ActionStatus.OPEN
    assert survey.created_at == survey.updated_at
    check_types(survey)
    letter = fresh_store.add_action(
        "Brief an das Ministerium", meeting_id=kickoff.id, due=dt.date(2026, 4, 1), status="done"
    )

    started = fresh_store.update_action(
        survey.id, status="in_progress", note="begonnen", meeting_id=second.id
    )
    assert started.status is ActionStatus.IN_PROGRESS
    assert started.updated_at >= survey.updated_at
    assert started.created_at == survey.created_at
    handed_over = fresh_store.update_action(survey.id, note="übergeben", owner_id=bernd.id)
    assert handed_over.owner_id == bernd.id
    assert handed_over.status is ActionStatus.IN_PROGRESS
    later = fresh_store.update_action(survey.id, due=dt.date(2026, 7, 1))  # no update kept
    assert later.due == dt.date(2026, 7, 1)
    finished = fresh_store.update_action(survey.id, status=ActionStatus.DONE)

    history = fresh_store.action_updates(survey.id)
    assert [(u.status, u.note, u.meeting_id) for u in history] == [
        (ActionStatus.IN_PROGRESS, "begonnen", second.id),
        (ActionStatus.IN_PROGRESS, "übergeben", None),
        (ActionStatus.DONE, "", None),
    ]
    assert all(a.at <= b.at for a, b in itertools.pairwise(history))
    assert history[-1].at == finished.updated_at
    for update in history:
        check_types(update)
    assert fresh_store.action_updates(letter.id) == []
    assert fresh_store.action_updates() == history

    assert fresh_store.actions() == [fresh_store.actions(status=["done"])[0], finished]
    assert fresh_store.actions(status=[ActionStatus.OPEN]) == []
    assert fresh_store.actions(status=["done", "open"]) == [letter, finished]
    assert fresh_store.actions(meeting_id=second.id) == []
    assert fresh_store.actions(meeting_id=kickoff.id, status=["done"]) == [letter, finished]
    assert invalid(lambda: fresh_store.update_action(letter.id, status="weg")).startswith(
        "Status: "
    )
    assert invalid(lambda: fresh_store.add_action("X", origin="zufall")).startswith("Herkunft: ")
    with pytest.raises(RecordNotFound):
        fresh_store.update_action(999, status="done")
    with pytest.raises(RecordNotFound):
        fresh_store.add_action("X", owner_id=999)


# --- themed tables -------------------------------------------------------------------------------


def test_themed_tables_rotate_and_keep_their_notes(fresh_store):
    meeting = fresh_store.add_meeting("Transferwerkstatt")
    other = fresh_store.add_meeting("Andere Werkstatt")
    host = fresh_store.add_participant("Gastgeberin", meeting_id=meeting.id)
    anna = fresh_store.add_participant("Anna", meeting_id=meeting.id)
    bernd = fresh_store.add_participant("Bernd", meeting_id=meeting.id)
    housing = fresh_store.add_table(meeting.id, "Wohnen", host_id=host.id)
    mobility = fresh_store.add_table(meeting.id, "Mobilität")
    elsewhere = fresh_store.add_table(other.id, "Anderswo")
    assert (housing.position, mobility.position, elsewhere.position) == (0, 1, 0)
    assert fresh_store.tables(meeting.id) == [housing, mobility]
    check_types(housing)

    rounds = [fresh_store.add_table_round(meeting.id) for _ in range(3)]
    assert [r.number for r in rounds] == [1, 2, 3]
    assert rounds[0].minutes == 30
    assert fresh_store.add_table_round(other.id, minutes=20).number == 1
    assert fresh_store.table_rounds(meeting.id) == rounds
    check_types(rounds[0])
    assert invalid(lambda: fresh_store.add_table_round(meeting.id, minutes=0)) == (
        "Minuten: muss größer als null sein"
    )

    first, second, _ = rounds
    fresh_store.assign(first.id, housing.id, [anna.id, bernd.id, anna.id])
    fresh_store.assign(first.id, mobility.id, [anna.id])  # moves within the round
    fresh_store.assign(second.id, mobility.id, [bernd.id])
    assert fresh_store.assignments(first.id) == [
        TableAssignment(round_id=first.id, table_id=housing.id, participant_id=bernd.id),
        TableAssignment(round_id=first.id, table_id=mobility.id, participant_id=anna.id),
    ]
    assert fresh_store.assignments(second.id) == [
        TableAssignment(round_id=second.id, table_id=mobility.id, participant_id=bernd.id)
    ]
    assert invalid(lambda: fresh_store.assign(first.id, elsewhere.id, [anna.id])) == (
        "Tisch: gehört zu einem anderen Treffen"
    )

    n1 = fresh_store.add_table_note(housing.id, "Leerstand nutzen", round_id=first.id,
                                    participant_id=anna.id)  # fmt: skip
    n2 = fresh_store.add_table_note(housing.id, "Genossenschaften", round_id=second.id)
    n3 = fresh_store.add_table_note(housing.id, "Zusammenfassung")
    n4 = fresh_store.add_table_note(mobility.id, "Rufbus", round_id=first.id)
    assert fresh_store.table_notes(housing.id) == [n1, n2, n3]  # across the rounds
    assert fresh_store.table_notes(mobility.id) == [n4]
    assert fresh_store.table_notes(elsewhere.id) == []
    assert n3.round_id is None
    check_types(n1)
    other_round = fresh_store.table_rounds(other.id)[0]
    assert invalid(
        lambda: fresh_store.add_table_note(housing.id, "x", round_id=other_round.id)
    ) == ("Runde: gehört zu einem anderen Treffen")
    assert invalid(lambda: fresh_store.add_table(meeting.id, "  ")) == "Thema: darf nicht leer sein"
    with pytest.raises(RecordNotFound):
        fresh_store.add_table_note(999, "Nirgends")


# --- input validation, markup, types -------------------------------------------------------------


def test_input_is_validated_with_a_german_message_naming_the_field(fresh_store):
    meeting = fresh_store.add_meeting("Auftakt")
    cases: list[tuple[Callable[[], Any], str]] = [
        (lambda: fresh_store.add_meeting(""), "Titel: darf nicht leer sein"),
        (lambda: fresh_store.add_meeting("   \n "), "Titel: darf nicht leer sein"),
        (lambda: fresh_store.add_meeting("x" * 301),
         "Titel: ist zu lang (301 Zeichen, höchstens 300)"),
        (lambda: fresh_store.add_meeting("Auftakt", place="x" * 301), "Ort: ist zu lang"),
        (lambda: fresh_store.add_participant(""), "Name: darf nicht leer sein"),
        (lambda: fresh_store.add_participant("x" * 201), "Name: ist zu lang (201 Zeichen"),
        (lambda: fresh_store.add_participant("Anna", role="x" * 201), "Funktion: ist zu lang"),
        (lambda: fresh_store.add_challenge(meeting.id, ""), "Titel: darf nicht leer sein"),
        (lambda: fresh_store.add_challenge(meeting.id, "T", description="x" * 5001),
         "Beschreibung: ist zu lang (5001 Zeichen, höchstens 5000)"),
        (lambda: fresh_store.add_topic(meeting.id, " "), "Titel: darf nicht leer sein"),
        (lambda: fresh_store.add_consultation(meeting.id, ""), "Titel: darf nicht leer sein"),
        (lambda: fresh_store.add_action(""), "Titel: darf nicht leer sein"),
        (lambda: fresh_store.add_action("x" * 501), "Titel: ist zu lang (501 Zeichen"),
        (lambda: fresh_store.add_municipality("Görlitz", latitude=200),
         "Breitengrad: muss zwischen -90 und 90 liegen"),
    ]  # fmt: skip
    for address in ("anna.goerlitz.example", "anna@localhost", "anna @goerlitz.de", "@x.de",
                    "anna@", "a" * 320 + "@goerlitz.de"):  # fmt: skip
        cases.append(
            (
                lambda a=address: fresh_store.add_participant("Anna", email=a),
                f"E-Mail: {address.strip()} ist keine E-Mail-Adresse",
            )
        )
    for call, expected in cases:
        with pytest.raises(InvalidInput) as caught:
            call()
        assert str(caught.value).startswith(expected), (expected, str(caught.value))
        assert caught.value.message("en") != str(caught.value)
    with pytest.raises(InvalidInput) as caught:
        fresh_store.add_participant("Anna", email="anna.goerlitz.example")
    assert caught.value.message("en") == "E-mail: anna.goerlitz.example is not an e-mail address"
    # nothing of it was written
    assert fresh_store.meetings() == [meeting]
    assert fresh_store.participants() == []
    assert fresh_store.challenges() == []
    assert fresh_store.municipalities() == []
    # the longest allowed text is fine
    assert len(fresh_store.add_meeting("x" * 300).title) == 300


MARKUP = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    'Tom & Jerry\'s "Ideen" <b>fett</b> &amp; &lt;',
    "{location} {0} %s ${HOME}",
    "Zeile eins\nZeile zwei\tmit Tab – Ä ö ü ß € 😀",
]


def test_participant_text_with_markup_is_kept_exactly_as_typed(fresh_store):
    meeting = fresh_store.add_meeting(MARKUP[0])
    for text in MARKUP:
        person = fresh_store.add_participant(text, role=text, meeting_id=meeting.id)
        challenge = fresh_store.add_challenge(
            meeting.id, text, description=text, participant_id=person.id, tags=[text]
        )
        topic = fresh_store.add_topic(meeting.id, text, description=text)
        consultation = fresh_store.add_consultation(meeting.id, text, key_question=text)
        entry = fresh_store.add_entry(consultation.id, text, participant_id=person.id)
        table = fresh_store.add_table(meeting.id, text)
        note = fresh_store.add_table_note(table.id, text)
        action = fresh_store.add_action(text, notes=text)
        town = fresh_store.add_municipality(text)
        assert fresh_store.participant(person.id).name == text
        assert fresh_store.participant(person.id).role == text
        (stored,) = [c for c in fresh_store.challenges(meeting.id) if c.id == challenge.id]
        assert (stored.title, stored.description) == (text, text)
        assert stored.tags == (" ".join(text.split()),)  # tags: whitespace made single
        assert fresh_store.topic(topic.id).title == text
        assert fresh_store.consultation(consultation.id).key_question == text
        assert fresh_store.entries(consultation.id)[0].text == text == entry.text
        assert fresh_store.table_notes(table.id) == [note] and note.text == text
        assert [a.notes for a in fresh_store.actions() if a.id == action.id] == [text]
        assert fresh_store.municipality(town.id).name == text
    assert fresh_store.meeting(meeting.id).title == MARKUP[0]


def test_records_come_back_with_proper_types(fresh_store):
    town = fresh_store.add_municipality(
        "Görlitz", ags="14626110", latitude=51, longitude=15, population=1,
        population_date=dt.date(2024, 1, 1),
    )  # fmt: skip
    meeting = fresh_store.add_meeting("Auftakt", date=dt.date(2026, 3, 12), format="forum")
    person = fresh_store.add_participant("Anna", municipality_id=town.id, meeting_id=meeting.id)
    topic = fresh_store.add_topic(meeting.id, "Thema")
    vote_round = fresh_store.create_round(meeting.id, [topic.id])
    fresh_store.open_round(vote_round.id)
    fresh_store.place_dot(vote_round.id, person.id, topic.id)
    consultation = fresh_store.add_consultation(
        meeting.id, "Fall", key_question="Wie?", method="brainstorming", municipality_id=town.id
    )
    fresh_store.set_role(consultation.id, person.id, "case_giver")
    helper = fresh_store.add_participant("Bernd", meeting_id=meeting.id)
    fresh_store.set_role(consultation.id, helper.id, "consultant")
    fresh_store.set_phase(consultation.id, "consultation")
    idea = fresh_store.submit_entry(consultation.id, helper.id, "Idee")
    fresh_store.withdraw_entry(idea.id)
    fresh_store.add_entry(consultation.id, "Idee")
    action = fresh_store.add_action("Aufgabe", due=dt.date(2026, 5, 1))
    fresh_store.update_action(action.id, status="in_progress")
    other = fresh_store.add_municipality("Zittau")
    fresh_store.add_tie(town.id, other.id)
    table = fresh_store.add_table(meeting.id, "Tisch")
    table_round = fresh_store.add_table_round(meeting.id)
    fresh_store.assign(table_round.id, table.id, [person.id])
    fresh_store.add_table_note(table.id, "Notiz", round_id=table_round.id)
    fresh_store.add_group("g", "Gruppe", municipality_ids=[town.id])

    records = [
        fresh_store.info(), *fresh_store.municipalities(), *fresh_store.groups(),
        *fresh_store.meetings(), *fresh_store.participants(), *fresh_store.topics(),
        *fresh_store.vote_rounds(), *fresh_store.dot_events(), *fresh_store.consultations(),
        *fresh_store.roles(consultation.id),
        *fresh_store.entries(consultation.id, withdrawn=True),
        *fresh_store.phase_changes(consultation.id), *fresh_store.actions(),
        *fresh_store.action_updates(), *fresh_store.ties(),
        *fresh_store.tables(meeting.id), *fresh_store.table_rounds(meeting.id),
        *fresh_store.assignments(table_round.id), *fresh_store.table_notes(table.id),
        fresh_store.add_challenge(meeting.id, "Herausforderung", participant_id=person.id),
        fresh_store.add_agenda_item(meeting.id, "Punkt", starts_at=dt.time(10, 0)),
    ]  # fmt: skip
    assert len({type(r) for r in records}) >= 20
    for item in records:
        check_types(item)
    (stored_round,) = fresh_store.vote_rounds()
    assert type(stored_round.state) is VoteState and stored_round.state == "open"
    assert type(stored_round.opened_at) is dt.datetime
    assert stored_round.opened_at.utcoffset() == dt.timedelta(0)
    assert type(fresh_store.meeting(meeting.id).date) is dt.date
    assert type(fresh_store.actions()[0].due) is dt.date


def test_unknown_numbers_are_reported_by_kind(fresh_store):
    lookups = [
        (fresh_store.meeting, "Treffen Nr. 4711"),
        (fresh_store.participant, "Teilnehmende Nr. 4711"),
        (fresh_store.municipality, "Kommune Nr. 4711"),
        (fresh_store.topic, "Thema Nr. 4711"),
        (fresh_store.vote_round, "Punktabfrage Nr. 4711"),
        (fresh_store.consultation, "Kollegiale Beratung Nr. 4711"),
    ]
    for lookup, expected in lookups:
        with pytest.raises(RecordNotFound) as caught:
            lookup(4711)
        assert str(caught.value) == f"{expected} gibt es in diesem Arbeitsbereich nicht."
        assert caught.value.details["id"] == 4711
    with language("en"):
        with pytest.raises(RecordNotFound) as caught:
            fresh_store.meeting(4711)
        assert str(caught.value) == "There is no meeting with the number 4711 in this workspace."
