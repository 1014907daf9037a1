"""Two pages write at the same moment: each rule still holds, on SQLite and on PostgreSQL.

SQLite lets one writer in at a time (``BEGIN IMMEDIATE``); PostgreSQL runs the
transactions side by side, so a rule checked there must lock what it reads or
let the database decide (``INSERT … ON CONFLICT``). The tests use real threads,
each with its own connection (a page of its own), started together by a barrier;
or they hold a facilitator's change open in a transaction while a participant's
call comes in, and commit it while that call is under way.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Connection, update

import facilitation
from facilitation import (
    IntakeClosed,
    InvalidInput,
    MunicipalityAlreadyChosen,
    Store,
    TableRoundNotRunning,
    TableRoundOver,
    TieAlreadyDeclared,
    UnknownJoinCode,
)
from facilitation.models import ActionStatus, ConsultationPhase
from facilitation.store import _schema as s
from facilitation.store._engine import write
from facilitation.store._records import now

TRIALS = 12


def at_once(location: str, calls: list[Callable[[Store], Any]]) -> list[Any]:
    """Run each call in its own thread with its own store, all released at the same moment.

    Returns what each call returned or raised, in the order of ``calls``.
    """
    outcomes: list[Any] = [None] * len(calls)
    stores = [facilitation.open_workspace(location) for _ in calls]
    for store in stores:
        store.info()  # connect before the start, so that the calls meet in the database
    start = threading.Barrier(len(calls))

    def run(index: int) -> None:
        start.wait()
        try:
            outcomes[index] = calls[index](stores[index])
        except Exception as error:
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for store in stores:
        store.close()
    return outcomes


def while_held(
    location: str, change: Callable[[Connection], None], call: Callable[[Store], Any]
) -> Any:
    """Hold ``change`` uncommitted while ``call`` starts on another page; then commit it.

    Returns what ``call`` returned or raised. On SQLite the call waits for the
    write lock; on PostgreSQL it runs until it meets a lock or commits.
    """
    outcome: dict[str, Any] = {}
    store, other = facilitation.open_workspace(location), facilitation.open_workspace(location)
    other.info()

    def run() -> None:
        try:
            outcome["value"] = call(other)
        except Exception as error:
            outcome["value"] = error

    thread = threading.Thread(target=run)
    with write(store.engine) as c:
        change(c)
        thread.start()
        time.sleep(0.6)  # the call has read what it checks, and waits or has written
    thread.join(timeout=120)
    other.close()
    store.close()
    return outcome["value"]


@pytest.fixture
def room(fresh_store: Store, location: str) -> Iterator[dict[str, Any]]:
    store = fresh_store
    towns = [store.add_municipality(f"Stadt {i}").id for i in range(TRIALS + 2)]
    meeting = store.add_meeting("Treffen")
    anna = store.add_participant("Anna", meeting_id=meeting.id, municipality_id=towns[0]).id
    bernd = store.add_participant("Bernd", meeting_id=meeting.id).id
    yield {"store": store, "location": location, "meeting": meeting.id, "towns": towns,
           "anna": anna, "bernd": bernd}  # fmt: skip


def _errors(outcomes: list[Any]) -> list[str]:
    return [f"{type(o).__name__}: {o}" for o in outcomes if isinstance(o, Exception)]


# --- update, else insert --------------------------------------------------------------------


def test_two_tabs_of_one_person_mark_her_seen_at_once(room) -> None:
    store, location, anna = room["store"], room["location"], room["anna"]
    for trial in range(TRIALS):
        meeting = store.add_meeting(f"Runde {trial}").id
        store.register(meeting, anna)
        outcomes = at_once(location, [lambda st, m=meeting: st.mark_seen(m, anna)] * 2)
        assert _errors(outcomes) == []
        assert set(store.seen(meeting)) == {anna}


def test_the_first_change_of_what_a_meeting_shows_from_two_pages(room) -> None:
    store, location = room["store"], room["location"]
    for trial in range(TRIALS):
        meeting = store.add_meeting(f"Runde {trial}").id
        outcomes = at_once(
            location,
            [lambda st, m=meeting: st.set_intake(m, True),
             lambda st, m=meeting: st.start_timer(m, 60)],
        )  # fmt: skip
        assert _errors(outcomes) == []
        live = store.live(meeting)
        assert live.intake_open and live.timer_ends_at is not None


def test_two_facilitator_tabs_register_a_person_at_once(room) -> None:
    store, location, bernd = room["store"], room["location"], room["bernd"]
    for trial in range(TRIALS):
        meeting = store.add_meeting(f"Runde {trial}").id
        outcomes = at_once(location, [lambda st, m=meeting: st.register(m, bernd)] * 2)
        assert _errors(outcomes) == []
        assert [p.id for p in store.participants(meeting)] == [bernd]


# --- a check and the write it guards ------------------------------------------------------------


def test_a_double_click_enters_a_tie_once(room) -> None:
    store, location, meeting, anna = room["store"], room["location"], room["meeting"], room["anna"]
    store.show_network(meeting)
    for partner in room["towns"][1 : TRIALS + 1]:
        outcomes = at_once(
            location, [lambda st, p=partner: st.declare_ties(meeting, anna, p, topics=["Kita"])] * 2
        )
        assert sorted(type(o).__name__ for o in outcomes) == ["TieAlreadyDeclared", "list"]
        assert len([t for t in store.ties_declared_by(anna) if t.target_id == partner]) == 1
    assert isinstance(next(o for o in outcomes if isinstance(o, Exception)), TieAlreadyDeclared)


def test_two_facilitator_tabs_make_one_personal_link_per_person(room) -> None:
    store, location = room["store"], room["location"]
    for trial in range(TRIALS):
        meeting = store.add_meeting(f"Runde {trial}").id
        people = [store.add_participant(f"P{trial}-{i}", meeting_id=meeting).id for i in range(3)]
        outcomes = at_once(location, [lambda st, m=meeting: st.personal_links(m)] * 2)
        assert _errors(outcomes) == []
        assert outcomes[0] == outcomes[1] and set(outcomes[0]) == set(people)
        assert all(store.links(person) == [outcomes[0][person]] for person in people)
        renewed = at_once(location, [lambda st, p=people[0]: st.renew_link(p)] * 2)
        assert _errors(renewed) == []
        assert len(store.links(people[0])) == 1  # one link valid, whichever came last


def test_a_double_click_adds_a_municipality_and_a_group_once(room) -> None:
    store, location = room["store"], room["location"]
    for trial in range(TRIALS):
        ags = f"{14625000 + trial:08d}"
        outcomes = at_once(location, [lambda st, a=ags: st.add_municipality("Neustadt", ags=a)] * 2)
        refused = [o for o in outcomes if isinstance(o, Exception)]
        assert len(refused) == 1 and isinstance(refused[0], InvalidInput), _errors(outcomes)
        assert f"{ags} gehört bereits zu Neustadt" in str(refused[0])
        outcomes = at_once(location, [lambda st, t=trial: st.add_group(f"netz-{t}", "Netz")] * 2)
        refused = [o for o in outcomes if isinstance(o, Exception)]
        assert len(refused) == 1 and isinstance(refused[0], InvalidInput), _errors(outcomes)
    assert len([m for m in store.municipalities() if m.name == "Neustadt"]) == TRIALS
    assert len(store.groups()) == TRIALS


def test_two_tabs_choose_her_municipality_at_once(room) -> None:
    store, location, meeting = room["store"], room["location"], room["meeting"]
    first, second = room["towns"][1], room["towns"][2]
    for trial in range(TRIALS):
        person = store.add_participant(f"Neu {trial}", meeting_id=meeting).id
        outcomes = at_once(
            location,
            [lambda st, p=person: st.set_own_municipality(p, first),
             lambda st, p=person: st.set_own_municipality(p, second)],
        )  # fmt: skip
        refused = [o for o in outcomes if isinstance(o, Exception)]
        assert len(refused) == 1 and isinstance(refused[0], MunicipalityAlreadyChosen)
        kept = next(o for o in outcomes if not isinstance(o, Exception))
        assert store.participant(person).municipality_id == kept.municipality_id


def test_two_clicks_on_add_a_round_number_the_rounds_one_after_the_other(room) -> None:
    store, location, meeting = room["store"], room["location"], room["meeting"]
    for _trial in range(TRIALS // 2):
        outcomes = at_once(
            location,
            [lambda st: st.add_table_round(meeting), lambda st: st.add_table_round(meeting),
             lambda st: st.add_agenda_item(meeting, "Pause"),
             lambda st: st.add_agenda_item(meeting, "Pause")],
        )  # fmt: skip
        assert _errors(outcomes) == []
    numbers = [r.number for r in store.table_rounds(meeting)]
    assert numbers == list(range(1, TRIALS + 1))
    assert [a.position for a in store.agenda(meeting)] == list(range(1, TRIALS + 1))


def _close_intake(meeting: int) -> Callable[[Connection], None]:
    def change(c: Connection) -> None:
        c.execute(
            update(s.meeting_live)
            .where(s.meeting_live.c.meeting_id == meeting)
            .values(intake_open=False, updated_at=now())
        )

    return change


def test_no_challenge_lands_after_the_intake_is_closed(room) -> None:
    store, meeting, anna = room["store"], room["meeting"], room["anna"]
    store.set_intake(meeting, True)
    outcome = while_held(
        room["location"],
        _close_intake(meeting),
        lambda st: st.submit_challenge(meeting, anna, "Leerstand"),
    )
    assert isinstance(outcome, IntakeClosed), outcome
    assert store.challenges(meeting) == []


def test_no_newcomer_joins_after_joining_is_closed(room) -> None:
    store, meeting = room["store"], room["meeting"]
    code = store.open_join(meeting)

    def close_join(c: Connection) -> None:
        c.execute(
            update(s.meeting_live)
            .where(s.meeting_live.c.meeting_id == meeting)
            .values(join_code=None, updated_at=now())
        )

    outcome = while_held(room["location"], close_join, lambda st: st.join(code, "Nachzüglerin"))
    assert isinstance(outcome, UnknownJoinCode), outcome
    assert [p.name for p in store.participants(meeting)] == ["Anna", "Bernd"]


def test_no_note_goes_to_a_round_after_the_next_one_started(room) -> None:
    store, meeting, anna = room["store"], room["meeting"], room["anna"]
    table = store.add_table(meeting, "Wasser")
    first, second = (store.add_table_round(meeting) for _ in range(2))
    store.assign(first.id, table.id, [anna])
    store.start_table_round(first.id)
    store.end_table_round(first.id)  # the bell: notes may still come in, until round 2 starts

    def start_second(c: Connection) -> None:
        c.execute(update(s.table_round).where(s.table_round.c.id == second.id)
                  .values(started_at=now()))  # fmt: skip

    outcome = while_held(
        room["location"],
        start_second,
        lambda st: st.submit_table_note(first.id, anna, "Noch schnell"),
    )
    assert isinstance(outcome, TableRoundNotRunning), outcome
    assert store.table_notes(table.id) == []


def test_no_note_is_withdrawn_from_a_round_after_the_next_one_started(room) -> None:
    store, meeting, anna = room["store"], room["meeting"], room["anna"]
    table = store.add_table(meeting, "Wasser", host_id=anna)
    first, second = (store.add_table_round(meeting) for _ in range(2))
    store.start_table_round(first.id)
    note = store.submit_table_note(first.id, anna, "Tippfehler")

    def start_second(c: Connection) -> None:
        c.execute(update(s.table_round).where(s.table_round.c.id == second.id)
                  .values(started_at=now()))  # fmt: skip

    outcome = while_held(
        room["location"],
        start_second,
        lambda st: st.withdraw_table_note(note.id, participant_id=anna),
    )
    assert isinstance(outcome, TableRoundOver), outcome
    assert store.table_notes(table.id) == [note]


def test_a_note_withdrawn_while_the_next_round_starts_has_one_outcome(room) -> None:
    store, location, meeting, anna = room["store"], room["location"], room["meeting"], room["anna"]
    table = store.add_table(meeting, "Wasser", host_id=anna)
    rounds = [store.add_table_round(meeting) for _ in range(TRIALS + 1)]
    store.start_table_round(rounds[0].id)
    seen = set()
    for running, following in itertools.pairwise(rounds):
        note = store.submit_table_note(running.id, anna, f"Notiz aus Runde {running.number}")
        # Her double click (two calls) and the facilitator's start, all at the same moment.
        first, second, started = at_once(
            location,
            [lambda st, n=note.id: st.withdraw_table_note(n, participant_id=anna)] * 2
            + [lambda st, r=following.id: st.start_table_round(r)],
        )
        assert not isinstance(started, Exception), started
        after = next(n for n in store.table_notes(table.id, withdrawn=True) if n.id == note.id)
        if after.withdrawn_at is None:  # the round started first: both clicks were refused
            assert isinstance(first, TableRoundOver) and isinstance(second, TableRoundOver)
            seen.add("refused")
        else:  # withdrawn while its round was the one notes go to; the second click is harmless
            assert first == second == after, (first, second)
            assert after.withdrawn_at <= started.started_at
            seen.add("withdrawn")
        assert store.table_round(following.id).started_at == started.started_at
    assert seen  # which one won each time is up to the database; each time it was whole


# --- entries: taken, left, withdrawn, made into next steps ------------------------------------


def _closing(store: Store, meeting: int, people: dict[str, int]) -> tuple[int, list[int]]:
    consultation = store.add_consultation(meeting, "Leerstand", key_question="Was tun?",
                                          method="brainstorming").id  # fmt: skip
    store.set_roles(consultation, {people["Anna"]: "case_giver", people["Bernd"]: "consultant"})
    store.set_phase(consultation, ConsultationPhase.CONSULTATION)
    ideas = [store.submit_entry(consultation, people["Bernd"], f"Idee {i}").id
             for i in range(TRIALS)]  # fmt: skip
    store.set_phase(consultation, ConsultationPhase.CLOSING)
    return consultation, ideas


def test_an_idea_withdrawn_while_a_step_is_made_of_it_keeps_no_step(room) -> None:
    store, location, meeting = room["store"], room["location"], room["meeting"]
    people = {"Anna": room["anna"], "Bernd": room["bernd"]}
    consultation, ideas = _closing(store, meeting, people)
    for idea in ideas:
        at_once(
            location,
            [lambda st, i=idea: st.add_next_step(i, "Schritt", participant_id=people["Anna"]),
             lambda st, i=idea: st.withdraw_entry(i)],
        )  # fmt: skip
    withdrawn = {e.id for e in store.entries(consultation, withdrawn=True) if e.withdrawn_at}
    assert withdrawn == set(ideas)
    live = [a for a in store.next_steps(consultation) if a.status is not ActionStatus.DROPPED]
    assert live == [], "a next step outlived the idea it was made of"
    assert not any(e.taken for e in store.entries(consultation, withdrawn=True))


def test_the_facilitator_and_the_case_giver_take_and_leave_at_once(room) -> None:
    store, location, meeting = room["store"], room["location"], room["meeting"]
    people = {"Anna": room["anna"], "Bernd": room["bernd"]}
    consultation, ideas = _closing(store, meeting, people)
    for idea in ideas:
        at_once(
            location,
            [lambda st, i=idea: st.add_next_step(i, "Schritt", participant_id=people["Anna"]),
             lambda st, i=idea: st.mark_taken(i, False)],
        )  # fmt: skip
    entries = {e.id: e for e in store.entries(consultation)}
    for step in store.next_steps(consultation):
        assert entries[step.entry_id].taken, "a next step of an idea that was left"
