"""Themed tables: seatings that mix towns and rotate, rounds with their clock, notes that
stay with their table, checked where they are written; actions followed up across meetings."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

import facilitation
from facilitation import (
    InvalidInput,
    NotAtTable,
    NotInMeeting,
    NotYourNote,
    RecordNotFound,
    Store,
    TableRoundNotRunning,
    TableRoundOver,
)
from facilitation import actions as follow_up
from facilitation import tables as seating_rules
from facilitation.i18n import language
from facilitation.models import (
    ActionStatus,
    Participant,
    Screen,
    TableNote,
    TableRound,
    ThemedTable,
)
from facilitation.store._open import create


@pytest.fixture(autouse=True)
def german() -> Iterator[None]:
    with language("de"):
        yield


NOW = dt.datetime(2026, 3, 12, 9, 0, tzinfo=dt.UTC)


def _people(towns: list[int], network: dict[int, str] | None = None) -> list[Participant]:
    return [
        Participant(id=i + 1, name=f"P{i + 1}", municipality_id=town, created_at=NOW)
        for i, town in enumerate(towns)
    ]


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_three_rounds_at_four_tables_mix_towns_and_never_revisit(seed) -> None:
    # Twelve leaders from six towns, two from each (mayor and head of office).
    people = _people([1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6])
    tables = [ThemedTable(id=t, meeting_id=1, theme=f"Thema {t}") for t in (10, 11, 12, 13)]
    plan = seating_rules.rotation(people, tables, 3, seed=seed)
    for number, seating in enumerate(plan):
        assert sorted(len(s) for s in seating.values()) == [3, 3, 3, 3]
        assert sorted(p for s in seating.values() for p in s) == [p.id for p in people]
        q = seating_rules.quality(seating, people, plan[:number])
        assert (q.revisits, q.same_town) == (0, 0), (number, q)
    # People meet new people: no pair sits together in all three rounds.
    _visited, met = seating_rules.history_of(plan)
    assert max(met.values()) < 3
    assert seating_rules.rotation(people, tables, 3, seed=seed) == plan  # deterministic


def test_hosts_stay_and_city_networks_are_spread() -> None:
    # The three city triangles of the Städtenetzwerk Demografie, three towns each.
    towns = list(range(1, 10))
    network = {t: f"net{(t - 1) // 3}" for t in towns}
    people = _people(towns)
    tables = [
        ThemedTable(id=t, meeting_id=1, theme=str(t), host_id=h)
        for t, h in ((1, 1), (2, 4), (3, 7))
    ]
    seating = seating_rules.mix(people, tables, network_of=network)
    assert all(host in seating[table] for table, host in ((1, 1), (2, 4), (3, 7)))
    assert seating_rules.quality(seating, people, network_of=network).same_network == 0
    second = seating_rules.mix(people, tables, [seating], network_of=network, seed=1)
    assert all(host in second[table] for table, host in ((1, 1), (2, 4), (3, 7)))
    q = seating_rules.quality(second, people, [seating], hosts=(1, 4, 7), network_of=network)
    assert q.revisits == 0
    assert seating_rules.mix(people, []) == {}
    assert seating_rules.group_sizes(7, 0) == []


@pytest.fixture
def workshop(fresh_store: Store) -> dict[str, Any]:
    store = fresh_store
    meeting = store.add_meeting("Transferwerkstatt Gröditz")
    other = store.add_meeting("Anderes Treffen")
    towns = [store.add_municipality(n).id for n in ("Gröditz", "Elsterwerda", "Bad Liebenwerda")]
    people = [
        store.add_participant(f"Person {i}", municipality_id=towns[i % 3], meeting_id=meeting.id).id
        for i in range(9)
    ]
    guest = store.add_participant("Gast", meeting_id=other.id).id
    tables = [
        store.add_table(meeting.id, theme, host_id=people[i])
        for i, theme in enumerate(("Strategien", "Daseinsvorsorge", "Prozessmanagement"))
    ]
    return {
        "store": store, "meeting": meeting, "other": other, "people": people, "guest": guest,
        "tables": tables,
    }  # fmt: skip


def test_rounds_seat_start_end_and_keep_every_note(workshop) -> None:
    store, meeting, people = workshop["store"], workshop["meeting"], workshop["people"]
    tables = workshop["tables"]
    first = store.add_table_round(meeting.id)
    second = store.add_table_round(meeting.id, minutes=20)
    everyone = [store.participant(p) for p in people]
    plan = seating_rules.rotation(everyone, tables, 2)
    store.seat(first.id, plan[0])
    store.seat(second.id, plan[1])
    assert store.seatings(meeting.id) == {first.id: plan[0], second.id: plan[1]}

    # Nobody writes before the round starts.
    refused = pytest.raises(TableRoundNotRunning)
    with refused:
        store.submit_table_note(first.id, people[3], "Zu früh")
    started = store.start_table_round(first.id)
    assert started.started_at is not None and started.ended_at is None
    live = store.live(meeting.id)
    assert (live.screen, live.subject_id) == (Screen.TABLES, first.id)
    assert abs((live.timer_ends_at - started.started_at).total_seconds() - 30 * 60) < 1

    notes = {}
    for person in people:
        table = store.table_of(first.id, person)
        assert table is not None and person in plan[0][table.id]
        notes[person] = store.submit_table_note(first.id, person, f"Runde 1 von {person}")
        assert notes[person].table_id == table.id and notes[person].round_id == first.id
    # The bell: the round ends, notes may still come in until the next one starts.
    ended = store.end_table_round(first.id)
    assert ended.ended_at is not None and store.live(meeting.id).timer_ends_at is None
    store.submit_table_note(first.id, people[0], "Nachtrag der Gastgeberin")
    store.start_table_round(second.id)
    with pytest.raises(TableRoundNotRunning) as caught:
        store.submit_table_note(first.id, people[4], "Zu spät")
    assert str(caught.value).startswith("Runde 1 läuft nicht (mehr).")
    for person in people:
        store.submit_table_note(second.id, person, f"Runde 2 von {person}")
    # Starting the second round ended nothing else; ending it twice changes nothing.
    assert store.end_table_round(second.id) == store.end_table_round(second.id)

    # Notes stay with their table: the hosts' tables hold both rounds.
    kept = {t.id: [n.text for n in store.table_notes(t.id)] for t in tables}
    assert sum(len(v) for v in kept.values()) == 2 * len(people) + 1
    for table in tables:
        texts = kept[table.id]
        assert any(t.startswith("Runde 1") for t in texts)
        assert any(t.startswith("Runde 2") for t in texts)
        assert store.table_notes_for(table.id, people[5]) == store.table_notes(table.id)


def test_only_people_seated_in_the_meeting_write_and_read_table_notes(workshop) -> None:
    store, meeting, people = workshop["store"], workshop["meeting"], workshop["people"]
    table = workshop["tables"][0]
    first = store.add_table_round(meeting.id)
    store.seat(first.id, {table.id: people[3:5]})
    store.start_table_round(first.id)
    late = store.add_participant("Spät", meeting_id=meeting.id).id
    with pytest.raises(NotAtTable) as caught:
        store.submit_table_note(first.id, late, "Wo sitze ich?")
    assert "Spät hat in Runde 1 keinen Platz an einem Tisch" in str(caught.value)
    with pytest.raises(NotInMeeting):
        store.submit_table_note(first.id, workshop["guest"], "Von außen")
    with pytest.raises(NotInMeeting):
        store.table_notes_for(table.id, workshop["guest"])
    # The host writes to her own table even without a seat in the plan.
    assert store.submit_table_note(first.id, people[0], "Begrüßung").table_id == table.id
    # A seating is checked as a whole.
    with pytest.raises(NotInMeeting):
        store.seat(first.id, {table.id: [workshop["guest"]]})
    with pytest.raises(InvalidInput):
        store.seat(first.id, {table.id: [people[1]], workshop["tables"][1].id: [people[1]]})
    elsewhere = store.add_table(workshop["other"].id, "Anderswo")
    with pytest.raises(InvalidInput):
        store.seat(first.id, {elsewhere.id: [people[1]]})
    assert [a.participant_id for a in store.assignments(first.id)] == people[3:5]  # unchanged
    store.unassign(first.id, people[3])
    assert [a.participant_id for a in store.assignments(first.id)] == [people[4]]
    changed = store.update_table(table.id, theme="Strategien für Netzwerke", host_id=None)
    assert (changed.theme, changed.host_id) == ("Strategien für Netzwerke", None)
    assert store.set_round_minutes(first.id, 25).minutes == 25
    with pytest.raises(TableRoundNotRunning):
        store.end_table_round(store.add_table_round(meeting.id).id)


# --- withdrawing a note ---------------------------------------------------------------------


def _round(number: int, started: int | None, ended: int | None = None) -> TableRound:
    def at(minute: int | None) -> dt.datetime | None:
        return None if minute is None else NOW + dt.timedelta(minutes=minute)

    return TableRound(
        id=number, meeting_id=1, number=number, started_at=at(started), ended_at=at(ended)
    )


def _note(
    round_id: int | None, participant_id: int | None = 7, *, withdrawn: bool = False
) -> TableNote:
    return TableNote(
        id=1, table_id=1, round_id=round_id, participant_id=participant_id, text="x",
        created_at=NOW, withdrawn_at=NOW if withdrawn else None,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("rounds", "note", "who", "outcome"),
    [
        # Her note, her round running: yes; after the bell, until the next round starts: yes.
        ([_round(1, 0), _round(2, None)], _note(1), 7, None),
        ([_round(1, 0, 30), _round(2, None)], _note(1), 7, None),
        # Someone else's note, or one the facilitator recorded (no round, or no author).
        ([_round(1, 0)], _note(1), 8, NotYourNote),
        ([_round(1, 0)], _note(None), 7, NotYourNote),
        ([_round(1, 0)], _note(1, participant_id=None), 7, NotYourNote),
        # The next round has started: her round is over.
        ([_round(1, 0, 30), _round(2, 35)], _note(1), 7, TableRoundOver),
        ([_round(1, 0), _round(2, 35)], _note(1), 7, TableRoundOver),
        # A round restarted after a false start is the one notes go to again.
        ([_round(1, 40), _round(2, 35, 40)], _note(1), 7, None),
        ([_round(1, 40), _round(2, 35, 40)], _note(2), 7, TableRoundOver),
        # No round has started (a note loaded from data): nothing runs.
        ([_round(1, None)], _note(1), 7, TableRoundOver),
        # Her note withdrawn already stays withdrawn: asking again is no error, even later.
        ([_round(1, 0, 30), _round(2, 35)], _note(1, withdrawn=True), 7, None),
        ([_round(1, 0, 30), _round(2, 35)], _note(1, withdrawn=True), 8, NotYourNote),
        # The facilitator withdraws any note at any time.
        ([_round(1, 0, 30), _round(2, 35)], _note(1), None, None),
        ([], _note(None, participant_id=None), None, None),
    ],
)
def test_who_may_withdraw_a_note_and_when(rounds, note, who, outcome) -> None:
    if outcome is None:
        seating_rules.check_withdraw_note(rounds, note, who)
        assert seating_rules.can_withdraw_note(rounds, note, who)
    else:
        with pytest.raises(outcome):
            seating_rules.check_withdraw_note(rounds, note, who)
        assert not seating_rules.can_withdraw_note(rounds, note, who)
    assert issubclass(TableRoundOver, TableRoundNotRunning)  # caught as the round's refusal


def test_a_participant_withdraws_her_own_note_while_its_round_lasts(workshop) -> None:
    store, meeting, people = workshop["store"], workshop["meeting"], workshop["people"]
    table = workshop["tables"][0]  # hosted by people[0]
    first, second = store.add_table_round(meeting.id), store.add_table_round(meeting.id)
    store.seat(first.id, {table.id: people[3:5]})
    store.seat(second.id, {table.id: people[5:7]})
    store.start_table_round(first.id)
    typo = store.submit_table_note(first.id, people[3], "Rufbus ausbaun")
    kept = store.submit_table_note(first.id, people[4], "Bürgerbus")
    by_hand = store.add_table_note(table.id, "Von der Moderation", round_id=first.id)
    assert typo.withdrawn_at is None

    # Someone else's note, or the facilitator's, is refused, from the table and from outside.
    with pytest.raises(NotYourNote) as caught:
        store.withdraw_table_note(typo.id, participant_id=people[4])
    assert str(caught.value).startswith("Sie können nur die Notizen zurückziehen, die Sie selbst")
    with pytest.raises(NotYourNote):
        store.withdraw_table_note(by_hand.id, participant_id=people[0])
    with pytest.raises(NotInMeeting):
        store.withdraw_table_note(typo.id, participant_id=workshop["guest"])
    with pytest.raises(RecordNotFound) as caught:
        store.withdraw_table_note(9999, participant_id=people[3])
    assert "Tischnotiz" in str(caught.value)
    assert store.table_notes(table.id) == [typo, kept, by_hand]

    # Her own, while the round runs: gone from every view, kept with its moment.
    gone = store.withdraw_table_note(typo.id, participant_id=people[3])
    assert gone.withdrawn_at is not None and (gone.id, gone.text) == (typo.id, typo.text)
    assert store.withdraw_table_note(typo.id, participant_id=people[3]) == gone  # twice: harmless
    assert store.table_notes(table.id) == [kept, by_hand]
    assert store.table_notes_for(table.id, people[5]) == [kept, by_hand]
    assert store.table_notes(table.id, withdrawn=True) == [gone, kept, by_hand]

    # After the bell notes may still come in, and be withdrawn, until the next round starts.
    store.end_table_round(first.id)
    late = store.submit_table_note(first.id, people[4], "Nachtrag")
    assert store.withdraw_table_note(late.id, participant_id=people[4]).withdrawn_at is not None
    store.start_table_round(second.id)
    with pytest.raises(TableRoundOver) as caught:
        store.withdraw_table_note(kept.id, participant_id=people[4])
    assert str(caught.value).startswith("Runde 1 ist vorbei: Notizen aus dieser Runde")
    assert store.table_notes(table.id) == [kept, by_hand]
    assert store.withdraw_table_note(typo.id, participant_id=people[3]) == gone  # still harmless
    with pytest.raises(NotYourNote):
        store.withdraw_table_note(typo.id, participant_id=people[4])
    # In the second round she withdraws what she writes now, never the first round's notes.
    fresh = store.submit_table_note(second.id, people[5], "Runde 2")
    assert store.withdraw_table_note(fresh.id, participant_id=people[5]).withdrawn_at
    # The facilitator hides any note at any time, and withdrawing it again changes nothing.
    hidden = store.withdraw_table_note(kept.id)
    assert hidden.withdrawn_at is not None
    assert store.withdraw_table_note(kept.id) == hidden
    assert store.withdraw_table_note(by_hand.id).withdrawn_at is not None
    assert store.table_notes(table.id) == []
    assert store.table_notes_for(table.id, people[5]) == []
    assert len(store.table_notes(table.id, withdrawn=True)) == 5


def test_an_older_workspace_keeps_its_table_notes_not_withdrawn(location) -> None:
    engine = create(location, "Forum", revision="0004_consultation")
    stamp = dt.datetime(2025, 5, 6, 9, 30, tzinfo=dt.UTC)
    try:
        found = sa.MetaData()
        found.reflect(engine)
        assert "withdrawn_at" not in found.tables["table_note"].c
        with engine.begin() as c:

            def add(table: str, **values: Any) -> int:
                result = c.execute(found.tables[table].insert().values(**values))
                return result.inserted_primary_key[0]

            meeting = add("meeting", title="Auftakt", place="", format="forum", created_at=stamp)
            anna = add("participant", name="Anna", role="", consent_named=False, created_at=stamp)
            add("meeting_participant", meeting_id=meeting, participant_id=anna)
            table = add("themed_table", meeting_id=meeting, theme="Mobilität", position=0)
            table_round = add("table_round", meeting_id=meeting, number=1, minutes=30,
                              started_at=stamp)  # fmt: skip
            note = add("table_note", table_id=table, round_id=table_round, participant_id=anna,
                       text="Rufbus", created_at=stamp)  # fmt: skip
    finally:
        engine.dispose()
    with facilitation.open_workspace(location) as store:
        expected = TableNote(id=note, table_id=table, round_id=table_round, participant_id=anna,
                             text="Rufbus", created_at=stamp)  # fmt: skip
        assert store.table_notes(table) == [expected]
        assert expected.withdrawn_at is None
        gone = store.withdraw_table_note(note, participant_id=anna)
        assert gone.withdrawn_at is not None
        assert store.table_notes(table) == []


def test_open_actions_come_up_at_the_next_meeting(fresh_store: Store) -> None:
    store = fresh_store
    kickoff = store.add_meeting("Auftakt", date=dt.date(2026, 3, 12))
    second = store.add_meeting("Zweites Treffen", date=dt.date(2026, 6, 4))
    third = store.add_meeting("Drittes Treffen", date=dt.date(2026, 9, 17))
    anna = store.add_participant("Anna").id
    survey = store.add_action("Kontaktdaten sammeln", meeting_id=kickoff.id, owner_id=anna,
                              due=dt.date(2026, 5, 1))  # fmt: skip
    platform = store.add_action("Plattform skizzieren", meeting_id=kickoff.id,
                                due=dt.date(2026, 7, 1))  # fmt: skip
    done = store.add_action("Würfel verteilen", meeting_id=kickoff.id, status="done")
    loose = store.add_action("Ohne Treffen")
    later = store.add_action("Generationendialog vorbereiten", meeting_id=second.id)
    today = dt.date(2026, 6, 4)

    meetings = store.meetings()
    at_second = follow_up.review(store.actions(), store.action_updates(), second, meetings, today)
    assert [a.id for a in at_second.due] == [survey.id, platform.id, loose.id]
    assert follow_up.is_overdue(at_second.due[0], today)
    assert [a.id for a in at_second.new] == [later.id]
    assert at_second.reviewed == frozenset()

    store.update_action(survey.id, status="done", note="38 Kontakte", meeting_id=second.id)
    store.update_action(platform.id, note="Entwurf liegt vor", meeting_id=second.id)
    at_second = follow_up.review(store.actions(), store.action_updates(), second, meetings, today)
    # Closed at this meeting, it stays in the round; the other reported one is kept too.
    assert [a.id for a in at_second.due] == [platform.id, loose.id, survey.id]
    assert at_second.reviewed == {survey.id, platform.id}
    assert [a.id for a in at_second.left] == [loose.id]

    at_third = follow_up.review(
        store.actions(), store.action_updates(), third, meetings, dt.date(2026, 9, 17)
    )
    assert [a.id for a in at_third.due] == [platform.id, loose.id, later.id]
    assert done.id not in {a.id for a in at_third.due}
    assert follow_up.summary(store.actions(), dt.date(2026, 9, 17)) == {
        "open": 3, "in_progress": 0, "done": 2, "dropped": 0, "overdue": 1,
    }  # fmt: skip
    renamed = store.update_action(loose.id, title="Ohne Treffen (neu)", notes="Notiz")
    assert (renamed.title, renamed.notes) == ("Ohne Treffen (neu)", "Notiz")
    assert store.action(loose.id) == renamed
    assert store.action_updates(loose.id) == []  # no status, no note: nothing to report
    assert all(a.status is ActionStatus.OPEN for a in (at_third.due[0],))
    assert len(list(itertools.chain(at_third.due, at_third.new))) == 3
