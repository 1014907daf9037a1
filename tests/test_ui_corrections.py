"""Correcting what was prepared on the facilitator's page, and her own challenge on a
participant's page (widgets in-process; the rules are the store's, see
test_store_prepared.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import facilitation
from facilitation.i18n import language
from facilitation.models import PreparedKind, Screen
from facilitation.ui.facilitator import FacilitatorApp
from facilitation.ui.participant import ParticipantApp

from .test_ui import _texts

JOIN = "https://workshop.example.org/"


@pytest.fixture
def room(tmp_path: Path) -> Iterator[dict[str, Any]]:
    with language("de"), facilitation.create_workspace(tmp_path / "p.db", "Forum") as store:
        town = store.add_municipality("Löbau").id
        meeting = store.add_meeting("Forum im Mai")
        store.set_current_meeting(meeting.id)
        anna = store.add_participant(
            "Anna Vorab", meeting_id=meeting.id, municipality_id=town, consent_named=True
        )
        bernd = store.add_participant("Bernd Still", meeting_id=meeting.id, municipality_id=town)
        facilitator = FacilitatorApp(store, join_url=JOIN, live=False)
        page = ParticipantApp(store, live=False)
        page.identify(store.create_link(anna.id))
        yield {"store": store, "meeting": meeting, "anna": anna, "bernd": bernd,
               "facilitator": facilitator, "page": page}  # fmt: skip


def test_the_dots_follow_the_topics_chosen_until_typed(room) -> None:
    store, facilitator, meeting = room["store"], room["facilitator"], room["meeting"]
    for n in range(1, 10):
        store.add_topic(meeting.id, f"Thema {n}")
    tab = facilitator.tab("voting")
    facilitator.refresh()
    assert (tab.dots.value, tab.cap.value) == (3, 3)  # nine topics chosen: a third
    tab.topics.value = tab.topics.value[:4]
    assert (tab.dots.value, tab.cap.value) == (1, 1)
    tab.dots.value = 2  # her own: it stays
    tab.topics.value = tuple(v for _l, v in tab.topics.options)
    assert tab.dots.value == 2
    tab.create.click()
    (first,) = store.vote_rounds(meeting.id)
    assert (first.title, first.dots_per_person) == ("Punktabfrage 1", 2)
    tab.create.click()
    assert store.vote_rounds(meeting.id)[-1].title == "Punktabfrage 2"

    # The draft is edited in the same form, then renamed and hidden from the protocol.
    tab.editing.value = first.id
    assert tab.create.description == "Runde speichern" and tab.dots.value == 2
    tab.dots.value = 1
    tab.create.click()
    assert store.vote_round(first.id).dots_per_person == 1 and tab.editing.value == 0
    tab.choice.value = first.id
    tab.corrections.title.value = "Was zuerst?"
    tab.corrections.rename.click()
    assert store.vote_round(first.id).title == "Was zuerst?"
    tab.corrections.hide.click()
    assert store.hidden(meeting.id)[PreparedKind.VOTE_ROUND] == {first.id}
    assert tab.corrections.hide.description == "Im Protokoll zeigen"
    tab.corrections.delete.click()  # asks first
    assert "noch einmal" in facilitator.message.value and len(store.vote_rounds(meeting.id)) == 2
    tab.corrections.delete.click()
    assert [r.title for r in store.vote_rounds(meeting.id)] == ["Punktabfrage 2"]


def test_the_merge_list_names_description_town_and_author_as_allowed(room) -> None:
    store, facilitator, meeting = room["store"], room["facilitator"], room["meeting"]
    store.set_intake(meeting.id, True)
    store.submit_challenge(meeting.id, room["anna"].id, "Leerstand", description="<b>Markt</b>")
    store.submit_challenge(meeting.id, room["bernd"].id, "Schulweg")
    tab = facilitator.tab("intake")
    facilitator.refresh()
    details = [row.children[1].value for row in tab.challenge_boxes.children]
    assert "&lt;b&gt;Markt&lt;/b&gt;" in details[0] and "Löbau · Anna Vorab" in details[0]
    assert "Bernd" not in details[1] and f"P{room['bernd'].id:03d}" in details[1]

    for box in tab.boxes.values():
        box.value = True
    tab.topic_title.value = "Ortskerne"
    tab.merge.click()
    (topic,) = store.topics(meeting.id)
    assert tab.topic_choice.value == topic.id
    tab.split.click()
    assert store.topic(topic.id).challenge_ids == ()


def test_a_participant_corrects_and_withdraws_her_challenge(room) -> None:
    store, page, meeting = room["store"], room["page"], room["meeting"]
    store.show(meeting.id, Screen.INTAKE)
    page.refresh()
    intake = page.view("intake")
    intake.title_input.value = "Leerstnd"
    intake.submit_button.click()
    (mine,) = store.challenges(meeting.id)
    intake.own_choice.value = mine.id
    assert intake.title_input.value == "Leerstnd"
    intake.title_input.value = "Leerstand"
    intake.submit_button.click()
    assert store.challenges(meeting.id)[0].title == "Leerstand"
    assert "Ihre Herausforderung ist geändert" in _texts(page)
    intake.own_choice.value = mine.id
    intake.withdraw_button.click()
    assert store.challenges(meeting.id) == []
    assert "zurückgezogen" in _texts(page)
