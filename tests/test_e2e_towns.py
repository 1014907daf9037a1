"""Every German municipality can be named (issue 19), in real headless Chromium against the
real `facilitation serve`: a participant names Herrnhut and Dresden, which the workspace does
not know yet, by typing and pressing Enter or the button, and another town by its suggestion;
one partner with two topics is one tie on the wall."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import facilitation
from facilitation import serve
from facilitation.models import relationships

from .test_e2e_network import _free_port, _ties_on_wall

pytestmark = pytest.mark.slow

SEARCH = "Namen einer Kommune eingeben ..."
ENTER_TIE = "Beziehung eintragen"


def test_a_participant_names_towns_the_workspace_does_not_know(tmp_path: Path, browser) -> None:
    workspace = tmp_path / "orte.db"
    with facilitation.create_workspace(workspace, "Kommunen in Ostsachsen") as store:
        bautzen = store.add_municipality("Bautzen", ags="14625020", state="SN")
        store.add_municipality("Görlitz", ags="14626110", state="SN")
        meeting = store.add_meeting("Netzwerktreffen")
        store.set_current_meeting(meeting.id)
        for title in ("Tourismus", "Kultur"):
            store.add_topic(meeting.id, title)
        katrin = store.add_participant(
            "Katrin Wendler", municipality_id=bautzen.id, meeting_id=meeting.id
        )
        link = store.create_link(katrin.id)
        store.show_network(meeting.id)
        key = store.facilitator_key()
        assert store.find_municipalities("Herrnhut") == []  # not in the workspace

    with serve.start(str(workspace), key, port=_free_port(), room=1) as servers:
        projector = browser.new_context(viewport={"width": 1600, "height": 1000}).new_page()
        projector.goto(servers.urls["projector"], timeout=180_000)
        tab = browser.new_context(viewport={"width": 420, "height": 900}).new_page()
        tab.goto(f"{servers.urls['participant']}?p={link}", timeout=180_000)
        search = tab.get_by_placeholder(SEARCH)
        search.wait_for(timeout=120_000)
        projector.locator(".fac-network svg").wait_for(timeout=120_000)

        # Herrnhut: its whole name and Enter, no suggestion clicked; two topics.
        search.fill("herrnhut")
        search.press("Enter")
        tab.get_by_text("✓ Herrnhut (Görlitz, SN)").wait_for(timeout=30_000)
        tab.get_by_role("button", name="+ Tourismus").click()
        tab.get_by_role("button", name="+ Kultur").click()
        tab.get_by_role("button", name=ENTER_TIE).click()
        tab.get_by_text("Eingetragen: kooperiert mit Herrnhut").wait_for(timeout=30_000)

        # Dresden: typed, and the button pressed at once.
        search.fill("Dresden")
        tab.get_by_role("button", name="Dresden (Dresden, SN)").wait_for(timeout=30_000)
        tab.get_by_role("button", name=ENTER_TIE).click()
        tab.get_by_text("Eingetragen: kooperiert mit Dresden").wait_for(timeout=30_000)

        # A name many towns begin with is not guessed.
        search.fill("Neustadt")
        search.press("Enter")
        tab.get_by_text("Mehrere Gemeinden passen zu Neustadt").wait_for(timeout=30_000)

        # Löbau: the start of its name, and its suggestion.
        search.fill("Löb")
        tab.get_by_role("button", name="Löbau (Görlitz, SN)").click()
        tab.get_by_text("✓ Löbau (Görlitz, SN)").wait_for(timeout=30_000)
        tab.get_by_role("button", name=ENTER_TIE).click()
        tab.get_by_text("Eingetragen: kooperiert mit Löbau").wait_for(timeout=30_000)

        mine = tab.locator(".fac-mine .fac-card")
        mine.nth(2).wait_for(timeout=30_000)
        assert mine.count() == 3  # Herrnhut once, with both topics
        herrnhut = mine.filter(has_text="Herrnhut")
        assert "Tourismus" in herrnhut.inner_text() and "Kultur" in herrnhut.inner_text()
        deadline = time.monotonic() + 60
        while _ties_on_wall(projector) != 3:
            assert time.monotonic() < deadline, "the wall does not count three ties"
            time.sleep(0.2)
        assert "Herrnhut" in projector.locator(".fac-network svg").inner_html()

    with facilitation.open_workspace(workspace) as store:
        for name, ags in (("Herrnhut", "14626180"), ("Dresden", "14612000"), ("Löbau", "14626290")):
            town = store.municipality_by_ags(ags)
            assert town is not None and town.name == name
            assert town.latitude and town.longitude and town.population and town.district
        ties = store.ties(meeting.id)
        assert len(ties) == 4 and len(relationships(ties)) == 3
        assert sorted(t.topic for t in ties if t.topic) == ["Kultur", "Tourismus"]
