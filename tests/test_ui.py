"""The pages' widgets driven in-process, as a person would click them (no browser).

Buttons are clicked with ``button.click()``, fields set through ``.value``; a
click on a disabled button is what a forged widget message does, and must be
refused by the store all the same.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import ipywidgets as widgets
import pytest

import facilitation
from facilitation.i18n import language
from facilitation.models import Screen, VoteState
from facilitation.ui.facilitator import FacilitatorApp
from facilitation.ui.participant import ParticipantApp
from facilitation.ui.projector import ProjectorApp

JOIN = "http://127.0.0.1:8866/"
MARKUP = '<img src=x onerror=alert(1)><script>alert("x")</script>'


@pytest.fixture
def room(sqlite_store) -> Iterator[dict]:
    """A meeting with three invited participants, the facilitator's page and the wall."""
    store = sqlite_store
    store.add_meeting("Auftakt Ostsachsen")
    facilitator = FacilitatorApp(store, join_url=JOIN, live=False)
    for name in ("Anna Sommer", "Bernd Hahn", "Carla Weiß"):
        facilitator.tab("people").person_name.value = name
        facilitator.tab("people").add_person.click()
    meeting = store.current_meeting()
    people = store.participants(meeting.id)
    pages = {}
    for person in people:
        page = ParticipantApp(store, live=False)
        page.identify(store.links(person.id)[0])
        pages[person.name] = page
    yield {
        "store": store,
        "meeting": meeting,
        "facilitator": facilitator,
        "projector": ProjectorApp(store, join_url=JOIN, live=False),
        "pages": pages,
        "people": {p.name: p for p in people},
    }


def _refresh(room: dict) -> None:
    room["facilitator"].refresh()
    room["projector"].refresh()
    for page in room["pages"].values():
        page.refresh()


def _state(widget: widgets.Widget, *, visible_only: bool = False) -> str:
    """Everything a page holds in its widgets (what the browser could read)."""
    seen: list[dict] = []

    def walk(w: widgets.Widget) -> None:
        if visible_only and getattr(getattr(w, "layout", None), "display", None) == "none":
            return
        state = {
            k: v for k, v in w.get_state().items() if k not in ("_model_id", "layout", "style")
        }
        seen.append(state)
        for child in getattr(w, "children", ()):
            walk(child)

    walk(widget)
    return json.dumps(seen, default=str, sort_keys=True, ensure_ascii=False)


def _wall(projector: ProjectorApp) -> str:
    """What the wall shows now."""
    return "".join(v.widget.value for v in projector.views if v.widget.layout.display != "none")


def _texts(page: ParticipantApp) -> str:
    """What the page shows now (hidden screens left out)."""
    return _state(page.widget, visible_only=True)


def test_facilitator_registers_participants_with_personal_links(room) -> None:
    store, facilitator = room["store"], room["facilitator"]
    assert [p.name for p in store.participants(room["meeting"].id)] == sorted(room["people"])
    table = facilitator.tab("people").people_table.value
    for person in room["people"].values():
        (token,) = store.links(person.id)
        assert f"{JOIN}?p={token}" in table
    facilitator.tab("people").make_sheet.click()
    assert facilitator.tab("people").sheet.value.count("<svg") == 3
    facilitator.tab("people").person_name.value = "   "
    facilitator.tab("people").add_person.click()
    assert "Name: darf nicht leer sein" in facilitator.message.value
    assert len(store.participants(room["meeting"].id)) == 3


def test_intake_merge_and_a_secret_vote_from_start_to_reveal(room) -> None:
    store, facilitator, projector = room["store"], room["facilitator"], room["projector"]
    anna, bernd, carla = (room["pages"][n] for n in ("Anna Sommer", "Bernd Hahn", "Carla Weiß"))

    # Intake is closed: a forged "submit" is refused by the store.
    anna.refresh()
    facilitator.tab("flow").show_intake.click()
    _refresh(room)
    assert "geöffnet" in facilitator.tab("intake").state.value
    for page, title in ((anna, "Leerstand im Ortskern"), (bernd, "Leere Läden am Markt"),
                        (carla, "Fachkräfte in der Verwaltung"), (anna, MARKUP)):  # fmt: skip
        page.view("intake").title_input.value = title
        page.view("intake").submit_button.click()
        assert "Danke" in page.message.value
    projector.refresh()
    assert "4 Herausforderungen" in _wall(projector)
    assert "<img" not in _wall(projector) and "&lt;img src=x" in _wall(projector)
    assert "&lt;script&gt;" in _wall(projector)

    facilitator.tab("intake").close_intake.click()
    bernd.refresh()
    bernd.view("intake").title_input.value = "Noch eine"
    bernd.view("intake").submit_button.click()  # disabled on the page; a forged click all the same
    assert "geschlossen" in bernd.message.value
    assert len(store.challenges(room["meeting"].id)) == 4

    # Merge two challenges into one topic; the topic keeps its origins.
    facilitator.refresh()
    challenges = store.challenges(room["meeting"].id)
    for challenge in challenges[:2]:
        facilitator.tab("intake").boxes[challenge.id].value = True
    facilitator.tab("intake").topic_title.value = "Leerstand und lebendige Ortskerne"
    facilitator.tab("intake").merge.click()
    facilitator.tab("intake").boxes[challenges[2].id].value = True
    facilitator.tab("intake").merge.click()  # no title: the challenge's title
    facilitator.tab("intake").boxes[challenges[3].id].value = True
    facilitator.tab("intake").topic_title.value = "Sonstiges"
    facilitator.tab("intake").merge.click()
    topics = store.topics(room["meeting"].id)
    assert [t.title for t in topics] == [
        "Leerstand und lebendige Ortskerne", "Fachkräfte in der Verwaltung", "Sonstiges",
    ]  # fmt: skip
    assert topics[0].challenge_ids == (challenges[0].id, challenges[1].id)

    # A secret round: 1 dot each by default (3 topics), opened onto every page.
    facilitator.refresh()
    facilitator.tab("voting").dots.value = 2
    facilitator.tab("voting").cap.value = 1
    facilitator.tab("voting").create.click()
    (vote_round,) = store.vote_rounds(room["meeting"].id)
    assert vote_round.state is VoteState.DRAFT and vote_round.dots_per_person == 2
    anna.refresh()
    facilitator.tab("voting").open_round.click()
    assert store.live(room["meeting"].id).screen is Screen.VOTE
    _refresh(room)
    assert "noch 2 von 2" in anna.view("vote").status.value

    first, second, third = (t.id for t in topics)
    before = _state(anna.widget)
    bernd.view("vote").place(first)
    bernd.view("vote").place(first)  # cap of 1 per topic
    assert "schon 1 Punkt auf" in bernd.message.value
    bernd.view("vote").place(second)
    bernd.view("vote").place(third)  # no dots left
    assert "alle 2 Punkte" in bernd.message.value
    anna.refresh()
    # Bernd's dots are nowhere on Anna's page, not even in hidden widget state.
    assert _state(anna.widget) == before
    projector.refresh()
    assert "1 von 3 haben Punkte geklebt" in _wall(projector) or "1 von" in _wall(projector)
    assert "fac-ranking" not in _wall(projector)  # no tally on the wall while secret

    anna.view("vote").place(first)
    anna.view("vote").take_back(first)
    anna.view("vote").take_back(first)
    assert "keinen Punkt" in anna.message.value
    anna.view("vote").place(first)
    anna.view("vote").place(third)
    carla.view("vote").place(third)
    carla.view("vote").place(second)
    facilitator.refresh()
    assert "3 von 3 haben Punkte geklebt" in facilitator.tab("voting").state.value

    facilitator.tab("voting").close_round.click()
    carla.view("vote").take_back(second)
    assert "nicht geöffnet" in carla.message.value
    _refresh(room)
    assert "fac-ranking" not in _wall(projector)
    facilitator.tab("voting").reveal_round.click()
    _refresh(room)
    # first: 2 (Bernd, Anna), second: 2 (Bernd, Carla), third: 2 (Anna, Carla): a tie of three.
    assert store.tally(vote_round.id) == {first: 2, second: 2, third: 2}
    for html in (_wall(projector), anna.view("results").results.value):
        assert "fac-ranking" in html
        assert html.count("geteilter Platz") == 3
        assert html.count("<td>1.") == 3

    # A further round over the leaders keeps all tied topics.
    facilitator.tab("voting").leaders.value = 1
    facilitator.tab("voting").further.click()
    rounds = store.vote_rounds(room["meeting"].id)
    assert len(rounds) == 2 and set(rounds[1].topic_ids) == {first, second, third}
    assert rounds[1].parent_round_id == vote_round.id


def test_a_live_round_shows_the_tally_while_voting(room) -> None:
    store, facilitator, projector = room["store"], room["facilitator"], room["projector"]
    meeting_id = room["meeting"].id
    topics = [store.add_topic(meeting_id, f"Thema {i}").id for i in range(3)]
    facilitator.refresh()
    facilitator.tab("voting").secret.value = False
    facilitator.tab("voting").create.click()
    facilitator.tab("voting").open_round.click()
    _refresh(room)
    room["pages"]["Bernd Hahn"].view("vote").place(topics[1])
    room["pages"]["Anna Sommer"].refresh()
    projector.refresh()
    assert "alle: 1" in room["pages"]["Anna Sommer"].view("vote").rows[topics[1]][0].value
    assert "fac-ranking" in _wall(projector)


def test_unknown_and_revoked_links_get_a_clear_page(room) -> None:
    store = room["store"]
    page = ParticipantApp(store, live=False)
    page.identify("kein-gueltiger-link")
    assert "nicht (mehr) gültig" in page.message.value
    assert page.person is None and page.body.children == ()
    anna = room["people"]["Anna Sommer"]
    (token,) = store.links(anna.id)
    store.revoke_link(token)
    page = ParticipantApp(store, live=False)
    page.identify(token)
    assert page.person is None and "nicht (mehr) gültig" in page.message.value


def test_open_event_newcomer_joins_with_the_code(room) -> None:
    store, facilitator = room["store"], room["facilitator"]
    page = ParticipantApp(store, live=False)
    page.identify("")
    assert "persönlichen Link" in _texts(page)
    facilitator.tab("people").open_join.click()
    code = store.live(room["meeting"].id).join_code
    assert code and code in facilitator.tab("people").join_state.value
    room["projector"].refresh()
    assert code in room["projector"].join.value

    page = ParticipantApp(store, live=False)
    page.identify("")
    page.join_code.value = "FALSCH"
    page.join_name.value = "Dora Neu"
    page.join_button.click()
    assert "Teilnahmecode ist nicht gültig" in page.message.value
    page.join_code.value = code.lower()
    page.join_button.click()
    assert "Willkommen, Dora Neu" in page.message.value
    dora = page.person
    assert dora is not None and dora.id in {p.id for p in store.participants(room["meeting"].id)}
    assert page.identity.remember == store.links(dora.id)[0]  # the browser keeps the link

    facilitator.tab("people").close_join.click()
    late = ParticipantApp(store, live=False)
    late.identify("")
    assert "Teilnahmecode" not in _texts(late)


def test_a_reload_keeps_identity_and_dots(room) -> None:
    store, facilitator = room["store"], room["facilitator"]
    topic = store.add_topic(room["meeting"].id, "Mobilität").id
    store.add_topic(room["meeting"].id, "Tourismus")
    store.add_topic(room["meeting"].id, "Energie")
    facilitator.refresh()
    facilitator.tab("voting").create.click()
    facilitator.tab("voting").open_round.click()
    anna = room["people"]["Anna Sommer"]
    token = store.links(anna.id)[0]
    first_tab = room["pages"]["Anna Sommer"]
    first_tab.refresh()
    first_tab.view("vote").place(topic)
    reloaded = ParticipantApp(store, live=False)  # a reload, or a second tab
    reloaded.identify(token)
    assert reloaded.person.id == anna.id
    assert "noch 0 von 1" in reloaded.view("vote").status.value
    reloaded.view("vote").place(topic)
    assert "Sie haben 1 Punkt vergeben" in reloaded.message.value
    assert store.my_dots(store.vote_rounds()[0].id, anna.id) == {topic: 1}


def test_participant_page_speaks_english_when_asked(room) -> None:
    page = room["pages"]["Carla Weiß"]
    with language("de"):
        page.language.value = "en"
        try:
            assert "The facilitator will open the next step shortly." in _texts(page)
        finally:
            page.language.value = "de"
    assert "Die Moderation öffnet gleich" in _texts(page)


def test_facilitator_and_projector_pages_need_the_key(tmp_path, monkeypatch) -> None:
    from facilitation.ui import facilitator_app, participant_app, projector_app

    workspace = tmp_path / "w.db"
    with facilitation.create_workspace(workspace, "Werkstatt") as store:
        key = store.facilitator_key()
        store.add_meeting("Treffen")
    monkeypatch.setenv("FACILITATION_WORKSPACE", str(workspace))
    for app in (facilitator_app, projector_app):
        for query in ("", "key=falsch", f"key={key}x"):
            monkeypatch.setenv("QUERY_STRING", query)
            shown = _state(app())
            assert "nur für die Moderation" in shown and "Treffen" not in shown
        monkeypatch.setenv("QUERY_STRING", f"key={key}")
        assert "nur für die Moderation" not in _state(app())
    monkeypatch.setenv("QUERY_STRING", "")
    assert "Ihre Seite wird geöffnet" in _state(participant_app())


def test_timer_reaches_every_page(room) -> None:
    facilitator = room["facilitator"]
    facilitator.tab("flow").timer_minutes.value = 3
    facilitator.tab("flow").start_timer.click()
    _refresh(room)
    ends = room["projector"].countdown.ends_at
    assert ends > 0
    assert room["pages"]["Anna Sommer"].countdown.ends_at == ends
    facilitator.tab("flow").stop_timer.click()
    _refresh(room)
    assert room["projector"].countdown.ends_at == 0


def test_facilitator_exports_the_protocol_and_the_data_from_the_page(room, tmp_path) -> None:
    store, facilitator = room["store"], room["facilitator"]
    meeting_id = room["meeting"].id
    secret = store.add_consultation(meeting_id, "Leerstand in Weißwasser")
    store.add_entry(secret.id, "Vertrauliche Idee: Zwischennutzung")
    facilitator.refresh()
    tab = facilitator.tab("protocol")
    assert [label for label, _id in tab.confidential.options] == ["Leerstand in Weißwasser"]
    tab.format.value = "all"
    tab.run.click()
    assert "fac-ok" in tab.result.value, facilitator.message.value
    folder = tmp_path / "export"  # beside the workspace file
    written = sorted(p.name for p in folder.rglob("*") if p.is_file())
    assert any(name.endswith(".docx") for name in written)
    assert any(name.endswith(".html") for name in written)
    assert 'download="' in tab.result.value and "base64," in tab.result.value
    everything = "".join(
        p.read_text(errors="ignore") for p in folder.rglob("*") if p.suffix in (".csv", ".html")
    )
    assert "Zwischennutzung" not in everything  # confidential unless ticked

    tab.format.value = "csv"
    tab.confidential.value = (secret.id,)
    tab.run.click()
    entries = (folder / "consultation_entries.csv").read_text(encoding="utf-8-sig")
    assert "Zwischennutzung" in entries


def test_an_export_that_cannot_be_written_says_why(room, tmp_path) -> None:
    facilitator = room["facilitator"]
    (tmp_path / "export").write_text("a file where the folder should be")
    tab = facilitator.tab("protocol")
    tab.format.value = "xlsx"
    tab.run.click()
    assert "fac-error" in facilitator.message.value
    assert tab.result.value == ""


def test_facilitator_builds_the_agenda_on_the_flow_tab(room) -> None:
    import datetime as dt

    facilitator = room["facilitator"]
    flow = facilitator.tab("flow")
    flow.agenda_title.value = "Begrüßung und Vorstellungsrunde"
    flow.agenda_start.value = dt.time(9, 30)
    flow.agenda_minutes.value = 20
    flow.add_agenda.click()
    flow.agenda_title.value = MARKUP
    flow.add_agenda.click()
    flow.agenda_title.value = "   "
    flow.add_agenda.click()  # refused: an item needs a title
    assert "fac-error" in facilitator.message.value
    assert "09:30" in flow.agenda.value and "20 Min." in flow.agenda.value
    assert "Begrüßung und Vorstellungsrunde" in flow.agenda.value
    assert "<img" not in flow.agenda.value and "&lt;img" in flow.agenda.value
    assert len(room["store"].agenda(room["meeting"].id)) == 2


def test_preparing_another_meeting_never_moves_the_room(room) -> None:
    store, facilitator = room["store"], room["facilitator"]
    today = room["meeting"]
    anna = room["pages"]["Anna Sommer"]
    # Another tab (or the command line) adds a meeting: this page and the room stay.
    later = store.add_meeting("Zweites Treffen")
    facilitator.refresh()
    assert facilitator.meeting.value == today.id
    assert store.current_meeting().id == today.id
    # The facilitator prepares the next meeting on her page: the room stays too.
    facilitator.meeting.value = later.id
    facilitator.new_meeting_title.value = "Drittes Treffen"
    facilitator.new_meeting_button.click()
    assert store.current_meeting().id == today.id
    assert "Auftakt Ostsachsen" in facilitator.live_state.value
    assert facilitator.make_live.layout.display != "none"
    anna.refresh()
    assert "Auftakt Ostsachsen" in anna.header.value
    # Until she puts it on the screens.
    facilitator.meeting.value = later.id
    facilitator.make_live.click()
    assert store.current_meeting().id == later.id
    assert facilitator.make_live.layout.display == "none"


def test_nothing_of_a_meeting_reaches_someone_not_registered_for_it(room) -> None:
    store, facilitator = room["store"], room["facilitator"]
    first = room["meeting"]
    second = store.add_meeting("Zweites Treffen")
    carla = room["people"]["Carla Weiß"]
    store.register(second.id, room["people"]["Anna Sommer"].id)
    topic = store.add_topic(second.id, "Vertrauliches Thema aus Treffen 2")
    vote_round = store.create_round(second.id, [topic.id], visibility="live")
    store.open_round(vote_round.id)
    store.show(second.id, "vote", vote_round.id)
    store.set_current_meeting(second.id)
    _refresh(room)
    page = room["pages"]["Carla Weiß"]
    assert "nicht angemeldet" in _texts(page)
    assert "Vertrauliches Thema" not in _state(page.widget)
    # Registered from the facilitator's page, she takes part at once.
    facilitator.meeting.value = second.id
    facilitator.refresh()
    assert carla.id in [value for _label, value in facilitator.tab("people").known.options]
    facilitator.tab("people").known.value = (carla.id,)
    facilitator.tab("people").register_known.click()
    page.refresh()
    assert "Vertrauliches Thema" in _texts(page)
    assert store.is_registered(second.id, carla.id) and store.is_registered(first.id, carla.id)


def test_a_new_link_ends_the_old_one_even_on_an_open_page(room) -> None:
    store, facilitator = room["store"], room["facilitator"]
    bernd = room["people"]["Bernd Hahn"]
    page = room["pages"]["Bernd Hahn"]
    old = store.links(bernd.id)[0]
    facilitator.tab("people").person_choice.value = bernd.id
    facilitator.tab("people").new_link.click()
    (new,) = store.links(bernd.id)
    assert new != old
    page.refresh()
    assert page.person is None and "fac-error" in page.message.value
    fresh = ParticipantApp(store, live=False)
    fresh.identify(new)
    assert fresh.person.id == bernd.id
    facilitator.tab("people").remove_person.click()
    assert not store.is_registered(room["meeting"].id, bernd.id)


def test_an_unexpected_failure_is_said_on_the_facilitator_page(room) -> None:
    facilitator = room["facilitator"]

    def broken() -> None:
        raise OSError("disk full")

    assert facilitator.act(broken) is None
    assert "disk full" in facilitator.message.value and "fac-error" in facilitator.message.value


def test_the_join_form_made_ahead_follows_the_code_and_the_towns(room) -> None:
    store, facilitator = room["store"], room["facilitator"]
    page = ParticipantApp(store, live=False)  # made before the event opens, as preheated pages are
    page.identify("")
    assert "persönlichen Link" in _texts(page) and "Teilnahmecode" not in _texts(page)
    facilitator.tab("people").open_join.click()
    store.add_municipality("Neustadt in Sachsen", state="SN")
    page.identify("")  # the browser asks again (a reload)
    assert "Teilnahmecode" in _texts(page) and "persönlichen Link" not in _texts(page)
    assert "Neustadt in Sachsen" in [name for name, _id in page.join_town.options]
    page.language.value = "en"
    try:
        assert "Join code" in _texts(page)
    finally:
        page.language.value = "de"
    assert "Teilnahmecode" in _texts(page)
