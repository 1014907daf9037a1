"""A collegial consultation and a themed-table session in real headless Chromium against the
real `facilitation serve`.

Six participants from three towns open their personal links. The facilitator casts the roles
on her page and moves the phases; a consultant asks a question, the case giver writes down
the key question and chooses the method on her own page; three consultants send ideas at the
same moment and each appears on the projector within a second; in the closing the case giver
turns two ideas into next steps, which the facilitator finds among the actions. Then three
themed tables with hosts, two rounds with rotated groups, a note from everybody in each
round, and a harvest on the projector that holds every note.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import facilitation
from facilitation.models import ConsultationRole

pytestmark = pytest.mark.slow

PEOPLE = [
    ("Katrin Wendler", "Weißwasser/O.L."), ("Thomas Brückner", "Görlitz"),
    ("Sabine Kühn", "Bautzen"), ("Jens Pohl", "Weißwasser/O.L."), ("Ute Matthes", "Görlitz"),
    ("Frank Zieschang", "Bautzen"),
]  # fmt: skip
CASE_GIVER = "Katrin Wendler"
ROLE_WORDS = {
    ConsultationRole.CASE_GIVER: "Fallgeber/in",
    ConsultationRole.MODERATOR: "Moderator/in",
    ConsultationRole.CONSULTANT: "Berater/in",
    ConsultationRole.SECRETARY: "Sekretär/in",
    ConsultationRole.OBSERVER: "Prozessbeobachter/in",
}
# When each text first appears on the page (the projector), by the browser's clock.
WATCH = """
(texts) => {
  window.__seen = {};
  const look = () => {
    const shown = document.body.innerText;
    for (const t of texts) { if (!(t in window.__seen) && shown.includes(t)) { window.__seen[t] = Date.now(); } }
  };
  new MutationObserver(look).observe(document.body, {subtree: true, childList: true, characterData: true});
  look();
}
"""  # noqa: E501


# Click a button at the moment given (ms since 1970), and note when it was clicked.
AT_MOMENT = """
(button, moment) => {
  setTimeout(() => { window.__clicked = Date.now(); button.click(); }, moment - Date.now());
}
"""


def _free_port() -> int:
    from .test_serve import _free_base_port

    return _free_base_port()


def test_a_consultation_and_a_themed_table_session_with_six(tmp_path: Path, browser) -> None:
    workspace = tmp_path / "forum.db"
    with facilitation.create_workspace(workspace, "Forum Meine Kommune weiterdenken") as store:
        meeting = store.add_meeting("Zweites Arbeitstreffen", place="Bautzen")
        store.set_current_meeting(meeting.id)
        towns = {t: store.add_municipality(t).id for t in dict.fromkeys(t for _n, t in PEOPLE)}
        ids, links = {}, {}
        for name, town in PEOPLE:
            ids[name] = store.add_participant(
                name, municipality_id=towns[town], meeting_id=meeting.id
            ).id
            links[name] = store.create_link(ids[name])
        key = store.facilitator_key()

    dialogs: list[str] = []
    from facilitation import serve

    with serve.start(str(workspace), key, port=_free_port(), room=6) as servers:
        base = servers.urls["participant"]

        def page(url: str, width: int = 1280):
            context = browser.new_context(viewport={"width": width, "height": 900})
            tab = context.new_page()
            tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            tab.goto(url)
            return tab

        facilitator = page(servers.urls["facilitator"])
        projector = page(servers.urls["projector"])
        tabs = {
            name: page(f"{base}?p={links[name]}", 390 if i % 2 else 1280)
            for i, (name, _town) in enumerate(PEOPLE)
        }
        for name, tab in tabs.items():
            tab.get_by_text(name).first.wait_for(timeout=120_000)
            tab.get_by_text("Die Moderation öffnet gleich").first.wait_for(timeout=60_000)
        facilitator.get_by_text("Teilnehmende sehen").first.wait_for(timeout=60_000)

        # Casting on the facilitator's page: Katrin brings the case.
        facilitator.get_by_role("tab", name="Kollegiale Beratung").click()
        facilitator.get_by_placeholder("Titel des Falls").fill("Leerstehender Gasthof am Markt")
        facilitator.get_by_role("button", name="Beratung anlegen").click()
        facilitator.get_by_role("button", name="Rollen vorschlagen").wait_for(timeout=30_000)
        facilitator.get_by_label("Fallgeber/in", exact=True).select_option(label=CASE_GIVER)
        facilitator.get_by_role("button", name="Rollen vorschlagen").click()
        facilitator.get_by_text("Fallgeber/in: 1, Moderator/in: 1").first.wait_for(timeout=30_000)
        facilitator.get_by_role("button", name="Auf den Bildschirmen zeigen").click()
        with facilitation.open_workspace(workspace) as store:
            (consultation,) = store.consultations(meeting.id)
            cast = {r.participant_id: r.role for r in store.roles(consultation.id)}
        role_of = {name: cast[ids[name]] for name in ids}
        assert role_of[CASE_GIVER] is ConsultationRole.CASE_GIVER
        consultants = [n for n, r in role_of.items() if r is ConsultationRole.CONSULTANT]
        assert len(consultants) == 3
        for name, tab in tabs.items():
            tab.locator(".fac-role", has_text=ROLE_WORDS[role_of[name]]).wait_for(timeout=30_000)

        # Case account: a consultant asks; the question is on the wall.
        facilitator.get_by_role("button", name="Weiter: Fallschilderung").click()
        asking = tabs[consultants[0]]
        asking.get_by_placeholder("Frage in ein, zwei Sätzen").fill("Wem gehört das Gebäude?")
        asking.get_by_role("button", name="Frage senden").click()
        projector.get_by_text("Wem gehört das Gebäude?").first.wait_for(timeout=30_000)

        # Key question and method, from the case giver's own page.
        facilitator.get_by_role("button", name="Weiter: Schlüsselfrage").click()
        katrin = tabs[CASE_GIVER]
        question = "Wie finden wir einen Träger für den Gasthof?"
        katrin.get_by_placeholder("Wie kann ich").fill(question)
        katrin.get_by_role("button", name="Schlüsselfrage festhalten").click()
        projector.get_by_text(question).first.wait_for(timeout=30_000)
        facilitator.get_by_role("button", name="Weiter: Methodenwahl").click()
        katrin.locator(".fac-method-choice select").select_option(label="Kopfstand")
        katrin.get_by_role("button", name="Diese Methode wählen").click()
        katrin.get_by_text("Die Methode ist gewählt").first.wait_for(timeout=30_000)
        facilitator.get_by_role("button", name="Weiter: Beratung").click()
        projector.get_by_text("Kopfstand").first.wait_for(timeout=30_000)

        # Three consultants send at the same moment; each idea is on the wall within 1 s.
        ideas = {name: f"Idee von {name}: Zwischennutzung prüfen" for name in consultants}
        for name in consultants:
            box = tabs[name].get_by_placeholder("Idee in ein, zwei Sätzen")
            box.fill(ideas[name])
        projector.evaluate(WATCH, list(ideas.values()))
        buttons = {name: tabs[name].get_by_role("button", name="Idee senden") for name in ideas}
        for button in buttons.values():
            button.wait_for()
        # All three clicks are set for one moment, a little ahead, by the shared clock.
        moment = buttons[consultants[0]].evaluate("() => Date.now()") + 2000
        for button in buttons.values():
            button.evaluate(AT_MOMENT, moment)
        for text in ideas.values():
            projector.get_by_text(text).first.wait_for(timeout=30_000)
        sent = {name: tabs[name].evaluate("() => window.__clicked") for name in ideas}
        seen = projector.evaluate("() => window.__seen")
        delays = {name: seen[ideas[name]] - sent[name] for name in ideas}
        assert max(sent.values()) - min(sent.values()) < 500, sent
        assert all(delay <= 1000 for delay in delays.values()), delays

        # Closing: the case giver turns two ideas into next steps; they are actions.
        facilitator.get_by_role("button", name="Weiter: Abschluss").click()
        katrin.get_by_text("Ideen, die ich mitnehme").first.wait_for(timeout=30_000)
        chooser = katrin.locator(".fac-step-idea select")
        for name in consultants[:2]:
            chooser.locator("option", has_text=ideas[name]).wait_for(state="attached")
            labels = chooser.locator("option").all_text_contents()  # spaces come as U+00A0
            wanted = next(label for label in labels if ideas[name] in label.replace("\xa0", " "))
            chooser.select_option(label=wanted)
            katrin.get_by_role("button", name="Als nächsten Schritt festhalten").click()
            katrin.get_by_text("Als nächster Schritt festgehalten").first.wait_for(timeout=30_000)
            projector.locator("td", has_text=ideas[name][:30]).first.wait_for(timeout=30_000)
        facilitator.get_by_role("tab", name="Aufgaben").click()
        for name in consultants[:2]:
            facilitator.locator("b", has_text=ideas[name]).first.wait_for(timeout=30_000)
        with facilitation.open_workspace(workspace) as store:
            steps = store.next_steps(consultation.id)
            assert [s.title for s in steps] == [ideas[n] for n in consultants[:2]]
            assert all(s.owner_id == ids[CASE_GIVER] and s.origin == "consultation" for s in steps)
            entries = store.entries(consultation.id)
            assert {e.text for e in entries if e.taken} == {ideas[n] for n in consultants[:2]}

        # Themed tables: three tables with hosts, two rounds, a note from everybody each time.
        facilitator.get_by_role("tab", name="Thementische").click()
        themes = {
            "Strategien für Netzwerke": "Thomas Brückner",
            "Daseinsvorsorge im Netzwerk": "Sabine Kühn",
            "Externe Partner": None,
        }
        for theme, host in themes.items():
            facilitator.get_by_placeholder("Thema eines neuen Tisches").fill(theme)
            facilitator.get_by_label("Gastgeber/in", exact=True).first.select_option(
                label=host or ""
            )
            facilitator.get_by_role("button", name="Tisch hinzufügen").click()
            facilitator.wait_for_function(
                "t => [...document.querySelectorAll('.fac-table-theme input')]"
                ".some(i => i.value === t)",
                arg=theme, timeout=30_000,
            )  # fmt: skip
        facilitator.locator(".fac-round-count input").fill("2")  # not the new meeting's
        facilitator.get_by_role("button", name="Runden planen und Gruppen mischen").click()
        facilitator.get_by_text("Gleiche Kommune an einem Tisch: 0").first.wait_for(timeout=30_000)
        for number in (1, 2):
            if number == 2:
                facilitator.locator(".fac-table-round select").select_option(index=1)
                facilitator.locator(
                    ".fac-card", has_text="Runde 2 von 2 (30 Minuten): nicht begonnen"
                ).wait_for(timeout=30_000)
            facilitator.get_by_role("button", name="Runde starten").click()
            for name, tab in tabs.items():
                tab.get_by_text(f"Runde {number} von 2 (30 Minuten): läuft").first.wait_for(
                    timeout=30_000
                )
                tab.get_by_placeholder("Ein Gedanke, ein Beispiel").fill(f"Runde {number}: {name}")
                tab.get_by_role("button", name="Zu den Notizen des Tisches").click()
            for name, tab in tabs.items():
                tab.get_by_text(f"Runde {number}: {name}").first.wait_for(timeout=30_000)
            facilitator.get_by_role("button", name="Runde beenden").click()
            for tab in tabs.values():
                tab.get_by_text(f"Runde {number} von 2 (30 Minuten): beendet").first.wait_for(
                    timeout=30_000
                )
        facilitator.get_by_role("button", name="Ernte zeigen").click()
        projector.get_by_text("Ernte der Thementische").first.wait_for(timeout=30_000)
        for number in (1, 2):
            for name in ids:
                projector.get_by_text(f"Runde {number}: {name}").first.wait_for(timeout=30_000)

        for tab in (projector, facilitator, *tabs.values()):
            assert tab.locator("img[src=x]").count() == 0
        assert dialogs == []

    with facilitation.open_workspace(workspace) as store:
        rounds = store.table_rounds(meeting.id)
        seatings = store.seatings(meeting.id)
        tables = store.tables(meeting.id)
        notes = [n for t in tables for n in store.table_notes(t.id)]
        assert len(notes) == 12
        for note in notes:
            name = note.text.split(": ", 1)[1]
            table = store.table_of(note.round_id, ids[name])
            assert table is not None and note.table_id == table.id
        # Rotation: nobody who is not a host stays at the same table.
        hosts = {t.host_id for t in tables}
        first, second = (seatings[r.id] for r in rounds)
        for name, pid in ids.items():
            if pid in hosts:
                continue
            before = next(t for t, people in first.items() if pid in people)
            after = next(t for t, people in second.items() if pid in people)
            assert before != after, name
