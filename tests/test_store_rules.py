"""Rules the store enforces for a forged click as much as for the page's own buttons,
and rules that used to give two answers in two places (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from facilitation import (
    InvalidInput,
    MunicipalityAlreadyChosen,
    NotTakeable,
    RecordNotFound,
    ResultNotFinal,
    Store,
)
from facilitation import consultation as rules
from facilitation.export import tables, write_csv
from facilitation.i18n import language
from facilitation.models import (
    ActionStatus,
    ConsultationPhase,
    EntryKind,
    Visibility,
    VoteState,
)
from facilitation.report import build_protocol
from facilitation.ui.tables import harvest_html

Phase = ConsultationPhase


@pytest.fixture(autouse=True)
def german() -> Iterator[None]:
    with language("de"):
        yield


@pytest.fixture
def room(fresh_store: Store) -> dict[str, Any]:
    store = fresh_store
    towns = [store.add_municipality(n).id for n in ("Görlitz", "Zittau")]
    meeting = store.add_meeting("Treffen").id
    people = {
        name: store.add_participant(name, meeting_id=meeting, consent_named=True).id
        for name in ("Anna", "Bernd", "Clara", "Dora")
    }
    return {"store": store, "meeting": meeting, "people": people, "towns": towns}


# --- her own municipality ------------------------------------------------------------------


def test_a_participant_chooses_her_municipality_once(room) -> None:
    store, anna = room["store"], room["people"]["Anna"]
    goerlitz, zittau = room["towns"]
    chosen = store.set_own_municipality(anna, goerlitz)
    assert chosen.municipality_id == goerlitz
    assert store.set_own_municipality(anna, goerlitz) == chosen  # a double click: no change
    with pytest.raises(MunicipalityAlreadyChosen) as refused:
        store.set_own_municipality(anna, zittau)  # a forged widget message
    assert str(refused.value) == (
        "Ihre Kommune ist schon festgelegt: Görlitz. Wenn das nicht stimmt, ändert die "
        "Moderation sie für Sie."
    )
    assert store.participant(anna).municipality_id == goerlitz
    with pytest.raises(RecordNotFound):
        store.set_own_municipality(room["people"]["Bernd"], 999)
    # The facilitator still corrects it.
    assert store.update_participant(anna, municipality_id=zittau).municipality_id == zittau


# --- a further round -----------------------------------------------------------------------------


def _round(store: Store, meeting: int, visibility: Visibility) -> tuple[int, list[int]]:
    topics = [store.add_topic(meeting, f"Thema {i}").id for i in range(4)]
    vote_round = store.create_round(meeting, topics, dots_per_person=2, visibility=visibility).id
    return vote_round, topics


def test_a_further_round_waits_for_the_final_result(room) -> None:
    store, meeting, people = room["store"], room["meeting"], room["people"]
    secret, topics = _round(store, meeting, Visibility.SECRET)
    before = len(store.vote_rounds(meeting))
    with pytest.raises(ResultNotFinal):
        store.further_round(secret, 1)  # in preparation
    store.open_round(secret)
    store.place_dot(secret, people["Anna"], topics[2])
    with pytest.raises(ResultNotFinal) as refused:
        store.further_round(secret, 1)  # open: the tally is partial and secret
    assert str(refused.value) == (
        "Eine weitere Runde nimmt die vorderen Themen eines endgültigen Ergebnisses; diese "
        "Punktabfrage ist geöffnet. Schließen Sie sie und decken Sie das Ergebnis auf."
    )
    store.close_round(secret)
    with pytest.raises(ResultNotFinal) as refused:
        store.further_round(secret, 1)  # closed, but nobody has seen the result
    assert str(refused.value).endswith("Decken Sie zuerst das Ergebnis auf.")
    assert len(store.vote_rounds(meeting)) == before
    store.reveal_round(secret)
    further = store.further_round(secret, 1)
    assert (further.topic_ids, further.parent_round_id) == ((topics[2],), secret)
    assert further.state is VoteState.DRAFT

    live, topics = _round(store, meeting, Visibility.LIVE)
    store.open_round(live)
    store.place_dot(live, people["Bernd"], topics[1])
    with pytest.raises(ResultNotFinal) as refused:
        store.further_round(live, 1)
    assert str(refused.value).endswith("Schließen Sie sie zuerst.")
    store.close_round(live)  # everybody saw the tally grow: closed is final enough
    assert store.further_round(live, 1).topic_ids == (topics[1],)


# --- released for export ---------------------------------------------------------------


def test_one_rule_says_which_consultations_leave_the_workspace(room) -> None:
    store, meeting = room["store"], room["meeting"]
    open_case = store.add_consultation(meeting, "Offener Fall", confidential=False)
    included = store.add_consultation(meeting, "Freigegeben", include_in_export=True)
    secret = store.add_consultation(meeting, "Vertraulich")
    for case in (open_case, included, secret):  # each took place (the protocol tells no other)
        store.add_entry(case.id, "Eine Notiz", kind="note")
    asked = {
        False: {open_case.id, included.id},
        True: {open_case.id, included.id, secret.id},
        (secret.id,): {open_case.id, included.id, secret.id},
        (): {open_case.id, included.id},
    }
    for wanted, expected in asked.items():
        cases = store.consultations(meeting)
        assert {c.id for c in cases if rules.released(c, wanted)} == expected
        exported = tables(store, confidential=wanted, meeting_id=meeting)["consultations"]
        assert {row["id"] for row in exported} == expected
        protocol = build_protocol(store, meeting, include_confidential=wanted)
        text = protocol.plain_text()
        assert {c.id for c in cases if c.title in text} == expected, wanted


# --- what a case giver can take along ----------------------------------------------------------


@pytest.fixture
def closing(room) -> dict[str, Any]:
    store, meeting, people = room["store"], room["meeting"], room["people"]
    cid = store.add_consultation(meeting, "Leerstand", key_question="Was tun?",
                                 method="kreuzverhoer").id  # fmt: skip
    store.set_roles(cid, {people["Anna"]: "case_giver", people["Bernd"]: "consultant",
                          people["Clara"]: "secretary", people["Dora"]: "observer"})  # fmt: skip
    store.set_phase(cid, Phase.CASE_ACCOUNT)
    entries = {"early question": store.submit_entry(cid, people["Bernd"], "Seit wann?",
                                                    kind="question")}  # fmt: skip
    store.set_phase(cid, Phase.CONSULTATION)
    entries["pointed question"] = store.submit_entry(cid, people["Bernd"], "Wer blockiert?",
                                                     kind="question")  # fmt: skip
    entries["idea"] = store.add_entry(cid, "Runder Tisch", participant_id=people["Clara"])
    entries["note"] = store.submit_entry(cid, people["Clara"], "Vertraulich: Streit",
                                         kind="note")  # fmt: skip
    entries["observation"] = store.add_entry(cid, "Ruhige Runde", kind="observation",
                                             participant_id=people["Dora"])  # fmt: skip
    store.set_phase(cid, Phase.CLOSING)
    return {**room, "id": cid, "entries": {k: e.id for k, e in entries.items()}}


def test_only_the_contributions_of_the_consultation_can_be_taken(closing) -> None:
    store, cid, anna = closing["store"], closing["id"], closing["people"]["Anna"]
    entries = closing["entries"]
    current = store.consultation(cid)
    listed = {e.id for e in store.entries(cid) if rules.takeable(e, current)}
    assert listed == {entries["pointed question"], entries["idea"]}
    assert [e.id for e in rules.contributions(store.entries(cid), current)] == [
        entries["pointed question"], entries["idea"]
    ]  # fmt: skip
    for kind in ("early question", "note", "observation"):
        with pytest.raises(NotTakeable) as refused:
            store.mark_taken(entries[kind], participant_id=anna)  # a forged click
        with pytest.raises(NotTakeable):
            store.add_next_step(entries[kind], "Schritt", participant_id=anna)
        with pytest.raises(NotTakeable):
            store.mark_taken(entries[kind])  # the facilitator keeps to it too
    assert str(refused.value) == (
        "Mitnehmen kann die Fallgeberin oder der Fallgeber nur, was die Beratung beigetragen hat "
        "(hier: Frage). Fragen aus der Fallschilderung, Notizen und Beobachtungen gehören nicht "
        "dazu."
    )
    assert not any(e.taken for e in store.entries(cid))
    assert store.mark_taken(entries["pointed question"], participant_id=anna).taken
    step = store.add_next_step(entries["idea"], "Runden Tisch einladen", participant_id=anna)
    assert step.entry_id == entries["idea"]

    # The protocol lists what was taken among the contributions, with its mark, once.
    protocol = build_protocol(store, closing["meeting"], include_confidential=True)
    text = protocol.plain_text()
    assert text.count("Wer blockiert?") == 1 and text.count("Seit wann?") == 1
    assert "davon 2 von der Fallgeberin" in text


def test_a_withdrawn_entry_cannot_be_taken(closing) -> None:
    store, anna, idea = closing["store"], closing["people"]["Anna"], closing["entries"]["idea"]
    store.withdraw_entry(idea)
    with pytest.raises(InvalidInput):
        store.mark_taken(idea, participant_id=anna)
    with pytest.raises(InvalidInput):
        store.add_next_step(idea, "Schritt", participant_id=anna)


# --- next steps of an idea that is taken back ---------------------------------------------------


def test_next_steps_go_when_their_idea_is_left_or_withdrawn(closing) -> None:
    store, cid, anna = closing["store"], closing["id"], closing["people"]["Anna"]
    idea, question = closing["entries"]["idea"], closing["entries"]["pointed question"]
    first = store.add_next_step(idea, "Runden Tisch einladen", participant_id=anna)
    second = store.add_next_step(idea, "Protokoll verschicken", participant_id=anna)
    other = store.add_next_step(question, "Bauamt fragen", participant_id=anna)
    assert {a.id for a in store.next_steps(cid)} == {first.id, second.id, other.id}

    # She leaves the idea: the steps made of it go with it, in the same transaction.
    left = store.mark_taken(idea, False, participant_id=anna)
    assert left.taken is False
    assert [a.id for a in store.next_steps(cid)] == [other.id]
    assert [a.id for a in store.actions()] == [other.id]

    # A step that has a history (reported on at a later meeting) is kept as dropped.
    store.update_action(other.id, status="in_progress", note="Termin steht")
    gone = store.withdraw_entry(question)  # the facilitator hides the question
    assert gone.withdrawn_at is not None and gone.taken is False
    (kept,) = store.next_steps(cid)
    assert (kept.id, kept.status) == (other.id, ActionStatus.DROPPED)
    updates = store.action_updates(other.id)
    assert [u.status for u in updates] == [ActionStatus.IN_PROGRESS, ActionStatus.DROPPED]

    # A step already done stays done.
    again = store.add_next_step(idea, "Runden Tisch einladen", participant_id=anna)
    store.update_action(again.id, status="done")
    store.mark_taken(idea, False)
    assert store.action(again.id).status is ActionStatus.DONE


def test_an_entry_left_without_steps_changes_nothing_else(closing) -> None:
    store, cid, anna = closing["store"], closing["id"], closing["people"]["Anna"]
    direct = store.add_action("Direkt vereinbart", meeting_id=closing["meeting"],
                              due=dt.date(2026, 12, 1))  # fmt: skip
    idea = closing["entries"]["idea"]
    store.mark_taken(idea, participant_id=anna)
    store.mark_taken(idea, False, participant_id=anna)
    assert [a.id for a in store.actions()] == [direct.id]
    assert store.next_steps(cid) == []
    assert EntryKind.IDEA in {e.kind for e in store.entries(cid)}


# --- a withdrawn table note ------------------------------------------------------------------


def test_a_withdrawn_table_note_is_shown_and_exported_nowhere_but_kept_in_the_store(
    room, tmp_path: Path
) -> None:
    store, meeting, people = room["store"], room["meeting"], room["people"]
    table = store.add_table(meeting, "Mobilität", host_id=people["Anna"])
    table_round = store.add_table_round(meeting)
    store.seat(table_round.id, {table.id: [people["Bernd"], people["Clara"]]})
    store.start_table_round(table_round.id)
    typo = store.submit_table_note(table_round.id, people["Bernd"], "TIPPFEHLER-1 Rufbus")
    wrong = store.submit_table_note(table_round.id, people["Clara"], "FALSCHER-TISCH-2 Kita")
    kept = store.submit_table_note(table_round.id, people["Anna"], "Bürgerbus am Wochenende")
    store.withdraw_table_note(typo.id, participant_id=people["Bernd"])  # her own, in the round
    store.withdraw_table_note(wrong.id)  # hidden by the facilitator
    gone = ("TIPPFEHLER-1", "FALSCHER-TISCH-2")

    # The harvest (wall, pages, facilitator's tab) and the protocol leave them out.
    harvest = harvest_html(store, meeting)
    assert kept.text in harvest and not any(text in harvest for text in gone)
    protocol = build_protocol(store, meeting).plain_text()
    assert kept.text in protocol and not any(text in protocol for text in gone)
    assert [n.id for n in store.table_notes_for(table.id, people["Dora"])] == [kept.id]

    # What its author took back or the facilitator hid does not leave the workspace (as with
    # a consultation's withdrawn entries); the workspace keeps it, marked withdrawn.
    rows = {row["id"]: row for row in tables(store, meeting_id=meeting)["table_notes"]}
    assert list(rows) == [kept.id] and rows[kept.id]["withdrawn_at"] is None
    assert store.frame("table_notes")["id"].tolist() == [kept.id]
    written = {p.name: p for p in write_csv(store, tmp_path, meeting_id=meeting)}
    with written["table_notes.csv"].open(encoding="utf-8-sig", newline="") as handle:
        read = list(csv.DictReader(handle))
    assert [r["text"] for r in read] == [kept.text]
    assert store.meeting_table_notes(meeting) == {table.id: [kept]}
    every = store.meeting_table_notes(meeting, withdrawn=True)
    assert [n.id for n in every[table.id]] == [typo.id, wrong.id, kept.id]
    kept_in_store = store.table_notes(table.id, withdrawn=True)
    assert [n.id for n in kept_in_store] == [typo.id, wrong.id, kept.id]
    for note in kept_in_store[:2]:
        assert note.withdrawn_at is not None and note.withdrawn_at >= note.created_at
