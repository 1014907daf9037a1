"""A facilitator prepares her own programme from nothing, in real Chromium against `serve`.

From a workspace made by ``facilitation init`` (no demo: no meeting, no people, no
municipalities) to a 12-person kickoff: a template, the town hall's list of
participants as a CSV file, the printable sheet of personal links and the list
for a mail merge. No error is shown on the way, and it takes fewer than 25
clicks (counted here). Then one of the participants opens her link.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest

import facilitation
from facilitation import serve

from .test_roster import TWELVE, write

pytestmark = pytest.mark.slow

CLICKS_AT_MOST = 25


def test_an_empty_workspace_becomes_a_prepared_kickoff(tmp_path: Path, browser) -> None:
    workspace = tmp_path / "ostsachsen.db"
    made = subprocess.run(
        [sys.executable, "-m", "facilitation.cli", "init", str(workspace),
         "--title", "Peer-Learning Ostsachsen 2026"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    with facilitation.open_workspace(workspace) as store:
        assert (store.meetings(), store.participants(), store.municipalities()) == ([], [], [])
        key = store.facilitator_key()
    roster = write(tmp_path / "Teilnehmerliste Auftakt.csv", TWELVE, encoding="cp1252")

    from .test_serve import _free_base_port

    clicks = 0
    with serve.start(str(workspace), key, port=_free_base_port(), room=1) as servers:
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        page = context.new_page()
        page.goto(servers.urls["facilitator"])

        def click(locator) -> None:
            nonlocal clicks
            clicks += 1
            locator.click()

        def no_error() -> None:
            page.wait_for_timeout(300)
            assert page.locator(".fac-error").count() == 0, page.locator(
                ".fac-error"
            ).all_inner_texts()
            assert page.get_by_text("Etwas ist schiefgegangen").count() == 0

        page.get_by_text("Legen Sie Ihr erstes Treffen an").first.wait_for(timeout=120_000)
        no_error()

        # The meeting, from a template.
        clicks += 1
        page.get_by_label("Vorlage").select_option(label="Peer-Learning-Auftakt")
        page.get_by_text("Kennenlernen, Herausforderungen sammeln").first.wait_for(timeout=30_000)
        clicks += 1  # the template asks for its case's title
        page.get_by_label("Fall", exact=True).fill("Leerstand am Markt")
        click(page.get_by_role("button", name="Treffen anlegen"))
        page.get_by_text("Auf den Bildschirmen: Peer-Learning-Auftakt").first.wait_for(
            timeout=30_000
        )
        page.get_by_text("Vorstellungsrunde: Kommune, Funktion, Erwartungen").first.wait_for(
            timeout=30_000
        )
        no_error()

        # The participants, from the town hall's list.
        click(page.get_by_role("tab", name="Teilnehmende", exact=True))
        with page.expect_file_chooser() as chooser:
            click(page.get_by_role("button", name="Datei wählen"))
        chooser.value.set_files(str(roster))
        page.get_by_text("12 neu, 0 schon im Arbeitsbereich, 0 abgelehnt").first.wait_for(
            timeout=30_000
        )
        no_error()
        click(page.get_by_role("button", name="12 Teilnehmende importieren"))
        page.get_by_text("12 Teilnehmende angelegt").first.wait_for(timeout=30_000)
        no_error()

        # Personal links out: the printable sheet and the list for a mail merge.
        click(page.get_by_role("button", name="Blatt mit persönlichen Links (zum Drucken)"))
        page.locator(".fac-sheet").nth(11).wait_for(timeout=30_000)
        click(page.get_by_role("button", name="Liste für einen Serienbrief (CSV)"))
        with page.expect_download() as download:
            click(page.get_by_role("link", name="links-meeting-1.csv"))
        saved = tmp_path / "links.csv"
        download.value.save_as(saved)
        no_error()

        assert clicks < CLICKS_AT_MOST, clicks
        assert page.locator(".fac-sheet").count() == 12
        assert page.locator(".fac-sheet svg").count() == 12

        with facilitation.open_workspace(workspace) as store:
            (meeting,) = store.meetings()
            assert store.current_meeting() == meeting
            assert len(store.agenda(meeting.id)) == 7
            assert [k.title for k in store.consultations(meeting.id)] == ["Leerstand am Markt"]
            people = store.participants(meeting.id)
            assert sorted(p.name for p in people) == sorted(
                " ".join(part for part in (r[1], r[2], r[3]) if part) for r in TWELVE
            )
            assert all(p.municipality_id for p in people)
        rows = list(csv.DictReader(saved.read_text(encoding="utf-8-sig").splitlines(),
                                   delimiter=";"))  # fmt: skip
        assert len(rows) == 12 and rows[0]["E-Mail"]
        anna = next(r for r in rows if r["Name"] == "Anna Beispiel")
        assert anna["Persönlicher Link"].startswith(servers.urls["participant"])

        # A participant opens her link from the mail merge.
        mine = context.new_page()
        mine.goto(anna["Persönlicher Link"])
        mine.get_by_text("Anna Beispiel").first.wait_for(timeout=120_000)
        mine.get_by_text("Görlitz").first.wait_for(timeout=30_000)
        context.close()
