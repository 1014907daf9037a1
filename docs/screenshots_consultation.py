"""Take the screenshots of the collegial consultation and the themed tables from the real pages.

Run from the repository root: ``python docs/screenshots_consultation.py`` (needs Debian's
Chromium). It serves a fresh workspace with a consultation in its consultation phase and a
round of themed tables, and writes ``docs/screenshots/consultation-*.png`` and
``docs/screenshots/tables-*.png``.
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
from facilitation import tables as seating_rules

OUT = Path(__file__).parent / "screenshots"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run",
        "--lang=de-DE"]  # fmt: skip
TOP = "document.querySelectorAll('*').forEach(e => { if (e.scrollTop) { e.scrollTop = 0; } })"
PEOPLE = [
    ("Katrin Wendler", "Bürgermeisterin", "Weißwasser/O.L."),
    ("Thomas Brückner", "Oberbürgermeister", "Görlitz"),
    ("Sabine Kühn", "Leiterin Stadtentwicklung", "Bautzen"),
    ("Jens Pohl", "Bürgermeister", "Hoyerswerda"),
    ("Ute Matthes", "Hauptamtsleiterin", "Görlitz"),
    ("Frank Zieschang", "Kämmerer", "Bautzen"),
    ("Heike Lorenz", "Beigeordnete", "Hoyerswerda"),
]
IDEAS = [
    ("Jens Pohl", "Eine Zwischennutzung als Bürgerbüro mit festen Sprechzeiten prüfen."),
    ("Heike Lorenz", "Erfahrungen aus Görlitz mit Probewohnen und Leerstandsbörse einholen."),
    ("Frank Zieschang", "Eine Bürgerwerkstatt direkt im leeren Gebäude veranstalten."),
    ("Jens Pohl", "Ein Genossenschaftsmodell mit regionalen Unternehmen als Träger prüfen."),
    ("Heike Lorenz", "Sicherungsmittel der Städtebauförderung beantragen, damit das Dach hält."),
]


def _free_port() -> int:
    """A base port with the two after it free too (colleagues may serve on this machine)."""
    for _ in range(50):
        base = random.randint(20000, 40000)
        try:
            for offset in range(3):
                with socket.socket() as s:
                    s.bind(("0.0.0.0", base + offset))
        except OSError:
            continue
        return base
    raise RuntimeError("no three free ports")


def main() -> int:
    folder = Path(tempfile.mkdtemp())
    workspace = folder / "forum.db"
    with facilitation.create_workspace(workspace, "Forum Meine Kommune weiterdenken") as store:
        towns = {name: store.add_municipality(name).id for _n, _r, name in PEOPLE}
        meeting = store.add_meeting("Zweites Arbeitstreffen", place="Bautzen")
        store.set_current_meeting(meeting.id)
        ids = {}
        for name, role, town in PEOPLE:
            person = store.add_participant(
                name, role=role, municipality_id=towns[town], meeting_id=meeting.id
            )
            ids[name] = person.id
            store.mark_seen(meeting.id, person.id)
        case = store.add_consultation(meeting.id, "Leerstehender Gasthof am Markt")
        store.set_roles(
            case.id,
            {
                ids["Katrin Wendler"]: "case_giver", ids["Ute Matthes"]: "moderator",
                ids["Sabine Kühn"]: "secretary", ids["Thomas Brückner"]: "observer",
                ids["Jens Pohl"]: "consultant", ids["Frank Zieschang"]: "consultant",
                ids["Heike Lorenz"]: "consultant",
            },
        )  # fmt: skip
        store.set_phase(case.id, "case_account")
        store.submit_entry(case.id, ids["Jens Pohl"], "Wem gehört das Gebäude?", kind="question")
        store.set_key_question(
            case.id,
            "Wie finden wir in zwei Jahren eine tragfähige Nutzung und einen Träger für den "
            "Gasthof, ohne den Haushalt dauerhaft zu belasten?",
        )
        store.choose_method(case.id, "brainstorming")
        store.set_phase(case.id, "consultation", start_timer=True)
        for name, text in IDEAS:
            store.submit_entry(case.id, ids[name], text)
        store.show(meeting.id, "consultation", case.id)
        tokens = {name: store.create_link(pid) for name, pid in ids.items()}
        key = store.facilitator_key()

    with serve.start(str(workspace), key, port=_free_port()) as servers, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        base = servers.urls["participant"]
        german = {"locale": "de-DE", "timezone_id": "Europe/Berlin"}
        # Voila scrolls inside the page, so a "full page" shot is a tall window.
        laptop = browser.new_page(viewport={"width": 1280, "height": 1250}, **german)
        laptop.goto(f"{base}?p={tokens['Frank Zieschang']}")
        laptop.get_by_placeholder("Idee in ein, zwei Sätzen").wait_for(timeout=90_000)
        laptop.get_by_placeholder("Idee in ein, zwei Sätzen").fill(
            "Coworking für Rückkehrer im Erdgeschoss testen."
        )
        laptop.get_by_role("button", name="Idee senden").click()
        laptop.get_by_text("Danke!").first.wait_for(timeout=30_000)
        laptop.screenshot(path=OUT / "consultation-participant-laptop.png", full_page=True)

        projector = browser.new_page(viewport={"width": 1280, "height": 720}, **german)
        projector.goto(servers.urls["projector"])
        projector.get_by_text("Coworking für Rückkehrer").first.wait_for(timeout=90_000)
        projector.screenshot(path=OUT / "consultation-projector.png")

        phone = browser.new_page(
            viewport={"width": 390, "height": 844}, device_scale_factor=2, **german
        )
        phone.goto(f"{base}?p={tokens['Heike Lorenz']}")
        phone.get_by_placeholder("Idee in ein, zwei Sätzen").wait_for(timeout=90_000)
        phone.get_by_placeholder("Idee in ein, zwei Sätzen").fill("Leerstandsmanager teilen")
        phone.evaluate(TOP)
        phone.screenshot(path=OUT / "consultation-participant-phone.png")

        with facilitation.open_workspace(workspace) as store:
            store.step_phase(case.id)
        phone.set_viewport_size({"width": 390, "height": 1500})
        phone.goto(f"{base}?p={tokens['Katrin Wendler']}")
        phone.get_by_text("Ideen, die ich mitnehme").first.wait_for(timeout=90_000)
        phone.get_by_role("button", name="Nehme ich mit").nth(2).click()
        phone.get_by_role("button", name="Doch nicht").first.wait_for(timeout=30_000)
        phone.get_by_role("button", name="Als nächsten Schritt festhalten").click()
        phone.get_by_text("Als nächster Schritt festgehalten").first.wait_for(timeout=30_000)
        phone.evaluate(TOP)
        phone.screenshot(path=OUT / "consultation-closing-phone.png")

        facilitator = browser.new_page(viewport={"width": 1280, "height": 1600}, **german)
        facilitator.goto(servers.urls["facilitator"])
        facilitator.get_by_role("tab", name="Kollegiale Beratung").click()
        facilitator.get_by_text("Rollen vorschlagen").first.wait_for(timeout=90_000)
        facilitator.screenshot(path=OUT / "consultation-facilitator.png", full_page=True)

        # Themed tables: three tables, a round running, notes coming in.
        with facilitation.open_workspace(workspace) as store:
            tables = [
                store.add_table(meeting.id, theme, host_id=ids[host])
                for theme, host in (
                    ("Strategien für Netzwerke", "Ute Matthes"),
                    ("Daseinsvorsorge im Netzwerk", "Thomas Brückner"),
                    ("Externe Partner", "Sabine Kühn"),
                )
            ]
            people = store.participants(meeting.id)
            rounds = [store.add_table_round(meeting.id) for _ in range(2)]
            plan = seating_rules.rotation(people, tables, 2)
            for table_round, seating in zip(rounds, plan, strict=True):
                store.seat(table_round.id, seating)
            store.start_table_round(rounds[0].id)
            for name in ("Ute Matthes", "Jens Pohl", "Heike Lorenz", "Thomas Brückner"):
                store.submit_table_note(
                    rounds[0].id, ids[name], f"Gemeinsame Ansprechperson je Stadt ({name})"
                )
        phone.set_viewport_size({"width": 390, "height": 844})
        phone.goto(f"{base}?p={tokens['Jens Pohl']}")
        phone.get_by_text("Ihr Tisch").first.wait_for(timeout=90_000)
        phone.screenshot(path=OUT / "tables-participant-phone.png")
        projector.get_by_text("Runde 1 von 2").first.wait_for(timeout=60_000)
        projector.screenshot(path=OUT / "tables-projector.png")
        facilitator.get_by_role("tab", name="Thementische").click()
        facilitator.get_by_text("Gleiche Kommune an einem Tisch").first.wait_for(timeout=60_000)
        facilitator.screenshot(path=OUT / "tables-facilitator.png", full_page=True)
        with facilitation.open_workspace(workspace) as store:
            store.end_table_round(rounds[0].id)
        projector.get_by_text("Ernte der Thementische").first.wait_for(timeout=60_000)
        projector.screenshot(path=OUT / "tables-harvest.png")
        browser.close()
    for path in sorted(OUT.glob("consultation-*.png")) + sorted(OUT.glob("tables-*.png")):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
