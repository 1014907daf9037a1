"""Findings on the three pages (widgets in-process), from an empty workspace.

The facilitator drafts a finding, links its sources and puts it up for review;
participants agree, object or comment on their pages and give priority dots;
the wall counts. Participant text stays text.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import facilitation
from facilitation.i18n import language
from facilitation.models import FindingStatus, Screen, SourceKind, Stance
from facilitation.ui.facilitator import FacilitatorApp
from facilitation.ui.findings import ReviewView
from facilitation.ui.participant import ParticipantApp
from facilitation.ui.projector import ProjectorApp

from .test_ui import _texts, _wall

JOIN = "http://192.168.0.5:8866/"


@pytest.fixture
def room(tmp_path: Path):
    with language("de"):
        store = facilitation.create_workspace(tmp_path / "programm.db", "Transfer")
        meeting = store.add_meeting("Abschlusstreffen")
        store.set_current_meeting(meeting.id)
        facilitator = FacilitatorApp(store, join_url=JOIN, live=False)
        people = [store.add_participant(n, meeting_id=meeting.id) for n in ("Anna", "Bernd")]
        pages = []
        for person in people:
            page = ParticipantApp(store, live=False)
            page.identify(store.create_link(person.id))
            pages.append(page)
        yield {
            "store": store, "meeting": meeting, "facilitator": facilitator, "pages": pages,
            "people": people, "projector": ProjectorApp(store, join_url=JOIN, live=False),
        }  # fmt: skip
        store.close()


def _review(page: ParticipantApp) -> ReviewView:
    return next(v for v in page.views if isinstance(v, ReviewView))


def test_draft_link_review_answer_and_count(room) -> None:
    store, facilitator, meeting = room["store"], room["facilitator"], room["meeting"]
    challenge = store.add_challenge(meeting.id, "Leerstand <b>im</b> Ortskern")
    tab = facilitator.tab("findings")
    facilitator.refresh()
    tab.choice.value = 0
    tab.save.click()
    assert "Titel: darf nicht leer sein" in facilitator.message.value
    assert store.findings() == []

    tab.kind.value = "recommendation"
    tab.finding_title.value = "Ortskernmanagement fördern"
    tab.text.value = "Ein Förderprogramm für Ortskernmanager in Kleinstädten."
    tab.addressee.value = "SMR Sachsen"
    tab.save.click()
    (finding,) = store.findings()
    assert tab.choice.value == finding.id and finding.addressee == "SMR Sachsen"

    tab.source_kind.value = SourceKind.CHALLENGE.value
    facilitator.refresh()
    assert tab.source_record.value == challenge.id
    tab.add_source.click()
    assert [s.ref_id for s in store.finding_sources(finding.id)] == [challenge.id]
    facilitator.refresh()
    assert "Leerstand <b>im</b> Ortskern" not in tab.sources.children[0].children[0].value
    assert "&lt;b&gt;" in tab.sources.children[0].children[0].value

    tab.to_review.click()
    assert store.finding(finding.id).status is FindingStatus.REVIEW
    tab.show_review.click()
    assert store.live(meeting.id).screen is Screen.REVIEW

    anna, bernd = room["pages"]
    for page in room["pages"]:
        page.refresh()
    assert "Ortskernmanagement fördern" in _texts(anna)
    card = _review(anna).cards[finding.id]
    card.comment.value = "<script>alert(1)</script>"
    card.buttons[Stance.COMMENT].click()
    assert "Ihre Antwort wurde gespeichert" in _texts(anna)
    card.add.click()
    bern_card = _review(bernd).cards[finding.id]
    bern_card.buttons[Stance.COMMENT].click()  # without a comment
    assert "Schreiben Sie zuerst Ihren Kommentar" in _texts(bernd)
    bern_card.buttons[Stance.AGREE].click()

    counted = store.agreement()[finding.id]
    assert (counted.agree, counted.object, counted.comment_only) == (1, 0, 1)
    room["projector"].refresh()
    wall = _wall(room["projector"])
    assert "2 von 2 haben geantwortet" in wall
    assert "<script>" not in wall
    facilitator.refresh()
    assert "Zustimmung: 1" in tab.results.value and "Prioritätspunkte: 1" in tab.results.value
    # The facilitator reads the comments and objections as they come in, as text.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in tab.results.value
    assert "<script>" not in tab.results.value
    bern_card.comment.value = "Zu teuer für kleine Gemeinden"
    bern_card.buttons[Stance.OBJECT].click()
    facilitator.refresh()
    assert "✖ Zu teuer für kleine Gemeinden" in tab.results.value
    assert "<script>" not in wall and "Zu teuer" not in _wall(room["projector"])

    export = facilitator.tab("protocol")
    export.programme.click()
    assert facilitator.message.value == ""
    assert "Programmbericht-Transfer.html" in export.result.value
    assert "Programmbericht-Transfer.xlsx" in export.result.value
