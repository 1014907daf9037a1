"""Attendance: registered is not present; the roll, its corrections and every count of it.

On SQLite and on PostgreSQL (``fresh_store``): present from the first page
opening or by the facilitator's hand, corrected with events that keep their
time; the "x of N" of the pages, casting suggestions, protocol, programme
report, research tables and frames all follow the same roll.
"""

from __future__ import annotations

import datetime as dt

import pytest

from facilitation import InvalidInput, NobodyPresent, NotInMeeting, Store, voting
from facilitation.attendance import Attendance, share
from facilitation.export import tables
from facilitation.i18n import language
from facilitation.models import ConsultationRole, Screen
from facilitation.report import build_programme_report, build_protocol, render_html


@pytest.fixture
def room(fresh_store: Store) -> dict:
    """Ten registered (two of them not named), seven of whom open their page; one outsider."""
    store = fresh_store
    town = store.add_municipality("Musterstadt", state="SN")
    other = store.add_municipality("Beispieldorf", state="SN")
    meeting = store.add_meeting("Auftakt", date=dt.date(2026, 12, 4))
    store.set_current_meeting(meeting.id)
    people = [
        store.add_participant(
            f"Person {i}", municipality_id=(town if i % 2 else other).id,
            consent_named=i not in (3, 9), meeting_id=meeting.id,
        )
        for i in range(10)
    ]  # fmt: skip
    for person in people[:7]:
        store.mark_seen(meeting.id, person.id)
    outsider = store.add_participant("Nicht angemeldet")
    return {"store": store, "meeting": meeting, "people": people, "outsider": outsider}


def _ids(people: list) -> set[int]:
    return {p.id for p in people}


def test_present_from_the_first_page_opening(room: dict) -> None:
    store, meeting, people = room["store"], room["meeting"], room["people"]
    roll = store.attendance(meeting.id)
    assert roll.registered == _ids(people)
    assert roll.present == _ids(people[:7])
    assert roll.absent == _ids(people[7:]) and not roll.excused
    standing = roll.of(people[0].id)
    assert standing.status is Attendance.PRESENT and not standing.by_hand
    assert standing.since == standing.opened_at is not None
    assert roll.of(room["outsider"].id) is None
    assert _ids(store.present_participants(meeting.id)) == _ids(people[:7])
    # A second opening of her page keeps her first one.
    first = standing.since
    store.mark_seen(meeting.id, people[0].id)
    assert store.attendance(meeting.id).of(people[0].id).since == first


def test_the_facilitator_checks_in_excuses_and_marks_absent(room: dict) -> None:
    store, meeting, people = room["store"], room["meeting"], room["people"]
    checked = store.set_attendance(meeting.id, people[7].id, Attendance.PRESENT)
    assert checked is not None and checked.status is Attendance.PRESENT
    store.set_attendance(meeting.id, people[8].id, "excused")
    store.set_attendance(meeting.id, people[6].id, "absent")  # opened her page at home
    assert store.set_attendance(meeting.id, people[7].id, "present") is None  # a double click
    roll = store.attendance(meeting.id)
    assert roll.present == _ids(people[:6]) | {people[7].id}
    assert roll.excused == {people[8].id}
    assert roll.absent == {people[6].id, people[9].id}
    assert roll.of(people[7].id).by_hand and roll.of(people[7].id).opened_at is None
    # Every correction is kept with its time, in order.
    events = store.attendance_events(meeting.id)
    assert [(e.participant_id, e.status) for e in events] == [
        (people[7].id, Attendance.PRESENT),
        (people[8].id, Attendance.EXCUSED),
        (people[6].id, Attendance.ABSENT),
    ]
    assert all(e.at.tzinfo is not None for e in events)
    # Her page opening does not undo the facilitator's correction...
    store.mark_seen(meeting.id, people[6].id)
    assert people[6].id in store.attendance(meeting.id).absent
    # ...but a first opening after it does: she came after all.
    store.mark_seen(meeting.id, people[8].id)
    assert people[8].id in store.attendance(meeting.id).present
    # Checked out and in again.
    store.set_attendance(meeting.id, people[0].id, "absent")
    store.set_attendance(meeting.id, people[0].id, "present")
    assert people[0].id in store.attendance(meeting.id).present
    assert len(store.attendance_events()) == 5


def test_only_registered_people_and_known_words(room: dict) -> None:
    store, meeting = room["store"], room["meeting"]
    with language("de"), pytest.raises(NotInMeeting, match="nicht angemeldet"):
        store.set_attendance(meeting.id, room["outsider"].id, "present")
    with language("en"), pytest.raises(InvalidInput, match="'here' is not one of"):
        store.set_attendance(meeting.id, room["people"][0].id, "here")
    assert store.attendance_events() == []
    # Unregistered, she leaves the roll with her events.
    person = room["people"][9]
    store.set_attendance(meeting.id, person.id, "excused")
    store.unregister(meeting.id, person.id)
    assert store.attendance(meeting.id).of(person.id) is None


def test_one_rule_for_every_count_of_the_room(room: dict) -> None:
    store, meeting, people = room["store"], room["meeting"], room["people"]
    topics = [store.add_topic(meeting.id, f"Thema {i}") for i in range(3)]
    vote_round = store.create_round(meeting.id, [t.id for t in topics], dots_per_person=1)
    store.open_round(vote_round.id)
    for person in people[:7]:
        store.place_dot(vote_round.id, person.id, topics[0].id)
    held = store.dots_per_participant(vote_round.id)
    room_now = voting.progress(vote_round, held, store.attendance(meeting.id))
    assert (room_now.voted, room_now.expected, room_now.done) == (7, 7, 7)
    store.set_attendance(meeting.id, people[7].id, "present")  # without a device
    room_now = voting.progress(vote_round, held, store.attendance(meeting.id))
    assert (room_now.voted, room_now.expected) == (7, 8)
    # Those present who may take part now (two consultants, say).
    counted = share(
        store.attendance(meeting.id), [people[0].id], may_take_part=[people[0].id, people[9].id]
    )
    assert (counted.done, counted.of) == (1, 1)


def test_casting_suggestions_cast_only_people_present(room: dict) -> None:
    store, meeting, people = room["store"], room["meeting"], room["people"]
    case = store.add_consultation(meeting.id, "Leerstand im Ortskern")
    roles = store.suggest_casting(case.id, case_giver_ids=[people[1].id])
    cast = {r.participant_id: r.role for r in roles}
    assert set(cast) == _ids(people[:7])
    assert cast[people[1].id] is ConsultationRole.CASE_GIVER
    assert {ConsultationRole.SECRETARY, ConsultationRole.MODERATOR} <= set(cast.values())
    empty = store.add_meeting("Folgetreffen")
    store.register(empty.id, people[0].id)
    later = store.add_consultation(empty.id, "Noch niemand da")
    with language("de"), pytest.raises(NobodyPresent, match="Noch ist niemand"):
        store.suggest_casting(later.id)
    assert store.roles(later.id) == []


def test_reports_and_data_list_who_attended(room: dict) -> None:
    store, meeting, people = room["store"], room["meeting"], room["people"]
    store.set_attendance(meeting.id, people[8].id, "excused")
    store.show(meeting.id, Screen.WAITING)
    protocol = build_protocol(store, meeting.id, lang="de", network=False)
    assert "participants" in [s.key for s in protocol.sections]
    html = render_html(protocol)
    assert "7 Teilnehmende" in html
    assert "Angemeldet, aber nicht anwesend: 1 entschuldigt, 2 abwesend." in html
    listed = html[html.index("Angemeldet, aber nicht anwesend") :]
    assert "Person 8" in listed and "Person 7" in listed
    assert "Person 9" not in html  # she did not consent to be named
    programme = render_html(build_programme_report(store, lang="de"))
    assert "7 Personen aus 2 Kommunen" in programme
    assert "10 Personen waren angemeldet" in programme
    data = tables(store)
    rows = {row["participant_id"]: row for row in data["attendance"]}
    assert {pid for pid, row in rows.items() if row["status"] == "present"} == _ids(people[:7])
    assert rows[people[8].id]["status"] == "excused" and rows[people[8].id]["by_facilitator"]
    assert rows[people[9].id]["status"] == "absent" and rows[people[9].id]["at"] is None
    assert [e["status"] for e in data["attendance_events"]] == ["excused"]
    frames = store.frames()
    present = frames["attendance"].query("status == 'present'")
    assert len(present) == 7 and str(present["first_seen_at"].dt.tz) == "UTC"
    assert len(frames["attendance_events"]) == 1
