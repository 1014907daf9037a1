"""Joining with a code in real headless Chromium against the real `facilitation serve`.

A newcomer double-clicks "Teilnehmen": one participant, one personal link. A
name far too long is refused on the page in German, and nobody is added.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import facilitation
from facilitation import serve

from .test_serve import _free_base_port

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """One served workspace for the module: a meeting open for joining with a code."""
    workspace = tmp_path_factory.mktemp("join") / "offen.db"
    with facilitation.create_workspace(workspace, "Offene Werkstatt") as store:
        store.add_municipality("Bautzen", ags="14625020")
        meeting = store.add_meeting("Werkstatt")
        store.set_current_meeting(meeting.id)
        code = store.open_join(meeting.id)
        key = store.facilitator_key()
    with serve.start(str(workspace), key, port=_free_base_port(), room=2) as servers:
        yield {"workspace": workspace, "meeting": meeting.id, "code": code, "servers": servers}


def _join_form(browser, served: dict):
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    tab = context.new_page()
    tab.goto(served["servers"].urls["participant"], wait_until="commit", timeout=180_000)
    tab.get_by_placeholder("ABC123").wait_for(timeout=240_000)
    return context, tab


def _fill(tab, code: str, name: str) -> None:
    tab.get_by_placeholder("ABC123").fill(code)
    # The fields in order: code, name, role.
    tab.locator(".widget-text input").nth(1).fill(name)


def _people(served: dict, name: str) -> list:
    with facilitation.open_workspace(served["workspace"]) as store:
        return [p for p in store.participants(served["meeting"]) if p.name == name]


def test_a_double_click_on_join_makes_one_participant(browser, served) -> None:
    context, tab = _join_form(browser, served)
    _fill(tab, served["code"], "Dora Neu")
    tab.get_by_role("button", name="Teilnehmen").dblclick()
    tab.get_by_text("Willkommen, Dora Neu").first.wait_for(timeout=60_000)
    # The page handles its messages in order: once the language switch took effect,
    # both clicks of the double click have been handled.
    tab.get_by_role("button", name="EN", exact=True).click()
    tab.get_by_text("The facilitator will open the next step shortly").first.wait_for(
        timeout=60_000
    )
    (dora,) = _people(served, "Dora Neu")
    with facilitation.open_workspace(served["workspace"]) as store:
        assert len(store.links(dora.id)) == 1
    context.close()


def test_a_name_too_long_is_refused_on_the_page(browser, served) -> None:
    context, tab = _join_form(browser, served)
    _fill(tab, served["code"], "N" * 250)
    tab.get_by_role("button", name="Teilnehmen").click()
    tab.get_by_text("Name: ist zu lang (250 Zeichen, höchstens 200)").first.wait_for(timeout=60_000)
    assert _people(served, "N" * 250) == []
    assert tab.get_by_role("button", name="Teilnehmen").is_enabled()
    context.close()
