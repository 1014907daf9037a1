"""A facilitator corrects what she prepared, in real Chromium against `serve`: she edits
and deletes a draft vote round, an agenda item, a topic and an unused consultation, and
the protocol tells only what took place.

One served workspace for the module: a forum with two cases, one of which was held; a
vote round that was held and one only prepared; the agenda of the template.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import facilitation
from facilitation import serve
from facilitation.i18n import language
from facilitation.models import ConsultationPhase, EntryKind, PreparedAction, PreparedKind
from facilitation.report import build_protocol, render_html

pytestmark = pytest.mark.slow

WAIT = 60_000  # generous: the machine is shared


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    workspace = tmp_path_factory.mktemp("corrections") / "forum.db"
    with language("de"), facilitation.create_workspace(workspace, "Forum Kommune") as store:
        meeting = store.prepare_meeting(
            "Zweites Arbeitstreffen", template="forum", lang="de",
            case_titles=["Leerstand am Markt", "Schulweg in Ostritz"],
        )  # fmt: skip
        people = [
            store.add_participant(name, meeting_id=meeting.id, consent_named=True).id
            for name in ("Anna", "Bernd", "Clara")
        ]
        topics = [store.add_topic(meeting.id, title).id for title in
                  ("Leerstand", "Schulwege", "Ehrenamt", "Digitale Verwaltung")]  # fmt: skip
        held = store.create_round(meeting.id, topics[:3])
        store.open_round(held.id)
        store.place_dot(held.id, people[0], topics[0])
        store.close_round(held.id)
        store.reveal_round(held.id)
        draft = store.create_round(meeting.id, topics)
        case, unused = store.consultations(meeting.id)
        store.set_roles(case.id, {people[0]: "case_giver", people[1]: "consultant"})
        store.set_phase(case.id, ConsultationPhase.CASE_ACCOUNT)
        store.add_entry(case.id, "Seit wann steht es leer?", kind=EntryKind.QUESTION)
        key = store.facilitator_key()
        ids = {
            "meeting": meeting.id, "held": held.id, "draft": draft.id, "topics": topics,
            "unused": unused.id, "case": case.id,
        }  # fmt: skip
    from .test_serve import _free_base_port

    with serve.start(str(workspace), key, port=_free_base_port(), room=1) as servers:
        yield {"workspace": workspace, "urls": servers.urls, **ids}


@pytest.fixture(scope="module")
def page(served, browser) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 1100})
    facilitator = context.new_page()
    facilitator.goto(served["urls"]["facilitator"], timeout=180_000)
    facilitator.get_by_text("Ablauf", exact=True).first.wait_for(timeout=180_000)
    yield facilitator
    context.close()


def visible(locator: Any) -> Any:
    return locator.filter(visible=True).first


def no_error(page: Any) -> None:
    errors = page.locator(".fac-error").filter(visible=True)
    assert errors.count() == 0 or "noch einmal" in errors.first.inner_text(), (
        errors.all_inner_texts()
    )


def eventually(check, page: Any, timeout_ms: int = WAIT) -> None:
    """Wait (in Playwright's clock, no fixed sleeps) until ``check()`` holds."""
    waited = 0
    while not check():
        assert waited < timeout_ms, "the workspace never showed the change"
        page.wait_for_timeout(250)
        waited += 250


def store_of(served: dict[str, Any]) -> facilitation.Research:
    return facilitation.open_workspace(served["workspace"])


def delete_twice(page: Any, name: str) -> None:
    button = visible(page.get_by_role("button", name=name))
    button.click()
    visible(page.get_by_text("noch einmal")).wait_for(timeout=WAIT)
    button.click()
    visible(page.get_by_text("Gelöscht.")).wait_for(timeout=WAIT)


def test_an_agenda_item_is_edited_moved_and_deleted(served, page) -> None:
    page.get_by_text("Ablauf", exact=True).first.click()
    choice = visible(page.get_by_label("Tagesordnungspunkt"))
    choice.select_option(label="16:00 Was in den Praxisleitfaden gehört")
    title = visible(page.get_by_placeholder("Programmpunkt, z. B."))
    eventually(lambda: title.input_value() == "Was in den Praxisleitfaden gehört", page)
    title.fill("Beiträge zum Praxisleitfaden")
    visible(page.get_by_role("button", name="Punkt speichern")).click()
    visible(page.get_by_text("Beiträge zum Praxisleitfaden")).wait_for(timeout=WAIT)
    choice.select_option(label="14:45 Kaffeepause")
    delete_twice(page, "Tagesordnungspunkt löschen")
    no_error(page)
    with store_of(served) as store:
        titles = [item.title for item in store.agenda(served["meeting"])]
    assert "Kaffeepause" not in titles and "Beiträge zum Praxisleitfaden" in titles


def test_a_draft_round_is_edited_then_deleted(served, page) -> None:
    page.get_by_text("Punktabfrage", exact=True).first.click()
    visible(page.get_by_label("Runde bearbeiten")).select_option(label="Punktabfrage 2")
    dots = visible(page.get_by_label("Punkte pro Person"))
    eventually(lambda: dots.input_value() == "1", page)  # a third of four topics
    dots.fill("2")
    visible(page.get_by_role("button", name="Runde speichern")).click()
    with store_of(served) as store:
        eventually(lambda: store.vote_round(served["draft"]).dots_per_person == 2, page)
    no_error(page)
    run = visible(page.get_by_label("Runde", exact=True))
    run.select_option(label="Punktabfrage 2 (in Vorbereitung)")
    delete_twice(page, "Runde löschen")
    no_error(page)
    with store_of(served) as store:
        assert [r.id for r in store.vote_rounds(served["meeting"])] == [served["held"]]
        kinds = [(e.kind, e.action) for e in store.prepared_events(served["meeting"])]
    assert (PreparedKind.VOTE_ROUND, PreparedAction.EDITED) in kinds
    assert (PreparedKind.VOTE_ROUND, PreparedAction.DELETED) in kinds


def test_a_topic_is_renamed_and_an_unused_one_deleted(served, page) -> None:
    page.get_by_text("Herausforderungen und Themen", exact=True).first.click()
    topic = visible(page.get_by_label("Thema", exact=True))
    topic.select_option(label="Leerstand")
    rename = visible(page.get_by_placeholder("Neuer Titel"))
    eventually(lambda: rename.input_value() == "Leerstand", page)
    rename.fill("Leerstand in den Ortskernen")
    visible(page.get_by_role("button", name="Umbenennen")).click()
    visible(page.get_by_text("Leerstand in den Ortskernen")).wait_for(timeout=WAIT)
    # A topic with dots is never deleted: the page says to rename or hide it.
    visible(page.get_by_role("button", name="Thema löschen")).click()
    visible(page.get_by_role("button", name="Thema löschen")).click()
    visible(page.get_by_text("kann nicht gelöscht werden")).wait_for(timeout=WAIT)
    topic.select_option(label="Digitale Verwaltung")
    delete_twice(page, "Thema löschen")
    with store_of(served) as store:
        titles = [t.title for t in store.topics(served["meeting"])]
    assert titles == ["Leerstand in den Ortskernen", "Schulwege", "Ehrenamt"]


def test_an_unused_consultation_is_deleted_and_the_protocol_tells_what_took_place(
    served, page
) -> None:
    page.get_by_text("Kollegiale Beratung", exact=True).first.click()
    choice = visible(page.get_by_label("Beratung", exact=True))
    choice.select_option(label="Schulweg in Ostritz · Casting")
    rename = visible(page.get_by_placeholder("Neuer Titel"))
    eventually(lambda: rename.input_value() == "Schulweg in Ostritz", page)
    delete_twice(page, "Kollegiale Beratung löschen")
    no_error(page)
    with store_of(served) as store:
        assert [k.id for k in store.consultations(served["meeting"])] == [served["case"]]
        html = render_html(build_protocol(store, served["meeting"], lang="de"))
    assert "Kaffeepause" not in html and "Beiträge zum Praxisleitfaden" in html
    assert "vorbereitet, aber nicht" not in html
    assert "Punktabfrage 1: Punktabfrage 1" not in html and "Punktabfrage 2" not in html
    assert "Digitale Verwaltung" not in html and "Leerstand in den Ortskernen" in html
    assert "1 kollegiale Beratung bleibt vertraulich" in html
    assert "Schulweg in Ostritz" not in html
