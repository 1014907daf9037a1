"""What the series learned, agreed from the participants' own pages, in real Chromium.

From an empty workspace: eight participants open their links, the facilitator
puts five findings up for review from her page, everyone agrees, objects or
comments on each (one changes her mind) and gives her priority dots; the wall
counts. The programme report then lists each finding with its sources and with
exactly the counts recomputed here from the stored events, and a confidential
consultation appears among the sources only once it is released.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import facilitation
from facilitation import findings, serve
from facilitation.models import FindingStatus, SourceKind, Stance
from facilitation.report import build_programme_report

pytestmark = pytest.mark.slow

PEOPLE = ["Katrin Wendler", "Thomas Brückner", "Sabine Kühn", "Jens Pohl", "Ute Matthes",
          "Frank Zieschang", "Heike Lorenz", "Rainer Mittag"]  # fmt: skip
TITLES = [
    "Ortskernmanager dauerhaft fördern",
    "Fördermittel aus einer Hand beraten",
    "Rufbus als Pflichtaufgabe anerkennen",
    "Grenzüberschreitende Kitas erleichtern",
    "Digitale Verwaltung gemeinsam beschaffen",
]
WORDS = {Stance.AGREE: "Ich stimme zu", Stance.OBJECT: "Ich widerspreche",
         Stance.COMMENT: "Nur ein Kommentar"}  # fmt: skip
ORDER = [Stance.AGREE, Stance.AGREE, Stance.OBJECT, Stance.COMMENT]
RELEASED = "Beratung Marktplatz Zittau"
SECRET = "Vertrauliche Beratung Haushaltssperre"


def _stance(i: int, j: int) -> Stance:
    return ORDER[(i + 2 * j) % len(ORDER)]


def test_eight_participants_review_five_findings(tmp_path: Path, browser) -> None:
    from .test_serve import _free_base_port

    workspace = tmp_path / "programm.db"
    subprocess.run(
        [sys.executable, "-m", "facilitation.cli", "init", str(workspace), "--title", "Transfer"],
        check=True, capture_output=True,
    )  # fmt: skip
    with facilitation.open_workspace(workspace) as store:
        meeting = store.add_meeting("Abschlusstreffen")
        store.set_current_meeting(meeting.id)
        links = {}
        for name in PEOPLE:
            person = store.add_participant(name, meeting_id=meeting.id, consent_named=True)
            links[name] = store.create_link(person.id)
        challenge = store.add_challenge(meeting.id, "Leerstand im Ortskern")
        released = store.add_consultation(meeting.id, RELEASED, include_in_export=True)
        secret = store.add_consultation(meeting.id, SECRET)  # confidential, not released
        drafted = [
            store.add_finding(title, kind="recommendation", addressee="SMR Sachsen" if j < 3
                              else "Landkreis Görlitz")
            for j, title in enumerate(TITLES)
        ]  # fmt: skip
        store.add_source(drafted[0].id, SourceKind.CHALLENGE, challenge.id)
        store.add_source(drafted[0].id, SourceKind.CONSULTATION, released.id)
        store.add_source(drafted[1].id, SourceKind.CONSULTATION, secret.id)
        store.add_source(drafted[2].id, SourceKind.NETWORK, meeting.id)
        store.set_finding_status([f.id for f in drafted], FindingStatus.REVIEW)
        key = store.facilitator_key()
    dots, _cap = findings.priority_allowance(len(TITLES))

    dialogs: list[str] = []
    with serve.start(str(workspace), key, port=_free_base_port(), room=8) as servers:
        base = servers.urls["participant"]

        def page(url: str):
            context = browser.new_context(viewport={"width": 1100, "height": 900})
            tab = context.new_page()
            tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            tab.goto(url)
            return tab

        facilitator = page(servers.urls["facilitator"])
        projector = page(servers.urls["projector"])
        tabs = {name: page(f"{base}?p={links[name]}") for name in PEOPLE}
        for name, tab in tabs.items():
            tab.get_by_text(name).first.wait_for(timeout=120_000)
        facilitator.get_by_role("tab", name="Erkenntnisse").click()
        facilitator.get_by_role("button", name="Abstimmung auf den Bildschirmen zeigen").click()
        points = "Prioritätspunkt" if dots == 1 else "Prioritätspunkten"  # "1 von 1 …punkt"
        for tab in tabs.values():
            tab.get_by_text(f"Sie haben noch {dots} von {dots} {points}.").first.wait_for(
                timeout=60_000
            )

        def card(tab, j: int):
            return tab.locator(".fac-card", has_text=TITLES[j]).first

        for i, tab in enumerate(tabs.values()):
            for j in range(len(TITLES)):
                stance = _stance(i, j)
                box = card(tab, j)
                if stance is Stance.COMMENT:
                    box.get_by_role("textbox").fill(f"Hinweis {i}-{j}: <b>nicht fett</b>")
                box.get_by_role("button", name=WORDS[stance]).click()
                box.get_by_text(f"Ihre Antwort: {WORDS[stance]}").wait_for(timeout=30_000)
            for j in range(dots):
                box = card(tab, (i + j) % len(TITLES))
                box.get_by_role("button", name="+ Prioritätspunkt").click()
            tab.get_by_text(f"Sie haben noch 0 von {dots} {points}.").first.wait_for(timeout=30_000)
        # She changes her mind on the first finding: her latest answer counts.
        box = card(tabs[PEOPLE[2]], 0)
        box.get_by_role("button", name=WORDS[Stance.AGREE]).click()
        box.get_by_text(f"Ihre Antwort: {WORDS[Stance.AGREE]}").wait_for(timeout=30_000)

        projector.get_by_text("8 von 8 haben geantwortet").first.wait_for(timeout=30_000)
        assert projector.locator("b", has_text="nicht fett").count() == 0
        assert dialogs == []
        projector.screenshot(path=str(tmp_path / "review-wall.png"))
        tabs[PEOPLE[0]].screenshot(path=str(tmp_path / "review-page.png"))

    with facilitation.open_workspace(workspace) as store:
        events = store.agreement_events()
        assert len(events) == len(PEOPLE) * len(TITLES) + 1
        # Recomputed here from the events, independently of the package's counting.
        latest: dict[tuple[int, int], Stance] = {}
        for event in sorted(events, key=lambda e: e.id):
            latest[(event.finding_id, event.participant_id)] = event.stance
        expected = {
            f.id: tuple(
                sum(1 for (fid, _p), s in latest.items() if fid == f.id and s is stance)
                for stance in (Stance.AGREE, Stance.OBJECT, Stance.COMMENT)
            )
            for f in drafted
        }
        dots_on = {f.id: 0 for f in drafted}
        for dot in store.priority_dots():
            dots_on[dot.finding_id] += 1 if dot.action.value == "place" else -1
        assert sum(dots_on.values()) == dots * len(PEOPLE)
        for f in drafted[:4]:
            store.update_finding(f.id, status=FindingStatus.AGREED)

        report = build_programme_report(store, lang="de")
        for f in drafted:
            section = report.section(f"finding-{f.id}")
            assert section is not None and f.title in section.heading
            (counts,) = [b for b in section.blocks if hasattr(b, "rows")]
            shown = tuple(int(cell.text) for cell in counts.rows[0])
            assert shown == (*expected[f.id], dots_on[f.id]), f.title
        first = report.section(f"finding-{drafted[0].id}")
        text = report.plain_text()
        assert "Herausforderung: Leerstand im Ortskern (Abschlusstreffen)" in text
        assert f"Kollegiale Beratung: {RELEASED}" in text
        assert SECRET not in text
        assert report.section(f"finding-{drafted[4].id}") in report.section("in_review").blocks
        by_addressee = {x.heading: x for x in report.section("findings").blocks
                        if hasattr(x, "heading") and x.key.startswith("addressee")}  # fmt: skip
        assert list(by_addressee) == ["Landkreis Görlitz", "SMR Sachsen"]
        assert first in by_addressee["SMR Sachsen"].blocks
        # Released afterwards, it appears; the report files are written by the command.
        store.update_consultation(secret.id, include_in_export=True)
        assert SECRET in build_programme_report(store, lang="de").plain_text()
    done = subprocess.run(
        [sys.executable, "-m", "facilitation.cli", "report", str(workspace), "--out",
         str(tmp_path / "out"), "--anonymous"],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    written = [Path(line) for line in done.stdout.split()]
    assert sorted(p.suffix for p in written) == [".docx", ".html", ".xlsx"]
    page_html = next(p for p in written if p.suffix == ".html").read_text(encoding="utf-8")
    assert "&lt;b&gt;nicht fett&lt;/b&gt;" in page_html and "<b>nicht fett</b>" not in page_html
    assert "Katrin Wendler" not in page_html
