"""Findings, their sources and the participants' agreement: the rules in the store.

On SQLite and on PostgreSQL (the ``fresh_store`` fixture runs both), from an
empty workspace: only registered participants answer, while the meeting's
pages show the review; one current answer per person, every change kept as an
event; priority dots within the allowance, also when two tabs click at once.
"""

from __future__ import annotations

import datetime as dt

import pytest

from facilitation import (
    CommentNeeded,
    FindingNotInReview,
    InvalidInput,
    NoPriorityDot,
    NoPriorityDotsLeft,
    NotInMeeting,
    PriorityCapReached,
    RecordNotFound,
    ReviewClosed,
    Store,
    findings,
)
from facilitation.export import tables
from facilitation.i18n import language
from facilitation.models import FindingStatus, Screen, SourceKind, Stance
from tests.test_store_races import at_once


@pytest.fixture
def review(fresh_store: Store) -> dict:
    """A meeting with four registered participants, one outsider and five findings in review."""
    store = fresh_store
    town = store.add_municipality("Musterstadt", state="SN")
    meeting = store.add_meeting("Drittes Treffen", date=dt.date(2026, 11, 5))
    people = [
        store.add_participant(f"Person {i}", municipality_id=town.id, consent_named=True)
        for i in range(4)
    ]
    for person in people:
        store.register(meeting.id, person.id)
    outsider = store.add_participant("Nicht angemeldet", municipality_id=town.id)
    drafted = [
        store.add_finding(f"Erkenntnis {i}", addressee="SMR Sachsen", theme="Ortskerne")
        for i in range(5)
    ]
    return {"store": store, "meeting": meeting, "people": people, "outsider": outsider,
            "findings": drafted}  # fmt: skip


def test_a_draft_is_not_up_for_review(review: dict) -> None:
    store, meeting, people = review["store"], review["meeting"], review["people"]
    first = review["findings"][0]
    assert first.status is FindingStatus.DRAFT
    assert [f.position for f in store.findings()] == [1, 2, 3, 4, 5]
    store.show(meeting.id, Screen.REVIEW)
    with pytest.raises(FindingNotInReview):
        store.answer(meeting.id, first.id, people[0].id, Stance.AGREE)


def test_answers_count_the_latest_and_keep_every_event(review: dict) -> None:
    store, meeting, people = review["store"], review["meeting"], review["people"]
    ids = [f.id for f in review["findings"]]
    store.open_review(meeting.id, ids)
    assert store.live(meeting.id).screen is Screen.REVIEW
    first = ids[0]
    store.answer(meeting.id, first, people[0].id, "object", "Zu allgemein")
    store.answer(meeting.id, first, people[1].id, Stance.AGREE)
    store.answer(meeting.id, first, people[2].id, Stance.COMMENT, "Ergänzen: ÖPNV")
    store.answer(meeting.id, first, people[0].id, Stance.AGREE)  # changes her mind
    counted = store.agreement()[first]
    assert (counted.agree, counted.object, counted.comment_only) == (2, 0, 1)
    assert counted.comments == 1  # her first comment is no longer current
    assert len(store.agreement_events(first)) == 4
    assert store.my_answers(people[0].id)[first].stance is Stance.AGREE
    assert store.agreement()[ids[1]].answered == 0
    before = store.agreement_events(first)[2].at
    assert store.agreement(at=before)[first].object == 1  # as it stood then


def test_only_registered_participants_answer_while_the_review_is_shown(review: dict) -> None:
    store, meeting, people = review["store"], review["meeting"], review["people"]
    first = review["findings"][0].id
    store.set_finding_status([first], FindingStatus.REVIEW)
    with pytest.raises(ReviewClosed):
        store.answer(meeting.id, first, people[0].id, Stance.AGREE)
    store.show(meeting.id, Screen.REVIEW)
    with language("de"), pytest.raises(NotInMeeting, match="Nicht angemeldet"):
        store.answer(meeting.id, first, review["outsider"].id, Stance.AGREE)
    with pytest.raises(RecordNotFound):
        store.answer(meeting.id, first, 9999, Stance.AGREE)
    with pytest.raises(CommentNeeded):
        store.answer(meeting.id, first, people[0].id, Stance.COMMENT, "   ")
    with pytest.raises(InvalidInput):
        store.answer(meeting.id, first, people[0].id, "vielleicht")
    store.update_finding(first, status=FindingStatus.AGREED)
    with pytest.raises(FindingNotInReview):
        store.answer(meeting.id, first, people[0].id, Stance.AGREE)
    assert store.agreement_events() == []


def test_priority_dots_within_the_allowance(review: dict) -> None:
    store, meeting, person = review["store"], review["meeting"], review["people"][0]
    ids = [f.id for f in review["findings"]]
    store.open_review(meeting.id, ids)
    dots, cap = findings.priority_allowance(len(ids))
    for _ in range(cap):
        store.place_priority_dot(meeting.id, ids[0], person.id)
    if cap < dots:
        with pytest.raises(PriorityCapReached):
            store.place_priority_dot(meeting.id, ids[0], person.id)
    for finding_id in ids[1:]:
        if sum(store.my_priority_dots(person.id).values()) < dots:
            store.place_priority_dot(meeting.id, finding_id, person.id)
    with pytest.raises(NoPriorityDotsLeft):
        store.place_priority_dot(meeting.id, ids[-1], person.id)
    with pytest.raises(NoPriorityDot):
        store.take_back_priority_dot(meeting.id, ids[-1], person.id)
    store.take_back_priority_dot(meeting.id, ids[0], person.id)
    assert sum(store.my_priority_dots(person.id).values()) == dots - 1
    assert sum(store.priority_tally().values()) == dots - 1
    assert len(store.priority_dots()) == dots + 1


def test_sources_point_to_real_records(review: dict) -> None:
    store, meeting, person = review["store"], review["meeting"], review["people"][0]
    first = review["findings"][0].id
    challenge = store.add_challenge(meeting.id, "Leerstand im Ortskern", participant_id=person.id)
    source = store.add_source(first, SourceKind.CHALLENGE, challenge.id, note="Ausgangspunkt")
    again = store.add_source(first, "challenge", challenge.id, note="geändert")
    assert again.id == source.id and again.note == "geändert"
    store.add_source(first, SourceKind.NETWORK, meeting.id)
    assert [s.kind for s in store.finding_sources(first)] == [
        SourceKind.CHALLENGE, SourceKind.NETWORK
    ]  # fmt: skip
    with pytest.raises(RecordNotFound):
        store.add_source(first, SourceKind.CONSULTATION, 4242)
    with pytest.raises(InvalidInput):
        store.add_source(first, "zeitung", 1)
    store.remove_source(source.id)
    assert len(store.finding_sources(first)) == 1


def test_two_tabs_of_one_person_cannot_exceed_her_dots(review: dict, location: str) -> None:
    store, meeting, person = review["store"], review["meeting"], review["people"][1]
    ids = [f.id for f in review["findings"]]
    store.open_review(meeting.id, ids)
    dots, _cap = findings.priority_allowance(len(ids))
    calls = [
        (lambda st, f=finding_id: st.place_priority_dot(meeting.id, f, person.id))
        for finding_id in ids
    ]
    outcomes = at_once(location, calls)
    placed = [o for o in outcomes if not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, NoPriorityDotsLeft)]
    assert len(placed) == dots and len(refused) == len(ids) - dots
    assert sum(store.my_priority_dots(person.id).values()) == dots


def test_the_tables_carry_findings_sources_and_events(review: dict) -> None:
    store, meeting, people = review["store"], review["meeting"], review["people"]
    first = review["findings"][0].id
    consultation = store.add_consultation(meeting.id, "Vertraulicher Fall", confidential=True)
    store.add_source(first, SourceKind.CONSULTATION, consultation.id)
    store.open_review(meeting.id, [first])
    store.answer(meeting.id, first, people[0].id, Stance.AGREE, "Gut so")
    store.place_priority_dot(meeting.id, first, people[0].id)
    data = tables(store)
    assert len(data["findings"]) == 5
    assert data["agreement_events"][0]["participant_id"] == people[0].id
    assert data["agreement_events"][0]["stance"] == "agree"
    assert len(data["priority_dots"]) == 1
    assert data["finding_sources"] == []  # a confidential consultation is not released
    assert len(tables(store, confidential=True)["finding_sources"]) == 1
    store.update_consultation(consultation.id, include_in_export=True)
    assert len(tables(store)["finding_sources"]) == 1
