"""Collegial consultation, themed tables and actions on the pages, driven in-process.

As in ``test_ui.py``: buttons are clicked with ``button.click()``, fields set through
``.value``. A click on a disabled (or hidden) button is what a forged widget message
does; the store must refuse it all the same, and the page must say why.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import ipywidgets as widgets
import pytest

from facilitation import consultation as rules
from facilitation.i18n import language
from facilitation.models import ActionStatus, ConsultationPhase, ConsultationRole, Screen
from facilitation.ui.facilitator import FacilitatorApp
from facilitation.ui.participant import ParticipantApp
from facilitation.ui.projector import ProjectorApp

Phase = ConsultationPhase
Role = ConsultationRole
JOIN = "http://127.0.0.1:8866/"
MARKUP = '<img src=x onerror=alert(1)><script>alert("x")</script>'
NAMES = ("Anna Sommer", "Bernd Hahn", "Carla Weiß", "Dirk Lange", "Eva Roth", "Frank Kühn")
TOWNS = ("Görlitz", "Zittau", "Löbau")


@pytest.fixture(autouse=True)
def german() -> Iterator[None]:
    with language("de"):
        yield


@pytest.fixture
def room(sqlite_store) -> dict:
    """A meeting of six from three towns, the facilitator's page, the wall, six pages."""
    store = sqlite_store
    towns = [store.add_municipality(name).id for name in TOWNS]
    meeting = store.add_meeting("Forum Weiterdenken")
    store.set_current_meeting(meeting.id)
    people = {
        name: store.add_participant(name, municipality_id=towns[i % 3], meeting_id=meeting.id)
        for i, name in enumerate(NAMES)
    }
    facilitator = FacilitatorApp(store, join_url=JOIN, live=False)
    pages = {}
    for name, person in people.items():
        page = ParticipantApp(store, live=False)
        page.identify(store.create_link(person.id))
        pages[name] = page
    return {
        "store": store, "meeting": meeting, "facilitator": facilitator, "pages": pages,
        "projector": ProjectorApp(store, join_url=JOIN, live=False), "people": people,
        "towns": towns,
    }  # fmt: skip


def _refresh(room: dict) -> None:
    room["facilitator"].refresh()
    room["projector"].refresh()
    for page in room["pages"].values():
        page.refresh()


def _visible_state(widget: widgets.Widget) -> str:
    """Everything a page shows (hidden widgets left out)."""
    seen: list[dict] = []

    def walk(w: widgets.Widget) -> None:
        if getattr(getattr(w, "layout", None), "display", None) == "none":
            return
        state = {
            k: v for k, v in w.get_state().items() if k not in ("_model_id", "layout", "style")
        }
        seen.append(state)
        for child in getattr(w, "children", ()):
            walk(child)

    walk(widget)
    return json.dumps(seen, default=str, ensure_ascii=False)


def _all_state(widget: widgets.Widget) -> str:
    seen: list[dict] = []

    def walk(w: widgets.Widget) -> None:
        seen.append({k: v for k, v in w.get_state().items() if k not in ("layout", "style")})
        for child in getattr(w, "children", ()):
            walk(child)

    walk(widget)
    return json.dumps(seen, default=str, ensure_ascii=False)


def _wall(projector: ProjectorApp) -> str:
    return "".join(v.widget.value for v in projector.views if v.widget.layout.display != "none")


def _shown(widget: widgets.Widget) -> bool:
    return widget.layout.display != "none"


def _cast(room: dict) -> dict[str, Role]:
    """Cast the roles from the facilitator's tab: Anna brings the case."""
    tab = room["facilitator"].tab("consultation")
    tab.new_title.value = "Leerstehender Gasthof am Markt"
    tab.create.click()
    tab.case_giver.value = room["people"]["Anna Sommer"].id
    tab.suggest.click()
    tab.show.click()
    _refresh(room)
    roles = {r.participant_id: r.role for r in room["store"].roles(tab.consultation_id)}
    return {name: roles[person.id] for name, person in room["people"].items()}


def test_every_phase_and_every_role_on_every_page(room) -> None:
    store, facilitator, projector = room["store"], room["facilitator"], room["projector"]
    tab = facilitator.tab("consultation")
    cast = _cast(room)
    assert cast["Anna Sommer"] is Role.CASE_GIVER
    assert sorted(cast.values()) == sorted(
        [Role.CASE_GIVER, Role.MODERATOR, Role.SECRETARY, *[Role.CONSULTANT] * 3]
    )
    assert store.live(room["meeting"].id).screen is Screen.CONSULTATION
    by_role = {role: name for name, role in cast.items()}
    cid = tab.consultation_id

    # Forward through all six phases and to the end, then back: every page follows.
    seen_phases = []
    for _step in range(7):
        current = store.consultation(cid)
        seen_phases.append(current.phase)
        for name, page in room["pages"].items():
            view = page.view("consultation")
            role = cast[name]
            said = rules.task(role, current.phase, current.variant, current.method)
            shown = _visible_state(page.widget)
            assert _(rules.ROLE_WORDS[role]) in view.head.value, (name, current.phase)
            assert _(said).replace("„", "").replace("“", "")[:40] in shown.replace("„", "").replace(
                "“", ""
            ), (name, current.phase)
            kinds = rules.allowed_kinds(role, current.phase, current.method)
            assert _shown(view.form) == bool(kinds), (name, current.phase)
            assert view.send.disabled == (not kinds)
            writes_question = role in (Role.CASE_GIVER, Role.MODERATOR)
            assert _shown(view.question_form) == (
                writes_question and current.phase is Phase.KEY_QUESTION
            )
            assert _shown(view.method_form) == (
                writes_question and current.phase is Phase.METHOD_CHOICE
            )
            assert _shown(view.closing) == rules.can_take(role, current.phase)
        wall = _wall(projector)
        assert _(rules.PHASE_WORDS[current.phase]) in wall
        now = f'class="fac-now"><span class="fac-step-no">{rules.phase_number(current.phase)}.'
        assert now in wall or (current.phase is Phase.DONE)
        if current.phase is Phase.KEY_QUESTION:
            case_giver = room["pages"][by_role[Role.CASE_GIVER]].view("consultation")
            case_giver.key_question.value = "Wie finden wir einen Träger für den Gasthof?"
            case_giver.save_question.click()
        if current.phase is Phase.METHOD_CHOICE:
            moderator = room["pages"][by_role[Role.MODERATOR]].view("consultation")
            moderator.method.value = "kopfstand"
            assert "verschlimmern" in moderator.method_text.value
            moderator.save_method.click()
        tab.forward.click()
        assert facilitator.message.value == "", facilitator.message.value
        _refresh(room)
    assert seen_phases == [*rules.PHASES, Phase.DONE]
    assert store.consultation(cid).phase is Phase.DONE
    assert tab.forward.disabled
    assert "Schlüsselfrage" in _wall(projector)

    # Back, phase by phase, to the casting; the log keeps every change.
    for _step in range(6):
        tab.back.click()
    assert store.consultation(cid).phase is Phase.CASTING
    assert tab.back.disabled
    assert len(store.phase_changes(cid)) == 12  # six forward, six back; none past the end
    # The countdown follows the phases on the wall and on every page.
    tab.forward.click()
    _refresh(room)
    ends = room["projector"].countdown.ends_at
    assert ends > 0 and room["pages"]["Anna Sommer"].countdown.ends_at == ends


def _(message: str) -> str:
    from facilitation.i18n import _ as translate

    return translate(message)


def test_entries_from_the_wrong_role_or_phase_are_refused_even_when_forged(room) -> None:
    store, facilitator = room["store"], room["facilitator"]
    tab = facilitator.tab("consultation")
    cast = _cast(room)
    by_role = {}
    for name, role in cast.items():
        by_role.setdefault(role, []).append(name)
    cid = tab.consultation_id
    pages = room["pages"]
    case_giver = pages[by_role[Role.CASE_GIVER][0]].view("consultation")
    consultant_page = pages[by_role[Role.CONSULTANT][0]]
    consultant = consultant_page.view("consultation")

    # Casting: nobody writes; a forged click on the hidden, disabled button is refused.
    assert consultant.send.disabled and not _shown(consultant.form)
    consultant.text.value = "Zu früh"
    consultant.send.click()
    assert "In der Phase „Casting“" in consultant_page.message.value or (
        "Casting" in consultant_page.message.value
    )
    assert store.entries(cid) == []

    # Case account: consultants ask; the case giver's forged question is refused.
    tab.forward.click()
    _refresh(room)
    consultant.text.value = "Seit wann steht das Haus leer?"
    consultant.send.click()
    assert "Danke" in consultant_page.message.value
    assert consultant.text.value == ""
    case_giver.text.value = "Frage an mich selbst"
    case_giver.kind.options = [("Frage", "question")]  # a forged form: the store decides
    case_giver.kind.value = "question"
    case_giver.send.click()
    assert "Als Fallgeber/in schreiben Sie in der Phase „Fallschilderung“ keine Fragen" in (
        pages[by_role[Role.CASE_GIVER][0]].message.value
    )
    # The key question and the method only from the case giver or the moderator, in time.
    case_giver.key_question.value = "Zu früh?"
    case_giver.save_question.click()
    assert "Die Schlüsselfrage festhalten: Das ist in der Phase „Schlüsselfrage“" in (
        pages[by_role[Role.CASE_GIVER][0]].message.value
    )
    consultant.method.value = "brainstorming"
    consultant.save_method.click()
    assert "Die Methode wählen" in consultant_page.message.value
    assert store.consultation(cid).method is None and store.consultation(cid).key_question == ""

    # The consultation phase: consultants offer ideas, the case giver only listens.
    store.set_key_question(cid, "Wie finden wir einen Träger?")
    store.choose_method(cid, "brainstorming")
    tab.forward.click()
    tab.forward.click()
    tab.forward.click()
    _refresh(room)
    assert store.consultation(cid).phase is Phase.CONSULTATION
    assert not _shown(case_giver.form) and case_giver.send.disabled
    case_giver.text.value = "Ich erkläre das kurz"
    case_giver.send.click()
    assert "Hören Sie jetzt nur zu" in pages[by_role[Role.CASE_GIVER][0]].message.value
    for name in by_role[Role.CONSULTANT]:
        view = pages[name].view("consultation")
        view.text.value = f"Idee von {name}"
        view.send.click()
        assert "Danke" in pages[name].message.value
    consultant.text.value = MARKUP
    consultant.send.click()
    # The observer (if cast) writes observations only; the secretary notes and ideas.
    secretary = pages[by_role[Role.SECRETARY][0]].view("consultation")
    assert {value for _label, value in secretary.kind.options} == {"note", "idea"}
    secretary.kind.value = "note"
    secretary.text.value = "Kaufpreis vertraulich"
    secretary.send.click()
    ideas = [e for e in store.entries(cid) if e.kind.value == "idea"]
    assert len(ideas) == 4
    # Her own idea can be withdrawn while the phase lasts.
    (own,) = [
        r for r in consultant.mine_rows.values() if MARKUP[:4] in r.children[0].value or True
    ][-1:]
    own.children[1].click()
    assert "Zurückgezogen" in consultant_page.message.value
    assert len([e for e in store.entries(cid) if e.kind.value == "idea"]) == 3
    # Markup is text everywhere.
    _refresh(room)
    wall = _wall(room["projector"])
    assert "<img" not in wall and "<script" not in wall
    assert "Kaufpreis vertraulich" not in wall  # notes stay off the wall
    listing = pages[by_role[Role.CASE_GIVER][0]].view("consultation").listing.value
    assert "Idee von" in listing and "Kaufpreis vertraulich" not in listing

    # Closing: only the case giver takes ideas; a consultant's forged click is refused.
    tab.forward.click()
    _refresh(room)
    assert not _shown(consultant.closing) and consultant.add_step.disabled
    consultant.step_idea.options = [("x", ideas[0].id)]
    consultant.step_idea.value = ideas[0].id
    consultant.step_title.value = "Gekapert"
    consultant.add_step.click()
    assert "Ideen übernehmen und nächste Schritte festlegen" in consultant_page.message.value
    assert store.next_steps(cid) == []
    # After the end nothing more is added, from any page.
    tab.forward.click()
    _refresh(room)
    consultant.text.value = "Nachzügler"
    consultant.send.click()
    assert "Diese Beratung ist beendet" in consultant_page.message.value


def test_the_case_giver_turns_two_ideas_into_actions(room) -> None:
    store, facilitator = room["store"], room["facilitator"]
    tab = facilitator.tab("consultation")
    cast = _cast(room)
    cid = tab.consultation_id
    consultants = [n for n, r in cast.items() if r is Role.CONSULTANT]
    store.set_key_question(cid, "Wie finden wir einen Träger?")
    store.choose_method(cid, "gute_ratschlaege")
    store.set_phase(cid, Phase.CONSULTATION)
    _refresh(room)
    for name in consultants:
        view = room["pages"][name].view("consultation")
        assert view.send.description == "Ratschlag senden"
        view.text.value = f"Ratschlag von {name}"
        view.send.click()
    tab.forward.click()
    _refresh(room)
    anna_page = room["pages"]["Anna Sommer"]
    anna = anna_page.view("consultation")
    assert _shown(anna.closing)
    rows = list(anna.take_buttons.values())
    assert len(rows) == 3
    rows[2][1].click()  # "I take it along"
    assert store.entries(cid)[2].taken
    # Two next steps: one for herself by a date, one for a colleague.
    anna.step_idea.value = store.entries(cid)[0].id
    assert anna.step_title.value == f"Ratschlag von {consultants[0]}"
    anna.step_title.value = "Bürgerwerkstatt im Gebäude vorbereiten"
    anna.step_due.value = dt.date(2026, 10, 31)
    anna.add_step.click()
    assert "festgehalten" in anna_page.message.value
    anna.step_idea.value = store.entries(cid)[1].id
    anna.step_owner.value = room["people"]["Dirk Lange"].id
    anna.add_step.click()
    steps = store.next_steps(cid)
    assert [(s.owner_id, s.due, s.status) for s in steps] == [
        (room["people"]["Anna Sommer"].id, dt.date(2026, 10, 31), ActionStatus.OPEN),
        (room["people"]["Dirk Lange"].id, None, ActionStatus.OPEN),
    ]
    assert steps[1].title == f"Ratschlag von {consultants[1]}"
    _refresh(room)
    wall = _wall(room["projector"])
    assert "Bürgerwerkstatt im Gebäude vorbereiten" in wall and "Dirk Lange" in wall
    # They are actions of the meeting, on the facilitator's actions tab.
    actions = facilitator.tab("actions")
    actions.refresh(store.live(room["meeting"].id))
    listed = "".join(row.info.value for row in actions.rows.values())
    assert "Bürgerwerkstatt im Gebäude vorbereiten" in listed
    assert "Kollegiale Beratung" in listed


def test_a_participant_of_another_meeting_reads_no_notes(room) -> None:
    store, facilitator = room["store"], room["facilitator"]
    tab = facilitator.tab("consultation")
    _cast(room)
    cid = tab.consultation_id
    store.set_key_question(cid, "Geheime Schlüsselfrage")
    store.choose_method(cid, "brainstorming")
    store.set_phase(cid, Phase.CONSULTATION)
    consultant = next(r.participant_id for r in store.roles(cid) if r.role is Role.CONSULTANT)
    store.submit_entry(cid, consultant, "Vertrauliche Idee")
    other = store.add_meeting("Anderes Treffen")
    stranger = store.add_participant("Fremde Person", meeting_id=other.id)
    page = ParticipantApp(store, live=False)
    page.identify(store.create_link(stranger.id))
    page.refresh()
    state = _all_state(page.widget)
    assert "Vertrauliche Idee" not in state
    assert "Geheime Schlüsselfrage" not in state
    assert "nicht angemeldet" in page.waiting.value


def test_facilitator_sets_key_question_method_minutes_and_export(room) -> None:
    store, facilitator = room["store"], room["facilitator"]
    tab = facilitator.tab("consultation")
    tab.new_variant.value = "fliegende_werkstatt"
    assert "Partnerstädten" in tab.variant_text.value
    store.update_meeting(room["meeting"].id, host_municipality_id=room["towns"][0])
    tab.new_title.value = "Junge Familien halten"
    tab.create.click()
    cid = tab.consultation_id
    current = store.consultation(cid)
    assert current.variant == "fliegende_werkstatt" and current.municipality_id == room["towns"][0]
    tab.suggest.click()
    givers = {r.participant_id for r in store.roles(cid) if r.role is Role.CASE_GIVER}
    assert givers == {room["people"]["Anna Sommer"].id, room["people"]["Dirk Lange"].id}
    # Moving on without a consultant... is refused with the reason; the casting is advised.
    tab.role_boxes[room["people"]["Anna Sommer"].id].value = "consultant"
    assert "Partnerstädten" in facilitator.message.value
    tab.key_question.value = "Wie gewinnen wir junge Familien?"
    tab.save_question.click()
    tab.method.value = "erfolgsmeldungen"
    assert "Zukunft" in tab.method_text.value
    tab.save_method.click()
    tab.minutes[Phase.CONSULTATION].value = 50
    tab.save_minutes.click()
    tab.exported.value = True
    current = store.consultation(cid)
    assert current.key_question == "Wie gewinnen wir junge Familien?"
    assert current.method == "erfolgsmeldungen"
    assert current.phase_minutes["consultation"] == 50
    assert current.include_in_export and current.confidential
    # A spoken idea kept by the facilitator, then hidden from the screens.
    tab.own_text.value = "Mündlich genannt"
    tab.keep.click()
    facilitator.refresh()
    (entry,) = store.entries(cid)
    assert "Mündlich genannt" in tab.entry_table.value
    tab.hide_choice.value = entry.id
    tab.hide.click()
    assert store.entries(cid) == []
    # The phase's countdown can be restarted; the tab says what the next phase needs.
    tab.restart.click()
    assert store.live(room["meeting"].id).timer_ends_at is not None
    store.set_roles(cid, {})
    facilitator.refresh()
    assert "Vor „Fallschilderung“" in tab.state.value
    tab.forward.click()
    assert "kann noch nicht beginnen" in facilitator.message.value


def test_themed_tables_rotate_keep_notes_and_harvest(room) -> None:
    store, facilitator, projector = room["store"], room["facilitator"], room["projector"]
    tab = facilitator.tab("tables")
    people = room["people"]
    for theme, host in (("Strategien", "Anna Sommer"), ("Daseinsvorsorge", "Bernd Hahn"),
                        ("Prozessmanagement", None)):  # fmt: skip
        tab.theme.value = theme
        tab.host.value = people[host].id if host else None
        tab.add_table.click()
    tables = store.tables(room["meeting"].id)
    assert [t.theme for t in tables] == ["Strategien", "Daseinsvorsorge", "Prozessmanagement"]
    tab.round_count.value = 2
    tab.round_minutes.value = 20
    tab.present_only.value = False
    tab.plan.click()
    rounds = store.table_rounds(room["meeting"].id)
    assert [(r.number, r.minutes) for r in rounds] == [(1, 20), (2, 20)]
    seatings = store.seatings(room["meeting"].id)
    assert all(sum(len(s) for s in seatings[r.id].values()) == 6 for r in rounds)
    facilitator.refresh()
    assert "Gleiche Kommune an einem Tisch: 0" in tab.quality.value

    # Adjust one seat by hand, then start: the wall shows who sits where.
    carla = people["Carla Weiß"].id
    before = tab.seat_boxes[carla].value
    other_table = next(t.id for t in tables if t.id != before)
    tab.seat_boxes[carla].value = other_table
    assert store.table_of(rounds[0].id, carla).id == other_table
    tab.start.click()
    _refresh(room)
    assert "Runde 1 von 2 (20 Minuten): läuft" in _wall(projector)
    assert "Carla Weiß" in _wall(projector)
    for name, page in room["pages"].items():
        view = page.view("tables")
        assert "Ihr Tisch" in view.head.value, name
        view.text.value = f"Runde 1: {name}"
        view.send.click()
        assert "hinzugefügt" in page.message.value
    late_page = ParticipantApp(store, live=False)
    late = store.add_participant("Greta Spät", meeting_id=room["meeting"].id)
    late_page.identify(store.create_link(late.id))
    late_page.refresh()
    late_view = late_page.view("tables")
    assert late_view.send.disabled and not _shown(late_view.form)
    late_view.text.value = "Ohne Platz"
    late_view.send.click()  # forged: she has no seat
    assert "keinen Platz an einem Tisch" in late_page.message.value

    # The bell, the second round: people move on, the notes stay with their tables.
    tab.end.click()
    _refresh(room)
    assert "In der nächsten Runde sitzen Sie am Tisch" in (
        room["pages"]["Carla Weiß"].view("tables").head.value
    )
    tab.choice.value = rounds[1].id
    tab.start.click()
    _refresh(room)
    for name, page in room["pages"].items():
        view = page.view("tables")
        view.text.value = f"Runde 2: {name}"
        view.send.click()
        mine = store.table_of(rounds[1].id, people[name].id)
        notes = view.notes.value
        assert f"Runde 2: {name}" in notes
        earlier = [n.text for n in store.table_notes(mine.id) if n.round_id == rounds[0].id]
        assert all(text in notes for text in earlier)  # what the group before wrote
    # A note for the first round is refused now that the second runs.
    with pytest.raises(Exception, match="läuft nicht"):
        store.submit_table_note(rounds[0].id, people["Eva Roth"].id, "Zu spät")

    tab.harvest.click()
    _refresh(room)
    wall = _wall(projector)
    assert "Ernte der Thementische" in wall
    for name in NAMES:
        assert f"Runde 1: {name}" in wall and f"Runde 2: {name}" in wall
    assert "Ernte der Thementische" in room["pages"]["Eva Roth"].view("tables").harvest.value
    assert sum(len(store.table_notes(t.id)) for t in tables) == 12


def test_a_table_note_is_withdrawn_by_its_author_or_hidden_by_the_facilitator(room) -> None:
    store, facilitator, projector = room["store"], room["facilitator"], room["projector"]
    meeting, people, pages = room["meeting"].id, room["people"], room["pages"]
    anna, bernd, carla = (people[n].id for n in ("Anna Sommer", "Bernd Hahn", "Carla Weiß"))
    table = store.add_table(meeting, "Mobilität", host_id=anna)
    first, second = store.add_table_round(meeting), store.add_table_round(meeting)
    store.seat(first.id, {table.id: [bernd, carla]})
    store.seat(second.id, {table.id: [bernd, carla]})
    store.start_table_round(first.id)
    _refresh(room)
    bernd_page, carla_page = pages["Bernd Hahn"], pages["Carla Weiß"]
    view, other = bernd_page.view("tables"), carla_page.view("tables")
    view.text.value = MARKUP
    view.send.click()
    other.text.value = "Carlas Notiz"
    other.send.click()
    view.text.value = "Rufbus ausbaun"
    view.send.click()
    markup, carlas, typo = store.table_notes(table.id)

    # Her own notes of the running round, each with its button; never someone else's.
    assert list(view.mine_rows) == [markup.id, typo.id]
    assert [row.children[1].description for row in view.mine.children] == ["Zurückziehen"] * 2
    label = view.mine_rows[markup.id].children[0].value
    assert "&lt;img" in label and "<img" not in label and "<script" not in label
    assert "Carlas Notiz" not in _all_state(view.mine)
    view.mine_rows[typo.id].children[1].click()
    assert "Zurückgezogen" in bernd_page.message.value
    assert store.table_notes(table.id) == [markup, carlas]
    assert view.mine.children == (view.mine_rows[markup.id],)
    _refresh(room)
    assert "Rufbus ausbaun" not in view.notes.value and "Rufbus ausbaun" not in other.notes.value
    assert "Carlas Notiz" in view.notes.value
    # A forged click on someone else's note is refused, and says why.
    view.withdraw(carlas.id)
    assert "nur die Notizen zurückziehen, die Sie selbst" in bernd_page.message.value
    assert store.table_notes(table.id) == [markup, carlas]

    # The next round has started: the first round's notes keep no button, a forged click fails.
    store.start_table_round(second.id)
    _refresh(room)
    assert view.mine.children == ()
    view.withdraw(markup.id)
    assert "Runde 1 ist vorbei" in bernd_page.message.value
    assert store.table_notes(table.id) == [markup, carlas]

    # The facilitator hides a note at any time: it leaves the tab, the wall and every page.
    tab = facilitator.tab("tables")
    facilitator.refresh()
    assert [value for _label, value in tab.hide_choice.options] == [markup.id, carlas.id]
    # A dropdown's labels are text (never markup): participant text as typed, shortened.
    assert tab.hide_choice.options[1][0] == f"{carlas.id}: Mobilität · Carlas Notiz"
    assert "Zurückgezogene Notizen: 1" in tab.hidden.value
    tab.hide_choice.value = carlas.id
    tab.hide.click()
    assert store.table_notes(table.id) == [markup]
    assert [value for _label, value in tab.hide_choice.options] == [markup.id]
    assert "Zurückgezogene Notizen: 2" in tab.hidden.value
    assert "Carlas Notiz" not in tab.notes.value
    store.end_table_round(second.id)
    _refresh(room)
    assert "Ernte der Thementische" in _wall(projector)
    assert "Carlas Notiz" not in _wall(projector) and "Rufbus" not in _wall(projector)
    assert "&lt;img" in _wall(projector) and "<img" not in _wall(projector)
    assert "Carlas Notiz" not in other.notes.value + other.harvest.value
    assert len(store.table_notes(table.id, withdrawn=True)) == 3


def test_actions_are_gone_through_at_the_next_meeting(room) -> None:
    store, facilitator = room["store"], room["facilitator"]
    kickoff = room["meeting"]
    store.update_meeting(kickoff.id, date=dt.date(2026, 3, 12))
    anna = room["people"]["Anna Sommer"].id
    early = store.add_action("Kontaktdaten sammeln", meeting_id=kickoff.id, owner_id=anna,
                             due=dt.date(2026, 5, 1))  # fmt: skip
    store.add_action("Plattform skizzieren", meeting_id=kickoff.id)
    second = store.add_meeting("Zweites Treffen", date=dt.date(2026, 6, 4))
    facilitator.refresh()
    facilitator.meeting.value = second.id
    tab = facilitator.tab("actions")
    facilitator.refresh()
    listed = "".join(row.info.value for row in tab.rows.values())
    assert "Kontaktdaten sammeln" in listed and "Plattform skizzieren" in listed
    assert "überfällig" in tab.rows[early.id].info.value
    assert "0 von 2" in tab.summary.value
    row = tab.rows[early.id]
    row.status.value = "done"
    row.note.value = "38 Kontakte gesammelt"
    row.save.click()
    assert store.action(early.id).status is ActionStatus.DONE
    (update,) = store.action_updates(early.id)
    assert (update.note, update.meeting_id) == ("38 Kontakte gesammelt", second.id)
    facilitator.refresh()
    assert "1 von 2" in tab.summary.value
    assert "in diesem Treffen besprochen" in tab.rows[early.id].info.value
    assert "38 Kontakte gesammelt" in tab.rows[early.id].info.value
    # Entered directly, at this meeting.
    tab.title_input.value = MARKUP
    tab.owner.value = anna
    tab.due.value = dt.date(2026, 9, 1)
    tab.add.click()
    (new,) = store.actions(meeting_id=second.id)
    assert (new.owner_id, new.due, new.origin) == (anna, dt.date(2026, 9, 1), "direct")
    facilitator.refresh()
    assert "&lt;img" in tab.rows[new.id].info.value and "<img" not in tab.rows[new.id].info.value
    tab.view.value = "all"
    assert len(tab.listing.children) == 3


def test_the_consultation_page_speaks_english_when_asked(room) -> None:
    assert _cast(room)["Carla Weiß"] is Role.CONSULTANT
    page = room["pages"]["Carla Weiß"]
    page.language.value = "en"
    try:
        head = page.view("consultation").head.value
        assert "Your role" in head and "Casting" in head and "Consultant" in head
        assert "You consult. Listen closely next" in head
    finally:
        page.language.value = "de"
    assert "Ihre Rolle" in page.view("consultation").head.value


def test_two_groups_consult_in_parallel_each_page_shows_its_own(room) -> None:
    store, facilitator = room["store"], room["facilitator"]
    meeting, people = room["meeting"], room["people"]
    first = store.add_consultation(meeting.id, "Fall A")
    second = store.add_consultation(meeting.id, "Fall B")
    names = list(people)
    roles = ("case_giver", "moderator", "consultant")
    store.set_roles(first.id, {people[n].id: r for n, r in zip(names[:3], roles, strict=True)})
    store.set_roles(second.id, {people[n].id: r for n, r in zip(names[3:], roles, strict=True)})
    store.show(meeting.id, Screen.CONSULTATION, first.id)
    store.set_phase(second.id, Phase.CASE_ACCOUNT)
    _refresh(room)
    for name in names[:3]:
        assert "Fall A" in room["pages"][name].view("consultation").head.value
    for name in names[3:]:
        assert "Fall B" in room["pages"][name].view("consultation").head.value
    assert "Fall A" in _wall(room["projector"])
    asking = room["pages"][names[5]]
    asking.view("consultation").text.value = "Frage zu Fall B"
    asking.view("consultation").send.click()
    assert [e.text for e in store.entries(second.id)] == ["Frage zu Fall B"]
    assert store.entries(first.id) == []
    facilitator.refresh()


def test_the_key_question_field_follows_the_chosen_consultation(room) -> None:
    store, facilitator = room["store"], room["facilitator"]
    meeting_id = room["meeting"].id
    first = store.add_consultation(meeting_id, "Leerstand")
    store.update_consultation(first.id, key_question="Wie beleben wir den Markt?")
    second = store.add_consultation(meeting_id, "Schülerverkehr")
    tab = facilitator.tab("consultation")
    facilitator.refresh()
    tab.choice.value = first.id
    facilitator.refresh()
    assert tab.key_question.value == "Wie beleben wir den Markt?"
    tab.choice.value = second.id
    facilitator.refresh()
    assert tab.key_question.value == ""  # never the other consultation's question
    tab.save_question.click()
    assert store.consultation(second.id).key_question == ""


def _widget_count() -> int:
    """How many widgets the kernel holds (each one also lives in the browser)."""
    from ipywidgets.widgets import widget as ipywidget

    return len(ipywidget._instances)


def _to_closing(room: dict) -> tuple[int, list[str]]:
    """A consultation in its closing, Anna the case giver, three ideas (one taken)."""
    store = room["store"]
    tab = room["facilitator"].tab("consultation")
    cast = _cast(room)
    cid = tab.consultation_id
    consultants = [n for n, r in cast.items() if r is Role.CONSULTANT]
    store.set_key_question(cid, "Wie finden wir einen Träger?")
    store.choose_method(cid, "gute_ratschlaege")
    store.set_phase(cid, Phase.CONSULTATION)
    ideas = [f"Ratschlag von {name}" for name in consultants]
    for name, idea in zip(consultants, ideas, strict=True):
        store.submit_entry(cid, room["people"][name].id, idea, kind="idea")
    store.set_phase(cid, Phase.CLOSING)
    store.mark_taken(store.entries(cid)[1].id, True)
    _refresh(room)
    return cid, ideas


def test_refreshing_makes_no_new_widgets(room) -> None:
    store, facilitator = room["store"], room["facilitator"]
    meeting = room["meeting"].id
    for theme in ("Strategien", "Daseinsvorsorge", "Prozessmanagement"):
        table = store.add_table(meeting, theme)
        store.add_table_note(table.id, f"Notiz zu {theme}")
    store.add_table_round(meeting)
    tables = facilitator.tab("tables")
    live = store.live(meeting)
    tables.refresh(live)
    before = _widget_count()
    for _ in range(10):
        tables.refresh(live)
    assert _widget_count() == before
    assert len(tables.table_list.children) == 3
    # A renamed table keeps its row; only its label changes.
    row = tables.table_list.children[0]
    store.update_table(store.tables(meeting)[0].id, theme="Strategie & Planung")
    tables.refresh(live)
    assert tables.table_list.children[0] is row
    assert tables.theme_boxes[store.tables(meeting)[0].id].value == "Strategie & Planung"

    _to_closing(room)
    anna_page = room["pages"]["Anna Sommer"]
    anna = anna_page.view("consultation")
    anna_page.refresh()
    before = _widget_count()
    for _ in range(10):
        anna_page.refresh()
        tables.refresh(live)
    assert _widget_count() == before
    assert len(anna.take_rows.children) == 3


def test_the_case_giver_still_sees_the_ideas_after_a_change_of_language(room) -> None:
    cid, ideas = _to_closing(room)
    page = room["pages"]["Anna Sommer"]
    view = page.view("consultation")
    assert len(view.take_rows.children) == 3
    page.language.value = "en"
    try:
        view = page.view("consultation")
        assert _shown(view.closing)
        assert len(view.take_rows.children) == 3
        assert "I take it along" in _visible_state(view.take_rows)
    finally:
        page.language.value = "de"
    view = page.view("consultation")
    assert _shown(view.closing)
    shown = _visible_state(view.take_rows)
    assert len(view.take_rows.children) == 3
    assert all(idea in shown for idea in ideas)
    assert "Nehme ich mit" in shown and "Doch nicht" in shown
    # The taken idea comes first in the choice of the idea a step comes from.
    taken = room["store"].entries(cid)[1]
    assert view.step_idea.options[0] == (f"2. ✓ {taken.text}", taken.id)
