"""Messages belong to the screen they were said on (no browser).

A message stays while the page shows the same meeting, screen and subject
(also through the refreshes the live loop makes), and goes when any of them
changes; on the facilitator's page when the meeting worked on or the tab
changes. What the page says is text, never HTML, and read out (alert/status).
"""

from __future__ import annotations

from facilitation.models import Screen
from facilitation.ui._messages import MessageLine
from facilitation.ui.facilitator import FacilitatorApp
from facilitation.ui.participant import ParticipantApp

JOIN = "http://127.0.0.1:8866/"


def test_a_message_lives_in_the_scope_it_was_said_in() -> None:
    line = MessageLine()
    line.say_ok("before anything was shown")
    line.enter(("m1", "intake", None))
    assert line.value == ""  # said before the page showed anything: not for this screen
    line.say_ok("Zurückgezogen.")
    line.enter(("m1", "intake", None))
    assert "Zurückgezogen." in line.value and 'role="status"' in line.value
    line.enter(("m1", "vote", 7))
    assert line.value == ""
    line.say_error('<img src=x onerror="alert(1)">')
    assert 'role="alert"' in line.value and "<img" not in line.value
    assert "&lt;img" in line.value
    line.enter(("m1", "vote", 8))  # another round: another subject
    assert line.value == ""
    line.say_error("Nein.")
    line.clear()
    assert line.value == ""
    assert line.scope == ("m1", "vote", 8)


def test_a_participants_message_goes_with_its_screen_meeting_and_registration(
    sqlite_store,
) -> None:
    store = sqlite_store
    first = store.add_meeting("Auftakt")
    second = store.add_meeting("Zweites Treffen")
    store.set_current_meeting(first.id)
    anna = store.add_participant("Anna Sommer", meeting_id=first.id)
    store.register(second.id, anna.id)
    page = ParticipantApp(store, live=False)
    page.identify(store.create_link(anna.id))

    store.show(first.id, Screen.INTAKE)
    page.refresh()
    intake = page.view("intake")
    intake.title_input.value = "Leerstand im Ortskern"
    intake.submit_button.click()
    assert "Danke" in page.message.value
    page.refresh()  # the live loop refreshes: same screen, the message stays
    assert "Danke" in page.message.value

    store.show(first.id, Screen.WAITING)  # the facilitator moves on
    page.refresh()
    assert page.message.value == ""

    # A refusal on the intake of the first meeting does not follow her to the second one.
    store.show(first.id, Screen.INTAKE)
    store.set_intake(first.id, False)
    page.refresh()
    intake.title_input.value = "Noch eine"
    intake.submit_button.click()
    assert "geschlossen" in page.message.value
    store.set_current_meeting(second.id)
    store.show(second.id, Screen.INTAKE)
    page.refresh()
    assert page.message.value == ""

    # Nothing said above "You are not registered for this meeting".
    intake.title_input.value = "Fachkräfte"
    intake.submit_button.click()
    assert "Danke" in page.message.value
    store.unregister(second.id, anna.id)
    page.refresh()
    assert page.message.value == ""
    assert "nicht angemeldet" in page.waiting.value


def test_the_facilitators_message_goes_with_the_tab_and_the_meeting(sqlite_store) -> None:
    store = sqlite_store
    store.add_meeting("Auftakt")
    facilitator = FacilitatorApp(store, join_url=JOIN, live=False)
    people = facilitator.tab("people")
    people.person_name.value = "   "
    people.add_person.click()
    assert "darf nicht leer sein" in facilitator.message.value
    facilitator.refresh_visible()  # the live loop: same meeting, same tab
    assert "darf nicht leer sein" in facilitator.message.value
    facilitator.tabs.selected_index = facilitator.parts.index(facilitator.tab("voting"))
    assert facilitator.message.value == ""

    people.add_person.click()
    assert "darf nicht leer sein" in facilitator.message.value
    second = store.add_meeting("Zweites Treffen")
    facilitator.refresh()
    assert "darf nicht leer sein" in facilitator.message.value
    facilitator.meeting.value = second.id  # another meeting worked on
    assert facilitator.message.value == ""
