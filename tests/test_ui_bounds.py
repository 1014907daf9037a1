"""Oversized and repeated widget messages to the participant page, through the kernel's path.

A forged message is what arrives at a widget's comm: an ``update`` of its
state (any value the browser sends) or a ``custom`` click event, here handed
to the widget's message handler as the kernel hands it. The store refuses
what is too much, the page says why in German, and nothing saved changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ipywidgets as widgets
import pytest

from facilitation.models import Screen
from facilitation.ui.participant import ParticipantApp

from .conftest import dump_tables

MEGABYTE = "x" * 1_000_000


def forge(widget: widgets.Widget, **state: Any) -> None:
    """What the kernel does with a browser's message that sets a widget's state."""
    message = {"method": "update", "state": state, "buffer_paths": []}
    widget._handle_msg({"content": {"data": message}, "buffers": []})


def forge_click(button: widgets.Button) -> None:
    """What the kernel does with a browser's click on a button (enabled or not)."""
    message = {"method": "custom", "content": {"event": "click"}}
    button._handle_msg({"content": {"data": message}, "buffers": []})


@pytest.fixture
def room(sqlite_store) -> Iterator[dict]:
    store = sqlite_store
    bautzen = store.add_municipality("Bautzen", ags="14625020")
    goerlitz = store.add_municipality("Görlitz", ags="14626110")
    meeting = store.add_meeting("Auftakt")
    store.set_current_meeting(meeting.id)
    anna = store.add_participant("Anna Sommer", municipality_id=bautzen.id, meeting_id=meeting.id)
    page = ParticipantApp(store, live=False)
    page.identify(store.create_link(anna.id))
    yield {"store": store, "meeting": meeting.id, "anna": page, "goerlitz": goerlitz}


def _refused(room: dict, page: ParticipantApp, send: Any) -> str:
    """Send forged messages; the page's message, with nothing saved changed."""
    before = dump_tables(room["store"])
    send()
    assert dump_tables(room["store"]) == before
    assert "fac-error" in page.message.value
    return page.message.value


def test_a_double_click_on_join_makes_one_participant_and_the_button_waits(room) -> None:
    store, meeting = room["store"], room["meeting"]
    code = store.open_join(meeting)
    page = ParticipantApp(store, live=False)
    page.identify("")
    forge(page.join_code, value=code)
    forge(page.join_name, value="Dora Neu")
    states: list[bool] = []
    page.join_button.observe(lambda change: states.append(change["new"]), "disabled")
    forge_click(page.join_button)
    forge_click(page.join_button)  # the second click of a double click
    assert states == [True, False, True, False]  # off while each join is under way
    assert "Willkommen, Dora Neu" in page.message.value
    dora = [p for p in store.participants(meeting) if p.name == "Dora Neu"]
    assert len(dora) == 1 and page.person == dora[0]
    assert store.links(dora[0].id) == [page.token]

    # Thirty forged join messages with other names from the same page: still one person.
    count = len(store.participants(meeting))
    for i in range(30):
        forge(page.join_name, value=f"Mensch {i}")
        message = _refused(room, page, lambda: forge_click(page.join_button))
    assert "Über diese Seite ist bereits Dora Neu beigetreten" in message
    assert len(store.participants(meeting)) == count
    assert page.person == dora[0]


def test_a_megabyte_name_on_the_join_form_is_refused(room) -> None:
    store = room["store"]
    code = store.open_join(room["meeting"])
    page = ParticipantApp(store, live=False)
    page.identify("")
    forge(page.join_code, value=code)
    forge(page.join_name, value=MEGABYTE)
    message = _refused(room, page, lambda: forge_click(page.join_button))
    assert "Name: ist zu lang (1000000 Zeichen, höchstens 200)" in message
    assert page.person is None and not page.join_button.disabled


def test_oversized_challenges_are_refused_with_a_message(room) -> None:
    store, page = room["store"], room["anna"]
    store.show(room["meeting"], Screen.INTAKE)
    page.refresh()
    view = page.view(Screen.INTAKE)
    forge(view.title_input, value=MEGABYTE)
    message = _refused(room, page, lambda: forge_click(view.submit_button))
    assert "Titel: ist zu lang (1000000 Zeichen, höchstens 300)" in message
    forge(view.title_input, value="Leerstand")
    forge(view.description_input, value=MEGABYTE)
    message = _refused(room, page, lambda: forge_click(view.submit_button))
    assert "Beschreibung: ist zu lang" in message
    forge(view.description_input, value="")
    forge(view.tags_input, value=",".join(f"t{i}" for i in range(10_000)))
    message = _refused(room, page, lambda: forge_click(view.submit_button))
    assert "Schlagworte: 10000 auf einmal, höchstens 20" in message
    assert view.title_input.value == "Leerstand"  # what she typed stays in the field
    forge(view.tags_input, value="Innenstadt, Handel")
    forge_click(view.submit_button)
    (challenge,) = store.challenges(room["meeting"])
    assert challenge.tags == ("Handel", "Innenstadt")


def test_ten_thousand_ties_in_one_forged_click_are_refused(room) -> None:
    store, page = room["store"], room["anna"]
    store.show_network(room["meeting"])
    page.refresh()
    view = page.view(Screen.NETWORK)
    forge(view.search, value="Görl")
    forge_click(view.results[1][0])
    forge(view.topics, value=[f"Thema {i}" for i in range(10_000)])
    message = _refused(room, page, lambda: forge_click(view.submit_button))
    assert "Themen: 10000 auf einmal, höchstens 20" in message
    assert store.ties() == []
    forge(view.topics, value=["Tourismus", "Feuerwehr"])
    forge_click(view.submit_button)
    assert sorted(t.topic for t in store.ties()) == ["Feuerwehr", "Tourismus"]
