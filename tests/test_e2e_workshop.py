"""A real workshop in real headless Chromium against the real `facilitation serve`.

Twelve participants open their personal links, submit challenges (one of them
markup), the facilitator merges them into topics on her page and opens a
secret round, everybody votes at once (with a double click and a second tab
of one person), the wall shows the exact ranking only after the reveal, and a
participant who reloads keeps who she is and her dots.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

import facilitation
from facilitation import serve

pytestmark = pytest.mark.slow

PEOPLE = [
    "Katrin Wendler", "Thomas Brückner", "Sabine Kühn", "Jens Pohl", "Ute Matthes",
    "Frank Zieschang", "Heike Lorenz", "Rainer Mittag", "Doreen Mättig", "Axel Kretschmer",
    "Ines Bergmann", "Steffen Noack",
]  # fmt: skip
XSS = '<img src=x onerror=alert(1)> <script>alert("x")</script>'


def _free_port() -> int:
    from .test_serve import _free_base_port

    return _free_base_port()


def _challenge(i: int) -> str:
    return XSS if i == 4 else f"Herausforderung {i + 1} aus {PEOPLE[i].split()[1]}"


def test_twelve_participants_run_a_workshop(tmp_path: Path, browser) -> None:
    workspace = tmp_path / "auftakt.db"
    with facilitation.create_workspace(workspace, "Peer-Learning Ostsachsen") as store:
        meeting = store.add_meeting("Auftakt")
        store.set_current_meeting(meeting.id)
        links = {}
        for name in PEOPLE:
            person = store.add_participant(name, meeting_id=meeting.id)
            links[name] = store.create_link(person.id)
        key = store.facilitator_key()

    port = _free_port()
    dialogs: list[str] = []
    with serve.start(str(workspace), key, port=port) as servers:
        base = servers.urls["participant"]

        def page(url: str, viewport=(1280, 900)):
            context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
            tab = context.new_page()
            tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            tab.goto(url)
            return tab

        facilitator = page(servers.urls["facilitator"])
        projector = page(servers.urls["projector"])
        tabs = {name: page(f"{base}?p={links[name]}") for name in PEOPLE}
        for name, tab in tabs.items():
            tab.get_by_text(name).first.wait_for(timeout=120_000)
            tab.get_by_text("Die Moderation öffnet gleich").first.wait_for(timeout=60_000)
        facilitator.get_by_text("Teilnehmende sehen").first.wait_for(timeout=60_000)

        # Intake, opened from the facilitator's page.
        facilitator.get_by_role("button", name="Herausforderungen sammeln").click()
        for i, (_name, tab) in enumerate(tabs.items()):
            tab.get_by_placeholder("Ihre Herausforderung in wenigen Worten").fill(_challenge(i))
            tab.get_by_role("button", name="Herausforderung einreichen").click()
        for i in range(len(PEOPLE)):
            projector.get_by_text(_challenge(i), exact=True).first.wait_for(timeout=30_000)
        assert projector.get_by_text("12 Herausforderungen").count() == 1

        # Merge them into six topics, two challenges each, on the facilitator's page.
        facilitator.get_by_role("tab", name="Herausforderungen und Themen").click()
        facilitator.get_by_role("button", name="Sammlung schließen").click()
        topics = [f"Thema {chr(65 + k)}" for k in range(6)]
        for k, topic in enumerate(topics):
            for i in (2 * k, 2 * k + 1):
                facilitator.get_by_label(_challenge(i), exact=True).check()
            facilitator.get_by_placeholder("Titel des Themas").fill(topic)
            facilitator.get_by_role(
                "button", name="Ausgewählte zu einem Thema zusammenführen"
            ).click()
            facilitator.get_by_text(topic, exact=True).first.wait_for(timeout=30_000)

        # A secret round: 3 dots each, at most 2 on one topic.
        facilitator.get_by_role("tab", name="Punktabfrage").click()
        facilitator.get_by_label("Punkte pro Person").fill("3")
        facilitator.get_by_label("Punkte pro Thema").fill("2")
        facilitator.get_by_role("button", name="Punktabfrage vorbereiten").click()
        facilitator.get_by_text("0 von 12 haben Punkte geklebt").first.wait_for(timeout=30_000)
        facilitator.get_by_role("button", name="Öffnen", exact=True).click()
        for tab in tabs.values():
            tab.get_by_text("Sie haben noch 3 von 3 Punkten.").first.wait_for(timeout=30_000)

        # Everybody votes at once: clicks go out on all pages before any answer is awaited.
        def plus(tab, topic: str):
            row = tab.locator(".fac-card", has_text=topic).first
            return row.get_by_role("button", name="+ Punkt")

        plan = {name: [topics[(i + j) % 6] for j in range(3)] for i, name in enumerate(PEOPLE)}
        second_name = PEOPLE[1]
        second_tab = page(f"{base}?p={links[second_name]}")
        second_tab.get_by_text("Sie haben noch 3 von 3 Punkten.").first.wait_for(timeout=60_000)
        plan[second_name] = [topics[0], topics[0]]  # two tabs, four clicks, cap 2
        plan[PEOPLE[2]] = [topics[3]]  # she will reload with two dots left
        for name, chosen in plan.items():
            if name == PEOPLE[0]:
                plus(tabs[name], topics[5]).dblclick()  # a double click: two dots
                plus(tabs[name], topics[1]).click()
                continue
            for topic in chosen:
                plus(tabs[name], topic).click()
                if name == second_name:
                    plus(second_tab, topic).click()
        expected: Counter[str] = Counter()
        for name, chosen in plan.items():
            if name == PEOPLE[0]:
                expected.update([topics[5], topics[5], topics[1]])
            else:
                expected.update(chosen)
        dots_held = {name: (3 if name != PEOPLE[2] else 1) for name in PEOPLE}
        dots_held[second_name] = 2
        for name, tab in tabs.items():
            left = 3 - dots_held[name]
            tab.get_by_text(f"Sie haben noch {left} von 3 Punkten.").first.wait_for(timeout=30_000)
        second_tab.get_by_text("Sie haben noch 1 von 3 Punkten.").first.wait_for(timeout=30_000)

        # A reload keeps who she is and her dots; so does the bare address (remembered).
        reloading = tabs[PEOPLE[2]]
        reloading.reload()
        reloading.get_by_text(PEOPLE[2]).first.wait_for(timeout=60_000)
        reloading.get_by_text("Sie haben noch 2 von 3 Punkten.").first.wait_for(timeout=60_000)
        reloading.goto(base)
        reloading.get_by_text(PEOPLE[2]).first.wait_for(timeout=60_000)
        reloading.get_by_text("Sie haben noch 2 von 3 Punkten.").first.wait_for(timeout=60_000)
        assert links[PEOPLE[2]] in reloading.url

        # The wall: progress, never the tally, while the round is secret.
        projector.get_by_text("12 von 12 haben Punkte geklebt").first.wait_for(timeout=30_000)
        assert projector.locator("table.fac-ranking").count() == 0
        for name, tab in tabs.items():
            assert tab.locator("table.fac-ranking").count() == 0, name
        facilitator.get_by_role("button", name="Schließen", exact=True).click()
        projector.get_by_text("Die Punktabfrage ist geschlossen").first.wait_for(timeout=30_000)
        assert projector.locator("table.fac-ranking").count() == 0
        facilitator.get_by_role("button", name="Auflösen").click()
        projector.locator("table.fac-ranking").wait_for(timeout=30_000)

        rows = projector.locator("table.fac-ranking tr").all_inner_texts()
        shown = {}
        for row in rows:
            place, title, dots = (cell.strip() for cell in row.split("\t"))
            shown[title] = (int(re.match(r"\d+", place).group()), int(dots), "geteilt" in place)
        assert {title: dots for title, (_p, dots, _t) in shown.items()} == {
            t: expected.get(t, 0) for t in topics
        }
        by_dots = sorted(expected.get(t, 0) for t in topics)
        for _title, (position, dots, tied) in shown.items():
            assert position == 1 + sum(1 for t in topics if expected.get(t, 0) > dots)
            assert tied == (by_dots.count(dots) > 1)
        tabs[PEOPLE[5]].locator("table.fac-ranking").wait_for(timeout=30_000)

        # Markup was text everywhere, and nothing ran.
        for tab in (projector, facilitator, tabs[PEOPLE[4]]):
            assert tab.locator("img[src=x]").count() == 0
        assert dialogs == []
        projector.screenshot(path=str(tmp_path / "projector.png"))

    with facilitation.open_workspace(workspace) as store:
        (vote_round,) = store.vote_rounds()
        counted = store.tally(vote_round.id)
        titles = {t.id: t.title for t in store.topics()}
        assert {titles[t]: n for t, n in counted.items()} == {t: expected.get(t, 0) for t in topics}
        second = next(p for p in store.participants() if p.name == second_name)
        assert sum(store.my_dots(vote_round.id, second.id).values()) == 2
