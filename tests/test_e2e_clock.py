"""At 0:00 the vote closes by itself (issue 20), in real headless Chromium against the real
`facilitation serve`: the facilitator opens a round with a short timer, adds a minute and
closes her page; nobody clicks anything more, and at the deadline the round is closed in
the store (at its deadline, by the clock), the wall says "Zeit ist um" and the
participant's page too, her buttons disabled."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

import facilitation
from facilitation import serve
from facilitation.models import ClosedBy, VoteState
from facilitation.store import _schema

pytestmark = pytest.mark.slow

SECONDS = 25  # the round's timer: time enough for a dot on a busy machine


def test_a_vote_closes_at_zero_with_no_facilitator_page_open(tmp_path: Path, browser) -> None:
    from .test_serve import _free_base_port

    workspace = tmp_path / "uhr.db"
    with facilitation.create_workspace(workspace, "Peer-Learning Ostsachsen") as store:
        meeting = store.add_meeting("Auftakt")
        store.set_current_meeting(meeting.id)
        anna = store.add_participant("Anna Schulze", meeting_id=meeting.id)
        store.add_participant("Bernd Krause", meeting_id=meeting.id)
        link = store.create_link(anna.id)
        topics = [store.add_topic(meeting.id, t).id for t in ("Schulen", "Busse", "Ärzte")]
        vote = store.create_round(meeting.id, topics, timer_seconds=SECONDS)
        key = store.facilitator_key()

    with serve.start(str(workspace), key, port=_free_base_port(), room=1) as servers:

        def page(url: str):
            tab = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            tab.set_default_timeout(120_000)  # a busy machine
            tab.goto(url, wait_until="commit", timeout=180_000)
            return tab

        facilitator = page(servers.urls["facilitator"])
        projector = page(servers.urls["projector"])
        participant = page(f"{servers.urls['participant']}?p={link}")
        participant.get_by_text("Anna Schulze").first.wait_for(timeout=300_000)
        facilitator.get_by_text("Teilnehmende sehen").first.wait_for(timeout=300_000)
        facilitator.get_by_role("tab", name="Punktabfrage").click()
        # One dot each, of three topics: the count in the singular.
        facilitator.get_by_text("je 1 Punkt;").first.wait_for(timeout=60_000)
        facilitator.get_by_role("button", name="Öffnen", exact=True).click()
        participant.get_by_text("Sie haben noch 1 von 1 Punkt.").first.wait_for(timeout=60_000)
        participant.locator(".fac-card", has_text="Busse").first.get_by_role(
            "button", name="+ Punkt"
        ).click()
        participant.get_by_text("Sie haben noch 0 von 1 Punkt.").first.wait_for(timeout=30_000)

        # One click for more time: the countdown and the round's deadline move together.
        with facilitation.open_workspace(workspace) as store:
            before = store.live(meeting.id).timer_ends_at
        facilitator.get_by_role("button", name="+1 Min.").click()
        with facilitation.open_workspace(workspace) as store:
            deadline = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=90)
            while store.live(meeting.id).timer_ends_at == before:
                assert dt.datetime.now(dt.UTC) < deadline, "the minute was not added"
                projector.wait_for_timeout(200)
            ends_at = store.vote_round(vote.id).ends_at
            assert store.live(meeting.id).timer_ends_at == ends_at
            assert ends_at - before == dt.timedelta(minutes=1)
        facilitator.context.close()  # no facilitator page from here on

        # 0:00: the wall and her page say so, with nobody clicking anything.
        wait_ms = int((ends_at - dt.datetime.now(dt.UTC)).total_seconds() * 1000) + 60_000
        projector.locator(".fac-countdown", has_text="Zeit ist um").wait_for(timeout=wait_ms)
        projector.get_by_text(
            "Zeit ist um: Die Abstimmung wurde bei 0:00 geschlossen"
        ).first.wait_for(timeout=60_000)
        participant.get_by_text(
            "Zeit ist um: Die Abstimmung wurde bei 0:00 geschlossen. Das Ergebnis folgt."
        ).first.wait_for(timeout=60_000)
        plus = participant.locator(".fac-card", has_text="Schulen").first.get_by_role(
            "button", name="+ Punkt"
        )
        assert plus.is_disabled()

        # Written in the store: closed at its deadline, by the clock; her dot counts.
        with facilitation.open_workspace(workspace) as store:
            with store.engine.connect() as c:
                row = c.execute(
                    select(_schema.vote_round).where(_schema.vote_round.c.id == vote.id)
                ).one()
            assert row.state == VoteState.CLOSED.value
            assert row.closed_by == ClosedBy.CLOCK.value
            assert row.closed_at == ends_at
            assert store.tally(vote.id) == {topics[0]: 0, topics[1]: 1, topics[2]: 0}
