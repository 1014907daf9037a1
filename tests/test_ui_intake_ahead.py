"""The intake ahead of a meeting ("Interessenbekundung"), from an empty workspace.

The facilitator opens it on her flow tab while the meeting shows the waiting
screen; a participant submits from her own link; the wall still waits; closing
it keeps what was submitted.
"""

from __future__ import annotations

from pathlib import Path

import facilitation
from facilitation.i18n import language
from facilitation.models import Screen
from facilitation.ui.facilitator import FacilitatorApp
from facilitation.ui.participant import ParticipantApp
from facilitation.ui.projector import ProjectorApp

from .test_ui import _texts, _wall

JOIN = "https://workshop.example.org/"


def test_challenges_from_home_before_the_meeting(tmp_path: Path) -> None:
    with language("de"), facilitation.create_workspace(tmp_path / "p.db", "Forum") as store:
        meeting = store.add_meeting("Forum im Mai")
        store.set_current_meeting(meeting.id)
        person = store.add_participant("Anna Vorab", meeting_id=meeting.id)
        facilitator = FacilitatorApp(store, join_url=JOIN, live=False)
        page = ParticipantApp(store, live=False)
        page.identify(store.create_link(person.id))
        wall = ProjectorApp(store, join_url=JOIN, live=False)
        assert "Die Moderation öffnet gleich" in _texts(page)
        with_form = "Ihre Herausforderung in wenigen Worten"
        assert with_form not in _texts(page)

        flow = facilitator.tab("flow")
        assert flow.ahead.description == "Herausforderungen vorab sammeln"
        flow.ahead.click()
        live = store.live(meeting.id)
        assert live.intake_ahead and live.intake_open and live.screen is Screen.WAITING
        page.refresh()
        assert "Vor dem Treffen" in _texts(page) and with_form in _texts(page)
        intake = page.view("intake")
        intake.title_input.value = "Leerstand im Ortskern"
        intake.submit_button.click()
        assert [c.title for c in store.challenges(meeting.id)] == ["Leerstand im Ortskern"]
        wall.refresh()
        assert "Leerstand im Ortskern" not in _wall(wall)  # the wall waits for the meeting

        facilitator.refresh()
        assert flow.ahead.description == "Vorab-Sammlung schließen"
        flow.ahead.click()
        page.refresh()
        assert with_form not in _texts(page)
        assert len(store.challenges(meeting.id)) == 1
