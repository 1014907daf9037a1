"""The cooperation network in real headless Chromium against the real `facilitation serve`.

Six participants enter their municipality's ties at the same moment, the wall's
picture changes while they do, and every exported file holds every tie exactly once.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import time
from pathlib import Path

import networkx as nx
import pytest

import facilitation
from facilitation import serve
from facilitation.network_io import FORMATS, export_network
from facilitation.shipped import load_municipalities, load_ties

pytestmark = pytest.mark.slow

# Who comes from where, and whom she names (search text, the button she picks).
PEOPLE = [
    ("Katrin Wendler", "Bautzen", "Görl", "Görlitz (Görlitz, SN)"),
    ("Thomas Brückner", "Görlitz", "Zitt", "Zittau (Görlitz, SN)"),
    ("Sabine Kühn", "Hoyerswerda", "Weißw", "Weißwasser/O.L. (Görlitz, SN)"),
    ("Jens Pohl", "Zittau", "Bautz", "Bautzen (Bautzen, SN)"),
    ("Ute Matthes", "Gröditz", "elster", "Elsterwerda (Elbe-Elster, BB)"),
    ("Frank Zieschang", "Elsterwerda", "Liebenw", "Bad Liebenwerda (Elbe-Elster, BB)"),
]


def _free_port() -> int:
    from .test_serve import _free_base_port

    return _free_base_port()


def _ties_on_wall(projector) -> int:
    figure = projector.locator(".fac-figure", has_text="Beziehungen").locator(".fac-big")
    return int(figure.first.inner_text())


def test_six_participants_declare_ties_at_once(tmp_path: Path, browser) -> None:
    workspace = tmp_path / "netzwerk.db"
    with facilitation.create_workspace(workspace, "Städtenetz Ostsachsen") as store:
        load_municipalities(store)
        background = load_ties(store).added
        meeting = store.add_meeting("Netzwerktreffen")
        store.set_current_meeting(meeting.id)
        links = {}
        for name, town, *_ in PEOPLE:
            home = store.find_municipalities(town)[0]
            person = store.add_participant(name, municipality_id=home.id, meeting_id=meeting.id)
            links[name] = store.create_link(person.id)
        key = store.facilitator_key()

    port = _free_port()
    with serve.start(str(workspace), key, port=port, room=6) as servers:

        def page(url: str, viewport=(1280, 900)):
            context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
            tab = context.new_page()
            tab.goto(url)
            return tab

        facilitator = page(servers.urls["facilitator"])
        projector = page(servers.urls["projector"], viewport=(1600, 1000))
        base = servers.urls["participant"]
        tabs = {name: page(f"{base}?p={links[name]}", (420, 900)) for name, *_ in PEOPLE}
        for name, tab in tabs.items():
            tab.get_by_text(name).first.wait_for(timeout=120_000)
        facilitator.get_by_text("Teilnehmende sehen").first.wait_for(timeout=60_000)

        facilitator.get_by_role("tab", name="Kooperationsnetz").click()
        facilitator.get_by_role("button", name="Netzwerk zeigen").click()
        projector.locator(".fac-network svg").wait_for(timeout=60_000)
        assert _ties_on_wall(projector) == background
        picture_before = projector.locator(".fac-network svg").inner_html()

        # Each types the start of a name and picks the municipality found.
        shots = Path(os.environ.get("FACILITATION_SCREENSHOTS", tmp_path))
        shots.mkdir(parents=True, exist_ok=True)
        for name, _town, search, choice in PEOPLE:
            tab = tabs[name]
            tab.get_by_placeholder("Namen einer Kommune eingeben ...").fill(search)
            tab.get_by_role("button", name=choice).wait_for(timeout=30_000)
            if name == PEOPLE[2][0]:
                tab.screenshot(path=str(shots / "network-participant-search.png"), full_page=True)
            tab.get_by_role("button", name=choice).click(timeout=30_000)
            tab.get_by_text("✓ " + choice).wait_for(timeout=30_000)
        tabs[PEOPLE[3][0]].get_by_role("button", name="lernt von").click()
        tabs[PEOPLE[0][0]].get_by_role("button", name="3 · eng").click()

        # Everybody enters at once: the clicks go out before any answer is awaited.
        started = time.monotonic()
        for name, *_ in PEOPLE:
            tabs[name].get_by_role("button", name="Beziehung eintragen").click(no_wait_after=True)
        for name, *_ in PEOPLE:
            tabs[name].get_by_text("Eingetragen:").first.wait_for(timeout=30_000)
        deadline = time.monotonic() + 30
        while _ties_on_wall(projector) != background + len(PEOPLE):
            assert time.monotonic() < deadline, "the wall did not show every new tie"
            time.sleep(0.1)
        seconds = time.monotonic() - started
        picture_after = projector.locator(".fac-network svg").inner_html()
        assert picture_after != picture_before
        for _name, _town, _search, choice in PEOPLE:
            assert choice.split(" (")[0] in picture_after
        print(f"six ties entered at once: on the wall after {seconds:.2f} s")

        # One more tie, alone: how long from the click to the wall.
        total = background + len(PEOPLE)
        one = tabs[PEOPLE[1][0]]
        one.get_by_placeholder("Namen einer Kommune eingeben ...").fill("Niesk")
        one.get_by_role("button", name="Niesky (Görlitz, SN)").click()
        one.get_by_text("✓ Niesky (Görlitz, SN)").wait_for(timeout=30_000)
        clicked = time.monotonic()
        one.get_by_role("button", name="Beziehung eintragen").click(no_wait_after=True)
        projector.get_by_text("Niesky").first.wait_for(timeout=30_000)
        print(f"one tie: on the wall {time.monotonic() - clicked:.2f} s after the click")
        assert _ties_on_wall(projector) == total + 1

        # She takes it back; the wall follows.
        one.locator(".fac-mine .fac-card", has_text="Niesky").get_by_role("button").click()
        deadline = time.monotonic() + 30
        while _ties_on_wall(projector) != total:
            assert time.monotonic() < deadline, "the wall kept a tie taken back"
            time.sleep(0.1)
        assert one.locator(".fac-mine .fac-card").count() == 1

        tabs[PEOPLE[0][0]].screenshot(path=str(shots / "network-participant.png"), full_page=True)
        projector.screenshot(path=str(shots / "network-projector.png"), full_page=True)
        facilitator.screenshot(path=str(shots / "network-facilitator.png"), full_page=True)

    with facilitation.open_workspace(workspace) as store:
        ties = store.ties()
        assert len(ties) == background + len(PEOPLE)
        declared = [t for t in ties if t.meeting_id == meeting.id]
        assert {store.participant(t.declared_by).name for t in declared} == {n for n, *_ in PEOPLE}
        assert sum(t.directed for t in declared) == 1
        out = tmp_path / "export"
        files = {fmt: export_network(store, fmt, out / fmt) for fmt in FORMATS}
        ids = sorted(t.id for t in ties)

        graphml = nx.read_graphml(files["graphml"][0], force_multigraph=True)
        assert sorted(d["tie_id"] for *_, d in graphml.edges(data=True)) == ids
        gexf = files["gexf"][0].read_text(encoding="utf-8")
        assert sorted(int(i) for i in re.findall(r'<edge id="(\d+)"', gexf)) == ids
        with files["kumu"][1].open(encoding="utf-8") as f:
            assert sorted(int(row["Tie id"]) for row in csv.DictReader(f)) == ids
        pajek = files["pajek"][0].read_text(encoding="utf-8")
        assert len([line for line in pajek.splitlines() if re.match(r"^\d+ \d+ ", line)]) == len(
            ids
        )
        dl = files["dl"][0].read_text(encoding="utf-8").split("data:\n")[1].splitlines()
        arcs = {(t.source_id, t.target_id) for t in ties}
        arcs |= {(t.target_id, t.source_id) for t in ties if not t.directed}
        assert len(dl) == len(arcs)
    shutil.rmtree(out)
