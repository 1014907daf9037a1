"""Everything a facilitator prepares can be corrected: changed, moved, deleted while it
holds nothing participants gave, renamed and hidden from the protocol once it does.
Every correction is an event the research data sees (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest

from facilitation import (
    IntakeClosed,
    InvalidInput,
    NotYourChallenge,
    PreparedHoldsData,
    RoundNotDraft,
    Store,
)
from facilitation.export import tables
from facilitation.i18n import language
from facilitation.models import (
    ConsultationPhase,
    ConsultationRole,
    EntryKind,
    PreparedAction,
    PreparedKind,
    Screen,
    VoteState,
)
from facilitation.report import build_protocol
from facilitation.report._html import render_html


@pytest.fixture(autouse=True)
def german() -> Iterator[None]:
    with language("de"):
        yield


@pytest.fixture
def room(fresh_store: Store) -> dict[str, Any]:
    store = fresh_store
    meeting = store.add_meeting("Treffen").id
    people = {
        name: store.add_participant(name, meeting_id=meeting, consent_named=True).id
        for name in ("Anna", "Bernd", "Clara")
    }
    topics = [store.add_topic(meeting, f"Thema {n}").id for n in range(1, 7)]
    return {"store": store, "meeting": meeting, "people": people, "topics": topics}


def events(store: Store, kind: PreparedKind, record_id: int) -> list[PreparedAction]:
    return [
        e.action for e in store.prepared_events() if e.kind is kind and e.record_id == record_id
    ]


def protocol_text(store: Store, meeting_id: int) -> str:
    return render_html(build_protocol(store, meeting_id, lang="de"))


# --- the meeting and its agenda --------------------------------------------------------------


def test_the_meeting_gets_a_place_and_a_new_date_and_the_change_is_kept(room) -> None:
    store, meeting = room["store"], room["meeting"]
    changed = store.update_meeting(meeting, place="Rathaus Zittau", date=dt.date(2027, 3, 4))
    assert (changed.place, changed.date) == ("Rathaus Zittau", dt.date(2027, 3, 4))
    (event,) = store.prepared_events(meeting)
    assert (event.kind, event.action) == (PreparedKind.MEETING, PreparedAction.EDITED)
    assert json.loads(event.before) == {"place": "", "date": None}
    store.update_meeting(meeting, place="Rathaus Zittau")  # nothing changed: no event
    assert len(store.prepared_events(meeting)) == 1
    assert "Rathaus Zittau" in protocol_text(store, meeting)


def test_agenda_items_are_edited_moved_and_deleted_and_each_is_an_event(room) -> None:
    store, meeting = room["store"], room["meeting"]
    items = [
        store.add_agenda_item(meeting, title, starts_at=dt.time(9 + i), minutes=30)
        for i, title in enumerate(("Begrüßung", "Pause", "Abschluss"))
    ]
    store.update_agenda_item(items[1].id, title="Kaffeepause", minutes=15, starts_at=None)
    assert store.agenda(meeting)[1].title == "Kaffeepause"
    assert store.agenda(meeting)[1].starts_at is None
    assert [i.title for i in store.move_agenda_item(items[2].id, -5)] == [
        "Abschluss", "Begrüßung", "Kaffeepause",
    ]  # fmt: skip
    assert [i.title for i in store.move_agenda_item(items[2].id, 1)] == [
        "Begrüßung", "Abschluss", "Kaffeepause",
    ]  # fmt: skip
    store.delete_agenda_item(items[0].id)
    assert [i.title for i in store.agenda(meeting)] == ["Abschluss", "Kaffeepause"]
    assert events(store, PreparedKind.AGENDA_ITEM, items[2].id) == [PreparedAction.MOVED] * 2
    assert events(store, PreparedKind.AGENDA_ITEM, items[0].id) == [PreparedAction.DELETED]
    deleted = next(e for e in store.prepared_events() if e.action is PreparedAction.DELETED)
    assert deleted.title == "Begrüßung" and json.loads(deleted.before)["starts_at"] == "09:00:00"
    with pytest.raises(InvalidInput):
        store.update_agenda_item(items[1].id, title="  ")
    with pytest.raises(InvalidInput):
        store.update_agenda_item(items[1].id, minutes=-5)
    text = protocol_text(store, meeting)
    assert "Begrüßung" not in text and "Kaffeepause" in text
    store.set_hidden(PreparedKind.AGENDA_ITEM, items[1].id)
    assert "Kaffeepause" not in protocol_text(store, meeting)


# --- vote rounds -------------------------------------------------------------------------------


def test_a_new_round_is_numbered_by_the_rounds_that_exist(room) -> None:
    store, meeting, topics = room["store"], room["meeting"], room["topics"]
    first = store.create_round(meeting, topics)
    assert first.title == "Punktabfrage 1"
    assert first.dots_per_person == 2  # a third of six topics
    second = store.create_round(meeting, topics)
    assert second.title == "Punktabfrage 2"
    store.delete_round(first.id)
    assert store.create_round(meeting, topics[:3]).title == "Punktabfrage 3"  # 2 is taken
    assert store.create_round(meeting, topics[:3], title="   ").title.startswith("Punktabfrage")


def test_a_draft_round_is_edited_whole_an_opened_one_only_renamed(room) -> None:
    store, meeting, topics = room["store"], room["meeting"], room["topics"]
    vote = store.create_round(meeting, topics)
    edited = store.update_round(
        vote.id, title="Was zuerst?", topic_ids=topics[:3], dots_per_person=1, max_per_topic=1,
        visibility="live", timer_seconds=300,
    )  # fmt: skip
    assert (edited.title, edited.topic_ids, edited.dots_per_person) == (
        "Was zuerst?",
        tuple(topics[:3]),
        1,
    )
    assert edited.visibility.value == "live" and edited.timer_seconds == 300
    before = json.loads(store.prepared_events(meeting)[-1].before)
    assert before["topic_ids"] == topics and before["title"] == "Punktabfrage 1"
    with pytest.raises(InvalidInput):
        store.update_round(vote.id, topic_ids=[])
    with pytest.raises(InvalidInput):
        store.update_round(vote.id, dots_per_person=0)
    store.open_round(vote.id)
    with pytest.raises(RoundNotDraft):
        store.update_round(vote.id, dots_per_person=3)
    renamed = store.update_round(vote.id, title="Unsere Prioritäten")
    assert renamed.title == "Unsere Prioritäten" and renamed.dots_per_person == 1
    assert renamed.state is VoteState.OPEN


def test_a_round_with_dots_is_never_deleted_but_can_be_hidden(room) -> None:
    store, meeting, topics, anna = (
        room["store"], room["meeting"], room["topics"], room["people"]["Anna"],
    )  # fmt: skip
    vote = store.create_round(meeting, topics, title="Rangfolge")
    store.open_round(vote.id, show=True)
    store.place_dot(vote.id, anna, topics[0])
    with pytest.raises(PreparedHoldsData) as refused:
        store.delete_round(vote.id)
    assert "Rangfolge" in str(refused.value) and "Punkte" in str(refused.value)
    assert len(store.dot_events(vote.id)) == 1
    store.close_round(vote.id)
    store.reveal_round(vote.id)
    assert "Rangfolge" in protocol_text(store, meeting)
    store.set_hidden(PreparedKind.VOTE_ROUND, vote.id)
    store.set_hidden(PreparedKind.VOTE_ROUND, vote.id)  # twice: one event
    assert "Rangfolge" not in protocol_text(store, meeting)
    assert store.hidden(meeting)[PreparedKind.VOTE_ROUND] == {vote.id}
    store.set_hidden(PreparedKind.VOTE_ROUND, vote.id, False)
    assert "Rangfolge" in protocol_text(store, meeting)
    assert events(store, PreparedKind.VOTE_ROUND, vote.id) == [
        PreparedAction.HIDDEN, PreparedAction.SHOWN,
    ]  # fmt: skip
    further = store.further_round(vote.id, 2)
    store.open_round(further.id)
    store.close_round(further.id)
    with pytest.raises(PreparedHoldsData):
        store.delete_round(vote.id)  # a further round rests on it


def test_deleting_the_round_on_the_screens_shows_the_waiting_screen(room) -> None:
    store, meeting, topics = room["store"], room["meeting"], room["topics"]
    vote = store.create_round(meeting, topics)
    store.open_round(vote.id, show=True)
    store.close_round(vote.id)
    store.delete_round(vote.id)  # opened, but nobody placed a dot
    live = store.live(meeting)
    assert (live.screen, live.subject_id) == (Screen.WAITING, None)
    assert store.vote_rounds(meeting) == []
    (event,) = store.prepared_events(meeting)
    assert event.action is PreparedAction.DELETED and json.loads(event.before)["state"] == "closed"


def test_the_protocol_tells_only_the_rounds_that_took_place(room) -> None:
    store, meeting, topics, anna = (
        room["store"], room["meeting"], room["topics"], room["people"]["Anna"],
    )  # fmt: skip
    held = store.create_round(meeting, topics)  # "Punktabfrage 1"
    store.create_round(meeting, topics, title="Nie geöffnet")
    store.open_round(held.id)
    store.place_dot(held.id, anna, topics[1])
    store.close_round(held.id)
    store.reveal_round(held.id)
    text = protocol_text(store, meeting)
    assert "Nie geöffnet" not in text
    assert "vorbereitet, aber nicht" not in text
    assert "Punktabfrage 1: Punktabfrage 1" not in text and "Punktabfrage 1" in text


# --- topics ------------------------------------------------------------------------------------


def test_a_topic_is_renamed_split_and_deleted_while_it_holds_no_dots(room) -> None:
    store, meeting, anna = room["store"], room["meeting"], room["people"]["Anna"]
    store.set_intake(meeting, True)
    a = store.submit_challenge(meeting, anna, "Leerstand", description="Innenstadt").id
    b = store.submit_challenge(meeting, anna, "Ladenleerstand").id
    topic = store.add_topic(meeting, "Leerstand", challenge_ids=[a, b])
    renamed = store.update_topic(topic.id, title="Leerstand in der Innenstadt")
    assert renamed.title == "Leerstand in der Innenstadt" and renamed.challenge_ids == (a, b)
    assert store.split_topic(topic.id, [b]).challenge_ids == (a,)
    assert store.split_topic(topic.id).challenge_ids == ()
    draft = store.create_round(meeting, [topic.id, room["topics"][0]])
    store.delete_topic(topic.id)  # it leaves the draft round
    assert store.vote_round(draft.id).topic_ids == (room["topics"][0],)
    assert topic.id not in {t.id for t in store.topics(meeting)}
    assert events(store, PreparedKind.TOPIC, topic.id) == [
        PreparedAction.EDITED, PreparedAction.SPLIT, PreparedAction.SPLIT, PreparedAction.DELETED,
    ]  # fmt: skip
    with pytest.raises(PreparedHoldsData):  # the last topic of a draft round
        store.delete_topic(room["topics"][0])


def test_a_topic_with_dots_stays_and_can_be_hidden(room) -> None:
    store, meeting, topics, anna = (
        room["store"], room["meeting"], room["topics"], room["people"]["Anna"],
    )  # fmt: skip
    vote = store.create_round(meeting, topics[:3])
    store.open_round(vote.id)
    with pytest.raises(PreparedHoldsData):  # in a round that was opened
        store.delete_topic(topics[2])
    store.place_dot(vote.id, anna, topics[0])
    with pytest.raises(PreparedHoldsData):
        store.delete_topic(topics[0])
    store.update_topic(topics[5], title="Ganz anderes Thema")
    store.set_hidden(PreparedKind.TOPIC, topics[5])
    text = protocol_text(store, meeting)
    assert "Ganz anderes Thema" not in text and "Thema 1" in text


# --- consultations -----------------------------------------------------------------------------


def test_an_unused_consultation_is_edited_and_deleted_a_held_one_hidden(room) -> None:
    store, meeting, people = room["store"], room["meeting"], room["people"]
    unused = store.add_consultation(meeting, "Fall 2")
    held = store.add_consultation(meeting, "Fall 1", include_in_export=True, confidential=False)
    store.update_consultation(unused.id, title="Nachnutzung Bahnhof", method="kopfstand")
    store.set_role(unused.id, people["Anna"], ConsultationRole.CASE_GIVER)
    assert store.consultation(unused.id).title == "Nachnutzung Bahnhof"
    store.set_roles(held.id, {people["Anna"]: "case_giver", people["Bernd"]: "consultant",
                              people["Clara"]: "moderator"})  # fmt: skip
    store.set_phase(held.id, ConsultationPhase.CASE_ACCOUNT)
    store.add_entry(held.id, "Wie viele Läden stehen leer?", kind=EntryKind.QUESTION,
                    participant_id=people["Bernd"])  # fmt: skip
    text = protocol_text(store, meeting)
    assert "Fall 1" in text and "Nachnutzung Bahnhof" not in text
    assert "bleiben vertraulich" not in text and "bleibt vertraulich" not in text
    with pytest.raises(PreparedHoldsData):
        store.delete_consultation(held.id)
    store.show(meeting, Screen.CONSULTATION, unused.id)
    store.delete_consultation(unused.id)
    assert [k.id for k in store.consultations(meeting)] == [held.id]
    assert store.live(meeting).screen is Screen.WAITING
    deleted = store.prepared_events(meeting)[-1]
    assert deleted.action is PreparedAction.DELETED
    assert json.loads(deleted.before)["roles"] == {str(people["Anna"]): "case_giver"}
    store.update_consultation(held.id, title="Leerstand Markt")
    store.set_hidden(PreparedKind.CONSULTATION, held.id)
    assert "Leerstand Markt" not in protocol_text(store, meeting)


def test_only_consultations_that_took_place_count_as_confidential(room) -> None:
    store, meeting, people = room["store"], room["meeting"], room["people"]
    held = store.add_consultation(meeting, "Fall 1")
    store.add_consultation(meeting, "Fall 2")
    store.set_roles(held.id, {people["Anna"]: "case_giver", people["Bernd"]: "consultant"})
    store.set_phase(held.id, ConsultationPhase.CASE_ACCOUNT)
    text = protocol_text(store, meeting)
    assert "1 kollegiale Beratung bleibt vertraulich" in text
    assert "Fall 2" not in text


# --- her own challenge -------------------------------------------------------------------------


def test_a_participant_edits_and_withdraws_her_own_challenge_while_the_intake_is_open(
    room,
) -> None:
    store, meeting, people = room["store"], room["meeting"], room["people"]
    store.set_intake(meeting, True)
    mine = store.submit_challenge(meeting, people["Anna"], "Leerstnd", tags=["Handel"])
    with pytest.raises(NotYourChallenge):
        store.edit_challenge(mine.id, people["Bernd"], "Übernommen")
    edited = store.edit_challenge(mine.id, people["Anna"], "Leerstand", description="Markt")
    assert (edited.title, edited.description, edited.tags) == ("Leerstand", "Markt", ("Handel",))
    topic = store.add_topic(meeting, "Leerstand", challenge_ids=[mine.id])
    store.set_intake(meeting, False)
    with pytest.raises(IntakeClosed):
        store.withdraw_challenge(mine.id, people["Anna"])
    store.set_intake(meeting, True)
    store.withdraw_challenge(mine.id, people["Anna"])
    assert store.challenges(meeting) == []
    assert [c.title for c in store.challenges(meeting, withdrawn=True)] == ["Leerstand"]
    assert store.topic(topic.id).challenge_ids == ()
    with pytest.raises(NotYourChallenge):  # withdrawn: no more edits
        store.edit_challenge(mine.id, people["Anna"], "Doch wieder")
    kept = [e for e in store.prepared_events(meeting) if e.kind is PreparedKind.CHALLENGE]
    assert [e.action for e in kept] == [PreparedAction.EDITED, PreparedAction.WITHDRAWN]
    assert {e.participant_id for e in kept} == {people["Anna"]}
    assert json.loads(kept[0].before) == {"title": "Leerstnd", "description": ""}
    assert tables(store)["challenges"] == []


def test_every_correction_is_in_the_research_tables(room) -> None:
    store, meeting = room["store"], room["meeting"]
    item = store.add_agenda_item(meeting, "Begrüßung")
    store.delete_agenda_item(item.id)
    rows = tables(store)["prepared_events"]
    assert [(r["kind"], r["action"], r["record_id"]) for r in rows] == [
        ("agenda_item", "deleted", item.id)
    ]


# --- a meeting from a template -----------------------------------------------------------------


def test_a_template_asks_for_its_cases_and_keeps_its_agenda_unless_told(fresh_store) -> None:
    store = fresh_store
    first = store.prepare_meeting("Auftakt", template="kickoff", lang="de")
    store.add_participant("Anna", meeting_id=first.id)
    forum = store.prepare_meeting(
        template="forum", lang="de", place="Rathaus Löbau", copy_from=first.id,
        copy_agenda=False, case_titles=["Leerstand am Markt", ""],
    )  # fmt: skip
    assert [k.title for k in store.consultations(forum.id)] == ["Leerstand am Markt"]
    assert forum.place == "Rathaus Löbau"
    agenda = [a.title for a in store.agenda(forum.id)]
    assert "Kollegiale Beratung, Fall 2" in agenda  # the template's, not the kickoff's
    assert [p.name for p in store.participants(forum.id)] == ["Anna"]
    copied = store.prepare_meeting(
        template="forum", lang="de", copy_from=first.id, copy_participants=False, case_titles=[]
    )
    assert [a.title for a in store.agenda(copied.id)] == [a.title for a in store.agenda(first.id)]
    assert store.participants(copied.id) == [] and store.consultations(copied.id) == []


def test_a_withdrawn_challenge_is_not_merged_again(room) -> None:
    store, meeting, anna = room["store"], room["meeting"], room["people"]["Anna"]
    store.set_intake(meeting, True)
    gone = store.submit_challenge(meeting, anna, "Zurückgezogen")
    store.withdraw_challenge(gone.id, anna)
    with pytest.raises(InvalidInput):
        store.add_topic(meeting, "Neu", challenge_ids=[gone.id])
