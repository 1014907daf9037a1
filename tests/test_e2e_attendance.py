"""Attendance in real headless Chromium against the real `facilitation serve`.

Ten people are registered; seven open their personal links and place a dot.
The facilitator's page, the wall, the protocol, the programme report and the
research frames all count seven present and three absent. The facilitator
then checks an eighth person in by hand (she has no device) and excuses a
ninth, one click each: every one of those counts follows.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import facilitation
from facilitation import serve
from facilitation.report import build_programme_report, build_protocol, render_html

pytestmark = pytest.mark.slow

PEOPLE = [
    "Katrin Wendler", "Thomas Brückner", "Sabine Kühn", "Jens Pohl", "Ute Matthes",
    "Frank Zieschang", "Heike Lorenz", "Rainer Mittag", "Doreen Mättig", "Axel Kretschmer",
]  # fmt: skip
ARRIVING = PEOPLE[:7]
TOPICS = ["Leerstand im Ortskern", "Fachkräfte in der Verwaltung", "Mobilität auf dem Land"]
WAIT = 120_000  # the machine is shared: generous waits, never fixed sleeps


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, browser) -> Iterator[dict]:
    """One served workspace for the module: ten registered, a secret vote on the screens,
    seven people who open their page and place a dot."""
    from .test_serve import _free_base_port

    workspace = tmp_path_factory.mktemp("attendance") / "auftakt.db"
    with facilitation.create_workspace(workspace, "Peer-Learning Ostsachsen") as store:
        towns = [store.add_municipality(n, state="SN") for n in ("Bautzen", "Görlitz", "Kamenz")]
        meeting = store.add_meeting("Auftakt")
        store.set_current_meeting(meeting.id)
        links = {}
        for i, name in enumerate(PEOPLE):
            person = store.add_participant(
                name, meeting_id=meeting.id, municipality_id=towns[i % 3].id, consent_named=True
            )
            links[name] = store.create_link(person.id)
        topics = [store.add_topic(meeting.id, title) for title in TOPICS]
        vote_round = store.create_round(
            meeting.id, [t.id for t in topics], title="Prioritäten", dots_per_person=1
        )
        store.open_round(vote_round.id, show=True)
        key = store.facilitator_key()
    contexts = []

    def page(url: str):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(WAIT)
        contexts.append(context)
        tab = context.new_page()
        tab.goto(url, wait_until="commit")
        return tab

    with serve.start(str(workspace), key, port=_free_base_port(), room=7) as servers:
        base = servers.urls["participant"]
        facilitator = page(servers.urls["facilitator"])
        projector = page(servers.urls["projector"])
        tabs = {name: page(f"{base}?p={links[name]}") for name in ARRIVING}
        for name, tab in tabs.items():
            tab.get_by_text(name).first.wait_for(timeout=3 * WAIT)
            row = tab.locator(".fac-card", has_text=TOPICS[ARRIVING.index(name) % 3]).first
            row.get_by_role("button", name="+ Punkt").click()
        facilitator.get_by_role("tab", name="Punktabfrage").click()
        yield {
            "workspace": workspace, "meeting": meeting, "facilitator": facilitator,
            "projector": projector, "tabs": tabs,
        }  # fmt: skip
        for context in contexts:
            context.close()


def _check_counts(served: dict, present: int, excused: int, absent: int) -> None:
    """Every count of the room agrees: the pages, the protocol, the report, the frames."""
    facilitator, projector = served["facilitator"], served["projector"]
    voted = f"{len(ARRIVING)} von {present} haben Punkte geklebt"
    projector.get_by_text(voted).first.wait_for(timeout=WAIT)
    facilitator.get_by_role("tab", name="Punktabfrage").click()
    facilitator.get_by_text(voted).first.wait_for(timeout=WAIT)
    facilitator.get_by_role("tab", name="Teilnehmende").click()
    facilitator.get_by_text(
        f"Anwesend: {present} von {len(PEOPLE)} Angemeldeten · entschuldigt: {excused} · "
        f"abwesend: {absent}"
    ).first.wait_for(timeout=WAIT)
    with facilitation.open_workspace(served["workspace"]) as store:
        meeting_id = served["meeting"].id
        protocol = render_html(build_protocol(store, meeting_id, lang="de", network=False))
        assert f"{present} Teilnehmende aus" in protocol
        assert (
            f"Angemeldet, aber nicht anwesend: {excused} entschuldigt, {absent} abwesend."
            in protocol
        )
        programme = render_html(build_programme_report(store, lang="de"))
        assert f"{present} Personen aus 3 Kommunen haben teilgenommen" in programme
        assert f"{len(PEOPLE)} Personen waren angemeldet" in programme
        frame = store.frame("attendance")
        counts = frame["status"].value_counts().to_dict()
        assert counts.get("present", 0) == present
        assert counts.get("excused", 0) == excused
        assert counts.get("absent", 0) == absent
        roll = store.attendance(meeting_id)
        assert (len(roll.present), len(roll.excused), len(roll.absent)) == (
            present, excused, absent,
        )  # fmt: skip


def test_seven_of_ten_open_their_page(served: dict) -> None:
    _check_counts(served, present=7, excused=0, absent=3)
    # Registered is not present: the three who never opened their page stand as absent.
    facilitator = served["facilitator"]
    row = facilitator.locator(".widget-hbox", has_text=PEOPLE[9]).locator(".fac-attendance")
    assert row.get_by_role("button", name="abwesend", exact=True).count() == 1


def test_checking_in_by_hand_changes_every_count(served: dict) -> None:
    facilitator = served["facilitator"]
    facilitator.get_by_role("tab", name="Teilnehmende").click()

    def choice(name: str):
        return facilitator.locator(".widget-hbox", has_text=name).locator(".fac-attendance")

    choice(PEOPLE[7]).get_by_role("button", name="anwesend", exact=True).click()
    facilitator.get_by_text("durch die Moderation").first.wait_for(timeout=WAIT)
    _check_counts(served, present=8, excused=0, absent=2)
    facilitator.get_by_role("tab", name="Teilnehmende").click()
    choice(PEOPLE[8]).get_by_role("button", name="entschuldigt", exact=True).click()
    _check_counts(served, present=8, excused=1, absent=1)
    with facilitation.open_workspace(served["workspace"]) as store:
        events = store.attendance_events(served["meeting"].id)
        assert [e.status.value for e in events] == ["present", "excused"]
