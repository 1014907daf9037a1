"""A lost connection, in real headless Chromium against the real `facilitation serve`.

Six participants vote; one goes offline mid-vote (``context.set_offline``):
her page says so within 5 s and holds her dot buttons, a click then is not
sent, and back online her page shows the round as the store has it (a dot of
hers placed meanwhile elsewhere) within 10 s, and her next dot counts. A click
written into a dead socket is said on the page, not silently dropped. The wall
and the facilitator's page show their marks; a server that dies is said too,
and once it is back the participant reloads with one button and is still
herself, while the wall reloads by itself.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Iterator

import pytest

import facilitation
from facilitation import serve

from ._serving import within

pytestmark = pytest.mark.slow

PEOPLE = [
    "Katrin Wendler", "Thomas Brückner", "Sabine Kühn", "Jens Pohl", "Ute Matthes",
    "Frank Zieschang",
]  # fmt: skip
TOPICS = ["Leerstand im Ortskern", "Fachkräfte", "Digitale Verwaltung", "Radwege"]
LOST = "Keine Verbindung zum Server"
BACK = "Wieder verbunden"
RELOAD = "Verbindung verloren — neu laden"
UNSENT = "nicht beim Server angekommen"
SLOW = 420_000  # a page's first opening on two busy cores

# How many controls of the page a person could use now (the connection's own button aside).
USABLE = """
(() => [...document.querySelectorAll("button, input, select, textarea")]
  .filter(c => !c.closest(".fac-connection") && !c.disabled && c.offsetParent !== null).length)()
"""


def _free_port() -> int:
    from .test_serve import _free_base_port

    return _free_base_port()


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory, browser) -> Iterator[dict]:
    """One served workspace with an open secret vote, six participants, the wall and the
    facilitator's page, each in its own browser context (so each can go offline alone)."""
    workspace = tmp_path_factory.mktemp("connection") / "room.db"
    with facilitation.create_workspace(workspace, "Peer-Learning Ostsachsen") as store:
        meeting = store.add_meeting("Auftakt")
        store.set_current_meeting(meeting.id)
        people, links = {}, {}
        for name in PEOPLE:
            people[name] = store.add_participant(name, meeting_id=meeting.id).id
            links[name] = store.create_link(people[name])
        topics = {t: store.add_topic(meeting.id, t).id for t in TOPICS}
        vote_round = store.create_round(
            meeting.id, list(topics.values()), title="Womit beginnen?", dots_per_person=3
        )
        store.open_round(vote_round.id, show=True)
        key = store.facilitator_key()
    servers = serve.start(str(workspace), key, port=_free_port(), room=len(PEOPLE))
    contexts = []

    def open_page(url: str):
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        contexts.append(context)
        tab = context.new_page()
        tab.set_default_navigation_timeout(SLOW)
        tab.goto(url, wait_until="commit")
        return context, tab

    try:
        base = servers.urls["participant"]
        pages = {name: open_page(f"{base}?p={links[name]}") for name in PEOPLE}
        facilitator = open_page(servers.urls["facilitator"])
        projector = open_page(servers.urls["projector"])
        for name, (_context, tab) in pages.items():
            tab.get_by_text(name).first.wait_for(timeout=SLOW)
            tab.get_by_text("Sie haben noch 3 von 3 Punkten").first.wait_for(timeout=SLOW)
        facilitator[1].get_by_text("Punktabfrage").first.wait_for(timeout=SLOW)
        projector[1].get_by_text("haben Punkte geklebt").first.wait_for(timeout=SLOW)
        yield {
            "workspace": workspace,
            "servers": servers,
            "round": vote_round.id,
            "people": people,
            "topics": topics,
            "pages": pages,
            "facilitator": facilitator,
            "projector": projector,
        }
    finally:
        for context in contexts:
            context.close()
        servers.stop()


def _plus(tab, topic: str):
    return tab.locator(".fac-card", has_text=topic).first.get_by_role("button", name="+ Punkt")


def _left(tab, n: int, timeout: float = 30_000) -> None:
    tab.get_by_text(re.compile(f"Sie haben noch {n} von 3 Punkten")).first.wait_for(timeout=timeout)


def _dots(room: dict, name: str) -> int:
    with facilitation.open_workspace(room["workspace"]) as store:
        return sum(store.my_dots(room["round"], room["people"][name]).values())


def test_offline_mid_vote_holds_her_clicks_and_shows_the_store_when_back(room) -> None:
    from playwright.sync_api import expect

    pages = room["pages"]
    # The room votes: everybody but Katrin places a dot, Katrin one of hers.
    for i, name in enumerate(PEOPLE[1:]):
        _plus(pages[name][1], TOPICS[i % len(TOPICS)]).click()
    context, katrin = pages[PEOPLE[0]]
    _plus(katrin, TOPICS[0]).click()
    _left(katrin, 2)

    context.set_offline(True)
    started = time.monotonic()
    katrin.get_by_text(LOST).first.wait_for(timeout=within(5))
    for topic in TOPICS:
        expect(_plus(katrin, topic)).to_be_disabled(timeout=within(5))
    assert time.monotonic() - started < 5.0
    assert katrin.locator("[role=alert]", has_text=LOST).count() == 1  # read out at once
    # A click now is not sent, nor queued for later: the button holds it.
    _plus(katrin, TOPICS[1]).dispatch_event("click")
    _plus(katrin, TOPICS[1]).click(force=True, timeout=within(5))
    # Meanwhile another tab of hers places a dot (as the store has it now).
    with facilitation.open_workspace(room["workspace"]) as store:
        store.place_dot(room["round"], room["people"][PEOPLE[0]], room["topics"][TOPICS[2]])
    others = PEOPLE[1]
    _plus(pages[others][1], TOPICS[3]).click()  # the others go on voting
    _left(pages[others][1], 1)

    context.set_offline(False)
    started = time.monotonic()
    katrin.get_by_text(BACK).first.wait_for(timeout=within(10))
    _left(katrin, 1, timeout=within(10))
    assert time.monotonic() - started < 10.0
    expect(katrin.get_by_text(LOST)).to_have_count(0)
    assert _dots(room, PEOPLE[0]) == 2  # the clicks while offline were never sent
    # Her next dot counts.
    expect(_plus(katrin, TOPICS[3])).to_be_enabled(timeout=within(10))
    _plus(katrin, TOPICS[3]).click()
    _left(katrin, 0)
    assert _dots(room, PEOPLE[0]) == 3


def test_a_click_lost_in_a_dead_socket_is_said(room) -> None:
    """A socket that swallows what goes through it, both ways (a half-open connection after
    a Wi-Fi drop): the heartbeat notices, the page connects again, shows what the store
    holds (a dot placed meanwhile elsewhere) and says that her click did not arrive."""
    from playwright.sync_api import expect

    name = PEOPLE[2]
    _context, sabine = room["pages"][name]
    before = _dots(room, name)
    _left(sabine, 3 - before)
    sabine.evaluate(
        """() => {
          const socket = window.jupyterapp.widgetManager.kernel._ws;
          socket.send = () => {};
          socket.onmessage = () => {};
        }"""
    )
    _plus(sabine, TOPICS[1]).click()
    with facilitation.open_workspace(room["workspace"]) as store:
        store.place_dot(room["round"], room["people"][name], room["topics"][TOPICS[0]])
    sabine.get_by_text(UNSENT).first.wait_for(timeout=45_000)
    assert _dots(room, name) == before + 1  # the click never arrived, and she was told
    _left(sabine, 2 - before, timeout=within(10))
    expect(_plus(sabine, TOPICS[1])).to_be_enabled(timeout=within(10))
    _plus(sabine, TOPICS[1]).click()
    _left(sabine, 1 - before)
    assert _dots(room, name) == before + 2


def test_the_wall_and_the_facilitator_show_a_lost_connection(room) -> None:
    for context, tab in (room["projector"], room["facilitator"]):
        context.set_offline(True)
        tab.locator(".fac-connection", has_text="Keine Verbindung").first.wait_for(
            timeout=within(5)
        )
        tab.wait_for_function(f"{USABLE} === 0", timeout=within(5))
        context.set_offline(False)
        tab.get_by_text("Keine Verbindung").first.wait_for(state="hidden", timeout=within(10))
    # The wall's mark is small: it does not cover the wall.
    projector = room["projector"][1]
    room["projector"][0].set_offline(True)
    mark = projector.locator(".fac-connection-compact .fac-connection-lost")
    mark.wait_for(timeout=within(5))
    box = mark.bounding_box()
    assert box is not None and box["width"] < 400 and box["height"] < 80
    room["projector"][0].set_offline(False)
    mark.wait_for(state="detached", timeout=within(10))
    # The facilitator's page works again: its controls are back.
    room["facilitator"][1].wait_for_function(f"{USABLE} > 0", timeout=within(10))


def test_a_server_that_dies_is_said_and_she_comes_back_as_herself(room) -> None:
    servers = room["servers"]
    name = PEOPLE[4]
    _context, ute = room["pages"][name]
    projector = room["projector"][1]
    held = _dots(room, name)
    for page in ("participant", "projector"):
        os.killpg(servers.processes[page].pid, signal.SIGKILL)
    ute.get_by_text(LOST).first.wait_for(timeout=within(5))
    ute.wait_for_function(f"{USABLE} === 0", timeout=within(5))
    projector.locator(".fac-connection", has_text="Keine Verbindung").first.wait_for(
        timeout=within(5)
    )
    for page in ("participant", "projector"):
        servers.processes[page].wait(timeout=30)
    assert set(servers.revive()) == {"participant", "projector"}
    # Back: her kernel is gone, so the page offers one clear reload; she stays herself.
    reload = ute.get_by_role("button", name=RELOAD)
    reload.wait_for(timeout=SLOW)
    assert "neu" in ute.locator("[role=alert]").first.inner_text()
    reload.click()
    ute.get_by_text(name).first.wait_for(timeout=SLOW)
    _left(ute, 3 - held, timeout=SLOW)
    assert "p=" in ute.url
    # The wall reloaded by itself and shows the vote again.
    projector.get_by_text("haben Punkte geklebt").first.wait_for(timeout=SLOW)
    assert projector.locator(".fac-connection-lost").count() == 0
