"""Collegial consultation in the store: roles, phases, entries and next steps, checked where
they are written (SQLite and PostgreSQL), and the rules of ``facilitation.consultation``."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa

import facilitation
from facilitation import (
    ConsultationOver,
    EntryNotAllowed,
    FacilitationError,
    InvalidInput,
    NoRole,
    NotInMeeting,
    NotYourEntry,
    NotYourStep,
    PhaseNotReady,
    RoleNotForVariant,
    RoleTaken,
    Store,
)
from facilitation import consultation as rules
from facilitation.i18n import language
from facilitation.models import (
    ActionStatus,
    ConsultationPhase,
    ConsultationRole,
    EntryKind,
)
from facilitation.store._open import create

Phase = ConsultationPhase
Role = ConsultationRole


@pytest.fixture(autouse=True)
def german() -> Iterator[None]:
    with language("de"):
        yield


def refused(call: Callable[[], Any], kind: type[Exception] = FacilitationError) -> str:
    with pytest.raises(kind) as caught:
        call()
    return str(caught.value)


@pytest.fixture
def case(fresh_store: Store) -> dict[str, Any]:
    """A meeting of six from three towns, a consultation cast, and a guest of another meeting."""
    store = fresh_store
    towns = {n: store.add_municipality(n).id for n in ("Görlitz", "Zittau", "Löbau")}
    meeting = store.add_meeting("Forum Weiterdenken")
    other = store.add_meeting("Anderes Treffen")
    people = {}
    for name, town in (
        ("Anna", "Görlitz"), ("Bernd", "Zittau"), ("Clara", "Löbau"), ("Dora", "Görlitz"),
        ("Emil", "Zittau"), ("Frida", "Löbau"),
    ):  # fmt: skip
        people[name] = store.add_participant(
            name, municipality_id=towns[town], meeting_id=meeting.id
        ).id
    guest = store.add_participant("Gast", meeting_id=other.id).id
    consultation = store.add_consultation(meeting.id, "Leerstand am Markt")
    store.set_roles(
        consultation.id,
        {
            people["Anna"]: "case_giver", people["Bernd"]: "moderator",
            people["Clara"]: "consultant", people["Dora"]: "consultant",
            people["Emil"]: "secretary", people["Frida"]: "observer",
        },
    )  # fmt: skip
    return {
        "store": store, "meeting": meeting, "other": other, "people": people, "guest": guest,
        "id": consultation.id, "towns": towns,
    }  # fmt: skip


def _to(store: Store, consultation_id: int, phase: Phase) -> None:
    """Bring a consultation to ``phase`` with what the phases before it need."""
    current = store.consultation(consultation_id)
    number = rules.phase_number(phase)
    if number >= rules.phase_number(Phase.METHOD_CHOICE) and not current.key_question:
        store.set_key_question(consultation_id, "Wie beleben wir den Markt?")
    if number >= rules.phase_number(Phase.CONSULTATION) and not current.method:
        store.choose_method(consultation_id, "brainstorming")
    store.set_phase(consultation_id, phase)


def test_the_phases_run_forward_and_back_with_their_clock_and_log(case) -> None:
    store, cid, meeting = case["store"], case["id"], case["meeting"]
    store.set_phase_minutes(cid, {"case_account": 12})
    moved = store.step_phase(cid)  # casting → case account, with the meeting's countdown
    assert moved.phase is Phase.CASE_ACCOUNT
    ends = store.live(meeting.id).timer_ends_at
    assert ends is not None
    assert abs((ends - moved.phase_started_at).total_seconds() - 12 * 60) < 1
    store.step_phase(cid)  # → key question
    # The method choice waits for the key question; the consultation for the method.
    message = refused(lambda: store.step_phase(cid), PhaseNotReady)
    assert message == (
        "Die Phase „Methodenwahl“ kann noch nicht beginnen: die Schlüsselfrage ist noch nicht "
        "festgehalten."
    )
    store.set_key_question(cid, "Wie finden wir eine Nutzung für den Gasthof?")
    assert store.step_phase(cid).phase is Phase.METHOD_CHOICE
    assert "noch keine Methode gewählt" in refused(lambda: store.step_phase(cid))
    store.choose_method(cid, "kopfstand")
    assert store.step_phase(cid).phase is Phase.CONSULTATION
    assert store.step_phase(cid, -1).phase is Phase.METHOD_CHOICE  # back
    assert store.step_phase(cid, 2).phase is Phase.CLOSING
    assert store.step_phase(cid).phase is Phase.DONE
    assert store.live(meeting.id).timer_ends_at is None  # the end has no time
    assert store.step_phase(cid).phase is Phase.DONE  # never past the end, and not logged
    assert store.step_phase(cid, -10, start_timer=False).phase is Phase.CASTING

    log = store.phase_changes(cid)
    assert [c.phase.value for c in log] == [
        "case_account", "key_question", "method_choice", "consultation", "method_choice",
        "closing", "done", "casting",
    ]  # fmt: skip
    assert all(a.at <= b.at for a, b in itertools.pairwise(log))
    spent = rules.actual_minutes(log)
    assert set(spent) >= {Phase.CASE_ACCOUNT, Phase.METHOD_CHOICE}
    assert store.phase_changes() == log

    # Removing the case giver while the consultation runs: it cannot go on without one.
    store.set_role(cid, case["people"]["Anna"], None)
    assert "keine Fallgeberin" in refused(lambda: store.set_phase(cid, Phase.CASE_ACCOUNT))
    assert refused(lambda: store.set_phase_minutes(cid, {"done": 3}), InvalidInput).startswith(
        "Phase: "
    )


def test_every_role_writes_what_its_phase_allows_and_nothing_else(case) -> None:
    store, cid, people = case["store"], case["id"], case["people"]
    roles = {p: r for p, r in ((r.participant_id, r.role) for r in store.roles(cid))}
    seen = 0
    for phase in (*rules.PHASES, Phase.DONE):
        _to(store, cid, phase)
        for person, role in roles.items():
            for kind in EntryKind:
                allowed = kind in rules.allowed_kinds(role, phase, "brainstorming")
                attempt = lambda p=person, k=kind, f=phase: store.submit_entry(  # noqa: E731
                    cid, p, f"{k} von {p} in {f}", kind=k
                )
                if allowed:
                    entry = attempt()
                    assert (entry.phase, entry.kind, entry.participant_id) == (phase, kind, person)
                    seen += 1
                elif phase is Phase.DONE:
                    refused(attempt, ConsultationOver)
                else:
                    refused(attempt, EntryNotAllowed)
    assert seen == len(store.entries(cid)) > 10
    # The case giver listens in the consultation: the refusal says what she does instead.
    store.set_phase(cid, Phase.CONSULTATION)
    message = refused(lambda: store.submit_entry(cid, people["Anna"], "Ich hätte da ..."))
    assert message == (
        "Als Fallgeber/in schreiben Sie in der Phase „Beratung“ keine Ideen. Ihre Aufgabe "
        "jetzt: Hören Sie jetzt nur zu: Antworten und kommentieren Sie nicht. Notieren Sie "
        "für sich, was Sie anspricht."
    )
    # Under "Kreuzverhör" the consultants ask questions instead of offering ideas.
    store.update_consultation(cid, method="kreuzverhoer")
    assert store.submit_entry(cid, people["Clara"], "Warum?", kind="question").kind is (
        EntryKind.QUESTION
    )
    refused(lambda: store.submit_entry(cid, people["Clara"], "Idee", kind="idea"), EntryNotAllowed)


def test_only_cast_participants_of_the_meeting_write_and_read(case) -> None:
    store, cid, people = case["store"], case["id"], case["people"]
    _to(store, cid, Phase.CONSULTATION)
    store.submit_entry(cid, people["Clara"], "Zwischennutzung als Bürgerbüro")
    store.submit_entry(cid, people["Emil"], "Vertraulich: Kaufpreis 80.000 €", kind="note")
    store.submit_entry(cid, people["Frida"], "Redeanteile ungleich", kind="observation")
    unrole = store.add_participant("Ohne Rolle", meeting_id=case["meeting"].id).id
    assert "hat in dieser Beratung keine Rolle" in refused(
        lambda: store.submit_entry(cid, unrole, "Ich auch!"), NoRole
    )
    # A participant of another meeting neither writes nor reads this consultation's notes.
    guest = case["guest"]
    refused(lambda: store.submit_entry(cid, guest, "Von außen"), NotInMeeting)
    assert "Gast ist für dieses Treffen nicht angemeldet" in refused(
        lambda: store.entries_for(cid, guest), NotInMeeting
    )

    # Questions and ideas are the group's; notes and observations stay with few.
    def texts(person: int) -> set[str]:
        return {e.text for e in store.entries_for(cid, person)}

    everyone = {"Zwischennutzung als Bürgerbüro"}
    assert texts(people["Anna"]) == everyone
    assert texts(unrole) == everyone
    assert texts(people["Frida"]) == everyone | {"Redeanteile ungleich"}  # the observer
    assert texts(people["Clara"]) == everyone
    # Moderator and secretary keep the record: they read every note.
    assert texts(people["Bernd"]) == texts(people["Emil"]) == {e.text for e in store.entries(cid)}
    assert len(store.entries(cid)) == 3  # the facilitator reads all


def test_withdrawn_entries_leave_every_view_but_stay_kept(case) -> None:
    store, cid, people = case["store"], case["id"], case["people"]
    _to(store, cid, Phase.CASE_ACCOUNT)
    typo = store.submit_entry(cid, people["Clara"], "Sit wann?", kind="question")
    mine = store.submit_entry(cid, people["Dora"], "Wer ist Eigentümer?", kind="question")
    refused(lambda: store.withdraw_entry(typo.id, participant_id=people["Dora"]), NotYourEntry)
    gone = store.withdraw_entry(typo.id, participant_id=people["Clara"])
    assert gone.withdrawn_at is not None
    assert [e.id for e in store.entries(cid)] == [mine.id]
    assert [e.id for e in store.entries(cid, withdrawn=True)] == [typo.id, mine.id]
    assert [e.id for e in store.entries_for(cid, people["Anna"])] == [mine.id]
    store.step_phase(cid)
    # Once its phase is over, only the facilitator can withdraw it.
    refused(lambda: store.withdraw_entry(mine.id, participant_id=people["Dora"]), NotYourEntry)
    assert store.withdraw_entry(mine.id).withdrawn_at is not None
    assert store.entries(cid) == []


def test_the_case_giver_takes_ideas_and_makes_next_steps(case) -> None:
    store, cid, people, meeting = case["store"], case["id"], case["people"], case["meeting"]
    _to(store, cid, Phase.CONSULTATION)
    ideas = [
        store.submit_entry(cid, people[p], text)
        for p, text in (("Clara", "Bürgerwerkstatt im Gebäude"), ("Dora", "Leerstandsbörse"),
                        ("Clara", "Genossenschaft gründen"))
    ]  # fmt: skip
    # Not before the closing, and never by someone else.
    step = "Ideen übernehmen und nächste Schritte festlegen"
    assert refused(
        lambda: store.mark_taken(ideas[0].id, participant_id=people["Anna"]), NotYourStep
    ).startswith(step)
    store.step_phase(cid)
    refused(lambda: store.mark_taken(ideas[0].id, participant_id=people["Clara"]), NotYourStep)
    refused(
        lambda: store.add_next_step(ideas[0].id, "x", participant_id=people["Bernd"]), NotYourStep
    )
    taken = store.mark_taken(ideas[2].id, participant_id=people["Anna"])
    assert taken.taken is True
    assert store.mark_taken(ideas[2].id, False, participant_id=people["Anna"]).taken is False

    due = dt.date(2026, 10, 31)
    first = store.add_next_step(
        ideas[0].id, "Bürgerwerkstatt vor dem Winter", participant_id=people["Anna"], due=due
    )
    second = store.add_next_step(
        ideas[1].id, "Kontakt zur Leerstandsbörse", participant_id=people["Anna"],
        owner_id=people["Dora"],
    )  # fmt: skip
    assert (first.owner_id, first.due, first.status) == (people["Anna"], due, ActionStatus.OPEN)
    assert (first.origin, first.origin_id, first.entry_id) == ("consultation", cid, ideas[0].id)
    assert first.meeting_id == second.meeting_id == meeting.id
    assert second.owner_id == people["Dora"]
    assert store.next_steps(cid) == [first, second]
    assert [a.id for a in store.actions(meeting_id=meeting.id)] == [first.id, second.id]
    assert {e.id for e in store.entries(cid) if e.taken} == {ideas[0].id, ideas[1].id}
    # The owner must belong to the meeting.
    refused(
        lambda: store.add_next_step(
            ideas[2].id, "x", participant_id=people["Anna"], owner_id=case["guest"]
        ),
        NotInMeeting,
    )
    # The facilitator can record a next step at any time, for anybody.
    store.step_phase(cid)
    late = store.add_next_step(ideas[2].id, "Genossenschaft prüfen", owner_id=case["guest"])
    assert late.entry_id == ideas[2].id
    refused(lambda: store.mark_taken(ideas[0].id, participant_id=people["Anna"]), ConsultationOver)


def test_key_question_and_method_come_from_the_case_giver_or_the_moderator(case) -> None:
    store, cid, people = case["store"], case["id"], case["people"]
    refused(lambda: store.set_key_question(cid, "Zu früh?", participant_id=people["Anna"]))
    _to(store, cid, Phase.KEY_QUESTION)
    refused(
        lambda: store.set_key_question(cid, "Meine Frage", participant_id=people["Clara"]),
        NotYourStep,
    )
    asked = store.set_key_question(
        cid, "Wie finden wir einen Träger?", participant_id=people["Anna"]
    )
    assert asked.key_question == "Wie finden wir einen Träger?"
    store.step_phase(cid)
    refused(lambda: store.choose_method(cid, "kopfstand", participant_id=people["Emil"]))
    assert store.choose_method(cid, "kopfstand", participant_id=people["Bernd"]).method == (
        "kopfstand"
    )
    assert refused(lambda: store.choose_method(cid, "würfeln"), InvalidInput).startswith(
        "Methode: "
    )
    # The facilitator sets both at any time.
    store.step_phase(cid)
    assert store.set_key_question(cid, "Geschärft?").key_question == "Geschärft?"


def test_casting_rules_of_both_variants(case) -> None:
    store, people, towns, meeting = case["store"], case["people"], case["towns"], case["meeting"]
    cid = case["id"]
    message = refused(lambda: store.set_role(cid, people["Dora"], "moderator"), RoleTaken)
    assert message == (
        "Bernd hat in dieser Beratung schon die Rolle Moderator/in. Geben Sie ihr oder ihm "
        "zuerst eine andere Rolle."
    )
    refused(lambda: store.set_role(cid, people["Dora"], "case_giver"), RoleTaken)
    store.set_roles(
        cid, {people["Anna"]: "consultant", people["Dora"]: "case_giver"}, replace=False
    )
    assert rules.role_of(store.roles(cid), people["Dora"]) is Role.CASE_GIVER
    refused(lambda: store.set_role(cid, case["guest"], "consultant"), NotInMeeting)

    # A Fliegende Werkstatt in Görlitz: its people bring the case, the others consult.
    store.update_meeting(meeting.id, host_municipality_id=towns["Görlitz"])
    flying = store.add_consultation(meeting.id, "Junge Familien", variant="fliegende_werkstatt")
    assert flying.municipality_id == towns["Görlitz"]
    everyone = [store.participant(p) for p in people.values()]
    cast = rules.suggest_casting(everyone, flying)
    assert {p for p, r in cast.items() if r is Role.CASE_GIVER} == {people["Anna"], people["Dora"]}
    assert all(
        store.participant(p).municipality_id != towns["Görlitz"]
        for p, r in cast.items()
        if r is Role.CONSULTANT
    )
    store.set_roles(flying.id, cast)
    assert sum(r.role is Role.CASE_GIVER for r in store.roles(flying.id)) == 2
    message = refused(lambda: store.set_role(flying.id, people["Anna"], "consultant"))
    assert message == (
        "Anna kann in dieser Fliegenden Werkstatt nicht die Rolle Berater/in übernehmen: die "
        "beratenden Fachleute kommen aus den Partnerstädten, nicht aus Görlitz."
    )
    refused(lambda: store.set_role(flying.id, people["Clara"], "case_giver"), RoleNotForVariant)
    # Whoever is from the host town may still moderate or keep the record.
    store.set_roles(flying.id, {people["Anna"]: "secretary"}, replace=False)


def test_entries_at_once_and_a_phase_change_in_between(case, location) -> None:
    """Three consultants type at once while the facilitator closes the consultation phase:
    every idea is either kept in the consultation phase or refused, never in the closing."""
    store, cid, people = case["store"], case["id"], case["people"]
    _to(store, cid, Phase.CONSULTATION)
    third = store.add_participant("Gustav", meeting_id=case["meeting"].id).id
    store.set_role(cid, third, "consultant")
    writers = [people["Clara"], people["Dora"], third]
    outcomes: list[str] = []
    start = threading.Barrier(len(writers) + 1)

    def write(person: int) -> None:
        own = facilitation.open_workspace(location)
        try:
            start.wait()
            for i in range(6):
                try:
                    own.submit_entry(cid, person, f"Idee {i} von {person}")
                    outcomes.append("kept")
                except EntryNotAllowed:
                    outcomes.append("refused")
        finally:
            own.close()

    threads = [threading.Thread(target=write, args=(p,)) for p in writers]
    for thread in threads:
        thread.start()
    start.wait()
    store.step_phase(cid)
    for thread in threads:
        thread.join()
    ideas = store.entries(cid)
    assert len(ideas) == outcomes.count("kept")
    assert len(outcomes) == 18
    assert all(e.phase is Phase.CONSULTATION for e in ideas)


def test_an_older_workspace_keeps_its_consultations_and_logs_their_phase(location) -> None:
    engine = create(location, "Forum", revision="0003_presence")
    stamp = dt.datetime(2025, 5, 6, 9, 30, tzinfo=dt.UTC)
    try:
        tables = sa.MetaData()
        tables.reflect(engine)
        with engine.begin() as c:

            def add(table: str, **values: Any) -> int:
                result = c.execute(tables.tables[table].insert().values(**values))
                return result.inserted_primary_key[0]

            meeting = add("meeting", title="Auftakt", place="", format="forum", created_at=stamp)
            anna = add("participant", name="Anna", role="", consent_named=False, created_at=stamp)
            running = add(
                "consultation", meeting_id=meeting, title="Fall", variant="standard",
                key_question="Wie?", method="kopfstand", phase="consultation",
                phase_started_at=stamp, confidential=True, include_in_export=False,
                created_at=stamp,
            )  # fmt: skip
            waiting = add(
                "consultation", meeting_id=meeting, title="Später", variant="standard",
                key_question="", phase="casting", confidential=True, include_in_export=False,
                created_at=stamp,
            )  # fmt: skip
            add("consultation_role", consultation_id=running, participant_id=anna,
                role="case_giver")  # fmt: skip
            idea = add("consultation_entry", consultation_id=running, participant_id=anna,
                       phase="consultation", kind="idea", text="Idee", taken=True,
                       created_at=stamp)  # fmt: skip
            add("action_item", title="Schritt", meeting_id=meeting, owner_id=anna,
                status="open", origin="consultation", origin_id=running, notes="",
                created_at=stamp, updated_at=stamp)  # fmt: skip
    finally:
        engine.dispose()
    with facilitation.open_workspace(location) as store:
        (entry,) = store.entries(running)
        assert (entry.id, entry.text, entry.taken, entry.withdrawn_at) == (idea, "Idee", True, None)
        assert [(r.participant_id, r.role) for r in store.roles(running)] == [
            (anna, Role.CASE_GIVER)
        ]
        (change,) = store.phase_changes(running)
        assert (change.phase, change.at) == (Phase.CONSULTATION, stamp)
        assert store.phase_changes(waiting) == []
        (action,) = store.actions()
        assert (action.origin_id, action.entry_id) == (running, None)
        assert store.consultation(running).municipality_id is None


def test_what_each_role_does_is_said_for_every_phase() -> None:
    for role, phase in itertools.product([*Role, None], [*rules.PHASES, Phase.DONE]):
        for variant in rules.VARIANTS:
            said = rules.task(role, phase, variant, "brainstorming")
            assert said and said.endswith((".", "!", "?")), (role, phase)
    for method in rules.METHODS.values():
        assert method.description.endswith(".")
    assert rules.task(Role.CASE_GIVER, Phase.CONSULTATION, "standard", "kreuzverhoer") == (
        rules.METHODS["kreuzverhoer"].case_giver_task
    )
