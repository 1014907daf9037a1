"""Preparing a programme on the facilitator's page, from an empty workspace (widgets in-process)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import facilitation
from facilitation.ui.facilitator import FacilitatorApp

from .test_roster import TWELVE, write

JOIN = "http://192.168.0.5:8866/"


@pytest.fixture
def empty(tmp_path: Path):
    store = facilitation.create_workspace(tmp_path / "programm.db", "Peer-Learning Ostsachsen")
    yield store
    store.close()


def upload(tab, path: Path) -> None:
    data = path.read_bytes()
    tab.upload.value = (
        {"name": path.name, "type": "text/csv", "size": len(data), "content": memoryview(data),
         "last_modified": dt.datetime.now(dt.UTC)},
    )  # fmt: skip


def test_the_first_meeting_of_an_empty_workspace_comes_from_a_template(empty) -> None:
    page = FacilitatorApp(empty, join_url=JOIN, live=False)
    assert page.tabs.layout.display == "none" and page.hint.layout.display != "none"
    assert page.new_meeting.selected_index == 0  # the form is open
    assert page.message.value == ""
    page.new_meeting_template.value = "transferwerkstatt"
    assert "Thementische" in page.new_meeting_about.value
    page.new_meeting_date.value = dt.date(2026, 3, 12)
    # The template asks for its four tables' themes; one left empty makes no table.
    themes = page.new_meeting_tables.themes
    assert len(themes) == 4
    for field, theme in zip(themes, ("Mobilität", "Energie", "Daseinsvorsorge", ""), strict=True):
        field.value = theme
    page.new_meeting_button.click()
    assert page.message.value == ""  # no error: the first click used to fail here
    (meeting,) = empty.meetings()
    assert meeting.title == "Transferwerkstatt mit Thementischen"
    assert meeting.date == dt.date(2026, 3, 12) and empty.current_meeting() == meeting
    wanted = ["Mobilität", "Energie", "Daseinsvorsorge"]
    assert [t.theme for t in empty.tables(meeting.id)] == wanted
    assert len(empty.table_rounds(meeting.id)) == 3
    assert page.meeting.value == meeting.id and page.tabs.layout.display != "none"
    assert page.new_meeting.selected_index is None

    # A follow-up that takes over the agenda and the participants of the first.
    empty.add_participant("Anna Beispiel", meeting_id=meeting.id)
    page.new_meeting_title.value = "Zweite Werkstatt"
    page.new_meeting_copy.value = meeting.id
    page.new_meeting_button.click()
    second = empty.meetings()[-1]
    assert second.title == "Zweite Werkstatt" and page.meeting.value == second.id
    assert [a.title for a in empty.agenda(second.id)] == [a.title for a in empty.agenda(meeting.id)]
    assert [p.name for p in empty.participants(second.id)] == ["Anna Beispiel"]
    assert empty.tables(second.id) == []  # no template: no tables


def test_a_list_is_previewed_then_imported_from_the_participants_tab(empty, tmp_path) -> None:
    page = FacilitatorApp(empty, join_url=JOIN, live=False)
    page.new_meeting_template.value = "kickoff"
    page.new_meeting_button.click()
    people = page.tab("people")
    rows = [list(r) for r in TWELVE]
    rows[2][5] = "Atlantis"
    upload(people, write(tmp_path / "liste.csv", [tuple(r) for r in rows], encoding="cp1252"))
    assert "11 neu, 0 schon im Arbeitsbereich, 1 abgelehnt" in people.preview.value
    assert "Zeile 4: Kommune: Keine Kommune namens Atlantis" in people.preview.value
    assert people.import_all.layout.display == "none"  # not the whole list: one row is refused
    assert empty.participants() == []
    people.import_valid.click()
    assert "11 Teilnehmende angelegt" in people.preview.value
    assert len(empty.participants(page.meeting_id)) == 11
    assert people.import_buttons.layout.display == "none"

    # Corrected and loaded again: only the one who was missing is new.
    upload(people, write(tmp_path / "liste.csv", TWELVE))
    assert "1 neu, 11 schon im Arbeitsbereich, 0 abgelehnt" in people.preview.value
    people.import_all.click()
    assert len(empty.participants(page.meeting_id)) == 12
    assert page.message.value == ""


def test_a_file_that_is_no_list_says_so_and_changes_nothing(empty, tmp_path) -> None:
    page = FacilitatorApp(empty, join_url=JOIN, live=False)
    page.new_meeting_title.value = "Auftakt"
    page.new_meeting_button.click()
    people = page.tab("people")
    pdf = tmp_path / "einladung.pdf"
    pdf.write_bytes(b"%PDF-1.7 something")
    upload(people, pdf)
    assert "keine Tabelle" in page.message.value
    assert people.import_buttons.layout.display == "none" and empty.participants() == []


def test_a_municipality_is_added_by_hand(empty) -> None:
    page = FacilitatorApp(empty, join_url=JOIN, live=False)
    page.new_meeting_title.value = "Auftakt"
    page.new_meeting_button.click()
    people = page.tab("people")
    people.town_name.value = "Kleinstadt am See"
    people.town_ags.value = "1452199"  # seven digits: refused
    people.add_town.click()
    assert "Amtlicher Gemeindeschlüssel" in page.message.value and empty.municipalities() == []
    assert people.town_name.value == "Kleinstadt am See"  # what she typed stays
    people.town_ags.value = "14521999"
    people.town_state.value = "SN"
    people.town_latitude.value = "50,95"
    people.town_longitude.value = "13,1"
    people.add_town.click()
    (town,) = empty.municipalities()
    assert (town.name, town.ags, town.state, town.latitude, town.longitude) == (
        "Kleinstadt am See", "14521999", "SN", 50.95, 13.1,
    )  # fmt: skip
    assert "Kleinstadt am See wurde angelegt" in page.message.value
    assert ("Kleinstadt am See", town.id) in people.person_town.options


def test_any_german_municipality_is_added_from_the_directory(empty) -> None:
    page = FacilitatorApp(empty, join_url=JOIN, live=False)
    page.new_meeting_title.value = "Auftakt"
    page.new_meeting_button.click()
    people = page.tab("people")
    people.directory_name.value = "Neustadt"
    people.add_from_directory.click()
    assert "Mehrere Gemeinden passen zu Neustadt" in page.message.value
    assert empty.municipalities() == []
    people.directory_name.value = "herrnhut"
    people.add_from_directory.click()
    (town,) = empty.municipalities()
    assert (town.name, town.ags, town.state, town.district) == (
        "Herrnhut",
        "14626180",
        "SN",
        "Görlitz",
    )
    assert town.latitude and town.longitude and town.population
    assert "Herrnhut ist in diesem Arbeitsbereich" in page.message.value
    assert ("Herrnhut", town.id) in people.person_town.options


def test_the_mail_merge_list_is_offered_for_download(empty, tmp_path) -> None:
    page = FacilitatorApp(empty, join_url=JOIN, live=False)
    page.new_meeting_title.value = "Auftakt"
    page.new_meeting_button.click()
    for name in ("Anna Beispiel", "=HYPERLINK(böse)"):
        empty.add_participant(name, meeting_id=page.meeting_id, email="a@b.de")
    people = page.tab("people")
    people.make_mail_list.click()
    assert 'download="links-meeting-1.csv"' in people.mail_file.value
    text = (tmp_path / "export" / "links-meeting-1.csv").read_text(encoding="utf-8-sig")
    assert f"{JOIN}?p=" in text and "'=HYPERLINK(böse)" in text
