"""A Transferwerkstatt from its template, in real Chromium against the real `facilitation serve`.

From an empty workspace the facilitator makes the meeting from the template, naming the
four themes of its tables; seven participants from four towns come; she plans three
rounds and mixes the groups on her page and starts them one after the other. In no round
does anyone sit alone, every participant's page names her table, its theme and who else
sits there, and the protocol holds only the themed tables and rounds that took place.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import facilitation
from facilitation import serve
from facilitation.report import build_protocol

pytestmark = pytest.mark.slow

THEMES = ["Fachkräfte gewinnen", "Mobilität auf dem Land", "Wohnen im Bestand", "Ehrenamt"]
PEOPLE = [
    ("Katrin Wendler", "Zittau"), ("Thomas Brückner", "Zittau"), ("Sabine Kühn", "Löbau"),
    ("Jens Pohl", "Löbau"), ("Ute Matthes", "Herrnhut"), ("Frank Zieschang", "Ebersbach"),
    ("Heike Lorenz", "Herrnhut"),
]  # fmt: skip


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """An empty workspace (no meeting, nobody), served once for this module."""
    workspace = tmp_path_factory.mktemp("tables") / "transfer.db"
    with facilitation.create_workspace(workspace, "Transferwerkstatt Ostsachsen") as store:
        key = store.facilitator_key()
    from .test_serve import _free_base_port

    with serve.start(str(workspace), key, port=_free_base_port(), room=7) as servers:
        yield {"workspace": workspace, "urls": servers.urls}


def test_a_transferwerkstatt_from_its_template_seats_nobody_alone(served, browser) -> None:
    workspace, urls = served["workspace"], served["urls"]
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_navigation_timeout(180_000)  # the machine may be busy
    page.goto(urls["facilitator"])

    def no_error() -> None:
        page.wait_for_timeout(300)
        errors = page.locator(".fac-error").all_inner_texts()
        assert not [e for e in errors if e.strip()], errors
        assert page.get_by_text("Etwas ist schiefgegangen").count() == 0

    page.get_by_text("Legen Sie Ihr erstes Treffen an").first.wait_for(timeout=120_000)
    # The template asks for the themes of its four tables, the rounds and their minutes.
    page.get_by_label("Vorlage").select_option(label="Transferwerkstatt mit Thementischen")
    fields = page.locator(".fac-template-theme input")
    fields.nth(3).wait_for(timeout=30_000)
    assert fields.count() == 4
    for i, theme in enumerate(THEMES):
        fields.nth(i).fill(theme)
    page.get_by_role("button", name="Treffen anlegen").click()
    page.get_by_text("Auf den Bildschirmen: Transferwerkstatt mit Thementischen").first.wait_for(
        timeout=60_000
    )
    no_error()

    with facilitation.open_workspace(workspace) as store:
        (meeting,) = store.meetings()
        assert [t.theme for t in store.tables(meeting.id)] == THEMES
        assert [(r.number, r.minutes) for r in store.table_rounds(meeting.id)] == [
            (1, 30), (2, 30), (3, 30),
        ]  # fmt: skip
        towns = {name: store.add_municipality(name).id for name in {t for _, t in PEOPLE}}
        links = {}
        for name, town in PEOPLE:
            person = store.add_participant(name, municipality_id=towns[town], meeting_id=meeting.id)
            links[name] = store.create_link(person.id)

    # Seven participants open their personal links.
    tabs = {}
    for name, _town in PEOPLE:
        tab = context.new_page()
        tab.set_default_navigation_timeout(180_000)
        tab.goto(f"{urls['participant']}?p={links[name]}")
        tabs[name] = tab
    for name, tab in tabs.items():
        tab.get_by_text(name).first.wait_for(timeout=180_000)

    # The facilitator plans three rounds and mixes the groups.
    page.get_by_text("Thementische", exact=True).first.click()
    themes = page.locator(".fac-table-theme input")
    themes.nth(3).wait_for(timeout=60_000)
    assert [themes.nth(i).input_value() for i in range(4)] == THEMES
    page.get_by_role("button", name="Runden planen und Gruppen mischen").click()
    page.get_by_text("Gleiche Kommune an einem Tisch").first.wait_for(timeout=60_000)
    no_error()

    with facilitation.open_workspace(workspace) as store:
        rounds = store.table_rounds(meeting.id)
        seatings = store.seatings(meeting.id)
        names = {p.id: p.name for p in store.participants(meeting.id)}
    assert len(rounds) == 3
    for table_round in rounds:
        groups = [g for g in seatings[table_round.id].values() if g]
        assert sorted(p for g in groups for p in g) == sorted(names)  # everyone, once
        assert min(map(len, groups)) >= 2, groups  # nobody alone
        assert len(groups) <= 3  # ⌈7/3⌉ tables at most

    with facilitation.open_workspace(workspace) as store:
        theme_of = {t.id: t.theme for t in store.tables(meeting.id)}
    choice = page.locator(".fac-table-round select")
    for table_round in rounds:
        choice.select_option(index=table_round.number - 1)
        page.get_by_role("button", name="Runde starten").click()
        running = f"Runde {table_round.number} von 3 (30 Minuten): läuft"
        page.locator(".fac-card").filter(has_text=running).first.wait_for(timeout=60_000)
        no_error()
        for table_id, group in seatings[table_round.id].items():
            for person in group:
                tab = tabs[names[person]]
                card = tab.locator(".fac-task").filter(has_text="Ihr Tisch")
                card.filter(has_text=theme_of[table_id]).first.wait_for(timeout=60_000)
                heading = f"Runde {table_round.number} von 3"
                tab.get_by_text(heading).first.wait_for(timeout=60_000)
                text = card.first.inner_text()
                others = [names[p] for p in group if p != person]
                assert "Mit: " in text, text
                for other in others:
                    assert other in text, (names[person], other, text)
                assert names[person] not in text.split("Mit: ", 1)[1]

    page.get_by_role("button", name="Ernte zeigen").click()
    page.wait_for_timeout(500)
    no_error()
    context.close()

    with facilitation.open_workspace(workspace) as store:
        text = build_protocol(store, meeting.id).plain_text()
    for theme in THEMES:  # 3 tables a round over 3 rounds: every theme had its turn
        assert theme in text
    assert "Runde 3" in text and "Runde 4" not in text
    headings = [line for line in text.splitlines() if line.startswith("Tisch ")]
    assert len(headings) == 4, headings  # no placeholder table
    assert all(any(theme in line for theme in THEMES) for line in headings), headings
    assert "4 Thementische, 3 Runden à 30 Minuten." in text
