"""Take the README's screenshots from the real pages of the demo workshop.

Run from the repository root: ``python docs/screenshots.py`` (needs Debian's
Chromium). It serves a fresh copy of the demo, plays a short intake and vote,
and writes PNG files to ``docs/screenshots/``.
"""

from __future__ import annotations

import random
import socket
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

import facilitation
from facilitation import serve
from facilitation.shipped import load_demo

OUT = Path(__file__).parent / "screenshots"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


def _free_base_port() -> int:
    """Three free ports in a row (the pages' servers), so that the script runs beside others."""
    while True:
        base = random.randint(20000, 40000)
        try:
            for offset in range(3):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", base + offset))
        except OSError:
            continue
        return base


def main() -> int:
    folder = Path(tempfile.mkdtemp())
    workspace = folder / "demo.db"
    with facilitation.create_workspace(workspace, "Demo") as store:
        load_demo(store)
        meeting = store.add_meeting("Drittes Treffen: Fachkräfte und Mobilität", place="Zittau")
        store.set_current_meeting(meeting.id)
        people = store.participants()
        for person in people[:10]:
            store.register(meeting.id, person.id)
        anna = people[0]
        token = store.create_link(anna.id)
        store.show(meeting.id, "intake")
        for person, title in zip(people[1:6], [
            "Fachkräfte für das Bauamt finden", "Schülerverkehr und Rufbus abstimmen",
            "Ärztliche Versorgung im ländlichen Raum", "Digitale Verwaltung mit wenig Personal",
            "Ehrenamt in Feuerwehr und Vereinen halten",
        ], strict=True):  # fmt: skip
            store.submit_challenge(meeting.id, person.id, title, tags=["Daseinsvorsorge"])
        key = store.facilitator_key()
    with (
        serve.start(str(workspace), key, port=_free_base_port()) as servers,
        sync_playwright() as p,
    ):
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        laptop = browser.new_page(viewport={"width": 1280, "height": 800})
        laptop.goto(f"{servers.urls['participant']}?p={token}")
        laptop.get_by_text("Herausforderung einreichen").first.wait_for(timeout=60_000)
        laptop.get_by_placeholder("Ihre Herausforderung in wenigen Worten").fill(
            "Leerstand im Ortskern"
        )
        laptop.get_by_role("button", name="Herausforderung einreichen").click()
        laptop.get_by_text("Danke!").first.wait_for(timeout=30_000)
        laptop.screenshot(path=OUT / "participant-laptop.png")
        projector = browser.new_page(viewport={"width": 1280, "height": 720})
        projector.goto(servers.urls["projector"])
        projector.get_by_text("Leerstand im Ortskern").first.wait_for(timeout=60_000)
        projector.screenshot(path=OUT / "projector-intake.png")

        with facilitation.open_workspace(workspace) as store:
            challenges = store.challenges(meeting.id)
            topics = [
                store.add_topic(meeting.id, c.title, challenge_ids=[c.id]).id for c in challenges
            ]
            vote_round = store.create_round(meeting.id, topics, title="Womit beginnen wir?")
            store.open_round(vote_round.id)
            store.show(meeting.id, "vote", vote_round.id)
            store.start_timer(meeting.id, 300)
            for i, person in enumerate(people[1:9]):
                store.mark_seen(meeting.id, person.id)
                for k in range(vote_round.dots_per_person):
                    store.place_dot(vote_round.id, person.id, topics[(i + k * 2) % len(topics)])
        phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
        phone.goto(f"{servers.urls['participant']}?p={token}")
        phone.get_by_text("Sie haben noch").first.wait_for(timeout=60_000)
        phone.locator(".fac-card", has_text="Ärztliche").get_by_role(
            "button", name="+ Punkt"
        ).click()
        phone.get_by_text("Sie haben noch 1 von 2").first.wait_for(timeout=30_000)
        phone.screenshot(path=OUT / "participant-phone.png")
        facilitator = browser.new_page(viewport={"width": 1280, "height": 900})
        facilitator.goto(servers.urls["facilitator"])
        facilitator.get_by_role("tab", name="Punktabfrage").click()
        facilitator.get_by_text("haben Punkte geklebt").first.wait_for(timeout=60_000)
        facilitator.screenshot(path=OUT / "facilitator-vote.png", full_page=True)
        with facilitation.open_workspace(workspace) as store:
            store.close_round(vote_round.id)
            store.reveal_round(vote_round.id)
            store.show(meeting.id, "results", vote_round.id)
            store.stop_timer(meeting.id)
        projector.locator("table.fac-ranking").wait_for(timeout=30_000)
        projector.screenshot(path=OUT / "projector-result.png")
        browser.close()
    for path in sorted(OUT.glob("*.png")):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
